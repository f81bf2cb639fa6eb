"""The final_lr lab through AppTest: it runs, its heat maps show the sweep's medians, its controls
and links set the state, and hostile or oversized links give notes and messages, not exceptions.
Sweeps are kept small through the link to stay fast."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, open_app, chart_specs, decode, warning_text
from runs import lab as sweeps
from viz.colors import color_of

PAGE = "app_pages/lab.py"
SMALL = {"fl_n": "6", "g_n": "4", "lr_n": "3", "S": "2", "T": "150"}


def open_lab(query: dict | None = None) -> AppTest:
    return open_app(PAGE, query)


def traces(spec: dict) -> dict[str, dict]:
    return {t.get("name"): t for t in spec["data"]}


def curve(spec: dict, prefix: str) -> dict:
    """The median line of the method whose legend text starts with ``prefix``."""
    return next(t for t in spec["data"] if (t.get("name") or "").startswith(prefix)
                and not t["name"].endswith(("quartiles", "diverged")))


def heat(spec: dict) -> np.ndarray:
    return decode(next(t for t in spec["data"] if t["type"] == "heatmap")["z"]).astype(float)


def test_the_page_shows_two_heat_maps_and_the_line_view(clear_caches):
    at = open_lab(SMALL)
    specs = chart_specs(at)
    assert len(specs) == 4  # two maps, the line view, the finder
    fl_gamma, fl_lr, line, _ = specs
    assert heat(fl_gamma).shape == (4, 6) and heat(fl_lr).shape == (3, 6)
    for spec in (fl_gamma, fl_lr, line):
        assert spec["layout"]["xaxis"]["type"] == "log" and spec["layout"]["yaxis"]["type"] == "log"
    assert any(n and n.startswith("stability limit") for n in traces(fl_gamma))
    assert curve(line, "AdaBound (")["line"]["color"] == color_of("adabound")
    assert curve(line, "SGD(M) at lr = final_lr")["line"]["color"] == color_of("momentum")
    assert curve(line, "Adam (")["line"]["color"] == color_of("adam")
    assert "Curvature at the minimum" in " ".join(m.value for m in at.markdown)


def test_the_heat_map_is_the_median_of_the_sweep(clear_caches):
    at = open_lab(SMALL)
    lr = at.number_input(key="adabound.lr").value
    hyper = {k: at.number_input(key=f"adabound.{k}").value for k in ("beta1", "beta2", "gamma", "eps", "weight_decay")}
    setup = sweeps.Setup("rosenbrock", 3, "adabound", tuple(sorted({"lr": lr, **hyper}.items())), 2, 0, 150,
                         sweeps.Axis("final_lr", 1e-4, 10.0, 6), sweeps.Axis("gamma", 1e-5, 0.1, 4),
                         sweeps.Axis("lr", 1e-4, 1.0, 3))
    sweep = setup.final_lr_gamma()
    median = sweeps.cell_stats(sweep, sweeps.run_sweep(sweep), 0).median.T
    z = heat(chart_specs(at)[0])
    finite = np.isfinite(median)
    assert np.array_equal(np.isnan(z), ~finite)
    np.testing.assert_allclose(z[finite], np.log10(np.maximum(median[finite], 1e-16)), rtol=1e-12)


def test_controls_change_the_sweep_and_the_link(clear_caches):
    at = open_lab(SMALL)
    at.radio(key="opt").set_value("amsbound").run()
    assert not at.exception
    assert at.query_params["opt"] == "amsbound"
    line = chart_specs(at)[2]
    assert curve(line, "AMSGrad (")["line"]["color"] == color_of("amsgrad")
    assert curve(line, "AMSBound (")["line"]["color"] == color_of("amsbound")
    at.radio(key="damp").set_value("zero").run()
    assert any(n and n.startswith("SGD(M) limit") for n in traces(chart_specs(at)[2]))
    at.number_input(key="g_n").set_value(5).run()
    assert heat(chart_specs(at)[0]).shape == (5, 6) and at.query_params["g_n"] == "5"


def test_choosing_an_online_problem_sets_its_paper_betas(clear_caches):
    at = open_lab(SMALL)
    at.selectbox(key="ls").set_value("online:adabound").run()
    assert not at.exception
    assert at.number_input(key="adabound.beta1").value == 0.0
    assert at.number_input(key="adabound.beta2").value == sweeps.resolve("online:adabound", 3).default_beta2
    assert "no stability limit" in at.info[0].value
    specs = chart_specs(at)
    assert len(specs) == 3  # two maps and the line view: no finder on linear losses
    assert not any(n and n.startswith("stability limit") for n in traces(specs[0]))
    assert at.query_params["ls"] == "online:adabound"


def test_a_garbage_link_gives_notes_and_a_working_page(clear_caches):
    at = open_lab({**SMALL, "ls": "saddle", "opt": "<b>x</b>", "T": "1e12", "S": "-3", "fl_lo": "nan",
                   "fl_hi": "0.00001", "fl_n": "lots", "g_lo": "0.5", "g_hi": "1e-6", "adabound.beta1": "7",
                   "C": "2.5", "damp": "sideways", "evil": "1"})
    text = warning_text(at)
    for word in ("Saddle has no minimum", "method", "horizon", "random starts", "final_lr η* from",
                 "final_lr η* values", "upside down", "β₁", "period C", "dampening", "evil"):
        assert word in text, word
    assert at.number_input(key="T").value == 10_000 and at.number_input(key="S").value == 0
    assert len(chart_specs(at)) == 4  # the clamped sweep is within the caps: it runs (and the finder)


def test_an_oversized_sweep_is_refused_with_a_message(clear_caches):
    at = open_lab({"T": "10000", "S": "63", "fl_n": "80", "g_n": "40", "lr_n": "40"})
    errors = [e.value for e in at.error]
    assert len(errors) == 3 and all("million run-steps" in e for e in errors)
    assert "Sweep 1" in errors[0] and "Sweep 2" in errors[1] and "line view" in errors[2]
    assert len(chart_specs(at)) == 1  # only the finder: no sweep ran


def test_a_sweep_in_chunks_gives_the_same_picture(clear_caches, monkeypatch):
    whole = heat(chart_specs(open_lab(SMALL))[0])
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setattr(sweeps, "CHUNK_RUNS", 5)  # five runs per chunk
    monkeypatch.setattr(sweeps, "CHUNK_RUN_STEPS", 5 * 150)  # more work than this: a progress bar
    chunked = heat(chart_specs(open_lab(SMALL))[0])
    np.testing.assert_array_equal(np.isnan(whole), np.isnan(chunked))
    np.testing.assert_allclose(chunked[~np.isnan(whole)], whole[~np.isnan(whole)], rtol=0, atol=0)


@pytest.mark.parametrize("problem, charts", [("himmelblau", 4), ("online:reddi", 3)])
def test_other_problems_run(problem, charts, clear_caches):
    at = open_lab({**SMALL, "ls": problem})
    assert len(chart_specs(at)) == charts  # an online problem has no finder


def test_the_gallery_preset_opens_the_default_lab_without_notes(clear_caches):
    from ui.presets import get

    preset = get("final_lr_lab")
    assert preset.path == PAGE
    at = open_lab(preset.query)
    assert not at.warning and len(chart_specs(at)) == 4
    assert heat(chart_specs(at)[0]).shape == (20, 40)  # the default sweep: 40 final_lr x 20 gamma


def test_a_map_of_one_colour_says_why(clear_caches):
    # with the paper's betas AMSBound reaches the optimal side of the AdaBound example from the
    # median start for every final_lr and gamma of this grid
    at = open_lab({**SMALL, "S": "3", "T": "300", "ls": "online:adabound", "opt": "amsbound", "amsbound.beta1": "0",
                   "amsbound.beta2": "0.04", "amsbound.lr": "0.1"})
    uniform = sum(bool(np.all(heat(spec) == -16)) for spec in chart_specs(at)[:2])  # log10 of the floor
    assert uniform >= 1 and sum("the map has one colour" in c.value for c in at.caption) == uniform


def test_the_finder_suggests_a_final_lr_near_the_curvature_limit_and_links_it():
    at = open_app(PAGE, {"ls": "rosenbrock"})
    text = " ".join(m.value for m in at.markdown if "Suggested final_lr" in m.value)
    suggested = float(re.search(r"Suggested final_lr = ([0-9.e+-]+)", text).group(1))
    limit = sweeps.stability_limit(sweeps.resolve("rosenbrock"), 0.9).final_lr
    assert limit / 3 <= suggested <= 3 * limit
    (link,) = [p for p in at.get("page_link") if "Use this" in p.proto.label]
    query = dict(part.split("=") for part in link.proto.query_string.split("&"))
    assert link.proto.page == "playground"
    assert float(query["adabound.final_lr"]) == float(query["momentum.lr"]) == pytest.approx(suggested, rel=0.05)
    assert query["momentum.dampening"] == "0.9"  # SGD(M) as AdaBound's late phase
    at = open_app(PAGE, {"ls": "online:reddi"})
    assert any("online problem's losses are linear" in i.value for i in at.info)
