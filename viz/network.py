"""The real-network page's figures: Fig. 1's heat map of sampled rates, the spread of every
parameter's rate under AdaBound's bounds, the histogram at one epoch, the learning curves and the
final_lr x gamma grid. Pure Plotly: arrays in, figures out."""

from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .colors import rgba
from .encoding import typed
from .sweeps import COLORSCALE, power_label

RATE_SCALE = "RdBu_r"  # blue: tiny rates, red: huge ones, white around the middle decades
MISSING = "#c8c8c8"
FONT = 14


class RatePanel(NamedTuple):
    label: str  # the optimizer's name
    steps: np.ndarray  # (S,) step indices t
    log_rates: np.ndarray  # (K, S) log10 lr_eff of the sampled parameters


class Band(NamedTuple):
    label: str
    color: str
    epochs: np.ndarray  # (E,)
    percentiles: np.ndarray  # (5, E): 1, 10, 50, 90, 99
    lower: np.ndarray | None  # (E,) AdaBound's band at each epoch's end
    upper: np.ndarray | None


class Hist(NamedTuple):
    label: str
    color: str
    shares: np.ndarray  # (len(edges) + 1,) share of active parameters per bin, with under/overflow
    bounds: tuple[float, float] | None  # AdaBound's (lower, upper) at that epoch


class CurveSet(NamedTuple):
    label: str
    color: str
    epochs: np.ndarray
    train_loss: tuple[np.ndarray, np.ndarray, np.ndarray]  # mean, low, high over seeds
    test_acc: tuple[np.ndarray, np.ndarray, np.ndarray]


def _decade_axis(lo: int, hi: int) -> dict:
    ticks = list(range(lo, hi + 1))
    step = max(1, math.ceil(len(ticks) / 9))
    shown = ticks[::step]
    return dict(tickvals=shown, ticktext=[power_label(k) for k in shown])


def rate_span(panels: Sequence[RatePanel]) -> tuple[int, int]:
    """One colour scale for all panels: the whole decades their finite rates span."""
    finite = [p.log_rates[np.isfinite(p.log_rates)] for p in panels]
    values = np.concatenate(finite) if finite else np.array([])
    if not values.size:
        return -4, 0
    return int(math.floor(values.min())), max(int(math.ceil(values.max())), int(math.floor(values.min())) + 1)


def rate_heatmaps(panels: Sequence[RatePanel], names: Sequence[str], *, height: int = 420) -> go.Figure:
    """Fig. 1: the sampled parameters as rows, steps as columns, log10 lr_eff as colour; the panels
    side by side on one colour scale labelled in decades."""
    lo, hi = rate_span(panels)
    fig = make_subplots(rows=1, cols=len(panels), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[p.label for p in panels])
    for i, p in enumerate(panels, start=1):
        z = np.where(np.isfinite(p.log_rates), p.log_rates, np.nan).astype(np.float32)
        fig.add_trace(go.Heatmap(
            x=typed(p.steps.astype(np.float32)), y=list(names), z=z, coloraxis="coloraxis", name=p.label,
            customdata=(10.0 ** z.astype(np.float64)).astype(np.float32),
            hovertemplate=f"{p.label}<br>%{{y}}<br>step %{{x}}<br>lr_eff = %{{customdata:.3g}}<extra></extra>"),
            row=1, col=i)
        fig.update_xaxes(title_text="step t", row=1, col=i)
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=40), font=dict(size=FONT),
        coloraxis=dict(colorscale=RATE_SCALE, cmin=lo, cmax=hi,
                       colorbar=dict(title="lr_eff", **_decade_axis(lo, hi))))
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    return fig


def spread_figure(bands: Sequence[Band], *, height: int = 440) -> go.Figure:
    """Percentile bands of the active parameters' rates per epoch (1-99 faint, 10-90 stronger), then
    the medians and AdaBound's bounds (dashed) drawn over every band, all on a log axis."""
    fig = go.Figure()
    for b in bands:
        p = b.percentiles
        for (lo, hi), alpha in (((0, 4), 0.12), ((1, 3), 0.28)):
            fig.add_trace(go.Scatter(x=b.epochs, y=p[hi], mode="lines", line=dict(width=0), showlegend=False,
                                     legendgroup=b.label, hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=b.epochs, y=p[lo], mode="lines", line=dict(width=0), fill="tonexty",
                                     fillcolor=rgba(b.color, alpha), showlegend=False, legendgroup=b.label,
                                     hoverinfo="skip"))
    for b in bands:
        fig.add_trace(go.Scatter(x=b.epochs, y=b.percentiles[2], mode="lines", line=dict(color=b.color, width=3),
                                 name=f"{b.label} median", legendgroup=b.label,
                                 hovertemplate=f"{b.label}<br>epoch %{{x}}<br>median lr_eff %{{y:.3g}}<extra></extra>"))
        if b.lower is not None:
            for y, which in ((b.lower, "lower"), (b.upper, "upper")):
                fig.add_trace(go.Scatter(x=b.epochs, y=y, mode="lines", line=dict(color=b.color, dash="dash", width=2),
                                         name=f"{b.label} bounds", legendgroup=b.label, showlegend=which == "lower",
                                         hovertemplate=f"{b.label} {which} bound %{{y:.3g}}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=20, b=40), font=dict(size=FONT),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      xaxis_title="epoch", yaxis=dict(type="log", title="lr_eff of the active parameters",
                                                      exponentformat="power"))
    return fig


