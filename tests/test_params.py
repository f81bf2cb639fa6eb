"""URL values: whatever arrives is parsed into a valid value, with a note when it had to change."""

from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st

from runs import fields as params
from ui.playground_state import fields as playground_fields

LR = params.Field("adam.lr", "Adam lr", "float", 1e-3, 1e-5, 10.0, log=True)
STEPS = params.Field("T", "steps", "int", 500, 1, 10_000)
LS = params.Field("ls", "landscape", "choice", "rosenbrock", choices=("rosenbrock", "beale"))
OPT = params.Field("opt", "optimizers", "multi", ["sgd", "adam"], choices=("sgd", "adam", "adabound"))
FLAG = params.Field("rmsprop.centered", "centered", "flag", False)
ALL = (LR, STEPS, LS, OPT, FLAG)


def test_valid_values_pass_without_notes():
    values, notes = params.parse(ALL, {"adam.lr": "0.05", "T": "200", "ls": "beale", "opt": "adabound,sgd",
                                       "rmsprop.centered": "1"})
    assert values == {"adam.lr": 0.05, "T": 200, "ls": "beale", "opt": ["adabound", "sgd"],
                      "rmsprop.centered": True}
    assert notes == []


def test_hostile_values_are_clamped_or_dropped_with_a_note():
    values, notes = params.parse(ALL, {"adam.lr": "nan", "T": "-5", "ls": "<script>", "opt": "bogus,,adam,adam",
                                       "rmsprop.centered": "maybe"})
    assert values == {"adam.lr": 1e-3, "T": 1, "ls": "rosenbrock", "opt": ["adam"], "rmsprop.centered": False}
    assert len(notes) == 5
    assert any("T" in n or "steps" in n for n in notes)
    _, notes = params.parse(ALL, {"adam.lr": "1e999"})
    assert "not a finite number" in notes[0]
    values, notes = params.parse(ALL, {"adam.lr": "x" * 5000})
    assert values["adam.lr"] == 1e-3 and "too long" in notes[0]
    start = params.Field("x0", "start x", "float", None, -10.0, 10.0)
    values, notes = params.parse([start], {"x0": "nan"})
    assert values["x0"] is None and "using the default" in notes[0]
    values, notes = params.parse(ALL, {"T": "12.6"})
    assert values["T"] == 13 and "rounded" in notes[0]


def test_encode_leaves_defaults_out_and_round_trips():
    values = {"adam.lr": 0.05, "T": 500, "ls": "beale", "opt": ["sgd", "adam"], "rmsprop.centered": True}
    query = params.encode(ALL, values)
    assert query == {"adam.lr": "0.05", "ls": "beale", "rmsprop.centered": "1"}
    back, notes = params.parse(ALL, query)
    assert notes == [] and back == {"adam.lr": 0.05, "ls": "beale", "rmsprop.centered": True}


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([f.key for f in ALL] + ["zzz", "x0"]),
                       st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3))))
def test_any_query_parses_into_valid_values(query):
    values, notes = params.parse(ALL + (params.Field("x0", "start x", "float", None, -10.0, 10.0),), query)
    assert all(isinstance(n, str) for n in notes)
    assert values.get("x0") is None or -10 <= values["x0"] <= 10
    lr = values.get("adam.lr", LR.default)
    assert math.isfinite(lr) and LR.low <= lr <= LR.high
    steps = values.get("T", STEPS.default)
    assert isinstance(steps, int) and STEPS.low <= steps <= STEPS.high
    assert values.get("ls", LS.default) in LS.choices
    opt = values.get("opt", OPT.default)
    assert opt and set(opt) <= set(OPT.choices)
    assert isinstance(values.get("rmsprop.centered", False), bool)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-5, max_value=10.0))
def test_floats_round_trip_to_six_significant_digits(x):
    back, notes = params.parse([LR], params.encode([LR], {"adam.lr": x}) or {"adam.lr": str(LR.default)})
    assert notes == []
    assert math.isclose(back["adam.lr"], x, rel_tol=1e-5)


def test_playground_fields_have_unique_keys_and_valid_defaults():
    fields = playground_fields()
    keys = [f.key for f in fields]
    assert len(keys) == len(set(keys))
    for f in fields:
        if f.kind in ("float", "int") and f.default is not None:
            assert f.low <= f.default <= f.high, f.key
