"""Basin maps: the playground's optimizers, each run from every start of a grid, coloured by where
they end. The settings are the playground's (same sidebar, same link) plus the grid and the view; a
click on a map opens the playground at that start."""

from __future__ import annotations

import math

import streamlit as st

import optim_core as oc
from runs import basins
from runs.fields import Field
from viz.basins import VIEWS, basin_figure

from . import compute, present, state
from .pages import PAGES
from .playground_view import PlaygroundRun

RESOLUTION = 200  # starts per side
COARSEST = 20  # the grid is never coarser than this many starts per side
MAX_RUN_STEPS = 80_000_000  # starts x steps x optimizers per map: about 2-3 s of server time
VIEW_LABELS = {"outcome": "where each start ends", "steps": "steps to get there"}


def basin_fields() -> list[Field]:
    return [
        Field("res", "starts per side", "int", RESOLUTION, COARSEST, basins.MAX_RESOLUTION, step=20,
              help="the grid of starts: 200 per side is 40,000 runs per optimizer"),
        Field("bview", "colour by", "choice", "outcome", choices=tuple(VIEWS)),
    ]


def sidebar() -> None:
    field = {f.key: f for f in basin_fields()}
    st.header("Basin map")
    state.field_input(field["res"])
    state.field_input(field["bview"], format_func=VIEW_LABELS.get)


def resolution_within_cap(asked: int, steps: int, optimizers: int) -> int:
    """The grid's side: as asked, or smaller so that starts x steps x optimizers stays within
    MAX_RUN_STEPS (one rerun within a few seconds of server time)."""
    return min(asked, max(COARSEST, int(math.sqrt(MAX_RUN_STEPS / (steps * optimizers)))))


def _open_start() -> None:
    """A click on a map: that start, and the playground to run from it."""
    event = st.session_state.get("basins")
    points = event.selection.points if event and event.selection else []
    if points:
        state.set_values({"x0": float(points[0]["x"]), "y0": float(points[0]["y"]), "_basin_go": True})


def basin_section(run: PlaygroundRun) -> None:
    if st.session_state.pop("_basin_go", False):
        st.switch_page(PAGES["playground"].path)
    values = run.values
    steps = int(values["T"])
    asked = int(values["res"])
    resolution = resolution_within_cap(asked, steps, len(run.configs))
    if resolution < asked:
        st.info(f"{asked} starts per side × {steps:,} steps × {len(run.configs)} optimizers is more than this "
                f"page runs at once ({MAX_RUN_STEPS / 1e6:.0f} million steps): using {resolution} per side. "
                "Fewer steps or optimizers give a finer grid.", icon=":material/speed:")
    if float(values["noise"]) > 0:
        st.caption("Basin maps use exact gradients: the gradient noise of the sidebar is not applied here.")
    maps = compute.basin_maps(run.landscape.key, run.configs, resolution, steps, run.schedule)
    labels = [oc.OPTIMIZERS[key].label for key, _ in run.configs]
    fig = basin_figure(run.landscape, list(zip(labels, maps)), view=values["bview"])
    st.plotly_chart(present.style(fig), key="basins", on_select=_open_start, selection_mode="points",
                    config={"displaylogo": False, "toImageButtonOptions": {"format": "svg", "filename": "basins"}})
    present.after_key_chart()
    for (key, hyper), label, bm in zip(run.configs, labels, maps):
        st.caption(f"**{label}**: {basins.caption(bm)}")
        unsettled = float((bm.outcome == basins.NOT_CONVERGED).mean())
        if unsettled > 0.5:
            st.caption(f"Most of {label}'s runs do not end within {bm.tolerance:.3g} of a minimum after {steps:,} "
                       f"steps at lr = {dict(hyper).get('lr', 0):g}: they still circle one. A smaller lr, a "
                       "decaying schedule or more steps lets them settle.")
    st.caption(f"{resolution}² = {resolution * resolution:,} starts per optimizer, {steps:,} steps each, from the "
               f"centre of every cell; a run has converged when it ends within {maps[0].tolerance:.3g} of a "
               "minimum. Click a start to run the playground from there.")
