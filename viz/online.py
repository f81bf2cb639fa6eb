r"""The online page's figures: the iterate :math:`x_t` against t over the optimal region, the average
regret :math:`R_t / t`, the effective learning rates with AdaBound's band, and one period of the
gradient pattern with each optimizer's moves.

A run may be 100,000 steps long; a browser needs far fewer points to draw it. Every line is thinned
to at most ``MAX_POINTS`` points by :func:`viz.runs.thin_indices`, which keeps the envelope of an
oscillation on a linear and on a logarithmic t axis.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .colors import OPTIMAL_FILL
from .learning_rates import lr_figure
from .runs import MAX_POINTS, RunView, thin_indices

GRADIENT_COLOR = "#7f7f7f"  # the problem's own gradients: no optimizer's colour


def thin_view(v: RunView, max_points: int = MAX_POINTS) -> RunView:
    """The run at a subset of its recorded steps, chosen so its rates (clipped and raw) keep their
    shape; positions and loss keep the start and the iterates after those steps."""
    rates = [v.lr_eff[:, d] for d in range(v.lr_eff.shape[1])]
    if v.bounded:
        rates += [v.lr_eff_raw[:, d] for d in range(v.lr_eff_raw.shape[1])]
    idx = thin_indices(rates, max_points)
    if len(idx) == len(v.steps):
        return v
    at_positions = np.concatenate([[0], idx + 1])
    pick = (lambda a: None if a is None else a[idx])
    return v._replace(steps=v.steps[idx], positions=v.positions[at_positions], loss=v.loss[at_positions],
                      lr_eff=v.lr_eff[idx], lr_eff_raw=pick(v.lr_eff_raw), lower_bound=pick(v.lower_bound),
                      upper_bound=pick(v.upper_bound),
                      diverged_at=v.diverged_at)


def _line(t: np.ndarray, y: np.ndarray, v: RunView, what: str, fmt: str, **kw) -> go.Scatter:
    idx = thin_indices([y])
    return go.Scatter(x=t[idx].astype(np.int32), y=y[idx], mode="lines", name=v.label, legendgroup=v.key,
                      line=dict(color=v.color, width=2),
                      hovertemplate=f"{v.label}<br>t = %{{x}}<br>{what} = %{{y:{fmt}}}<extra></extra>", **kw)


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=40, b=45), hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig


def path_figure(problem, views: Sequence[RunView], *, height: int = 400) -> go.Figure:
    """x_t against t (t = 0 is the start) for every run, over the feasible interval, with the
    optimal region shaded (a single optimal point is drawn as a dashed line)."""
    fig = go.Figure()
    lo, hi = problem.optimal_region
    if hi > lo:
        fig.add_hrect(y0=lo, y1=hi, fillcolor=OPTIMAL_FILL, line_width=0, layer="below",
                      annotation_text=f"optimal region: {lo:g} ≤ x ≤ {hi:g}", annotation_position="bottom right",
                      annotation_font_size=12)
    else:
        fig.add_hline(y=lo, line=dict(color="rgba(44, 160, 44, 0.8)", dash="dash", width=2),
                      annotation_text=f"optimum x* = {lo:g}", annotation_position="top right",
                      annotation_font_size=12)
    for v in views:
        t = np.arange(len(v.positions))
        fig.add_trace(_line(t, v.positions[:, 0], v, "x", ".4g"))
    f_lo, f_hi = problem.feasible
    pad = 0.04 * (f_hi - f_lo)
    fig.update_yaxes(title_text="x_t", range=[f_lo - pad, f_hi + pad], zeroline=False)
    fig.update_xaxes(title_text="step t")
    return _layout(fig, height)


def regret_figure(views: Sequence[RunView], average_regret: np.ndarray, *, height: int = 400) -> go.Figure:
    """R_t / t against t = 1..T for every run: it goes to 0 for a method without regret."""
    fig = go.Figure()
    fig.add_hline(y=0.0, line=dict(color="#999999", width=1))
    t = np.arange(1, average_regret.shape[0] + 1)
    for b, v in enumerate(views):
        fig.add_trace(_line(t, average_regret[:, b], v, "R_t/t", ".4g"))
    fig.update_yaxes(title_text="average regret R_t / t")
    fig.update_xaxes(title_text="step t")
    return _layout(fig, height)


def rates_figure(views: Sequence[RunView], gammas: Mapping[str, tuple[float, float]] | None = None, *,
                 height: int = 440) -> go.Figure:
    """The learning-rate view (viz.learning_rates) of the thinned runs, on a log t axis."""
    return lr_figure([thin_view(v) for v in views], log_x=True, height=height, gammas=dict(gammas or {}))


def pattern_figure(problem, phases: np.ndarray, moves: np.ndarray, views: Sequence[RunView], *,
                   height: int = 520) -> go.Figure:
    r"""Top: the slope :math:`a_t` of each phase :math:`t \bmod P` of one period (the gradient where
    it acts) and their sum. Bottom: each run's move :math:`-\eta_t g_t` in each phase of its last
    period and the net move over it; up is away from the optimum on both problems."""
    P = problem.period
    order = [str(k % P) for k in range(1, P + 1)] + ["net"]
    names = [str(int(p)) for p in phases] + ["net"]
    slopes = np.asarray(problem.slope(np.arange(1, P + 1)), dtype=np.float64)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1, subplot_titles=(
        "gradient in each phase of a period, and its sum", "each optimizer's move −η_t g_t in its last period"))
    fig.add_trace(go.Bar(x=order, y=np.append(slopes, slopes.sum()), name="gradient", marker_color=GRADIENT_COLOR,
                         text=[f"{a:+g}" if a else "0" for a in np.append(slopes, slopes.sum())], textposition="outside",
                         cliponaxis=False, showlegend=False,
                         hovertemplate="phase %{x}<br>gradient %{y:+g}<extra></extra>"), row=1, col=1)
    for b, v in enumerate(views):
        net = moves[b].sum()
        fig.add_trace(go.Bar(x=names, y=np.append(moves[b], net), name=v.label, legendgroup=v.key,
                             marker_color=v.color, text=[""] * len(moves[b]) + [f"{net:+.2g}"],
                             textposition="outside", textangle=-90, textfont_size=11, cliponaxis=False,
                             hovertemplate=f"{v.label}<br>phase %{{x}}<br>move %{{y:+.3g}}<extra></extra>"),
                      row=2, col=1)
    fig.add_hline(y=0.0, line=dict(color="#999999", width=1), row=2, col=1)
    fig.update_yaxes(title_text="a_t", row=1, col=1, zeroline=True)
    fig.update_yaxes(title_text="move (up = away from the optimum)", row=2, col=1, title_font_size=11,
                     exponentformat="power")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    fig.update_xaxes(title_text=f"phase t mod {P}", row=2, col=1)
    fig.update_layout(barmode="group", bargap=0.25)
    _layout(fig, height)
    fig.update_layout(margin=dict(t=80), legend=dict(y=1.1))  # above the top row's title
    return fig
