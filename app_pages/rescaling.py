"""Rescaling: the same optimizers on f and on f(x, s y), to see which of them care about the scale."""

from __future__ import annotations

import streamlit as st

from ui import present
from ui.playground_view import controls_and_run
from ui.rescaling_state import SCALE, fresh_values, scale_fields, sidebar
from ui.rescaling_view import rescaling_section

present.intro("Rescaling y", markdown=True, prose=(
    "The Adam paper (Section 2.1) points out that Adam's steps are invariant to a diagonal rescaling of "
    "the gradient: multiply one coordinate's gradients by c, and m̂ grows by c, √v̂ by c, the step not "
    "at all. Here every optimizer of the sidebar runs twice from the same start, in the same window: on "
    "the landscape f (left) and on f(x, s·y) (right), which squeezes y by s. The settings are the "
    "playground's (same sidebar, same link), plus s."))

run = controls_and_run("rescaling", extra_fields=scale_fields(), extra_fresh=fresh_values(), extra_sidebar=sidebar)
rescaling_section(run, float(run.values[SCALE]))
