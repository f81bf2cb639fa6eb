"""Bounded caches around the pure computations, so reruns with the same settings cost nothing and
no visitor can fill the server's memory."""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from runs import basins, finder, lab, online, playground, tuning
from viz import background, curves, lens, trajectory
from viz import online as online_viz
from viz.runs import registry_views


@st.cache_data(max_entries=32, show_spinner=False)
def playground_trace(landscape_key, configs, start, steps, schedule, noise_std, seed, y_scale=1.0):
    return playground.playground_trace(landscape_key, configs, start, steps, schedule, noise_std, seed, y_scale)


@st.cache_resource(max_entries=32, show_spinner=False)
def contour_figure(run_key: tuple, open_at_start: bool, pace: str, _run):
    """The playground's animated map of a run (``run_key``: what the run and its views were made
    from; ``_run`` is not hashed), built once and shared by every session that shows it: a class
    opening one link builds it once, not thirty times. Shared means read-only; whatever restyles a
    figure copies it first (``ui.present.style``). 32 maps of at most 100 frames of 600 points:
    some tens of MB at most."""
    return trajectory.contour_figure(_run.landscape, _run.views, _run.start, _run.background,
                                     open_at_start=open_at_start, pace=pace).share()


@st.cache_resource(max_entries=32, show_spinner=False)
def loss_figure(run_key: tuple, _run):
    """The playground's loss and distance curves of a run, shared like :func:`contour_figure`."""
    return curves.loss_figure(_run.views, _run.landscape)


@st.cache_resource(max_entries=32, show_spinner=False)
def lens_figure(run_key: tuple, _run, _gammas: dict):
    """The lens's linked paths and rates of a run (``_gammas``: the bounded runs' gamma and
    final_lr, which ``run_key`` determines), shared like :func:`contour_figure`."""
    return lens.linked_figure(_run.landscape, _run.views, _run.start, _run.background, gammas=_gammas).share()


@st.cache_data(max_entries=64, show_spinner=False)
def suggestions(landscape_key: str) -> dict:
    return tuning.suggest(playground.landscape_of(landscape_key))


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_background(landscape_key: str, x_range: tuple, y_range: tuple,
                         y_scale: float = 1.0) -> background.Background:
    return background.render(playground.landscape_of(landscape_key, y_scale), (x_range, y_range))


# The lab's kept run states, all sessions together: a state of the default sweep's 12,800 runs is
# 0.8 MB, and a first visit keeps ten of them for each of its two heat maps. They are the lab's
# cache: a horizon seen before is its kept state, one step of arithmetic away from its gaps.
CARRY_BYTES = 96 * 2**20


@st.cache_resource(show_spinner=False)
def sweep_carries() -> lab.Carries:
    return lab.Carries(CARRY_BYTES)


def sweep_rows(sweep, start: int, stop: int, progress=None):
    """The final_lr lab: the final gaps of one chunk of a sweep, from the kept state at its
    horizon or going on from the latest one before it. Not a cached function: the progress
    report draws on the page while the run goes on."""
    return lab.run_rows(sweep, start, stop, carries=sweep_carries(), progress=progress)


@st.cache_data(max_entries=32, show_spinner=False)
def landscape_finder(problem_key: str, beta1: float, seed: int):
    """The final_lr finder on a landscape (a few hundred steps of a few runs: kilobytes)."""
    return finder.landscape_finder(problem_key, beta1, seed)


class OnlineOutcome(NamedTuple):
    summaries: tuple[online.Summary, ...]
    path: Any  # go.Figure: x_t against t
    regret: Any  # go.Figure: R_t / t
    rates: Any  # go.Figure: lr_eff against t with AdaBound's band
    pattern: Any  # go.Figure: one period's gradients and each optimizer's moves


@st.cache_data(max_entries=16, show_spinner=False)
def online_outcome(problem_key: str, C: int, configs: tuple, x0: float, steps: int, mode: str) -> OnlineOutcome:
    """The online page's summaries and figures. This cache holds figures, not the run: a run of
    five optimizers over 100,000 steps is some 20 MB of arrays, its thinned figures (at most
    ``viz.runs.MAX_POINTS`` points a line) about 1 MB, so keeping the figures keeps the cache small."""
    problem = online.make_problem(problem_key, C)
    trace = online.run(problem, configs, x0, steps, mode)
    keys = [key for key, _ in configs]
    views = registry_views(trace, keys)
    phases, moves = online.phase_moves(problem, trace)
    return OnlineOutcome(
        summaries=tuple(online.summaries(problem, trace, keys)),
        path=online_viz.path_figure(problem, views),
        regret=online_viz.regret_figure(views, online.average_regret(problem, trace)),
        rates=online_viz.rates_figure(views, online.band_marks(configs, mode)),
        pattern=online_viz.pattern_figure(problem, phases, moves, views))


@st.cache_data(max_entries=6, show_spinner="Running the optimizers from every start…")
def basin_maps(landscape_key: str, configs: tuple, resolution: int, steps: int, schedule) -> list:
    """One basin map per configured optimizer (about 1 MB each at 200 x 200)."""
    return basins.basin_maps(landscape_key, [(key, dict(values)) for key, values in configs],
                             resolution=resolution, steps=steps, schedule=schedule)
