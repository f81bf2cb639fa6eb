"""What a figure needs of one run: a row of a batched Trace, with its optimizer's name and colour."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

import optim_core as oc

from .colors import color_of

MAX_POINTS = 4000  # points per line shipped to the browser at most


class RunView(NamedTuple):
    key: str  # optimizer key (colour, legend group)
    label: str  # legend text
    color: str
    steps: np.ndarray  # (R,) recorded step indices t
    positions: np.ndarray  # (R+1, D)
    loss: np.ndarray  # (R+1,)
    lr_eff: np.ndarray  # (R, D)
    lr_eff_raw: np.ndarray | None  # (R, D), bounded methods only
    lower_bound: np.ndarray | None  # (R,)
    upper_bound: np.ndarray | None  # (R,)
    diverged_at: int  # -1 if never

    @property
    def bounded(self) -> bool:
        return self.lower_bound is not None

    @property
    def last_valid(self) -> int:
        """Index into positions of the last finite iterate before divergence (or the end)."""
        if self.diverged_at < 0:
            return len(self.positions) - 1
        return int(np.searchsorted(self.steps, self.diverged_at))


def views_from_trace(trace, keys: Sequence[str], labels: Sequence[str] | None = None,
                     bounded: Sequence[bool] | None = None) -> list[RunView]:
    """One view per row b of ``trace``; ``keys[b]`` names its optimizer."""
    labels = labels or keys
    views = []
    for b, key in enumerate(keys):
        has_bounds = trace.lower_bound is not None and (bounded is None or bounded[b])
        views.append(RunView(
            key=key, label=labels[b], color=color_of(key), steps=trace.steps,
            positions=trace.positions[:, b], loss=trace.loss[:, b], lr_eff=trace.lr_eff[:, b],
            lr_eff_raw=trace.lr_eff_raw[:, b] if has_bounds else None,
            lower_bound=trace.lower_bound[:, b] if has_bounds else None,
            upper_bound=trace.upper_bound[:, b] if has_bounds else None,
            diverged_at=int(trace.diverged_at[b])))
    return views


PACES = ("even", "log")


def frame_indices(n_positions: int, max_frames: int, pace: str = "even") -> np.ndarray:
    """Indices into positions (0 = start) for the animation's frames, both ends in: evenly spread,
    or with ``pace="log"`` evenly in log t, so that the first steps, where most optimizers move
    most, get most of the frames and the motion stays visible to the end."""
    n = min(n_positions, max_frames)
    last = n_positions - 1
    if pace == "log" and last > n:
        steps = np.geomspace(1, last, n - 1)
        return np.unique(np.concatenate([[0], np.round(steps).astype(int)]))
    if pace not in PACES:
        raise ValueError(f"Invalid pace: {pace!r}; one of {', '.join(PACES)}")
    return np.unique(np.round(np.linspace(0, last, n)).astype(int))


# ----------------------------------------------------------------------------- thinning
#
# A run may be 100,000 steps long; a browser needs far fewer points to draw a line. Thinning keeps
# the first, last, smallest and largest value of each of a set of buckets, so the envelope of an
# oscillation survives; the buckets are spaced both evenly and geometrically in t, so a line keeps
# its shape on a linear and on a logarithmic t axis.


def _bucket_starts(n: int, buckets: int) -> np.ndarray:
    """Start indices of about ``buckets`` buckets over ``range(n)``: half evenly spaced, half
    geometrically (fine at small t, for a log axis)."""
    half = max(buckets // 2, 1)
    even = np.linspace(0, n, half + 1)[:-1]
    geometric = np.geomspace(1, n, half + 1)[:-1]
    return np.unique(np.concatenate([[0], np.floor(even), np.floor(geometric)]).astype(np.int64))


def _extreme_indices(y: np.ndarray, starts: np.ndarray, reduce) -> np.ndarray:
    """The index of the first occurrence of each bucket's ``reduce`` (np.minimum or np.maximum)."""
    lengths = np.diff(np.append(starts, len(y)))
    bucket = np.repeat(np.arange(len(starts)), lengths)
    best = reduce.reduceat(y, starts)
    hits = np.flatnonzero(y == best[bucket])
    _, first = np.unique(bucket[hits], return_index=True)
    return hits[first]


def thin_indices(series: Sequence[np.ndarray], max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted indices into series of equal length N that keep each one's shape: all of them when
    N <= max_points, else each bucket's first and last index and every series' minimum and maximum
    in it; never more than ``max_points``."""
    n = len(series[0])
    if n <= max_points:
        return np.arange(n)
    per_bucket = 2 + 2 * len(series)
    starts = _bucket_starts(n, max_points // per_bucket)
    ends = np.append(starts[1:], n) - 1
    parts = [starts, ends]
    for y in series:
        y = np.asarray(y, dtype=np.float64)
        parts += [_extreme_indices(y, starts, np.minimum), _extreme_indices(y, starts, np.maximum)]
    return np.unique(np.concatenate(parts))


def registry_views(trace, keys: Sequence[str]) -> list[RunView]:
    """One view per row of ``trace``, labelled and marked bounded from the optimizer registry."""
    specs = [oc.OPTIMIZERS[k] for k in keys]
    return views_from_trace(trace, keys, [s.label for s in specs], bounded=[s.bounded for s in specs])
