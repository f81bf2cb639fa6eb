"""One frame back and one forward on every animated chart.

Plotly's buttons can only jump to a frame named in advance, not to "the next one from here". The
animation's |◀ and ▶| buttons are therefore Plotly buttons that do nothing but announce the click
(``viz.animation.FRAME_BUTTONS``); the small script below, loaded once per page in an invisible
frame of the same origin, hears those clicks on the page's charts and moves the clicked chart one
frame from the one its slider stands on, with the page's own Plotly. It reads nothing from the
address or the user, and touches nothing but the charts."""

from __future__ import annotations

import json

import streamlit as st

from viz.animation import FRAME_STEP

KEY = "frame_steps"  # its container's key: the page style hides it (no height, no gap)

_SCRIPT = """<script>
(function () {
  const host = window.parent;
  const MARK = %(mark)s;
  const STILL = {mode: "immediate", frame: {duration: 0, redraw: false}, transition: {duration: 0}};
  function step(gd, by) {
    const slider = gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
    if (!slider || !host.Plotly) return;
    const last = slider.steps.length - 1;
    const at = Math.min(Math.max((slider.active || 0) + by, 0), last);
    host.Plotly.animate(gd, [slider.steps[at].args[0][0]], STILL);
  }
  function hook() {
    host.document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (gd.__frameSteps || typeof gd.on !== "function") return;
      gd.__frameSteps = true;
      gd.on("plotly_buttonclicked", function (e) {
        const args = e && e.button && e.button.args;
        if (args && args[0] === MARK) step(gd, Number(args[1]));
      });
    });
  }
  hook();
  setInterval(hook, 400);
})();
</script>""" % {"mark": json.dumps(FRAME_STEP)}


def frame_steps() -> None:
    """Load the frame-step hook into the page (once per run; the browser keeps the same frame
    across reruns)."""
    with st.container(key=KEY):
        st.iframe(_SCRIPT, height=1)
