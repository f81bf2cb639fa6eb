"""The rescaling page's own field, s, next to the playground's (the page shows the playground's run
beside the same optimizers on f(x, s y), so its link carries both)."""

from __future__ import annotations

import streamlit as st

import landscapes
from runs import fields as fl

from . import playground_state, presets, state

SCALE = "s"
DEFAULT_SCALE = 10.0


def scale_fields() -> list[fl.Field]:
    lo, hi = landscapes.SCALE_RANGE
    return [fl.Field(SCALE, "rescaling s", "float", DEFAULT_SCALE, lo, hi, log=True, step=1.0,
                     help=f"the right panel runs on f(x, s·y); any s in [{lo:g}, {hi:g}]")]


def fresh_values() -> dict:
    """A first visit opens on the gallery's invariance case (a quadratic squeezed tenfold in y),
    where the rescaling the page explains is exactly a rescaling of the gradient."""
    values, _ = fl.parse(playground_state.fields() + scale_fields(), presets.get("rescaling").query)
    return {**playground_state.fresh_values(values["ls"]), **values}


def sidebar() -> None:
    """s, below the playground's controls."""
    st.header("Rescaling")
    state.field_input(scale_fields()[0], "rescale y by s")
