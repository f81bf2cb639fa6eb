"""Browser-side animation: Plotly frames that carry only what moves, with play/pause, speeds and a
step slider. Figures build their frames; this module adds the controls, the same on every page."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

SPEEDS = (("0.5×", 2.0), ("1×", 1.0), ("2×", 0.5), ("4×", 0.25))
FULL_PLAY_MS = 6000  # one pass at 1× takes about this long, whatever the number of frames


def _play_args(duration_ms: float, from_current: bool) -> list:
    return [None, {"frame": {"duration": duration_ms, "redraw": False}, "fromcurrent": from_current,
                   "transition": {"duration": 0}, "mode": "immediate"}]


def add_controls(fig: go.Figure, frame_names: Sequence[str], frame_labels: Sequence[str],
                 *, slider_prefix: str = "step ", active: int | None = None) -> go.Figure:
    """Play/pause buttons, speed buttons and a slider over ``frames`` (already on ``fig``).

    The figure opens on its last frame (the whole run, a useful still picture) unless ``active``
    names another; ▶ Play replays from the start, a speed button continues from the current frame
    at that speed."""
    base_ms = max(16.0, FULL_PLAY_MS / max(len(frame_names), 1))
    play_pause = dict(
        type="buttons", direction="left", showactive=False, x=0.0, y=-0.12, xanchor="left",
        yanchor="top", pad={"r": 6, "t": 0},
        buttons=[
            dict(label="▶ Play", method="animate", args=_play_args(base_ms, False)),
            dict(label="❚❚ Pause", method="animate",
                 args=[[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                "transition": {"duration": 0}}]),
        ],
    )
    speeds = dict(
        type="buttons", direction="left", showactive=True, active=1, x=0.24, y=-0.12,
        xanchor="left", yanchor="top", pad={"r": 6, "t": 0},
        buttons=[dict(label=label, method="animate", args=_play_args(base_ms * factor, True))
                 for label, factor in SPEEDS],
    )
    slider = dict(
        active=len(frame_names) - 1 if active is None else active, x=0.0, y=-0.21, len=1.0, xanchor="left", yanchor="top",
        pad={"t": 4, "b": 0}, ticklen=3, minorticklen=0,
        font={"color": "rgba(0,0,0,0)"},  # one label per frame would be a smear; the current one shows
        currentvalue={"prefix": slider_prefix, "visible": True, "xanchor": "left",
                      "font": {"size": 13, "color": "#333"}},
        transition={"duration": 0},
        steps=[dict(label=label, method="animate",
                    args=[[name], {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
                                   "transition": {"duration": 0}}])
               for name, label in zip(frame_names, frame_labels)],
    )
    fig.update_layout(updatemenus=[play_pause, speeds], sliders=[slider])
    return fig


def frame(kinds: Sequence[type], name: str, data: list, traces: list) -> go.Frame:
    """An animation frame that moves ``traces`` (with ``data``) and lists every other trace of the
    figure (``kinds``: the type of each) with an empty update.

    An animation step recomputes every trace's data but re-links to its SVG node only the traces
    its frame lists; a click that selects a point afterwards (moving the start on the map) then
    fails on the unlisted ones. An empty update costs a few bytes per trace and frame; it is built
    unvalidated, as the moving data is (thousands of validated updates cost a rerun 0.1-0.3 s)."""
    moving = set(traces)
    static = [i for i in range(len(kinds)) if i not in moving]
    return go.Frame(name=name, data=list(data) + [kinds[i](_validate=False) for i in static],
                    traces=list(traces) + static, _validate=False)
