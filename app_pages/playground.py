"""Playground: several optimizers on one landscape, their paths animated in the browser."""

from __future__ import annotations

import streamlit as st

from ui import panels
from ui.lens_view import lens_section
from ui.playground_run import controls_and_run
from ui.playground_state import on_start_click
from viz import curves, export, trajectory

st.title("Playground")
st.caption("Pick a landscape and a few optimizers: every path starts at the same point and is animated "
           "below. Press ▶ Play, drag the step slider, click the map to move the start. "
           "The link in the address bar reproduces exactly this view.")

run = controls_and_run("playground")
landscape, views = run.landscape, run.views

tab_2d, tab_3d, tab_lr = st.tabs(["2-D paths", "3-D surface", "Learning rates"])
with tab_2d:
    fig = trajectory.contour_figure(landscape, views, run.start, run.background)
    st.plotly_chart(fig, key="contour", on_select=on_start_click, selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True})
with tab_3d:
    st.plotly_chart(trajectory.surface_figure(landscape, views, run.x_range, run.y_range), key="surface",
                    config={"displaylogo": False})
with tab_lr:
    lens_section(run, key="playground_lens")

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
                   file_name=f"{landscape.key}_trajectories.csv", mime="text/csv")
c2.download_button("figure (HTML)", data=lambda: export.figure_html(fig),
                   file_name=f"{landscape.key}_paths.html", mime="text/html")

with st.expander("The landscape and how each optimizer moves"):
    st.markdown(f"**{landscape.name}**: {landscape.description}")
    st.latex(landscape.latex)
    panels.update_rules(run.chosen)
