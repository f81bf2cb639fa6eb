"""The online example: the adversarial problems of the AdaBound paper's Section 3 and of Reddi et
al., where Adam provably fails and AdaBound, AMSGrad and SGD do not."""

from __future__ import annotations

import streamlit as st

import optim_core as oc
from ui import compute, online_runs as runs, panels, state
from ui.experiments import config
from ui.online_state import PAGE, on_c_change, on_problem_change, page_fields, restore, use_paper_betas
from viz.colors import color_of

st.title("The online example: Adam fails, AdaBound recovers")
st.caption("An online problem hands the optimizer a new function f_t at every step. These two are built "
           "so that Adam provably moves the wrong way, while SGD, AMSGrad and AdaBound find the optimum. "
           "Choose the problem, the optimizers and the horizon in the sidebar; the link in the address bar "
           "reproduces exactly this view.")

notes = restore()
label = {k: oc.OPTIMIZERS[k].label for k in runs.OPTIMIZERS}

with st.sidebar:
    st.header("Problem")
    problem_key = st.selectbox("problem", list(runs.PROBLEM_LABELS), key="problem",
                               format_func=runs.PROBLEM_LABELS.get, on_change=on_problem_change)
    C = st.number_input("period constant C", min_value=3, max_value=runs.MAX_C, step=1, key="C",
                        on_change=on_c_change, help="AdaBound example: the period; Reddi: the large gradient")
    x0 = st.number_input("start x₁", min_value=-1.0, max_value=1.0, step=0.05, key="x0", format="%g")
    steps = st.number_input("steps T", min_value=1, max_value=runs.MAX_STEPS, step=1000, key="T",
                            help=f"at most {runs.MAX_STEPS:,}")
    mode = st.radio("step size", list(runs.MODES), key="mode", format_func=runs.MODES.get,
                    help="the paper-theory mode is the form the papers' proofs use")
    st.header("Moments (all optimizers)")
    c1, c2 = st.columns(2)
    beta1 = c1.number_input("β₁", min_value=0.0, max_value=0.999, step=0.05, key="b1", format="%g",
                            help="both papers take β₁ = 0")
    beta2 = c2.number_input("β₂", min_value=0.0, max_value=0.99999, step=0.01, key="b2", format="%g",
                            help="the paper's condition on β₂ is checked below the problem")
    st.header("Optimizers")
    chosen = st.multiselect("optimizers", list(runs.OPTIMIZERS), key="opt", format_func=label.get,
                            help="each keeps its colour on every page")
    suggested = runs.defaults(problem_key, C).hyper
    hyper = {k: panels.hyper_panel(k, suggested[k], skip=runs.SHARED_PARAMS + runs.FIXED_PARAMS)
             for k in chosen}

all_fields = page_fields()
values = {f.key: st.session_state.get(f.key) for f in all_fields}
state.remember(PAGE, all_fields, panels.chosen_only(values, values.get("opt") or ()))
state.show_notes(notes)

problem = runs.make_problem(problem_key, C)
st.markdown(f"**{problem.name}**: {problem.description}")
st.latex(problem.latex)
st.markdown("**Why Adam fails.** " + runs.WHY_ADAM_FAILS[problem_key])

cond = runs.condition(problem, beta1, beta2)
if cond.holds:
    st.success(f"The paper's setting holds: ${cond.latex}$ ({cond.text}), β₁ = 0.", icon=":material/check_circle:")
else:
    st.warning(f"**(C = {C}, β₁ = {beta1:g}, β₂ = {beta2:g}) violates the paper's setting** ${cond.latex}$ "
               f"({cond.text}) with β₁ = 0, so the proof that Adam fails does not apply here: Adam may well "
               "reach the optimum.", icon=":material/warning:")
    st.button(f"use the paper's β₁ = 0, β₂ = {cond.beta2:.4g}", key="_paper_betas", on_click=use_paper_betas)

if not chosen:
    st.info("Choose at least one optimizer in the sidebar (for instance Adam and AdaBound).")
    st.stop()

configs = tuple(config(k, runs.optimizer_values(k, hyper[k], beta1, beta2)) for k in chosen)
try:
    with st.spinner(f"Running {len(chosen)} optimizers for {steps:,} steps…"):
        out = compute.online_outcome(problem_key, C, configs, float(x0), int(steps), mode)
except ValueError as err:
    st.error(f"These settings cannot run: {err}")
    st.stop()

st.subheader("Where each optimizer ends up")
for s in out.summaries:
    st.markdown(f'<span style="color:{color_of(s.key)}">■</span> **{s.label}** '
                f"{runs.summary_text(s, problem, int(steps))}", unsafe_allow_html=True)

log_t = st.toggle("log t axis", key="logt", help="for the iterates and the regret; the learning rates always use one")
axis = "log" if log_t else "linear"
c1, c2 = st.columns(2)
with c1:
    st.markdown("**The iterate x_t** (green: the optimal region)")
    st.plotly_chart(out.path.update_xaxes(type=axis), key="online_path", config={"displaylogo": False})
with c2:
    st.markdown("**Average regret R_t / t**: it goes to 0 for a method that learns")
    st.plotly_chart(out.regret.update_xaxes(type=axis), key="online_regret", config={"displaylogo": False})

st.subheader("Effective learning rates")
st.caption("The rate each optimizer applies at step t (log axes). AdaBound's and AMSBound's are clipped into their "
           "band (shaded), drawn faintly where the unclipped rate lies outside it; triangles mark clipped steps.")
st.plotly_chart(out.rates, key="online_rates", config={"displaylogo": False})

st.subheader("One period of gradients")
st.caption(f"Top: the gradient in each phase t mod {problem.period} of a period (where f_t acts) and its sum over the "
           "period, whose sign says where the optimum lies. Bottom: what each optimizer did with it in the last "
           "period of the run, its move −η_t g_t in each phase and the net move (labelled); up is away from the "
           "optimum. With β₁ = 0 this move is the whole step; with momentum the step also carries earlier "
           "gradients. A run that sits where every f_t is flat (x < 0 on the AdaBound example) no longer moves.")
st.plotly_chart(out.pattern, key="online_pattern", config={"displaylogo": False})

with st.expander("How each optimizer moves"):
    panels.update_rules(chosen)
    if mode == "paper":
        st.markdown("Paper-theory mode: every η above is η/√t, there is no bias correction and ε = 0.")
