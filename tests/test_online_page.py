"""The online page: its runs equal optim_core's driver, its numbers for the presets are the
reproduction's (tests/test_online.py), its figures carry the runs' own values in a bounded payload,
and the page itself (AppTest) runs for the presets, a violated condition and hostile links."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hst
from streamlit.testing.v1 import AppTest

import landscapes
import optim_core as oc
from tests.conftest import APP, open_app, chart_specs, decode, warning_text
from runs import fields as params
from runs import online as runs
from ui import compute, online_state
from runs.playground import config
from ui.presets import PRESETS, get as get_preset
from viz import online as online_viz
from viz.colors import color_of
from viz.runs import thin_indices

PAGE = "app_pages/online.py"
ALL = runs.OPTIMIZERS


def page_configs(problem_key="adabound", C=3, keys=ALL, beta1=None, beta2=None, **hyper):
    """The page's configs for a problem: its defaults, with ``hyper = {"adam": {"lr": ...}}`` changes."""
    d = runs.defaults(problem_key, C)
    b1 = d.beta1 if beta1 is None else beta1
    b2 = d.beta2 if beta2 is None else beta2
    return tuple(config(k, runs.optimizer_values(k, {**d.hyper[k], **hyper.get(k, {})}, b1, b2)) for k in keys)


def reference_trace(problem, configs, x0, steps, mode):
    """optim_core's batched driver on the same settings: the reference the fast path must equal."""
    parts, schedule = [], oc.CONSTANT
    for key, items in configs:
        if mode == "paper":
            optimizer, schedule = oc.build_paper_theory(key, dict(items))
        else:
            optimizer = oc.OPTIMIZERS[key].build(dict(items))
        parts.append((optimizer, 1))
    return oc.run(oc.stack(parts), problem, np.full((len(configs), 1), float(x0)), steps, schedule=schedule)


def assert_same_trace(got: oc.Trace, want: oc.Trace):
    for name in oc.Trace._fields:
        if name == "carry":  # the driver's state to go on from; the page's walks never go on
            continue
        a, b = getattr(got, name), getattr(want, name)
        if b is None:
            assert a is None, name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)


# ----------------------------------------------------------------------------- the runs are the core's


@pytest.mark.parametrize("mode", list(runs.MODES))
@pytest.mark.parametrize("problem_key,C", [("adabound", 3), ("adabound", 5), ("reddi", 3), ("reddi", 7)])
def test_runs_equal_the_core_driver(problem_key, C, mode):
    problem = runs.make_problem(problem_key, C)
    for x0 in (runs.defaults(problem_key, C).x0, 0.0, 1.0, -0.4, 0.93):
        configs = page_configs(problem_key, C)
        assert_same_trace(runs.run(problem, configs, x0, 700, mode), reference_trace(problem, configs, x0, 700, mode))


def test_runs_equal_the_core_with_momentum_tiny_eps_and_subsets():
    problem = runs.make_problem("adabound", 4)
    hyper = {"adam": {"eps": 1e-12, "lr": 0.3}, "adabound": {"gamma": 0.2, "final_lr": 0.5},
             "amsbound": {"lr": 2.0, "eps": 0.5}}
    for keys in (ALL, ("adam",), ("sgd", "amsbound"), ("amsgrad", "adabound")):
        for mode in runs.MODES:
            configs = page_configs("adabound", 4, keys, beta1=0.9, beta2=0.3, **hyper)
            assert_same_trace(runs.run(problem, configs, 0.2, 400, mode),
                              reference_trace(problem, configs, 0.2, 400, mode))


def test_the_core_validates_and_limits_hold():
    problem = runs.make_problem("reddi", 3)
    with pytest.raises(ValueError, match="Invalid lr"):
        runs.run(problem, page_configs("reddi", 3, ("adam",), adam={"lr": -1.0}), 0.0, 10, "constant")
    with pytest.raises(ValueError, match="Invalid beta2"):
        runs.run(problem, page_configs("reddi", 3, ("adabound",), beta2=1.0), 0.0, 10, "paper")
    with pytest.raises(ValueError, match="Invalid steps"):
        runs.run(problem, page_configs("reddi", 3), 0.0, runs.MAX_STEPS + 1, "constant")
    with pytest.raises(ValueError, match="Unknown mode"):
        runs.run(problem, page_configs("reddi", 3), 0.0, 10, "fast")
    with pytest.raises(ValueError, match="at least one"):
        runs.run(problem, (), 0.0, 10, "constant")


