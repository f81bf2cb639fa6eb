"""The rescaling page's verdict: whether f(x, s y) is a rescaling of f's gradient on a landscape, and
what each kind of optimizer is expected to do there (the runs are the playground's, on f and on
f(x, s y))."""

from __future__ import annotations

import landscapes

SAME_PATH = 1e-6  # paths this close (relative to the window) are the same path on any screen
CLOSE_PATH = 1e-2  # within this share of the window they look alike; apart, they look different


def what_rescaling_does(landscape, s: float) -> tuple[str, str, str]:
    """(level, headline, details): whether f(x, s y) is a rescaling of f's gradient on this
    landscape, and what each kind of optimizer is expected to do there."""
    if s == 1.0:
        return "info", "With s = 1 both panels show the same function; pick another s in the sidebar.", ""
    c = landscapes.gradient_rescaling(landscape, s)
    if c is not None:
        return "success", (
            f"On **{landscape.name}**, f(x, {s:g}·y) has at every point the gradient of f with its y "
            f"component multiplied by **{c:.4g}**: exactly the rescaling of the gradient Adam is "
            "invariant to."), (
            f"Here the y-part of f is a power of y. From the same start, the methods that divide by the "
            "gradient's own running scale (AdaGrad, RMSProp, Adam, AMSGrad, AdaMax) take the same path "
            f"on both, up to ε. SGD and momentum feel {c:.4g} times f's y-curvature, so their largest "
            f"stable learning rate is {1 / c:.4g} times f's. AdaBound keeps the path only until its band "
            "starts to clip, because a clipped rate no longer adapts to the gradient's scale.")
    return "info", (
        f"On **{landscape.name}**, f(x, {s:g}·y) is a different function, not f with a rescaled "
        "gradient, so no optimizer is expected to keep its path here."), (
        "Here the y-part of f is not a power of y. What does hold exactly: mapped back to f's "
        f"coordinates (y → {s:g}·y), Adam's run on the right is its run on f with the y learning rate "
        f"multiplied by {s:g}, SGD's with it multiplied by {s * s:.4g}. The sphere, the ill-conditioned "
        "quadratic and the saddle show the invariance itself.")
