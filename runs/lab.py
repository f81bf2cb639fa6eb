r"""The final_lr lab's sweeps, as pure computations (no Streamlit).

A sweep runs AdaBound (or AMSBound) over a grid of hyperparameters, every grid cell from the same
start points: the landscape's default start plus N seeded random starts in its domain. The whole
grid is *one* batched run of the core (rows = cells x starts, the swept hyperparameters passed as
``(B, 1)`` arrays); a very wide sweep is cut into chunks of rows, and a run pauses now and then so
that a callback can report progress. Rows do not interact, so a cell's numbers are exactly those
of the run of its own configuration alone (:func:`run_cell`; a test checks it).

A run's state is kept at round steps (100, 200, ..., 1,000, 2,000, ...), at the last hundred
before its horizon and at the horizon itself (:class:`Carries`): a new horizon goes on from the latest kept state before it,
so shortening T costs at most a hundred steps and lengthening it only the steps added. The core
resumes exactly, so the numbers do not depend on what was kept.

What a cell reports is the loss gap at the end of the run, :math:`f(x_T) - f^\ast`, for each start;
a run that diverged counts as an infinite gap. Online problems (whose :math:`f_t` changes with t)
report the gap of the average function over one period at the final iterate,
:math:`\bar f(x_T) - \min \bar f`, the per-step regret that point would go on to pay.

The three sweeps of the page:

1. ``final_lr`` x ``gamma`` at the page's ``lr``;
2. ``final_lr`` x base ``lr`` at the page's ``gamma``;
3. the line view: AdaBound against ``final_lr``, SGD with momentum at ``lr = final_lr`` on the same
   grid, and Adam (AMSGrad for AMSBound) at the page's ``lr`` as a flat reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

import landscapes
import optim_core as oc

from .fields import round_sig
from .playground import MAX_STEPS as PLAYGROUND_MAX_STEPS
from .store import ByteStore

ONLINE = "online:"  # problem keys of the online problems start with this
BOUNDED = ("adabound", "amsbound")
REFERENCE = {"adabound": "adam", "amsbound": "amsgrad"}  # the unbounded method each one clips
SGDM = "momentum"

# A sweep is refused beyond these (a clear message, never a long wait or an out-of-memory): about
# 2.5 times the default sweep of 40 x 20 cells x 16 starts x 1,000 steps.
MAX_RUN_STEPS = 32_000_000
MAX_RUNS = 250_000
# A batched call of the core takes at most this many runs (memory: some 40 arrays of (runs, 2)
# floats live at once); larger sweeps are run in chunks of rows. Within a chunk, a progress report
# comes about every CHUNK_RUN_STEPS run-steps (about half a second here).
CHUNK_RUN_STEPS = 16_000_000
CHUNK_RUNS = 20_000
# The runs' loss is checked for divergence every CHECK_EVERY steps and at the last one (beside the
# box check at every step), and a run pauses only at those steps: its state there can be kept, and
# a later horizon goes on from it with the numbers of a run in one go (see :class:`Carries`).
CHECK_EVERY = 100
SIGNIFICANT = 3  # grid values are rounded to this many digits where they stay distinct

Progress = Callable[[int, int], None]  # (run-steps done, run-steps in all)


class SweepTooLarge(ValueError):
    """A sweep over the caps; the message says by how much and what to reduce."""


# ----------------------------------------------------------------------------- problems and starts


def lab_problems() -> dict[str, str]:
    """``{problem key: name}`` of everything the lab can sweep on: the landscapes with a known
    minimum value (the gap f - f* needs it) and the online problems."""
    out = {k: ls.name for k, ls in landscapes.LANDSCAPES.items() if ls.min_value is not None}
    for key, factory in landscapes.ONLINE_PROBLEMS.items():
        out[ONLINE + key] = f"online: {factory().name.split(' (')[0]}"
    return out


def is_online(problem_key: str) -> bool:
    return problem_key.startswith(ONLINE)


def resolve(problem_key: str, C: int = 3):
    """The landscape, or the online problem with period ``C``. Both follow one protocol
    (``start_point``, ``intervals``, ``gap``, ``curvature_at_minimum``), which is all a sweep uses."""
    if is_online(problem_key):
        return landscapes.ONLINE_PROBLEMS[problem_key[len(ONLINE):]](C)
    return landscapes.get(problem_key)


def start_points(problem, n_random: int, seed: int) -> np.ndarray:
    """``(1 + n_random, D)``: the default start, then ``n_random`` points drawn uniformly in the
    domain by a generator seeded with ``seed`` (the same seed, the same points)."""
    lows, highs = np.array(problem.intervals()).T
    random = np.random.default_rng(seed).uniform(lows, highs, size=(int(n_random), lows.size))
    return np.vstack([problem.start_point()[None, :], random])


def final_gap(problem, final_positions: np.ndarray, diverged: np.ndarray) -> np.ndarray:
    """``(B,)``: the problem's gap at the final iterate (see the module text), ``inf`` for
    diverged runs."""
    gap = np.maximum(problem.gap(final_positions), 0.0)  # rounding can put a converged run a hair below f*
    return np.where(diverged, np.inf, gap)


def median_start_gap(problem_key: str, C: int, n_random: int, seed: int) -> float:
    """The median gap at the start points: where the runs began, for scaling the colours."""
    problem = resolve(problem_key, C)
    points = start_points(problem, n_random, seed)
    gaps = final_gap(problem, points, np.zeros(len(points), dtype=bool))
    return float(np.quantile(gaps, 0.5, method="inverted_cdf"))


# ----------------------------------------------------------------------------- curvature limit


class StabilityLimit(NamedTuple):
    final_lr: float  # the largest stable rate
    curvature: float  # L, the largest Hessian eigenvalue at the minimum
    minimum: tuple[float, float]  # where L was measured


def stability_limit(problem, beta1: float, dampening: float | None = None) -> StabilityLimit | None:
    """AdaBound's limit on ``final_lr`` (dampening = beta1) or, given ``dampening``, that of SGD
    with momentum ``beta1``; None where there is no curvature."""
    found = problem.curvature_at_minimum()
    if found is None:
        return None
    L, minimum = found
    tau = beta1 if dampening is None else dampening
    return StabilityLimit(oc.max_stable_lr(L, beta1, tau), L, minimum)


def band_floor_curve(limit: float, y_param: str, y_span: tuple[float, float], gamma: float, steps: int):
    """``(x, y)`` of :func:`optim_core.band_floor_limit` across a heat map with ``y_param``
    ("gamma" or "lr") on its y axis over ``y_span``: a curve over gamma, or a vertical line at the
    fixed ``gamma`` (the base lr does not move the band)."""
    ys = np.geomspace(*y_span, 200 if y_param == "gamma" else 2)
    if y_param == "gamma":
        return oc.band_floor_limit(limit, ys, steps), ys
    return np.full(ys.shape, float(oc.band_floor_limit(limit, gamma, steps))), ys


# ----------------------------------------------------------------------------- sweep definitions


@dataclass(frozen=True)
class Axis:
    """A log grid of ``n`` values of one hyperparameter from ``low`` to ``high``."""

    param: str  # "final_lr", "gamma" or "lr"
    low: float
    high: float
    n: int

    def values(self) -> np.ndarray:
        """The grid, rounded to 3 significant digits (short, exact links) unless rounding would
        merge neighbours."""
        if self.n == 1:
            return np.array([float(self.low)])
        raw = np.geomspace(self.low, self.high, self.n)
        nice = round_sig(raw, SIGNIFICANT)
        return nice if np.all(np.diff(nice) > 0) else raw


@dataclass(frozen=True)
class Group:
    """One optimizer's part of a sweep: its fixed hyperparameters and the axes of its grid (the
    first axis varies slowest). Every grid cell runs from every start: rows cell-major."""

    optimizer: str
    fixed: tuple[tuple[str, Any], ...]
    axes: tuple[Axis, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(a.n for a in self.axes)

    @property
    def cells(self) -> int:
        return math.prod(self.shape)

    def cell_values(self, cell: Sequence[int]) -> dict[str, Any]:
        """All hyperparameters of one cell (grid indices ``cell``, one per axis)."""
        values = dict(self.fixed)
        for axis, i in zip(self.axes, cell):
            values[axis.param] = float(axis.values()[i])
        return values


@dataclass(frozen=True)
class Sweep:
    problem: str  # a landscape key, or "online:<key>"
    C: int  # the online problem's period (unused for landscapes)
    starts: int  # random starts beside the default one
    seed: int
    steps: int
    groups: tuple[Group, ...]

    @property
    def n_starts(self) -> int:
        return self.starts + 1

    @property
    def runs(self) -> int:
        return sum(g.cells for g in self.groups) * self.n_starts

    @property
    def run_steps(self) -> int:
        return self.runs * self.steps

    def group_rows(self) -> list[tuple[int, int]]:
        """``[start, stop)`` of each group's rows in the batch."""
        edges = np.cumsum([0] + [g.cells * self.n_starts for g in self.groups])
        return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


