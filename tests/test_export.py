"""Downloads: the trajectories CSV holds the run's numbers; the HTML page works offline."""

from __future__ import annotations

import csv
import io

import numpy as np

import landscapes
import optim_core as oc
from viz import export, trajectory
from viz.background import render
from viz.runs import views_from_trace


def _views():
    ls = landscapes.get("beale")
    trace = oc.run(oc.stack([(oc.adam(0.05), 1), (oc.sgd(0.5), 1)]), ls, np.array([ls.start] * 2), 60)
    return ls, trace, views_from_trace(trace, ["adam", "sgd"], ["Adam", "SGD"])


def test_trajectories_csv_holds_every_recorded_step_exactly():
    _, trace, views = _views()
    rows = list(csv.DictReader(io.StringIO(export.trajectories_csv(views))))
    adam = [r for r in rows if r["optimizer"] == "Adam"]
    assert len(adam) == 61 and [int(r["step"]) for r in adam] == list(range(61))
    np.testing.assert_array_equal([float(r["x"]) for r in adam], trace.positions[:, 0, 0])
    np.testing.assert_array_equal([float(r["loss"]) for r in adam], trace.loss[:, 0])
    assert adam[0]["lr_eff_x"] == "" and float(adam[5]["lr_eff_y"]) == trace.lr_eff[4, 0, 1]
    sgd = [r for r in rows if r["optimizer"] == "SGD"]
    d = int(trace.diverged_at[1])
    assert d > 0, "SGD at lr 0.5 diverges on Beale"
    assert {r["diverged"] for r in sgd[d:]} == {"1"} and {r["diverged"] for r in sgd[:d]} == {"0"}


def test_figure_html_is_a_standalone_page():
    ls, _, views = _views()
    fig = trajectory.contour_figure(ls, views, ls.start, render(ls, resolution=40))
    html = export.figure_html(fig)
    assert html.lstrip().lower().startswith("<!doctype html>") and "Plotly.newPlot" in html
    assert '<script src="http' not in html and len(html) > 1_000_000  # plotly.js is embedded
    assert "addFrames" in html  # the animation travels with the page
