"""The final_lr lab: how AdaBound's final_lr, gamma and lr decide where a run ends, measured over a
grid of settings and many start points."""

from __future__ import annotations

import streamlit as st

from runs import lab
from ui import lab_state, lab_view, present, state

present.intro("final_lr lab", "How should AdaBound's `final_lr` and `γ` be chosen? Each colour below is a measurement: "
           "the median final loss over many start points, for one setting out of a grid of hundreds, "
           "all run at once. Click a cell to open that setting on the playground.")

page, notes = lab_state.restore()
hyper = lab_view.sidebar(page)
values = page.values()
page.remember(lab_state.shared_values(values))
setup, more = lab.setup_from(values, hyper)
state.show_notes(notes + more)
state.show_link(page)

limit = lab.stability_limit(lab.resolve(setup.problem, setup.C), float(hyper["beta1"]))
lab_view.maps(setup, limit, hyper)
present.after_key_chart()
lab_view.stability_note(setup, limit)
lab_view.line_view(setup, limit)
lab_view.finder_section(setup, limit)
lab_view.explanation(setup)
