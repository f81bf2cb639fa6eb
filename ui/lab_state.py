"""The final_lr lab's state: its URL fields (the page's defaults, limits and grids live here), the
first-visit values, the callback for a new problem, and the sweep setup the widgets describe."""

from __future__ import annotations

from typing import Any, Mapping

import streamlit as st

import landscapes
from runs import fields as fl
from runs import lab
from runs.lab import BOUNDED, DEFAULTS, GRIDS, MAX_HORIZON, MAX_PERIOD, MAX_STARTS, grid_range

from . import compute, panels, state

PAGE = "lab"
ONLINE_LR = 0.1  # the online problems live on [-1, 1]: the lab's first lr there
DAMPENING_LABELS = {"beta1": "β₁ (what AdaBound becomes)", "zero": "0 (torch's default)"}
def fields() -> list[fl.Field]:
    d = DEFAULTS
    out = [
        fl.Field("ls", "problem", "choice", d["ls"], choices=tuple(lab.lab_problems()),
                 help="2-D landscapes with a known minimum, or an online problem"),
        fl.Field("C", "period C", "int", d["C"], 3, MAX_PERIOD),
        fl.Field("opt", "method", "choice", d["opt"], choices=BOUNDED),
        fl.Field("S", "random starts", "int", d["S"], 0, MAX_STARTS,
                 help="besides the problem's default start; drawn uniformly in its domain"),
        fl.Field("seed", "seed", "int", d["seed"], 0, fl.MAX_SEED),
        fl.Field("T", "horizon T", "int", d["T"], 1, MAX_HORIZON, step=100),
        fl.Field("damp", "SGD(M) dampening", "choice", d["damp"], choices=tuple(DAMPENING_LABELS)),
    ]
    for prefix, param, label, low, high, count, most in GRIDS:
        least, largest = grid_range(param)
        out += [fl.Field(f"{prefix}_lo", f"{label} from", "float", low, least, largest, log=True),
                fl.Field(f"{prefix}_hi", f"{label} to", "float", high, least, largest, log=True),
                fl.Field(f"{prefix}_n", f"{label} values", "int", count, 2, most)]
    return out + panels.hyper_fields(BOUNDED)


def shared_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """What goes into the link: the chosen method's hyperparameters (final_lr is swept, so not
    among them) and everything that is not a hyperparameter."""
    return panels.chosen_only(values, [values.get("opt")], skip=("final_lr",))


def suggested(problem_key: str, C: int) -> dict[str, dict[str, Any]]:
    """Per bounded method, the values that suit the problem: for a landscape the measured Adam rate
    as lr (final_lr is swept); for an online problem its paper's betas and a rate that crosses
    its feasible interval in a few dozen steps."""
    if lab.is_online(problem_key):
        problem = lab.resolve(problem_key, C)
        values = {"beta1": problem.beta1, "beta2": problem.default_beta2, "lr": ONLINE_LR}
    else:
        values = {"lr": compute.suggestions(problem_key)["adam"]["lr"]}
    return {key: dict(values) for key in BOUNDED}


def fresh_values(problem_key: str | None = None) -> dict[str, Any]:
    key = problem_key if problem_key in lab.lab_problems() else DEFAULTS["ls"]
    return {**DEFAULTS, "ls": key, **panels.hyper_values(suggested(key, DEFAULTS["C"]))}


def restore() -> tuple[state.PageState, list[str]]:
    """Before the widgets: the page state (URL, remembered or fresh) and the notes on the link. A
    landscape without a minimum value gets its own note: the lab measures the gap to it."""
    page = state.PageState(PAGE, fields())
    notes = page.restore(fresh_values())
    asked = st.query_params.get("ls")
    if asked in landscapes.LANDSCAPES and asked not in lab.lab_problems():
        notes = [n for n in notes if getattr(n, "key", None) != "ls"]
        notes.append(f"problem: {landscapes.get(asked).name} has no minimum value, so there is no loss "
                     f"gap to measure; using {landscapes.get(DEFAULTS['ls']).name}")
    return page, notes


def on_problem_change() -> None:
    state.set_values(panels.hyper_values(suggested(st.session_state["ls"], int(st.session_state.get("C", 3)))))
