"""The playground's state: its URL fields (the one owner of the playground's link schema, shared by
the lens and the rescaling page), first-visit values, the callbacks that change several widgets at
once (a new landscape, a click on the map), and links into the playground from other pages."""

from __future__ import annotations

from typing import Any, Mapping

import streamlit as st

import landscapes
import optim_core as oc
from landscapes.typed import FunctionError
from runs import fields as fl
from runs.playground import MAX_STEPS, TYPED, landscape_of, typed_key
from viz.runs import PACES
from viz.stepwise import ARROWS
from viz.trajectory import MARGIN

from . import compute, panels, state

PAGE = "playground"
DEFAULT_LANDSCAPE = "rosenbrock"
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "adam", "adabound")
DEFAULT_STEPS = 500
START_LIMIT = 1e4  # |start| beyond this is not a start; the landscape's view clamps it further
DEFAULT_TYPED = "x**2 + 10*sin(y)"
DEFAULT_WINDOW = {"xmin": -3.0, "xmax": 3.0, "ymin": -3.0, "ymax": 3.0}
WINDOW_LIMIT = 1e3


def fields() -> list[fl.Field]:
    return [
        fl.Field("ls", "landscape", "choice", DEFAULT_LANDSCAPE, choices=(*landscapes.LANDSCAPES, TYPED)),
        fl.Field("fx", "f(x, y)", "text", DEFAULT_TYPED,
                 help="numbers, x, y, pi, e; + - * / ** ; sin cos tan exp log sqrt abs tanh sinh cosh "
                      "arctan min max. Its gradient is derived exactly."),
        *(fl.Field(key, f"window {key[0]} {key[1:]}", "float", value, -WINDOW_LIMIT, WINDOW_LIMIT, step=0.5)
          for key, value in DEFAULT_WINDOW.items()),
        fl.Field("opt", "optimizers", "multi", list(DEFAULT_OPTIMIZERS), choices=tuple(oc.OPTIMIZERS),
                 help="any set at once; each keeps its colour on every page"),
        fl.Field("x0", "start x", "float", None, -START_LIMIT, START_LIMIT, step=0.1),
        fl.Field("y0", "start y", "float", None, -START_LIMIT, START_LIMIT, step=0.1),
        fl.Field("T", "steps", "int", DEFAULT_STEPS, 1, MAX_STEPS, step=100, help=f"at most {MAX_STEPS:,}"),
        *panels.schedule_fields(),
        fl.Field("noise", "gradient noise", "float", 0.0, 0.0, 100.0, step=0.1,
                 help="Gaussian noise added to every gradient; the same draws for every optimizer"),
        fl.Field("seed", "seed", "int", 0, 0, fl.MAX_SEED),
        fl.Field("pace", "frames", "choice", "log", choices=PACES,
                 help="evenly in log t (the first steps, where most of the motion is, get most frames) "
                      "or evenly in t; the slider shows each frame's exact step"),
        fl.Field("frame", "animation opens on", "choice", "last", choices=("last", "first"),
                 help="the whole run (last frame), or step 0, ready to play (first frame)"),
        fl.Field("sbs", "step by step", "flag", False,
                 help="stop at one step t: arrows for the gradient, the momentum and the update taken, and the numbers"),
        fl.Field("at", "step t", "int", 1, 1, MAX_STEPS, help="the step shown; its arrows start at x_{t-1}"),
        fl.Field("arrows", "arrows", "multi", list(ARROWS), choices=tuple(ARROWS),
                 help="which arrows to draw"),
        fl.Field("arrow_scale", "arrow lengths", "choice", "one", choices=("one", "each"),
                 help="one scale for every arrow (true proportions), or each kind scaled to fit (its direction)"),
        *panels.hyper_fields(),
    ]


def page_state(view: str, extra_fields=()) -> state.PageState:
    """The playground's state as drawn by ``view`` (the playground, the lens or the rescaling
    page), with that view's own fields."""
    return state.PageState(PAGE, fields() + list(extra_fields), view=view)


def shared_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """What goes into the link: everything but the hyperparameters of optimizers not chosen and the
    parameters of schedules not chosen (a link leaves them at their defaults)."""
    kind = values.get("sched")
    return {key: value for key, value in panels.chosen_only(values, values.get("opt") or ()).items()
            if not (key.startswith("sched.") and not key.startswith(f"sched.{kind}."))}


