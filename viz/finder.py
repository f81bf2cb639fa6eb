"""The final_lr finder's figure: the smoothed loss of a learning-rate range test against the rate
(log axis), the band over runs, and vertical lines at its marks, the suggestion and, where one is
known, the stability limit. Pure Plotly: arrays in, figure out."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import plotly.graph_objects as go

from .colors import rgba
from .curves import FLOOR, log_ticks
from .network import FONT
from .sweeps import LIMIT_COLOR

MARK_COLOR = "#444444"  # the curve's own marks: not an optimizer, so no optimizer's hue
MARK_DASHES = ("dot", "dash", "dashdot", "longdash")
LOG_Y_DECADES = 2.0  # a loss spanning more than this many decades is drawn on a log axis


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _vline(fig: go.Figure, x: float, y_span: tuple[float, float], name: str, color: str, dash: str,
           width: float) -> None:
    """A vertical line at rate ``x`` across the drawn loss range, with its own legend entry."""
    fig.add_trace(go.Scatter(x=[x, x], y=list(y_span), mode="lines", name=name,
                             line=dict(color=color, dash=dash, width=width),
                             hovertemplate=f"{name}<extra></extra>"))


def finder_figure(rates, median_smoothed, low, high, marks: Mapping[str, float | None],
                  suggestion: float | None, color: str, *, limit: float | None = None,
                  limit_label: str = "stability limit", label: str = "median over runs",
                  height: int = 420) -> go.Figure:
    """The smoothed loss (median over runs) against the rate on a log x axis, the band between
    the lowest and highest run, a dashed line per mark (``{label: rate}``, None skipped), a solid
    line at the suggestion and, if given, one at a known stability ``limit``. Only the points where
    the median and the band are finite are drawn; the y axis is logarithmic when the drawn loss
    spans more than two decades (and is positive)."""
    rates = np.asarray(rates, dtype=np.float64)
    median = np.asarray(median_smoothed, dtype=np.float64)
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    keep = np.isfinite(rates) & (rates > 0) & np.isfinite(median) & np.isfinite(low) & np.isfinite(high)
    x, median, low, high = rates[keep], median[keep], low[keep], high[keep]

    drawn = np.concatenate([low, median, high])
    log_y = bool(drawn.size) and drawn.min() > 0 and math.log10(drawn.max() / drawn.min()) > LOG_Y_DECADES
    if log_y:
        low, median, high = (np.maximum(a, FLOOR) for a in (low, median, high))
        drawn = np.maximum(drawn, FLOOR)
    y_span = (float(drawn.min()), float(drawn.max())) if drawn.size else (1.0, 1.0)
    if log_y and median.size:  # past divergence the loss explodes: keep the axis to 100 x where it began
        y_span = (y_span[0], min(y_span[1], float(np.max(median[: max(1, median.size // 20)])) * 100.0))

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=high, mode="lines", line=dict(width=0), showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=low, mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor=rgba(color, 0.18), name="band over runs", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=median, mode="lines", name=label, line=dict(color=color, width=2.5),
                             hovertemplate="rate %{x:.3g}<br>smoothed loss %{y:.4g}<extra></extra>"))

    shown = [(name, rate) for name, rate in marks.items()
             if rate is not None and math.isfinite(rate) and rate > 0]
    for i, (name, rate) in enumerate(shown):
        _vline(fig, rate, y_span, f"{name} {_fmt(rate)}", MARK_COLOR, MARK_DASHES[i % len(MARK_DASHES)], 1.8)
    if suggestion is not None and math.isfinite(suggestion) and suggestion > 0:
        _vline(fig, suggestion, y_span, f"suggested {_fmt(suggestion)}", color, "solid", 3.0)
    if limit is not None and math.isfinite(limit) and limit > 0:
        _vline(fig, limit, y_span, f"{limit_label} {_fmt(limit)}", LIMIT_COLOR, "dash", 2.0)

    fig.update_xaxes(type="log", title_text="learning rate η (grows each step)", exponentformat="power",
                     **log_ticks(np.concatenate([x, [r for _, r in shown]])))
    y_axis = dict(type="log", exponentformat="power", range=[math.log10(y_span[0]), math.log10(y_span[1])],
                  **log_ticks(np.clip(drawn, *y_span))) if log_y else dict(type="linear")
    fig.update_yaxes(title_text="smoothed loss", **y_axis)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=50), font=dict(size=FONT),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      hovermode="closest")
    return fig