@dataclass(frozen=True)
class Setup:
    """What the lab page chooses; the three sweeps are built from it."""

    problem: str
    C: int
    optimizer: str  # "adabound" or "amsbound"
    hyper: tuple[tuple[str, Any], ...]  # its hyperparameters but final_lr (lr and gamma are the
    #                                     values held fixed where the other is swept)
    starts: int
    seed: int
    steps: int
    final_lr: Axis
    gamma: Axis
    lr: Axis
    sgdm_dampening: str = "beta1"  # "beta1" (AdaBound's own limit) or "zero" (torch's default)

    def _sweep(self, groups) -> Sweep:
        return Sweep(self.problem, self.C, self.starts, self.seed, self.steps, tuple(groups))

    def _fixed(self, *swept: str) -> tuple[tuple[str, Any], ...]:
        return tuple((k, v) for k, v in self.hyper if k not in swept and k != "final_lr")

    def final_lr_gamma(self) -> Sweep:
        return self._sweep([Group(self.optimizer, self._fixed("gamma"), (self.final_lr, self.gamma))])

    def final_lr_lr(self) -> Sweep:
        return self._sweep([Group(self.optimizer, self._fixed("lr"), (self.final_lr, self.lr))])

    def line(self) -> Sweep:
        """AdaBound over final_lr, SGD(M) over lr = final_lr (same grid), the unbounded method."""
        sgdm_axis = Axis("lr", self.final_lr.low, self.final_lr.high, self.final_lr.n)
        return self._sweep([
            Group(self.optimizer, self._fixed(), (self.final_lr,)),
            Group(SGDM, tuple(sorted(sgdm_values(self.hyper, self.sgdm_dampening).items())), (sgdm_axis,)),
            Group(REFERENCE[self.optimizer], tuple(sorted(reference_values(self.hyper).items()))),
        ])

    def sweeps(self) -> dict[str, Sweep]:
        return {"final_lr_gamma": self.final_lr_gamma(), "final_lr_lr": self.final_lr_lr(),
                "line": self.line()}


