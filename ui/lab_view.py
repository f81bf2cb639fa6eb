"""The final_lr lab's sections: its sidebar, the stability note, the heat maps (each with its
click-a-cell link to the playground), the line view and the explanation. The state lives in
lab_state, the sweeps in runs.lab, the figure builders in viz.sweeps."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

import optim_core as oc
from runs import lab
from runs.fields import round_sig

from . import compute, panels, present, state
from .lab_state import DAMPENING_LABELS, GRIDS, on_problem_change, suggested
from .pages import page_link
from .playground_state import link_query
from viz import finder as finder_viz
from viz import sweeps as sweep_viz
from viz.colors import color_of

FLOOR_LABEL = "band's floor at step T reaches it"
COLORBAR_MARGIN = 100  # the line view's right margin: its final_lr axis lines up with the maps'
CHART = {"displaylogo": False}


def sidebar(page: state.PageState) -> dict[str, Any]:
    """Problem, method, starts, horizon, the method's hyperparameters (final_lr is swept) and the
    grids; returns the hyperparameters."""
    field = {f.key: f for f in page.fields}
    problems = lab.lab_problems()
    with st.sidebar:
        st.header("Problem")
        problem_key = state.field_input(field["ls"], format_func=problems.get, on_change=on_problem_change)
        if lab.is_online(problem_key):
            state.field_input(field["C"], on_change=on_problem_change)
        opt_key = st.radio(field["opt"].label, list(lab.BOUNDED), key="opt", horizontal=True,
                           format_func=lambda k: oc.OPTIMIZERS[k].label)
        c1, c2 = st.columns(2)
        state.field_input(field["S"], where=c1)
        state.field_input(field["seed"], where=c2)
        state.field_input(field["T"], "horizon T (steps)")
        hyper = panels.hyper_panel(opt_key, suggested(problem_key, int(st.session_state["C"]))[opt_key],
                                   expanded=True, skip=("final_lr",))
        st.caption("`final_lr` is swept; `γ` is held at this value in sweep 2 and the line view, `lr` in "
                   "sweep 1 and the line view.")
        st.header("Grids (log spaced)")
        for prefix, _, label, *_ in GRIDS:
            st.markdown(f"**{label}**")
            c1, c2, c3 = st.columns([5, 5, 4])
            state.field_input(field[f"{prefix}_lo"], "from", where=c1)
            state.field_input(field[f"{prefix}_hi"], "to", where=c2)
            state.field_input(field[f"{prefix}_n"], "values", where=c3)
        st.radio("SGD(M) dampening in the line view", list(DAMPENING_LABELS), key="damp", format_func=DAMPENING_LABELS.get)
    return hyper


def stability_note(setup: lab.Setup, limit: lab.StabilityLimit | None) -> None:
    label = oc.OPTIMIZERS[setup.optimizer].label
    if limit is None:
        st.info("The losses of an online problem are linear: no curvature, so no stability limit on final_lr.")
        return
    st.markdown(
        f"Curvature at the minimum ({limit.minimum[0]:.3g}, {limit.minimum[1]:.3g}): "
        f"**L = {limit.curvature:.4g}**. Once its band has closed, {label} is SGD with momentum β₁ and "
        f"dampening β₁ at `final_lr`, stable only while `final_lr (1 − β₁) L < 2 (1 + β₁)`: here "
        f"**final_lr < {limit.final_lr:.3g}** (dashed line). Within T steps the band closes only to "
        f"[final_lr (1 − 1/(γT + 1)), …]: runs survive past the line until even that floor is unstable "
        f"(dotted).")


def maps(setup: lab.Setup, limit, hyper: dict) -> None:
    """Sweeps 1 and 2: final_lr x gamma and final_lr x base lr, on one colour scale."""
    sweeps = {"final_lr_gamma": setup.final_lr_gamma(), "final_lr_lr": setup.final_lr_lr()}
    measured = {"final_lr_gamma": measure(sweeps["final_lr_gamma"], "Sweep 1 (final_lr × γ)"),
                "final_lr_lr": measure(sweeps["final_lr_lr"], "Sweep 2 (final_lr × lr)")}
    span = color_span(setup, measured.values())
    st.subheader(f"1 · final_lr × γ, at lr = {hyper['lr']:g}")
    heat_map(setup, sweeps["final_lr_gamma"], measured["final_lr_gamma"], limit, span, key="final_lr_gamma",
             y_param="gamma", y_name="γ", y_title="γ")
    st.caption("Small γ: the band stays wide and the run is Adam-like to the end; large γ: the band closes "
               "early and the run is SGD at final_lr for most of it. At t = 1/γ the band is [final_lr/2, "
               "2 final_lr]. Grey cells with ✕: more than half the starts diverged.")
    st.subheader(f"2 · final_lr × base lr, at γ = {hyper['gamma']:g}")
    st.caption("The base lr drives the early, Adam-like phase; final_lr the late, SGD-like one. Both maps "
               "share one colour scale.")
    heat_map(setup, sweeps["final_lr_lr"], measured["final_lr_lr"], limit, span, key="final_lr_lr",
             y_param="lr", y_name="lr", y_title="base lr η")


def line_view(setup: lab.Setup, limit) -> None:
    """Sweep 3: the bounded method against final_lr beside SGD(M) at lr = final_lr and the
    unbounded method."""
    label = oc.OPTIMIZERS[setup.optimizer].label
    reference = oc.OPTIMIZERS[lab.REFERENCE[setup.optimizer]].label
    st.subheader(f"3 · {label}, SGD(M) at lr = final_lr, and {reference}")
    line = setup.line()
    try:
        lab.check_size(line, "The line view")
    except lab.SweepTooLarge as err:
        st.error(str(err))
        return
    st.plotly_chart(line_view_figure(setup, line, run_sweep(line, "line view"), limit), key="line", config=CHART)
    st.caption(f"Lines: the median over the {setup.starts + 1} starts; shading: the middle half of them "
               "(first to third quartile). With dampening β₁, SGD(M) at lr = final_lr is exactly the "
               f"method {label} turns into, so the two differ only by {label}'s adaptive start. With "
               "dampening 0 (torch's default, what the AdaBound authors ran) its steps are "
               "1/(1 − β₁) times larger, and so is its own stability limit lower.")


def finder_section(setup: lab.Setup, limit) -> None:
    """Sweep 4: the final_lr finder, an LR range test of AdaBound's late phase, checked against the
    curvature's stability limit."""
    st.subheader("4 · The final_lr finder")
    if lab.is_online(setup.problem):
        st.info("The finder runs SGD at a growing rate on a landscape; an online problem's losses are linear, "
                "with no rate at which they diverge.")
        return
    beta1 = float(dict(setup.hyper)["beta1"])
    result = compute.landscape_finder(setup.problem, beta1, setup.seed)
    m = result.marks
    marks = {"fastest descent": m.fastest, "divergence point": m.divergence}
    fig = finder_viz.finder_figure(result.rates, result.median, result.low, result.high, marks, m.suggested,
                                   color_of(lab.SGDM), limit=None if limit is None else limit.final_lr,
                                   limit_label="stability limit at the minimum")
    st.plotly_chart(fig, key="finder", config=CHART)
    text = (f"SGD with momentum β₁ = {beta1:g} and dampening β₁ (AdaBound's late phase), its rate growing from "
            f"1e-5 to 10 over {len(result.rates)} steps, from {len(result.stopped_at)} starts (band: lowest to "
            f"highest run). **Suggested final_lr = {m.suggested:.3g}**: {m.reason}.")
    if limit is not None:
        text += (f" The curvature rule puts the limit at {limit.final_lr:.3g}: the suggestion is "
                 f"{m.suggested / limit.final_lr:.2f} of it.")
    st.markdown(text)
    values = {**dict(setup.hyper), "final_lr": float(round_sig(m.suggested, 2))}
    chosen = lab.playground_runs(setup, values)
    page_link("playground", f"Use this: {oc.OPTIMIZERS[setup.optimizer].label} at final_lr = {values['final_lr']:g} "
                            "beside SGD(M) at that rate, on the playground",
              icon=":material/play_arrow:",
              query=link_query(setup.problem, chosen, lab.resolve(setup.problem).start_point(), setup.steps))


