"""The learning-rate lens: plotted values are the Trace's, the band is the formula, the page and the
playground's tab run, and the "from Adam to SGD" preset shows what it promises."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
import optim_core as oc
from tests.conftest import APP, chart_specs, decode, warning_text
from ui import presets
from runs.playground import config, playground_trace
from viz.runs import registry_views
from viz import lens
from viz.background import render

ROSENBROCK = landscapes.get("rosenbrock")


def playground_views(trace, configs):
    return registry_views(trace, [key for key, _ in configs])


def _preset_run(key: str):
    """The run a playground preset link configures (its hyperparameters over the library defaults)."""
    query = presets.get(key).query
    keys = query["opt"].split(",")
    configs = []
    for k in keys:
        values = oc.OPTIMIZERS[k].defaults()
        values.update({p: float(v) for name, v in query.items() if name.startswith(f"{k}.")
                       for p in [name.split(".", 1)[1]]})
        configs.append(config(k, values))
    ls = landscapes.get(query["ls"])
    start = (float(query.get("x0", ls.start[0])), float(query.get("y0", ls.start[1])))
    trace = playground_trace(ls.key, tuple(configs), start, int(query["T"]), oc.CONSTANT, 0.0, 0)
    return ls, start, trace, playground_views(trace, tuple(configs)), dict(configs)


def _trace_by_name(spec, name):
    return next(t for t in spec["data"] if t.get("name") == name)


def test_linked_figure_plots_the_trace_values_and_the_band_formula():
    ls, start, trace, views, configs = _preset_run("adam_to_sgd")
    fig = lens.linked_figure(ls, views, start, render(ls, resolution=60))
    spec = fig.to_plotly_json()
    for b, v in enumerate(views):
        for d, name in enumerate("xy"):
            tr = _trace_by_name(spec, f"{v.label} · {name}")
            np.testing.assert_array_equal(decode(tr["x"]), trace.steps)
            np.testing.assert_array_equal(decode(tr["y"]), trace.lr_eff[:, b, d])
    ada = views[2]
    gamma, final_lr = dict(configs["adabound"])["gamma"], dict(configs["adabound"])["final_lr"]
    t = trace.steps.astype(float)
    upper = decode(_trace_by_name(spec, "AdaBound upper bound")["y"])
    lower = decode(_trace_by_name(spec, "AdaBound band [lower, upper]")["y"])
    np.testing.assert_allclose(lower, final_lr * (1 - 1 / (gamma * t + 1)), rtol=1e-14)
    np.testing.assert_allclose(upper, final_lr * (1 + 1 / (gamma * t)), rtol=1e-14)
    np.testing.assert_array_equal(decode(_trace_by_name(spec, "AdaBound · x unclipped")["y"]),
                                  trace.lr_eff_raw[:, 2, 0])
    # frames move the "now" markers to the rates at that step
    frame = spec["frames"][len(spec["frames"]) // 2]
    k = int(frame["name"])
    marker = [d for d in frame["data"] if "y" in d][-1]  # the last run's current rates
    np.testing.assert_array_equal(decode(marker["y"]), ada.lr_eff[k - 1])


def test_from_adam_to_sgd_preset_shows_both_bounds_and_convergence_to_final_lr():
    _, _, trace, views, configs = _preset_run("adam_to_sgd")
    ada = views[2]
    rows = [r for r in lens.clip_rows(views) if r["optimizer"] == "AdaBound"]
    assert max(r["clipped at lower bound"] for r in rows) > 0.05
    assert max(r["clipped at upper bound"] for r in rows) > 0.05
    final_lr = dict(configs["adabound"])["final_lr"]
    np.testing.assert_allclose(ada.lr_eff[-1], final_lr, rtol=0.06)
    # early on AdaBound is Adam: the band is wide open and no rate is clipped
    np.testing.assert_array_equal(ada.lr_eff[:5], ada.lr_eff_raw[:5])


def test_extreme_rates_preset_shows_adam_rates_far_too_small_and_far_too_large():
    ls, _, trace, views, configs = _preset_run("extreme_rates")
    stable_sgd = 2 / landscapes.max_curvature(ls, ls.minima[0])  # the largest stable plain-SGD rate
    adam = views[0].lr_eff
    assert adam.max() / adam.min() > 1000  # three decades over the run
    assert adam.min() < stable_sgd / 10 and adam[-1].min() > 10 * stable_sgd
    ada = views[2]
    final_lr = dict(configs["adabound"])["final_lr"]
    np.testing.assert_allclose(ada.lr_eff[-1], final_lr, rtol=0.15)  # band at t = 1e4: [0.91, 1.1] final_lr
    assert np.all(ada.lr_eff <= ada.upper_bound[:, None] * (1 + 1e-12))


def test_bounds_figure_equals_the_formula_and_follows_a_step_decay():
    schedule = oc.Schedule("step", step_size=300, decay=0.1)
    fig = lens.bounds_figure(0.1, 0.01, 0.999, 1e-3, schedule, 1000, color="#2ca02c").to_plotly_json()
    upper_trace = _trace_by_name(fig, "upper bound, γ = 0.01")
    t = decode(upper_trace["x"])
    assert t[0] == 1 and t[-1] == 1000 and {300, 301, 600, 601} <= set(t.astype(int))  # the jumps are drawn
    scale = 0.1 ** ((t - 1) // 300)
    upper = decode(upper_trace["y"])
    np.testing.assert_allclose(upper, 0.1 * scale * (1 + 1 / (0.01 * t)), rtol=1e-14)
    paper_lower = decode(_trace_by_name(fig, "lower bound, paper: γ = 1 − β₂ = 0.001")["y"])
    np.testing.assert_allclose(paper_lower, 0.1 * scale * (1 - 1 / (0.001 * t + 1)), rtol=1e-12)
    i = int(np.flatnonzero(t == 300)[0])
    assert upper[i] / upper[i + 1] == pytest.approx(10 * (1 + 1 / 3.0) / (1 + 1 / 3.01), rel=1e-12)


def test_lens_page_and_playground_tab_run(clear_caches):
    query = presets.get("adam_to_sgd").query
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.query_params["bx.final_lr"] = "0.5"
    at.query_params["bx.sched"] = "step"
    at.switch_page("app_pages/lens.py").run()
    assert not at.exception, at.exception
    specs = chart_specs(at)
    assert len(specs) == 3  # linked, signal-to-noise, bound explorer
    upper = decode(_trace_by_name(specs[2], "upper bound, γ = 0.001")["y"])
    assert upper[-1] < 0.5  # the explorer's band follows its step decay
    assert at.query_params["bx.final_lr"] == "0.5"
    table = at.dataframe[0].value
    assert set(table["parameter"]) == {"x", "y"}

    at.switch_page("app_pages/playground.py").run()
    assert not at.exception
    assert not any(any(t.get("name") == "AdaBound · x" for t in s["data"]) for s in chart_specs(at))
    assert any("learning-rate lens" in p.proto.label for p in at.get("page_link"))  # drawn on request
    at.toggle(key="_lr_tab").set_value(True).run()
    assert not at.exception
    assert any(any(t.get("name") == "AdaBound · x" for t in s["data"]) for s in chart_specs(at))


def test_stability_warning_when_final_lr_is_above_the_limit():
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"opt": "adabound", "adabound.final_lr": "0.5", "adabound.gamma": "0.01", "T": "300"}.items():
        at.query_params[k] = v
    at.switch_page("app_pages/lens.py").run()
    assert not at.exception
    warnings = warning_text(at)
    assert "above the stability limit" in warnings
    limit = oc.max_stable_final_lr(landscapes.max_curvature(ROSENBROCK, (1.0, 1.0)), 0.9)
    assert f"{limit:.3g}" in warnings


def test_moving_between_playground_lens_and_home_keeps_every_setting():
    """Streamlit ties a widget's state to the page that drew it; coming back must not reset it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/playground.py").run()
    at.number_input(key="T").set_value(234).run()
    at.selectbox(key="ls").set_value("beale").run()
    expected = dict(at.query_params)
    for page in ("app_pages/lens.py", "app_pages/playground.py", "app_pages/home.py", "app_pages/playground.py"):
        at.switch_page(page).run()
        assert not at.exception
        if page != "app_pages/home.py":
            assert at.session_state["T"] == 234 and at.session_state["ls"] == "beale", page
            assert {k: v for k, v in dict(at.query_params).items() if not k.startswith("bx.")} == expected
