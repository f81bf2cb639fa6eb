"""The online page's state: its URL fields, whose defaults are the chosen problem's (so a bare link
``?problem=reddi`` is the Reddi reproduction), first-visit values, and the callbacks that change
several widgets at once (a new problem, a new C)."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

import landscapes
import optim_core as oc
from runs import fields as fl
from runs import online
from runs.online import FIXED_PARAMS, MAX_C, MAX_STEPS, MODES, OPTIMIZERS, SHARED_PARAMS, defaults

from . import panels, state

PAGE = "online"
DEFAULT_PROBLEM = "adabound"
DEFAULT_C = 3
VALUES_OF_THE_PAGE = ("problem", "C", "opt", "mode", "logt")  # what a problem does not bring


def problem_fields() -> list[fl.Field]:
    """The fields every other default depends on."""
    return [
        fl.Field("problem", "problem", "choice", DEFAULT_PROBLEM, choices=tuple(landscapes.ONLINE_PROBLEMS)),
        fl.Field("C", "C", "int", DEFAULT_C, 3, MAX_C,
                 help="AdaBound example: the period; Reddi: the large gradient"),
    ]


def fields(problem_key: str, C: int) -> list[fl.Field]:
    """All the page's fields, with the defaults of ``problem_key`` at ``C``."""
    d = defaults(problem_key, C)
    beta1, beta2 = (oc.OPTIMIZERS["adam"].param(k) for k in ("beta1", "beta2"))  # the registry's ranges
    hyper = []
    for f in panels.hyper_fields(OPTIMIZERS):
        opt_key, _, param = f.key.partition(".")
        if param in SHARED_PARAMS + FIXED_PARAMS:
            continue
        hyper.append(dataclasses.replace(f, default=d.hyper[opt_key].get(param, f.default)))
    return [
        *problem_fields(),
        fl.Field("opt", "optimizers", "multi", list(OPTIMIZERS), choices=OPTIMIZERS,
                 help="each keeps its colour on every page"),
        fl.Field("b1", "β₁", "float", d.beta1, beta1.low, beta1.high, step=0.05, help="both papers take β₁ = 0"),
        fl.Field("b2", "β₂", "float", d.beta2, beta2.low, beta2.high, step=0.01,
                 help="the paper's condition on β₂ is checked below the problem"),
        fl.Field("x0", "start x₁", "float", d.x0, -1.0, 1.0, step=0.05),
        fl.Field("T", "steps T", "int", d.steps, 1, MAX_STEPS, step=1000, help=f"at most {MAX_STEPS:,}"),
        fl.Field("mode", "step mode", "choice", "constant", choices=tuple(MODES),
                 help="the paper-theory mode is the form the papers' proofs use"),
        fl.Field("logt", "log t axis", "flag", False,
                 help="for the iterates and the regret; the learning rates always use one"),
        *hyper,
    ]


def restore() -> tuple[state.PageState, list[str]]:
    """Before the widgets: every field, with the defaults of the problem a link names (a link that
    leaves out beta2, x0, T or a hyperparameter means that problem's value). Returns the page
    state and the notes."""
    link, _ = fl.parse(problem_fields(), st.query_params.to_dict())  # restore notes on these too
    page = state.PageState(PAGE, fields(link.get("problem", DEFAULT_PROBLEM), link.get("C", DEFAULT_C)))
    notes = page.restore({f.key: f.default for f in page.fields})
    return page, notes


def current() -> state.PageState:
    """After the widgets: the fields with the defaults of the problem now chosen, for the link."""
    return state.PageState(PAGE, fields(st.session_state["problem"], st.session_state["C"]))


def problem_values(problem_key: str, C: int) -> dict[str, Any]:
    """What a problem brings: its start, horizon, betas and the reproduction's hyperparameters."""
    return {f.key: f.default for f in fields(problem_key, C) if f.key not in VALUES_OF_THE_PAGE}


def on_problem_change() -> None:
    state.set_values(problem_values(st.session_state["problem"], st.session_state["C"]))


def on_c_change() -> None:
    """A new period changes the condition on beta2: take the value that satisfies it."""
    state.set_values({"b2": defaults(st.session_state["problem"], st.session_state["C"]).beta2})


def on_mode_change() -> None:
    """The paper-theory mode's step eta / sqrt(t) is slow: take the horizon at which it shows the
    claim (and back to the reproduction's for constant steps)."""
    problem = online.make_problem(st.session_state["problem"], st.session_state["C"])
    paper = st.session_state["mode"] == "paper"
    state.set_values({"T": problem.paper_steps if paper else problem.reproduction_steps})


def use_paper_betas() -> None:
    d = defaults(st.session_state["problem"], st.session_state["C"])
    state.set_values({"b1": d.beta1, "b2": d.beta2})
