"""The real network: small networks trained on scikit-learn's digits in the session, every
parameter's effective learning rate recorded (the AdaBound paper's Figure 1, live)."""

from __future__ import annotations

import streamlit as st

from runs import network as net
from ui import network_state, network_view, present, state

present.intro("The real network: Adam's extreme rates, AdaBound's band", "Small networks learn to read handwritten digits right here, several at once. Adam gives every "
           "parameter its own learning rate, and by the end some are far too large and some far too small; "
           "AdaBound holds them in a band that closes on final_lr. The link reproduces this view.")

page = network_state.page_state()
notes = page.restore()
chosen = network_view.sidebar(page)
values = page.values()
page.remember(network_state.shared_values(values))
if not chosen:
    state.show_notes(notes)
    st.info("Choose at least one optimizer in the sidebar (for instance Adam and AdaBound).")
    st.stop()
spec, capped = net.spec_from(values, chosen)
state.show_notes(notes)
state.show_link(page)
state.show_notes(capped, "This run")
result = network_view.train(spec)
network_view.fig1(result)
present.after_key_chart()
network_view.spread(result)
network_view.histogram(result, page)
network_view.curves(result)
network_view.grid(result, values)
network_view.finder_section(spec, values)
network_view.explanation(chosen)
