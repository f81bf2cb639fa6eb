"""The rescaling page's own control (s) and its section: the playground's run on f beside the same
optimizers' run on f(x, s y), and what that shows about each of them."""

from __future__ import annotations

import streamlit as st

from runs.playground import landscape_of
from runs.rescaling import CLOSE_PATH, SAME_PATH, what_rescaling_does

from . import compute, present
from .playground_view import PlaygroundRun, warn_diverged
from viz import rescaling, trajectory
from viz.runs import registry_views


def rescaling_section(run: PlaygroundRun, s: float) -> None:
    landscape = run.landscape
    level, headline, details = what_rescaling_does(landscape, s)
    try:
        trace = compute.playground_trace(landscape.key, run.configs, run.start, int(run.values["T"]),
                                         run.schedule, float(run.values["noise"]), int(run.values["seed"]), s)
    except ValueError as err:
        st.error(f"These settings cannot run on f(x, {s:g}·y): {err}")
        return
    scaled = landscape_of(landscape.key, s)
    scaled_views = registry_views(trace, run.chosen)
    # the window follows the runs that stayed finite: one that diverged would shrink the rest to dots
    finite = [v for v in (*run.views, *scaled_views) if v.diverged_at < 0]
    x_range, y_range = trajectory.view_range(landscape.domain, finite, run.start)
    background = compute.landscape_background(landscape.key, x_range, y_range)
    scaled_background = compute.landscape_background(landscape.key, x_range, y_range, s)
    fig = rescaling.rescaling_figure(landscape, scaled, run.views, scaled_views, run.start, background,
                                     scaled_background, s=s)
    st.plotly_chart(present.style(fig), key="rescaling", config={"displaylogo": False, "scrollZoom": True})
    present.after_key_chart()
    # below the chart, so that on a projector the chart comes first
    getattr(st, level)(headline)
    warn_diverged(scaled_views, f" on f(x, {s:g}·y)")
    if float(run.values["noise"]) > 0:
        st.caption("Gradient noise is added after the rescaling and is not rescaled itself, so with "
                   "noise the two runs part even where the invariance holds.")

    span = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    st.dataframe(rescaling.rescaling_rows(run.views, scaled_views, SAME_PATH * span, CLOSE_PATH * span),
                 hide_index=True, column_config={"largest distance between the paths":
                                                 st.column_config.NumberColumn(format="%.2e")})
    if details:
        st.markdown(details)
    st.caption(f"“The same”: the largest distance is below {SAME_PATH:g} of the window, far below a pixel. "
               f"“Close”: below {CLOSE_PATH:.0%} of it. Where the rescaled gradient comes near ε (a tiny s, "
               "or near the minimum), ε itself makes the two paths of Adam and its kin part a little: the "
               "invariance holds up to ε.")
