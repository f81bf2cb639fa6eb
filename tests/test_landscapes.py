"""The 2-D landscapes: formulas, exact gradients, minima, domains, rescaling and curvature.

Oracles: torch autograd (float64) for gradients and Hessians, the published table of
reference/landscapes.md for domains, minima and start values (copied below), and hand-derived
numbers for the rest. Nothing is checked against the package's own output.
"""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes as ls
import optim_core as oc
from landscapes import LANDSCAPES, Landscape, max_curvature, rescaled

PI = math.pi

# ----------------------------------------------------------------------------- the reference table

# key: (domain, global minima as printed (6 decimals), f*), from reference/landscapes.md
TABLE = {
    "sphere": (((-2, 2), (-2, 2)), [(0, 0)], 0.0),
    "ill_conditioned": (((-5.5, 1), (-3, 1)), [(0, 0)], 0.0),
    "matyas": (((-10, 10), (-10, 10)), [(0, 0)], 0.0),
    "booth": (((-10, 10), (-10, 10)), [(1, 3)], 0.0),
    "rosenbrock": (((-2, 2), (-1, 3)), [(1, 1)], 0.0),
    "beale": (((-4.5, 4.5), (-4.5, 4.5)), [(3, 0.5)], 0.0),
    "himmelblau": (((-5, 5), (-5, 5)),
                   [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
                   0.0),
    "three_hump_camel": (((-2, 2), (-1.5, 1.5)), [(0, 0)], 0.0),
    "six_hump_camel": (((-2, 2), (-1, 1)), [(0.089842, -0.712656), (-0.089842, 0.712656)],
                       -1.031628),
    "goldstein_price": (((-2, 2), (-2, 2)), [(0, -1)], 3.0),
    "mccormick": (((-1.5, 4), (-3, 4)), [(-0.547198, -1.547198)], -1.913223),
    "styblinski_tang": (((-5, 5), (-5, 5)), [(-2.903534, -2.903534)], -78.332331),
    "levi13": (((-10, 10), (-10, 10)), [(1, 1)], 0.0),
    "rastrigin": (((-5.12, 5.12), (-5.12, 5.12)), [(0, 0)], 0.0),
    "ackley": (((-5, 5), (-5, 5)), [(0, 0)], 0.0),
    "saddle": (((-2, 2), (-2, 2)), [], None),
}
BASE_KEYS = list(TABLE)
COMMON_STARTS = {  # key: (start, f(start) where the table gives it)
    "ill_conditioned": ((-5, -2), None),
    "rosenbrock": ((-2, 2), 409.0),
    "rastrigin": ((-2, 3.5), 36.25),
    "saddle": ((-1.5, 0.05), None),
}


# ----------------------------------------------------------------------------- torch transcriptions


def _t_sphere(x, y):
    return x**2 + y**2


def _t_ill(x, y):
    return 0.1 * x**2 + 2 * y**2


def _t_matyas(x, y):
    return 0.26 * (x**2 + y**2) - 0.48 * x * y


def _t_booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _t_rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _t_beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _t_himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _t_three_hump(x, y):
    return 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2


def _t_six_hump(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _t_goldstein_price(x, y):
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
    return a * b


def _t_mccormick(x, y):
    return torch.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1


def _t_styblinski_tang(x, y):
    return 0.5 * ((x**4 - 16 * x**2 + 5 * x) + (y**4 - 16 * y**2 + 5 * y))


def _t_levi13(x, y):
    return (torch.sin(3 * PI * x) ** 2 + (x - 1) ** 2 * (1 + torch.sin(3 * PI * y) ** 2)
            + (y - 1) ** 2 * (1 + torch.sin(2 * PI * y) ** 2))


def _t_rastrigin(x, y):
    return 20 + (x**2 - 10 * torch.cos(2 * PI * x)) + (y**2 - 10 * torch.cos(2 * PI * y))


def _t_ackley(x, y):
    return (-20 * torch.exp(-0.2 * torch.sqrt(0.5 * (x**2 + y**2)))
            - torch.exp(0.5 * (torch.cos(2 * PI * x) + torch.cos(2 * PI * y))) + math.e + 20)


def _t_saddle(x, y):
    return x**2 - y**2


TORCH_F = {
    "sphere": _t_sphere, "ill_conditioned": _t_ill, "matyas": _t_matyas, "booth": _t_booth,
    "rosenbrock": _t_rosenbrock, "beale": _t_beale, "himmelblau": _t_himmelblau,
    "three_hump_camel": _t_three_hump, "six_hump_camel": _t_six_hump,
    "goldstein_price": _t_goldstein_price, "mccormick": _t_mccormick,
    "styblinski_tang": _t_styblinski_tang, "levi13": _t_levi13, "rastrigin": _t_rastrigin,
    "ackley": _t_ackley, "saddle": _t_saddle,
}

# Every registered landscape, plus rescaled ones at both ends of the allowed range of s.
CASES = {
    **{key: (key, 1.0) for key in BASE_KEYS},
    "rescaled_rosenbrock": ("rosenbrock", 10.0),
    "rosenbrock_s1e-3": ("rosenbrock", 1e-3),
    "beale_s1e3": ("beale", 1e3),
    "ackley_s1e-3": ("ackley", 1e-3),
    "goldstein_price_s1e3": ("goldstein_price", 1e3),
}


def landscape_of(case: str) -> Landscape:
    if case in LANDSCAPES:
        return LANDSCAPES[case]
    base, s = CASES[case]
    return rescaled(LANDSCAPES[base], s)


def torch_f(case: str):
    base, s = CASES[case]
    fn = TORCH_F[base]
    return lambda x, y: fn(x, s * y)


def random_points(landscape: Landscape, n: int, seed: int = 0) -> np.ndarray:
    (x_lo, x_hi), (y_lo, y_hi) = landscape.domain
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x_lo, x_hi, n), rng.uniform(y_lo, y_hi, n)], axis=1)


