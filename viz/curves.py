"""Loss and distance to the nearest minimum against step, and the results table."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .runs import RunView, thin_indices

FLOOR = 1e-16  # log axes: a gap of exactly 0 is drawn at this floor


def nearest_minimum_distance(positions: np.ndarray, landscape) -> np.ndarray | None:
    """Euclidean distance from each position ``(..., 2)`` to the landscape's nearest minimum."""
    nearest = landscape.nearest_minimum(positions)
    return None if nearest is None else np.sqrt(((positions - nearest) ** 2).sum(-1))


def log_ticks(values) -> dict:
    """Tick spacing for a log axis over ``values``: labels at 1, 2, 5 within a few decades, at every
    power of ten up to ten decades, and every few powers beyond (a diverging run spans fifty)."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0])
    decades = np.log10(v.max() / v.min()) if v.size else 0.0
    if decades < 3:
        return {"dtick": "D2"}
    return {"dtick": 1 if decades <= 10 else int(np.ceil(decades / 8))}


def _step_axis(v: RunView) -> np.ndarray:
    return np.concatenate([[0], v.steps])


def _two_panels(titles: Sequence[str], spacing: float) -> dict:
    """The layout of two side-by-side panels (x/y and x2/y2) with their titles, as
    ``make_subplots(rows=1, cols=2)`` lays them out, written directly: this figure is rebuilt on
    every playground rerun, and make_subplots cost it 40 % of its time."""
    width = (1 - spacing) / 2
    domains = ([0.0, width], [width + spacing, 1.0])
    layout: dict = {"annotations": [
        dict(text=title, x=(lo + hi) / 2, y=1.0, xref="paper", yref="paper", xanchor="center",
             yanchor="bottom", showarrow=False, font=dict(size=16)) for title, (lo, hi) in zip(titles, domains)]}
    for i, domain in enumerate(domains):
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = dict(domain=domain, anchor=f"y{suffix}", title_text="step t")
        layout[f"yaxis{suffix}"] = dict(domain=[0.0, 1.0], anchor=f"x{suffix}", exponentformat="power")
    return layout


def loss_figure(views: Sequence[RunView], landscape, *, height: int = 380) -> go.Figure:
    """Left: f - f* on a log axis (f itself, linear, where there is no minimum value); right: the
    distance to the nearest minimum (log). Each path stops where its run diverged; long runs are
    thinned to a few thousand points per line, each stretch's extremes kept."""
    min_value = landscape.min_value
    has_gap = min_value is not None
    gaps, dists, traces = [], [], []
    for v in views:
        n = v.last_valid + 1
        y = np.maximum(v.loss[:n] - min_value, FLOOR) if has_gap else v.loss[:n]
        dist = nearest_minimum_distance(v.positions[:n], landscape)
        keep = thin_indices([y] if dist is None else [y, dist])
        t, y = _step_axis(v)[:n][keep], y[keep]
        line = dict(mode="lines", name=v.label, legendgroup=v.key, line=dict(color=v.color, width=2),
                    hovertemplate=f"{v.label}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>")
        traces.append(go.Scatter(x=t, y=y, xaxis="x", yaxis="y", **line))
        gaps.append(y)
        if dist is not None:
            dist = np.maximum(dist[keep], FLOOR)
            traces.append(go.Scatter(x=t, y=dist, xaxis="x2", yaxis="y2", showlegend=False, **line))
            dists.append(dist)
    layout = _two_panels(("loss gap f − f*" if has_gap else "loss f", "distance to the nearest minimum"), 0.09)
    layout["yaxis"].update(type="log" if has_gap else "linear",
                           **(log_ticks(np.concatenate(gaps)) if has_gap and gaps else {}))
    layout["yaxis2"].update(type="log", **log_ticks(np.concatenate(dists or [[1.0]])))
    layout.update(height=height, margin=dict(l=50, r=20, t=40, b=40),
                  legend=dict(orientation="h", yanchor="bottom", y=1.12, x=0))
    return go.Figure(data=traces, layout=layout)


def results_rows(views: Sequence[RunView], landscape, tol: float) -> list[dict]:
    """One row per run: final loss, final distance, the first step within ``tol`` of a minimum,
    and the step it diverged at."""
    min_value = landscape.min_value
    rows = []
    for v in views:
        dist = nearest_minimum_distance(v.positions, landscape)
        reached = None
        if dist is not None:
            hit = np.flatnonzero(dist[: v.last_valid + 1] <= tol)
            reached = int(_step_axis(v)[hit[0]]) if hit.size else None
        last = v.last_valid
        rows.append({
            "optimizer": v.label,
            "final loss": float(v.loss[last]),
            "final gap f − f*": None if min_value is None else float(v.loss[last] - min_value),
            "final distance": None if dist is None else float(dist[last]),
            f"first step within {tol:.2g} of a minimum": reached,
            "diverged at step": v.diverged_at if v.diverged_at >= 0 else None,
        })
    return rows
