"""What a figure needs of one run: a row of a batched Trace, with its optimizer's name and colour."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from .colors import color_of


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


def frame_indices(n_positions: int, max_frames: int) -> np.ndarray:
    """Indices into positions (0 = start) for the animation's frames: evenly spread, both ends in."""
    n = min(n_positions, max_frames)
    return np.unique(np.round(np.linspace(0, n_positions - 1, n)).astype(int))
