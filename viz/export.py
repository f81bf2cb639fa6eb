"""Downloads: the trajectories as CSV and a figure as a standalone HTML page."""

from __future__ import annotations

import io
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .colors import param_name
from .runs import RunView


def trajectories_csv(views: Sequence[RunView]) -> str:
    """One row per optimizer and recorded step: position, loss, and each coordinate's lr_eff."""
    if not views:
        return ""
    dim = views[0].positions.shape[1]
    coords = [param_name(d) for d in range(dim)]
    header = ["optimizer", "step", *coords, "loss", *(f"lr_eff_{c}" for c in coords), "diverged"]
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for v in views:
        steps = np.concatenate([[0], v.steps])
        lr = np.vstack([np.full((1, dim), np.nan), v.lr_eff])  # no rate before the first step
        for i, t in enumerate(steps):
            diverged = v.diverged_at >= 0 and t >= v.diverged_at
            cells = [v.label, str(int(t)), *(f"{x:.17g}" for x in v.positions[i]), f"{v.loss[i]:.17g}",
                     *("" if np.isnan(r) else f"{r:.17g}" for r in lr[i]), "1" if diverged else "0"]
            out.write(",".join(cells) + "\n")
    return out.getvalue()


def figure_html(fig: go.Figure) -> str:
    """A page that works offline: plotly.js is embedded."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False)
