"""Browser-side animation: Plotly frames that carry only what moves, with play/pause, speeds and a
step slider. Figures build their frames; this module adds the controls, the same on every page."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

SPEEDS = (("½×", 2.0), ("1×", 1.0), ("2×", 0.5), ("4×", 0.25))
# One frame back and one forward: Plotly buttons that do nothing themselves ("skip") but announce
# the click; the page's frame-step hook (ui.frame_steps) moves the chart one frame from where it
# stands, playing or paused. args = [FRAME_STEP, by].
FRAME_STEP = "frame step"
FRAME_BUTTONS = (("|◀", -1), ("▶|", 1))
# The media players' signs alone: with the words, the row no longer fitted two panels at 390 px.
PLAY, PAUSE = "▶", "❚❚"
FULL_PLAY_MS = 6000  # one pass at 1× takes about this long, whatever the number of frames


def _play_args(duration_ms: float, from_current: bool) -> list:
    return [None, {"frame": {"duration": duration_ms, "redraw": False}, "fromcurrent": from_current,
                   "transition": {"duration": 0}, "mode": "immediate"}]


def add_controls(fig: go.Figure, frame_names: Sequence[str], frame_labels: Sequence[str],
                 *, slider_prefix: str = "step ", active: int | None = None, top: float = -0.12) -> go.Figure:
    """Play/pause buttons, one-frame steps, speed buttons and a slider over ``frames`` (already on
    ``fig``).

    The figure opens on its last frame (the whole run, a useful still picture) unless ``active``
    names another; ▶ (play) replays from the start, ❚❚ pauses, |◀ and ▶| step one frame back and forward (and
    stop a play), a speed chosen in the dropdown plays on from the current frame at that speed.
    ``top``: where the buttons' row starts, in plot heights below the plot (under the x axis title);
    the slider follows below it."""
    base_ms = max(16.0, FULL_PLAY_MS / max(len(frame_names), 1))
    # One row: play, pause and the frame steps, side by side (Plotly lays out a menu's buttons by
    # their own widths, so they never overlap, whatever the type size or the plot's width), and at
    # the row's right end a dropdown of speeds that shows the current one. The highlighted button
    # is the last one pressed.
    controls = dict(
        type="buttons", direction="left", showactive=True, active=-1, x=0.0,
        y=top, xanchor="left", yanchor="top", pad={"t": 0},
        buttons=[
            dict(label=PLAY, method="animate", args=_play_args(base_ms, False)),
            dict(label=PAUSE, method="animate",
                 args=[[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                "transition": {"duration": 0}}]),
        ] + [dict(label=label, method="skip", args=[FRAME_STEP, by]) for label, by in FRAME_BUTTONS],
    )
    speeds = dict(
        type="dropdown", direction="up", showactive=True, active=SPEEDS.index(("1×", 1.0)), x=1.0,
        y=top, xanchor="right", yanchor="top", pad={"t": 0},
        buttons=[dict(label=label, method="animate", args=_play_args(base_ms * factor, True))
                 for label, factor in SPEEDS],
    )
    slider = dict(
        active=len(frame_names) - 1 if active is None else active, x=0.0, y=top - 0.09, len=1.0, xanchor="left", yanchor="top",
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
    fig.update_layout(updatemenus=[controls, speeds], sliders=[slider])
    return fig


class AnimatedFigure(go.Figure):
    """A figure whose animation frames are plain dicts, built once and passed on as they are.

    A playground rerun ships 100 frames of a dozen traces each. Set as ``Frame`` objects, Plotly
    copies every frame and trace when they are assigned and again when the figure becomes a dict,
    which cost about half of a rerun's server time. Here setting ``frames`` keeps the dicts (the arrays
    in them already in typed-array form), :meth:`to_dict` hands them on, and reading ``frames``
    builds validated ``Frame`` objects only for a caller that asks for them."""

    def __init__(self, data=None, *args, **kwargs):
        frames = []
        if isinstance(data, dict) and "frames" in data:  # a dict of a figure (a copy or an unpickling)
            data = dict(data)
            frames = data.pop("frames") or []
        super().__init__(data, *args, **kwargs)
        self._plain_frames: list[dict] = []
        self._shared: dict | None = None
        self.frames = frames

    @property
    def frames(self):
        return tuple(go.Frame(f) for f in self._plain_frames)

    @frames.setter
    def frames(self, new_frames):  # dicts as they are; Frame objects as their dicts
        self._plain_frames = [f.to_plotly_json() if isinstance(f, go.Frame) else dict(f) for f in new_frames or ()]

    def to_dict(self) -> dict:
        if self._shared is not None:
            return dict(self._shared)
        out = super().to_dict()
        if self._plain_frames:
            out["frames"] = list(self._plain_frames)
        return out

    def share(self) -> "AnimatedFigure":
        """Declare the figure finished: from here on it is read-only, shared between sessions, and
        its dict is built once (a rerun that shows it no longer rebuilds and re-encodes every
        trace). Restyle a copy (``copy.deepcopy``), which is an ordinary figure again."""
        self._shared = None
        self._shared = self.to_dict()
        return self


def frame(kinds: Sequence[str], name: str, data: list[dict], traces: list[int]) -> dict:
    """An animation frame (a plain dict) that moves ``traces`` (with ``data``) and lists every
    other trace of the figure (``kinds``: each trace's type, such as "scatter") with an empty update.

    An animation step recomputes every trace's data but re-links to its SVG node only the traces
    its frame lists; a click that selects a point afterwards (moving the start on the map) then
    fails on the unlisted ones. An empty update costs a few bytes per trace and frame."""
    moving = set(traces)
    static = [i for i in range(len(kinds)) if i not in moving]
    return {"name": name, "data": list(data) + [{"type": kinds[i]} for i in static],
            "traces": list(traces) + static}