def dense_grid(landscape: Landscape, n: int = 301) -> np.ndarray:
    (x_lo, x_hi), (y_lo, y_hi) = landscape.domain
    xx, yy = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    return np.stack([xx, yy], axis=-1)


# ----------------------------------------------------------------------------- registry


def test_registry_holds_every_table_function_and_the_rescaled_rosenbrock():
    assert sorted(LANDSCAPES) == sorted(BASE_KEYS + ["rescaled_rosenbrock"])
    assert list(LANDSCAPES)[0] == "sphere" and list(LANDSCAPES)[-1] == "rescaled_rosenbrock"
    for key, landscape in LANDSCAPES.items():
        assert landscape.key == key
        assert ls.get(key) is landscape
    with pytest.raises(KeyError, match="Unknown landscape 'nope'"):
        ls.get("nope")


@pytest.mark.parametrize("key", BASE_KEYS)
def test_domain_minima_count_and_min_value_match_the_table(key):
    domain, minima, f_star = TABLE[key]
    landscape = LANDSCAPES[key]
    assert landscape.domain == tuple(tuple(float(v) for v in r) for r in domain)
    assert len(landscape.minima) == len(minima)
    if f_star is None:
        assert landscape.min_value is None
    else:
        assert landscape.min_value == pytest.approx(f_star, abs=1e-6)
    # Every table minimum is in the record (to the table's 6 decimals), in any order.
    for point in minima:
        distances = [math.dist(point, m) for m in landscape.minima]
        assert min(distances) < 1e-6


@pytest.mark.parametrize("key", list(LANDSCAPES))
def test_record_is_consistent_and_displayable(key):
    landscape = LANDSCAPES[key]
    assert landscape.name and landscape.latex.startswith(("f(x, y) =", r"\tilde f(x, y)"))
    assert landscape.description and "\n" not in landscape.description
    assert landscape.log_offset > 0
    assert landscape.contains(landscape.start)
    start_value = float(landscape.f(np.array(landscape.start)))
    if landscape.min_value is not None:
        # the default start is not at (or next to) a minimum: there is something to do
        assert start_value > landscape.min_value + 0.1
        if landscape.log_contours:
            values = landscape.f(dense_grid(landscape))
            assert np.all(values - landscape.min_value + landscape.log_offset > 0)


def test_log_contours_where_values_span_decades():
    wanted = {"rosenbrock", "beale", "himmelblau", "booth", "matyas", "goldstein_price"}
    assert wanted <= {key for key, l in LANDSCAPES.items() if l.log_contours}
    assert not LANDSCAPES["saddle"].log_contours  # unbounded below: no log scale