def explanation(setup: lab.Setup) -> None:
    label = oc.OPTIMIZERS[setup.optimizer].label
    with st.expander("What am I looking at?"):
        st.markdown(
            f"Every cell of a heat map is {setup.starts + 1} runs of {label} for {setup.steps:,} steps: from the "
            f"problem's default start and {setup.starts} random starts in its domain (seed {setup.seed}). "
            "Its colour is the median of their final loss gaps f(x_T) − f*, on a log scale (an online "
            "problem: the gap of the average of its functions over one period). All the cells of a map "
            "are one batched run; a cell's numbers equal those of its setting run alone.")
        st.latex(oc.OPTIMIZERS[setup.optimizer].latex)
        st.markdown("In the long run the band closes on final_lr and the update is SGD with momentum: "
                    "with curvature L at the minimum it is stable only while")
        st.latex(r"\eta^\ast\,(1-\beta_1)\,L < 2\,(1+\beta_1)"
                 r"\quad\Longleftrightarrow\quad \eta^\ast < \frac{2(1+\beta_1)}{(1-\beta_1)\,L}.")


def heat_map(setup: lab.Setup, sweep: lab.Sweep, stats, limit, span, *, key: str, y_param: str,
             y_name: str, y_title: str) -> None:
    """One swept grid: the heat map (or why it was not run), and the link of a clicked cell."""
    if isinstance(stats, str):
        st.error(stats)
        return
    fig = heat_map_figure(setup, sweep, stats, limit, span, y_param=y_param, y_name=y_name, y_title=y_title)
    event = st.plotly_chart(present.style(fig), key=key, on_select="rerun", selection_mode="points", config=CHART)
    if all_at_floor(stats):
        st.caption("Every setting's median start reached the optimum (a gap at the floor, 10⁻¹⁶): "
                   "the map has one colour.")
    cell = picked_cell(event, sweep)
    if cell is None:
        st.caption("Click a cell to open its setting on the playground.")
        return
    chosen = sweep.groups[0].cell_values(cell)
    median = stats.median[cell]
    shown = f"median gap {median:.3g}" if median < float("inf") else "diverged (median start)"
    text = f"Selected: final_lr = {chosen['final_lr']:g}, {y_name} = {chosen[y_param]:g}: {shown}."
    chosen_runs = lab.playground_runs(setup, chosen)
    if chosen_runs is None:
        st.markdown(text + " The playground draws 2-D landscapes only.")
        return
    st.markdown(text)
    label = oc.OPTIMIZERS[setup.optimizer].label
    reference = oc.OPTIMIZERS[lab.REFERENCE[setup.optimizer]].label
    start = lab.resolve(setup.problem).start_point()
    page_link("playground", f"Open on the playground: {label}, SGD(M) at lr = final_lr and {reference}",
              query=link_query(setup.problem, chosen_runs, start, setup.steps))


