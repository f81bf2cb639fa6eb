"""The batched run driver: one optimizer (or a stack of several) on one problem for T steps.

A *problem* is anything with ``loss(x, t) -> (B,)`` and ``gradient(x, t) -> (B, D)`` for
positions ``x`` of shape ``(B, D)`` and the step index ``t`` (counted from 1; 2-D landscapes ignore
it, online problems do not). Optionally it has ``project(x) -> x`` (a feasible set).

Conventions: ``positions[k]`` is the iterate after k steps (``positions[0]`` is the start);
step t evaluates the gradient of ``f_t`` at ``positions[t - 1]``; ``loss[k]`` is
``f_{k+1}(positions[k])``, so an online problem's regret over T steps sums ``loss[:T]``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol, Sequence

import numpy as np

from .base import Array, Optimizer, Update, per_run
from .schedules import CONSTANT, Schedule

# An iterate beyond this (in any coordinate) has left the finite world for our purposes.
DEFAULT_BOX = 1e8
MAX_STEPS = 1_000_000


class Problem(Protocol):
    def loss(self, x: Array, t: int) -> Array: ...

    def gradient(self, x: Array, t: int) -> Array: ...


class Carry(NamedTuple):
    """Where a batched run stands after ``t`` steps: all it needs to go on exactly as if it had not
    stopped. Read-only (the optimizers never write into their state), so one carry may be resumed
    any number of times."""

    t: int  # steps taken
    x: Array  # (B, D): the iterate after step t
    loss: Array  # (B,): the loss there
    state: Any  # the optimizer's state after step t
    diverged_at: Array  # (B,) int, as Trace.diverged_at
    records: tuple = ()  # the last record of grads, lr_eff, lr_eff_raw, bounds (what a run frozen
    #                      later repeats); None for what was not recorded


class Trace(NamedTuple):
    """The record of a batched run. All arrays are float64 and finite.

    ``steps`` lists the step indices t that were recorded (all of 1..T by default). After a run
    diverges, its entries hold the last finite values (it is frozen).
    """

    steps: Array  # (R,) int: recorded step indices t
    positions: Array  # (R+1, B, D): start, then the iterate after each recorded step
    loss: Array  # (R+1, B): loss at those positions
    grads: Array  # (R, B, D): gradient used at each recorded step (noise included)
    lr_eff: Array  # (R, B, D): effective learning rate applied at each recorded step
    lr_eff_raw: Array | None  # (R, B, D): before clipping (only if a bounded method ran)
    lower_bound: Array | None  # (R, B): clip bounds; 0 for runs of unbounded methods
    upper_bound: Array | None  # (R, B): clip bounds; inf for runs of unbounded methods
    diverged_at: Array  # (B,) int: step at which the run stopped being finite, -1 if never
    lr_scale: Array  # (R,): schedule factor lr_t / lr_0 at each recorded step
    carry: Carry | None = None  # where the run stands at its end, to go on from (run(resume=))

    @property
    def diverged(self) -> Array:
        return self.diverged_at >= 0

    @property
    def final_positions(self) -> Array:
        return self.positions[-1]

    @property
    def final_loss(self) -> Array:
        return self.loss[-1]


# ----------------------------------------------------------------------------- stacking


class StackState(NamedTuple):
    parts: tuple  # one state per stacked optimizer


def stack(parts: Sequence[tuple[Optimizer, int]]) -> Optimizer:
    """Run several optimizers in one batch: ``parts`` = ``[(optimizer, runs), ...]``; the batch
    holds their runs in that order (rows ``0..runs_0-1`` for the first, and so on).

    Unbounded members report ``lr_eff_raw = lr_eff`` and the bounds ``[0, inf)``.
    """
    parts = list(parts)
    if not parts:
        raise ValueError("stack needs at least one optimizer")
    sizes = [int(n) for _, n in parts]
    if any(n < 1 for n in sizes):
        raise ValueError(f"Invalid runs per optimizer: {sizes}; each must be >= 1")
    edges = np.concatenate([[0], np.cumsum(sizes)])
    slices = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
    bounded = any(opt.bounded for opt, _ in parts)

    def init(x0: Array) -> StackState:
        if x0.shape[0] != edges[-1]:
            raise ValueError(f"stack expects {edges[-1]} runs, got {x0.shape[0]}")
        return StackState(tuple(opt.init(x0[s]) for (opt, _), s in zip(parts, slices)))

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        delta = np.empty_like(grad)
        lr_eff = np.empty_like(grad)
        raw = np.empty_like(grad) if bounded else None
        low = np.zeros((grad.shape[0], 1)) if bounded else None
        high = np.full((grad.shape[0], 1), np.inf) if bounded else None
        new_states = []
        for (opt, _), s, sub in zip(parts, slices, state.parts):
            up = opt.update(grad[s], sub, t, params=None if params is None else params[s],
                            lr_scale=lr_scale)
            delta[s] = up.delta
            lr_eff[s] = up.lr_eff
            new_states.append(up.state)
            if bounded:
                raw[s] = up.lr_eff if up.lr_eff_raw is None else up.lr_eff_raw
                if up.lower_bound is not None:
                    low[s, 0] = per_run(up.lower_bound, s.stop - s.start)
                    high[s, 0] = per_run(up.upper_bound, s.stop - s.start)
        return Update(delta, StackState(tuple(new_states)), lr_eff, raw, low, high)

    name = "+".join(opt.name for opt, _ in parts)
    return Optimizer(name, init, update, bounded)


# ----------------------------------------------------------------------------- the driver


def gaussian_noise(steps: int, shape: tuple[int, int], std, seed) -> Array | None:
    """Gradient noise, ``(T, B, D)`` or ``(T, 1, D)``.

    ``seed`` an int: one noise sequence, shared by every run of the batch (common random numbers,
    so optimizers are compared on the same noise and a run's noise does not depend on its batch).
    ``seed`` a ``(B,)`` sequence: run b gets the sequence of ``seed[b]``.
    """
    std_arr = np.asarray(std, dtype=np.float64)
    if np.all(std_arr == 0):
        return None
    batch, dim = shape
    seeds = np.atleast_1d(np.asarray(seed))
    if seeds.size == 1:
        noise = np.random.default_rng(int(seeds[0])).standard_normal((steps, 1, dim))
    else:
        if seeds.shape != (batch,):
            raise ValueError(f"noise seeds: expected {batch}, got {seeds.shape}")
        noise = np.stack([np.random.default_rng(int(s)).standard_normal((steps, dim))
                          for s in seeds], axis=1)
    return noise * std_arr.reshape(1, -1, 1) if std_arr.ndim else noise * float(std_arr)


def run(optimizer: Optimizer, problem: Problem, x0, steps: int, *,
        schedule: Schedule = CONSTANT, noise_std=0.0, noise_seed=0, project=None,
        box: float = DEFAULT_BOX, record_every: int = 1, trace_grads: bool = True,
        resume: Carry | None = None) -> Trace:
    """Run ``optimizer`` on ``problem`` for ``steps`` steps from ``x0`` (shape ``(B, D)`` or
    ``(D,)``) and return the :class:`Trace`.

    ``noise_std`` (scalar or ``(B,)``) adds Gaussian noise to every gradient (see
    :func:`gaussian_noise`); ``project`` maps every iterate back onto a feasible set (default: the
    problem's own ``project`` if it has one); ``record_every = k`` keeps every k-th step (and the
    last), which bounds memory for long or wide runs. A run whose iterate leaves ``[-box, box]``
    (NaN included), or whose loss is not finite at a recorded step, is frozen at its last finite
    point, and ``diverged_at`` says when; nothing raises for it.

    ``resume``: go on from an earlier run's ``Trace.carry`` (``x0`` is then None) for ``steps``
    more steps, recording on the same grid of absolute steps (multiples of ``record_every``, and
    the last). The result is the one a single run would have given, bit for bit, when the earlier
    run ended on that grid: then both checked the loss at the same steps. Schedule and noise are
    taken at the absolute steps too.
    """
    if resume is None:
        x = np.array(x0, dtype=np.float64, copy=True)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or not np.all(np.isfinite(x)):
            raise ValueError(f"x0 must be finite with shape (B, D), got {np.shape(x0)}")
        t0 = 0
    elif x0 is not None:
        raise ValueError("pass either x0 or resume, not both")
    else:
        x, t0 = resume.x.copy(), int(resume.t)
    steps = int(steps)
    if not 1 <= steps <= MAX_STEPS - t0:
        raise ValueError(f"Invalid steps: {steps}; allowed range [1, {MAX_STEPS - t0}]")
    record_every = int(record_every)
    if record_every < 1:
        raise ValueError(f"Invalid record_every: {record_every}; an integer >= 1")
    if project is None:
        project = getattr(problem, "project", None)

    batch, dim = x.shape
    end = t0 + steps
    factors = schedule.factors(end)  # index t - 1, for absolute steps t
    noise = gaussian_noise(end, (batch, dim), noise_std, noise_seed)
    first = -(-(t0 + 1) // record_every) * record_every
    recorded = np.unique(np.r_[np.arange(first, end + 1, record_every), end])
    n_rec = recorded.size
    record_slot = np.full(end + 1, -1)
    record_slot[recorded] = np.arange(n_rec)

    positions = np.empty((n_rec + 1, batch, dim))
    loss = np.empty((n_rec + 1, batch))
    grads = np.empty((n_rec, batch, dim)) if trace_grads else None
    lr_eff = np.empty((n_rec, batch, dim))
    bounded = optimizer.bounded
    lr_raw = np.empty((n_rec, batch, dim)) if bounded else None
    low = np.empty((n_rec, batch)) if bounded else None
    high = np.empty((n_rec, batch)) if bounded else None

    if resume is None:
        if project is not None:
            x = project(x)
        with np.errstate(all="ignore"):
            fx = np.asarray(problem.loss(x, 1), dtype=np.float64)
        if not np.all(np.isfinite(fx)):
            raise ValueError("the loss is not finite at the start point")
        state = optimizer.init(x)
        diverged_at = np.full(batch, -1)
    else:
        fx, state, diverged_at = resume.loss, resume.state, resume.diverged_at.copy()
    positions[0] = x
    loss[0] = fx
    active = diverged_at < 0
    all_active = bool(active.all())
    frozen = np.flatnonzero(~active)

    with np.errstate(all="ignore"):
        for t in range(t0 + 1, end + 1):
            g = problem.gradient(x, t)
            if noise is not None:
                g = g + noise[t - 1]
            up = optimizer.update(g, state, t, params=x, lr_scale=factors[t - 1])
            state = up.state
            x_new = x + up.delta
            if project is not None:
                x_new = project(x_new)
            if not (all_active and inside_box(x_new, box)):
                ok = ~outside_box(x_new, box)
                newly = active & ~ok
                if newly.any():
                    diverged_at[newly] = t
                    active &= ok
                    all_active = False
                    frozen = np.flatnonzero(~active)
                x_new[frozen] = x[frozen]
            x_prev, x = x, x_new
            slot = record_slot[t]
            if slot >= 0:
                # the loss is only needed where it is recorded; a non-finite one there is a
                # divergence too, and the run is frozen at its previous iterate
                fx_new = problem.loss(x, t + 1)
                if not np.isfinite(fx_new.sum()):
                    bad = active & ~np.isfinite(fx_new)
                    diverged_at[bad] = t
                    active &= ~bad
                    all_active = False
                    frozen = np.flatnonzero(~active)
                    x[bad] = x_prev[bad]
                    fx_new[bad] = problem.loss(x[bad], t + 1) if bad.any() else fx_new[bad]
                    fx_new = np.where(np.isfinite(fx_new), fx_new, fx)
                fx = fx_new
            if slot >= 0:
                positions[slot + 1] = x
                loss[slot + 1] = fx
                if grads is not None:
                    grads[slot] = g
                lr_eff[slot] = up.lr_eff
                if bounded:
                    lr_raw[slot] = up.lr_eff_raw
                    low[slot] = per_run(up.lower_bound, batch)
                    high[slot] = per_run(up.upper_bound, batch)

    records = (grads, lr_eff, lr_raw, low, high)
    before = resume.records if resume is not None and resume.records else (None,) * len(records)
    if not all_active:
        for arr, last in zip(records, before):
            if arr is not None:
                _freeze_after_divergence(arr, recorded, diverged_at, last)
    carry = Carry(end, x, fx, state, diverged_at.copy(), tuple(None if a is None else a[-1].copy() for a in records))
    return Trace(recorded, positions, loss, grads, lr_eff, lr_raw, low, high, diverged_at,
                 factors[recorded - 1], carry)


def inside_box(x: Array, box: float) -> bool:
    """Fast path: every iterate inside the box (NaN fails both tests)."""
    return bool(x.min() >= -box and x.max() <= box)


def outside_box(x: Array, box: float) -> Array:
    """``(B,)``: the rows with a coordinate outside ``[-box, box]`` or NaN. A loop over the few
    columns: numpy's reduction along a short inner axis is ~100x slower."""
    out = ~(np.abs(x[:, 0]) <= box)
    for j in range(1, x.shape[1]):
        out |= ~(np.abs(x[:, j]) <= box)
    return out


def _freeze_after_divergence(arr: Array, recorded: Array, diverged_at: Array, before: Array | None = None) -> None:
    """From the step a run diverged on, repeat its last finite record: ``before`` (the record
    just before ``recorded[0]``, from a resumed run's carry) or 0 where there is none."""
    cols = np.flatnonzero(diverged_at >= 0)
    first_bad = np.searchsorted(recorded, diverged_at[cols])  # slot of each diverging step
    keep = first_bad < arr.shape[0]
    cols, first_bad = cols[keep], first_bad[keep]
    if cols.size == 0:
        return
    sub = arr[:, cols]
    last = sub[np.maximum(first_bad - 1, 0), np.arange(cols.size)]  # (n, ...)
    if before is not None:
        earlier = (first_bad == 0).reshape((-1,) + (1,) * (last.ndim - 1))
        last = np.where(earlier, before[cols], last)
    last = np.where(np.isfinite(last), last, 0.0)  # only possible where first_bad is 0
    after = np.arange(arr.shape[0])[:, None] >= first_bad[None, :]  # (R, n)
    after = after.reshape(after.shape + (1,) * (sub.ndim - 2))
    arr[:, cols] = np.where(after, last[None], sub)
