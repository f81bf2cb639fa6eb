"""The rescaling page: its figure plots the runs on f and on f(x, s y) that the core gives for those
functions, its table reports them truly, and the page shows the invariance where it holds, says why
it does not elsewhere, and handles hostile links.

Oracles: runs of the core on ``landscapes.rescaled`` built here (not through the page's helpers)
and distances computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optim_core as oc
from tests.conftest import chart_specs, decode, open_app, warning_text
from ui import presets
from runs.playground import config, playground_trace
from viz.runs import registry_views
from viz import rescaling
from viz.background import render

PAGE = "app_pages/rescaling.py"
PRESET = presets.get("rescaling").query


def playground_views(trace, configs):
    return registry_views(trace, [key for key, _ in configs])


def _runs(key: str, s: float, optimizers: dict, steps: int = 300):
    """Independent runs of each optimizer on f and on f(x, s y) from f's start."""
    base = landscapes.get(key)
    scaled = landscapes.rescaled(base, s)
    start = np.array([base.start], dtype=np.float64)
    out = {}
    for name, opt in optimizers.items():
        out[name] = (oc.run(opt, base, start, steps), oc.run(opt, scaled, start, steps))
    return base, scaled, out


def test_the_preset_shows_adam_keeping_its_path_and_sgd_losing_it():
    """What the gallery promises, measured on independent runs: Adam's paths on the quadratic and on
    it with y squeezed tenfold agree to 1e-8, SGD at the preset's rate converges on f and diverges
    on f(x, 10 y), and momentum's two paths lie far apart."""
    s = float(PRESET["s"])
    base, scaled, runs = _runs(PRESET["ls"], s, {
        "sgd": oc.sgd(float(PRESET["sgd.lr"])), "momentum": oc.sgd(float(PRESET["momentum.lr"]), momentum=0.9),
        "adam": oc.adam(float(PRESET["adam.lr"]))})
    on_f, on_scaled = runs["adam"]
    assert np.abs(on_f.positions - on_scaled.positions).max() < 1e-8
    on_f, on_scaled = runs["sgd"]
    assert on_f.diverged_at[0] == -1 and on_scaled.diverged_at[0] > 0
    on_f, on_scaled = runs["momentum"]
    assert np.abs(on_f.positions - on_scaled.positions).max() > 1.0


def _views(key: str, s: float, values: dict):
    base = landscapes.get(key)
    configs = tuple(config(k, {**oc.OPTIMIZERS[k].defaults(), **v}) for k, v in values.items())
    f_trace = playground_trace(key, configs, base.start, 300, oc.CONSTANT, 0.0, 0)
    s_trace = playground_trace(key, configs, base.start, 300, oc.CONSTANT, 0.0, 0, y_scale=s)
    return base, playground_views(f_trace, configs), playground_views(s_trace, configs)


def test_rows_report_the_independent_runs():
    values = {"sgd": {"lr": 0.02}, "adam": {"lr": 0.1}}
    base, views, scaled_views = _views("ill_conditioned", 10.0, values)
    _, _, runs = _runs("ill_conditioned", 10.0, {"sgd": oc.sgd(0.02), "adam": oc.adam(0.1)})
    rows = rescaling.rescaling_rows(views, scaled_views, 1e-6, 1e-2)
    assert [r["optimizer"] for r in rows] == ["SGD", "Adam"]

    sgd_f, sgd_s = runs["sgd"]
    assert rows[0]["on f"] == f"final loss {sgd_f.loss[-1, 0]:.3g}"
    assert rows[0]["on f(x, s·y)"] == f"diverged at step {sgd_s.diverged_at[0]}"
    # up to where the rescaled run froze (its last finite point), the largest distance between them
    last = int(np.searchsorted(sgd_s.steps, sgd_s.diverged_at[0]))
    gaps = np.hypot(*(sgd_f.positions[: last + 1, 0] - sgd_s.positions[: last + 1, 0]).T)
    assert rows[0]["largest distance between the paths"] == pytest.approx(gaps.max(), rel=1e-12)
    assert rows[0]["paths"] == "different"

    adam_f, adam_s = runs["adam"]
    gap = np.hypot(*(adam_f.positions[:, 0] - adam_s.positions[:, 0]).T).max()
    assert rows[1]["largest distance between the paths"] == pytest.approx(gap, rel=1e-9)
    assert gap < 1e-8 and rows[1]["paths"] == "the same"
    assert rows[1]["on f(x, s·y)"] == f"final loss {adam_s.loss[-1, 0]:.3g}"


