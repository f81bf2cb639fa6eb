"""Home: what the lab is, and the preset gallery."""

import streamlit as st

from ui.presets import gallery

st.title("Optimizer Lab")
st.markdown(
    "Watch deep-learning optimizers move on classic test functions, and see the learning rate each "
    "one **really** applies to every parameter. Adaptive methods such as Adam end up with extreme "
    "per-parameter rates, some far too large and some far too small; AdaBound clips them into a band "
    "that closes on `final_lr`, so it moves smoothly from Adam to SGD. Every number here matches "
    "torch.optim in float64, and every view is a link you can share.")

st.subheader("Start from a preset")
gallery()