def histogram_figure(edges: np.ndarray, hists: Sequence[Hist], epoch: int, *, height: int = 380) -> go.Figure:
    """Share of the active parameters per quarter decade of lr_eff at one epoch, optimizers
    overlaid; AdaBound's bounds as vertical lines. The outer bins hold everything beyond the edges."""
    step = float(edges[1] - edges[0])
    lefts = np.concatenate([[edges[0] - step], edges])  # each bin's left edge, under- and overflow too
    fig = go.Figure()
    for h in hists:
        keep = np.flatnonzero(h.shares > 0)
        first, last = (keep[0], keep[-1]) if keep.size else (0, -1)
        x = 10.0 ** np.append(lefts[first:last + 1], lefts[last] + step) if keep.size else np.array([])
        y = np.append(h.shares[first:last + 1], h.shares[last]) if keep.size else np.array([])
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", line=dict(color=h.color, shape="hv"),
                                 fill="tozeroy", fillcolor=rgba(h.color, 0.18), name=h.label,
                                 hovertemplate=f"{h.label}<br>lr_eff from %{{x:.2g}}<br>%{{y:.1%}} of the active<extra></extra>"))
        if h.bounds is not None:
            top = float(max(other.shares.max() for other in hists))
            for value, which, dash in zip(h.bounds, ("lower", "upper"), ("dash", "dot")):
                if np.isfinite(value) and value > 0:
                    fig.add_trace(go.Scatter(x=[value, value], y=[0, top], mode="lines",
                                             line=dict(color=h.color, dash=dash, width=2),
                                             name=f"{h.label} {which} bound {value:.3g}",
                                             hovertemplate=f"{h.label} {which} bound %{{x:.3g}}<extra></extra>"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=40), font=dict(size=FONT),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      xaxis=dict(type="log", title=f"lr_eff after epoch {epoch}", exponentformat="power"),
                      yaxis=dict(title="share of active parameters", tickformat=".0%"))
    return fig


def curves_figure(sets: Sequence[CurveSet], *, height: int = 400) -> go.Figure:
    """Train loss (log) and test accuracy per epoch: the mean over seeds, the band from the lowest
    to the highest seed."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("train loss", "test accuracy"), horizontal_spacing=0.08)
    for s in sets:
        for col, (mean, low, high), fmt in ((1, s.train_loss, ".3g"), (2, s.test_acc, ".1%")):
            fig.add_trace(go.Scatter(x=s.epochs, y=high, mode="lines", line=dict(width=0), showlegend=False,
                                     legendgroup=s.label, hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=s.epochs, y=low, mode="lines", line=dict(width=0), fill="tonexty",
                                     fillcolor=rgba(s.color, 0.18), showlegend=False, legendgroup=s.label,
                                     hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=s.epochs, y=mean, mode="lines", line=dict(color=s.color, width=2.5),
                                     name=s.label, legendgroup=s.label, showlegend=col == 1,
                                     hovertemplate=f"{s.label}<br>epoch %{{x}}<br>%{{y:{fmt}}}<extra></extra>"),
                          row=1, col=col)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=40), font=dict(size=FONT),
                      legend=dict(orientation="h", y=-0.2, yanchor="top", x=0))
    return fig


def grid_figure(final_lrs: np.ndarray, gammas: np.ndarray, test_acc: np.ndarray, train_loss: np.ndarray,
                sgdm_acc: np.ndarray, sgdm_loss: np.ndarray, label: str, *, height: int = 380) -> go.Figure:
    """Two maps over final_lr x gamma, AdaBound's test accuracy and final train loss (log colour),
    with a last row for SGD(M) at lr = final_lr, the run AdaBound turns into."""
    x = [f"{v:g}" for v in final_lrs]
    y = [f"γ = {g:g}" for g in gammas] + ["SGD(M), lr = final_lr"]
    acc = np.vstack([test_acc, sgdm_acc[None, :]])
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.log10(np.vstack([train_loss, sgdm_loss[None, :]]))
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"{label}: test accuracy", f"{label}: final train loss"),
                        horizontal_spacing=0.16)
    fig.add_trace(go.Heatmap(x=x, y=y, z=acc, colorscale=COLORSCALE, zmin=float(np.nanmin(acc)) if np.isfinite(acc).any() else 0,
                             zmax=1.0, text=[[f"{v:.1%}" if np.isfinite(v) else "diverged" for v in row] for row in acc],
                             texttemplate="%{text}", colorbar=dict(x=0.42, tickformat=".0%"),
                             hovertemplate="final_lr %{x}, %{y}<br>test accuracy %{text}<extra></extra>"), row=1, col=1)
    finite = loss[np.isfinite(loss)]
    lo, hi = (int(math.floor(finite.min())), int(math.ceil(finite.max()))) if finite.size else (-3, 0)
    hi = max(hi, lo + 1)
    fig.add_trace(go.Heatmap(x=x, y=y, z=loss, colorscale=COLORSCALE, reversescale=True, zmin=lo, zmax=hi,
                             text=[[f"{10 ** v:.2g}" if np.isfinite(v) else "diverged" for v in row] for row in loss],
                             texttemplate="%{text}", colorbar=dict(x=1.0, **_decade_axis(lo, hi)),
                             hovertemplate="final_lr %{x}, %{y}<br>train loss %{text}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(title_text="final_lr η*", type="category")
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=40), font=dict(size=FONT),
                      plot_bgcolor=MISSING)
    return fig
