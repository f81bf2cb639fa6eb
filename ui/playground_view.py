"""The playground's controls and run, shared by the playground, the learning-rate lens and the
rescaling page: they show the same run of the same settings (and the same link reproduces each)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import streamlit as st

import landscapes
import optim_core as oc

from runs.playground import TYPED, Config, config, landscape_of, shared_stretches

from . import compute, panels, present, state
from .playground_state import (DEFAULT_OPTIMIZERS, fresh_values, landscape_key,
                               on_landscape_change, on_start_click, page_state, settle_start, settle_typed,
                               shared_values, start_limits)
from viz import curves, export, movie, trajectory
from viz.background import Background
from viz.colors import dash_name
from viz.runs import RunView, registry_views


class PlaygroundRun(NamedTuple):
    landscape: Any
    chosen: list[str]
    hyper: dict[str, dict[str, Any]]
    configs: tuple[Config, ...]
    values: dict[str, Any]
    start: tuple[float, float]
    schedule: oc.Schedule
    trace: oc.Trace
    views: list[RunView]
    background: Background
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    key: tuple  # what the trace was computed from (with ``chosen``, what every figure of it shows)


def _sidebar(page: state.PageState, extra_sidebar=None) -> tuple[Any, list[str], dict]:
    field = {f.key: f for f in page.fields}
    with st.sidebar:
        st.header("Problem")
        choice = state.field_input(field["ls"], on_change=on_landscape_change,
                                   format_func=lambda k: "your own f(x, y)…" if k == TYPED else landscapes.LANDSCAPES[k].name)
        if choice == TYPED:
            typed_inputs(field)
        ls_key = landscape_key(st.session_state)
        landscape = landscape_of(ls_key)
        (x_lo, x_hi), (y_lo, y_hi) = start_limits(landscape)
        c1, c2 = st.columns(2)
        # the start's bounds are the landscape's picture, narrower than the field's
        state.field_input(replace(field["x0"], low=x_lo, high=x_hi), where=c1)
        state.field_input(replace(field["y0"], low=y_lo, high=y_hi), where=c2)
        state.field_input(field["T"], "steps T")
        state.field_input(field["frame"], format_func={"last": "the whole run", "first": "step 0, ready to play"}.get)
        state.field_input(field["pace"], "animation frames",
                          format_func={"log": "dense early (log t)", "even": "evenly in t"}.get)
        panels.schedule_panel()
        c1, c2 = st.columns(2)
        state.field_input(field["noise"], "gradient noise σ", where=c1)
        state.field_input(field["seed"], where=c2)
        st.header("Optimizers")
        chosen = state.field_input(field["opt"], format_func=lambda k: oc.OPTIMIZERS[k].label)
        suggested = compute.suggestions(ls_key)
        hyper = {key: panels.hyper_panel(key, suggested.get(key, {})) for key in chosen}
        if extra_sidebar:
            extra_sidebar()
    return landscape, chosen, hyper


def typed_inputs(field: dict) -> None:
    """The typed function and its window; a change moves the start to the new function's own."""
    state.field_input(field["fx"], "f(x, y) =", on_change=on_landscape_change, placeholder="x**2 + 10*sin(y)")
    for row in (("xmin", "xmax"), ("ymin", "ymax")):
        columns = st.columns(2)
        for key, column in zip(row, columns):
            state.field_input(field[key], f"{key[0]} from" if key.endswith("min") else "to", where=column,
                              on_change=on_landscape_change)


def controls_and_run(view: str, extra_fields=(), extra_fresh=None, extra_sidebar=None) -> PlaygroundRun:
    """Restore the state (link, memory or first visit), draw the sidebar, mirror the state into the
    link, run (cached), and say what was clamped or what diverged. Stops the page with a message
    when there is nothing to run.

    A page with controls of its own passes their ``extra_fields`` (and first-visit values), and
    ``extra_sidebar`` draws them below the playground's, so one link holds the whole page."""
    page = page_state(view, extra_fields)
    notes = page.restore({**fresh_values(), **(extra_fresh or {})})
    refused = settle_typed()
    notes += settle_start()
    landscape, chosen, hyper = _sidebar(page, extra_sidebar)
    values = page.values()
    start = (float(values["x0"]), float(values["y0"]))
    page.remember(shared_values(values))
    state.show_notes(notes)
    if refused:
        st.error(state.escape_markdown(refused), icon=":material/function:")
    state.show_link(page)
    if not chosen:
        st.info(f"Choose at least one optimizer in the sidebar (for instance {', '.join(DEFAULT_OPTIMIZERS)}).")
        st.stop()
    configs = tuple(config(key, hyper[key]) for key in chosen)
    try:
        schedule = panels.schedule_from(values)
        key = (landscape.key, configs, start, int(values["T"]), schedule, float(values["noise"]), int(values["seed"]))
        trace = compute.playground_trace(*key)
    except ValueError as err:  # a combination an optimizer refuses
        st.error(f"These settings cannot run: {err}")
        st.stop()
    views = registry_views(trace, chosen)
    warn_diverged(views)
    x_range, y_range = trajectory.view_range(landscape.domain, views, start)
    bg = compute.landscape_background(landscape.key, x_range, y_range)
    return PlaygroundRun(landscape, chosen, hyper, configs, values, start, schedule, trace, views, bg,
                         x_range, y_range, (*key, tuple(chosen)))


