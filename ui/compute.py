"""Bounded caches around the pure computations, so reruns with the same settings cost nothing and
no visitor can fill the server's memory."""

from __future__ import annotations

import streamlit as st

import landscapes

from . import experiments, sweeps, tuning
from . import online_runs
from viz import background


@st.cache_data(max_entries=32, show_spinner=False)
def playground_trace(landscape_key, configs, start, steps, schedule, noise_std, seed, y_scale=1.0):
    return experiments.playground_trace(landscape_key, configs, start, steps, schedule, noise_std, seed, y_scale)


@st.cache_data(max_entries=64, show_spinner=False)
def suggestions(landscape_key: str) -> dict:
    return tuning.suggest(landscapes.get(landscape_key))


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_background(landscape_key: str, x_range: tuple, y_range: tuple,
                         y_scale: float = 1.0) -> background.Background:
    return background.render(experiments.landscape_of(landscape_key, y_scale), (x_range, y_range))


@st.cache_data(max_entries=48, show_spinner=False)
def sweep_rows(sweep, start: int, stop: int):
    """The final_lr lab: the final gaps of one chunk of a sweep (at most sweeps.CHUNK_RUNS floats)."""
    return sweeps.run_rows(sweep, start, stop)


@st.cache_data(max_entries=16, show_spinner=False)
def online_outcome(problem_key: str, C: int, configs: tuple, x0: float, steps: int, mode: str):
    """The online page: summaries and thinned figures (the full run is not kept; about 1 MB each)."""
    return online_runs.outcome(problem_key, C, configs, x0, steps, mode)
