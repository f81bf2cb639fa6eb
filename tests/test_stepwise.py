"""Step-by-step: the moments, rates, bounds and update at step t, checked against steps derived by
hand; the arrows' scale; the playground's step mode through AppTest."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim_core as oc
from runs.playground import config, playground_trace
from runs.stepwise import detail_rows, step_details
from tests.conftest import chart_specs, open_app
from viz.stepwise import LONGEST, Arrow, arrow_scale

PAGE = "app_pages/playground.py"


def _run(keys_values, start=(1.0, -2.0), steps=6, landscape="sphere"):
    configs = tuple(config(k, v) for k, v in keys_values)
    trace = playground_trace(landscape, configs, start, steps, oc.CONSTANT, 0.0, 0)
    optimizers = [(k, oc.OPTIMIZERS[k].build(dict(v))) for k, v in keys_values]
    return trace, optimizers


def _adam_by_hand(start, lr, b1, b2, eps, t_stop, final_lr=None, gamma=None):
    """Adam (or AdaBound with final_lr/gamma) on f = x^2 + y^2, per coordinate in plain floats."""
    out = []
    for x in start:
        m = v = 0.0
        for t in range(1, t_stop + 1):
            g = 2.0 * x
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            if final_lr is None:  # torch.optim.Adam: eps added to sqrt(v / (1 - b2^t))
                rate = (lr / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
            else:  # the AdaBound reference: eps added to sqrt(v), the corrections in the step size
                rate = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) / (math.sqrt(v) + eps)
            raw, low, high = rate, None, None
            if final_lr is not None:
                low = final_lr * (1 - 1 / (gamma * t + 1))
                high = final_lr * (1 + 1 / (gamma * t))
                rate = min(max(raw, low), high)
            x_before, x = x, x - rate * m
        out.append(dict(x=x_before, g=g, m=m, v=v, rate=rate, raw=raw, low=low, high=high, delta=x - x_before))
    return out


def test_adam_at_step_t_matches_the_hand_derived_step():
    trace, optimizers = _run([("adam", {"lr": 0.1})])
    (d,) = step_details(trace, optimizers, 4)
    for i, want in enumerate(_adam_by_hand((1.0, -2.0), 0.1, 0.9, 0.999, 1e-8, 4)):
        assert d.x[i] == pytest.approx(want["x"], rel=1e-12)
        assert d.grad[i] == pytest.approx(want["g"], rel=1e-12)
        assert d.moments["m"][i] == pytest.approx(want["m"], rel=1e-12)
        assert d.moments["v"][i] == pytest.approx(want["v"], rel=1e-12)
        assert d.lr_eff[i] == pytest.approx(want["rate"], rel=1e-12)
        assert d.delta[i] == pytest.approx(want["delta"], rel=1e-12)
    assert d.lr_eff_raw is None and d.clipped == ["", ""]


def test_adabound_reports_its_bounds_and_which_one_clipped():
    # final_lr 0.5 with gamma 0.5: the lower bound at t = 3 is 0.5 (1 - 1/2.5) = 0.3, far above Adam's
    # rate of about lr / |g| here, so both coordinates are clipped from below
    trace, optimizers = _run([("adabound", {"lr": 0.01, "final_lr": 0.5, "gamma": 0.5})])
    (d,) = step_details(trace, optimizers, 3)
    hand = _adam_by_hand((1.0, -2.0), 0.01, 0.9, 0.999, 1e-8, 3, final_lr=0.5, gamma=0.5)
    assert d.lower_bound == pytest.approx(0.3, rel=1e-12)
    assert d.upper_bound == pytest.approx(0.5 * (1 + 1 / 1.5), rel=1e-12)
    for i, want in enumerate(hand):
        assert d.lr_eff_raw[i] == pytest.approx(want["raw"], rel=1e-12)
        assert d.lr_eff[i] == pytest.approx(want["rate"], rel=1e-12)
        assert d.delta[i] == pytest.approx(want["delta"], rel=1e-12)
    assert d.clipped == ["lower", "lower"]
    rows = detail_rows([d], ["AdaBound"])
    assert [r["clipped at"] for r in rows] == ["lower", "lower"]
    assert rows[0]["lower bound"] == pytest.approx(0.3)


def test_sgd_momentum_reports_its_buffer_and_a_diverged_run_reports_nothing():
    # SGD at lr 1.5 on x^2 + y^2 multiplies x by (1 - 3) = -2 each step: past the box of 1e8 at step 27
    trace, optimizers = _run([("momentum", {"lr": 0.1, "momentum": 0.5}), ("sgd", {"lr": 1.5})], steps=40)
    momentum, sgd = step_details(trace, optimizers, 2)
    # heavy ball from x0: g1 = 2 x0, buf1 = g1, x1 = x0 - 0.1 g1; g2 = 2 x1, buf2 = 0.5 buf1 + g2
    for i, x0 in enumerate((1.0, -2.0)):
        x1 = x0 - 0.1 * 2 * x0
        assert momentum.moments["m"][i] == pytest.approx(0.5 * 2 * x0 + 2 * x1, rel=1e-12)
    assert sgd.momentum is None and "m" not in sgd.moments
    assert step_details(trace, optimizers, 39)[1] is None
    assert detail_rows(step_details(trace, optimizers, 39), ["Momentum", "SGD"])[-1]["note"].startswith("diverged")


def test_step_outside_the_run_is_refused():
    trace, optimizers = _run([("sgd", {"lr": 0.1})])
    with pytest.raises(ValueError, match="outside"):
        step_details(trace, optimizers, 7)


def test_one_scale_makes_the_longest_arrow_a_quarter_of_the_window():
    arrows = [Arrow("sgd", "gradient", np.zeros(2), np.array([3.0, 4.0])),
              Arrow("sgd", "update", np.zeros(2), np.array([0.0, 0.5]))]
    assert arrow_scale(arrows, span=10.0) == pytest.approx(LONGEST * 10.0 / 5.0)
    assert arrow_scale([], span=10.0) == 1.0


def _arrow_traces(spec) -> dict[str, dict]:
    return {t["name"]: t for t in spec["data"] if t.get("name", "").endswith(("gradient", "momentum", "update"))
            and ": " in t.get("name", "")}


def test_the_playground_steps_through_a_run_and_keeps_the_step_in_the_link():
    at = open_app(PAGE, {"ls": "sphere", "opt": "sgd,adam", "x0": "1", "y0": "-2", "T": "50", "sbs": "1",
                         "at": "4", "adam.lr": "0.1", "arrow_scale": "each"})
    spec = chart_specs(at)[0]
    arrows = _arrow_traces(spec)
    assert {"SGD: gradient", "SGD: update", "Adam: gradient", "Adam: momentum", "Adam: update"} <= set(arrows)
    # Adam's update arrow starts at x_3 and points along -m (hand-derived)
    hand = _adam_by_hand((1.0, -2.0), 0.1, 0.9, 0.999, 1e-8, 4)
    update = arrows["Adam: update"]
    assert update["x"][0] == pytest.approx(hand[0]["x"], rel=1e-6)
    direction = np.array([update["x"][1] - update["x"][0], update["y"][1] - update["y"][0]])
    want = np.array([hand[0]["delta"], hand[1]["delta"]])
    assert np.dot(direction, want) / np.linalg.norm(direction) / np.linalg.norm(want) == pytest.approx(1.0, abs=1e-9)
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "SGD", "Adam", "Adam"]
    assert table["m"].iloc[2] == pytest.approx(hand[0]["m"], rel=1e-9)

    at.button(key="_at_next").click().run()
    assert not at.exception
    assert at.query_params["at"] == ["5"] or at.query_params["at"] == "5"
    at.button(key="_at_back").click().run()
    at.button(key="_at_back").click().run()
    assert str(at.session_state["at"]) == "3"


def test_arrow_kinds_can_be_switched_off_and_a_step_beyond_the_run_is_clamped_with_a_note():
    at = open_app(PAGE, {"ls": "sphere", "opt": "adam", "T": "20", "sbs": "1", "at": "900", "arrows": "update"})
    spec = chart_specs(at)[0]
    assert set(_arrow_traces(spec)) <= {"Adam: update"}
    assert any("beyond this run's 20 steps: showing step 20" in c.value for c in at.caption)
    assert str(at.session_state["at"]) == "20"


def test_the_lens_shows_the_same_step_mode():
    at = open_app("app_pages/lens.py", {"ls": "sphere", "opt": "adam,adabound", "T": "30", "sbs": "1", "at": "7"})
    step_charts = [s for s in chart_specs(at) if _arrow_traces(s)]
    assert len(step_charts) == 1
    assert any("Step 7 of 30" in c.value for c in at.caption)


def test_log_paced_frames_crowd_the_first_steps_and_keep_both_ends():
    from viz.runs import frame_indices

    even = frame_indices(501, 100)
    log = frame_indices(501, 100, "log")
    assert log[0] == 0 and log[-1] == 500 and np.all(np.diff(log) > 0)
    assert list(log[:6]) == [0, 1, 2, 3, 4, 5]  # every one of the first steps is a frame
    assert (log <= 40).sum() > 3 * (even <= 40).sum()
    with pytest.raises(ValueError, match="pace"):
        frame_indices(501, 100, "fast")


def test_on_himmelblau_the_default_pace_keeps_the_paths_moving_to_the_end():
    # evenly spaced frames leave most of the animation still (the runs settle in ~40 steps of 500);
    # log-spaced ones move in most frames
    def moving_share(pace):
        spec = chart_specs(open_app(PAGE, {"ls": "himmelblau", "pace": pace}))[0]
        from tests.conftest import decode

        heads = [[(decode(d["x"])[0], decode(d["y"])[0]) for d, i in zip(fr["data"], fr["traces"])
                  if "x" in d and spec["data"][i]["mode"] == "markers" and len(decode(d["x"])) == 1]
                 for fr in spec["frames"]]
        moves = np.linalg.norm(np.diff(np.array(heads, dtype=float), axis=0), axis=-1).max(axis=1)
        return (moves > 0.05).mean()  # more than half a percent of the 10-wide window

    assert moving_share("log") > 0.6 > 0.45 > moving_share("even")