# ----------------------------------------------------------------------------- the presets reproduce the papers


def preset_setup(key):
    """A preset's query through the page's own fields, as the page reads it, then its run."""
    query = get_preset(key).query
    fields = online_state.fields(query["problem"], int(query["C"]))
    values, notes = params.parse(fields, query)
    assert notes == []
    chosen = values["opt"]
    hyper = {k: {f.key.partition(".")[2]: values.get(f.key, f.default) for f in fields if f.key.startswith(f"{k}.")}
             for k in chosen}
    configs = tuple(config(k, runs.optimizer_values(k, hyper[k], values["b1"], values["b2"])) for k in chosen)
    problem = runs.make_problem(values["problem"], values["C"])
    trace = runs.run(problem, configs, values["x0"], values["T"], values["mode"])
    return problem, values, trace, {s.key: s for s in runs.summaries(problem, trace, chosen)}


def test_adabound_preset_reproduces_section_3():
    problem, values, trace, by_key = preset_setup("online_adabound")
    assert (values["C"], values["b1"], values["b2"], values["x0"], values["T"]) == (3, 0.0, 0.04, 0.5, 3000)
    assert problem.condition_holds(values["b1"], values["b2"])
    # tests/test_online.py: Adam never reaches x < 0; SGD, AMSGrad, AdaBound do, at steps 149, 299, 464
    assert by_key["adam"].reached_at is None and by_key["adam"].final_x > 0.5
    assert by_key["adam"].final_average_regret > 0.15
    assert [by_key[k].reached_at for k in ("sgd", "amsgrad", "adabound")] == [149, 299, 464]
    for k in ("sgd", "amsgrad", "adabound"):
        assert -1.0 <= by_key[k].final_x < 0.0 and by_key[k].final_average_regret < 0.02
    # the same numbers straight from the core, as the reproduction test computes them
    betas = (0.0, 0.04)
    for key, optimizer in {"sgd": oc.sgd(0.01), "amsgrad": oc.amsgrad(0.01, betas=betas),
                           "adabound": oc.adabound(0.01, betas=betas, final_lr=0.01, gamma=0.01)}.items():
        path = oc.run(optimizer, problem, np.array([[0.5]]), 3000).positions[:, 0, 0]
        assert by_key[key].reached_at == int(np.argmax(path < 0.0))
        r = landscapes.regret(problem, path[:-1])
        assert by_key[key].final_average_regret == pytest.approx(r[-1] / 3000, rel=1e-12)


def test_reddi_preset_reproduces_the_counterexample():
    problem, values, trace, by_key = preset_setup("online_reddi")
    assert (values["C"], values["b2"], values["x0"], values["T"]) == (3, 0.1, 0.0, 6000)
    assert problem.condition_holds(values["b1"], values["b2"])
    path = dict(zip(values["opt"], trace.positions[:, :, 0].T))
    # tests/test_online.py: Adam ends at +1; SGD and AMSGrad end near -1
    assert by_key["adam"].final_x == pytest.approx(1.0, abs=1e-12) and by_key["adam"].reached_at is None
    assert by_key["adam"].final_average_regret > 0.6
    for k in ("sgd", "amsgrad"):
        assert np.all(path[k][-300:] < -0.97) and by_key[k].final_average_regret < 0.05
        assert by_key[k].reached_at is not None
    # AdaBound (final_lr 0.01, gamma 1e-3) first rises with Adam, then goes to -1
    ada = path["adabound"]
    first_high = int(np.argmax(ada > 0.5))
    assert ada[first_high] > 0.5 and first_high < 1000
    assert np.all(ada[-300:] < -0.97)
    assert int(np.flatnonzero(ada > 0.5)[-1]) < by_key["adabound"].reached_at


def test_regions_and_summary_text():
    ramp, reddi = runs.make_problem("adabound", 3), runs.make_problem("reddi", 3)
    # x = 0 is not settled on the ramp problem (the gradients still act there); -1 is Reddi's optimum
    np.testing.assert_array_equal(runs.in_optimal_region(ramp, np.array([-1.0, -1e-9, 0.0, 0.2])),
                                  [True, True, False, False])
    np.testing.assert_array_equal(runs.in_optimal_region(reddi, np.array([-1.0, -0.999, 0.0])), [True, False, False])
    assert runs.first_in_region(ramp, np.array([0.5, 0.1, -0.1, -0.2])) == 2
    assert runs.first_in_region(reddi, np.array([0.0, 0.5])) is None
    s = runs.Summary("adam", "Adam", None, 0.51, 0.17)
    assert runs.summary_text(s, ramp, 3000).startswith("never reached the optimal region x < 0 in 3,000 steps")
    s = runs.Summary("sgd", "SGD", 292, -0.98, 0.025)
    assert "first reached the optimal region x = -1 at step 292" in runs.summary_text(s, reddi, 6000)


