"""The basin-map page through AppTest: one panel per optimizer from the playground's settings, the
run cap said on the page, the views, and the link."""

from __future__ import annotations

import numpy as np

from tests.conftest import chart_specs, decode, open_app
from ui.basins_view import MAX_RUN_STEPS, resolution_within_cap

PAGE = "app_pages/basins.py"


def test_each_optimizer_gets_a_panel_and_a_caption_of_its_shares():
    at = open_app(PAGE, {"ls": "himmelblau", "opt": "sgd,adam", "adam.lr": "0.1", "res": "60", "T": "300"})
    assert not at.error and not at.exception
    spec = chart_specs(at)[0]
    heatmaps = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 2
    z = decode(heatmaps[0]["z"])
    assert np.asarray(z).size == 60 * 60
    assert set(np.unique(z)) <= {-2, -1, 0, 1, 2, 3}
    assert len(set(np.unique(z)) & {0, 1, 2, 3}) == 4  # SGD reaches all four of Himmelblau's minima
    shares = [c.value for c in at.caption if c.value.startswith("**")]
    assert shares[0].startswith("**SGD**: m1") and shares[1].startswith("**Adam**: m1")
    assert "res=60" in "&".join(f"{k}={v}" for k, v in at.query_params.items())


def test_the_steps_view_and_a_grid_too_large_for_one_rerun():
    at = open_app(PAGE, {"ls": "sphere", "opt": "sgd,momentum,adam,adabound", "T": "10000", "bview": "steps"})
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    side = resolution_within_cap(200, 10_000, 4)
    assert f"using {side} per side" in info
    assert side * side * 10_000 * 4 <= MAX_RUN_STEPS
    spec = chart_specs(at)[0]
    heatmap = next(t for t in spec["data"] if t["type"] == "heatmap")
    assert "steps" in str(spec["layout"][heatmap["coloraxis"]]["colorbar"]["title"]["text"])
    assert np.asarray(decode(heatmap["z"])).size == side * side


def test_runs_that_never_settle_are_explained():
    at = open_app(PAGE, {"ls": "himmelblau", "opt": "adam", "adam.lr": "0.001", "res": "40"})
    assert any("do not end within" in c.value for c in at.caption)