@pytest.mark.parametrize("key", list(COMMON_STARTS))
def test_common_starts_and_their_values(key):
    start, value = COMMON_STARTS[key]
    landscape = LANDSCAPES[key]
    assert landscape.start == start
    if value is not None:
        assert float(landscape.f(np.array(start))) == pytest.approx(value, abs=1e-12)


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("case", list(CASES))
def test_values_and_gradients_match_torch_autograd(case):
    """At 1,000 random points of the domain: f to 1e-12 and the gradient to 1e-8.

    Criterion, elementwise: ``|g - g_ref| <= 1e-8 * (|g_ref| + 1)``. Relative where the gradient
    is large; near a zero of the gradient (a sum of terms that cancel, some as large as 1e6 on
    Goldstein-Price and 1e7 after rescaling by s = 1e3) a purely relative test would compare
    rounding noise of size 1e-16 x (largest term) with zero, so it falls back to an absolute 1e-8.
    Any formula error is orders of magnitude larger.
    """
    landscape = landscape_of(case)
    points = random_points(landscape, 1000)
    xy = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    f_ref = torch_f(case)(xy[:, 0], xy[:, 1])
    (g_ref,) = torch.autograd.grad(f_ref.sum(), xy)
    f_ref, g_ref = f_ref.detach().numpy(), g_ref.numpy()

    value = landscape.f(points)
    grad = landscape.grad(points)
    assert value.shape == (1000,) and grad.shape == (1000, 2)
    assert value.dtype == np.float64 and grad.dtype == np.float64
    np.testing.assert_array_less(np.abs(value - f_ref), 1e-12 * (np.abs(f_ref) + 1))
    np.testing.assert_array_less(np.abs(grad - g_ref), 1e-8 * (np.abs(g_ref) + 1))


# ----------------------------------------------------------------------------- minima


@pytest.mark.parametrize("key", [k for k in BASE_KEYS if TABLE[k][1]])
def test_table_minima_values_and_vanishing_gradients(key):
    """The table's points (6 decimals) give f* within 1e-6, and a gradient that is zero up to the
    rounding of the coordinates: with coordinates off by at most 5e-7 each and curvatures at
    these minima below 140 (Himmelblau's largest), |grad| <= 140 * 5e-7 * sqrt(2) < 1e-4."""
    _, minima, f_star = TABLE[key]
    landscape = LANDSCAPES[key]
    for point in minima:
        p = np.array(point, dtype=np.float64)
        assert float(landscape.f(p)) == pytest.approx(f_star, abs=1e-6)
        assert np.linalg.norm(landscape.grad(p)) < 1e-4
    # The record's own minimisers are exact to float64: value min_value, gradient ~0.
    for point in landscape.minima:
        p = np.array(point)
        assert float(landscape.f(p)) == pytest.approx(landscape.min_value, abs=1e-12)
        assert np.linalg.norm(landscape.grad(p)) < 1e-10


def test_himmelblau_four_minima_and_local_maximum():
    him = LANDSCAPES["himmelblau"]
    minima = np.array(him.minima)
    assert minima.shape == (4, 2)
    # four distinct points, one per quadrant
    quadrants = sorted(zip(np.sign(minima[:, 0]), np.sign(minima[:, 1])))
    assert quadrants == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    np.testing.assert_allclose(him.f(minima), 0.0, atol=1e-12)
    local_max = np.array([-0.270845, -0.923039])
    assert float(him.f(local_max)) == pytest.approx(181.617, abs=5e-4)  # table: 3 decimals
    assert np.linalg.norm(him.grad(local_max)) < 1e-4
    hess = torch.autograd.functional.hessian(
        lambda v: _t_himmelblau(v[0], v[1]), torch.tensor(local_max, dtype=torch.float64))
    assert np.all(np.linalg.eigvalsh(hess.numpy()) < 0)  # a maximum, not a saddle


def test_six_hump_camel_two_symmetric_minima():
    camel = LANDSCAPES["six_hump_camel"]
    (a, b) = np.array(camel.minima)
    np.testing.assert_array_equal(a, -b)
    np.testing.assert_allclose(camel.f(np.array(camel.minima)), -1.031628, atol=1e-6)


def test_published_pitfalls_are_avoided():
    # The three-hump camel's minimum is 0 (-1.0316 is the six-hump camel's).
    assert float(LANDSCAPES["three_hump_camel"].f(np.zeros(2))) == 0.0
    # Beale is 2.25 - x + x y^2, not 2.25 - x - x y^2: only the former vanishes at (3, 0.5).
    assert float(LANDSCAPES["beale"].f(np.array([3.0, 0.5]))) == 0.0
    # Goldstein-Price's y range is the same as its x range and contains the minimum (0, -1).
    assert LANDSCAPES["goldstein_price"].domain == ((-2.0, 2.0), (-2.0, 2.0))


# ----------------------------------------------------------------------------- grids and safety


@pytest.mark.parametrize("case", list(CASES))
def test_contour_grid_shape_and_finiteness_without_warnings(case):
    landscape = landscape_of(case)
    grid = dense_grid(landscape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            values = landscape.f(grid)
            grads = landscape.grad(grid)
    assert values.shape == grid.shape[:2]
    assert grads.shape == grid.shape
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(grads))
    # the grid is a batch like any other: same numbers row by row
    np.testing.assert_array_equal(landscape.f(grid[7]), values[7])
    np.testing.assert_array_equal(landscape.grad(grid[:, 11]), grads[:, 11])


