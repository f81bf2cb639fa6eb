r"""The runs behind the online page, as pure functions (no Streamlit): the chosen problem, the five
optimizers on it, and what the page reports (first step in the optimal region, average regret).
What each problem is and why Adam fails on it live on its record (:mod:`landscapes.online`).

Speed. The online problems are one-dimensional, where numpy's fixed cost per call dominates: the
batched driver (``oc.run``) spends about 20 µs per optimizer and step, some 10 s for 100,000 steps of
five optimizers. :func:`run` therefore steps every run with optim_core's float steppers
(:mod:`optim_core.scalar`), some 30 times faster. The vectorised core stays the reference: tests
check that :func:`run` returns what ``oc.run`` returns, for every optimizer, both modes and both
problems, and :func:`optimizer_kwargs` builds each optimizer through the registry first, so that
its validation (and its messages) are the core's.
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

import landscapes
import optim_core as oc
from landscapes import OnlineProblem
from optim_core import scalar

from .playground import Config

OPTIMIZERS = ("sgd", "adam", "amsgrad", "adabound", "amsbound")
SHARED_PARAMS = ("beta1", "beta2")  # one value for the whole page, as in both papers
FIXED_PARAMS = ("weight_decay",)  # not offered here: 0, the papers' setting
MODES = {"constant": "constant step η", "paper": "paper theory: η/√t, no bias correction, ε = 0"}
MAX_STEPS = 100_000
MAX_C = 50


def make_problem(key: str, C: int) -> OnlineProblem:
    try:
        factory = landscapes.ONLINE_PROBLEMS[key]
    except KeyError:
        raise ValueError(f"Unknown online problem {key!r}; one of {', '.join(landscapes.ONLINE_PROBLEMS)}") from None
    return factory(int(C))


# ----------------------------------------------------------------------------- the page's defaults


class Defaults(NamedTuple):
    """What a problem brings: the settings of the reproduction in tests/test_online.py."""

    x0: float
    steps: int
    beta1: float
    beta2: float
    hyper: dict[str, dict[str, float]]  # optimizer key -> {hyperparameter: value}


def defaults(key: str, C: int) -> Defaults:
    """The problem's reproduction: its start, horizon and paper betas; every optimizer at lr 0.01,
    and the bounded ones' band closing on final_lr = 0.01 at the problem's own speed gamma."""
    problem = make_problem(key, C)
    hyper = {k: {"lr": 0.01} for k in OPTIMIZERS}
    for k in OPTIMIZERS:
        if oc.OPTIMIZERS[k].bounded:
            hyper[k].update(final_lr=0.01, gamma=problem.reproduction_gamma)
    return Defaults(x0=problem.reproduction_x0, steps=problem.reproduction_steps,
                    beta1=problem.beta1, beta2=problem.default_beta2, hyper=hyper)


# ----------------------------------------------------------------------------- building the runs


def optimizer_values(key: str, hyper: Mapping[str, Any], beta1: float, beta2: float) -> dict[str, Any]:
    """The optimizer's hyperparameters on this page: its own (``lr``, ``eps``, ``final_lr``,
    ``gamma``) and the page's shared betas where it has them."""
    spec = oc.OPTIMIZERS[key]
    own = {p.key for p in spec.params}
    values = {k: v for k, v in hyper.items() if k in own and k not in SHARED_PARAMS + FIXED_PARAMS}
    if "beta1" in own:
        values.update(beta1=beta1, beta2=beta2)
    return values


def optimizer_kwargs(key: str, values: Mapping[str, Any], mode: str) -> tuple[dict[str, Any], oc.Schedule]:
    """The factory keywords and the schedule of one optimizer in ``mode``, after building it through
    the registry (which validates; a bad value raises the core's ``ValueError``)."""
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}; one of {', '.join(MODES)}")
    spec = oc.OPTIMIZERS[key]
    if mode == "paper":
        kwargs = oc.paper_theory_kwargs(key, values)
        _, schedule = oc.build_paper_theory(key, values)
    else:
        kwargs = spec.kwargs(values)
        spec.build(values)
        schedule = oc.CONSTANT
    return kwargs, schedule


def _walk(problem: OnlineProblem, stepper: scalar.Stepper, x: float, factors: list[float]) -> tuple[list, ...]:
    """One run: x after each step, and each step's lr_eff, raw rate and bounds."""
    gradient_at, project_at = problem.gradient_at, problem.project_at
    xs, rates, raws, lows, highs = [x], [], [], [], []
    for t in range(1, len(factors) + 1):
        delta, rate, raw, low, high = stepper(gradient_at(x, t), t, factors[t - 1])
        x = project_at(x + delta)
        xs.append(x)
        rates.append(rate)
        raws.append(raw)
        lows.append(low)
        highs.append(high)
    return xs, rates, raws, lows, highs


