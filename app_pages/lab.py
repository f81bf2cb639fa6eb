"""The final_lr lab: how AdaBound's final_lr, gamma and lr decide where a run ends, measured over a
grid of settings and many start points."""

from __future__ import annotations

import streamlit as st

import optim_core as oc
from ui import state, sweeps
from ui.lab_state import PAGE, color_span, fields, line_view_figure, measure, restore, run_sweep, shared_values
from ui.lab_view import heat_map, sidebar

st.title("final_lr lab")
st.caption("How should AdaBound's `final_lr` and `γ` be chosen? Each colour below is a measurement: "
           "the median final loss over many start points, for one setting out of a grid of hundreds, "
           "all run at once. Click a cell to open that setting on the playground.")

all_fields = fields()
notes = restore(all_fields)
hyper = sidebar()

values = {f.key: st.session_state.get(f.key) for f in all_fields}
state.remember(PAGE, all_fields, shared_values(values))
setup, more = sweeps.setup_from(values, hyper)
state.show_notes(notes + more)

label = oc.OPTIMIZERS[setup.optimizer].label
reference = oc.OPTIMIZERS[sweeps.REFERENCE[setup.optimizer]].label
limit = sweeps.stability_limit(sweeps.resolve(setup.problem, setup.C), float(hyper["beta1"]))
if limit is None:
    st.info("The losses of an online problem are linear: no curvature, so no stability limit on final_lr.")
else:
    st.markdown(
        f"Curvature at the minimum ({limit.minimum[0]:.3g}, {limit.minimum[1]:.3g}): "
        f"**L = {limit.curvature:.4g}**. Once its band has closed, {label} is SGD with momentum β₁ and "
        f"dampening β₁ at `final_lr`, stable only while `final_lr (1 − β₁) L < 2 (1 + β₁)`: here "
        f"**final_lr < {limit.final_lr:.3g}** (dashed line). Within T steps the band closes only to "
        f"[final_lr (1 − 1/(γT + 1)), …]: runs survive past the line until even that floor is unstable "
        f"(dotted).")

maps = {"final_lr_gamma": setup.final_lr_gamma(), "final_lr_lr": setup.final_lr_lr()}
measured = {"final_lr_gamma": measure(maps["final_lr_gamma"], "Sweep 1 (final_lr × γ)"),
            "final_lr_lr": measure(maps["final_lr_lr"], "Sweep 2 (final_lr × lr)")}
span = color_span(setup, measured.values())

st.subheader(f"1 · final_lr × γ, at lr = {hyper['lr']:g}")
st.caption("Small γ: the band stays wide and the run is Adam-like to the end; large γ: the band closes "
           "early and the run is SGD at final_lr for most of it. At t = 1/γ the band is [final_lr/2, "
           "2 final_lr]. Grey cells with ✕: more than half the starts diverged.")
heat_map(setup, maps["final_lr_gamma"], measured["final_lr_gamma"], limit, span, key="final_lr_gamma",
         y_param="gamma", y_name="γ", y_title="γ")

st.subheader(f"2 · final_lr × base lr, at γ = {hyper['gamma']:g}")
st.caption("The base lr drives the early, Adam-like phase; final_lr the late, SGD-like one. Both maps "
           "share one colour scale.")
heat_map(setup, maps["final_lr_lr"], measured["final_lr_lr"], limit, span, key="final_lr_lr",
         y_param="lr", y_name="lr", y_title="base lr η")

st.subheader(f"3 · {label}, SGD(M) at lr = final_lr, and {reference}")
line = setup.line()
try:
    sweeps.check_size(line, "The line view")
except sweeps.SweepTooLarge as err:
    st.error(str(err))
else:
    st.plotly_chart(line_view_figure(setup, line, run_sweep(line, "line view"), limit), key="line",
                    config={"displaylogo": False})
    st.caption(f"Lines: the median over the {setup.starts + 1} starts; shading: the middle half of them "
               "(first to third quartile). With dampening β₁, SGD(M) at lr = final_lr is exactly the "
               f"method {label} turns into, so the two differ only by {label}'s adaptive start. With "
               "dampening 0 (torch's default, what the AdaBound authors ran) its steps are "
               "1/(1 − β₁) times larger, and so is its own stability limit lower.")

with st.expander("What am I looking at?"):
    st.markdown(
        f"Every cell of a heat map is {setup.starts + 1} runs of {label} for {setup.steps:,} steps: from the "
        f"problem's default start and {setup.starts} random starts in its domain (seed {setup.seed}). "
        "Its colour is the median of their final loss gaps f(x_T) − f*, on a log scale (an online "
        "problem: the gap of the average of its functions over one period). All the cells of a map "
        "are one batched run; a cell's numbers equal those of its setting run alone.")
    st.latex(oc.OPTIMIZERS[setup.optimizer].latex)
    st.markdown("In the long run the band closes on final_lr and the update is SGD with momentum: "
                "with curvature L at the minimum it is stable only while")
    st.latex(r"\eta^\ast\,(1-\beta_1)\,L < 2\,(1+\beta_1)"
             r"\quad\Longleftrightarrow\quad \eta^\ast < \frac{2(1+\beta_1)}{(1-\beta_1)\,L}.")
