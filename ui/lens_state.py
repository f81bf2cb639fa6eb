"""The learning-rate lens's own fields: the bound explorer's settings, next to the playground's
(the lens shows the playground's run, so its link carries both)."""

from __future__ import annotations

import streamlit as st

import optim_core as oc
from runs import fields as fl

from . import panels, state

BOUND_EXPLORER = "bx"
# the explorer's hyperparameters are AdaBound's: their defaults and ranges come from the registry
EXPLORER_PARAMS = ("final_lr", "gamma", "beta2", "lr")
EXPLORER_LABELS = {"beta2": "β₂ (paper form: γ = 1 − β₂)", "lr": "base lr η"}
EXPLORER_STEPS = (10, 1_000_000, 20_000)  # low, high, default


def explorer_fields() -> list[fl.Field]:
    spec = oc.OPTIMIZERS["adabound"]
    out = []
    for key in EXPLORER_PARAMS:
        p = spec.param(key)
        out.append(fl.Field(f"{BOUND_EXPLORER}.{key}", f"bound explorer {EXPLORER_LABELS.get(key, p.label)}", "float", p.default,
                            p.low, p.high, log=p.log, step=None if p.log else 0.001, help=p.help))
    lo, hi, d = EXPLORER_STEPS
    out.append(fl.Field(f"{BOUND_EXPLORER}.T", "bound explorer steps", "int", d, lo, hi, step=1000))
    return out + panels.schedule_fields(f"{BOUND_EXPLORER}.sched")


def explorer_sidebar() -> None:
    st.header("Bound explorer")
    st.caption("AdaBound's band for any settings, independent of the run above.")
    fields = {f.key: f for f in explorer_fields()}
    c1, c2 = st.columns(2)
    for i, key in enumerate(EXPLORER_PARAMS):
        field = fields[f"{BOUND_EXPLORER}.{key}"]
        state.field_input(field, field.label.removeprefix("bound explorer "), where=c1 if i % 2 == 0 else c2)
    state.field_input(fields[f"{BOUND_EXPLORER}.T"], "steps")
    panels.schedule_panel(f"{BOUND_EXPLORER}.sched")