def link_query(landscape_key: str, chosen: Mapping[str, Mapping[str, Any]], start, steps: int) -> dict[str, str]:
    """The playground's link for ``chosen`` optimizers (``{key: {hyperparameter: value}}``) from
    ``start`` for ``steps`` steps: encoded by the playground's own fields, so it reads back exactly."""
    values: dict[str, Any] = {"ls": landscape_key, "opt": list(chosen), "x0": float(start[0]),
                              "y0": float(start[1]), "T": int(steps)}
    for opt_key, hyper in chosen.items():
        values.update({panels.hyper_key(opt_key, k): v for k, v in hyper.items()})
    # the landscape and the optimizers name the view: written even when they are the defaults
    return {"ls": landscape_key, "opt": ",".join(chosen), **fl.encode(fields(), values)}


def landscape_key(values: Mapping[str, Any]) -> str:
    """The key of the landscape ``values`` choose: a registered one, or the typed f(x, y) on its
    window (runs.playground.typed_key)."""
    if values.get("ls") != TYPED:
        return values["ls"]
    window = [float(values.get(k, v)) for k, v in DEFAULT_WINDOW.items()]
    return typed_key(str(values.get("fx") or DEFAULT_TYPED), (window[:2], window[2:]))


def landscape_values(ls_key: str) -> dict[str, Any]:
    """What a landscape (a key of :func:`landscape_key`) brings: its start and the suggested
    hyperparameters on it."""
    landscape = landscape_of(ls_key)
    return {"x0": fl.round_sig(landscape.start[0], 6), "y0": fl.round_sig(landscape.start[1], 6),
            **panels.hyper_values(compute.suggestions(ls_key))}


def fresh_values(ls_key: str | None = None) -> dict[str, Any]:
    """A first visit: the default landscape with values that move sensibly on it."""
    key = ls_key if ls_key in landscapes.LANDSCAPES else DEFAULT_LANDSCAPE
    return {"ls": key, "opt": list(DEFAULT_OPTIMIZERS), **landscape_values(key)}


def on_landscape_change() -> None:
    """A new landscape (or a new typed function or window): its start and suggestions. A typed
    function that is refused changes nothing here; settle_typed says why."""
    try:
        state.set_values(landscape_values(landscape_key(st.session_state)))
    except FunctionError:
        pass


def settle_typed() -> str | None:
    """Before the widgets: a typed f(x, y) and window that can run. A refused one (from the text box
    or a link) is put back to the last accepted one, or the default; returns why it was refused."""
    if st.session_state.get("ls") != TYPED:
        return None
    keys = ["fx", *DEFAULT_WINDOW]
    try:
        landscape_of(landscape_key(st.session_state))
    except FunctionError as err:
        accepted = st.session_state.get("_typed_ok") or {"fx": DEFAULT_TYPED, **DEFAULT_WINDOW}
        refused = str(st.session_state.get("fx"))
        state.set_values(accepted)
        return f"f(x, y) = {refused[:80]} was not used: {err}. Still showing f(x, y) = {accepted['fx']}."
    st.session_state["_typed_ok"] = {k: st.session_state.get(k) for k in keys}
    return None


def on_start_click() -> None:
    event = st.session_state.get("contour")
    points = event.selection.points if event and event.selection else []
    if points:
        # the click grid ships float32: 6 significant digits give back the grid's own numbers (-0.8)
        state.set_values({"x0": fl.round_sig(float(points[0]["x"]), 6), "y0": fl.round_sig(float(points[0]["y"]), 6)})


def start_limits(landscape) -> list[tuple[float, float]]:
    """Where a start may be: on the picture, the domain grown by MARGIN per side."""
    return [(lo - MARGIN * (hi - lo), hi + MARGIN * (hi - lo)) for lo, hi in landscape.domain]


def settle_start() -> list[str]:
    """Before the widgets: a start for the current landscape, on its picture (a link may leave it
    out, or put it anywhere). Returns a note when the start had to move."""
    landscape = landscape_of(landscape_key(st.session_state))
    notes = []
    for key, d, (lo, hi) in (("x0", 0, start_limits(landscape)[0]), ("y0", 1, start_limits(landscape)[1])):
        value = st.session_state.get(key)
        if value is None:
            st.session_state[key] = float(landscape.start[d])
        elif not lo <= value <= hi:
            st.session_state[key] = min(max(float(value), lo), hi)
            notes.append(f"start {key[0]} = {value:g} is off the {landscape.name} picture "
                         f"[{lo:g}, {hi:g}]; moved to {st.session_state[key]:g}")
    return notes
