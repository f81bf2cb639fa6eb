"""Step-by-step: the map at one step t, with arrows for what each optimizer saw and did there."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go

from .background import Background, layout_image
from .runs import RunView
from .trajectory import path_at, add_paths, path_axes

# What an arrow shows, drawn from the point x_{t-1}: (label, dash, width). The gradient and the
# momentum point downhill (their negatives), so all three compare with the step taken.
ARROWS: dict[str, tuple[str, str, float]] = {
    "gradient": ("−g, the gradient (downhill)", "dot", 2.5),
    "momentum": ("−m, the moment the step follows", "dash", 2.5),
    "update": ("the update taken, x_t − x_{t−1}", "solid", 4.0),
}
LONGEST = 0.25  # the longest arrow's length, as a share of the window's larger side
SHORTEST = 0.004  # arrows shorter than this share of the window are not drawn (they would be a dot)


class Arrow(NamedTuple):
    key: str  # optimizer key
    kind: str  # a key of ARROWS
    origin: np.ndarray  # (2,)
    vector: np.ndarray  # (2,), in data units before scaling


def arrows_of(views: Sequence[RunView], details, kinds: Sequence[str]) -> list[Arrow]:
    """The arrows to draw: for each run that has a detail at this step, each chosen kind it has."""
    out = []
    for v, d in zip(views, details):
        if d is None:
            continue
        vectors = {"gradient": -d.grad, "momentum": None if d.momentum is None else -d.momentum,
                   "update": d.delta}
        out += [Arrow(v.key, kind, d.x, vectors[kind]) for kind in kinds if vectors.get(kind) is not None]
    return out


def arrow_scale(arrows: Sequence[Arrow], span: float) -> float:
    """One scale for every arrow: the longest is LONGEST of the window."""
    longest = max((float(np.hypot(*a.vector)) for a in arrows), default=0.0)
    return LONGEST * span / longest if longest > 0 else 1.0


def step_figure(landscape, views: Sequence[RunView], details, start, background: Background, t: int, *,
                kinds: Sequence[str] = tuple(ARROWS), per_kind: bool = False,
                height: int = 560) -> tuple[go.Figure, dict[str, float], list[Arrow]]:
    """The whole paths faintly, each path up to x_{t-1} and its point there, and the chosen arrows:
    at one common scale (true proportions), or with ``per_kind`` each kind at its own scale (the
    directions, when a gradient of thousands would hide a step of 1e-3). Returns the figure, the
    scale of each kind and the arrows too short to draw."""
    fig = go.Figure()
    layer = add_paths(fig, landscape, views, start, background, click_grid=0)
    for path_trace, v, path_idx in layer.animated:
        path, head = path_at(v, path_idx, max(t - 1, 0), frame=False)
        fig.data[path_trace].update(x=path.x, y=path.y)
        fig.data[path_trace + 1].update(x=head.x, y=head.y, customdata=head.customdata)
    (x0, x1), (y0, y1) = background.x_range, background.y_range
    span = max(x1 - x0, y1 - y0)
    arrows = arrows_of(views, details, kinds)
    common = arrow_scale(arrows, span)
    scale = {kind: arrow_scale([a for a in arrows if a.kind == kind], span) if per_kind else common
             for kind in kinds}
    color = {v.key: v.color for v in views}
    label = {v.key: v.label for v in views}
    too_short = []
    for a in arrows:
        end = a.origin + scale[a.kind] * a.vector
        if np.hypot(*(end - a.origin)) < SHORTEST * span:
            too_short.append(a)
            continue
        text, dash, width = ARROWS[a.kind]
        fig.add_trace(go.Scatter(
            x=[a.origin[0], end[0]], y=[a.origin[1], end[1]], mode="lines+markers",
            line=dict(color=color[a.key], width=width, dash=dash),
            marker=dict(symbol="arrow", angleref="previous", size=[0, 16], color=color[a.key]),
            legendgroup=a.key, showlegend=False, name=f"{label[a.key]}: {a.kind}",
            hovertemplate=f"{label[a.key]}: {text}<br>({a.vector[0]:.4g}, {a.vector[1]:.4g})<extra></extra>"))
    for kind in kinds:  # the legend of arrow kinds, in grey
        text, dash, width = ARROWS[kind]
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text,
                                 line=dict(color="#444", width=width, dash=dash)))
    xaxis, yaxis = path_axes(background)
    fig.update_layout(
        images=[layout_image(background)], height=height, margin=dict(l=50, r=20, t=10, b=40),
        xaxis=xaxis, yaxis=yaxis, plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
        hovermode="closest", dragmode="pan", uirevision=landscape.key, modebar=dict(orientation="v"))
    return fig, scale, too_short
