"""The rescaling view: the same optimizers from the same start on f and on f(x, s y), side by side
in the same window, animated on one slider, and how far each optimizer's two paths lie apart."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .animation import AnimatedFigure, add_controls, frame
from .background import Background, layout_image
from .runs import RunView
from .trajectory import add_paths, path_axes, path_frame, step_labels


def rescaling_figure(landscape, scaled, views: Sequence[RunView], scaled_views: Sequence[RunView], start,
                     background: Background, scaled_background: Background, *, s: float,
                     height: int = 520) -> go.Figure:
    """Left: the paths on ``landscape``; right: on ``scaled`` (f(x, s y)), over the same window
    (both backgrounds cover it) with linked axes. One play button and slider drive both panels."""
    fig = make_subplots(figure=AnimatedFigure(), rows=1, cols=2, horizontal_spacing=0.06, shared_yaxes=True,
                        subplot_titles=("on f(x, y)", f"on f(x, {s:g}·y)"))
    left = add_paths(fig, landscape, views, start, background, click_grid=0, row=1, col=1)
    first_right = len(fig.data)
    right = add_paths(fig, scaled, scaled_views, start, scaled_background, click_grid=0, row=1, col=2)
    for trace in fig.data[first_right:]:  # one legend entry per optimizer
        trace.showlegend = False
    if not np.array_equal(left.frames, right.frames):
        raise ValueError("both panels need runs of the same length")

    frames = []
    kinds = [trace.type for trace in fig.data]
    for k in left.frames:
        data, traces = path_frame(left, int(k))
        more_data, more_traces = path_frame(right, int(k))
        frames.append(frame(kinds, str(int(k)), data + more_data, traces + more_traces))
    fig.frames = frames
    add_controls(fig, [str(int(k)) for k in left.frames], step_labels(views, left.frames))

    for col in (1, 2):
        xaxis, yaxis = path_axes(background, x_anchor="x" if col == 1 else "x2")
        fig.update_xaxes(**xaxis, row=1, col=col)
        fig.update_yaxes(**yaxis, row=1, col=col)
    fig.update_xaxes(matches="x", row=1, col=2)  # pan or zoom one panel and the other follows
    fig.update_yaxes(title_text=None, row=1, col=2)
    fig.update_layout(images=[layout_image(background), layout_image(scaled_background, "x2", "y2")],
                      height=height, plot_bgcolor="white", margin=dict(l=50, r=50, t=60, b=170),
                      hovermode="closest", legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0),
                      uirevision=f"rescaling-{landscape.key}", dragmode="pan", modebar=dict(orientation="v"))
    return fig


def path_gap(a: RunView, b: RunView) -> float:
    """The largest distance between two runs' positions at the same step, over the steps where
    both are finite."""
    n = min(a.last_valid, b.last_valid) + 1
    return float(np.max(np.linalg.norm(a.positions[:n] - b.positions[:n], axis=-1)))


def _outcome(v: RunView) -> str:
    if v.diverged_at >= 0:
        return f"diverged at step {v.diverged_at}"
    return f"final loss {float(v.loss[v.last_valid]):.3g}"


def rescaling_rows(views: Sequence[RunView], scaled_views: Sequence[RunView], same_within: float,
                   close_within: float) -> list[dict]:
    """One row per optimizer: how its runs on f and on f(x, s y) ended, the largest distance between
    its two paths, and whether they are the same (within ``same_within``), close (within
    ``close_within``) or different. Paths of which only one diverged are different."""
    rows = []
    for v, w in zip(views, scaled_views):
        gap = path_gap(v, w)
        if (v.diverged_at < 0) != (w.diverged_at < 0) or gap > close_within:
            verdict = "different"
        else:
            verdict = "the same" if gap <= same_within else "close"
        rows.append({"optimizer": v.label, "on f": _outcome(v), "on f(x, s·y)": _outcome(w),
                     "largest distance between the paths": gap, "paths": verdict})
    return rows
