"""Learning-rate lens: the rate every optimizer really applies to every parameter, and AdaBound's band."""

from __future__ import annotations

import streamlit as st

from ui import present
from ui.lens_state import explorer_fields, explorer_sidebar
from ui.lens_view import explorer_section, lens_section, snr_section
from ui.playground_view import controls_and_run
from ui.stepwise_view import step_section, step_toggle

present.intro("Learning-rate lens", markdown=True, prose=(
    "Every optimizer here multiplies its step direction by a per-parameter **effective learning rate** "
    "`lr_eff`. For SGD it is just `lr`; Adam's is `lr / (1 − β₁ᵗ) / (√v̂ + ε)`, different for every "
    "parameter and drifting over the run, often to extremes. AdaBound clips it into a band "
    "`[η*(1 − 1/(γt + 1)), η*(1 + 1/(γt))]` that closes on `final_lr` = η*: Adam at first, SGD at the end. "
    "The settings are the playground's (same sidebar, same link)."))

run = controls_and_run("lens", extra_fields=explorer_fields(), extra_sidebar=explorer_sidebar)
lens_section(run, key="lens_linked")
present.after_key_chart()
if step_toggle():  # why a rate is what it is: the moments and the clip at one step
    step_section(run)
snr_section(run)
explorer_section(run)
