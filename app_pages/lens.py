"""Learning-rate lens: the rate every optimizer really applies to every parameter, and AdaBound's band."""

from __future__ import annotations

import streamlit as st

import optim_core as oc
from ui.lens_view import bound_explorer, explorer_fields, explorer_sidebar, lens_section
from ui.playground_run import controls_and_run
from viz import lens

st.title("Learning-rate lens")
st.markdown(
    "Every optimizer here multiplies its step direction by a per-parameter **effective learning rate** "
    "`lr_eff`. For SGD it is just `lr`; Adam's is `lr / (1 − β₁ᵗ) / (√v̂ + ε)`, different for every "
    "parameter and drifting over the run, often to extremes. AdaBound clips it into a band "
    "`[η*(1 − 1/(γt + 1)), η*(1 + 1/(γt))]` that closes on `final_lr` = η*: Adam at first, SGD at the end. "
    "The settings are the playground's (same sidebar, same link).")

run = controls_and_run("lens", extra_fields=explorer_fields(), extra_sidebar=explorer_sidebar)
lens_section(run, key="lens_linked")

st.subheader("Signal-to-noise ratio |m̂| / √v̂")
st.caption("The Adam paper's view of why its steps shrink near an optimum: when the gradient's sign keeps "
           "flipping, the mean m̂ is small against the root mean square √v̂. Computed from each run's "
           "gradients with its own β₁, β₂ (Adam's defaults for optimizers without them).")
snr = []
for key, values in run.hyper.items():
    betas = (values.get("beta1", 0.9), values.get("beta2", 0.999))
    idx = run.chosen.index(key)
    snr.append(oc.signal_to_noise(run.trace.grads[:, idx : idx + 1], *betas)[:, 0])
st.plotly_chart(lens.snr_figure(run.views, snr), key="snr", config={"displaylogo": False})

st.subheader("Bound explorer")
st.markdown("The band for the settings in the sidebar's **Bound explorer**: in the code's form (γ, shaded) and "
            "in the form of the paper's experiments, γ = 1 − β₂ (dashed). Both follow the schedule, because "
            "`final_lr` is scaled by `lr_t / lr_0`: a step decay visibly moves the band.")
st.latex(r"\eta_l(t) = \eta^*\Big(1 - \frac{1}{\gamma t + 1}\Big),\qquad "
         r"\eta_u(t) = \eta^*\Big(1 + \frac{1}{\gamma t}\Big),\qquad \eta_l(1/\gamma) = \tfrac{\eta^*}{2},\ "
         r"\eta_u(1/\gamma) = 2\eta^*")
bound_explorer(run.values)
