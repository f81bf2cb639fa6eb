"""The 2-D contour view with every optimizer's path, animated in the browser, and the 3-D surface."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import plotly.graph_objects as go

from .animation import AnimatedFigure, add_controls, frame
from .background import Background, grid, layout_image, shown_values
from .colors import dash_of, rgba
from .encoding import typed
from .runs import RunView, frame_indices, thin_indices

MAX_FRAMES = 100
PATH_POINTS = 600  # points of all paths together shipped per frame at most (150 each for 4 runs, plus every frame's own point)
MARGIN = 0.5  # how far beyond the plot domain the view may grow to follow a path (fraction)


def view_range(domain, views: Sequence[RunView], start=None) -> tuple[tuple[float, float], tuple[float, float]]:
    """The plot domain, grown to show where the paths went (at most MARGIN of its size per side).
    Growth is in steps of a twentieth of the domain, so small changes of a path keep the same
    view (and the same cached background)."""
    out = []
    for d, (lo, hi) in enumerate(domain):
        pts = [v.positions[: v.last_valid + 1, d] for v in views]
        if start is not None:
            pts.append(np.atleast_1d(start[d]))
        span = hi - lo
        notch = span / 20
        if pts:
            allp = np.concatenate(pts)
            if allp.min() < lo:
                lo = max(lo - notch * np.ceil((lo - allp.min()) / notch + 0.5), lo - MARGIN * span)
            if allp.max() > hi:
                hi = min(hi + notch * np.ceil((allp.max() - hi) / notch + 0.5), hi + MARGIN * span)
        out.append((float(lo), float(hi)))
    return out[0], out[1]


def _path_indices(last: int, frames: np.ndarray, runs: int) -> np.ndarray:
    """A fixed subsample of a path (both ends and every frame's index in), so that each frame's
    path is a prefix of it plus the exact current point."""
    base = np.round(np.linspace(0, last, min(last + 1, max(PATH_POINTS // runs, 60)))).astype(int)
    return np.unique(np.concatenate([base, frames[frames <= last]]))


def _thinned_path(p: np.ndarray) -> np.ndarray:
    """A long path at a few thousand of its points (each stretch's extremes in x and y kept)."""
    return p[thin_indices([p[:, 0], p[:, 1]])]


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


class PathLayer(NamedTuple):
    """The animated part of a paths panel: for each run, its bright path trace (the current point is
    the next trace) and the subsample of its path that frames ship."""

    frames: np.ndarray  # indices into positions, one per frame
    animated: list  # (path trace index, RunView, path indices)


def add_paths(fig: go.Figure, landscape, views: Sequence[RunView], start, background: Background, *,
              click_grid: int = 41, row=None, col=None, pace: str = "even") -> PathLayer:
    """Static traces (a transparent grid of clickable points whose hover shows f, the minima, the
    start, each path drawn faintly in full, a ✕ where a run diverged) and the animated ones (each
    path so far and its current point), shown at the last frame."""
    kw = dict(row=row, col=col) if row else {}
    (x0, x1), (y0, y1) = background.x_range, background.y_range
    if click_grid:
        _, _, pts = grid(((x0, x1), (y0, y1)), click_grid)
        with np.errstate(all="ignore"):
            fz = landscape.f(pts)
        fig.add_trace(go.Scatter(
            x=_f32(pts[..., 0].ravel()), y=_f32(pts[..., 1].ravel()), mode="markers",
            marker=dict(size=14, color="rgba(0,0,0,0)"), customdata=_f32(fz.ravel()),
            hovertemplate="x=%{x:.3g}, y=%{y:.3g}<br>f=%{customdata:.4g}<br>click: start here<extra></extra>",
            showlegend=False, name="start grid"), **kw)
    if landscape.minima:
        mx, my = zip(*landscape.minima)
        fig.add_trace(go.Scatter(
            x=mx, y=my, mode="markers",
            name="minimum (found numerically)" if landscape.minima_found else "global minimum",
            marker=dict(symbol="star", size=15, color="white", line=dict(color="black", width=1.5)),
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>"), **kw)
    fig.add_trace(go.Scatter(
        x=[start[0]], y=[start[1]], mode="markers", name="start",
        marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=2.5)),
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>"), **kw)

    n_positions = max(len(v.positions) for v in views) if views else 1
    frames_idx = frame_indices(n_positions, MAX_FRAMES, pace)
    animated = []
    for v in views:
        last = v.last_valid
        p = v.positions
        whole = _thinned_path(p[: last + 1])
        fig.add_trace(go.Scatter(
            x=_f32(whole[:, 0]), y=_f32(whole[:, 1]), mode="lines",
            line=dict(color=rgba(v.color, 0.28), width=1.5), legendgroup=v.key, showlegend=False,
            hoverinfo="skip", name=f"{v.label} (whole path)"), **kw)
        path_idx = _path_indices(last, frames_idx, len(views))
        animated.append((len(fig.data), v, path_idx))
        path, head = path_at(v, path_idx, int(frames_idx[-1]), frame=False)
        fig.add_trace(path.update(mode="lines", name=v.label, legendgroup=v.key, hoverinfo="skip",
                                  line=dict(color=v.color, width=2.6, dash=dash_of(v.key))), **kw)
        fig.add_trace(head.update(
            mode="markers", marker=dict(size=11, color=v.color, line=dict(color="white", width=1.5)),
            legendgroup=v.key, showlegend=False, name=v.label,
            hovertemplate=f"{v.label}<br>step %{{customdata[0]}}<br>(%{{x:.4g}}, %{{y:.4g}})"
                          "<br>loss %{customdata[1]:.4g}<extra></extra>"), **kw)
        if v.diverged_at >= 0:
            fig.add_trace(go.Scatter(
                x=[p[last, 0]], y=[p[last, 1]], mode="markers+text", legendgroup=v.key, showlegend=False,
                marker=dict(symbol="x-thin", size=18, line=dict(color=v.color, width=3)),
                text=[f"diverged at step {v.diverged_at}"], textposition="top center",
                textfont=dict(color=v.color), hoverinfo="skip", name=f"{v.label} diverged"), **kw)
    return PathLayer(frames_idx, animated)


def path_at(v: RunView, path_idx: np.ndarray, k: int, *, frame: bool = True) -> tuple:
    """The path so far and the current point at frame index k (frozen after divergence): two
    ``go.Scatter`` traces, or with ``frame`` two plain trace updates for an animation frame (arrays
    in typed-array form)."""
    kk = min(k, v.last_valid)
    sel = np.unique(np.append(path_idx[path_idx <= kk], kk))
    x, y = v.positions[sel, 0], v.positions[sel, 1]
    hx, hy = v.positions[kk : kk + 1, 0], v.positions[kk : kk + 1, 1]
    customdata = [[int(v.steps[kk - 1]) if kk else 0, float(v.loss[kk])]]
    if frame:
        return ({"type": "scatter", "x": typed(x), "y": typed(y)},
                {"type": "scatter", "x": typed(hx), "y": typed(hy), "customdata": customdata})
    return (go.Scatter(x=_f32(x), y=_f32(y)), go.Scatter(x=_f32(hx), y=_f32(hy), customdata=customdata))


def path_frame(layer: PathLayer, k: int) -> tuple[list, list]:
    """(data, trace indices) of the paths layer at frame index k."""
    data, traces = [], []
    for path_trace, v, path_idx in layer.animated:
        data += list(path_at(v, path_idx, k))
        traces += [path_trace, path_trace + 1]
    return data, traces


def step_labels(views: Sequence[RunView], frames: np.ndarray) -> list[str]:
    """The step t each frame shows (frame index k is positions[k], after step steps[k - 1])."""
    return [str(int(views[0].steps[k - 1]) if (views and k) else 0) for k in frames]


def path_axes(background: Background, x_anchor: str = "x") -> tuple[dict, dict]:
    """A map's axes at equal scales (a circle stays round): the plot area shrinks to the window's
    aspect instead of stretching it."""
    (x0, x1), (y0, y1) = background.x_range, background.y_range
    return (dict(range=[x0, x1], title="x", showgrid=False, zeroline=False, constrain="domain"),
            dict(range=[y0, y1], title="y", showgrid=False, zeroline=False, constrain="domain",
                 scaleanchor=x_anchor, scaleratio=1))


def contour_figure(landscape, views: Sequence[RunView], start, background: Background, *,
                   height: int = 520, click_grid: int = 41, title: str | None = None,
                   open_at_start: bool = False, pace: str = "even") -> AnimatedFigure:
    """Paths on the landscape's raster background, animated frame by frame in the browser; frames
    carry only the paths so far and the current points. It opens on the whole run, or with
    ``open_at_start`` on step 0, ready to play."""
    fig = AnimatedFigure()
    layer = add_paths(fig, landscape, views, start, background, click_grid=click_grid, pace=pace)
    if open_at_start:  # the animated traces as at frame 0: every run at the start
        for path_trace, v, path_idx in layer.animated:
            path, head = path_at(v, path_idx, 0, frame=False)
            fig.data[path_trace].update(x=path.x, y=path.y)
            fig.data[path_trace + 1].update(x=head.x, y=head.y, customdata=head.customdata)
    kinds = [trace.type for trace in fig.data]
    fig.frames = [frame(kinds, str(int(k)), *path_frame(layer, int(k))) for k in layer.frames]
    add_controls(fig, [str(int(k)) for k in layer.frames], step_labels(views, layer.frames),
                 active=0 if open_at_start else None)
    xaxis, yaxis = path_axes(background)
    fig.update_layout(
        images=[layout_image(background)], height=height, margin=dict(l=50, r=20, t=40 if title else 10, b=150),
        xaxis=xaxis, yaxis=yaxis, plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0),
        hovermode="closest", title=title, dragmode="pan", uirevision=landscape.key,
        modebar=dict(orientation="v"))
    return fig


def surface_figure(landscape, views: Sequence[RunView], x_range, y_range, *, resolution: int = 90,
                   height: int = 640) -> go.Figure:
    """The same paths on the 3-D surface (log-scaled heights where the landscape asks for it)."""
    xs, ys, pts = grid((x_range, y_range), resolution)
    with np.errstate(all="ignore"):
        z = shown_values(landscape, landscape.f(pts))
    finite = np.isfinite(z)
    cap = np.percentile(z[finite], 99.5) if finite.any() else 1.0
    z = np.where(finite, np.minimum(z, cap), cap)
    fig = go.Figure(go.Surface(x=xs, y=ys, z=z, colorscale="Greys", reversescale=True, opacity=0.85,
                               showscale=False, hoverinfo="skip", contours=dict(
                                   z=dict(show=True, usecolormap=False, color="rgba(0,0,0,0.25)",
                                          project=dict(z=False)))))
    for v in views:
        p = _thinned_path(v.positions[: v.last_valid + 1])
        with np.errstate(all="ignore"):
            pz = np.minimum(shown_values(landscape, landscape.f(p)), cap)
        fig.add_trace(go.Scatter3d(x=_f32(p[:, 0]), y=_f32(p[:, 1]), z=_f32(pz), mode="lines",
                                   line=dict(color=v.color, width=6), name=v.label, legendgroup=v.key))
        fig.add_trace(go.Scatter3d(x=[p[-1, 0]], y=[p[-1, 1]], z=[pz[-1]], mode="markers",
                                   marker=dict(size=5, color=v.color), showlegend=False, legendgroup=v.key,
                                   name=v.label))
    zlabel = "log10(f - f* + offset)" if landscape.log_contours else "f"
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=10, b=0),
                      scene=dict(xaxis_title="x", yaxis_title="y", zaxis_title=zlabel,
                                 xaxis=dict(range=list(x_range)), yaxis=dict(range=list(y_range))),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      uirevision=landscape.key)
    return fig
