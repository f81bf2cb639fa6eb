"""Log-scaled controls (lr, final_lr, γ, ε, weight decay): a slider over 1-2-5 stops plus an exact
box, one value. The stops and the nearest stop are checked against values worked out by hand; the
pages against the link they write and against the core run with the same hyperparameters."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
import optim_core as oc
from tests.conftest import chart_specs, decode, open_app
from ui.state import format_stop, log_stops, nearest_stop

PAGE = "app_pages/playground.py"
LR = "adam.lr"
LR_SLIDER = f"_log_{LR}"


# ----------------------------------------------------------------------------- the pure helpers

def test_the_stops_of_four_decades_are_1_2_5_of_each():
    assert log_stops(1e-4, 1.0) == [1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]


def test_a_range_from_0_starts_with_a_0_stop_then_six_decades():
    stops = log_stops(0.0, 1.0)
    assert stops[:4] == [0.0, 1e-6, 2e-6, 5e-6]
    assert stops[-3:] == [0.2, 0.5, 1.0]
    assert len(stops) == 1 + 6 * 3 + 1  # 0, six decades of 1-2-5, and 1 itself


def test_bounds_that_are_not_1_2_5_values_are_stops_too():
    # the registry's ε range for AdaGrad starts at a decade; γ's ends at 0.5; β₂'s ends at 0.99999
    assert log_stops(3e-3, 0.3) == [3e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3]
    assert log_stops(0.0, 0.99999)[-2:] == [0.5, 0.99999]


@pytest.mark.parametrize("low, high", [(-1.0, 1.0), (1.0, 1.0), (0.0, float("inf"))])
def test_a_range_a_log_slider_cannot_span_is_refused(low, high):
    with pytest.raises(ValueError, match="log-scaled range"):
        log_stops(low, high)


@pytest.mark.parametrize("value, stop", [
    (0.0037, 0.005),  # log10 distances: 0.13 to 0.005, 0.27 to 0.002
    (0.0031, 0.002),  # below sqrt(0.002 * 0.005) = 0.00316
    (0.0032, 0.005),  # above it
    (0.0014, 0.001),  # below sqrt(0.002 * 0.001) = 0.00141
    (0.0015, 0.002),
    (0.01, 0.01),
    (3e-9, 1e-5),  # below the range: its first stop
    (1e3, 10.0),  # above it: its last
])
def test_the_nearest_stop_is_nearest_on_a_log_scale(value, stop):
    assert nearest_stop(value, log_stops(1e-5, 10.0)) == stop


@pytest.mark.parametrize("value, stop", [(0.0, 0.0), (4e-7, 0.0), (6e-7, 1e-6), (5e-4, 5e-4)])
def test_near_0_the_0_stop_is_chosen_on_a_linear_scale(value, stop):
    # between 0 and 1e-6 a log distance to 0 is infinite: the nearer of the two, 5e-7 the midpoint
    assert nearest_stop(value, log_stops(0.0, 1.0)) == stop


@pytest.mark.parametrize("value, text", [(0.0, "0"), (1e-4, "1e-4"), (2e-4, "2e-4"), (5e-12, "5e-12"),
                                         (0.001, "0.001"), (0.5, "0.5"), (10.0, "10"), (1000.0, "1000"),
                                         (1e4, "1e4"), (0.99999, "0.99999")])
def test_stops_are_written_compactly(value, text):
    assert format_stop(value) == text


# ----------------------------------------------------------------------------- the playground

def adam_path(at) -> np.ndarray:
    spec = chart_specs(at)[0]
    tr = next(t for t in spec["data"] if t.get("name") == "Adam (whole path)")
    return np.stack([decode(tr["x"]), decode(tr["y"])], axis=1).astype(np.float64)


def assert_adam_ran_with(at, lr: float) -> None:
    """The drawn Adam path is the core's Adam at ``lr`` (and the page's other defaults)."""
    ls = landscapes.get(at.selectbox(key="ls").value)
    start = np.array([[at.number_input(key="x0").value, at.number_input(key="y0").value]])
    ref = oc.run(oc.adam(lr), ls, start, at.number_input(key="T").value)
    np.testing.assert_allclose(adam_path(at), ref.positions[:, 0], rtol=1e-6, atol=1e-6)  # float32


def test_the_slider_sets_the_link_and_the_run_and_the_box_keeps_an_exact_value():
    at = open_app(PAGE, {"opt": "adam", "T": "100"})
    slider = at.select_slider(key=LR_SLIDER)
    assert slider.options[:4] == ["1e-5", "2e-5", "5e-5", "1e-4"]  # lr's range starts at 1e-5
    assert slider.value == 1e-3  # Adam's default

    slider.set_value(0.01).run()
    assert not at.exception
    assert at.query_params[LR] == "0.01"
    assert at.number_input(key=LR).value == 0.01
    assert_adam_ran_with(at, 0.01)

    at.number_input(key=LR).set_value(0.0037).run()
    assert not at.exception
    assert at.query_params[LR] == "0.0037"
    assert at.number_input(key=LR).value == 0.0037
    assert at.select_slider(key=LR_SLIDER).value == 0.005
    assert_adam_ran_with(at, 0.0037)


def test_a_link_opens_with_the_exact_value_in_the_box_and_the_nearest_stop_on_the_slider():
    at = open_app(PAGE, {"opt": "adam", "T": "100", LR: "0.0037"})
    assert at.number_input(key=LR).value == 0.0037
    assert at.select_slider(key=LR_SLIDER).value == 0.005
    assert_adam_ran_with(at, 0.0037)
    # drawing the slider again (another control changed) does not move the value to its stop
    at.number_input(key="T").set_value(120).run()
    assert not at.exception
    assert at.number_input(key=LR).value == 0.0037 and at.query_params[LR] == "0.0037"
    assert_adam_ran_with(at, 0.0037)


def test_the_defaults_button_moves_box_and_slider_together():
    at = open_app(PAGE, {"opt": "adam", "T": "100", LR: "0.0037"})
    at.button(key="_defaults_adam").click().run()
    assert not at.exception
    default = oc.OPTIMIZERS["adam"].param("lr").default
    assert at.number_input(key=LR).value == default == 1e-3
    assert at.select_slider(key=LR_SLIDER).value == 1e-3
    assert LR not in at.query_params  # a default leaves the link


def test_every_log_scaled_hyperparameter_of_adabound_gets_a_slider():
    at = open_app(PAGE, {"opt": "adabound", "T": "50"})
    keys = {s.key for s in at.select_slider}
    logged = {f"_log_adabound.{p.key}" for p in oc.OPTIMIZERS["adabound"].params if p.log}
    assert {"_log_adabound.lr", "_log_adabound.final_lr", "_log_adabound.gamma", "_log_adabound.eps"} <= logged
    assert logged <= keys


# ----------------------------------------------------------------------------- field_input's path

def _weight_decay_script():
    import streamlit as st

    from runs import fields as fl
    from ui import state

    st.session_state.setdefault("changes", 0)
    field = fl.Field("wd", "weight decay", "float", 0.0, 0.0, 1.0, log=True, help="L2 term")
    state.field_input(field, where=st.sidebar,
                      on_change=lambda: st.session_state.update(changes=st.session_state["changes"] + 1))


def test_a_log_field_from_0_has_a_0_stop_and_its_slider_calls_on_change_after_copying():
    at = AppTest.from_function(_weight_decay_script, default_timeout=30).run()
    assert not at.exception
    slider = at.select_slider(key="_log_wd")
    assert slider.value == 0.0 and at.number_input(key="wd").value == 0.0
    assert slider.options[0] == "0"  # the stop 0, as the slider labels it

    slider.set_value(5e-4).run()
    assert not at.exception
    assert at.number_input(key="wd").value == 5e-4
    assert at.session_state["changes"] == 1

    at.number_input(key="wd").set_value(3e-7).run()  # nearer 0 than 1e-6 on a linear scale
    assert at.select_slider(key="_log_wd").value == 0.0
    assert at.number_input(key="wd").value == 3e-7
    assert at.session_state["changes"] == 2