# ----------------------------------------------------------------------------- the papers' conditions


def test_conditions():
    ramp3, ramp5, reddi3, reddi5 = (runs.make_problem(k, c) for k, c in
                                    (("adabound", 3), ("adabound", 5), ("reddi", 3), ("reddi", 5)))
    assert ramp3.condition_holds(0.0, 0.04) and ramp3.condition_holds(0.0, 0.048)
    assert not ramp3.condition_holds(0.0, 0.05)
    assert not ramp3.condition_holds(0.5, 0.04)  # the paper takes beta1 = 0
    assert ramp5.condition_holds(0.0, 0.3) and "0.3" in ramp5.condition_text
    assert reddi3.condition_holds(0.0, 0.1) and not reddi3.condition_holds(0.0, 0.2)
    # a link carries 6 significant digits: 1/26 written as 0.0384615 still is the theorem's value
    assert reddi5.condition_holds(0.0, float(params.Field("b2", "", "float", 0).encode(1 / 26)))


@pytest.mark.parametrize("problem_key", list(landscapes.ONLINE_PROBLEMS))
def test_every_default_satisfies_its_condition(problem_key):
    for C in range(3, runs.MAX_C + 1):
        d = runs.defaults(problem_key, C)
        problem = runs.make_problem(problem_key, C)
        assert problem.condition_holds(d.beta1, d.beta2), C
        fields = {f.key: f for f in online_state.fields(problem_key, C)}
        assert fields["b2"].default == d.beta2 and fields["adabound.gamma"].default == d.hyper["adabound"]["gamma"]


# ----------------------------------------------------------------------------- thinning and figures


def test_thin_indices_keep_the_shape():
    rng = np.random.default_rng(3)
    n = 100_001
    t = np.arange(n)
    y = np.cumsum(rng.standard_normal(n)) + 5 * np.sin(t / 7.0)  # a walk with a fast oscillation
    idx = thin_indices([y], 4000)
    assert len(idx) <= 4000 and np.all(np.diff(idx) > 0)
    assert idx[0] == 0 and idx[-1] == n - 1
    assert int(np.argmin(y)) in idx and int(np.argmax(y)) in idx
    # the envelope survives: the min and max of every window of 1% of the run are kept
    for start in range(0, n - 1000, 1000):
        window = slice(start, start + 1000)
        inside = idx[(idx >= start) & (idx < start + 1000)]
        assert y[inside].max() >= np.quantile(y[window], 0.9) and y[inside].min() <= np.quantile(y[window], 0.1)
    # early steps keep their detail (log t axis): every one of the first 50 indices is there
    assert set(range(50)) <= set(idx.tolist())
    np.testing.assert_array_equal(thin_indices([y[:300]], 4000), np.arange(300))


def line_xy(spec, name, mode="lines"):
    tr = next(t for t in spec["data"] if t.get("name") == name and t.get("mode", mode) == mode)
    return decode(tr["x"]), decode(tr["y"]), tr