def run(problem: OnlineProblem, configs: Sequence[Config], x0: float, steps: int, mode: str) -> oc.Trace:
    """Every configured optimizer from ``x0`` for ``steps`` steps, one row each: the Trace that
    ``oc.run(oc.stack(...), problem, x0, steps, schedule=...)`` returns (without the loop's cost)."""
    steps = int(steps)
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps}; allowed range [1, {MAX_STEPS:,}]")
    if not configs:
        raise ValueError("choose at least one optimizer")
    built = [optimizer_kwargs(key, dict(items), mode) for key, items in configs]
    factors = built[0][1].factors(steps)  # one schedule for the whole page (the mode's)
    x_start = float(problem.project(np.array([[float(x0)]]))[0, 0])
    walks = [_walk(problem, scalar.stepper(oc.OPTIMIZERS[key].factory, **kwargs), x_start, factors.tolist())
             for (key, _), (kwargs, _) in zip(configs, built)]

    def stacked(i):  # column i of every walk, as (rows, B)
        return np.array([w[i] for w in walks], dtype=np.float64).T

    positions = stacked(0)
    t = np.arange(1, steps + 1)
    loss = problem.slope(np.arange(1, steps + 2))[:, None] * problem.phi(positions)
    grads = problem.slope(t)[:, None] * problem.dphi(positions[:-1])
    bounded = any(oc.OPTIMIZERS[key].bounded for key, _ in configs)
    return oc.Trace(
        steps=t, positions=positions[..., None], loss=loss, grads=grads[..., None],
        lr_eff=stacked(1)[..., None],
        lr_eff_raw=stacked(2)[..., None] if bounded else None,
        lower_bound=stacked(3) if bounded else None,
        upper_bound=stacked(4) if bounded else None,
        diverged_at=np.full(len(configs), -1), lr_scale=factors)


# ----------------------------------------------------------------------------- what the page reports


def in_optimal_region(problem: OnlineProblem, x: np.ndarray) -> np.ndarray:
    """Whether each x lies in the optimal region. On the ramp problem only x < 0 counts: at x = 0
    the gradients still act, so an iterate there is not settled (landscapes.adabound_example)."""
    lo, hi = problem.optimal_region
    return (x >= lo) & ((x < hi) if problem.ramp else (x <= hi))


def region_text(problem: OnlineProblem) -> str:
    lo, hi = problem.optimal_region
    if problem.ramp:
        return f"x < {hi:g}"
    return f"x = {lo:g}" if lo == hi else f"{lo:g} ≤ x ≤ {hi:g}"


def first_in_region(problem: OnlineProblem, path: np.ndarray) -> int | None:
    """The number of steps after which the iterate first lies in the optimal region (0: it starts
    there), or None if it never does."""
    hit = np.flatnonzero(in_optimal_region(problem, path))
    return int(hit[0]) if hit.size else None


def average_regret(problem: OnlineProblem, trace: oc.Trace) -> np.ndarray:
    r""":math:`R_t / t` for t = 1..T, shape (T, B); :math:`R_t` counts :math:`f_1(x_1)` through
    :math:`f_t(x_t)` with :math:`x_1` the start (``positions[0]``)."""
    r = landscapes.regret(problem, trace.positions[:-1, :, 0])
    return r / np.arange(1, r.shape[0] + 1)[:, None]


class Summary(NamedTuple):
    key: str
    label: str
    reached_at: int | None  # steps taken when the iterate first lay in the optimal region
    final_x: float
    final_average_regret: float  # R_T / T


def summaries(problem: OnlineProblem, trace: oc.Trace, keys: Sequence[str]) -> list[Summary]:
    avg = average_regret(problem, trace)
    out = []
    for b, key in enumerate(keys):
        path = trace.positions[:, b, 0]
        out.append(Summary(key, oc.OPTIMIZERS[key].label, first_in_region(problem, path), float(path[-1]),
                           float(avg[-1, b])))
    return out


def summary_text(s: Summary, problem: OnlineProblem, steps: int) -> str:
    where = region_text(problem)
    if s.reached_at is None:
        reached = f"never reached the optimal region {where} in {steps:,} steps"
    else:
        reached = f"first reached the optimal region {where} at step {s.reached_at:,}"
    return f"{reached}; final x = {s.final_x:.4g}; final average regret R_T/T = {s.final_average_regret:.4g}"


def phase_moves(problem: OnlineProblem, trace: oc.Trace) -> tuple[np.ndarray, np.ndarray]:
    r"""``(phases, moves)``: the phase :math:`t \bmod P` of each of the last ``P`` steps (at most
    T), in period order, and ``moves (B, n)``: :math:`-\eta_t g_t` at those steps, which is the
    step itself when :math:`\beta_1 = 0` (with momentum the step mixes in earlier gradients)."""
    n = min(problem.period, len(trace.steps))
    t = trace.steps[-n:]
    order = np.argsort((t - 1) % problem.period)
    moves = -(trace.lr_eff[-n:, :, 0] * trace.grads[-n:, :, 0])
    return (t[order] % problem.period), moves[order].T


# ----------------------------------------------------------------------------- the t = 1/gamma marks


def band_marks(configs: Sequence[Config], mode: str) -> dict[str, tuple[float, float]]:
    """label -> (gamma, final_lr) of the bounded runs, one label per distinct band, for the
    t = 1/gamma mark (where the band is [final_lr/2, 2 final_lr]). None under the paper's 1/sqrt(t):
    the band then moves with the schedule, so the mark would say something false."""
    marks: dict[str, tuple[float, float]] = {}
    if mode != "constant":
        return marks
    for key, items in configs:
        if oc.OPTIMIZERS[key].bounded:
            mark = (dict(items)["gamma"], dict(items)["final_lr"])
            if mark not in marks.values():
                marks[oc.OPTIMIZERS[key].label] = mark
    return marks
