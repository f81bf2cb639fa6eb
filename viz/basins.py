"""Basin maps side by side: every start of a grid coloured by where an optimizer took it (the minimum
it reached, not converged, diverged), or by the steps it needed to get within tolerance.

A map is a :class:`runs.basins.BasinMap` (this floor reads its fields and does not import runs).
Its outcome codes: ``0..K-1`` a class (minimum ``m{k+1}``), ``NOT_CONVERGED`` (-1), ``DIVERGED``
(-2); ``NEVER`` (-1) in ``steps_to_tol``. A test holds these equal to runs.basins' own.

Plotly reports no selection on heat maps, so each panel also carries a layer of transparent
markers on (a subsample of) the grid's starts: they carry the hover text and are what a click
selects. Each sits on a start (to float32), so runs.basins.start_at maps a click back to that very
start, and the playground opens the run the map shows there.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .colors import BASIN_COLORS, DIVERGED_COLOR, NOT_CONVERGED_COLOR

NOT_CONVERGED, DIVERGED, NEVER = -1, -2, -1

# steps to tolerance: few steps bright, many dark (a sequential scale without grey or black in it)
STEPS_COLORSCALE = [[0.0, "#fde725"], [0.25, "#5ec962"], [0.5, "#21918c"], [0.75, "#3b528b"],
                    [1.0, "#440154"]]
CLICK_CELLS = 100  # click markers per side at most: finer grids are subsampled for the layer
STEPS_CODE = 1000  # the steps view's z is round(STEPS_CODE * log10(1 + steps)), a small int
BAND = 0.12  # the steps colour bar's "diverged" and "never" bands, each as a fraction of its span

TITLES = {"outcome": "where each start ends", "steps": "steps to within tolerance of a minimum"}
VIEWS = tuple(TITLES)


def basin_color(code: int) -> str:
    """The colour of an outcome: a class's colour, grey for not converged, black for diverged."""
    if code == DIVERGED:
        return DIVERGED_COLOR
    if code == NOT_CONVERGED:
        return NOT_CONVERGED_COLOR
    return BASIN_COLORS[code % len(BASIN_COLORS)]


def outcome_text(labels: Sequence[str], minima, code: int) -> str:
    """An outcome in words: "m2 (-2.81, 3.13)", "not converged", "diverged"."""
    if code == DIVERGED:
        return "diverged"
    if code == NOT_CONVERGED:
        return "not converged"
    if code < len(minima):
        mx, my = minima[code]
        return f"{labels[code]} ({mx:.3g}, {my:.3g})"
    return labels[code]


