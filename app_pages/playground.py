"""Playground: several optimizers on one landscape, their paths animated in the browser."""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscapes
import optim_core as oc
from ui import compute, panels, state
from ui.experiments import MAX_STEPS, config, playground_views
from ui.playground_state import (DEFAULT_OPTIMIZERS, PAGE, fields, fresh_values, on_landscape_change,
                                 on_start_click, settle_start, shared_values, start_limits)
from viz import curves, export, trajectory

st.title("Playground")
st.caption("Pick a landscape and a few optimizers: every path starts at the same point and is animated "
           "below. Press ▶ Play, drag the step slider, click the map to move the start. "
           "The link in the address bar reproduces exactly this view.")

all_fields = fields()
notes = state.restore(PAGE, all_fields, fresh_values(None))
notes += settle_start()

with st.sidebar:
    st.header("Problem")
    ls_key = st.selectbox("landscape", list(landscapes.LANDSCAPES), key="ls",
                          format_func=lambda k: landscapes.LANDSCAPES[k].name,
                          on_change=on_landscape_change)
    landscape = landscapes.get(ls_key)
    (x_lo, x_hi), (y_lo, y_hi) = start_limits(landscape)
    c1, c2 = st.columns(2)
    x0 = c1.number_input("start x", x_lo, x_hi, key="x0", format="%g", step=0.1)
    y0 = c2.number_input("start y", y_lo, y_hi, key="y0", format="%g", step=0.1)
    steps = st.number_input("steps T", min_value=1, max_value=MAX_STEPS, step=100, key="T",
                            help=f"at most {MAX_STEPS:,}")
    schedule_values = panels.schedule_panel()
    c1, c2 = st.columns(2)
    noise = c1.number_input("gradient noise σ", min_value=0.0, max_value=100.0, key="noise", format="%g",
                            step=0.1, help="Gaussian noise added to every gradient; the same draws for "
                                           "every optimizer")
    seed = c2.number_input("seed", min_value=0, max_value=2**31 - 1, step=1, key="seed")

    st.header("Optimizers")
    chosen = st.multiselect("optimizers", list(oc.OPTIMIZERS), key="opt",
                            format_func=lambda k: oc.OPTIMIZERS[k].label,
                            help="any set at once; each keeps its colour on every page")
    suggested = compute.suggestions(ls_key)
    hyper = {key: panels.hyper_panel(key, suggested.get(key, {})) for key in chosen}

values = {f.key: st.session_state.get(f.key) for f in all_fields}
start = (float(x0), float(y0))
state.remember(PAGE, all_fields, shared_values(values))
state.show_notes(notes)

if not chosen:
    st.info(f"Choose at least one optimizer in the sidebar (for instance {', '.join(DEFAULT_OPTIMIZERS)}).")
    st.stop()

configs = tuple(config(key, hyper[key]) for key in chosen)
try:
    schedule = panels.schedule_from(values)
    trace = compute.playground_trace(ls_key, configs, start, int(steps), schedule, float(noise), int(seed))
except ValueError as err:  # a hyperparameter combination the optimizer refuses (e.g. Nesterov with dampening)
    st.error(f"These settings cannot run: {err}")
    st.stop()
views = playground_views(trace, configs)

diverged = [v for v in views if v.diverged_at >= 0]
if diverged:
    st.warning("Diverged (path stopped at its last finite point): "
               + ", ".join(f"{v.label} at step {v.diverged_at}" for v in diverged), icon="💥")

x_range, y_range = trajectory.view_range(landscape.domain, views, start)
bg = compute.landscape_background(ls_key, x_range, y_range)
tab_2d, tab_3d = st.tabs(["2-D paths", "3-D surface"])
with tab_2d:
    fig = trajectory.contour_figure(landscape, views, start, bg)
    st.plotly_chart(fig, key="contour", on_select=on_start_click, selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True})
with tab_3d:
    st.plotly_chart(trajectory.surface_figure(landscape, views, x_range, y_range), key="surface",
                    config={"displaylogo": False})

st.subheader("Loss and distance to the minimum")
st.plotly_chart(curves.loss_figure(views, landscape.min_value, landscape.minima), key="loss",
                config={"displaylogo": False})
tol = 1e-3 * max(hi - lo for lo, hi in landscape.domain)
st.dataframe(curves.results_rows(views, landscape.minima, landscape.min_value, tol), hide_index=True,
             column_config={"final loss": st.column_config.NumberColumn(format="%.4g"),
                            "final gap f − f*": st.column_config.NumberColumn(format="%.3e"),
                            "final distance": st.column_config.NumberColumn(format="%.3e")})

c1, c2, _ = st.columns([1, 1, 3])
c1.download_button("trajectories (CSV)", data=lambda: export.trajectories_csv(views),
                   file_name=f"{ls_key}_trajectories.csv", mime="text/csv")
c2.download_button("figure (HTML)", data=lambda: export.figure_html(fig),
                   file_name=f"{ls_key}_paths.html", mime="text/html")

with st.expander("The landscape and how each optimizer moves"):
    st.markdown(f"**{landscape.name}**: {landscape.description}")
    st.latex(landscape.latex)
    panels.update_rules(chosen)
