r"""Adversarial online problems in one dimension, where Adam provably fails.

Both problems are periodic sequences of functions :math:`f_t(x) = a_t\,\phi(x)` on a feasible
interval, with slopes :math:`a_t` repeating over a period and :math:`\phi(x) = x` (Reddi et al.)
or :math:`\phi(x) = \mathrm{clip}(x, 0, 1)` (the AdaBound paper). The step index ``t`` counts from
1. Sums over ``t`` are therefore ``A(T) phi(x)`` with ``A(T) = sum_{t <= T} a_t`` in closed form,
which makes the regret exact:

.. math:: R_T = \sum_{t=1}^T f_t(x_t) - \min_{x \in \mathcal F} \sum_{t=1}^T f_t(x).

``loss`` and ``gradient`` follow the optim_core driver's problem protocol (``x`` of shape
``(B, 1)``), and ``project`` clips onto the feasible interval; the driver projects after every
step when a problem has it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class OnlineProblem:
    r"""A periodic online problem :math:`f_t(x) = a_t\,\phi(x)` on ``feasible = (lo, hi)``.

    ``slopes`` are :math:`a_1, \dots, a_P` (one period); ``ramp`` selects
    :math:`\phi(x) = \mathrm{clip}(x, 0, 1)` (its derivative is taken as 1 on the closed interval
    ``[0, 1]`` and 0 outside) instead of :math:`\phi(x) = x`. ``optimal_region = (lo, hi)`` is the
    closed set of minimisers of the sum over any whole number of periods, ``optimum`` one point of
    it. ``beta1`` and ``default_beta2`` are the paper's settings for Adam.
    """

    key: str
    name: str
    C: int
    feasible: tuple[float, float]
    optimum: float
    optimal_region: tuple[float, float]
    latex: str
    description: str
    beta1: float
    default_beta2: float
    slopes: tuple[float, ...]
    ramp: bool
    # What a page says and starts from; the problem's own knowledge, so no caller switches on its key.
    label: str = ""  # the source, for a selector
    why_adam_fails: str = ""  # the mechanism, in plain words (markdown)
    condition_latex: str = ""  # the paper's condition on (C, beta2) for Adam to fail, beta1 = 0
    condition_text: str = ""  # where it holds for this C, in words
    beta2_condition: Callable[[float], bool] | None = None
    reproduction_x0: float = 0.0  # the reproduction's start, horizon and AdaBound gamma
    reproduction_steps: int = 3000
    reproduction_gamma: float = 1e-3
    paper_steps: int = 30000  # the horizon at which the paper-theory mode (eta / sqrt t) shows the claim

    @property
    def period(self) -> int:
        return len(self.slopes)

    def slope(self, t) -> float | Array:
        """:math:`a_t` for ``t >= 1`` (an int or an integer array)."""
        t = np.asarray(t)
        if np.any(t < 1):
            raise ValueError(f"Invalid t: steps are counted from 1, got {t.min()}")
        a = np.asarray(self.slopes)[(t - 1) % self.period]
        return float(a) if a.ndim == 0 else a

    def phi(self, x) -> Array:
        x = np.asarray(x, dtype=np.float64)
        return np.clip(x, 0.0, 1.0) if self.ramp else x

    def dphi(self, x) -> Array:
        x = np.asarray(x, dtype=np.float64)
        if self.ramp:
            return ((x >= 0.0) & (x <= 1.0)).astype(np.float64)
        return np.ones_like(x)

    # --- the driver's problem protocol, x of shape (B, 1)

    def loss(self, x: Array, t: int) -> Array:
        """:math:`f_t(x)`: ``(B, 1) -> (B,)``."""
        return self.slope(t) * self.phi(x)[..., 0]

    def gradient(self, x: Array, t: int) -> Array:
        """:math:`f_t'(x)`: ``(B, 1) -> (B, 1)``."""
        return self.slope(t) * self.dphi(x)

    def project(self, x: Array) -> Array:
        lo, hi = self.feasible
        return np.clip(x, lo, hi)

    # --- the same for one float (the float runner's hot loop: no numpy per step)

    def gradient_at(self, x: float, t: int) -> float:
        """:math:`f_t'(x)` for a float ``x`` and ``t >= 1``, as :meth:`gradient` computes it."""
        a = self.slopes[(t - 1) % len(self.slopes)]
        return a if not self.ramp or 0.0 <= x <= 1.0 else 0.0

    def project_at(self, x: float) -> float:
        lo, hi = self.feasible
        return lo if x < lo else (hi if x > hi else x)

    # --- the problem protocol that sweeps use (Landscape has the same four)

    def start_point(self) -> Array:
        """``(1,)``: the feasible end farthest from the optimum (a sweep's default start)."""
        lo, hi = self.feasible
        return np.array([hi if abs(hi - self.optimum) >= abs(lo - self.optimum) else lo])

    def intervals(self) -> list[tuple[float, float]]:
        return [self.feasible]

    def gap(self, points) -> Array:
        """``(B, 1) -> (B,)``: the gap of the average function over one period,
        :math:`\\bar f(x) - \\min \\bar f`, the per-step regret that point would go on to pay."""
        P = self.period
        return (self.f_sum(np.asarray(points, dtype=np.float64)[:, 0], P) - self.min_sum(P)) / P

    def curvature_at_minimum(self) -> None:
        """The losses are linear: no curvature, no stability limit."""
        return None

    def condition_holds(self, beta1: float, beta2: float) -> bool:
        """Whether (beta1, beta2) is the paper's setting under which Adam provably fails."""
        return beta1 == 0.0 and bool(self.beta2_condition(beta2))

    # --- sums over t, in closed form

    def cumulative_slope(self, T) -> float | Array:
        """:math:`A(T) = \\sum_{t=1}^T a_t` for ``T >= 0`` (an int or an integer array)."""
        T = np.asarray(T)
        if np.any(T < 0):
            raise ValueError(f"Invalid T: {T.min()}; T >= 0")
        partial = np.concatenate([[0.0], np.cumsum(self.slopes)])  # A(0), ..., A(P)
        whole, rest = np.divmod(T, self.period)
        total = whole * partial[-1] + partial[rest]
        return float(total) if total.ndim == 0 else total

    def f_sum(self, x, T) -> Array:
        """:math:`\\sum_{t=1}^T f_t(x)`, elementwise over ``x`` of any shape."""
        return self.cumulative_slope(T) * self.phi(x)

    def min_sum(self, T) -> float | Array:
        """:math:`\\min_{x \\in \\mathcal F} \\sum_{t=1}^T f_t(x)`: phi is non-decreasing, so the
        minimum sits at an end of the feasible interval."""
        lo, hi = self.feasible
        total = np.asarray(self.cumulative_slope(T))
        value = np.minimum(total * self.phi(lo), total * self.phi(hi))
        return float(value) if value.ndim == 0 else value


def regret(problem: OnlineProblem, xs) -> Array:
    """Exact regret :math:`R_t` for ``t = 1..T`` of the iterates ``xs`` (``xs[t - 1]`` is
    :math:`x_t`, the point at which :math:`f_t` is evaluated), shape ``(T, ...)`` -> same shape.

    From a driver trace: ``regret(problem, trace.positions[:-1, :, 0])`` (positions[0] is x_1).
    """
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim == 0 or xs.shape[0] == 0:
        raise ValueError(f"xs must have shape (T, ...) with T >= 1, got {xs.shape}")
    t = np.arange(1, xs.shape[0] + 1)
    extra = (1,) * (xs.ndim - 1)
    losses = np.asarray(problem.slope(t)).reshape(-1, *extra) * problem.phi(xs)
    best = np.asarray(problem.min_sum(t)).reshape(-1, *extra)
    return np.cumsum(losses, axis=0) - best


# ----------------------------------------------------------------------------- the two examples


def _check_c(C) -> int:
    if isinstance(C, (bool, np.bool_)) or not isinstance(C, numbers.Integral) or C < 3:
        raise ValueError(f"Invalid C: {C!r}; an integer >= 3")
    return int(C)


def adabound_condition(C: int, beta2: float) -> bool:
    r"""The AdaBound paper's condition on the Section 3 example,
    :math:`5 \beta_2^{C-2} \le (1 - \beta_2) / (4 - \beta_2)`, under which Adam (with
    :math:`\beta_1 = 0`) stays at :math:`x \ge 0`."""
    C = _check_c(C)
    if not 0.0 <= beta2 < 1.0:
        raise ValueError(f"Invalid beta2: {beta2!r}; allowed range [0, 1)")
    return 5.0 * beta2 ** (C - 2) <= (1.0 - beta2) / (4.0 - beta2)


def adabound_max_beta2(C: int) -> float:
    r"""The largest :math:`\beta_2` satisfying :func:`adabound_condition`, by bisection.

    The left side grows and the right side falls with :math:`\beta_2`, so the condition holds
    exactly on ``[0, adabound_max_beta2(C)]`` (C = 3: the root of
    :math:`5\beta^2 - 21\beta + 1`, about 0.0482).
    """
    C = _check_c(C)
    lo, hi = 0.0, 1.0  # the condition holds at lo and fails at hi
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return lo
        if adabound_condition(C, mid):
            lo = mid
        else:
            hi = mid


def reddi_beta2(C: int) -> float:
    r""":math:`\beta_2 = 1 / (1 + C^2)`, the setting of Reddi et al.'s Theorem 1."""
    C = _check_c(C)
    return 1.0 / (1.0 + C * C)


def _is_reddi_beta2(C: int, beta2: float) -> bool:
    """Reddi et al.'s Theorem 1 takes exactly beta2 = 1/(1 + C^2): compared to 5 significant
    digits, the precision of a link."""
    return math.isclose(beta2, reddi_beta2(C), rel_tol=1e-5)


_WHY_ADABOUND = (
    "In every period the gradient is −1 once, then +2, then 0 for the other C − 2 steps (for "
    "x in [0, 1]; outside, every f_t is flat). The slopes add up to +1, so the sum of the "
    "f_t grows with x and every x < 0 is optimal: the right way is **down**, and only the "
    "large +2 points that way. Adam divides each gradient by √v, a running average of the "
    "squared gradients that forgets a fraction 1 − β₂ of itself at every step. With a small "
    "β₂, v is made mostly of the gradient that has just arrived: the +2 is divided by about "
    "2, so its step down is about η, while the −1 comes after C − 2 quiet steps in which v "
    "has decayed, so it is divided by about 1 and its step up is also about η. **The rare "
    "correct large gradient is scaled down more than the wrong small one**: the steps nearly "
    "cancel, what is left points up, and Adam drifts towards x = 1. SGD moves 2η down and η "
    "up in every period and reaches x < 0. AMSGrad keeps the largest v it has ever seen, so "
    "the wrong step stays small. AdaBound clips its rate into a band that closes on final_lr, "
    "so it ends as SGD.")

_WHY_REDDI = (
    "In every period the gradient is C once and −1 twice. The slopes add up to C − 2 > 0, so "
    "the optimum is x = −1: the right way is **down**, and only the rare large gradient C "
    "points that way. Adam divides each gradient by √v, a running average of the squared "
    "gradients that forgets a fraction 1 − β₂ of itself at every step. With β₂ = 1/(1 + C²), v "
    "jumps to about C² when the C arrives, so **the large correct gradient is scaled down to "
    "a step of about η**, while the two small wrong ones, divided by a v that has fallen back "
    "towards 1, move it up by nearly η each: one step down against two up, and Adam ends at "
    "x = +1, the worst point. SGD moves Cη down and 2η up and goes to −1. AMSGrad keeps the "
    "largest v, so the small gradients get small steps too. AdaBound follows Adam at first; "
    "once its lower bound has risen it is SGD at final_lr and goes to −1.")


def adabound_example(C: int = 3) -> OnlineProblem:
    r"""The AdaBound paper's Section 3 example (Luo et al. 2019), period ``C >= 3``.

    On :math:`0 \le x \le 1` the gradient is -1 when :math:`t \bmod C = 1`, +2 when
    :math:`t \bmod C = 2` and 0 otherwise; outside ``[0, 1]`` every :math:`f_t` is flat. As
    functions: :math:`f_t(x) = a_t\,\mathrm{clip}(x, 0, 1)` with slopes ``(-1, 2, 0, ..., 0)``,
    continuous, so a period adds :math:`+\mathrm{clip}(x, 0, 1)` and every :math:`x \le 0`
    minimises any whole number of periods.

    Conventions (the paper does not fix them):

    * feasible set ``[-1, 1]``, so the flat optimal part ``[-1, 0]`` is reachable;
    * at the kinks the ``[0, 1]`` piece's gradient applies (``0 <= x <= 1`` as written in the
      paper): at ``x = 0`` exactly the gradients still act, so ``x = 0`` is not a resting point,
      and an iterate is settled only once ``x < 0``;
    * ``optimum = -1``, a point of the optimal region ``[-1, 0]``;
    * ``default_beta2``: the largest two-decimal value that satisfies the paper's condition
      (0.04 for C = 3).
    """
    C = _check_c(C)
    phase_slope = {1: -1.0, 2: 2.0}  # t mod C -> slope; 0 for every other phase
    slopes = tuple(phase_slope.get(t % C, 0.0) for t in range(1, C + 1))
    return OnlineProblem(
        key="adabound",
        name=f"AdaBound Section 3 (C = {C})",
        C=C,
        feasible=(-1.0, 1.0),
        optimum=-1.0,
        optimal_region=(-1.0, 0.0),
        latex=(r"f_t(x) = \begin{cases} -\operatorname{clip}(x, 0, 1) & t \bmod %d = 1 \\"
               r" 2\operatorname{clip}(x, 0, 1) & t \bmod %d = 2 \\ 0 & \text{otherwise}"
               r"\end{cases},\qquad x \in [-1, 1]" % (C, C)),
        description=("Adam with a small beta2 forgets the rare large gradient and drifts the wrong "
                     "way, staying at x > 0; any x < 0 is optimal."),
        beta1=0.0,
        default_beta2=math.floor(100.0 * adabound_max_beta2(C)) / 100.0,
        slopes=slopes,
        ramp=True,
        label="AdaBound paper, Section 3",
        why_adam_fails=_WHY_ADABOUND,
        condition_latex=r"5\,\beta_2^{C-2} \le \frac{1-\beta_2}{4-\beta_2}",
        condition_text=f"holds for β₂ ≤ {adabound_max_beta2(C):.4f} when C = {C}",
        beta2_condition=partial(adabound_condition, C),
        reproduction_x0=0.5,
        reproduction_steps=3000,
        reproduction_gamma=0.01,  # the band closes within the run: [final_lr/2, 2 final_lr] at t = 100
        paper_steps=30000,  # at lr 0.01 and eta / sqrt t: SGD in by 5,858, AdaBound 10,190, AMSGrad 22,730
    )


def reddi_example(C: int = 3) -> OnlineProblem:
    r"""Reddi, Kale and Kumar (2018), Section 3: on ``[-1, 1]``, :math:`f_t(x) = C x` when
    :math:`t \bmod 3 = 1` and :math:`-x` otherwise.

    A period adds :math:`(C - 2) x`, so the optimum is ``x = -1``; the paper needs ``C > 2``
    (``C >= 3`` here since C is an integer). With :math:`\beta_1 = 0` and
    :math:`\beta_2 = 1 / (1 + C^2)` Adam goes to ``x = +1``.
    """
    C = _check_c(C)
    return OnlineProblem(
        key="reddi",
        name=f"Reddi et al. (C = {C})",
        C=C,
        feasible=(-1.0, 1.0),
        optimum=-1.0,
        optimal_region=(-1.0, -1.0),
        latex=(r"f_t(x) = \begin{cases} %d\,x & t \bmod 3 = 1 \\ -x & \text{otherwise}"
               r"\end{cases},\qquad x \in [-1, 1]" % C),
        description=("One large gradient every third step against two small ones: Adam's short "
                     "memory lets the small ones win and it goes to +1; the optimum is -1."),
        beta1=0.0,
        default_beta2=reddi_beta2(C),
        slopes=(float(C), -1.0, -1.0),
        ramp=False,
        label="Reddi, Kale & Kumar (2018)",
        why_adam_fails=_WHY_REDDI,
        condition_latex=r"\beta_2 = \frac{1}{1 + C^2}",
        condition_text=f"β₂ = {reddi_beta2(C):.4g} for C = {C}",
        beta2_condition=partial(_is_reddi_beta2, C),
        reproduction_x0=0.0,
        reproduction_steps=6000,
        reproduction_gamma=1e-3,
        paper_steps=60000,  # at lr 0.01 and eta / sqrt t: SGD in by 21,967, AMSBound 35,674, AdaBound 56,233
    )


ONLINE_PROBLEMS = {
    "adabound": adabound_example,
    "reddi": reddi_example,
}
