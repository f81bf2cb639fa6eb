"""The animated figures keep their frames as plain dicts: Plotly's own validation must accept every
one of them, unchanged, and the frames must move the runs where the core put them."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import pytest

import landscapes
import optim_core as oc
from viz import lens, rescaling, trajectory
from viz.animation import AnimatedFigure
from viz.background import render
from viz.runs import views_from_trace


def _views(key="beale", steps=80):
    ls = landscapes.get(key)
    trace = oc.run(oc.stack([(oc.adam(0.05), 1), (oc.sgd(0.5), 1), (oc.adabound(0.05, final_lr=0.1, gamma=1e-2), 1)]), ls,
                   np.array([ls.start] * 3), steps)
    return ls, trace, views_from_trace(trace, ["adam", "sgd", "adabound"], ["Adam", "SGD", "AdaBound"])


def _decode(a) -> np.ndarray:
    if isinstance(a, dict):
        return np.frombuffer(base64.b64decode(a["bdata"]), dtype=a["dtype"])
    return np.asarray(a, dtype=float)


def _figure(name):
    ls, _, views = _views()
    bg = render(ls, resolution=40)
    if name == "contour":
        return trajectory.contour_figure(ls, views, ls.start, bg, open_at_start=True)
    if name == "lens":
        return lens.linked_figure(ls, views, ls.start, bg)
    return rescaling.rescaling_figure(ls, landscapes.rescaled(ls, 2.0), views, views, ls.start, bg, bg, s=2.0)


@pytest.mark.parametrize("name", ["contour", "lens", "rescaling"])
def test_plotly_validation_accepts_every_plain_frame_unchanged(name):
    fig = _figure(name)
    assert isinstance(fig, AnimatedFigure)
    spec = fig.to_dict()
    assert len(spec["frames"]) >= 10
    checked = go.Figure(spec)  # validates data, layout and every frame; raises on anything unknown
    assert checked.to_dict()["frames"] == spec["frames"]
    n_traces = len(spec["data"])
    for fr in spec["frames"]:  # every trace is listed in every frame (the map-click fix needs it)
        assert sorted(fr["traces"]) == list(range(n_traces))
        for i, update in zip(fr["traces"], fr["data"]):
            assert update["type"] == spec["data"][i]["type"]


def test_frames_put_each_run_where_the_core_put_it():
    ls, trace, views = _views()
    fig = trajectory.contour_figure(ls, views, ls.start, render(ls, resolution=40))
    spec = fig.to_dict()
    names = [d.get("name") for d in spec["data"]]
    for fr in spec["frames"]:
        k = int(fr["name"])
        for run, v in enumerate(views):
            head = fr["traces"].index(names.index(v.label) + 1)  # the current point follows the path trace
            kk = min(k, v.last_valid)
            np.testing.assert_allclose(_decode(fr["data"][head]["x"]), trace.positions[kk, run, 0:1], rtol=1e-6)
            np.testing.assert_allclose(_decode(fr["data"][head]["y"]), trace.positions[kk, run, 1:2], rtol=1e-6)


def test_frames_property_and_setter_round_trip():
    fig = AnimatedFigure(go.Scatter(x=[0, 1], y=[0, 1]))
    fig.frames = [go.Frame(name="a", data=[go.Scatter(x=[1], y=[2])], traces=[0])]
    assert fig.to_dict()["frames"][0]["name"] == "a"
    assert isinstance(fig.frames[0], go.Frame) and fig.frames[0].data[0].x == (1,)
    assert "frames" not in AnimatedFigure(go.Scatter(x=[0], y=[0])).to_dict()


def test_a_copy_keeps_the_plain_frames_and_leaves_the_original_alone():
    import copy

    fig = _figure("contour")
    twin = copy.deepcopy(fig)
    assert isinstance(twin, AnimatedFigure) and twin.to_dict()["frames"] == fig.to_dict()["frames"]
    twin.update_layout(font=dict(size=30))
    twin.to_dict()["frames"][0]["name"] = "changed"
    assert fig.layout.font.size is None and fig.to_dict()["frames"][0]["name"] != "changed"


@pytest.mark.parametrize("name", ["contour", "lens", "rescaling"])
def test_the_controls_step_one_frame_and_choose_a_speed(name):
    """Play, pause and the two frame steps in one row; the speeds in a dropdown that opens on 1×.
    The frame steps are Plotly buttons that do nothing themselves: the page's hook reads their
    args (ui.frame_steps)."""
    from viz.animation import FRAME_STEP, SPEEDS

    layout = _figure(name).to_dict()["layout"]
    row, speeds = layout["updatemenus"]
    assert [b["label"] for b in row["buttons"]] == ["▶", "❚❚", "|◀", "▶|"]
    steps = row["buttons"][2:]
    assert [b["method"] for b in steps] == ["skip", "skip"]
    assert [b["args"] for b in steps] == [[FRAME_STEP, -1], [FRAME_STEP, 1]]
    assert speeds["type"] == "dropdown" and [b["label"] for b in speeds["buttons"]] == [s for s, _ in SPEEDS]
    assert speeds["buttons"][speeds["active"]]["label"] == "1×"
    durations = [b["args"][1]["frame"]["duration"] for b in speeds["buttons"]]
    assert durations == sorted(durations, reverse=True)  # ½× waits longest between frames
    assert all(b["args"][1]["fromcurrent"] for b in speeds["buttons"])  # a speed plays on from here
    assert speeds["y"] == row["y"] and layout["sliders"][0]["y"] < row["y"]


def test_a_shared_figure_hands_out_its_dict_and_copies_are_ordinary_figures():
    import copy

    fig = _figure("contour")
    before = fig.to_dict()
    assert fig.share() is fig
    first, second = fig.to_dict(), fig.to_dict()
    assert first == before and first is not second  # a fresh top level every time
    assert first["data"] is second["data"]  # built once
    styled = copy.deepcopy(fig)
    styled.update_layout(height=900)
    assert styled.to_dict()["layout"]["height"] == 900 and styled.to_dict()["frames"] == before["frames"]
    assert fig.to_dict()["layout"].get("height") == before["layout"].get("height")