def sgdm_values(hyper, dampening: str) -> dict[str, Any]:
    """SGD with momentum beside AdaBound: momentum beta1, dampening beta1 (the method AdaBound
    becomes) or 0 (torch's default), AdaBound's weight decay; lr comes from the grid."""
    h = {**oc.OPTIMIZERS[BOUNDED[0]].defaults(), **dict(hyper)}
    beta1 = h["beta1"]
    return {"momentum": beta1, "dampening": beta1 if dampening == "beta1" else 0.0,
            "weight_decay": h["weight_decay"]}


def reference_values(hyper) -> dict[str, Any]:
    """Adam (or AMSGrad) with AdaBound's lr, betas, eps and weight decay: AdaBound without bounds."""
    h = dict(hyper)
    keep = ("lr", "beta1", "beta2", "eps", "weight_decay")
    return {k: h[k] for k in keep if k in h}


# ----------------------------------------------------------------------------- the lab's settings

# The page's settings besides the hyperparameters, at their first-visit values, and their limits.
DEFAULTS = {"ls": "rosenbrock", "C": 3, "opt": "adabound", "S": 15, "seed": 0, "T": 1000, "damp": "beta1"}
MAX_PERIOD, MAX_STARTS = 20, 63
MAX_HORIZON = PLAYGROUND_MAX_STEPS  # so that every cell can be opened on the playground
# (value prefix, hyperparameter, label, first low, first high, first count, most values)
GRIDS = (
    ("fl", "final_lr", "final_lr η*", 1e-4, 10.0, 40, 80),
    ("g", "gamma", "γ", 1e-5, 1e-1, 20, 40),
    ("lr", "lr", "base lr η", 1e-4, 1.0, 20, 40),
)