def test_figures_carry_the_runs_values():
    problem = runs.make_problem("adabound", 3)
    configs = page_configs("adabound", 3)
    steps = 30_000
    trace = runs.run(problem, configs, 0.5, steps, "constant")
    out = compute.online_outcome("adabound", 3, configs, 0.5, steps, "constant")
    labels = [oc.OPTIMIZERS[k].label for k in ALL]
    avg = runs.average_regret(problem, trace)
    path, regret, rates = (json.loads(f.to_json()) for f in (out.path, out.regret, out.rates))
    for b, (key, label) in enumerate(zip(ALL, labels)):
        t, x, tr = line_xy(path, label)
        assert tr["line"]["color"] == color_of(key)
        assert t[0] == 0 and t[-1] == steps and len(t) <= online_viz.MAX_POINTS
        np.testing.assert_array_equal(x, trace.positions[t, b, 0])
        t, r, _ = line_xy(regret, label)
        assert t[0] == 1 and t[-1] == steps
        np.testing.assert_array_equal(r, avg[t - 1, b])
        t, rate, tr = line_xy(rates, f"{label} · x")
        assert tr["line"]["color"] == color_of(key) and len(t) <= online_viz.MAX_POINTS
        np.testing.assert_array_equal(rate, trace.lr_eff[t - 1, b, 0])
        if oc.OPTIMIZERS[key].bounded:
            t, raw, _ = line_xy(rates, f"{label} · x unclipped")
            np.testing.assert_array_equal(raw, trace.lr_eff_raw[t - 1, b, 0])
            t, low, _ = line_xy(rates, f"{label} band [lower, upper]")
            np.testing.assert_array_equal(low, trace.lower_bound[t - 1, b])
    assert rates["layout"]["xaxis"]["type"] == "log"
    # one t = 1/gamma label for the two equal bands, at t = 100 on the log axis (Plotly places it at 10^x)
    (label,) = [a for a in rates["layout"]["annotations"] if "t = 1/γ" in a["text"]]
    assert label["x"] == pytest.approx(2.0) and "band [0.005, 0.02]" in label["text"]
    # the optimal region x <= 0 is shaded
    assert any(s.get("type") == "rect" and s["y0"] == -1.0 and s["y1"] == 0.0 for s in path["layout"]["shapes"])


def test_pattern_figure_is_one_period_and_the_last_moves():
    for problem_key, C in (("adabound", 4), ("reddi", 3)):
        problem = runs.make_problem(problem_key, C)
        configs = page_configs(problem_key, C)
        trace = runs.run(problem, configs, 0.3, 1001, "constant")
        spec = json.loads(compute.online_outcome(problem_key, C, configs, 0.3, 1001, "constant").pattern.to_json())
        grad = next(t for t in spec["data"] if t["name"] == "gradient")
        P = problem.period
        assert list(grad["x"]) == [str(k % P) for k in range(1, P + 1)] + ["net"]
        np.testing.assert_array_equal(decode(grad["y"]), list(problem.slopes) + [sum(problem.slopes)])
        # the moves: -lr_eff g at the last P steps, put in phase order 1, 2, ..., 0
        last = np.arange(1001 - P + 1, 1002)
        order = np.argsort((last - 1) % P)
        for b, key in enumerate(ALL):
            bars = next(t for t in spec["data"] if t["name"] == oc.OPTIMIZERS[key].label)
            want = -(trace.lr_eff[last - 1, b, 0] * trace.grads[last - 1, b, 0])[order]
            np.testing.assert_array_equal(decode(bars["y"]), np.append(want, want.sum()))
            assert bars["marker"]["color"] == color_of(key)


def test_payload_stays_small_for_the_longest_runs():
    configs = page_configs("reddi", 3)
    out = compute.online_outcome("reddi", 3, configs, 0.0, runs.MAX_STEPS, "paper")
    total = 0
    for fig in (out.path, out.regret, out.rates, out.pattern):
        spec = json.loads(fig.to_json())
        for tr in spec["data"]:
            assert len(decode(tr["x"])) <= online_viz.MAX_POINTS
        size = len(fig.to_json())
        assert size < 1.5e6
        total += size
    assert total < 3e6


# ----------------------------------------------------------------------------- hostile links, parsed


@settings(max_examples=200, deadline=None)
@given(hst.dictionaries(hst.sampled_from(["problem", "C", "opt", "b1", "b2", "x0", "T", "mode", "logt",
                                          "adam.lr", "adabound.gamma", "amsbound.final_lr", "sgd.eps"]),
                        hst.one_of(hst.text(max_size=30), hst.floats().map(str), hst.integers().map(str))))
def test_any_link_parses_to_valid_values(query):
    base, _ = params.parse(online_state.problem_fields(), query)
    problem_key, C = base.get("problem", "adabound"), base.get("C", 3)
    assert problem_key in landscapes.ONLINE_PROBLEMS and 3 <= C <= runs.MAX_C
    fields = online_state.fields(problem_key, C)
    values, notes = params.parse(fields, query)
    for f in fields:
        v = values.get(f.key, f.default)
        if f.kind in ("float", "int"):
            assert f.low <= v <= f.high
        if f.kind == "choice":
            assert v in f.choices
        if f.kind == "multi":
            assert v and set(v) <= set(f.choices)
    assert "sgd.eps" not in values  # SGD has no eps: not a field here


# ----------------------------------------------------------------------------- the page (AppTest)


def open_online(query: dict | None = None) -> AppTest:
    return open_app(PAGE, query)


