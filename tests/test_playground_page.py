"""The playground through AppTest: it runs, its controls change the figure's data as expected, and a
link (valid or garbage) sets the state."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
import optim_core as oc
from tests.conftest import APP, open_app, chart_specs, decode, warning_text

PAGE = "app_pages/playground.py"


def open_playground(query: dict | None = None) -> AppTest:
    return open_app(PAGE, query)


def contour(at) -> dict:
    return chart_specs(at)[0]


def whole_path(spec: dict, label: str) -> np.ndarray:
    """The faint whole path of ``label`` (all recorded points up to divergence), as (N, 2)."""
    for tr in spec["data"]:
        if tr.get("name") == f"{label} (whole path)":
            return np.stack([decode(tr["x"]), decode(tr["y"])], axis=1).astype(np.float64)
    raise KeyError(label)


def start_marker(spec: dict) -> tuple[float, float]:
    tr = next(t for t in spec["data"] if t.get("name") == "start")
    return float(decode(tr["x"])[0]), float(decode(tr["y"])[0])


def legend_names(spec: dict) -> list[str]:
    return [t["name"] for t in spec["data"] if t.get("mode") == "lines" and t.get("showlegend") is not False
            and not t["name"].endswith("(whole path)")]


def test_default_view_runs_and_matches_the_core(clear_caches):
    at = open_playground()
    spec = contour(at)
    assert legend_names(spec) == ["SGD", "Momentum", "Adam", "AdaBound"]
    assert len(spec["frames"]) > 10
    ls = landscapes.get("rosenbrock")
    assert start_marker(spec) == ls.start
    # the drawn Adam path is the core's Adam run with the page's hyperparameters
    lr = at.number_input(key="adam.lr").value
    ref = oc.run(oc.adam(lr), ls, np.array([ls.start]), at.number_input(key="T").value)
    np.testing.assert_allclose(whole_path(spec, "Adam"), ref.positions[:, 0], rtol=1e-6, atol=1e-6)  # float32
    assert "ls=" not in str(dict(at.query_params)) or at.query_params["ls"] == "rosenbrock"


def test_changing_the_landscape_moves_start_and_refills_hyperparameters():
    at = open_playground()
    at.selectbox(key="ls").set_value("himmelblau").run()
    assert not at.exception
    ls = landscapes.get("himmelblau")
    spec = contour(at)
    assert start_marker(spec) == ls.start
    minima = next(t for t in spec["data"] if t.get("name") == "global minimum")
    assert len(decode(minima["x"])) == 4
    assert at.query_params["ls"] == "himmelblau"


def test_changing_the_optimizer_set_changes_the_paths():
    at = open_playground()
    at.multiselect(key="opt").set_value(["rmsprop", "amsbound"]).run()
    assert not at.exception
    assert legend_names(contour(at)) == ["RMSProp", "AMSBound"]
    assert at.query_params["opt"] == "rmsprop,amsbound"


def test_changing_a_hyperparameter_and_the_start_changes_the_data():
    at = open_playground({"opt": "adam", "T": "100"})
    before = whole_path(contour(at), "Adam")
    at.number_input(key="adam.lr").set_value(0.2).run()
    after = whole_path(contour(at), "Adam")
    assert not np.allclose(before, after)
    ls = landscapes.get("rosenbrock")
    ref = oc.run(oc.adam(0.2), ls, np.array([ls.start]), 100).positions[:, 0]
    np.testing.assert_allclose(after, ref, rtol=1e-6, atol=1e-6)
    at.number_input(key="x0").set_value(0.5).run()
    assert start_marker(contour(at)) == (0.5, 2.0)
    np.testing.assert_allclose(whole_path(contour(at), "Adam")[0], [0.5, 2.0])
    assert at.query_params["adam.lr"] == "0.2" and at.query_params["x0"] == "0.5"


def test_a_link_with_every_parameter_reproduces_the_state():
    query = {"ls": "beale", "opt": "momentum,adabound", "x0": "1", "y0": "1.5", "T": "321",
             "sched": "step", "sched.step.step_size": "50", "sched.step.decay": "0.5", "noise": "0.1",
             "seed": "7", "momentum.lr": "0.002", "momentum.momentum": "0.8", "momentum.dampening": "0.1",
             "adabound.lr": "0.03", "adabound.beta1": "0.85", "adabound.beta2": "0.99",
             "adabound.final_lr": "0.01", "adabound.gamma": "0.005", "adabound.eps": "1e-06",
             "adabound.weight_decay": "0.001"}
    at = open_playground(query)
    assert not at.warning, [w.value for w in at.warning]
    assert dict(at.query_params) == query  # the page writes back exactly what it was given
    ls = landscapes.get("beale")
    opt = oc.stack([(oc.sgd(0.002, momentum=0.8, dampening=0.1), 1),
                    (oc.adabound(0.03, betas=(0.85, 0.99), final_lr=0.01, gamma=0.005, eps=1e-6,
                                 weight_decay=0.001), 1)])
    ref = oc.run(opt, ls, np.array([[1.0, 1.5], [1.0, 1.5]]), 321,
                 schedule=oc.Schedule("step", step_size=50, decay=0.5), noise_std=0.1, noise_seed=7)
    spec = contour(at)
    np.testing.assert_allclose(whole_path(spec, "Momentum"), ref.positions[:, 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(whole_path(spec, "AdaBound"), ref.positions[:, 1], rtol=1e-5, atol=1e-5)


def test_a_garbage_link_gives_notes_and_a_working_page():
    at = open_playground({"ls": "atlantis", "opt": "adam,<b>bogus</b>", "T": "1e12", "adam.lr": "-3",
                          "x0": "nan", "y0": "1e300", "noise": "lots", "seed": "-1", "sched": "weekly",
                          "evil": "1"})
    text = warning_text(at)
    for word in ("atlantis", "bogus", "steps", "Adam", "start x", "start y", "noise", "seed", "schedule", "evil"):
        assert word in text, word
    assert legend_names(contour(at)) == ["Adam"]
    assert at.number_input(key="T").value == 10_000
    assert at.number_input(key="adam.lr").value == pytest.approx(1e-5)
    # the start that was off the picture is on its edge now
    ls = landscapes.get("rosenbrock")
    (y_lo, y_hi) = ls.domain[1]
    assert at.number_input(key="y0").value == pytest.approx(y_hi + 0.5 * (y_hi - y_lo))


def test_divergence_is_shown_not_hidden():
    at = open_playground({"opt": "sgd,adam", "sgd.lr": "0.1", "T": "200"})
    warning = warning_text(at)
    assert "SGD at step" in warning
    table = at.dataframe[0].value
    diverged = table.set_index("optimizer")["diverged at step"]
    assert diverged["SGD"] > 0 and np.isnan(diverged["Adam"])
    spec = contour(at)
    marker = next(t for t in spec["data"] if t.get("name") == "SGD diverged")
    assert "diverged at step" in marker["text"][0]
    path = whole_path(spec, "SGD")
    assert np.all(np.isfinite(path)) and np.abs(path).max() < oc.DEFAULT_BOX


def test_no_optimizer_is_a_message_not_an_error():
    at = open_playground()
    at.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert "Choose at least one optimizer" in at.info[0].value


def test_every_figure_stays_a_few_megabytes_in_the_largest_setting():
    """All eleven optimizers at the step cap: long lines are thinned, frames sampled."""
    at = open_playground({"opt": ",".join(oc.OPTIMIZERS), "T": "10000"})
    at.toggle(key="_lr_tab").set_value(True).run()  # the learning rates too, drawn on request
    at.toggle(key="_surface_tab").set_value(True).run()  # and the 3-D surface
    sizes = [len(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(sizes) == 4 and max(sizes) < 3_000_000, sizes


def test_the_bias_correction_preset_opens_at_step_0_ready_to_play():
    from ui.presets import get

    preset = get("bias_correction")
    at = open_app(preset.path, preset.query)
    spec = chart_specs(at)[0]
    slider = spec["layout"]["sliders"][0]
    assert slider["active"] == 0 and slider["steps"][0]["label"] == "0"
    heads = [t for t in spec["data"] if t.get("mode") == "markers" and t.get("name") in ("Adam", "Adam (no bias correction)")]
    assert len(heads) == 2
    for t in heads:  # every current point sits at the start
        x, y = decode(t["x"]), decode(t["y"])
        assert len(x) == 1
        np.testing.assert_allclose([x[0], y[0]], [at.number_input(key="x0").value, at.number_input(key="y0").value],
                                   rtol=1e-6)
    # the default still opens on the whole run
    spec = chart_specs(open_app(PAGE, {"ls": "sphere", "opt": "adam", "T": "50"}))[0]
    assert spec["layout"]["sliders"][0]["active"] == len(spec["layout"]["sliders"][0]["steps"]) - 1


def test_a_path_hidden_under_another_is_named_and_drawn_in_its_own_dash():
    # gamma 1e-5: the band stays wide for the whole run
    at = open_app(PAGE, {"ls": "rosenbrock", "opt": "adam,adabound", "T": "500", "adam.lr": "0.05",
                         "adabound.lr": "0.05", "adabound.final_lr": "0.1", "adabound.gamma": "1e-05"})
    caption = " ".join(c.value for c in at.caption)
    assert "AdaBound = Adam for the whole run" in caption and "bounds never pushed it off" in caption
    assert "dashed path" in caption
    spec = chart_specs(at)[0]
    lines = {t["name"]: t["line"].get("dash") for t in spec["data"] if t.get("mode") == "lines" and "line" in t
             and t.get("name") in ("Adam", "AdaBound")}
    assert lines == {"Adam": "solid", "AdaBound": "dash"}
    # runs that part at once get no note
    at = open_app(PAGE, {"ls": "rosenbrock", "opt": "sgd,adam", "T": "200"})
    assert not any(" = " in c.value and "steps" in c.value for c in at.caption)


def test_shared_stretches_counts_the_steps_two_paths_stay_together():
    from runs.playground import shared_stretches

    a = np.zeros((6, 2))
    b = np.array([[0, 0], [0, 0], [0, 0.01], [0, 0.5], [0, 0], [0, 0]], dtype=float)
    assert shared_stretches([a, b], 0.1) == [(0, 1, 2)]  # together at positions 0-2: two steps
    assert shared_stretches([a, a + 1.0], 0.1) == []


def test_a_link_says_which_settings_it_set():
    at = open_app(PAGE, {"ls": "beale", "opt": "adam", "adam.lr": "0.05"})
    caption = " ".join(c.value for c in at.caption)
    assert "Opened from a link that set landscape, optimizers, Adam learning rate η" in caption
    assert "every other setting is at its default" in caption
    at = open_app(PAGE)  # no link: no such line
    assert not any("Opened from a link" in c.value for c in at.caption)


def test_the_slide_downloads_are_offered_and_their_data_is_what_they_say():
    import io

    from PIL import Image

    from viz import movie
    from viz.runs import registry_views

    at = open_playground({"ls": "booth", "opt": "sgd,adam", "T": "60"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"animation (GIF)", "animation (MP4)", "whole run (PNG)"} <= set(labels)
    # what the PNG button hands over, for SGD at the page's own rate from the page's start
    ls = landscapes.get("booth")
    spec = contour(at)
    start = start_marker(spec)
    trace = oc.run(oc.stack([(oc.sgd(at.session_state["sgd.lr"]), 1)]), ls, np.array([start]), 60)
    views = registry_views(trace, ["sgd"])
    from viz.background import render

    png = movie.still_png(render(ls, ls.domain, 120), views, start, title=ls.name)
    assert Image.open(io.BytesIO(png)).size == (1280, 720)


def test_run_log_gets_one_line_per_script_run_when_asked(tmp_path, monkeypatch):
    from ui.pages import RUN_LOG_ENV
    log = tmp_path / "runs.txt"
    monkeypatch.setenv(RUN_LOG_ENV, str(log))
    at = open_playground()
    at.number_input(key="T").set_value(120).run()
    lines = [line.split() for line in log.read_text().splitlines()]
    assert [page for page, _ in lines] == ["playground", "playground"]
    assert all(float(seconds) > 0 for _, seconds in lines)  # a duration, whatever its size


def test_the_browser_bench_names_the_run_log_setting_as_the_app_does():
    import bench.browser_speed
    from ui.pages import RUN_LOG_ENV
    assert bench.browser_speed.RUN_LOG_ENV == RUN_LOG_ENV


def test_no_run_log_without_the_setting(tmp_path, monkeypatch):
    from ui.pages import RUN_LOG_ENV
    monkeypatch.delenv(RUN_LOG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    open_playground()
    assert list(tmp_path.iterdir()) == []