def test_ackley_at_the_origin_and_next_to_it():
    ackley = LANDSCAPES["ackley"]
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        assert float(ackley.f(np.zeros(2))) == pytest.approx(0.0, abs=1e-15)
        np.testing.assert_array_equal(ackley.grad(np.zeros(2)), [0.0, 0.0])
        np.testing.assert_array_equal(ackley.grad(np.zeros((3, 4, 2))), np.zeros((3, 4, 2)))
        # Along an axis, the cone's slope is 20 * 0.2 / sqrt(2) = 2 sqrt(2), even for subnormal x.
        for x in (1e-300, 5e-324):
            g = ackley.grad(np.array([x, 0.0]))
            assert g[0] == pytest.approx(2 * math.sqrt(2), rel=1e-12) and g[1] == 0.0


def test_driver_problem_protocol():
    landscape = LANDSCAPES["rosenbrock"]
    x = random_points(landscape, 5)
    np.testing.assert_array_equal(landscape.loss(x, 17), landscape.f(x))
    np.testing.assert_array_equal(landscape.gradient(x, 17), landscape.grad(x))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
        landscape.f(np.zeros((4, 3)))


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


# ----------------------------------------------------------------------------- curvature


def _analytic_rosenbrock_hessian(x, y, s=1.0):
    # f(x, s y): f_xx = 2 - 400 (s y - x^2) + 800 x^2, f_xy = -400 x s, f_yy = 200 s^2
    return np.array([[2 - 400 * (s * y - x * x) + 800 * x * x, -400 * x * s],
                     [-400 * x * s, 200 * s * s]])


def test_max_curvature_known_values():
    assert max_curvature(LANDSCAPES["sphere"], (0.3, -1.2)) == pytest.approx(2.0, rel=1e-8)
    assert max_curvature(LANDSCAPES["ill_conditioned"], (0.0, 0.0)) == pytest.approx(4.0, rel=1e-8)
    # Rosenbrock at (1, 1): [[802, -400], [-400, 200]], largest eigenvalue 501 + sqrt(301^2 + 400^2)
    assert max_curvature(LANDSCAPES["rosenbrock"], (1.0, 1.0)) == pytest.approx(
        501 + math.sqrt(301**2 + 400**2), rel=1e-8)
    assert max_curvature(LANDSCAPES["rosenbrock"], (1.0, 1.0)) == pytest.approx(1001.6, abs=0.01)
    # rescaled by 10: [[802, -4000], [-4000, 20000]]
    expected = np.linalg.eigvalsh(_analytic_rosenbrock_hessian(1.0, 0.1, s=10.0))[-1]
    got = max_curvature(LANDSCAPES["rescaled_rosenbrock"], (1.0, 0.1))
    assert got == pytest.approx(expected, rel=1e-7)
    assert max_curvature(LANDSCAPES["saddle"], (0.0, 0.0)) == pytest.approx(2.0, rel=1e-8)


@pytest.mark.parametrize("key", ["rosenbrock", "beale", "himmelblau", "goldstein_price", "levi13",
                                 "ackley", "six_hump_camel", "rescaled_rosenbrock"])
def test_max_curvature_matches_torch_hessians(key):
    landscape = LANDSCAPES[key]
    base, s = CASES[key]
    fn = TORCH_F[base]
    points = random_points(landscape, 20, seed=3)
    got = max_curvature(landscape, points)
    assert got.shape == (20,)
    for p, value in zip(points, got):
        hess = torch.autograd.functional.hessian(
            lambda v: fn(v[0], s * v[1]), torch.tensor(p, dtype=torch.float64)).numpy()
        expected = np.linalg.eigvalsh(hess)[-1]
        scale = np.abs(hess).max()
        assert abs(value - expected) <= 1e-6 * scale + 1e-6


def test_max_curvature_is_finite_on_ackleys_cone():
    value = max_curvature(LANDSCAPES["ackley"], (0.0, 0.0))
    assert math.isfinite(value) and value > 1e4  # the cone's curvature is unbounded


def test_landscapes_survive_pickling():
    """Records are plain data plus module-level formulas, so a cache can store them."""
    import pickle

    for landscape in (*LANDSCAPES.values(), rescaled(LANDSCAPES["ackley"], 0.5)):
        copy = pickle.loads(pickle.dumps(landscape))
        assert copy == landscape
        points = random_points(landscape, 7)
        np.testing.assert_array_equal(copy.grad(points), landscape.grad(points))


def test_only_ackley_has_a_minimum_without_curvature():
    from landscapes import LANDSCAPES, rescaled

    assert [k for k, ls in LANDSCAPES.items() if not ls.smooth_minima] == ["ackley"]
    assert not rescaled(LANDSCAPES["ackley"], 2.0).smooth_minima
