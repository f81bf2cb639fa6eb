"""The learning-rate lens as a section (the playground's tab) and the bound explorer's controls."""

from __future__ import annotations

import numpy as np
import streamlit as st

from runs.lens import band_checks, signal_to_noise

from . import compute, panels, present
from .lens_state import BOUND_EXPLORER
from .playground_view import PlaygroundRun, bounded_gammas
from viz import lens
from viz.colors import color_of


def stability_messages(run: PlaygroundRun) -> list[tuple[str, str]]:
    """(level, text) notes for each bounded run: is final_lr stable at the minimum it approaches,
    and does the band close within the horizon?"""
    out = []
    steps = int(run.values["T"])
    last = np.array([v.positions[v.last_valid] for v in run.views])
    for check in band_checks(run.landscape, run.configs, last):
        label = run.views[check.index].label
        if check.limit is not None:
            where = (f"the minimum ({check.minimum[0]:.3g}, {check.minimum[1]:.3g}), curvature "
                     f"L = {check.curvature:.4g}")
            if check.final_lr > check.limit:
                out.append(("warning", f"{label}: final_lr = {check.final_lr:g} is above the stability limit "
                                       f"2(1 + β₁)/((1 − β₁)L) = {check.limit:.3g} at {where}. Once the band has "
                                       "closed, its SGD-like phase oscillates there or diverges."))
            else:
                out.append(("info", f"{label}: the SGD-like phase is stable at {where} for final_lr up "
                                    f"to {check.limit:.3g} (now {check.final_lr:g})."))
        if check.steps_to_tighten is not None and check.steps_to_tighten > steps:
            out.append(("info", f"{label}: the band never tightens within these {steps:,} steps: the bounds "
                                f"reach ±10% of final_lr after about 10/γ = {check.steps_to_tighten:,.0f} steps."))
    return out


def lens_section(run: PlaygroundRun, *, key: str) -> None:
    """Paths and learning rates linked in time, and how often each bound acted."""
    if not present.presenting():
        st.caption("One slider drives both panels: at step t the right panel marks the rate each optimizer "
                   "applies to x (solid) and y (dotted). AdaBound's band is shaded in its colour, its unclipped "
                   "rate drawn faintly; ▲ marks a step clipped at the lower bound, ▼ at the upper.")
    fig = compute.lens_figure(run.key, run, bounded_gammas(run))
    st.plotly_chart(present.style(fig), key=key, config={"displaylogo": False})
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


def snr_section(run: PlaygroundRun) -> None:
    st.subheader("Signal-to-noise ratio |m̂| / √v̂")
    st.caption("The Adam paper's view of why its steps shrink near an optimum: when the gradient's sign keeps "
               "flipping, the mean m̂ is small against the root mean square √v̂. Computed from each run's "
               "gradients with its own β₁, β₂ (Adam's defaults for optimizers without them).")
    st.plotly_chart(lens.snr_figure(run.views, signal_to_noise(run.trace, run.configs)), key="snr",
                    config={"displaylogo": False})


def explorer_section(run: PlaygroundRun) -> None:
    st.subheader("Bound explorer")
    st.markdown("The band for the settings in the sidebar's **Bound explorer**: in the code's form (γ, shaded) and "
                "in the form of the paper's experiments, γ = 1 − β₂ (dashed). Both follow the schedule, because "
                "`final_lr` is scaled by `lr_t / lr_0`: a step decay visibly moves the band.")
    st.latex(r"\eta_l(t) = \eta^*\Big(1 - \frac{1}{\gamma t + 1}\Big),\qquad "
             r"\eta_u(t) = \eta^*\Big(1 + \frac{1}{\gamma t}\Big),\qquad \eta_l(1/\gamma) = \tfrac{\eta^*}{2},\ "
             r"\eta_u(1/\gamma) = 2\eta^*")
    bound_explorer(run.values)
