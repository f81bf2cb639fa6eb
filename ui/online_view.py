"""The online page's sections: the sidebar, the problem and its paper's condition, and the results
(where each optimizer ends up, the iterate, the regret, the learning rates, one period's moves)."""

from __future__ import annotations

from typing import Any

import streamlit as st

import optim_core as oc
from landscapes import OnlineProblem
from runs import online
from runs.playground import config

from . import compute, panels, present, state
from .online_state import on_c_change, on_mode_change, on_problem_change, use_paper_betas
from viz.colors import color_of

CHART = {"displaylogo": False}


def sidebar(page: state.PageState) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The problem, horizon, mode, shared betas and optimizers; returns the chosen optimizers and
    their hyperparameters."""
    field = {f.key: f for f in page.fields}
    label = {k: oc.OPTIMIZERS[k].label for k in online.OPTIMIZERS}
    with st.sidebar:
        st.header("Problem")
        problem_key = state.field_input(field["problem"], format_func=lambda k: online.make_problem(k, 3).label,
                                        on_change=on_problem_change)
        C = state.field_input(field["C"], "period constant C", on_change=on_c_change)
        state.field_input(field["x0"])
        state.field_input(field["T"])
        st.radio("step size", list(online.MODES), key="mode", format_func=online.MODES.get,
                 help=field["mode"].help, on_change=on_mode_change)
        st.header("Moments (all optimizers)")
        c1, c2 = st.columns(2)
        state.field_input(field["b1"], where=c1)
        state.field_input(field["b2"], where=c2)
        st.header("Optimizers")
        chosen = state.field_input(field["opt"], format_func=label.get)
        suggested = online.defaults(problem_key, C).hyper
        hyper = {k: panels.hyper_panel(k, suggested[k], skip=online.SHARED_PARAMS + online.FIXED_PARAMS)
                 for k in chosen}
    return chosen, hyper


def problem_section(problem: OnlineProblem, beta1: float, beta2: float) -> None:
    """What the problem is, why Adam fails on it, and whether the paper's setting holds."""
    st.markdown(f"**{problem.name}**: {problem.description}")
    st.latex(problem.latex)
    st.markdown("**Why Adam fails.** " + problem.why_adam_fails)
    condition = f"${problem.condition_latex}$ ({problem.condition_text})"
    if problem.condition_holds(beta1, beta2):
        st.success(f"The paper's setting holds: {condition}, β₁ = 0.", icon=":material/check_circle:")
        return
    st.warning(f"**(C = {problem.C}, β₁ = {beta1:g}, β₂ = {beta2:g}) violates the paper's setting** {condition} "
               "with β₁ = 0, so the proof that Adam fails does not apply here: Adam may well reach the "
               "optimum.", icon=":material/warning:")
    st.button(f"use the paper's β₁ = 0, β₂ = {problem.default_beta2:.4g}", key="_paper_betas",
              on_click=use_paper_betas)


def run(problem: OnlineProblem, chosen: list[str], hyper: dict, values: dict) -> compute.OnlineOutcome:
    """The cached run of the chosen optimizers; stops the page with a message when it cannot run."""
    beta1, beta2, steps = float(values["b1"]), float(values["b2"]), int(values["T"])
    configs = tuple(config(k, online.optimizer_values(k, hyper[k], beta1, beta2)) for k in chosen)
    try:
        with st.spinner(f"Running {len(chosen)} optimizers for {steps:,} steps…"):
            return compute.online_outcome(problem.key, problem.C, configs, float(values["x0"]), steps,
                                          values["mode"])
    except ValueError as err:
        st.error(f"These settings cannot run: {err}")
        st.stop()


def results(problem: OnlineProblem, out: compute.OnlineOutcome, chosen: list[str], page: state.PageState) -> None:
    values = page.values()
    if present.presenting():  # the iterate alone, large, on the time axis last chosen
        log_t = bool(values.get("logt"))
        st.plotly_chart(present.style(out.path.update_xaxes(type="log" if log_t else "linear")),
                        key="online_path", config=CHART)
        present.after_key_chart()
    log_t = state.field_input(next(f for f in page.fields if f.key == "logt"))
    axis = "log" if log_t else "linear"
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**The iterate x_t** (green: the optimal region)")
        st.plotly_chart(out.path.update_xaxes(type=axis), key="online_path", config=CHART)
    with c2:
        st.markdown("**Average regret R_t / t**: it goes to 0 for a method that learns")
        st.plotly_chart(out.regret.update_xaxes(type=axis), key="online_regret", config=CHART)

    st.subheader("Where each optimizer ends up")
    for s in out.summaries:
        st.markdown(f'<span style="color:{color_of(s.key)}">■</span> **{s.label}** '
                    f"{online.summary_text(s, problem, int(values['T']))}", unsafe_allow_html=True)

    st.subheader("Effective learning rates")
    st.caption("The rate each optimizer applies at step t (log axes). AdaBound's and AMSBound's are clipped into their "
               "band (shaded), drawn faintly where the unclipped rate lies outside it; triangles mark clipped steps.")
    st.plotly_chart(out.rates, key="online_rates", config=CHART)

    st.subheader("One period of gradients")
    st.caption(f"Top: the gradient in each phase t mod {problem.period} of a period (where f_t acts) and its sum over the "
               "period, whose sign says where the optimum lies. Bottom: what each optimizer did with it in the last "
               "period of the run, its move −η_t g_t in each phase and the net move (labelled); up is away from the "
               "optimum. With β₁ = 0 this move is the whole step; with momentum the step also carries earlier "
               "gradients. A run that sits where every f_t is flat (x < 0 on the AdaBound example) no longer moves.")
    st.plotly_chart(out.pattern, key="online_pattern", config=CHART)

    with st.expander("How each optimizer moves"):
        panels.update_rules(chosen)
        if values["mode"] == "paper":
            st.markdown("Paper-theory mode: every η above is η/√t, there is no bias correction and ε = 0.")
