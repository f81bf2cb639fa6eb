"""A function the user types, on the playground through AppTest: typing draws the paths on it, a
hostile or broken one is refused with a message and the previous function stays, and the function
lives in the link (checked again when a link arrives)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import chart_specs, decode, open_app

PAGE = "app_pages/playground.py"
ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"


def _named(spec, name):
    return next(t for t in spec["data"] if t.get("name") == name)


def test_typing_a_function_draws_the_paths_on_it_and_puts_it_in_the_link():
    at = open_app(PAGE, {"ls": "typed", "opt": "adam"})
    at.text_input(key="fx").set_value(ROSENBROCK).run()
    assert not at.exception and not at.error
    spec = chart_specs(at)[0]
    found = _named(spec, "minimum (found numerically)")
    assert decode(found["x"])[0] == pytest.approx(1.0, abs=1e-6)
    assert decode(found["y"])[0] == pytest.approx(1.0, abs=1e-6)
    path = _named(spec, "Adam (whole path)")
    assert len(decode(path["x"])) > 10
    link = at.query_params
    assert (link["fx"][0] if isinstance(link["fx"], list) else link["fx"]) == ROSENBROCK


def test_a_hostile_function_is_refused_with_a_message_and_the_previous_one_stays():
    at = open_app(PAGE, {"ls": "typed", "opt": "sgd", "fx": "x**2 + y**2"})
    before = decode(_named(chart_specs(at)[0], "SGD (whole path)")["x"])
    for hostile, named in [("__import__('os')", "__import__"), ("().__class__", "__class__"),
                           ("x.__dict__", "__dict__"), ("9**9**9", "exponent"), ("lambda: 0", "lambda"),
                           ("[x for x in y]", "comprehension"), ("log(x)", "not finite")]:
        at.text_input(key="fx").set_value(hostile).run()
        assert not at.exception
        errors = " ".join(e.value for e in at.error)
        assert named in errors.replace("\\", ""), (hostile, errors)
        assert at.session_state["fx"] == "x**2 + y**2"
        np.testing.assert_array_equal(decode(_named(chart_specs(at)[0], "SGD (whole path)")["x"]), before)


def test_a_link_with_a_broken_function_says_so_and_falls_back():
    at = open_app(PAGE, {"ls": "typed", "opt": "sgd", "fx": "z + 1"})
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert "'z'" in errors and "Still showing" in errors
    assert at.session_state["fx"] == "x**2 + 10*sin(y)"
    assert chart_specs(at)


def test_the_window_is_settable_and_a_function_not_finite_on_it_is_refused():
    at = open_app(PAGE, {"ls": "typed", "opt": "adam", "fx": "log(x)", "xmin": "0.5", "xmax": "4"})
    assert not at.error  # log is finite on [0.5, 4]
    at.number_input(key="xmin").set_value(-1.0).run()
    errors = " ".join(e.value for e in at.error)
    assert "not finite" in errors
    assert at.session_state["xmin"] == 0.5