def warn_diverged(views: list[RunView], where: str = "") -> None:
    """Say which runs diverged and where (a path stops at its last finite point)."""
    diverged = [v for v in views if v.diverged_at >= 0]
    if diverged:
        st.warning(f"Diverged{where} (the path stops at its last finite point): "
                   + ", ".join(f"{v.label} at step {v.diverged_at}" for v in diverged), icon=":material/warning:")


def bounded_gammas(run: PlaygroundRun) -> dict[str, tuple[float, float]]:
    """label -> (gamma, final_lr) of the bounded runs, for the t = 1/gamma marker."""
    return {oc.OPTIMIZERS[k].label: (float(run.hyper[k]["gamma"]), float(run.hyper[k]["final_lr"]))
            for k in run.chosen if oc.OPTIMIZERS[k].bounded}


def contour(run: PlaygroundRun) -> Any:
    """The animated 2-D paths (click the map to move the start); returns the figure (the HTML
    download is of it)."""
    fig = compute.contour_figure(run.key, run.values.get("frame") == "first", run.values.get("pace", "log"), run)
    st.plotly_chart(present.style(fig), key="contour", on_select=on_start_click, selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True,
                            "toImageButtonOptions": {"format": "svg", "filename": file_stem(run.landscape)}})
    hidden_paths_note(run)
    return fig


def hidden_paths_note(run: PlaygroundRun) -> None:
    """Say where one path lies under another (within half a percent of the window), so that a run
    hidden by another is not taken for a missing one."""
    span = max(run.x_range[1] - run.x_range[0], run.y_range[1] - run.y_range[0])
    total = int(run.values["T"])
    notes = []
    for i, j, steps in shared_stretches([v.positions for v in run.views], 0.005 * span):
        a, b = run.views[i], run.views[j]
        if steps < max(3, total // 20):
            continue
        whole = steps >= min(len(a.positions), len(b.positions)) - 1
        span_text = "for the whole run" if whole else f"for the first {steps:,} steps"
        why = ""
        bounded = {k for k in (a.key, b.key) if oc.OPTIMIZERS[k].bounded}
        if len(bounded) == 1:
            why = " (its bounds are not yet active)" if not whole else " (its bounds never pushed it off that path)"
        later = b if b.key in bounded else a
        other = a if later is b else b
        notes.append(f"{later.label} = {other.label} {span_text}{why}: its {dash_name(later.key)} path lies "
                     f"on {other.label}'s.")
    if notes:
        st.caption(" ".join(notes))


def surface(run: PlaygroundRun) -> None:
    st.plotly_chart(trajectory.surface_figure(run.landscape, run.views, run.x_range, run.y_range),
                    key="surface", config={"displaylogo": False})


def file_stem(landscape) -> str:
    """A download's file name: the landscape's key, or "typed" for a typed function."""
    return landscape.key.split(":")[0]


def results_section(run: PlaygroundRun, fig) -> None:
    """Loss and distance curves, the results table, the downloads and the update rules."""
    landscape, views = run.landscape, run.views
    st.subheader("Loss and distance to the minimum")
    st.plotly_chart(compute.loss_figure(run.key, run), key="loss",
                    config={"displaylogo": False})
    tol = 1e-3 * max(hi - lo for lo, hi in landscape.domain)
    st.dataframe(curves.results_rows(views, landscape, tol), hide_index=True,
                 column_config={"final loss": st.column_config.NumberColumn(format="%.4g"),
                                "final gap f − f*": st.column_config.NumberColumn(format="%.3e"),
                                "final distance": st.column_config.NumberColumn(format="%.3e")})
    stem = file_stem(landscape)
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.download_button("trajectories (CSV)", data=lambda: export.trajectories_csv(views),
                       file_name=f"{stem}_trajectories.csv", mime="text/csv")
    c2.download_button("figure (HTML)", data=lambda: export.figure_html(fig),
                       file_name=f"{stem}_paths.html", mime="text/html")
    # for slides, 16:9 at 1280 x 720, drawn when asked for (a GIF or an MP4 takes a second or two)
    movie_args = (run.background, views, run.start)
    movie_kw = dict(title=landscape.name, minima=landscape.minima)
    animation_kw = dict(movie_kw, pace=run.values.get("pace", "log"))  # the page's frames
    c3.download_button("animation (GIF)", mime=movie.MIME["gif"], file_name=f"{stem}_paths.gif",
                       data=lambda: movie.animation_files(*movie_args, formats=("gif",), **animation_kw)["gif"],
                       help="16:9, 1280 x 720, loops: for slides")
    c4.download_button("animation (MP4)", mime=movie.MIME["mp4"], file_name=f"{stem}_paths.mp4",
                       data=lambda: movie.animation_files(*movie_args, formats=("mp4",), **animation_kw)["mp4"],
                       help="16:9, 1280 x 720, H.264: for slides and video players")
    c5.download_button("whole run (PNG)", mime="image/png", file_name=f"{stem}_paths.png",
                       data=lambda: movie.still_png(*movie_args, **movie_kw),
                       help="the last frame, 16:9 at 1280 x 720; the chart's camera button saves it as SVG")
    with st.expander("The landscape and how each optimizer moves"):
        st.markdown(f"**{landscape.name}**: {landscape.description}")
        st.latex(landscape.latex)
        panels.update_rules(run.chosen)
