"""Rescaling y: the wrapper f(x, s y), and what it shows about each optimizer (the Adam paper's
Section 2.1 invariance to a diagonal rescaling of the gradient, where it holds, and the exact y-rate
relation everywhere else).

Oracles: the chain rule, hand-derived paths, and torch.optim with per-parameter groups. Nothing is
checked against the package's own output.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes as ls
import optim_core as oc
from landscapes import LANDSCAPES, max_curvature, rescaled
from tests.test_landscapes import random_points


# ----------------------------------------------------------------------------- rescaling


@pytest.mark.parametrize("s", [1e-3, 0.1, 10.0, 1e3])
def test_rescaled_record(s):
    base = LANDSCAPES["himmelblau"]
    scaled = rescaled(base, s)
    assert scaled.key == f"rescaled_himmelblau_s{s:g}"
    assert scaled.name == f"Himmelblau, y rescaled ×{s:g}"
    assert scaled.domain == ((-5.0, 5.0), (-5.0 / s, 5.0 / s))
    assert scaled.start == (base.start[0], base.start[1] / s)
    assert scaled.minima == tuple((x, y / s) for x, y in base.minima)
    assert scaled.min_value == base.min_value
    points = random_points(scaled, 50)
    mapped = points * [1.0, s]
    np.testing.assert_array_equal(scaled.f(points), base.f(mapped))
    np.testing.assert_array_equal(scaled.grad(points), base.grad(mapped) * [1.0, s])


@pytest.mark.parametrize("s", [0.0, -1.0, 9.99e-4, 1000.1, float("nan"), float("inf"), "ten", True])
def test_rescaled_rejects_s_outside_the_range(s):
    with pytest.raises(ValueError, match=r"Invalid s: .*\[0\.001, 1000\]"):
        rescaled(LANDSCAPES["rosenbrock"], s)


@settings(max_examples=50, deadline=None)
@given(s=st.floats(1e-3, 1e3), u=st.floats(0, 1), v=st.floats(0, 1))
def test_rescaled_is_the_base_in_relabelled_coordinates(s, u, v):
    base = LANDSCAPES["beale"]
    scaled = rescaled(base, s)
    (x_lo, x_hi), (y_lo, y_hi) = scaled.domain
    p = np.array([x_lo + u * (x_hi - x_lo), y_lo + v * (y_hi - y_lo)])
    assert float(scaled.f(p)) == float(base.f(p * [1.0, s]))
    assert scaled.contains(scaled.start) and all(scaled.contains(m) for m in scaled.minima)


def _run(optimizer, problem, start, steps=300):
    trace = oc.run(optimizer, problem, np.array([start], dtype=np.float64), steps)
    assert trace.diverged_at[0] == -1
    return trace.positions[:, 0, :]


# The bases whose y-part is homogeneous (y_degree = 2): there f(x, s y) rescales the gradient.
HOMOGENEOUS = ["sphere", "ill_conditioned", "saddle"]


def test_y_degree_is_set_exactly_where_rescaling_y_rescales_the_gradient():
    """The field the rescaling page relies on, checked against the chain rule at random points:
    where y_degree = k, rescaled(f, s).grad(p) = f.grad(p) * (1, s**k) for every s; elsewhere no
    such factor exists (the gradients' x parts or their y ratio differ between points)."""
    assert sorted(k for k, v in LANDSCAPES.items() if v.y_degree is not None) == sorted(HOMOGENEOUS)
    for key, base in LANDSCAPES.items():
        p = random_points(base, 200, seed=3)
        for s in (0.37, 4.2):
            got, plain = rescaled(base, s).grad(p), base.grad(p)
            if base.y_degree is not None:
                assert ls.gradient_rescaling(base, s) == s**base.y_degree
                np.testing.assert_allclose(got, plain * [1.0, s**base.y_degree], rtol=1e-12, atol=1e-300)
            else:
                assert ls.gradient_rescaling(base, s) is None
                with np.errstate(all="ignore"):
                    ratio = got[:, 1] / plain[:, 1]
                same_x = np.allclose(got[:, 0], plain[:, 0], rtol=1e-9)
                one_ratio = np.allclose(ratio, ratio[0], rtol=1e-9)
                assert not (same_x and one_ratio), key


@pytest.mark.parametrize("s", [1e-3, 1e-2, 0.1, 0.5, 2.0, 10.0, 1e2, 1e3])
@pytest.mark.parametrize("key", ["sphere", "ill_conditioned"])
def test_adam_path_on_f_of_x_sy_is_its_path_on_f_while_sgds_changes(key, s):
    """The Adam paper's invariance to diagonal rescaling (Section 2.1), shown with the wrapper:
    from the same start and in the same coordinates, Adam's path on f(x, s y) is its path on f for
    every s in [1e-3, 1e3] (eps = 0 here; eps's own effect is the next test), while SGD's path with
    one learning rate changes completely: it crawls, zig-zags or diverges."""
    base = LANDSCAPES[key]
    scaled = rescaled(base, s)
    start = np.array([base.start], dtype=np.float64)
    on_f = oc.run(oc.adam(0.05, eps=0.0), base, start, 300).positions[:, 0]
    on_scaled = oc.run(oc.adam(0.05, eps=0.0), scaled, start, 300).positions[:, 0]
    np.testing.assert_allclose(on_scaled, on_f, rtol=1e-9, atol=1e-12)
    assert np.linalg.norm(on_f[-1]) < 1e-3 * np.linalg.norm(start)  # and it did get there

    sgd_lr = 0.5 / max_curvature(base, (0.0, 0.0))  # a quarter of the stable limit on f
    sgd_f = oc.run(oc.sgd(sgd_lr), base, start, 300)
    sgd_scaled = oc.run(oc.sgd(sgd_lr), scaled, start, 300)
    assert sgd_f.diverged_at[0] == -1
    if sgd_scaled.diverged_at[0] == -1:
        gap = np.abs(sgd_scaled.positions[:, 0, 1] - sgd_f.positions[:, 0, 1]).max()
        assert gap > 0.5 * abs(base.start[1])  # the y path: half the way to the minimum and more
    else:
        assert s > 1  # the y-curvature grew by s**2 past 2 / lr


@settings(max_examples=40, deadline=None)
@given(log_s=st.floats(-3.0, 3.0), key=st.sampled_from(HOMOGENEOUS))
def test_adam_keeps_its_path_for_any_s_in_the_range(log_s, key):
    """The same, for s drawn anywhere in [1e-3, 1e3] and on each homogeneous base (the saddle too)."""
    s = 10.0**log_s
    base = LANDSCAPES[key]
    start = np.array([base.start], dtype=np.float64)
    on_f = oc.run(oc.adam(0.05, eps=0.0), base, start, 200).positions
    on_scaled = oc.run(oc.adam(0.05, eps=0.0), rescaled(base, s), start, 200).positions
    np.testing.assert_allclose(on_scaled, on_f, rtol=1e-9, atol=1e-12)


SCALE_FREE = {  # every method that divides by a running scale of the gradient, eps = 0
    "adagrad": lambda: oc.adagrad(0.5, eps=0.0),
    "rmsprop": lambda: oc.rmsprop(0.01, eps=0.0),
    "rmsprop centered, momentum": lambda: oc.rmsprop(0.01, eps=0.0, centered=True, momentum=0.5),
    "adam without bias correction": lambda: oc.adam(0.05, eps=0.0, bias_correction=False),
    "amsgrad": lambda: oc.amsgrad(0.05, eps=0.0),
    "adamax": lambda: oc.adamax(0.05, eps=0.0),
}


@pytest.mark.parametrize("s", [1e-2, 10.0, 1e3])
@pytest.mark.parametrize("name", list(SCALE_FREE))
def test_every_scale_free_method_keeps_its_path_on_f_of_x_sy(name, s):
    """What the rescaling page states of AdaGrad, RMSProp, AMSGrad and AdaMax (Adam is above)."""
    base = LANDSCAPES["ill_conditioned"]
    start = np.array([base.start], dtype=np.float64)
    on_f = oc.run(SCALE_FREE[name](), base, start, 300).positions
    on_scaled = oc.run(SCALE_FREE[name](), rescaled(base, s), start, 300).positions
    np.testing.assert_allclose(on_scaled, on_f, rtol=1e-12, atol=1e-14)


def test_adabound_keeps_adams_invariance_only_until_its_band_clips():
    """AdaBound's unclipped rate scales with 1/(the gradient's scale), its band does not: the two
    paths agree (up to eps) until the first step either run is clipped, and part after it."""
    base = LANDSCAPES["ill_conditioned"]
    start = np.array([base.start], dtype=np.float64)
    opt = oc.adabound(0.05, final_lr=0.01, gamma=1e-3)
    on_f, on_scaled = oc.run(opt, base, start, 2000), oc.run(opt, rescaled(base, 10.0), start, 2000)
    clipped = ((on_f.lr_eff != on_f.lr_eff_raw) | (on_scaled.lr_eff != on_scaled.lr_eff_raw)).any(axis=(1, 2))
    first = int(np.argmax(clipped))
    assert clipped.any() and first > 0
    gap = np.abs(on_f.positions - on_scaled.positions).max(axis=(1, 2))
    assert gap[: first + 1].max() < 1e-7  # positions[first] is before the clipped step
    assert gap[first + 1] > 1e-4 and gap.max() > 0.1


def test_adam_differs_on_f_of_x_sy_only_by_what_eps_does():
    """With eps > 0 the invariance holds up to eps: at s = 1e-3 the y-gradient is 1e-6 times the
    sphere's, so eps = 1e-8 is no longer negligible next to sqrt(v); the gap shrinks with eps."""
    base = LANDSCAPES["sphere"]
    scaled = rescaled(base, 1e-3)
    start = np.array([base.start], dtype=np.float64)
    gaps = []
    for eps in (1e-8, 1e-10, 1e-12):
        on_f = oc.run(oc.adam(0.05, eps=eps), base, start, 300).positions[:, 0]
        on_scaled = oc.run(oc.adam(0.05, eps=eps), scaled, start, 300).positions[:, 0]
        gaps.append(np.abs(on_scaled - on_f).max())
    assert gaps[0] > 1e-4 and gaps[1] < gaps[0] / 10 and gaps[2] < gaps[1] / 10


def test_the_homogeneous_saddle_keeps_adams_escape():
    """On the saddle x^2 - y^2 (also y_degree 2) Adam escapes along y on the same path for any s."""
    base = LANDSCAPES["saddle"]
    start = np.array([base.start], dtype=np.float64)
    on_f = oc.run(oc.adam(0.02, eps=0.0), base, start, 200).positions[:, 0]
    for s in (0.05, 20.0):
        on_scaled = oc.run(oc.adam(0.02, eps=0.0), rescaled(base, s), start, 200).positions[:, 0]
        np.testing.assert_allclose(on_scaled, on_f, rtol=1e-9, atol=1e-12)
    assert abs(on_f[-1, 1]) > 1.0  # it did escape


@pytest.mark.parametrize("s", [1e-2, 1e2])
@pytest.mark.parametrize("key", ["ill_conditioned", "styblinski_tang"])
def test_rescaling_y_is_a_change_of_the_y_learning_rate(key, s):
    """Mapped back (y -> s y), a run on rescaled(f, s) is a run on f whose y learning rate is
    multiplied by s for Adam (eps divided by s) and by s^2 for SGD. On these separable landscapes
    the x and y coordinates evolve independently, so each is compared with a plain run on f."""
    base = LANDSCAPES[key]
    scaled = rescaled(base, s)
    start = (base.start[0] * 0.9, base.start[1] * 0.8)
    start_scaled = (start[0], start[1] / s)

    lr, eps = 0.01, 1e-8
    path = _run(oc.adam(lr, eps=eps), scaled, start_scaled) * [1.0, s]
    x_ref = _run(oc.adam(lr, eps=eps), base, start)[:, 0]
    y_ref = _run(oc.adam(lr * s, eps=eps / s), base, start)[:, 1]
    np.testing.assert_allclose(path[:, 0], x_ref, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(path[:, 1], y_ref, rtol=1e-9, atol=1e-12)

    lr = 1e-3 if s < 1 else 1e-7  # the y step of SGD scales with s^2
    path = _run(oc.sgd(lr), scaled, start_scaled) * [1.0, s]
    np.testing.assert_allclose(path[:, 0], _run(oc.sgd(lr), base, start)[:, 0], rtol=1e-9)
    np.testing.assert_allclose(path[:, 1], _run(oc.sgd(lr * s * s), base, start)[:, 1], rtol=1e-9)


def _torch_rosenbrock_run(make, groups, start, steps):
    """torch.optim on Rosenbrock (autograd) with x and y as two parameters, each in its own group."""
    x = torch.tensor(start[0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(start[1], dtype=torch.float64, requires_grad=True)
    opt = make([{"params": [x], **groups[0]}, {"params": [y], **groups[1]}])
    out = [(x.item(), y.item())]
    for _ in range(steps):
        opt.zero_grad()
        ((1 - x) ** 2 + 100 * (y - x * x) ** 2).backward()
        opt.step()
        out.append((x.item(), y.item()))
    return np.array(out)


@pytest.mark.parametrize("s", [0.1, 10.0])
def test_on_any_landscape_rescaling_y_multiplies_the_y_rate(s):
    """The rescaling page's statement for landscapes without the invariance, against torch.optim
    with per-parameter groups on (non-separable) Rosenbrock: mapped back (y -> s y), Adam's run on
    f(x, s y) is torch's Adam on f with y's lr times s and eps divided by s; SGD's is torch's SGD
    with y's lr times s^2."""
    base = LANDSCAPES["rosenbrock"]
    scaled = rescaled(base, s)
    start = (-1.0, 0.5)
    start_scaled = np.array([[start[0], start[1] / s]])
    lr, eps = 1e-3, 1e-8
    ours = oc.run(oc.adam(lr, eps=eps), scaled, start_scaled, 300).positions[:, 0] * [1.0, s]
    ref = _torch_rosenbrock_run(torch.optim.Adam, [{"lr": lr, "eps": eps}, {"lr": lr * s, "eps": eps / s}],
                                start, 300)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)

    lr = 1e-4
    ours = oc.run(oc.sgd(lr), scaled, start_scaled, 300).positions[:, 0] * [1.0, s]
    ref = _torch_rosenbrock_run(torch.optim.SGD, [{"lr": lr}, {"lr": lr * s * s}], start, 300)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("s", [1e-2, 1e2])
def test_adam_is_not_invariant_to_the_change_of_variables_itself(s):
    """Adam's steps are about lr in the coordinates it is given, so mapped back its first y step
    is s * lr, not lr: its path on rescaled(f, s) is not its path on f."""
    base = LANDSCAPES["rosenbrock"]
    scaled = rescaled(base, s)
    lr = 1e-3
    path = _run(oc.adam(lr), scaled, (base.start[0], base.start[1] / s), steps=1) * [1.0, s]
    plain = _run(oc.adam(lr), base, base.start, steps=1)
    # first Adam step: -lr * sign(g), to 1e-8 / |g| from eps
    assert abs(plain[1, 1] - plain[0, 1]) == pytest.approx(lr, rel=1e-6)
    assert abs(path[1, 1] - path[0, 1]) == pytest.approx(s * lr, rel=1e-6)
    assert path[1, 0] == pytest.approx(plain[1, 0], rel=1e-12)


def test_registered_rescaled_rosenbrock_shows_sgd_needs_retuning_and_adam_does_not():
    """s = 10: a learning rate that works for SGD on Rosenbrock diverges on the rescaled one
    (y-curvature x100), while Adam with one learning rate converges on both."""
    plain, scaled = LANDSCAPES["rosenbrock"], LANDSCAPES["rescaled_rosenbrock"]
    assert scaled.domain == ((-2.0, 2.0), (-0.1, 0.3)) and scaled.start == (-2.0, 0.2)
    for problem, diverges in ((plain, False), (scaled, True)):
        trace = oc.run(oc.sgd(1e-3), problem, np.array([problem.start]), 1000)
        assert (trace.diverged_at[0] >= 0) == diverges
    for problem in (plain, scaled):
        trace = oc.run(oc.adam(0.1), problem, np.array([problem.start]), 2000)
        assert trace.diverged_at[0] == -1
        assert trace.loss[0, 0] == 409.0 and trace.loss[-1, 0] < 1e-2


