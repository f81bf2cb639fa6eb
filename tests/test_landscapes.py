"""The 2-D landscapes: formulas, exact gradients, minima, domains and curvature (rescaling: test_rescaling.py).

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


def test_nearest_minimum_picks_each_of_himmelblaus_four_and_works_on_batches():
    h = LANDSCAPES["himmelblau"]
    minima = np.array(h.minima)
    near = minima + 0.3  # a point beside each minimum, closer to it than to any other
    np.testing.assert_array_equal(h.nearest_minimum(near), minima)
    np.testing.assert_array_equal(h.nearest_minimum(near[2]), minima[2])
    assert h.nearest_minimum(near[None, :, :]).shape == (1, 4, 2)
    assert LANDSCAPES["saddle"].nearest_minimum((0.0, 0.0)) is None  # unbounded below: none listed