def basin_figure(landscape, maps: Sequence[tuple[str, object]], view: str = "outcome", *,
                 height: int = 520, click_cells: int = CLICK_CELLS) -> go.Figure:
    """One panel per ``(label, BasinMap)`` in a row, equal axis scales, the minima marked "m1".. .

    ``view="outcome"``: a categorical colour per class (:data:`BASIN_COLORS`), grey for not
    converged, black for diverged, explained by the legend. ``view="steps"``: steps to tolerance
    on a log colour scale, never reached grey, diverged black, explained by the colour bar.
    Hovering a start shows it, its outcome and its steps; a click selects the start (at most
    ``click_cells`` markers per side: a finer grid's click lands on every k-th start).
    """
    if view not in VIEWS:
        raise ValueError(f"Invalid view: {view!r}; one of {', '.join(VIEWS)}")
    if not maps:
        raise ValueError("basin_figure needs at least one map")
    first = maps[0][1]
    n_classes = len(first.labels)
    max_steps = max(int(bm.steps) for _, bm in maps)
    fig = make_subplots(rows=1, cols=len(maps), subplot_titles=[label for label, _ in maps],
                        horizontal_spacing=0.06 if len(maps) > 1 else 0.0)
    for col, (label, bm) in enumerate(maps, start=1):
        z = _outcome_z(bm) if view == "outcome" else _steps_z(bm)
        fig.add_trace(go.Heatmap(x=bm.xs, y=bm.ys, z=z, coloraxis="coloraxis", hoverinfo="skip",
                                 name=f"{label} basins"), row=1, col=col)
        _add_click_layer(fig, label, bm, click_cells, col)
        _add_minima(fig, bm, col)
        (x_lo, x_hi), (y_lo, y_hi) = _extent(bm.xs), _extent(bm.ys)
        fig.update_xaxes(range=[x_lo, x_hi], title_text="x", constrain="domain", showgrid=False,
                         zeroline=False, row=1, col=col)
        fig.update_yaxes(range=[y_lo, y_hi], title_text="y" if col == 1 else None, showgrid=False,
                         zeroline=False, scaleanchor=_axis_name("x", col), scaleratio=1, row=1, col=col)
    if view == "outcome":
        fig.update_layout(coloraxis=_outcome_axis(n_classes))
        _add_outcome_legend(fig, first)
    else:
        fig.update_layout(coloraxis=_steps_axis(max_steps))
    fig.update_layout(
        height=height, plot_bgcolor="white", hovermode="closest",
        hoverdistance=-1,  # anywhere on a panel picks its nearest start, for hover and click
        margin=dict(l=50, r=20, t=50, b=40), uirevision=landscape.key,
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),
        title=dict(text=f"{landscape.name}: {TITLES[view]}", font=dict(size=14)))
    return fig


# ----------------------------------------------------------------------------- colours


def _outcome_z(bm) -> np.ndarray:
    return np.asarray(bm.outcome, dtype=np.int8)


def _outcome_axis(n_classes: int) -> dict:
    """A stepped colour scale over the codes -2..K-1: each code's colour on its own band."""
    codes = [DIVERGED, NOT_CONVERGED, *range(n_classes)]
    scale = []
    for i, code in enumerate(codes):
        lo, hi = i / len(codes), (i + 1) / len(codes)
        scale += [[lo, basin_color(code)], [hi, basin_color(code)]]
    return dict(colorscale=scale, cmin=DIVERGED - 0.5, cmax=n_classes - 0.5, showscale=False)


def _steps_band(max_steps: int) -> int:
    """The width (in z units) of the steps view's "never" and "diverged" bands."""
    top = _steps_code(max_steps)
    return max(1, round(BAND * top / (1 - 2 * BAND)))


def _steps_code(steps):
    return np.round(STEPS_CODE * np.log10(1.0 + np.asarray(steps, dtype=np.float64))).astype(np.int16)


def _steps_z(bm) -> np.ndarray:
    """``(H, W)`` int16: ``round(STEPS_CODE log10(1 + steps))`` where the run got within
    tolerance, one band below 0 for never, two for diverged (a diverged run is black even if it
    passed through a tolerance ball on its way out)."""
    band = _steps_band(int(bm.steps))
    reached = np.asarray(bm.steps_to_tol) >= 0
    z = np.where(reached, _steps_code(np.maximum(bm.steps_to_tol, 0)), -band).astype(np.int16)
    z[np.asarray(bm.outcome) == DIVERGED] = -2 * band
    return z


def _steps_axis(max_steps: int) -> dict:
    band = _steps_band(max_steps)
    top = int(_steps_code(max_steps))
    lo = -2 * band
    span = top - lo

    def at(z):
        return (z - lo) / span

    scale = [[0.0, DIVERGED_COLOR], [at(-band - 0.5), DIVERGED_COLOR],
             [at(-band - 0.5), NOT_CONVERGED_COLOR], [at(-0.5), NOT_CONVERGED_COLOR]]
    scale += [[at(-0.5) + f * (1 - at(-0.5)), c] for f, c in STEPS_COLORSCALE]
    ticks = [0] + [10**k for k in range(int(math.log10(max_steps)) + 1)]
    if max_steps not in ticks:
        ticks.append(max_steps)
    tickvals = [-1.5 * band, -0.5 * band] + [int(_steps_code(s)) for s in ticks]
    ticktext = ["diverged", "never"] + [str(s) for s in ticks]
    return dict(colorscale=scale, cmin=lo, cmax=top, showscale=True,
                colorbar=dict(title=dict(text="steps to<br>tolerance"), tickvals=tickvals,
                              ticktext=ticktext, thickness=14, len=0.9))


