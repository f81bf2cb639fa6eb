"""The rescaling page's own control (s) and its section: the playground's run on f beside the same
optimizers' run on f(x, s y), and what that shows about each of them."""

from __future__ import annotations

import streamlit as st

import landscapes

from . import compute, params
from .experiments import landscape_of, playground_views
from .playground_run import PlaygroundRun, warn_diverged
from viz import rescaling, trajectory

SCALE = "s"
DEFAULT_SCALE = 10.0
SAME_PATH = 1e-6  # paths this close (relative to the window) are the same path on any screen
CLOSE_PATH = 1e-2  # within this share of the window they look alike; apart, they look different


def scale_fields() -> list[params.Field]:
    lo, hi = landscapes.SCALE_RANGE
    return [params.Field(SCALE, "rescaling s", "float", DEFAULT_SCALE, lo, hi, log=True)]


def scale_sidebar() -> None:
    st.header("Rescaling")
    lo, hi = landscapes.SCALE_RANGE
    st.number_input("rescale y by s", min_value=lo, max_value=hi, key=SCALE, format="%g", step=1.0,
                    help=f"the right panel runs on f(x, s·y); any s in [{lo:g}, {hi:g}]")


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


def rescaling_section(run: PlaygroundRun, s: float) -> None:
    landscape = run.landscape
    level, headline, details = what_rescaling_does(landscape, s)
    getattr(st, level)(headline)
    if float(run.values["noise"]) > 0:
        st.caption("Gradient noise is added after the rescaling and is not rescaled itself, so with "
                   "noise the two runs part even where the invariance holds.")
    try:
        trace = compute.playground_trace(landscape.key, run.configs, run.start, int(run.values["T"]),
                                         run.schedule, float(run.values["noise"]), int(run.values["seed"]), s)
    except ValueError as err:
        st.error(f"These settings cannot run on f(x, {s:g}·y): {err}")
        return
    scaled = landscape_of(landscape.key, s)
    scaled_views = playground_views(trace, run.configs)
    warn_diverged(scaled_views, f" on f(x, {s:g}·y)")
    # the window follows the runs that stayed finite: one that diverged would shrink the rest to dots
    finite = [v for v in (*run.views, *scaled_views) if v.diverged_at < 0]
    x_range, y_range = trajectory.view_range(landscape.domain, finite, run.start)
    background = compute.landscape_background(landscape.key, x_range, y_range)
    scaled_background = compute.landscape_background(landscape.key, x_range, y_range, s)
    fig = rescaling.rescaling_figure(landscape, scaled, run.views, scaled_views, run.start, background,
                                     scaled_background, s=s)
    st.plotly_chart(fig, key="rescaling", config={"displaylogo": False, "scrollZoom": True})

    span = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    st.dataframe(rescaling.rescaling_rows(run.views, scaled_views, SAME_PATH * span, CLOSE_PATH * span),
                 hide_index=True, column_config={"largest distance between the paths":
                                                 st.column_config.NumberColumn(format="%.2e")})
    if details:
        st.markdown(details)
    st.caption(f"“The same”: the largest distance is below {SAME_PATH:g} of the window, far below a pixel. "
               f"“Close”: below {CLOSE_PATH:.0%} of it. Where the rescaled gradient comes near ε (a tiny s, "
               "or near the minimum), ε itself makes the two paths of Adam and its kin part a little: the "
               "invariance holds up to ε.")
