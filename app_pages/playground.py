"""Playground: several optimizers on one landscape, their paths animated in the browser."""

from __future__ import annotations

import streamlit as st

from ui.lens_view import lens_section
from ui import present
from ui.pages import page_link
from ui.playground_view import contour, controls_and_run, results_section, surface
from ui.stepwise_view import step_section, step_toggle

present.intro("Playground", "Pick a landscape and a few optimizers: every path starts at the same point and "
              "is animated below. Press ▶ to play (|◀ and ▶| step one frame), drag the step slider, click the "
              "map to move the start. The link in the address bar reproduces exactly this view.")

run = controls_and_run("playground")
if present.presenting():  # the map alone, large
    contour(run)
    present.after_key_chart()
tab_2d, tab_3d, tab_lr = st.tabs(["2-D paths", "3-D surface", "Learning rates"])
with tab_2d:
    fig = step_section(run) if run.values.get("sbs") else contour(run)
    step_toggle()  # below the map: on a projector the map and its play controls come first
    present.after_key_chart()
    page_link("basins", "Basin map: where each of these optimizers ends from every start",
              icon=":material/blur_on:", query=st.query_params.to_dict())
with tab_3d:  # drawn on request: a WebGL scene costs a cold page seconds of drawing, even hidden
    if st.toggle("draw the 3-D surface", key="_surface_tab", help="the same paths on the surface f(x, y)"):
        surface(run)
with tab_lr:  # drawn on request: it is the lens's figure, and the heaviest one to ship
    if st.toggle("draw every parameter's learning rate here", key="_lr_tab",
                 help="the same view as the learning-rate lens page, for this run"):
        lens_section(run, key="playground_lens")
    else:
        page_link("lens", "Open this run in the learning-rate lens", icon=":material/query_stats:",
                  query=st.query_params.to_dict())
results_section(run, fig)