# ----------------------------------------------------------------------------- layers


def _add_click_layer(fig: go.Figure, label: str, bm, click_cells: int, col: int) -> None:
    """Transparent markers on the starts, one trace per (outcome, reached or not), so that each
    trace's hover text can name its outcome without shipping a string per start."""
    rows, cols = _click_indices(len(bm.ys), click_cells), _click_indices(len(bm.xs), click_cells)
    outcome = np.asarray(bm.outcome)[np.ix_(rows, cols)].ravel()
    steps = np.asarray(bm.steps_to_tol)[np.ix_(rows, cols)].ravel()
    px, py = np.meshgrid(np.asarray(bm.xs)[cols], np.asarray(bm.ys)[rows])
    px, py = px.ravel().astype(np.float32), py.ravel().astype(np.float32)
    for code in np.unique(outcome):
        for reached in (True, False):
            pick = (outcome == code) & ((steps >= 0) == reached)
            if not pick.any():
                continue
            within = ("within tolerance after %{customdata} steps" if reached
                      else "never within tolerance")
            fig.add_trace(go.Scatter(
                x=px[pick], y=py[pick], customdata=steps[pick].astype(np.int16), mode="markers",
                marker=dict(symbol="square-open", size=9, color="white", opacity=0, line=dict(width=2)),
                selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0)),
                hovertemplate=(f"{label}<br>start (%{{x:.3g}}, %{{y:.3g}})<br>"
                               f"→ {outcome_text(bm.labels, bm.minima, int(code))}<br>{within}"
                               "<br><i>click: open on the playground</i><extra></extra>"),
                showlegend=False, name=f"{label} starts"), row=1, col=col)


def _click_indices(n: int, click_cells: int) -> np.ndarray:
    """Every k-th of n grid indices, centred, with k the smallest stride giving at most
    ``click_cells`` of them."""
    stride = max(1, math.ceil(n / max(1, click_cells)))
    return np.arange(stride // 2, n, stride)


def _add_minima(fig: go.Figure, bm, col: int) -> None:
    minima = np.asarray(bm.minima, dtype=np.float64).reshape(-1, 2)
    if not minima.shape[0]:
        return
    fig.add_trace(go.Scatter(
        x=minima[:, 0], y=minima[:, 1], mode="markers+text", text=list(bm.labels[:minima.shape[0]]),
        textposition="top center", textfont=dict(color="black", size=13),
        marker=dict(symbol="star", size=14, color="white", line=dict(color="black", width=1.5)),
        selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)),
        hovertemplate="minimum %{text} (%{x:.4g}, %{y:.4g})<extra></extra>",
        showlegend=False, name="minima"), row=1, col=col)


def _add_outcome_legend(fig: go.Figure, bm) -> None:
    """One legend entry per outcome (empty traces: the legend explains the heat maps' colours)."""
    for code in [*range(len(bm.labels)), NOT_CONVERGED, DIVERGED]:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=outcome_text(bm.labels, bm.minima, code),
            marker=dict(symbol="square", size=12, color=basin_color(code),
                        line=dict(color="#666666", width=1)),
            hoverinfo="skip"), row=1, col=1)


def _extent(centres) -> tuple[float, float]:
    """The span of a grid's cells from their centres: half a cell beyond the first and last."""
    c = np.asarray(centres, dtype=np.float64)
    half = (c[-1] - c[0]) / (len(c) - 1) / 2 if len(c) > 1 else 0.5
    return float(c[0] - half), float(c[-1] + half)


def _axis_name(axis: str, col: int) -> str:
    return axis if col == 1 else f"{axis}{col}"
