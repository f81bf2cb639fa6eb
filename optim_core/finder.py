r"""The learning-rate range test ("LR finder"), and the marks read off its loss curve.

AdaBound ends as SGD with momentum :math:`\beta_1` and dampening :math:`\beta_1` at ``final_lr``,
an absolute rate whose good value depends on the scale of the gradients. The range test finds the
scale: run exactly that method while its rate grows geometrically, step by step, from ``lr_min``
to ``lr_max``, and watch the loss. It falls once the rate is large enough to make progress, and
blows up once the rate passes the largest stable one.

.. math::
    \eta_t = \eta_{\min} \left(\eta_{\max} / \eta_{\min}\right)^{(t - 1)/(T - 1)},\qquad
    t = 1, \dots, T

The record holds, per step t, the rate :math:`\eta_t` and each run's loss at the iterate step t
starts from (the loss whose gradient the step takes, as fast.ai's finder records a batch's loss
before its update), so a loss is drawn against the rate applied right after it. The loss is
smoothed per run by a bias-corrected exponential moving average, and the marks are read on the
median over runs of the smoothed curves, against :math:`\log_{10} \eta`:

* **fastest descent**: the rate at the steepest negative slope, each slope the least-squares fit
  over ``2 window + 1`` neighbouring points (searched before the divergence point);
* **divergence point**: the first rate at which the smoothed loss exceeds ``divergence_factor``
  (4) times its minimum so far (for a loss that can be negative: exceeds the minimum by
  ``divergence_factor - 1`` times the minimum's magnitude), or at which a run stopped, whichever
  comes first;
* **suggestion**: :func:`suggest`, a third of the divergence point.

The range test of a 2-D landscape or any other problem of the driver's protocol is
:func:`range_test`, stepping :func:`optim_core.optimizers.sgd` itself; the real network's is
``nets.finder``, which records its batch losses and hands them to :func:`analyse`.

References:
    Smith, "Cyclical learning rates for training neural networks", WACV 2017,
    https://arxiv.org/abs/1506.01186 (the range test); Luo, Xiong, Liu, Sun, ICLR 2019,
    https://arxiv.org/abs/1902.09843 (AdaBound).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Array, as_hyper
from .driver import DEFAULT_BOX, MAX_STEPS, Problem, gaussian_noise
from .optimizers import sgd

LR_MIN = 1e-5
LR_MAX = 10.0
STEPS = 300
MOMENTUM = 0.9  # AdaBound's default beta1; the dampening defaults to it (its final phase)
# The moving average's decay. fast.ai's finder uses 0.98 with 100 steps; here a few hundred steps
# span six decades (50 a decade at the defaults) and 0.98 would average over a whole decade, so
# every mark would lag by most of one. 0.9 averages over about ten steps, a fifth of a decade,
# and still steadies the network's batch losses.
SMOOTHING = 0.9
DIVERGENCE_FACTOR = 4.0
WINDOW = 5  # points either side of each slope's least-squares fit
# The suggestion is the divergence point divided by this. See suggest() for why not ten.
MARGIN = 3.0

RULES = ("divergence", "below_range", "no_divergence")


class Marks(NamedTuple):
    """What the median smoothed curve says. Rates are floats; None where there is no such mark."""

    fastest: float | None  # rate at the steepest descent of the smoothed loss vs log10 rate
    divergence: float | None  # first rate where it exceeded 4x its minimum so far, or a run stopped
    suggested: float  # see suggest()
    rule: str  # which case of suggest() produced it: one of RULES
    reason: str  # that case in words, with the figures


class FinderResult(NamedTuple):
    """A range test: T steps, B runs. A stopped run's entries are NaN from the step it stopped on;
    the summary curves are defined over the first ``end`` steps, where every run has a loss."""

    rates: Array  # (T,): the rate of each step
    loss: Array  # (T, B): loss at the iterate each step starts from; NaN once the run stopped
    smoothed: Array  # (T, B): bias-corrected moving average of loss; NaN once the run stopped
    stopped_at: Array  # (B,) int: the step (from 1) whose loss was missing, -1 if never
    median: Array  # (T,): median over runs of smoothed; NaN from index end on
    low: Array  # (T,): lowest run's smoothed loss; NaN from end on
    high: Array  # (T,): highest run's smoothed loss; NaN from end on
    end: int  # steps at the start at which every run still had a finite loss
    marks: Marks

    @property
    def stopped(self) -> Array:
        return self.stopped_at >= 0

    def curve(self) -> tuple[Array, Array, Array, Array]:
        """``(rates, median, low, high)`` over the steps where every run had a loss (all finite)."""
        n = self.end
        return self.rates[:n], self.median[:n], self.low[:n], self.high[:n]


# ----------------------------------------------------------------------------- the pieces


def geometric_rates(lr_min: float = LR_MIN, lr_max: float = LR_MAX, steps: int = STEPS) -> Array:
    """``(T,)``: ``lr_min * (lr_max / lr_min) ** ((t - 1) / (T - 1))`` for t = 1..T (first
    ``lr_min``, last ``lr_max``, a constant ratio between neighbours)."""
    lr_min, lr_max, steps = check_range(lr_min, lr_max, steps)
    exponent = np.arange(steps, dtype=np.float64) / (steps - 1)
    rates = lr_min * (lr_max / lr_min) ** exponent
    rates[-1] = lr_max  # exact at the end, whatever the rounding of the power
    return rates


def check_range(lr_min, lr_max, steps) -> tuple[float, float, int]:
    """Validated ``(lr_min, lr_max, steps)``: 0 < lr_min < lr_max finite, 2 <= steps <= MAX_STEPS."""
    lr_min = float(as_hyper("lr_min", lr_min, 0.0, np.inf, low_open=True, high_open=True))
    lr_max = float(as_hyper("lr_max", lr_max, 0.0, np.inf, low_open=True, high_open=True))
    if not lr_max > lr_min:
        raise ValueError(f"Invalid lr_max: {lr_max:g}; it must exceed lr_min = {lr_min:g}")
    if isinstance(steps, bool) or int(steps) != steps or not 2 <= int(steps) <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps!r}; an integer in [2, {MAX_STEPS}]")
    return lr_min, lr_max, int(steps)


def smooth(loss, beta: float = SMOOTHING) -> Array:
    r"""The bias-corrected exponential moving average of each column of ``loss`` ``(T, B)``:
    :math:`a_t = \beta a_{t-1} + (1 - \beta) \ell_t` from :math:`a_0 = 0`, and
    :math:`\hat a_t = a_t / (1 - \beta^t)`, so :math:`\hat a_1 = \ell_1`. A column is NaN from
    its first non-finite loss on (a stopped run stays stopped)."""
    beta = float(as_hyper("smoothing", beta, 0.0, 1.0, high_open=True))
    loss = np.asarray(loss, dtype=np.float64)
    flat = loss.ndim == 1
    values = loss[:, None] if flat else loss
    out = np.full(values.shape, np.nan)
    avg = np.zeros(values.shape[1])
    alive = np.ones(values.shape[1], dtype=bool)
    for t, row in enumerate(values, start=1):
        alive &= np.isfinite(row)
        avg = np.where(alive, beta * avg + (1.0 - beta) * np.where(alive, row, 0.0), np.nan)
        out[t - 1] = avg / (1.0 - beta**t)
    return out[:, 0] if flat else out


def slopes(log_rates, curve, window: int = WINDOW) -> Array:
    """``(n,)``: the least-squares slope of ``curve`` against ``log_rates`` over the ``2 window + 1``
    points centred on each index; NaN where the window does not fit inside the curve."""
    x = np.asarray(log_rates, dtype=np.float64)
    y = np.asarray(curve, dtype=np.float64)
    out = np.full(y.shape, np.nan)
    width = 2 * int(window) + 1
    if window < 1 or y.size < width:
        return out
    xs = np.lib.stride_tricks.sliding_window_view(x, width)
    ys = np.lib.stride_tricks.sliding_window_view(y, width)
    dx = xs - xs.mean(axis=1, keepdims=True)
    out[window:y.size - window] = (dx * ys).sum(axis=1) / (dx * dx).sum(axis=1)
    return out


def fastest_descent(log_rates, curve, window: int = WINDOW) -> int | None:
    """Index of the steepest descent of ``curve`` (finite) against ``log_rates``; the window
    narrows for a short curve (at least one point either side). None if it never falls."""
    n = len(curve)
    window = min(int(window), (n - 1) // 2)
    if window < 1:
        return None
    s = slopes(log_rates, curve, window)
    if not np.any(s < 0):
        return None
    return int(np.nanargmin(s))


def divergence_index(curve, factor: float = DIVERGENCE_FACTOR) -> int | None:
    """The first index where ``curve`` exceeds its running minimum ``m`` by more than
    ``(factor - 1) |m|`` (``factor * m`` for a positive loss); None if it never does."""
    y = np.asarray(curve, dtype=np.float64)
    if y.size == 0:
        return None
    low = np.minimum.accumulate(y)
    hit = np.flatnonzero(y - low > (factor - 1.0) * np.abs(low))
    return int(hit[0]) if hit.size else None


def suggest(rates, fastest: float | None, divergence: float | None) -> tuple[float, str, str]:
    r"""The suggested rate, the rule (one of :data:`RULES`) and why.

    * ``"divergence"``: ``divergence / 3`` (about half a decade below the divergence point);
    * ``"below_range"``: the same, when it falls below the first rate tested (the loss rose from
      the start: the run should begin lower);
    * ``"no_divergence"``: ``lr_max / 3`` when the loss never diverged: the limit lies beyond the
      range, so this is a lower estimate (raise ``lr_max``).

    The fastest descent is reported but not used. fast.ai's habit, a decade below the divergence
    point near the steepest descent, aims at fast early training; what ``final_lr`` must respect
    is stability. On quadratics of curvature L = 10 to 1e5 the divergence point of this test
    (defaults) fell at 1.3-1.5 times the stable limit :math:`2(1+\beta)/((1-\tau)L)` (the loss
    must grow for a while before the smoothed curve shows it), so a third of it lands at
    0.43-0.49 of the limit, while a decade below would land at 0.13-0.15 of it, further from the
    limit than the factor 3 the test allows; the steepest descent sat 2.4-3 decades below the
    limit (for L up to 1e4), where the loss drops from its start, not where the rate becomes
    unsafe.
    """
    lr_min, lr_max = float(rates[0]), float(rates[-1])
    if divergence is None:
        value = lr_max / MARGIN
        return value, "no_divergence", (
            f"the loss did not diverge up to lr_max = {lr_max:.3g}: the stability limit lies beyond "
            f"the range, so a third of lr_max, {value:.3g}, is a lower estimate; raise lr_max")
    value = divergence / MARGIN
    if value < lr_min:
        return value, "below_range", (
            f"the loss diverged at {divergence:.3g}, near the start of the range: a third of it, "
            f"{value:.3g}, lies below lr_min = {lr_min:.3g} and was not tested; lower lr_min")
    near = "" if fastest is None else f"; the loss fell fastest at {fastest:.3g}"
    return value, "divergence", (
        f"a third of the divergence point {divergence:.3g} (about half a decade below it, where "
        f"the rate is stable with a margin){near}")


def analyse(rates, loss, *, smoothing: float = SMOOTHING,
            divergence_factor: float = DIVERGENCE_FACTOR, window: int = WINDOW) -> FinderResult:
    """The record of a range test from its rates ``(T,)`` and losses ``(T, B)`` (NaN, or any
    non-finite value, from the step a run stopped on): smoothing, the summary over runs, marks."""
    rates = np.asarray(rates, dtype=np.float64)
    loss = np.array(loss, dtype=np.float64)
    if loss.ndim != 2 or loss.shape[0] != rates.shape[0] or rates.ndim != 1:
        raise ValueError(f"rates (T,) and loss (T, B) expected, got {rates.shape} and {loss.shape}")
    if not (np.all(np.isfinite(rates)) and np.all(rates > 0) and np.all(np.diff(rates) > 0)):
        raise ValueError("rates must be positive, finite and increasing")
    divergence_factor = float(as_hyper("divergence_factor", divergence_factor, 1.0, np.inf,
                                       low_open=True, high_open=True))
    steps, runs = loss.shape
    finite = np.isfinite(loss)
    missing = ~np.logical_and.accumulate(finite, axis=0)
    loss[missing] = np.nan
    stopped_at = np.where(missing.any(axis=0), missing.argmax(axis=0) + 1, -1)
    smoothed = smooth(loss, smoothing)
    end = int(np.min(np.where(stopped_at > 0, stopped_at - 1, steps))) if runs else 0

    median = np.full(steps, np.nan)
    low, high = median.copy(), median.copy()
    if end:
        median[:end] = np.median(smoothed[:end], axis=1)
        low[:end], high[:end] = smoothed[:end].min(axis=1), smoothed[:end].max(axis=1)

    log_rates = np.log10(rates)
    div = divergence_index(median[:end], divergence_factor)
    if div is None and end < steps:
        div = end  # a run stopped before the curve turned: the step whose loss went missing
    fast = fastest_descent(log_rates[:div if div is not None else end],
                           median[:div if div is not None else end], window)
    fastest = None if fast is None else float(rates[fast])
    divergence = None if div is None else float(rates[div])
    suggested, rule, reason = suggest(rates, fastest, divergence)
    return FinderResult(rates, loss, smoothed, stopped_at, median, low, high, end,
                        Marks(fastest, divergence, suggested, rule, reason))


# ----------------------------------------------------------------------------- the numpy range test


def range_test(problem: Problem, x0, *, steps: int = STEPS, lr_min: float = LR_MIN,
               lr_max: float = LR_MAX, momentum: float = MOMENTUM, dampening: float | None = None,
               noise_std=0.0, noise_seed=0, box: float = DEFAULT_BOX, smoothing: float = SMOOTHING,
               divergence_factor: float = DIVERGENCE_FACTOR, window: int = WINDOW) -> FinderResult:
    """The range test of SGD with ``momentum`` and ``dampening`` (default: equal to the momentum,
    AdaBound's final phase) on ``problem`` from ``x0`` ``(B, D)`` or ``(D,)``: B runs in one batch,
    every run at the same rate each step.

    Each step is :func:`optim_core.optimizers.sgd`'s update at ``lr = lr_min`` with
    ``lr_scale = rate / lr_min``. ``noise_std`` and ``noise_seed`` add Gaussian gradient noise as
    the driver does (a ``(B,)`` sequence of seeds gives each run its own). A run stops, and is
    frozen, once its loss is not finite or its iterate leaves ``[-box, box]``; it never raises.
    """
    rates = geometric_rates(lr_min, lr_max, steps)
    steps = rates.size
    if dampening is None:
        dampening = momentum
    optimizer = sgd(rates[0], momentum=momentum, dampening=dampening)
    scale = rates / rates[0]
    x = np.array(x0, dtype=np.float64, copy=True)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite with shape (B, D), got {np.shape(x0)}")
    batch, dim = x.shape
    noise = gaussian_noise(steps, (batch, dim), noise_std, noise_seed)

    loss = np.full((steps, batch), np.nan)
    active = np.ones(batch, dtype=bool)
    state = optimizer.init(x)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            f = np.asarray(problem.loss(x, t), dtype=np.float64)
            active &= np.isfinite(f)
            if not active.any():
                break
            loss[t - 1] = np.where(active, f, np.nan)
            g = problem.gradient(x, t)
            if noise is not None:
                g = g + noise[t - 1]
            up = optimizer.update(g, state, t, params=x, lr_scale=scale[t - 1])
            state = up.state
            x_new = x + up.delta
            active &= np.abs(x_new).max(axis=1) <= box  # NaN fails it too
            x = np.where(active[:, None], x_new, x)  # a stopped run stays at its last iterate
    return analyse(rates, loss, smoothing=smoothing, divergence_factor=divergence_factor,
                   window=window)

