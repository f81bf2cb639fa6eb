"""The adversarial online problems: definitions, exact regret, the papers' conditions, and the
reproduction of both papers' claims with optim_core's optimizers (t counted from 1, projection
onto the feasible set after every step)."""

import math

import numpy as np
import pytest

import optim_core as oc
from landscapes import (
    ONLINE_PROBLEMS,
    OnlineProblem,
    adabound_condition,
    adabound_example,
    adabound_max_beta2,
    reddi_beta2,
    reddi_example,
    regret,
)

ADABOUND = adabound_example(3)
REDDI = reddi_example(3)
X_GRID = np.linspace(-1.0, 1.0, 20001)  # brute-force minimisation over the feasible set


def column(*values):
    return np.array(values, dtype=np.float64).reshape(-1, 1)


# ----------------------------------------------------------------------------- definitions


def test_registry_of_factories():
    assert list(ONLINE_PROBLEMS) == ["adabound", "reddi"]
    for key, factory in ONLINE_PROBLEMS.items():
        problem = factory(3)
        assert isinstance(problem, OnlineProblem) and problem.key == key and problem.C == 3
        assert problem.beta1 == 0.0
        assert problem.feasible == (-1.0, 1.0)
        lo, hi = problem.optimal_region
        assert problem.feasible[0] <= lo <= problem.optimum <= hi <= problem.feasible[1]
        assert problem.latex and problem.description and "\n" not in problem.description


def test_adabound_example_gradient_pattern_of_two_periods():
    # inside [0, 1], kinks included: -1 at t mod 3 = 1, +2 at t mod 3 = 2, 0 otherwise
    inside = column(0.0, 0.25, 0.5, 1.0)
    outside = column(-1.0, -0.5, -1e-12, 1.0 + 1e-12, 1.5)
    for t, expected in zip(range(1, 7), [-1, 2, 0, -1, 2, 0]):
        g = ADABOUND.gradient(inside, t)
        assert g.shape == (4, 1)
        np.testing.assert_array_equal(g, expected)
        np.testing.assert_array_equal(ADABOUND.gradient(outside, t), 0.0)
    # C = 5: -1, 2, 0, 0, 0, then again
    five = adabound_example(5)
    got = [float(five.gradient(column(0.5), t)[0, 0]) for t in range(1, 11)]
    assert got == [-1, 2, 0, 0, 0, -1, 2, 0, 0, 0]


def test_adabound_example_losses_are_continuous_and_flat_outside():
    x = column(-1.0, -0.3, 0.0, 0.4, 1.0)
    np.testing.assert_allclose(ADABOUND.loss(x, 1), [0, 0, 0, -0.4, -1.0])
    np.testing.assert_allclose(ADABOUND.loss(x, 2), [0, 0, 0, 0.8, 2.0])
    np.testing.assert_allclose(ADABOUND.loss(x, 3), [0, 0, 0, 0, 0])
    assert ADABOUND.loss(x, 1).shape == (5,)
    # beyond 1 the function stays at its value at 1 (flat)
    np.testing.assert_allclose(ADABOUND.loss(column(1.5), 2), [2.0])


def test_reddi_example_losses_and_gradients():
    x = column(-1.0, 0.0, 0.5, 1.0)
    for t, slope in zip(range(1, 7), [3, -1, -1, 3, -1, -1]):
        np.testing.assert_allclose(REDDI.loss(x, t), slope * x[:, 0])
        np.testing.assert_array_equal(REDDI.gradient(x, t), np.full((4, 1), slope))
    # the period is 3 whatever C is
    seven = reddi_example(7)
    assert [float(seven.gradient(column(0.0), t)[0, 0]) for t in range(1, 5)] == [7, -1, -1, 7]


def test_projection_and_step_index():
    for problem in (ADABOUND, REDDI):
        np.testing.assert_array_equal(problem.project(column(-3.0, -1.0, 0.2, 1.0, 7.0)),
                                      column(-1.0, -1.0, 0.2, 1.0, 1.0))
        with pytest.raises(ValueError, match="counted from 1"):
            problem.loss(column(0.0), 0)


@pytest.mark.parametrize("bad", [2, 1, 0, -3, 2.5, 3.0, True, "3"])
def test_period_constant_is_validated(bad):
    for factory in (adabound_example, reddi_example):
        with pytest.raises(ValueError, match="Invalid C"):
            factory(bad)


# ----------------------------------------------------------------------------- sums and regret


