"""Suggested hyperparameters per landscape: values that make each optimizer move sensibly on it,
measured rather than guessed (pure; no Streamlit).

For every optimizer one batched run sweeps ``lr`` over a log grid from the landscape's start, all
else at the library defaults; the suggestion is the rate with the lowest mean log loss gap over the
run among the runs that stayed finite and on the picture (the plot domain grown by MARGIN). The
mean over the whole run rewards steady progress: a rate that jumps about and lands near the minimum
by luck scores badly. The grid stops at ``MAX_STEP_FRACTION`` of the picture's size, so no path
crosses the picture in a few steps. Without a minimum value (the saddle) the lowest final loss on
the picture wins.

AdaBound and AMSBound take Adam's measured rate for their Adam phase and the measured momentum rate
as ``final_lr`` (the AdaBound authors' advice: ``final_lr`` near the SGD rate that works).
"""

from __future__ import annotations

import numpy as np

import optim_core as oc

from .fields import round_sig

LR_GRID = 10.0 ** np.linspace(-4, 0.5, 19)
TUNING_STEPS = 500
MARGIN = 0.1  # a run that goes farther than this fraction outside the domain is off the picture
MAX_STEP_FRACTION = 0.1


def _on_picture(landscape, positions: np.ndarray) -> np.ndarray:
    """(T+1, B, 2) -> (B,): the whole run stayed within the domain grown by MARGIN."""
    ok = np.ones(positions.shape[1], dtype=bool)
    for d, (lo, hi) in enumerate(landscape.domain):
        span = hi - lo
        p = positions[..., d]
        ok &= ((p >= lo - MARGIN * span) & (p <= hi + MARGIN * span)).all(axis=0)
    return ok


def _measured(landscape, keys: list[str]) -> dict[str, float]:
    size = max(hi - lo for lo, hi in landscape.domain)
    grid = LR_GRID[LR_GRID <= MAX_STEP_FRACTION * size]
    n = len(grid)
    parts = [(oc.OPTIMIZERS[k].build(lr=grid[:, None]), n) for k in keys]
    x0 = np.tile(np.asarray(landscape.start, dtype=np.float64), (n * len(keys), 1))
    trace = oc.run(oc.stack(parts), landscape, x0, TUNING_STEPS, trace_grads=False)
    if landscape.min_value is not None:
        score = np.log10(np.maximum(trace.loss - landscape.min_value, 0.0) + 1e-12).mean(axis=0)
    else:
        score = trace.final_loss.copy()
    score[trace.diverged | ~_on_picture(landscape, trace.positions)] = np.inf
    score = score.reshape(len(keys), n)
    best = {}
    for i, key in enumerate(keys):
        j = int(np.argmin(score[i])) if np.isfinite(score[i]).any() else 0
        best[key] = round_sig(grid[j], 2)
    return best


def suggest(landscape) -> dict[str, dict[str, float]]:
    """``{optimizer key: {hyperparameter: value}}`` for every optimizer of the registry."""
    measured = _measured(landscape, [k for k, spec in oc.OPTIMIZERS.items() if not spec.bounded])
    out = {k: {"lr": lr} for k, lr in measured.items()}
    for key, spec in oc.OPTIMIZERS.items():
        if spec.bounded:
            out[key] = {"lr": measured["adam"], "final_lr": measured["momentum"]}
    return out