def run_sweep(sweep: lab.Sweep, label: str) -> np.ndarray:
    """Every row's final gap, chunk by chunk through the bounded cache; a progress bar when the
    sweep is more than about half a second of work from scratch."""
    if sweep.run_steps <= lab.CHUNK_RUN_STEPS:
        return lab.run_sweep(sweep, runner=compute.sweep_rows)
    bar = st.progress(0.0, text=f"{label}: {sweep.runs:,} runs x {sweep.steps:,} steps")

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{label}: {done / total:.0%} of {sweep.runs:,} runs x {sweep.steps:,} steps")

    gaps = lab.run_sweep(sweep, progress=report, runner=compute.sweep_rows)
    bar.empty()
    return gaps


def measure(sweep: lab.Sweep, what: str) -> lab.CellStats | str:
    """A heat map's per-cell statistics, or the message saying why the sweep was not run."""
    try:
        lab.check_size(sweep, what)
    except lab.SweepTooLarge as err:
        return str(err)
    return lab.cell_stats(sweep, run_sweep(sweep, what), 0)


def picked_cell(event, sweep: lab.Sweep) -> tuple[int, ...] | None:
    """The grid cell a click on a heat map chose (the nearest cell to the clicked point)."""
    points = event.selection.points if event and event.selection else []
    if not points:
        return None
    x, y = points[0].get("x"), points[0].get("y")
    if x is None or y is None:
        return None
    return lab.nearest_cell(sweep.groups[0], (float(x), float(y)))


# ----------------------------------------------------------------------------- figures of the page


def gap_title(setup: lab.Setup) -> str:
    return "median gap of the average f_t" if lab.is_online(setup.problem) else "median f − f*"