@pytest.mark.parametrize("problem", [ADABOUND, adabound_example(4), REDDI, reddi_example(5)],
                         ids=["adabound3", "adabound4", "reddi3", "reddi5"])
def test_f_sum_and_min_sum_against_brute_force(problem):
    grid = X_GRID.reshape(-1, 1)
    running = np.zeros(X_GRID.size)
    assert problem.min_sum(0) == 0.0
    for T in range(1, 25):
        running += problem.loss(grid, T)
        np.testing.assert_allclose(problem.f_sum(X_GRID, T), running, atol=1e-12)
        # the grid contains both ends of [-1, 1], where a piecewise linear sum is minimal
        assert problem.min_sum(T) == pytest.approx(running.min(), abs=1e-12)
    np.testing.assert_allclose(problem.min_sum(np.arange(1, 25)),
                               [problem.min_sum(T) for T in range(1, 25)])


def test_min_sums_in_closed_form():
    # AdaBound example, C = 3: A(T) = -1, 1, 1, 0, 2, 2, 1, ... and min over x of A clip(x, 0, 1)
    assert [ADABOUND.min_sum(T) for T in range(1, 8)] == [-1, 0, 0, 0, 0, 0, 0]
    assert ADABOUND.f_sum(0.5, 3000) == pytest.approx(500.0)
    # Reddi, C = 3: A(T) = 3, 2, 1, 4, 3, 2, ... all positive, so the minimum is -A(T) at x = -1
    assert [REDDI.min_sum(T) for T in range(1, 7)] == [-3, -2, -1, -4, -3, -2]
    assert REDDI.min_sum(6000) == -2000.0


def test_optimal_regions_minimise_every_whole_number_of_periods():
    for problem in (ADABOUND, REDDI):
        lo, hi = problem.optimal_region
        for periods in (1, 2, 17):
            T = periods * problem.period
            inside = np.linspace(lo, hi, 11)
            np.testing.assert_allclose(problem.f_sum(inside, T), problem.min_sum(T), atol=1e-12)
            assert problem.f_sum(hi + 0.01, T) > problem.min_sum(T) + 1e-3


@pytest.mark.parametrize("problem", [ADABOUND, REDDI], ids=["adabound", "reddi"])
def test_regret_against_brute_force(problem):
    rng = np.random.default_rng(7)
    T, B = 40, 3
    xs = rng.uniform(-1.2, 1.2, (T, B))
    got = regret(problem, xs)
    assert got.shape == (T, B)
    grid = X_GRID.reshape(-1, 1)
    played = np.zeros(B)
    comparator = np.zeros(X_GRID.size)
    for t in range(1, T + 1):
        played += problem.loss(xs[t - 1].reshape(-1, 1), t)
        comparator += problem.loss(grid, t)
        np.testing.assert_allclose(got[t - 1], played - comparator.min(), atol=1e-12)


def test_regret_of_the_optimum_is_zero_and_of_the_worst_point_linear():
    T = 300
    np.testing.assert_array_equal(regret(REDDI, np.full((T, 1), -1.0)), 0.0)
    # x = +1 forever: each period costs C - 2 = 1 while the optimum earns -1: regret 2 per period
    r = regret(REDDI, np.full((T, 1), 1.0))
    assert r[-1, 0] == pytest.approx(2 * T / 3)
    # AdaBound example at x = 0.5 forever: each period costs 0.5 and x <= 0 costs 0
    assert regret(ADABOUND, np.full(T, 0.5))[-1] == pytest.approx(0.5 * T / 3)


def test_regret_of_a_driver_trace_matches_its_losses():
    trace = oc.run(oc.adam(0.05, betas=(0.0, 0.1)), REDDI, column(0.0, 0.3), 99)
    r = regret(REDDI, trace.positions[:-1, :, 0])
    # the driver's loss[k] is f_{k+1}(x_{k+1}): the regret's first term is the sum of loss[:T]
    np.testing.assert_allclose(r[-1], trace.loss[:99].sum(axis=0) - REDDI.min_sum(99), atol=1e-12)


# ----------------------------------------------------------------------------- conditions


