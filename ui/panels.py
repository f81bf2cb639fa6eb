"""Widgets built from the optimizer registry: URL fields, hyperparameter panels, the update rules."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

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
                out[p.key] = state.log_input(p.label, key, p.low, p.high, help=p.help or None)
            else:
                out[p.key] = st.number_input(p.label, min_value=float(p.low), max_value=float(p.high), key=key,
                                             step=0.01, format="%g", help=p.help or None)
    return out


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