def grid_range(param: str) -> tuple[float, float]:
    """Where a grid may lie: the range the registry offers (and the playground accepts)."""
    hp = oc.OPTIMIZERS[BOUNDED[0]].param(param)
    return float(hp.low), float(hp.high)


def default_values() -> dict[str, Any]:
    """The lab's first-visit settings besides the hyperparameters, grids included."""
    out = dict(DEFAULTS)
    for prefix, _, _, low, high, count, _ in GRIDS:
        out.update({f"{prefix}_lo": low, f"{prefix}_hi": high, f"{prefix}_n": count})
    return out


def setup_from(values: Mapping[str, Any], hyper: Mapping[str, Any]) -> tuple[Setup, list[str]]:
    """The setup that the page's ``values`` and the method's ``hyper`` describe; notes on grid
    ranges that had to be fixed (a range given upside down is turned round, an empty one widened by
    a decade each side)."""
    notes, axes = [], {}
    for prefix, param, label, *_ in GRIDS:
        lo, hi, n = float(values[f"{prefix}_lo"]), float(values[f"{prefix}_hi"]), int(values[f"{prefix}_n"])
        least, largest = grid_range(param)
        if lo > hi:
            lo, hi = hi, lo
            notes.append(f"{label}: the range was upside down; using {lo:g} to {hi:g}")
        elif lo == hi:
            lo, hi = max(lo / 10, least), min(hi * 10, largest)
            notes.append(f"{label}: the range was a single value; using {lo:g} to {hi:g}")
        axes[param] = Axis(param, lo, hi, n)
    setup = Setup(
        problem=values["ls"], C=int(values["C"]), optimizer=values["opt"],
        hyper=tuple(sorted((k, v) for k, v in hyper.items() if k != "final_lr")),
        starts=int(values["S"]), seed=int(values["seed"]), steps=int(values["T"]),
        final_lr=axes["final_lr"], gamma=axes["gamma"], lr=axes["lr"], sgdm_dampening=values["damp"])
    return setup, notes


def check_size(sweep: Sweep, what: str = "This sweep") -> None:
    """Raise :class:`SweepTooLarge` with a clear message when a sweep is over the caps."""
    cells = " + ".join(" x ".join(str(n) for n in g.shape) or "1" for g in sweep.groups)
    size = (f"{cells} cells x {sweep.n_starts} starts = {sweep.runs:,} runs x {sweep.steps:,} steps "
            f"= {sweep.run_steps / 1e6:,.1f} million run-steps")
    if sweep.run_steps > MAX_RUN_STEPS or sweep.runs > MAX_RUNS:
        raise SweepTooLarge(
            f"{what} would be {size}; the lab runs at most {MAX_RUN_STEPS / 1e6:,.0f} million "
            f"run-steps and {MAX_RUNS:,} runs per sweep. Use fewer grid values, fewer starts or a "
            f"shorter horizon.")


# ----------------------------------------------------------------------------- running


