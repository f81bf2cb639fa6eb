"""The online example: the adversarial problems of the AdaBound paper's Section 3 and of Reddi et
al., where Adam provably fails and AdaBound, AMSGrad and SGD do not."""

from __future__ import annotations

import streamlit as st

from runs import online
from ui import online_state, online_view, panels, present, state

present.intro("The online example: Adam fails, AdaBound recovers", "An online problem hands the optimizer a new function f_t at every step. These two are built "
           "so that Adam provably moves the wrong way, while SGD, AMSGrad and AdaBound find the optimum. "
           "Choose the problem, the optimizers and the horizon in the sidebar; the link in the address bar "
           "reproduces exactly this view.")

arrived, notes = online_state.restore()
chosen, hyper = online_view.sidebar(online_state.current())
page = online_state.current()  # the defaults of the problem now chosen, for the link
values = page.values()
page.remember(panels.chosen_only(values, values.get("opt") or ()))
state.show_notes(notes)
state.show_link(arrived)

problem = online.make_problem(values["problem"], values["C"])
if not chosen:
    online_view.problem_section(problem, float(values["b1"]), float(values["b2"]))
    st.info("Choose at least one optimizer in the sidebar (for instance Adam and AdaBound).")
    st.stop()
online_view.results(problem, online_view.run(problem, chosen, hyper, values), chosen, page)
present.after_key_chart()
online_view.problem_section(problem, float(values["b1"]), float(values["b2"]))
