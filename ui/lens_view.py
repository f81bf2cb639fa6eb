"""The learning-rate lens as a section (the playground's tab) and the bound explorer's controls."""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscapes
import optim_core as oc

from . import panels, params
from .playground_run import PlaygroundRun, bounded_gammas
from viz import lens
from viz.colors import color_of

BOUND_EXPLORER = "bx"
_EXPLORER = (
    ("final_lr", "final lr η*", 0.1, 1e-5, 10.0),
    ("gamma", "γ", 1e-3, 1e-6, 0.5),
    ("beta2", "β₂ (paper form: γ = 1 − β₂)", 0.999, 0.0, 0.99999),
    ("lr", "base lr η", 1e-3, 1e-5, 10.0),
)
EXPLORER_STEPS = (10, 1_000_000, 20_000)  # low, high, default


def explorer_fields() -> list[params.Field]:
    out = [params.Field(f"{BOUND_EXPLORER}.{k}", f"bound explorer {label}", "float", d, lo, hi, log=True)
           for k, label, d, lo, hi in _EXPLORER]
    lo, hi, d = EXPLORER_STEPS
    out.append(params.Field(f"{BOUND_EXPLORER}.T", "bound explorer steps", "int", d, lo, hi))
    return out + panels.schedule_fields(f"{BOUND_EXPLORER}.sched")


def explorer_sidebar() -> None:
    st.header("Bound explorer")
    st.caption("AdaBound's band for any settings, independent of the run above.")
    c1, c2 = st.columns(2)
    for i, (k, label, d, lo, hi) in enumerate(_EXPLORER):
        (c1 if i % 2 == 0 else c2).number_input(label, min_value=lo, max_value=hi, key=f"{BOUND_EXPLORER}.{k}",
                                                format="%g", step=d / 10)
    lo, hi, _ = EXPLORER_STEPS
    st.number_input("steps", min_value=lo, max_value=hi, step=1000, key=f"{BOUND_EXPLORER}.T")
    panels.schedule_panel(f"{BOUND_EXPLORER}.sched")


def stability_messages(run: PlaygroundRun) -> list[tuple[str, str]]:
    """(level, text) notes for each bounded run: is final_lr stable at the minimum it approaches,
    and does the band close within the horizon?"""
    out = []
    landscape = run.landscape
    steps = int(run.values["T"])
    for view, key in zip(run.views, run.chosen):
        if not oc.OPTIMIZERS[key].bounded:
            continue
        hp = run.hyper[key]
        final_lr, gamma, b1 = float(hp["final_lr"]), float(hp["gamma"]), float(hp["beta1"])
        if landscape.minima and landscape.smooth_minima:
            minima = np.asarray(landscape.minima)
            nearest = minima[np.argmin(((minima - view.positions[view.last_valid]) ** 2).sum(axis=1))]
            curvature = float(landscapes.max_curvature(landscape, nearest))
            limit = float(oc.max_stable_final_lr(curvature, b1))
            where = f"the minimum ({nearest[0]:.3g}, {nearest[1]:.3g}), curvature L = {curvature:.4g}"
            if final_lr > limit:
                out.append(("warning", f"{view.label}: final_lr = {final_lr:g} is above the stability limit "
                                       f"2(1 + β₁)/((1 − β₁)L) = {limit:.3g} at {where}. Once the band has "
                                       "closed, its SGD-like phase oscillates there or diverges."))
            else:
                out.append(("info", f"{view.label}: the SGD-like phase is stable at {where} for final_lr up "
                                    f"to {limit:.3g} (now {final_lr:g})."))
        if gamma > 0 and 10 / gamma > steps:
            out.append(("info", f"{view.label}: the band never tightens within these {steps:,} steps: the bounds "
                                f"reach ±10% of final_lr after about 10/γ = {10 / gamma:,.0f} steps."))
    return out


def lens_section(run: PlaygroundRun, *, key: str) -> None:
    """Paths and learning rates linked in time, and how often each bound acted."""
    st.caption("One slider drives both panels: at step t the right panel marks the rate each optimizer "
               "applies to x (solid) and y (dotted). AdaBound's band is shaded in its colour, its unclipped "
               "rate drawn faintly; ▲ marks a step clipped at the lower bound, ▼ at the upper.")
    fig = lens.linked_figure(run.landscape, run.views, run.start, run.background, gammas=bounded_gammas(run))
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    rows = lens.clip_rows(run.views)
    if rows:
        st.dataframe(rows, hide_index=True, column_config={
            "clipped at lower bound": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "clipped at upper bound": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "final lr_eff": st.column_config.NumberColumn(format="%.4g")})
    for level, text in stability_messages(run):
        (st.warning if level == "warning" else st.info)(text)


def bound_explorer(values: dict) -> None:
    b = BOUND_EXPLORER
    schedule = panels.schedule_from(values, f"{b}.sched")
    fig = lens.bounds_figure(float(values[f"{b}.final_lr"]), float(values[f"{b}.gamma"]),
                             float(values[f"{b}.beta2"]), float(values[f"{b}.lr"]), schedule,
                             int(values[f"{b}.T"]), color=color_of("adabound"))
    st.plotly_chart(fig, key="bound_explorer", config={"displaylogo": False})
