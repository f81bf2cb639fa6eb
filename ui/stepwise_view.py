"""Step-by-step on the playground: one step t, the arrows of what each optimizer saw and did, and
the numbers behind them. Its fields (on/off, t, which arrows) are in the playground's link schema
(``playground_state.fields``), so a link keeps the step."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import optim_core as oc
from runs.stepwise import detail_rows, step_details
from viz.stepwise import ARROWS, step_figure

from . import state
from .playground_state import fields


def step_toggle() -> bool:
    """The switch between the animation and one step at a time."""
    return bool(state.field_input(next(f for f in fields() if f.key == "sbs"), "step by step: why did it move there?"))


def _move(by: int, last: int) -> None:
    st.session_state["at"] = min(max(int(st.session_state.get("at") or 1) + by, 1), last)


def step_section(run):
    """The step-by-step map and table for the playground's ``run``; returns the map."""
    total = int(run.values["T"])
    at = min(max(int(run.values.get("at") or 1), 1), total)
    if at != run.values.get("at"):
        st.caption(f"Step {run.values.get('at')} is beyond this run's {total:,} steps: showing step {at}.")
        st.session_state["at"] = at
    c_back, c_t, c_next, c_kinds, c_scale = st.columns([0.8, 1.3, 0.8, 3, 2], vertical_alignment="bottom")
    c_back.button("◀", on_click=_move, args=(-1, total), disabled=at <= 1, key="_at_back",
                  help="one step back", width="stretch")
    c_next.button("▶", on_click=_move, args=(1, total), disabled=at >= total, key="_at_next",
                  help="one step forward", width="stretch")
    field = {f.key: f for f in fields()}
    state.field_input(replace(field["at"], high=total), where=c_t)
    kinds = state.field_input(field["arrows"], where=c_kinds)
    per_kind = state.field_input(field["arrow_scale"], where=c_scale,
                                 format_func={"one": "one scale (true sizes)", "each": "each kind fitted (directions)"}.get) == "each"
    optimizers = [(key, oc.OPTIMIZERS[key].build(dict(values))) for key, values in run.configs]
    details = step_details(run.trace, optimizers, at)
    labels = [v.label for v in run.views]
    fig, scale, too_short = step_figure(run.landscape, run.views, details, run.start, run.background, at,
                                        kinds=[k for k in ARROWS if k in (kinds or ())], per_kind=per_kind)
    st.plotly_chart(fig, key="stepwise", config={"displaylogo": False, "scrollZoom": True})
    scales = sorted(set(scale.values()))
    drawn = (f"at {scales[0]:.3g}× their length" if len(scales) == 1 else
             "with each kind at its own scale (" + ", ".join(f"{k} {v:.3g}×" for k, v in scale.items()) + ")")
    caption = f"Step {at} of {total:,}: arrows start where each run stood before step {at}, drawn {drawn}."
    if too_short:
        caption += " Too short to see at this scale: " + ", ".join(
            f"{oc.OPTIMIZERS[a.key].label}'s {a.kind}" for a in too_short) + " (see the numbers below, or fit each kind)."
    stopped = [v.label for v, d in zip(run.views, details) if d is None]
    if stopped:
        caption += " Diverged before this step: " + ", ".join(stopped) + "."
    st.caption(caption)
    st.dataframe(detail_rows(details, labels), hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="%.4g")
                                for c in ("g", "m", "v", "v̂", "G", "ḡ", "u", "lr_eff", "lr_eff unclipped",
                                          "lower bound", "upper bound", "update")})
    bounded = [d for d in details if d is not None and d.lr_eff_raw is not None]
    if bounded:
        clipped = sum(c != "" for d in bounded for c in d.clipped)
        st.caption(f"{clipped} of {2 * len(bounded)} bounded rates are clipped at this step: "
                   "the unclipped rate is what Adam would apply from the same moments; the bounded method's step "
                   "uses the clipped one.")
    return fig