def color_span(setup: lab.Setup, measured) -> tuple[int, int]:
    """One colour scale for all the maps: the decades of their medians, capped at 100 times the
    median gap at the starts (a run that ended far worse than it began needs no finer shade)."""
    start_gap = lab.median_start_gap(setup.problem, setup.C, setup.starts, setup.seed)
    top = sweep_viz.log_gap(start_gap * 100.0).item() if start_gap > 0 else None
    logs = [sweep_viz.log_gap(m.median).ravel() for m in measured if not isinstance(m, str)]
    return sweep_viz.color_range(np.concatenate(logs) if logs else np.array([]), top)


def all_at_floor(stats: lab.CellStats) -> bool:
    """Every cell's median gap is at the floor of the log colour scale."""
    return bool(np.all(stats.median <= sweep_viz.FLOOR))


def heat_map_figure(setup: lab.Setup, sweep: lab.Sweep, stats: lab.CellStats,
                    limit: lab.StabilityLimit | None, span: tuple[int, int], *, y_param: str,
                    y_name: str, y_title: str):
    """A map with the stability limit (dashed) and where the band's floor at T reaches it (dotted)."""
    x_values, y_values = (axis.values() for axis in sweep.groups[0].axes)
    boundary = None
    if limit is not None:
        edges = sweep_viz.log_edges(y_values)
        x, y = lab.band_floor_curve(limit.final_lr, y_param, (edges[0], edges[-1]),
                                       float(dict(setup.hyper)["gamma"]), setup.steps)
        boundary = sweep_viz.Boundary(x, y, FLOOR_LABEL)
    return sweep_viz.heatmap_figure(
        x_values, y_values, stats.median, stats.diverged_share, x_title="final_lr η*", y_title=y_title,
        x_name="final_lr", y_name=y_name, gap_title=gap_title(setup), n_starts=setup.starts + 1,
        limit=limit_line(limit), boundary=boundary, color_span=span)


def limit_line(limit: lab.StabilityLimit | None) -> sweep_viz.Limit | None:
    return None if limit is None else sweep_viz.Limit(limit.final_lr, f"stability limit {limit.final_lr:.3g}")


def line_view_figure(setup: lab.Setup, sweep: lab.Sweep, gaps: np.ndarray,
                     limit: lab.StabilityLimit | None):
    """The bounded method and SGD(M) against final_lr, the unbounded method flat, with the limits:
    AdaBound's, where its band's floor reaches it and, when its dampening differs, SGD(M)'s own."""
    hyper = dict(setup.hyper)
    label = oc.OPTIMIZERS[setup.optimizer].label
    reference = lab.REFERENCE[setup.optimizer]
    stats = [lab.cell_stats(sweep, gaps, i) for i in range(len(sweep.groups))]
    sgdm = lab.sgdm_values(setup.hyper, setup.sgdm_dampening)
    x_values = setup.final_lr.values()
    curves = [
        sweep_viz.Curve(setup.optimizer, f"{label} (γ {hyper['gamma']:g}, lr {hyper['lr']:g})", x_values,
                      *stats[0][:3]),
        sweep_viz.Curve(lab.SGDM, f"SGD(M) at lr = final_lr (momentum {sgdm['momentum']:g}, "
                                   f"dampening {sgdm['dampening']:g})", x_values, *stats[1][:3]),
        sweep_viz.Curve(reference, f"{oc.OPTIMIZERS[reference].label} (lr {hyper['lr']:g})", None, *stats[2][:3]),
    ]
    limits = []
    if limit is not None:
        floor_at = float(oc.band_floor_limit(limit.final_lr, hyper["gamma"], setup.steps))
        limits = [limit_line(limit), sweep_viz.Limit(floor_at, FLOOR_LABEL, dash="dot")]
        beta1 = hyper["beta1"]
        if sgdm["dampening"] != beta1:
            sgdm_limit = oc.max_stable_lr(limit.curvature, beta1, sgdm["dampening"])
            limits.append(sweep_viz.Limit(sgdm_limit, f"SGD(M) limit {sgdm_limit:.3g}", color_of(lab.SGDM)))
    edges = sweep_viz.log_edges(x_values)
    return sweep_viz.line_figure(curves, (float(edges[0]), float(edges[-1])), x_title="final_lr η*",
                               gap_title=gap_title(setup), limits=limits, right_margin=COLORBAR_MARGIN)