def chunks(sweep: Sweep) -> list[tuple[int, int]]:
    """``[start, stop)`` row ranges: the whole batch at once when it has at most CHUNK_RUNS rows,
    else even chunks of at most that many. The cut does not depend on the horizon, so the states
    kept at one horizon serve every later one."""
    count = -(-sweep.runs // CHUNK_RUNS)
    size = -(-sweep.runs // count)
    return [(a, min(a + size, sweep.runs)) for a in range(0, sweep.runs, size)]


def kept(t: int) -> bool:
    """Whether the state at step ``t`` (a multiple of CHECK_EVERY) is kept whatever the horizon:
    the round steps 100, 200, ..., 900, 1,000, 2,000, ... (one digit and zeros)."""
    return t % CHECK_EVERY == 0 and len(str(t).rstrip("0")) == 1


def pauses(after: int, steps: int, rows: int) -> list[int]:
    """The steps in ``(after, steps]`` at which a run of ``rows`` rows stops, ending at ``steps``:
    the kept round steps, the last multiple of CHECK_EVERY before the horizon (so that a longer
    horizon goes on from there), and every CHUNK_RUN_STEPS run-steps or so (a progress report)."""
    stride = max(1, CHUNK_RUN_STEPS // (rows * CHECK_EVERY)) * CHECK_EVERY
    last = (steps - 1) // CHECK_EVERY * CHECK_EVERY
    first = after // CHECK_EVERY * CHECK_EVERY + CHECK_EVERY
    grid = range(first, steps, CHECK_EVERY)
    return [t for t in grid if kept(t) or t % stride == 0 or t == last] + [steps]


class Carries:
    """The states of a sweep's runs at the steps where they paused (:func:`pauses`) and at their
    horizon, by the sweep without its horizon, the rows and the step; bounded by bytes and safe to
    share between sessions (a carry is read-only). Only what the final gap needs is kept: the
    iterate, the loss, the optimizer's state and when each run diverged.

    A run goes on only from a state on the CHECK_EVERY grid (there a run in one go checked its loss
    too); a state off the grid serves its own horizon alone."""

    def __init__(self, max_bytes: int):
        self.store = ByteStore(max_bytes)

    @staticmethod
    def key(sweep: Sweep, start: int, stop: int) -> tuple:
        return replace(sweep, steps=0), start, stop

    def latest(self, key: tuple, steps: int) -> oc.Carry | None:
        """The kept state at ``steps`` itself, else at the latest step before it on the
        CHECK_EVERY grid, if any."""
        carry = self.store.get((key, steps))
        if carry is not None:
            return carry
        for t in range((steps - 1) // CHECK_EVERY * CHECK_EVERY, 0, -CHECK_EVERY):
            carry = self.store.get((key, t))
            if carry is not None:
                return carry
        return None

    def keep(self, key: tuple, carry: oc.Carry) -> None:
        self.store.put((key, carry.t), carry._replace(records=()))


def _group_part(sweep: Sweep, group: Group, lo: int, hi: int) -> tuple[oc.Optimizer, np.ndarray]:
    """The optimizer for the group's local rows ``[lo, hi)`` (swept values as (B, 1) arrays) and
    the start index of each row."""
    rows = np.arange(lo, hi)
    cell, start = np.divmod(rows, sweep.n_starts)
    values = dict(group.fixed)
    if group.axes:
        index = np.unravel_index(cell, group.shape)
        for axis, i in zip(group.axes, index):
            values[axis.param] = axis.values()[i][:, None]
    return oc.OPTIMIZERS[group.optimizer].build(values), start


def run_rows(sweep: Sweep, start: int, stop: int, carries: Carries | None = None,
             progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The final gaps ``(stop - start,)`` of the batch rows ``[start, stop)``: one batched core run
    (a stack when the rows span several groups) that pauses at :func:`pauses`. With ``carries``,
    the run starts from the state kept at the horizon or the latest one before it, and keeps the
    states it passes and its last; the numbers are the same either way. ``progress(t)`` hears
    each pause."""
    problem = resolve(sweep.problem, sweep.C)
    points = start_points(problem, sweep.starts, sweep.seed)
    parts, start_index = [], []
    for group, (g_lo, g_hi) in zip(sweep.groups, sweep.group_rows()):
        lo, hi = max(start, g_lo), min(stop, g_hi)
        if lo < hi:
            opt, s = _group_part(sweep, group, lo - g_lo, hi - g_lo)
            parts.append((opt, hi - lo))
            start_index.append(s)
    optimizer = parts[0][0] if len(parts) == 1 else oc.stack(parts)
    key = Carries.key(sweep, start, stop)
    carry = None if carries is None else carries.latest(key, sweep.steps)
    x0 = points[np.concatenate(start_index)] if carry is None else None
    for t in pauses(0 if carry is None else carry.t, sweep.steps, stop - start):
        done = 0 if carry is None else carry.t
        if t > done:
            trace = oc.run(optimizer, problem, x0, t - done, record_every=CHECK_EVERY, trace_grads=False,
                           resume=carry)
            carry, x0 = trace.carry, None
            if carries is not None:
                carries.keep(key, carry)
        if progress is not None:
            progress(t)
    return final_gap(problem, carry.x, carry.diverged_at >= 0)


Runner = Callable[..., np.ndarray]  # (sweep, start, stop, progress) -> the rows' final gaps


def run_sweep(sweep: Sweep, progress: Progress | None = None, runner: Runner | None = None) -> np.ndarray:
    """Every row's final gap ``(runs,)``, chunk by chunk; ``progress(done, total)`` in run-steps
    at every pause. ``runner(sweep, start, stop, progress)`` does one chunk (a page passes
    :func:`run_rows` with its store of kept states); by default :func:`run_rows` from scratch."""
    check_size(sweep)
    if runner is None:
        runner = lambda sweep, a, b, heard: run_rows(sweep, a, b, progress=heard)  # noqa: E731
    out = np.empty(sweep.runs)
    for a, b in chunks(sweep):
        heard = None if progress is None else (lambda t, a=a, b=b: progress(a * sweep.steps + (b - a) * t,
                                                                             sweep.run_steps))
        out[a:b] = runner(sweep, a, b, heard)
    return out


def run_cell(sweep: Sweep, group_index: int, cell: Sequence[int], start: int | None = None) -> np.ndarray:
    """The check of a cell: its configuration alone, with plain scalar hyperparameters, from all
    its starts in one small batch (or from start ``start`` alone), in one go. Returns the final
    gaps."""
    group = sweep.groups[group_index]
    problem = resolve(sweep.problem, sweep.C)
    points = start_points(problem, sweep.starts, sweep.seed)
    if start is not None:
        points = points[start:start + 1]
    optimizer = oc.OPTIMIZERS[group.optimizer].build(group.cell_values(cell))
    trace = oc.run(optimizer, problem, points, sweep.steps, record_every=CHECK_EVERY, trace_grads=False)
    return final_gap(problem, trace.final_positions, trace.diverged)


def nearest_cell(group: Group, point: Sequence[float]) -> tuple[int, ...]:
    """The grid indices of the cell nearest to ``point`` (one coordinate per axis), in log space:
    how a click on a heat map maps back to a configuration."""
    return tuple(int(np.argmin(np.abs(np.log10(axis.values()) - np.log10(max(float(p), 1e-300)))))
                 for axis, p in zip(group.axes, point))


# ----------------------------------------------------------------------------- summaries


class CellStats(NamedTuple):
    """Per cell, over the starts (arrays of the group's grid shape; scalars for a group without
    axes). The median is a real start's gap (the lower middle one for an even count), so a cell
    is infinite (diverged) exactly when more than half its starts diverged."""

    median: np.ndarray
    lower: np.ndarray  # first quartile
    upper: np.ndarray  # third quartile
    diverged_share: np.ndarray  # share of starts that diverged


def group_gaps(sweep: Sweep, gaps: np.ndarray, group_index: int) -> np.ndarray:
    """``(*grid shape, starts)``: the rows of one group."""
    lo, hi = sweep.group_rows()[group_index]
    return gaps[lo:hi].reshape(*sweep.groups[group_index].shape, sweep.n_starts)


def cell_stats(sweep: Sweep, gaps: np.ndarray, group_index: int) -> CellStats:
    g = group_gaps(sweep, gaps, group_index)
    q = np.quantile(g, (0.25, 0.5, 0.75), axis=-1, method="inverted_cdf")  # no arithmetic on inf
    return CellStats(q[1], q[0], q[2], np.isinf(g).mean(axis=-1))


def playground_runs(setup: Setup, values: Mapping[str, Any]) -> dict[str, dict[str, Any]] | None:
    """What the playground shows for one cell's configuration ``values`` (the bounded optimizer's
    hyperparameters): it, SGD with momentum at lr = final_lr and the unbounded method at the same
    lr, as ``{optimizer key: hyperparameters}``; None for an online problem (the playground draws
    2-D landscapes)."""
    if is_online(setup.problem):
        return None
    return {
        setup.optimizer: dict(values),
        SGDM: {"lr": values["final_lr"], **sgdm_values(values, setup.sgdm_dampening)},
        REFERENCE[setup.optimizer]: reference_values(values),
    }
