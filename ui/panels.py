"""Widgets built from the optimizer registry: URL fields, hyperparameter panels, the update rules."""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import streamlit as st

import optim_core as oc
from optim_core.schedules import PARAMS as SCHEDULE_PARAMS
from runs import fields as fl

from . import state


def hyper_key(opt_key: str, param_key: str) -> str:
    return f"{opt_key}.{param_key}"


def hyper_fields(opt_keys: Sequence[str] | None = None) -> list[fl.Field]:
    """One URL field per hyperparameter of each optimizer (default: all of them)."""
    fields = []
    for key in opt_keys or oc.OPTIMIZERS:
        spec = oc.OPTIMIZERS[key]
        for p in spec.params:
            kind = "flag" if p.is_flag else "float"
            fields.append(fl.Field(hyper_key(key, p.key), f"{spec.label} {p.label}", kind, p.default,
                                       None if p.is_flag else p.low, None if p.is_flag else p.high,
                                       log=p.log))
    return fields


def library_defaults(opt_key: str) -> dict[str, Any]:
    return {hyper_key(opt_key, k): v for k, v in oc.OPTIMIZERS[opt_key].defaults().items()}


def hyper_values(suggested: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Widget values for ``{optimizer: {hyperparameter: value}}``: each optimizer's library
    defaults with the suggested values on top (what a new problem brings)."""
    out: dict[str, Any] = {}
    for opt_key, values in suggested.items():
        out.update(library_defaults(opt_key))
        out.update({hyper_key(opt_key, k): v for k, v in values.items()})
    return out


def values_of(opt_key: str, source: Mapping[str, Any]) -> dict[str, Any]:
    """The optimizer's hyperparameters (factory keywords) from widget values keyed ``opt.param``."""
    spec = oc.OPTIMIZERS[opt_key]
    return {p.key: source.get(hyper_key(opt_key, p.key), p.default) for p in spec.params}


def chosen_only(values: Mapping[str, Any], chosen: Sequence[str], skip: Sequence[str] = ()) -> dict[str, Any]:
    """``values`` without the hyperparameters of optimizers not in ``chosen`` (and without the
    hyperparameters named in ``skip``): what a link needs, since a link leaves them at defaults."""
    out = {}
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if rest and head in oc.OPTIMIZERS and (head not in chosen or rest in skip):
            continue
        out[key] = value
    return out


def hyper_panel(opt_key: str, suggested: Mapping[str, Any], *, expanded: bool = False,
                skip: Sequence[str] = ()) -> dict[str, Any]:
    """A compact panel of one optimizer's hyperparameters; returns ``{param: value}``.

    ``suggested`` are the values pre-filled for the current problem; the library defaults are a
    button away."""
    spec = oc.OPTIMIZERS[opt_key]
    with st.expander(f"{spec.label}", expanded=expanded):
        st.caption(spec.summary)
        cols = st.columns(2)
        cols[0].button("defaults", key=f"_defaults_{opt_key}", width="stretch",
                       on_click=state.set_values, args=(library_defaults(opt_key),),
                       help="the library defaults: torch.optim's (AdaBound: the authors' reference code)")
        cols[1].button("suggested", key=f"_suggested_{opt_key}", width="stretch",
                       on_click=state.set_values,
                       args=(hyper_values({opt_key: suggested}),),
                       help="values that make this optimizer move sensibly on the current problem")
        out = {}
        for p in spec.params:
            key = hyper_key(opt_key, p.key)
            if p.key in skip:
                continue
            if p.is_flag:
                out[p.key] = st.toggle(p.label, key=key, help=p.help or None)
            elif p.log:
                out[p.key] = log_input(p.label, key, p.low, p.high, help=p.help or None)
            else:
                out[p.key] = st.number_input(p.label, min_value=float(p.low), max_value=float(p.high), key=key,
                                             step=0.01, format="%g", help=p.help or None)
    return out


# ----------------------------------------------------------------------------- log-scaled values

STOP_MANTISSAS = (1, 2, 5)  # a slider over decades stops at 1, 2 and 5 of each
ZERO_DECADES = 6  # a range from 0 (weight decay): how many decades below its top the slider offers
# The exact box has no useful +/- step on a value that spans decades (the slider is the coarse
# control), so its step buttons are hidden; the boxes are found by their container's key.
_BOX_PREFIX = "_logbox_"
_HIDE_STEPPERS = (f"<style>[class*='st-key-{_BOX_PREFIX}'] [data-testid='stNumberInputStepUp'],"
                  f"[class*='st-key-{_BOX_PREFIX}'] [data-testid='stNumberInputStepDown'] {{display: none;}}</style>")


def log_stops(low: float, high: float) -> list[float]:
    """The slider's stops for a value in ``[low, high]``, ascending: 0 when ``low`` is 0, the 1-2-5
    values of every decade in the range, and ``low`` and ``high`` themselves, so that the slider
    reaches the whole range even when a bound is not a 1-2-5 value (β₂'s 0.99999).

    Each stop is the float nearest its short decimal form (``2e-4`` is ``float("2e-4")``), so a
    stop chosen on the slider is the number a person would type and a link carries it exactly."""
    low, high = float(low), float(high)
    if not (0 <= low < high and math.isfinite(high)):
        raise ValueError(f"a log-scaled range needs 0 <= low < high < inf, got [{low:g}, {high:g}]")
    top = math.floor(math.log10(high))
    if low == 0:
        bottom, stops = math.ceil(math.log10(high)) - ZERO_DECADES, {0.0}
    else:
        bottom, stops = math.floor(math.log10(low)), {low}
    stops.add(high)
    for exponent in range(bottom, top + 1):
        for mantissa in STOP_MANTISSAS:
            value = float(f"{mantissa}e{exponent}")
            if (low == 0 or value >= low) and value <= high:
                stops.add(value)
    return sorted(stops)


def nearest_stop(value: float, stops: Sequence[float]) -> float:
    """The stop nearest ``value`` on a log scale. Below the first positive stop of a range that
    starts at 0 a log distance to 0 is infinite, so there the nearer of the two on a linear scale."""
    positive = [s for s in stops if s > 0]
    if not value > 0 or (stops[0] == 0 and value < positive[0] / 2):
        return stops[0]
    return min(positive, key=lambda s: abs(math.log(s / value)))


def format_stop(value: float) -> str:
    """A stop in few characters: ``0``, ``1e-4``, ``2e-4``, ``0.001``, ``0.5``, ``10``, ``1e4``."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, _, exponent = f"{value:e}".partition("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _take_stop(key: str, slider_key: str, on_change: Callable | None) -> None:
    st.session_state[key] = st.session_state[slider_key]
    if on_change is not None:
        on_change()


def log_input(label: str, key: str, low: float, high: float, *, help: str | None = None, where=st,
              on_change: Callable | None = None, **kwargs) -> float:
    """A value that spans decades (a learning rate, ε, γ): a slider over the 1-2-5 stops of
    ``[low, high]`` and, under it, a box for the exact number. Returns the value.

    The box owns the value: its key is ``key`` (the link's field), so a link's 0.0037 stays 0.0037.
    The slider only shows the stop nearest the value, and choosing a stop writes it into the box.
    ``on_change`` runs after either changes the value; ``kwargs`` go to the box."""
    stops = log_stops(low, high)
    slider_key = f"_log_{key}"
    # before the slider is drawn: it follows the value (typed, restored from a link, or set by a
    # button), and drawing it never changes the value
    st.session_state[slider_key] = nearest_stop(st.session_state.get(key, float(low)), stops)
    box = where.container(key=f"{_BOX_PREFIX}{key}", gap="xxsmall")
    box.html(_HIDE_STEPPERS)
    box.select_slider(label, stops, key=slider_key, format_func=format_stop, help=help,
                      on_change=_take_stop, args=(key, slider_key, on_change))
    return box.number_input(label, min_value=float(low), max_value=float(high), key=key, format="%g",
                            step=min(s for s in stops if s > 0), on_change=on_change,
                            label_visibility="collapsed", **kwargs)


def update_rules(opt_keys: Sequence[str]) -> None:
    """The update rule of each optimizer in LaTeX, in the optimizers' colours' order."""
    for key in opt_keys:
        spec = oc.OPTIMIZERS[key]
        st.markdown(f"**{spec.label}**: {spec.summary}")
        st.latex(spec.latex)


# ----------------------------------------------------------------------------- schedules

SCHEDULE_LABELS = {"constant": "constant", "step": "step decay", "exponential": "exponential",
                   "cosine": "cosine", "inverse_sqrt": "1/√t", "warmup": "linear warm-up"}
_PARAM_LABELS = {("step", "step_size"): "every (steps)", ("step", "decay"): "multiply by",
                 ("exponential", "decay"): "multiply by (per step)", ("cosine", "period"): "period (steps)",
                 ("cosine", "min_factor"): "down to (× lr)", ("warmup", "warmup_steps"): "warm-up steps"}


def schedule_fields(prefix: str = "sched") -> list[fl.Field]:
    """The schedule's kind, and one field per parameter of each kind (defaults and ranges from
    optim_core.schedules, the one owner)."""
    fields = [fl.Field(prefix, "schedule", "choice", "constant", choices=tuple(oc.SCHEDULE_KINDS),
                       help="multiplies lr at every step; AdaBound's final_lr follows it")]
    for kind, entries in SCHEDULE_PARAMS.items():
        for p in entries:
            fields.append(fl.Field(f"{prefix}.{kind}.{p.name}", f"schedule {_PARAM_LABELS[kind, p.name]}",
                                   "int" if p.integer else "float", p.default, p.low, p.high,
                                   step=None if p.integer else (0.01 if p.high <= 1 else 1.0)))
    return fields


def schedule_from(values: Mapping[str, Any], prefix: str = "sched") -> oc.Schedule:
    kind = values.get(prefix, "constant")
    return oc.Schedule(kind, **{p.name: values.get(f"{prefix}.{kind}.{p.name}", p.default)
                                for p in SCHEDULE_PARAMS.get(kind, ())})


def schedule_panel(prefix: str = "sched") -> dict[str, Any]:
    """The schedule's kind and the parameters that kind uses; returns the widget values."""
    by_key = {f.key: f for f in schedule_fields(prefix)}
    kind = state.field_input(by_key[prefix], "learning-rate schedule", format_func=SCHEDULE_LABELS.get)
    out = {prefix: kind}
    for p in SCHEDULE_PARAMS.get(kind, ()):
        key = f"{prefix}.{kind}.{p.name}"
        out[key] = state.field_input(by_key[key], _PARAM_LABELS[kind, p.name])
    return out
