"""Step-by-step: what each optimizer saw and did at one step t of a playground run.

The run's trace holds the gradient each step used (noise included), the effective rates and the
bounds, but not the optimizer's state. :func:`step_details` replays each optimizer's own update over
the recorded gradients up to step t (gradients are not evaluated again, so the noise and the
landscape need not be) and reads its moments at t. The replayed step equals the trace's step: the
replay is the same update on the same inputs.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

import optim_core as oc

# The state's fields in the papers' vocabulary: (symbol, what it is).
MOMENT_NAMES: dict[str, tuple[str, str]] = {
    "momentum_buffer": ("m", "momentum buffer"),
    "exp_avg": ("m", "first moment"),
    "exp_avg_sq": ("v", "second moment"),
    "max_exp_avg_sq": ("v̂", "running max of v (AMSGrad)"),
    "sum_sq": ("G", "sum of squared gradients"),
    "square_avg": ("v", "mean squared gradient"),
    "grad_avg": ("ḡ", "mean gradient (centered)"),
    "exp_inf": ("u", "weighted infinity norm"),
}


class StepDetail(NamedTuple):
    """One optimizer at step t: it stood at ``x``, saw ``grad``, and moved by ``delta``."""

    key: str  # optimizer key
    t: int  # the step, 1..T
    x: np.ndarray  # (D,): the iterate before step t, x_{t-1}
    grad: np.ndarray  # (D,): g_t, the gradient used (noise included)
    moments: dict[str, np.ndarray]  # symbol -> (D,): the state after step t (m, v, ...)
    momentum: np.ndarray | None  # (D,): the moment the step follows (m), None for plain SGD/AdaGrad/RMSProp
    lr_eff: np.ndarray  # (D,): the rate applied
    lr_eff_raw: np.ndarray | None  # (D,): before clipping (bounded methods)
    lower_bound: float | None
    upper_bound: float | None
    delta: np.ndarray  # (D,): x_t - x_{t-1}, the update actually taken

    @property
    def clipped(self) -> list[str]:
        """Per coordinate: "lower", "upper" or "" (the bound that set the rate, if any)."""
        if self.lr_eff_raw is None:
            return [""] * len(self.lr_eff)
        return ["lower" if raw < self.lower_bound else "upper" if raw > self.upper_bound else ""
                for raw in self.lr_eff_raw]


def last_step(trace: oc.Trace, row: int) -> int:
    """The last step of run ``row`` that has a finite record (before it diverged)."""
    diverged_at = int(trace.diverged_at[row])
    return int(trace.steps[-1]) if diverged_at < 0 else max(diverged_at - 1, 0)


def step_details(trace: oc.Trace, optimizers: Sequence[tuple[str, oc.Optimizer]], t: int) -> list[StepDetail | None]:
    """At step ``t``, one detail per row of ``trace`` (built from ``optimizers[row]``), or None for
    a run that had diverged by then. ``trace`` must record every step (the playground's does)."""
    if not np.array_equal(trace.steps, np.arange(1, len(trace.steps) + 1)):
        raise ValueError("step details need a trace that records every step")
    t = int(t)
    if not 1 <= t <= len(trace.steps):
        raise ValueError(f"step {t} is outside the run's 1..{len(trace.steps)}")
    out = []
    for row, (key, optimizer) in enumerate(optimizers):
        if t > last_step(trace, row):
            out.append(None)
            continue
        positions, grads = trace.positions[:, row:row + 1], trace.grads[:, row:row + 1]
        state = optimizer.init(positions[0])
        for s in range(1, t + 1):
            update = optimizer.update(grads[s - 1], state, s, params=positions[s - 1],
                                      lr_scale=float(trace.lr_scale[s - 1]))
            state = update.state
        moments = {MOMENT_NAMES[name][0]: np.array(value[0]) for name, value in state._asdict().items()
                   if name in MOMENT_NAMES and value is not None}
        out.append(StepDetail(
            key=key, t=t, x=positions[t - 1, 0].copy(), grad=grads[t - 1, 0].copy(), moments=moments,
            momentum=moments.get("m"), lr_eff=np.array(update.lr_eff[0]),
            lr_eff_raw=None if update.lr_eff_raw is None else np.array(update.lr_eff_raw[0]),
            lower_bound=None if update.lower_bound is None else float(np.ravel(update.lower_bound)[0]),
            upper_bound=None if update.upper_bound is None else float(np.ravel(update.upper_bound)[0]),
            delta=np.array(update.delta[0])))
    return out


def detail_rows(details: Sequence[StepDetail | None], labels: Sequence[str], coordinates=("x", "y")) -> list[dict]:
    """The numbers at step t, one row per optimizer and coordinate: the gradient, the moments, the
    rate (and for a bounded method the unclipped rate, the bounds and which one set the rate) and
    the update. A run that had diverged by then gets one row that says so."""
    rows = []
    for label, d in zip(labels, details):
        if d is None:
            rows.append({"optimizer": label, "coordinate": "", "note": "diverged before this step"})
            continue
        clipped = d.clipped
        for i, name in enumerate(coordinates):
            row = {"optimizer": label, "coordinate": name, "g": float(d.grad[i])}
            row.update({symbol: float(value[i]) for symbol, value in d.moments.items()})
            row["lr_eff"] = float(d.lr_eff[i])
            if d.lr_eff_raw is not None:
                row.update({"lr_eff unclipped": float(d.lr_eff_raw[i]), "lower bound": d.lower_bound,
                            "upper bound": d.upper_bound, "clipped at": clipped[i] or "—"})
            row["update"] = float(d.delta[i])
            rows.append(row)
    return rows
