"""The final_lr finder (learning-rate range test): hand-derived rates and smoothing, the suggestion
against the known stability limit on quadratics, ordered marks on 2-D landscapes, stopped runs,
the network's stacked seeds against single-seed runs, and the figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from landscapes import LANDSCAPES
from optim_core import max_stable_lr
from optim_core.finder import (
    MARGIN,
    analyse,
    divergence_index,
    fastest_descent,
    geometric_rates,
    range_test,
    slopes,
    smooth,
)


class Quadratic:
    """f(x) = sum_i c_i x_i^2 / 2 with curvatures ``c`` (``(D,)``, or ``(B, D)``: one set per run)."""

    def __init__(self, curvatures):
        self.c = np.asarray(curvatures, dtype=np.float64)

    def loss(self, x, t):
        return 0.5 * (self.c * x * x).sum(axis=1)

    def gradient(self, x, t):
        return self.c * x


class Linear:
    """f(x) = a x in one dimension: the gradient is the constant a."""

    def __init__(self, a):
        self.a = a

    def loss(self, x, t):
        return self.a * x[:, 0]

    def gradient(self, x, t):
        return np.full_like(x, self.a)


STARTS = np.array([[1.0, 1.0], [-0.5, 2.0], [0.2, -1.0]])


# ----------------------------------------------------------------------------- the pieces


def test_rates_grow_geometrically_from_lr_min_to_lr_max():
    rates = geometric_rates(1e-5, 10.0, 300)
    ratio = 1e6 ** (1 / 299)
    assert rates[0] == 1e-5 and rates[-1] == 10.0
    np.testing.assert_allclose(rates[1:4], [1e-5 * ratio, 1e-5 * ratio**2, 1e-5 * ratio**3], rtol=1e-14)
    np.testing.assert_allclose(rates[1:] / rates[:-1], ratio, rtol=1e-12)


def test_the_first_steps_apply_the_geometric_rates():
    # On f = a x the gradient is a at every step, and SGD's velocity with momentum = dampening is
    # b_1 = a, b_t = beta a + (1 - beta) a = a: each step moves x by -eta_t a, so the loss falls by
    # a^2 eta_t. With lr 1e-2 .. 1e2 over 5 steps the rates are 1e-2, 1e-1, 1, 10, 100.
    a, x0 = 2.0, 3.0
    result = range_test(Linear(a), [x0], steps=5, lr_min=1e-2, lr_max=1e2)
    np.testing.assert_allclose(result.rates, [1e-2, 1e-1, 1.0, 10.0, 100.0], rtol=1e-14)
    expected = a * (x0 - a * np.concatenate([[0.0], np.cumsum(result.rates[:-1])]))
    np.testing.assert_allclose(result.loss[:, 0], expected, rtol=1e-13)


def test_the_loss_is_the_one_each_step_starts_from_with_momentum_and_dampening():
    # Hand-derived heavy ball with dampening on f = c x^2 / 2 from x0 = 1: b_1 = g_1,
    # b_t = beta b_{t-1} + (1 - tau) g_t, x_t = x_{t-1} - eta_t b_t.
    c, beta, tau = 3.0, 0.9, 0.5
    result = range_test(Quadratic([c]), [1.0], steps=4, lr_min=0.01, lr_max=0.08, momentum=beta,
                        dampening=tau)
    x, b, expected = 1.0, 0.0, []
    for t, eta in enumerate(result.rates, start=1):
        expected.append(0.5 * c * x * x)
        g = c * x
        b = g if t == 1 else beta * b + (1 - tau) * g
        x -= eta * b
    np.testing.assert_allclose(result.loss[:, 0], expected, rtol=1e-14)


def test_smoothing_is_the_bias_corrected_moving_average():
    # beta = 0.5: a_1 = 0.5, a_2 = 0.25 + 1 = 1.25, a_3 = 0.625 + 1.5 = 2.125; divided by
    # 1 - 0.5^t: 1, 1.25 / 0.75, 2.125 / 0.875.
    np.testing.assert_allclose(smooth([1.0, 2.0, 3.0], 0.5), [1.0, 5 / 3, 17 / 7], rtol=1e-15)
    out = smooth(np.array([[1.0, 1.0], [np.nan, 2.0], [3.0, 3.0]]), 0.5)
    assert np.isnan(out[1:, 0]).all() and out[0, 0] == 1.0  # a stopped run stays stopped
    np.testing.assert_allclose(out[:, 1], [1.0, 5 / 3, 17 / 7], rtol=1e-15)
    np.testing.assert_array_equal(smooth([4.0, 1.0, 7.0], 0.0), [4.0, 1.0, 7.0])


def test_slopes_fastest_descent_and_divergence_on_known_curves():
    x = np.linspace(-3, 1, 81)
    np.testing.assert_allclose(slopes(x, 2.0 * x + 1.0, 3)[3:-3], 2.0, rtol=1e-12)
    assert np.isnan(slopes(x, x, 3)[:3]).all()
    curve = -np.tanh(3 * (x + 1))  # steepest at x = -1
    assert x[fastest_descent(x, curve)] == pytest.approx(-1.0)
    assert fastest_descent(x, x) is None  # never falls
    assert divergence_index([5.0, 3.0, 1.0, 2.0, 3.9, 4.1]) == 5  # 4x its minimum so far (1)
    assert divergence_index([5.0, 3.0, 1.0, 2.0, 3.9]) is None
    assert divergence_index([-1.0, -2.0, -1.0, 4.1]) == 3  # by 3 |min| over a negative minimum


def test_invalid_ranges_raise_naming_the_parameter():
    with pytest.raises(ValueError, match="lr_max"):
        geometric_rates(1.0, 0.5, 10)
    with pytest.raises(ValueError, match="lr_min"):
        geometric_rates(0.0, 1.0, 10)
    with pytest.raises(ValueError, match="steps"):
        geometric_rates(1e-5, 1.0, 1)
    with pytest.raises(ValueError, match="smoothing"):
        smooth([1.0], 1.0)


# ----------------------------------------------------------------------------- the suggestion


@pytest.mark.parametrize("dampening", [0.9, 0.0])
@pytest.mark.parametrize("curvature", [10.0, 100.0, 1e3, 1e4, 1e5])
def test_suggestion_lies_within_a_factor_3_of_the_stable_limit_on_quadratics(curvature, dampening):
    # the acceptance test: the largest curvature is L, the other ten times smaller
    result = range_test(Quadratic([curvature, curvature / 10]), STARTS, dampening=dampening)
    limit = max_stable_lr(curvature, 0.9, dampening)
    marks = result.marks
    assert marks.rule == "divergence"
    assert limit / 3 <= marks.suggested <= 3 * limit
    assert marks.suggested == pytest.approx(marks.divergence / MARGIN)
    assert marks.divergence > limit  # the curve turns only once the method has become unstable
    assert marks.fastest < marks.divergence


def test_a_loss_that_never_diverges_suggests_a_lower_estimate():
    # limit 2 * 1.9 / (0.1 * 0.01) = 3,800, far beyond lr_max = 10
    result = range_test(Quadratic([0.01, 0.001]), STARTS)
    assert result.marks.divergence is None and result.marks.rule == "no_divergence"
    assert result.marks.suggested == pytest.approx(10.0 / MARGIN)
    assert "raise lr_max" in result.marks.reason
    assert result.end == result.rates.size and not result.stopped.any()


def test_a_loss_that_rises_from_the_start_says_the_range_begins_too_high():
    rates = geometric_rates(1e-3, 1.0, 60)
    loss = np.exp(np.linspace(0, 20, 60))[:, None] * np.ones((1, 2))
    marks = analyse(rates, loss).marks
    assert marks.rule == "below_range" and marks.suggested < rates[0]
    assert marks.fastest is None


@pytest.mark.parametrize("key", ["rosenbrock", "himmelblau"])
def test_marks_are_finite_and_ordered_on_landscapes(key):
    landscape = LANDSCAPES[key]
    start = np.asarray(landscape.start)
    result = range_test(landscape, np.stack([start, start + [0.3, -0.2], start + [-0.1, 0.25]]))
    marks = result.marks
    assert marks.rule == "divergence"
    assert all(math.isfinite(m) and m > 0 for m in (marks.fastest, marks.divergence, marks.suggested))
    assert marks.fastest < marks.divergence and marks.suggested < marks.divergence
    # the known limit at the minimum the runs head for, for scale (not a claim of the test)
    curvature, _ = landscape.curvature_at_minimum()
    assert 0.1 < marks.suggested / max_stable_lr(curvature, 0.9, 0.9) < 10


# ----------------------------------------------------------------------------- stopped runs


def test_a_diverging_run_stops_and_leaves_the_others_alone():
    curvatures = np.array([[1e4, 1e3], [10.0, 1.0]])  # run 0 blows up at a far lower rate
    together = range_test(Quadratic(curvatures), STARTS[:2])
    alone = range_test(Quadratic(curvatures[1:]), STARTS[1:2])
    stop = together.stopped_at[0]
    assert stop > 0 and (alone.stopped_at[0] < 0 or stop < alone.stopped_at[0])
    assert np.isfinite(together.loss[:stop - 1, 0]).all() and np.isnan(together.loss[stop - 1:, 0]).all()
    np.testing.assert_array_equal(together.loss[:, 1], alone.loss[:, 0])
    assert together.end == stop - 1
    assert np.isfinite(together.median[:together.end]).all() and np.isnan(together.median[together.end:]).all()
    rates, median, low, high = together.curve()
    assert rates.size == together.end and np.isfinite(np.concatenate([median, low, high])).all()
    assert (low <= median).all() and (median <= high).all()


def test_a_run_that_stops_before_the_curve_turns_marks_the_divergence():
    rates = geometric_rates(1e-3, 1.0, 50)
    loss = np.ones((50, 3))
    loss[30:, 1] = np.inf
    result = analyse(rates, loss)
    assert result.stopped_at.tolist() == [-1, 31, -1]
    assert result.end == 30 and result.marks.divergence == rates[30]
    assert np.isnan(result.loss[30:, 1]).all()


# ----------------------------------------------------------------------------- the network


SMALL = dict(hidden=16, steps=150, lr_max=100.0)  # at lr_max = 10 this small MLP does not diverge


@pytest.fixture(scope="module")
def net_runs():
    from nets.finder import FinderSpec, find_lr

    both = find_lr(FinderSpec(seeds=(0, 1), **SMALL))
    singles = [find_lr(FinderSpec(seeds=(s,), **SMALL)) for s in (0, 1)]
    return both, singles


def test_network_spec_is_a_hashable_validated_value():
    from nets.finder import FinderSpec

    assert hash(FinderSpec(seeds=[0, 1])) == hash(FinderSpec(seeds=(0, 1)))
    assert FinderSpec().dampening == FinderSpec().momentum == 0.9
    with pytest.raises(ValueError, match="lr_max"):
        FinderSpec(lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="seeds"):
        FinderSpec(seeds=(1, 1))


def test_network_rates_are_the_geometric_schedule(net_runs):
    both, _ = net_runs
    np.testing.assert_allclose(both.rates, geometric_rates(1e-5, 100.0, 150), rtol=1e-15)


def test_network_stacked_seeds_equal_single_seed_runs(net_runs):
    both, singles = net_runs
    for i, single in enumerate(singles):
        np.testing.assert_allclose(both.loss[:, i], single.loss[:, 0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(both.stopped_at[i], single.stopped_at[0])


def test_network_suggestion_is_below_the_divergence_and_the_loss_fell_there(net_runs):
    both, _ = net_runs
    marks = both.marks
    assert marks.rule == "divergence"
    assert math.isfinite(marks.suggested) and marks.suggested < marks.divergence
    assert marks.fastest < marks.divergence
    at = np.searchsorted(both.rates, marks.suggested)
    start = both.median[0]
    assert both.median[at] < 0.75 * start  # ln 10 = 2.30 at the start: the network learned
    assert (both.smoothed[at - 5:at + 5] < 0.75 * start).all()  # every seed, around it


def test_network_a_seed_whose_loss_stops_being_finite_is_stopped_alone(monkeypatch):
    import torch

    import nets.finder as finder
    from nets.finder import FinderSpec, find_lr

    spec = dict(hidden=16, steps=40, lr_max=1.0)
    calls = {"n": 0}
    real = finder.mean_cross_entropy

    def poisoned(logits, y):  # seed 1's loss is NaN from step 21 on
        calls["n"] += 1
        loss = real(logits, y)
        if calls["n"] > 20 and loss.shape[0] == 2:
            loss = loss * torch.tensor([1.0, math.nan], dtype=loss.dtype)
        return loss

    monkeypatch.setattr(finder, "mean_cross_entropy", poisoned)
    both = find_lr(FinderSpec(seeds=(0, 1), **spec))
    monkeypatch.setattr(finder, "mean_cross_entropy", real)
    alone = find_lr(FinderSpec(seeds=(0,), **spec))
    assert both.stopped_at.tolist() == [-1, 21]
    assert np.isnan(both.loss[20:, 1]).all() and np.isfinite(both.loss[:20, 1]).all()
    np.testing.assert_allclose(both.loss[:, 0], alone.loss[:, 0], rtol=1e-12, atol=1e-12)
    assert both.marks.divergence == both.rates[20]


# ----------------------------------------------------------------------------- the figure


def test_finder_figure_draws_the_curve_band_and_marks():
    from viz.finder import finder_figure

    result = range_test(Quadratic([100.0, 10.0]), STARTS)
    rates, median, low, high = result.rates, result.median, result.low, result.high
    m = result.marks
    fig = finder_figure(rates, median, low, high, {"fastest descent": m.fastest, "divergence": m.divergence,
                                                   "missing": None},
                        m.suggested, "#2ca02c", limit=max_stable_lr(100.0, 0.9, 0.9))
    names = [t.name for t in fig.data]
    assert any(n and n.startswith("suggested") for n in names)
    assert any(n and n.startswith("stability limit") for n in names)
    assert sum(bool(n) and n.startswith(("fastest descent", "divergence")) for n in names) == 2
    assert not any(n and n.startswith("missing") for n in names)
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.type == "log"  # a quadratic's loss spans many decades
    assert fig.layout.font.size >= 14 and fig.layout.legend.y >= 1
    for trace in fig.data:
        assert np.isfinite(np.asarray(trace.x, dtype=float)).all()
        assert np.isfinite(np.asarray(trace.y, dtype=float)).all()
    line = next(t for t in fig.data if t.name and t.name.startswith("suggested"))
    assert list(line.x) == [m.suggested, m.suggested]


def test_finder_figure_keeps_a_linear_axis_for_a_loss_within_two_decades():
    from viz.finder import finder_figure

    rates = geometric_rates(1e-4, 1.0, 20)
    curve = np.linspace(2.3, 0.4, 20)
    fig = finder_figure(rates, curve, curve - 0.1, curve + 0.1, {}, None, "#2ca02c")
    assert fig.layout.yaxis.type == "linear"