def summary_lines(at) -> dict[str, str]:
    out = {}
    for m in at.markdown:
        if "■" in m.value:
            label = m.value.split("**")[1]
            out[label] = m.value.split("**")[2]
    return out


def test_default_page(clear_caches):
    at = open_online()
    assert len(at.get("plotly_chart")) == 4
    lines = summary_lines(at)
    assert list(lines) == ["SGD", "Adam", "AMSGrad", "AdaBound", "AMSBound"]
    assert "never reached" in lines["Adam"] and "step 149" in lines["SGD"]
    assert not at.warning and at.success and "paper's setting holds" in at.success[0].value
    assert at.number_input(key="b2").value == 0.04 and at.number_input(key="b1").value == 0.0
    assert any("\\begin{cases}" in x.body for x in at.latex)
    assert any("Why Adam fails" in m.value for m in at.markdown)
    assert dict(at.query_params) == {}  # all defaults: a bare link


@pytest.mark.parametrize("preset", [p for p in PRESETS if p.path == PAGE], ids=lambda p: p.key)
def test_presets_open_with_the_reproduction_numbers(preset, clear_caches):
    at = open_online(preset.query)
    assert not at.warning, [w.value for w in at.warning]
    lines = summary_lines(at)
    assert set(lines) == {"SGD", "Adam", "AMSGrad", "AdaBound", "AMSBound"}
    _, _, _, by_key = preset_setup(preset.key)
    for s in by_key.values():
        reached = "never reached" if s.reached_at is None else f"at step {s.reached_at:,};"
        assert reached in lines[s.label]
        assert f"R_T/T = {s.final_average_regret:.4g}" in lines[s.label]
    if preset.key == "online_adabound":
        assert "step 149" in lines["SGD"] and "step 299" in lines["AMSGrad"] and "step 464" in lines["AdaBound"]
    # the page's drawn Adam path is the run's
    problem, values, trace, _ = preset_setup(preset.key)
    spec = chart_specs(at)[0]
    t, x, _ = line_xy(spec, "Adam")
    np.testing.assert_array_equal(x, trace.positions[t, values["opt"].index("adam"), 0])
    # the URL still says the same (defaults dropped)
    fields = online_state.fields(values["problem"], values["C"])
    again, _ = params.parse(fields, dict(at.query_params))
    assert {**{f.key: f.default for f in fields}, **again} == {**{f.key: f.default for f in fields}, **values}


def test_violated_condition_warns_and_the_button_restores(clear_caches):
    at = open_online({"problem": "adabound", "C": "3", "b2": "0.3"})
    assert at.warning and "violates the paper's setting" in at.warning[0].value
    assert "β₂ = 0.3" in at.warning[0].value and "0.0482" in at.warning[0].value
    at.button(key="_paper_betas").click().run()
    assert not at.exception and not at.warning
    assert at.number_input(key="b2").value == 0.04
    assert "b2" not in at.query_params
    # Reddi: beta1 > 0 leaves the theorem's setting too
    at = open_online({"problem": "reddi", "b1": "0.9"})
    assert at.warning and "β₁ = 0.9" in at.warning[0].value


def test_changing_problem_and_c_bring_their_defaults(clear_caches):
    at = open_online()
    at.selectbox(key="problem").set_value("reddi").run()
    assert not at.exception
    assert at.number_input(key="b2").value == pytest.approx(0.1)
    assert at.number_input(key="x0").value == 0.0 and at.number_input(key="T").value == 6000
    assert at.number_input(key="adabound.gamma").value == 1e-3
    assert dict(at.query_params) == {"problem": "reddi"}
    at.number_input(key="C").set_value(5).run()
    assert at.number_input(key="b2").value == pytest.approx(1 / 26)
    assert not at.warning
    assert "x = 1" in summary_lines(at)["Adam"] or "never reached" in summary_lines(at)["Adam"]


def test_hostile_link_gives_notes_not_errors(clear_caches):
    at = open_online({"problem": "<script>", "C": "1e9", "opt": "adam,nope", "b2": "nan", "x0": "7",
                      "T": "-3", "mode": "warp", "adam.lr": "1e99", "zzz": "1"})
    note = warning_text(at)
    for word in ("<script>", "C:", "nope", "β₂", "start x₁", "steps T", "warp", "Adam learning rate", "zzz"):
        assert word in note, word
    assert at.number_input(key="C").value == runs.MAX_C and at.number_input(key="T").value == 1
    assert at.number_input(key="x0").value == 1.0 and at.number_input(key="adam.lr").value == 10.0
    assert list(summary_lines(at)) == ["Adam"]