def test_a_gap_from_eps_alone_is_close_and_without_eps_it_is_the_same():
    """s = 1e-3 shrinks the sphere's y-gradient a millionfold, so eps = 1e-8 shows: Adam's paths part
    by a few thousandths of the window (close); with eps = 0 they are the same again."""
    for eps, verdict in ((1e-8, "close"), (0.0, "the same")):
        base, views, scaled_views = _views("sphere", 1e-3, {"adam": {"lr": 0.05, "eps": eps}})
        _, _, runs = _runs("sphere", 1e-3, {"adam": oc.adam(0.05, eps=eps)})
        gap = np.hypot(*(runs["adam"][0].positions[:, 0] - runs["adam"][1].positions[:, 0]).T).max()
        row, = rescaling.rescaling_rows(views, scaled_views, 4e-6, 4e-2)  # the sphere's window is 4 wide
        assert row["paths"] == verdict and row["largest distance between the paths"] == pytest.approx(gap, rel=1e-9)
        assert (1e-3 < gap < 1e-2) if eps else (gap < 1e-12)


def test_figure_plots_both_runs_on_linked_panels_with_one_slider():
    values = {"momentum": {"lr": 0.002}, "adam": {"lr": 0.1}}
    base, views, scaled_views = _views("ill_conditioned", 10.0, values)
    _, scaled, runs = _runs("ill_conditioned", 10.0, {"momentum": oc.sgd(0.002, momentum=0.9),
                                                      "adam": oc.adam(0.1)})
    window = ((-5.5, 1.0), (-3.0, 2.0))
    fig = rescaling.rescaling_figure(base, scaled, views, scaled_views, base.start, render(base, window, 40),
                                     render(scaled, window, 40), s=10.0)
    spec = fig.to_plotly_json()
    whole = [t for t in spec["data"] if t.get("name", "").endswith("(whole path)")]
    assert [(t["name"], t.get("xaxis", "x")) for t in whole] == [
        ("Momentum (whole path)", "x"), ("Adam (whole path)", "x"),
        ("Momentum (whole path)", "x2"), ("Adam (whole path)", "x2")]
    for t, (name, panel) in zip(whole, [("momentum", 0), ("adam", 0), ("momentum", 1), ("adam", 1)]):
        expected = runs[name][panel].positions[:, 0]
        np.testing.assert_array_equal(decode(t["x"]), expected[:, 0].astype(np.float32))
        np.testing.assert_array_equal(decode(t["y"]), expected[:, 1].astype(np.float32))
    # one legend entry per optimizer, both backgrounds, the right panel's axes follow the left's
    legend = [t["name"] for t in spec["data"] if t.get("showlegend", True) and t.get("mode") == "lines"]
    assert legend == ["Momentum", "Adam"]
    assert [(im["xref"], im["yref"]) for im in spec["layout"]["images"]] == [("x", "y"), ("x2", "y2")]
    assert spec["layout"]["xaxis2"]["matches"] == "x" and spec["layout"]["yaxis2"]["matches"] == "y"
    # every frame moves the paths of both panels
    n_animated = 2 * 2 * len(views)  # path and current point, per run, per panel
    assert all(sum("x" in d for d in fr["data"]) == n_animated for fr in spec["frames"])
    # and lists the rest with empty updates, which keeps Plotly's click-to-select working after Play
    assert all(sorted(fr["traces"]) == list(range(len(spec["data"]))) for fr in spec["frames"])
    assert len(spec["layout"]["sliders"][0]["steps"]) == len(spec["frames"])
    last = spec["frames"][-1]
    heads = [d for d, i in zip(last["data"], last["traces"]) if spec["data"][i]["mode"] == "markers" and "x" in d]
    np.testing.assert_allclose(decode(heads[-1]["x"]), runs["adam"][1].positions[-1, 0, :1], rtol=1e-6)


