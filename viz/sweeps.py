"""The final_lr lab's figures: heat maps of the median final loss gap over a hyperparameter grid
(log colour, diverged cells marked, the curvature's stability limit drawn) and the line view of the
gap against final_lr. Pure Plotly: arrays in, figures out."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go

from .colors import color_of, rgba
from .curves import FLOOR

COLORSCALE = "Viridis"  # dark = small gap, yellow = large
DIVERGED_BG = "#c8c8c8"  # a diverged cell is grey, with a ✕, outside the colour scale
DIVERGED_MARK = "#2b2b2b"
LIMIT_COLOR = "#d400d4"  # the stability limit: not an optimizer, so a hue none of them uses
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Limit(NamedTuple):
    """A vertical line at ``x`` (a largest stable final_lr or lr), labelled and coloured."""

    x: float
    label: str
    color: str = LIMIT_COLOR
    dash: str = "dash"


class Boundary(NamedTuple):
    """A curve across a heat map, drawn where it lies on the grid."""

    x: np.ndarray
    y: np.ndarray
    label: str
    color: str = LIMIT_COLOR
    dash: str = "dot"


def power_label(exponent: int) -> str:
    return f"10{str(int(exponent)).translate(SUPERSCRIPT)}"


def log_edges(values: np.ndarray) -> np.ndarray:
    """Cell edges of a log grid: geometric midpoints, and half a step beyond each end."""
    v = np.log10(np.asarray(values, dtype=np.float64))
    if v.size == 1:
        return 10.0 ** np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return 10.0 ** np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def log_gap(gap: np.ndarray) -> np.ndarray:
    """log10 of a gap, floored at FLOOR; NaN where it is infinite (diverged)."""
    gap = np.asarray(gap, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.log10(np.maximum(gap, FLOOR))
    return np.where(np.isfinite(gap), out, np.nan)


def color_range(log_values: np.ndarray, top: float | None) -> tuple[int, int]:
    """Whole decades covering the finite values, capped above at ``top`` (log10) if given."""
    finite = log_values[np.isfinite(log_values)]
    if finite.size == 0:
        return 0, 1
    lo, hi = math.floor(finite.min()), math.ceil(finite.max())
    if top is not None:
        hi = min(hi, math.ceil(top))
    return lo, max(hi, lo + 1)


FLOOR_EXPONENT = round(math.log10(FLOOR))


def decade_ticks(lo: int, hi: int, capped: bool = False) -> tuple[list[int], list[str]]:
    """At most about 9 decades labelled as powers of ten; the floor reads "≤", a cap "≥"."""
    step = max(1, math.ceil((hi - lo) / 8))
    ticks = list(range(lo, hi + 1, step))
    labels = [power_label(t) for t in ticks]
    if ticks[0] <= FLOOR_EXPONENT:
        labels[0] = "≤ " + labels[0]
    if capped and ticks[-1] == hi:
        labels[-1] = "≥ " + labels[-1]
    return ticks, labels


def _colorbar(lo: int, hi: int, title: str, capped: bool) -> dict:
    ticks, labels = decade_ticks(lo, hi, capped)
    return dict(title=dict(text=title, side="right"), tickvals=ticks, ticktext=labels, thickness=14)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def heatmap_figure(x_values: np.ndarray, y_values: np.ndarray, median: np.ndarray,
                   diverged_share: np.ndarray, *, x_title: str, y_title: str, x_name: str,
                   y_name: str, gap_title: str, n_starts: int, limit: Limit | None = None,
                   boundary: Boundary | None = None, color_span: tuple[int, int] | None = None,
                   height: int = 460) -> go.Figure:
    """The median final gap over a ``(len(x_values), len(y_values))`` grid, both axes log.

    Cells whose median diverged (more than half of the starts) are left grey with a ✕. A
    transparent marker sits on every cell: it carries the hover text and makes cells clickable
    (Plotly reports no selection on heat maps). ``limit`` is a vertical line, ``boundary`` any
    curve; ``color_span`` (log10 gaps, whole decades) fixes the colour scale, so that several maps
    share it; values above it take the top colour.
    """
    x_values, y_values = np.asarray(x_values, float), np.asarray(y_values, float)
    z = log_gap(median).T  # heat map rows are y
    lo, hi = color_span or color_range(z, None)
    capped = np.nanmax(z, initial=-np.inf) > hi
    fig = go.Figure(go.Heatmap(
        x=log_edges(x_values), y=log_edges(y_values), z=z, zmin=lo, zmax=hi, colorscale=COLORSCALE,
        colorbar=_colorbar(lo, hi, gap_title, capped), hoverinfo="skip", name="median gap"))

    X, Y = np.meshgrid(x_values, y_values)  # (ny, nx), like z
    share = np.asarray(diverged_share, float).T
    gaps = np.asarray(median, float).T
    text = np.vectorize(lambda x, y, g, s: (
        f"{x_name} {_fmt(x)}<br>{y_name} {_fmt(y)}<br>"
        + (f"median gap {g:.3g}" if np.isfinite(g) else "diverged (median start)")
        + f"<br>{round(s * n_starts)} of {n_starts} starts diverged"), otypes=[str])(X, Y, gaps, share)
    fig.add_trace(go.Scatter(
        x=X.ravel(), y=Y.ravel(), mode="markers", text=text.ravel(), name="cells",
        hovertemplate="%{text}<br><i>click: open on the playground</i><extra></extra>",
        marker=dict(symbol="square-open", size=13, color="white", opacity=0, line=dict(width=2.5)),
        selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0)),
        showlegend=False))

    bad = ~np.isfinite(z)
    if bad.any():  # grey cells of their own, outside the colour scale
        fig.add_trace(go.Heatmap(
            x=log_edges(x_values), y=log_edges(y_values), z=np.where(bad, 1.0, np.nan), zmin=0, zmax=1,
            colorscale=[[0, DIVERGED_BG], [1, DIVERGED_BG]], showscale=False, hoverinfo="skip",
            name="diverged cells"))
        fig.add_trace(go.Scatter(
            x=X[bad], y=Y[bad], mode="markers", name="diverged (over half the starts)",
            marker=dict(symbol="x-thin", size=7, line=dict(width=1.5, color=DIVERGED_MARK)),
            selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)),  # a click
            hoverinfo="skip"))  # on a cell must not fade them
    x_edges, y_edges = log_edges(x_values), log_edges(y_values)
    if limit is not None:
        _add_limit(fig, limit, (y_edges[0], y_edges[-1]), (x_edges[0], x_edges[-1]))
    if boundary is not None:
        bx, by = np.asarray(boundary.x, float), np.asarray(boundary.y, float)
        on = (bx >= x_edges[0]) & (bx <= x_edges[-1]) & (by >= y_edges[0]) & (by <= y_edges[-1])
        if on.any():
            fig.add_trace(go.Scatter(x=bx[on], y=by[on], mode="lines", name=boundary.label,
                                     line=dict(color=boundary.color, width=2.5, dash=boundary.dash),
                                     hovertemplate=f"{boundary.label}<extra></extra>"))
    fig.update_xaxes(type="log", title_text=x_title, exponentformat="power", showgrid=False,
                     range=np.log10([x_edges[0], x_edges[-1]]).tolist(), ticks="outside")
    fig.update_yaxes(type="log", title_text=y_title, exponentformat="power", showgrid=False,
                     range=np.log10([y_edges[0], y_edges[-1]]).tolist(), ticks="outside")
    fig.update_layout(height=height, plot_bgcolor="white", hovermode="closest",
                      hoverdistance=-1,  # anywhere in a cell picks its marker, for hover and click
                      margin=dict(l=70, r=20, t=30, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0))
    return fig


def _add_limit(fig: go.Figure, limit: Limit, y_span: tuple[float, float],
               x_span: tuple[float, float]) -> None:
    """A vertical line at the limit; an arrow at the edge when the limit is off the grid."""
    if x_span[0] <= limit.x <= x_span[1]:
        fig.add_trace(go.Scatter(
            x=[limit.x, limit.x], y=list(y_span), mode="lines", name=limit.label,
            line=dict(color=limit.color, width=2.5, dash=limit.dash),
            hovertemplate=f"{limit.label}<extra></extra>"))
        return
    right = limit.x > x_span[1]
    fig.add_annotation(
        x=1 if right else 0, xref="paper", y=1, yref="paper", yanchor="bottom",
        xanchor="right" if right else "left", showarrow=False, font=dict(color=limit.color),
        text=f"{limit.label} ({'right' if right else 'left'} of the grid) {'→' if right else '←'}")


class Curve(NamedTuple):
    """One method in the line view: medians and quartiles over the starts at each x (None: a flat
    reference, scalars)."""

    key: str  # optimizer key: its colour
    label: str
    x: np.ndarray | None
    median: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def line_figure(curves: Sequence[Curve], x_range: tuple[float, float], *, x_title: str,
                gap_title: str, limits: Sequence[Limit] = (), height: int = 420,
                right_margin: int = 20) -> go.Figure:
    """Median gap against final_lr per method, the quartiles shaded; a diverged median is a gap in
    its line and a ✕ in its colour along the top; a flat reference spans the whole axis.
    ``right_margin`` can line its x axis up with heat maps that carry a colour bar."""
    logs = [log_gap(np.atleast_1d(v)) for c in curves for v in (c.median, c.lower, c.upper)]
    finite = np.concatenate([v[np.isfinite(v)] for v in logs]) if logs else np.array([])
    lo = math.floor(finite.min()) if finite.size else -1.0
    hi = math.ceil(finite.max()) if finite.size else 1.0
    hi = max(hi, lo + 1)
    ceiling = hi + 0.6  # where the ✕ of a diverged median sits, above every finite value
    row_gap = 0.45  # each method's ✕ row a little higher than the previous one's

    def shown(v):  # log10 gap to draw: diverged quartiles reach the top
        out = log_gap(np.atleast_1d(v))
        return 10.0 ** np.where(np.isnan(out), ceiling, out)

    fig = go.Figure()
    rows = 0
    for c in curves:
        color = color_of(c.key)
        x = np.asarray(x_range, float) if c.x is None else np.asarray(c.x, float)
        widen = (lambda v: np.full(2, float(v))) if c.x is None else (lambda v: np.asarray(v, float))
        median, lower, upper = widen(c.median), widen(c.lower), widen(c.upper)
        fig.add_trace(go.Scatter(x=x, y=shown(upper), mode="lines", line=dict(width=0),
                                 legendgroup=c.key, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=shown(lower), mode="lines", line=dict(width=0), fill="tonexty",
                                 fillcolor=rgba(color, 0.15), legendgroup=c.key, showlegend=False,
                                 hoverinfo="skip", name=f"{c.label} quartiles"))
        y = np.where(np.isfinite(median), np.maximum(median, FLOOR), np.nan)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines" if c.x is None else "lines+markers", name=c.label,
            legendgroup=c.key, line=dict(color=color, width=2.5, dash="dash" if c.x is None else "solid"),
            marker=dict(size=5), connectgaps=False,
            hovertemplate=f"{c.label}<br>%{{x:.3g}}<br>median gap %{{y:.3g}}<extra></extra>"))
        dead = ~np.isfinite(median)
        if c.x is not None and dead.any():
            fig.add_trace(go.Scatter(
                x=x[dead], y=np.full(int(dead.sum()), 10.0 ** (ceiling + rows * row_gap)), mode="markers",
                marker=dict(symbol="x-thin", size=9, line=dict(width=2, color=color)),
                legendgroup=c.key, showlegend=False, name=f"{c.label} diverged",
                hovertemplate=f"{c.label} diverged (median start)<br>%{{x:.3g}}<extra></extra>"))
            rows += 1
    top = ceiling + max(rows - 1, 0) * row_gap + 0.3
    if rows:  # a legend entry explaining the ✕ rows
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="diverged (median start)",
                                 marker=dict(symbol="x-thin", size=9, line=dict(width=2, color=DIVERGED_MARK))))
    for limit in limits:
        if x_range[0] <= limit.x <= x_range[1]:
            fig.add_trace(go.Scatter(
                x=[limit.x, limit.x], y=[10.0 ** (lo - 0.3), 10.0 ** top], mode="lines",
                name=limit.label, line=dict(color=limit.color, width=2, dash=limit.dash),
                hovertemplate=f"{limit.label}<extra></extra>"))
    exponents, labels = decade_ticks(int(lo), int(hi))
    fig.update_yaxes(type="log", title_text=gap_title, exponentformat="power", range=[lo - 0.3, top],
                     tickvals=[10.0 ** k for k in exponents], ticktext=labels)
    fig.update_xaxes(type="log", title_text=x_title, exponentformat="power",
                     range=np.log10(x_range).tolist())
    fig.update_layout(height=height, hovermode="closest", margin=dict(l=70, r=right_margin, t=30, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0))
    return fig
