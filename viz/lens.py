"""The learning-rate lens: paths and effective learning rates linked in time, the signal-to-noise
ratio, the share of clipped steps, and the bound explorer."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import optim_core as oc

from .animation import AnimatedFigure, add_controls, frame
from .background import Background, layout_image
from .colors import param_dash, param_name, rgba
from .learning_rates import add_band, add_rates, clip_shares, mark_one_over_gamma
from .runs import RunView, thin_indices
from .trajectory import add_paths, path_axes, path_frame, step_labels


def _rate_at(v: RunView, k: int) -> tuple[float, np.ndarray]:
    """The step and the rates a run applies at frame index k (the step that led to positions[k])."""
    i = max(min(k, v.last_valid) - 1, 0)
    return float(v.steps[i]), v.lr_eff[i]


def linked_figure(landscape, views: Sequence[RunView], start, background: Background, *,
                  gammas: dict | None = None, height: int = 520) -> go.Figure:
    """Left: the paths; right: every run's lr_eff per parameter (log), with AdaBound's band. One
    slider and one play button drive both: at step t the right panel marks the rates in use."""
    fig = make_subplots(figure=AnimatedFigure(), rows=1, cols=2, column_widths=[0.48, 0.52], horizontal_spacing=0.08,
                        subplot_titles=("where each run is", "lr_eff: x solid, y dotted"))  # short: a phone's panels are 150 px
    layer = add_paths(fig, landscape, views, start, background, click_grid=0, row=1, col=1)
    horizon = max((int(v.steps[-1]) for v in views), default=1)
    for v in views:
        if v.bounded:
            add_band(fig, v, row=1, col=2, showlegend=False)
    for v in views:
        add_rates(fig, v, row=1, col=2, showlegend=False)
        if gammas and v.label in gammas:
            mark_one_over_gamma(fig, *gammas[v.label], horizon, v.color, row=1, col=2)
    finite = [v.lr_eff[: max(v.last_valid, 1)] for v in views]
    lo = min(float(np.min(r[r > 0])) for r in finite if np.any(r > 0)) if any(np.any(r > 0) for r in finite) else 1e-6
    hi = max(float(np.max(r)) for r in finite) if finite else 1.0

    now_index = len(fig.data)
    k_last = int(layer.frames[-1])
    fig.add_trace(go.Scatter(x=[_rate_at(views[0], k_last)[0]] * 2, y=[lo, hi], mode="lines",
                             line=dict(color="rgba(0,0,0,0.45)", width=1), hoverinfo="skip",
                             showlegend=False, name="now"), row=1, col=2)
    marker_index = len(fig.data)
    for v in views:
        t, rates = _rate_at(v, k_last)
        fig.add_trace(go.Scatter(x=[t] * len(rates), y=rates, mode="markers", showlegend=False,
                                 marker=dict(size=10, color=v.color, line=dict(color="white", width=1.5)),
                                 legendgroup=v.key, name=f"{v.label} now",
                                 hovertemplate=f"{v.label}<br>step %{{x}}<br>lr_eff %{{y:.3g}}<extra></extra>"),
                      row=1, col=2)

    frames = []
    kinds = [trace.type for trace in fig.data]
    for k in layer.frames:
        data, traces = path_frame(layer, int(k))
        t_now = _rate_at(views[0], int(k))[0]
        data.append({"type": "scatter", "x": [t_now, t_now], "y": [lo, hi]})
        traces.append(now_index)
        for i, v in enumerate(views):
            t, rates = _rate_at(v, int(k))
            data.append({"type": "scatter", "x": [t] * len(rates), "y": rates.tolist()})
            traces.append(marker_index + i)
        frames.append(frame(kinds, str(int(k)), data, traces))
    fig.frames = frames
    # the plot is shorter than the playground's map: the buttons start lower, clear of the x titles
    add_controls(fig, [str(int(k)) for k in layer.frames], step_labels(views, layer.frames), top=-0.17)

    xaxis, yaxis = path_axes(background)
    fig.update_xaxes(**xaxis, row=1, col=1)
    fig.update_yaxes(**yaxis, row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", title_text="lr_eff", row=1, col=2)
    fig.update_xaxes(title_text="step t", row=1, col=2)
    fig.update_layout(images=[layout_image(background)], height=height, plot_bgcolor="white",
                      margin=dict(l=50, r=20, t=60, b=170), hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0),
                      uirevision=f"lens-{landscape.key}", modebar=dict(orientation="v"))
    return fig


def snr_figure(views: Sequence[RunView], snr: Sequence[np.ndarray], *, height: int = 360) -> go.Figure:
    """|m̂| / sqrt(v̂) per run and parameter against step (log): it falls towards 0 near an optimum."""
    fig = go.Figure()
    for v, ratio in zip(views, snr):
        n = v.last_valid
        keep = thin_indices([ratio[:n, d] for d in range(ratio.shape[1])])
        for d in range(ratio.shape[1]):
            name = f"{v.label} · {param_name(d)}"
            fig.add_trace(go.Scatter(x=v.steps[keep], y=np.maximum(ratio[keep, d], 1e-6), mode="lines", name=name,
                                     legendgroup=v.key, line=dict(color=v.color, width=1.6, dash=param_dash(d)),
                                     hovertemplate=f"{name}<br>step %{{x}}<br>SNR %{{y:.3g}}<extra></extra>"))
    fig.update_yaxes(type="log", exponentformat="power", title_text="|m̂| / √v̂")
    fig.update_xaxes(title_text="step t")
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=10, b=40),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig


def clip_rows(views: Sequence[RunView]) -> list[dict]:
    """Per bounded run and parameter: the share of steps clipped at each bound, and the final rate."""
    rows = []
    for v in views:
        if not v.bounded:
            continue
        shares = clip_shares(v)
        final = v.lr_eff[max(v.last_valid - 1, 0)]
        for d in range(v.lr_eff.shape[1]):
            rows.append({"optimizer": v.label, "parameter": param_name(d),
                         "clipped at lower bound": float(shares.lower[d]),
                         "clipped at upper bound": float(shares.upper[d]),
                         "final lr_eff": float(final[d]),
                         "final band": f"[{v.lower_bound[max(v.last_valid - 1, 0)]:.3g}, "
                                       f"{v.upper_bound[max(v.last_valid - 1, 0)]:.3g}]"})
    return rows


def bounds_figure(final_lr: float, gamma: float, beta2: float, lr: float, schedule: oc.Schedule, steps: int,
                  *, color: str, height: int = 420) -> go.Figure:
    """AdaBound's bounds for t = 1..steps: the code's form (gamma, shaded) and the paper's
    (gamma = 1 - beta2, dashed), both following the schedule, with lr_t and final_lr_t for reference."""
    # drawn on a log t axis: a few thousand geometrically spaced steps (and every step where a step
    # decay jumps) show the curves exactly as all of them would
    all_t = np.arange(1, steps + 1)
    scale_all = schedule.factors(steps)
    jumps = np.flatnonzero(np.diff(scale_all) != 0)
    keep = np.unique(np.concatenate([np.geomspace(1, steps, 2000).astype(int) - 1, jumps, jumps + 1, [steps - 1]]))
    t, scale = all_t[keep].astype(np.float64), scale_all[keep]
    fig = go.Figure()
    for g, label, dash, fill in ((gamma, f"γ = {gamma:g}", "solid", True),
                                 (1 - beta2, f"paper: γ = 1 − β₂ = {1 - beta2:.3g}", "dash", False)):
        low = oc.lower_bound(final_lr * scale, g, t)
        high = oc.upper_bound(final_lr * scale, g, t)
        fig.add_trace(go.Scatter(x=t, y=high, mode="lines", line=dict(color=color, dash=dash, width=1.5),
                                 name=f"upper bound, {label}", legendgroup=label))
        fig.add_trace(go.Scatter(x=t, y=low, mode="lines", line=dict(color=color, dash=dash, width=1.5),
                                 fill="tonexty" if fill else None, fillcolor=rgba(color, 0.12),
                                 name=f"lower bound, {label}", legendgroup=label))
    fig.add_trace(go.Scatter(x=t, y=final_lr * scale, mode="lines", line=dict(color="black", width=1, dash="dot"),
                             name="final_lr × schedule"))
    fig.add_trace(go.Scatter(x=t, y=lr * scale, mode="lines", line=dict(color="grey", width=1),
                             name="lr × schedule (Adam phase)"))
    mark_one_over_gamma(fig, gamma, final_lr, steps, color, log_x=True)
    fig.update_yaxes(type="log", exponentformat="power", title_text="learning rate")
    fig.update_xaxes(type="log", title_text="step t (log)")
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=10, b=40), hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    return fig