def test_the_preset_page_shows_the_invariance_and_the_divergence():
    at = open_app(PAGE, PRESET)
    assert not at.error
    assert any("multiplied by **100**" in m.value for m in at.success)
    assert any("stable learning rate is 0.01 times f's" in m.value for m in at.markdown)
    _, _, runs = _runs(PRESET["ls"], 10.0, {"sgd": oc.sgd(float(PRESET["sgd.lr"]))})
    step = int(runs["sgd"][1].diverged_at[0])
    assert any(f"SGD at step {step}" in w.value and "f(x, 10·y)" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "Momentum", "Adam"]
    assert list(table["paths"]) == ["different", "different", "the same"]
    assert table["on f(x, s·y)"][0] == f"diverged at step {step}"
    spec = chart_specs(at)[0]
    assert spec["layout"]["annotations"][1]["text"] == "on f(x, 10·y)"
    assert at.query_params["ls"] == "ill_conditioned"
    assert "s" not in at.query_params  # s = 10 is the default, and a link leaves defaults out


def test_a_landscape_without_the_invariance_says_so_and_what_holds_instead():
    at = open_app(PAGE, {"ls": "rosenbrock", "opt": "adam", "s": "0.5", "T": "200", "adam.lr": "0.02"})
    assert not at.success
    info = " ".join(m.value for m in at.info)
    assert "not f with a rescaled gradient" in info
    assert any("multiplied by 0.5, SGD's with it multiplied by 0.25" in m.value for m in at.markdown)
    assert list(at.dataframe[0].value["paths"]) == ["different"]


def test_s_equal_to_one_is_the_same_function():
    at = open_app(PAGE, {"ls": "sphere", "opt": "sgd,adam", "s": "1", "T": "100"})
    assert any("same function" in m.value for m in at.info)
    assert list(at.dataframe[0].value["paths"]) == ["the same", "the same"]
    assert list(at.dataframe[0].value["largest distance between the paths"]) == [0.0, 0.0]


@pytest.mark.parametrize("raw, expected, note", [
    ("1e9", 1000.0, "clamped to 1000"),
    ("0", 0.001, "clamped to 0.001"),
    ("-3", 0.001, "clamped to 0.001"),
    ("abc", 10.0, "not a number"),
    ("nan", 10.0, "not a finite number"),
])
def test_a_hostile_s_is_clamped_or_replaced_with_a_note(raw, expected, note):
    at = open_app(PAGE, {"ls": "sphere", "opt": "adam", "s": raw, "T": "50"})
    assert at.number_input(key="s").value == expected
    notes = warning_text(at)
    assert "rescaling s" in notes and note in notes
    assert not at.error


def test_changing_s_redraws_and_updates_the_link():
    at = open_app(PAGE, {"ls": "sphere", "opt": "adam", "T": "50"})
    assert at.number_input(key="s").value == 10.0  # the page's default
    at.number_input(key="s").set_value(0.01).run()
    assert not at.exception
    assert at.query_params["s"] == "0.01"
    assert chart_specs(at)[0]["layout"]["annotations"][1]["text"] == "on f(x, 0.01·y)"
    assert any("multiplied by **0.0001**" in m.value for m in at.success)


def test_a_first_visit_opens_on_a_case_where_the_invariance_holds():
    at = open_app(PAGE)
    assert at.selectbox(key="ls").value == "ill_conditioned" and at.number_input(key="s").value == 10.0
    assert at.success and "exactly the rescaling of the gradient Adam is invariant to" in at.success[0].value
