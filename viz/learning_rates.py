"""Effective learning rates against step: one line per optimizer and parameter, on a log axis, with
AdaBound's band, its unclipped rate drawn faintly, and the steps where a bound is active."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go

from .colors import param_dash, param_name, rgba
from .runs import RunView, thin_indices

MAX_MARKERS = 400  # clipped-step markers per line at most (evenly thinned)
REL = 1e-12  # a rate within this relative distance of a bound sits on it


class ClipShare(NamedTuple):
    lower: np.ndarray  # (D,) share of steps clipped at the lower bound
    upper: np.ndarray  # (D,) share of steps clipped at the upper bound


def clipped_masks(v: RunView) -> tuple[np.ndarray, np.ndarray]:
    """``(at_lower, at_upper)``, each ``(R, D)``: the bound was active (the raw rate was outside)."""
    n = v.last_valid
    raw, low, high = v.lr_eff_raw[:n], v.lower_bound[:n, None], v.upper_bound[:n, None]
    return raw < low * (1 - REL), raw > high * (1 + REL)


def clip_shares(v: RunView) -> ClipShare:
    at_lower, at_upper = clipped_masks(v)
    n = max(len(at_lower), 1)
    return ClipShare(at_lower.sum(axis=0) / n, at_upper.sum(axis=0) / n)


def _thin(idx: np.ndarray) -> np.ndarray:
    if len(idx) <= MAX_MARKERS:
        return idx
    return idx[np.round(np.linspace(0, len(idx) - 1, MAX_MARKERS)).astype(int)]


RATE_POINTS = 2000  # points per rate line at most: a figure holds several lines per run


def shown_steps(v: RunView) -> np.ndarray:
    """Indices of the recorded steps a rate figure draws: all up to divergence, thinned to
    RATE_POINTS (each stretch's extremes kept) for long runs."""
    n = v.last_valid
    rates = [v.lr_eff[:n, d] for d in range(v.lr_eff.shape[1])]
    if v.bounded:
        rates += [v.lr_eff_raw[:n, d] for d in range(v.lr_eff.shape[1])]
    return thin_indices(rates, RATE_POINTS) if n else np.arange(0)


def add_band(fig: go.Figure, v: RunView, *, row=None, col=None, showlegend: bool = True) -> None:
    """The band [lower(t), upper(t)] of a bounded run, shaded in its colour."""
    idx = shown_steps(v)
    t = v.steps[idx]
    high = v.upper_bound[idx]
    finite = np.isfinite(high)
    if not finite.any():
        return
    kw = dict(row=row, col=col) if row else {}
    fig.add_trace(go.Scatter(x=t[finite], y=high[finite], mode="lines", line=dict(width=0.8, color=rgba(v.color, 0.5)),
                             legendgroup=f"{v.key}-band", showlegend=False, hoverinfo="skip",
                             name=f"{v.label} upper bound"), **kw)
    fig.add_trace(go.Scatter(x=t[finite], y=v.lower_bound[idx][finite], mode="lines",
                             line=dict(width=0.8, color=rgba(v.color, 0.5)), fill="tonexty",
                             fillcolor=rgba(v.color, 0.10), legendgroup=f"{v.key}-band", showlegend=showlegend,
                             name=f"{v.label} band [lower, upper]",
                             hovertemplate="step %{x}<br>lower %{y:.3g}<extra></extra>"), **kw)


def add_rates(fig: go.Figure, v: RunView, *, row=None, col=None, params: Sequence[int] | None = None,
              showlegend: bool = True) -> None:
    """The run's lr_eff per parameter (and, for a bounded run, the raw rate and clip markers)."""
    idx = shown_steps(v)
    t = v.steps[idx]
    kw = dict(row=row, col=col) if row else {}
    dims = range(v.lr_eff.shape[1]) if params is None else params
    masks = clipped_masks(v) if v.bounded else None
    for d in dims:
        name = f"{v.label} · {param_name(d)}"
        if v.bounded:
            fig.add_trace(go.Scatter(x=t, y=v.lr_eff_raw[idx, d], mode="lines", name=f"{name} unclipped",
                                     line=dict(color=rgba(v.color, 0.35), width=1, dash=param_dash(d)),
                                     legendgroup=v.key, showlegend=False,
                                     hovertemplate=f"{name} unclipped<br>step %{{x}}<br>%{{y:.3g}}<extra></extra>"),
                          **kw)
        fig.add_trace(go.Scatter(x=t, y=v.lr_eff[idx, d], mode="lines", name=name, legendgroup=v.key,
                                 showlegend=showlegend, line=dict(color=v.color, width=2, dash=param_dash(d)),
                                 hovertemplate=f"{name}<br>step %{{x}}<br>lr_eff %{{y:.3g}}<extra></extra>"), **kw)
        if masks is not None:
            for mask, symbol, which in ((masks[0], "triangle-up", "lower"), (masks[1], "triangle-down", "upper")):
                hits = _thin(np.flatnonzero(mask[:, d]))
                if hits.size:
                    fig.add_trace(go.Scatter(
                        x=v.steps[hits], y=v.lr_eff[hits, d], mode="markers", name=f"{name} at {which} bound",
                        marker=dict(symbol=symbol, size=5, color=v.color, opacity=0.55, line=dict(width=0)),
                        legendgroup=v.key, showlegend=False,
                        hovertemplate=f"{name}: clipped at the {which} bound<br>step %{{x}}<extra></extra>"), **kw)


def mark_one_over_gamma(fig: go.Figure, gamma: float, final_lr: float, horizon: int, color: str, *,
                        row=None, col=None, log_x: bool = False) -> None:
    """A vertical line at t = 1/gamma, where the band is exactly [final_lr / 2, 2 final_lr].
    ``log_x``: the t axis is logarithmic, where Plotly places an annotation at 10^x (a line at x)."""
    if gamma <= 0 or 1 / gamma > horizon:
        return
    kw = dict(row=row, col=col) if row else {}
    fig.add_vline(x=1 / gamma, line=dict(color=color, dash="dot", width=1.2),
                  annotation_text=f"t = 1/γ: band [{final_lr / 2:.3g}, {2 * final_lr:.3g}]",
                  annotation_position="bottom right", annotation_font_size=11, **kw)  # the top holds
    #                 the note on what lies above the axis (meaningful_range)
    if log_x:
        fig.layout.annotations[-1].x = float(np.log10(1 / gamma))


def meaningful_range(views: Sequence[RunView]) -> tuple[tuple[float, float], float | None]:
    """The log10 y range that carries meaning: every rate actually applied and every finite bound,
    half a decade of margin each side (at least two decades in all). Also the largest value drawn
    beyond it (an unclipped rate or an early upper bound: with eps = 0 they reach 1e280), or None."""
    inside, beyond = [], []
    for v in views:
        applied = v.lr_eff[: max(v.last_valid, 1)]
        inside.append(applied[np.isfinite(applied) & (applied > 0)])
        if v.bounded:
            low = v.lower_bound[np.isfinite(v.lower_bound) & (v.lower_bound > 0)]
            inside.append(low)
            beyond.append(v.upper_bound[np.isfinite(v.upper_bound)])
            beyond.append(v.lr_eff_raw[np.isfinite(v.lr_eff_raw)].ravel())
    values = np.concatenate([a.ravel() for a in inside]) if inside else np.array([])
    if not values.size:
        return (-3.0, 1.0), None
    lo, hi = np.log10(values.min()) - 0.5, np.log10(values.max()) + 0.5
    if hi - lo < 2:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - 1, mid + 1
    over = np.concatenate([b.ravel() for b in beyond]) if beyond else np.array([])
    over = over[over > 10.0 ** hi]
    return (float(lo), float(hi)), (float(over.max()) if over.size else None)


def lr_figure(views: Sequence[RunView], *, height: int = 440, log_x: bool = False,
              title: str | None = None, gammas: dict[str, tuple[float, float]] | None = None) -> go.Figure:
    """lr_eff against step for every run and parameter (x solid, y dotted), log axis; bands for
    bounded runs. ``gammas`` maps a run's label to ``(gamma, final_lr)`` for the t = 1/gamma marker."""
    fig = go.Figure()
    horizon = max((int(v.steps[-1]) for v in views), default=1)
    for v in views:
        if v.bounded:
            add_band(fig, v)
    for v in views:
        add_rates(fig, v)
        if gammas and v.label in gammas:
            mark_one_over_gamma(fig, *gammas[v.label], horizon, v.color, log_x=log_x)
    (lo, hi), beyond = meaningful_range(views)
    fig.update_yaxes(type="log", title_text="effective learning rate", exponentformat="power", range=[lo, hi])
    if beyond is not None:
        fig.add_annotation(text=f"above this axis: unclipped rates and early upper bounds, up to {beyond:.1e}",
                           xref="paper", yref="paper", x=1, y=1, xanchor="right", yanchor="top",
                           showarrow=False, font=dict(size=12, color="#555555"), bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(type="log" if log_x else "linear", title_text="step t")
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=40 if title else 10, b=40), title=title,
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), hovermode="closest")
    return fig