def test_paper_mode_log_axis_and_no_optimizers(clear_caches):
    at = open_online({"mode": "paper", "logt": "1", "T": "20000", "opt": "adam,adabound"})
    specs = chart_specs(at)
    assert specs[0]["layout"]["xaxis"]["type"] == "log" and specs[2]["layout"]["xaxis"]["type"] == "log"
    assert list(summary_lines(at)) == ["Adam", "AdaBound"]
    at.multiselect(key="opt").set_value([]).run()
    assert not at.exception and at.info and not at.get("plotly_chart")


def test_coming_from_the_playground_keeps_each_pages_own_values(clear_caches):
    # the pages share key names (T, opt, x0, adam.lr): arriving on one must not take the other's
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"T": "200", "opt": "sgd,adam", "adam.lr": "0.05"}.items():
        at.query_params[k] = v
    at.switch_page("app_pages/playground.py").run()
    at.query_params.clear()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.number_input(key="T").value == 3000 and at.multiselect(key="opt").value == list(ALL)
    assert at.number_input(key="adam.lr").value == 0.01
    at.number_input(key="T").set_value(1234).run()
    at.query_params.clear()
    at.switch_page("app_pages/playground.py").run()
    assert at.number_input(key="T").value == 200
    at.query_params.clear()
    at.switch_page(PAGE).run()
    assert at.number_input(key="T").value == 1234 and dict(at.query_params) == {"T": "1234"}


def test_hyperparameter_buttons(clear_caches):
    at = open_online({"adam.lr": "0.2", "adabound.gamma": "0.3"})
    at.button(key="_suggested_adam").click().run()
    assert at.number_input(key="adam.lr").value == 0.01  # the reproduction's value on this problem
    at.button(key="_defaults_adabound").click().run()
    assert at.number_input(key="adabound.gamma").value == 1e-3 and at.number_input(key="adabound.lr").value == 1e-3
    at.button(key="_suggested_adabound").click().run()
    assert at.number_input(key="adabound.gamma").value == 0.01 and at.number_input(key="adabound.final_lr").value == 0.01
    assert not at.exception and at.number_input(key="b2").value == 0.04  # the shared betas are untouched


@pytest.mark.parametrize("problem_key", ["adabound", "reddi"])
def test_paper_mode_rates_axis_keeps_to_the_applied_rates_and_says_what_lies_above(problem_key):
    """With eps = 0 an unclipped rate can reach 1e280; the axis keeps to the rates actually applied
    and the bounds, and a note says how far the rest goes."""
    configs = page_configs(problem_key, 3)
    out = compute.online_outcome(problem_key, 3, configs, 0.0, runs.MAX_STEPS, "paper")
    spec = json.loads(out.rates.to_json())
    lo, hi = spec["layout"]["yaxis"]["range"]
    trace = runs.run(runs.make_problem(problem_key, 3), configs, 0.0, runs.MAX_STEPS, "paper")
    applied = trace.lr_eff[np.isfinite(trace.lr_eff) & (trace.lr_eff > 0)]
    assert lo <= np.log10(applied.min()) and np.log10(applied.max()) <= hi  # every applied rate in view
    assert hi < 10, "the axis still runs to the unclipped rates"
    notes = [a["text"] for a in spec["layout"].get("annotations", []) if "above this axis" in a["text"]]
    assert len(notes) <= 1


@pytest.mark.parametrize("problem_key, reached", [("adabound", ("SGD", "AMSGrad", "AdaBound")),
                                                   ("reddi", ("SGD", "AdaBound", "AMSBound"))])
def test_switching_to_paper_mode_takes_a_horizon_that_shows_the_claim(problem_key, reached):
    at = open_app(PAGE, {"problem": problem_key})
    at.radio(key="mode").set_value("paper").run()
    assert not at.exception
    problem = runs.make_problem(problem_key, 3)
    assert at.number_input(key="T").value == problem.paper_steps
    lines = {m.value.split("**")[1]: m.value for m in at.markdown if m.value.startswith('<span style="color:')}
    for label in reached:
        assert "first reached the optimal region" in lines[label], lines[label]
    assert "never reached" in lines["Adam"]
    at.radio(key="mode").set_value("constant").run()
    assert at.number_input(key="T").value == problem.reproduction_steps
