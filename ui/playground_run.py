"""The playground's controls and run, shared by the playground and the learning-rate lens: both
pages show the same run of the same settings (and the same link reproduces either)."""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

import landscapes
import optim_core as oc

from . import compute, panels, state
from .experiments import MAX_STEPS, Config, config, playground_views
from .playground_state import (DEFAULT_OPTIMIZERS, PAGE, fields, fresh_values, on_landscape_change,
                               settle_start, shared_values, start_limits)
from viz import trajectory
from viz.background import Background
from viz.runs import RunView


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


def _sidebar(extra_sidebar=None) -> tuple[Any, list[str], dict]:
    with st.sidebar:
        st.header("Problem")
        ls_key = st.selectbox("landscape", list(landscapes.LANDSCAPES), key="ls",
                              format_func=lambda k: landscapes.LANDSCAPES[k].name,
                              on_change=on_landscape_change)
        landscape = landscapes.get(ls_key)
        (x_lo, x_hi), (y_lo, y_hi) = start_limits(landscape)
        c1, c2 = st.columns(2)
        c1.number_input("start x", x_lo, x_hi, key="x0", format="%g", step=0.1)
        c2.number_input("start y", y_lo, y_hi, key="y0", format="%g", step=0.1)
        st.number_input("steps T", min_value=1, max_value=MAX_STEPS, step=100, key="T",
                        help=f"at most {MAX_STEPS:,}")
        panels.schedule_panel()
        c1, c2 = st.columns(2)
        c1.number_input("gradient noise σ", min_value=0.0, max_value=100.0, key="noise", format="%g", step=0.1,
                        help="Gaussian noise added to every gradient; the same draws for every optimizer")
        c2.number_input("seed", min_value=0, max_value=2**31 - 1, step=1, key="seed")
        st.header("Optimizers")
        chosen = st.multiselect("optimizers", list(oc.OPTIMIZERS), key="opt",
                                format_func=lambda k: oc.OPTIMIZERS[k].label,
                                help="any set at once; each keeps its colour on every page")
        suggested = compute.suggestions(ls_key)
        hyper = {key: panels.hyper_panel(key, suggested.get(key, {})) for key in chosen}
        if extra_sidebar:
            extra_sidebar()
    return landscape, chosen, hyper


def controls_and_run(view: str, extra_fields=(), extra_fresh=None, extra_sidebar=None) -> PlaygroundRun:
    """Restore the state (link, memory or first visit), draw the sidebar, mirror the state into the
    link, run (cached), and say what was clamped or what diverged. Stops the page with a message
    when there is nothing to run.

    A page with controls of its own passes their ``extra_fields`` (and first-visit values), and
    ``extra_sidebar`` draws them below the playground's, so one link holds the whole page."""
    all_fields = fields() + list(extra_fields)
    notes = state.restore(PAGE, all_fields, {**fresh_values(None), **(extra_fresh or {})}, view=view)
    notes += settle_start()
    landscape, chosen, hyper = _sidebar(extra_sidebar)
    values = {f.key: st.session_state.get(f.key) for f in all_fields}
    start = (float(values["x0"]), float(values["y0"]))
    state.remember(PAGE, all_fields, shared_values(values))
    state.show_notes(notes)
    if not chosen:
        st.info(f"Choose at least one optimizer in the sidebar (for instance {', '.join(DEFAULT_OPTIMIZERS)}).")
        st.stop()
    configs = tuple(config(key, hyper[key]) for key in chosen)
    try:
        schedule = panels.schedule_from(values)
        trace = compute.playground_trace(landscape.key, configs, start, int(values["T"]), schedule,
                                         float(values["noise"]), int(values["seed"]))
    except ValueError as err:  # a combination an optimizer refuses
        st.error(f"These settings cannot run: {err}")
        st.stop()
    views = playground_views(trace, configs)
    warn_diverged(views)
    x_range, y_range = trajectory.view_range(landscape.domain, views, start)
    bg = compute.landscape_background(landscape.key, x_range, y_range)
    return PlaygroundRun(landscape, chosen, hyper, configs, values, start, schedule, trace, views, bg,
                         x_range, y_range)


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
