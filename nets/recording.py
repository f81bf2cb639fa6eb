"""What is recorded about the rates: which parameters Fig. 1 follows, and the per-epoch summary
of every parameter's rate (numpy arrays in and out)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .models import Layout

SAMPLE_SEED = 0
N_SAMPLED = 10
# log10(lr_eff) from 1e-8 to 1e8 in quarter decades; counts add an underflow and an overflow bin.
HIST_EDGES = np.linspace(-8.0, 8.0, 65)
HIST_EDGES.setflags(write=False)
N_BINS = len(HIST_EDGES) + 1
_RATE_EDGES = 10.0**HIST_EDGES
PERCENTILES = (1, 10, 50, 90, 99)


def sampled_positions(layout: Layout, k: int = N_SAMPLED,
                      live_inputs: np.ndarray | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """``k`` positions in a model's flat parameter row and their names (``"fc1.weight[37, 5]"``),
    the same for every model: ``k - 1`` weights spread over the weight layers (the first layers take
    any remainder) and one bias of the last layer, as in the AdaBound paper's Figure 1. Drawn from
    a fixed generator, so a given architecture always follows the same parameters.

    ``live_inputs``: if given, the first layer's weights are drawn only where their last index (the
    input pixel) is in it, so that none reads a pixel that is blank in every training image.
    """
    if not 1 <= k <= layout.n_params:
        raise ValueError(f"Invalid number of sampled parameters: {k} (1 to {layout.n_params})")
    rng = np.random.default_rng(SAMPLE_SEED)
    weights = [i for i, name in enumerate(layout.names) if name.endswith(".weight")]
    counts = [(k - 1) // len(weights) + (j < (k - 1) % len(weights)) for j in range(len(weights))]
    chosen = []
    for j, (layer, count) in enumerate(zip(weights, counts)):
        candidates = np.arange(layout.sizes[layer])
        if j == 0 and live_inputs is not None:
            candidates = candidates[np.isin(candidates % layout.shapes[layer][-1], live_inputs)]
        chosen += list(layout.offsets[layer] + np.sort(rng.choice(candidates, count, replace=False)))
    last = len(layout.names) - 1
    chosen.append(layout.offsets[last] + int(rng.integers(layout.sizes[last])))
    index = np.array(chosen, dtype=np.int64)
    return index, tuple(layout.name_of(int(i)) for i in index)


class RateStats(NamedTuple):
    """The summary of every parameter's rate for N models; rates of inactive parameters are left
    out of everything but ``inactive``, so ``counts.sum(1) + inactive`` is the parameter count."""

    counts: np.ndarray  # (N, N_BINS) int: active rates per log10 bin; [0] below 1e-8, [-1] from 1e8
    inactive: np.ndarray  # (N,) int
    percentiles: np.ndarray  # (N, len(PERCENTILES)): of the active rates (numpy's linear method)
    lr_min: np.ndarray  # (N,)
    lr_max: np.ndarray  # (N,)


def rate_stats(lr_eff: np.ndarray, active: np.ndarray) -> RateStats:
    """Summarise rates ``lr_eff (N, P)`` over the parameters marked ``active (N, P)``. A model
    without an active parameter gets NaN percentiles and extremes.

    One sort per model gives all of it: the order statistics, and the histogram as the number of
    sorted rates below each edge (65 binary searches instead of one per parameter).
    """
    n, p = lr_eff.shape
    n_active = active.sum(1)
    ordered = np.sort(np.where(active, lr_eff, np.inf), axis=1)  # each row: its active rates first
    counts = np.empty((n, N_BINS), dtype=np.int64)
    for row, k in enumerate(n_active):
        below = np.searchsorted(ordered[row, :k], _RATE_EDGES, side="left")
        counts[row] = np.diff(below, prepend=0, append=k)

    last = np.maximum(n_active - 1, 0)[:, None]
    pos = last * (np.asarray(PERCENTILES, dtype=np.float64) / 100.0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, last)
    a, b = np.take_along_axis(ordered, lo, 1), np.take_along_axis(ordered, hi, 1)
    frac = pos - lo
    with np.errstate(invalid="ignore"):
        percentiles = np.where(frac > 0, a + (b - a) * frac, a)  # numpy's "linear" method
    lr_min, lr_max = ordered[:, 0].copy(), np.take_along_axis(ordered, last, 1)[:, 0]
    empty = n_active == 0
    percentiles[empty], lr_min[empty], lr_max[empty] = np.nan, np.nan, np.nan
    return RateStats(counts, p - n_active, percentiles, lr_min, lr_max)