def test_adabound_condition_and_its_largest_beta2():
    # C = 3: 5 b <= (1 - b) / (4 - b)  <=>  5 b^2 - 21 b + 1 >= 0  <=>  b <= (21 - sqrt(421)) / 10
    root = (21 - math.sqrt(421)) / 10
    assert root == pytest.approx(0.0482, abs=5e-5)
    assert adabound_max_beta2(3) == pytest.approx(root, rel=1e-12)
    assert adabound_condition(3, 0.04) and adabound_condition(3, 0.048)
    assert not adabound_condition(3, 0.0483) and not adabound_condition(3, 0.5)
    # a longer period leaves more room: C = 4 needs 5 b^2 (4 - b) <= 1 - b
    b4 = adabound_max_beta2(4)
    assert 5 * b4**2 * (4 - b4) == pytest.approx(1 - b4, abs=1e-12)
    assert 0.2 < b4 < 0.21
    assert ADABOUND.default_beta2 == 0.04 and adabound_condition(3, ADABOUND.default_beta2)


def test_reddi_beta2():
    assert reddi_beta2(3) == pytest.approx(0.1)
    assert reddi_beta2(5) == pytest.approx(1 / 26)
    assert REDDI.default_beta2 == pytest.approx(0.1)


# ----------------------------------------------------------------------------- the papers' claims


def _path(optimizer, problem, x0, steps):
    trace = oc.run(optimizer, problem, column(x0), steps)
    assert trace.diverged_at[0] == -1
    return trace.positions[:, 0, 0]


class TestAdaBoundSection3:
    """C = 3, beta1 = 0, beta2 = 0.04 (inside the paper's condition), x0 = 0.5, lr 0.01,
    3,000 steps: Adam never reaches x < 0; SGD, AMSGrad and AdaBound do (and stay there, since
    every f_t is flat on x < 0)."""

    steps = 3000
    betas = (0.0, 0.04)

    def test_adam_never_reaches_the_optimal_region(self):
        path = _path(oc.adam(0.01, betas=self.betas), ADABOUND, 0.5, self.steps)
        assert np.all(path >= 0.0)
        assert path[-1] > 0.5  # it drifts the wrong way
        r = regret(ADABOUND, path[:-1])
        assert r[-1] / self.steps > 0.15  # average regret stays near 0.5 / 3

    @pytest.mark.parametrize("name", ["sgd", "amsgrad", "adabound"])
    def test_sgd_amsgrad_and_adabound_reach_x_below_zero(self, name):
        optimizer = {
            "sgd": oc.sgd(0.01),
            "amsgrad": oc.amsgrad(0.01, betas=self.betas),
            "adabound": oc.adabound(0.01, betas=self.betas, final_lr=0.01, gamma=0.01),
        }[name]
        path = _path(optimizer, ADABOUND, 0.5, self.steps)
        assert np.any(path < 0.0)
        assert path[-1] < 0.0 and path[-1] >= -1.0
        r = regret(ADABOUND, path[:-1])
        assert r[-1] / self.steps < 0.02


class TestReddi:
    """C = 3, beta1 = 0, beta2 = 0.1 = 1 / (1 + C^2), x0 = 0, lr 0.01, 6,000 steps: Adam ends at
    +1; AMSGrad and SGD end near the optimum -1; AdaBound (final_lr 0.01, gamma 1e-3) first
    follows Adam towards +1, then, once its lower bound has risen, goes to -1."""

    steps = 6000
    betas = (0.0, 0.1)

    def test_adam_ends_at_plus_one(self):
        path = _path(oc.adam(0.01, betas=self.betas), REDDI, 0.0, self.steps)
        assert path[-1] == pytest.approx(1.0, abs=1e-12)
        assert np.all(path[-300:] > 0.98)
        assert regret(REDDI, path[:-1])[-1] / self.steps > 0.6  # towards 2/3

    @pytest.mark.parametrize("name", ["sgd", "amsgrad"])
    def test_sgd_and_amsgrad_end_near_minus_one(self, name):
        optimizer = {"sgd": oc.sgd(0.01), "amsgrad": oc.amsgrad(0.01, betas=self.betas)}[name]
        path = _path(optimizer, REDDI, 0.0, self.steps)
        assert np.all(path[-300:] < -0.97)
        assert regret(REDDI, path[:-1])[-1] / self.steps < 0.05

    def test_adabound_follows_adam_then_goes_to_minus_one(self):
        optimizer = oc.adabound(0.01, betas=self.betas, final_lr=0.01, gamma=1e-3)
        path = _path(optimizer, REDDI, 0.0, self.steps)
        first_high = int(np.argmax(path > 0.5))
        assert path[first_high] > 0.5 and first_high < 1000  # Adam-like phase
        assert np.all(path[-300:] < -0.97)  # SGD-like phase
        last_high = int(np.flatnonzero(path > 0.5)[-1])
        assert last_high < int(np.argmax(path < -0.97))  # up first, then down
