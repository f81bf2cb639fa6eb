"""The final_lr lab's widgets: its sidebar and one heat map with its click-a-cell link. The page
composes them; the state, the sweeps and the figures live in lab_state, sweeps and viz.sweeps."""

from __future__ import annotations

from typing import Any

import streamlit as st

import optim_core as oc

from . import panels, sweeps
from .lab_state import (DAMPENING_LABELS, all_at_floor, heat_map_figure, on_problem_change, picked_cell,
                        suggested)

PLAYGROUND = "app_pages/playground.py"


def sidebar() -> dict[str, Any]:
    """Problem, method, starts, horizon, the method's hyperparameters (final_lr is swept) and the
    grids; returns the hyperparameters."""
    problems = sweeps.lab_problems()
    with st.sidebar:
        st.header("Problem")
        problem_key = st.selectbox("problem", list(problems), key="ls", format_func=problems.get,
                                   on_change=on_problem_change,
                                   help="2-D landscapes with a known minimum, or an online problem")
        if sweeps.is_online(problem_key):
            st.number_input("period C", min_value=3, max_value=sweeps.MAX_PERIOD, step=1, key="C",
                            on_change=on_problem_change)
        opt_key = st.radio("method", list(sweeps.BOUNDED), key="opt", horizontal=True,
                           format_func=lambda k: oc.OPTIMIZERS[k].label)
        c1, c2 = st.columns(2)
        c1.number_input("random starts", min_value=0, max_value=sweeps.MAX_STARTS, step=1, key="S",
                        help="besides the problem's default start; drawn uniformly in its domain")
        c2.number_input("seed", min_value=0, max_value=2**31 - 1, step=1, key="seed")
        st.number_input("horizon T (steps)", min_value=1, max_value=sweeps.MAX_HORIZON, step=100, key="T")
        hyper = panels.hyper_panel(opt_key, suggested(problem_key, int(st.session_state["C"]))[opt_key],
                                   expanded=True, skip=("final_lr",))
        st.caption("`final_lr` is swept; `γ` is held at this value in sweep 2 and the line view, `lr` in "
                   "sweep 1 and the line view.")
        st.header("Grids (log spaced)")
        for prefix, param, label, _, _, _, most in sweeps.GRIDS:
            least, largest = sweeps.grid_range(param)
            st.markdown(f"**{label}**")
            c1, c2, c3 = st.columns([5, 5, 4])
            c1.number_input("from", least, largest, key=f"{prefix}_lo", format="%g", step=None)
            c2.number_input("to", least, largest, key=f"{prefix}_hi", format="%g", step=None)
            c3.number_input("values", 2, most, key=f"{prefix}_n", step=1)
        st.radio("SGD(M) dampening in the line view", list(DAMPENING_LABELS), key="damp",
                 format_func=DAMPENING_LABELS.get)
    return hyper


def heat_map(setup: sweeps.Setup, sweep: sweeps.Sweep, stats, limit, span, *, key: str, y_param: str,
             y_name: str, y_title: str) -> None:
    """One swept grid: the heat map (or why it was not run), and the link of a clicked cell."""
    if isinstance(stats, str):
        st.error(stats)
        return
    fig = heat_map_figure(setup, sweep, stats, limit, span, y_param=y_param, y_name=y_name, y_title=y_title)
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points",
                            config={"displaylogo": False})
    if all_at_floor(stats):
        st.caption("Every setting's median start reached the optimum (a gap at the floor, 10⁻¹⁶): "
                   "the map has one colour.")
    cell = picked_cell(event, sweep)
    if cell is None:
        st.caption("Click a cell to open its setting on the playground.")
        return
    chosen = sweep.groups[0].cell_values(cell)
    median = stats.median[cell]
    shown = f"median gap {median:.3g}" if median < float("inf") else "diverged (median start)"
    text = f"Selected: final_lr = {chosen['final_lr']:g}, {y_name} = {chosen[y_param]:g}: {shown}."
    query = sweeps.playground_query(setup, chosen)
    if query is None:
        st.markdown(text + " The playground draws 2-D landscapes only.")
        return
    st.markdown(text)
    label = oc.OPTIMIZERS[setup.optimizer].label
    reference = oc.OPTIMIZERS[sweeps.REFERENCE[setup.optimizer]].label
    st.page_link(PLAYGROUND, label=f"Open on the playground: {label}, SGD(M) at lr = final_lr and {reference}",
                 icon=":material/open_in_new:", query_params=query)
