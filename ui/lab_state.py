"""The final_lr lab's state: its URL fields, first-visit values, the callback for a new problem, the
sweep setup the widgets describe, and running a sweep with a progress bar."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import streamlit as st

import landscapes
import optim_core as oc

from . import compute, panels, params, state, sweeps
from viz import sweeps as figures
from viz.colors import color_of

PAGE = "lab"
DAMPENING_LABELS = {"beta1": "β₁ (what AdaBound becomes)", "zero": "0 (torch's default)"}
FLOOR_LABEL = "band's floor at step T reaches it"
COLORBAR_MARGIN = 100  # the line view's right margin: its final_lr axis lines up with the maps'


def fields() -> list[params.Field]:
    d = sweeps.DEFAULTS
    out = [
        params.Field("ls", "problem", "choice", d["ls"], choices=tuple(sweeps.lab_problems())),
        params.Field("C", "period C", "int", d["C"], 3, sweeps.MAX_PERIOD),
        params.Field("opt", "method", "choice", d["opt"], choices=sweeps.BOUNDED),
        params.Field("S", "random starts", "int", d["S"], 0, sweeps.MAX_STARTS),
        params.Field("seed", "seed", "int", d["seed"], 0, 2**31 - 1),
        params.Field("T", "horizon T", "int", d["T"], 1, sweeps.MAX_HORIZON),
        params.Field("damp", "SGD(M) dampening", "choice", d["damp"], choices=tuple(DAMPENING_LABELS)),
    ]
    for prefix, param, label, low, high, count, most in sweeps.GRIDS:
        least, largest = sweeps.grid_range(param)
        out += [params.Field(f"{prefix}_lo", f"{label} from", "float", low, least, largest, log=True),
                params.Field(f"{prefix}_hi", f"{label} to", "float", high, least, largest, log=True),
                params.Field(f"{prefix}_n", f"{label} values", "int", count, 2, most)]
    return out + panels.hyper_fields(sweeps.BOUNDED)


def shared_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """What goes into the link: the chosen method's hyperparameters (final_lr is swept, so not
    among them) and everything that is not a hyperparameter."""
    return panels.chosen_only(values, [values.get("opt")], skip=("final_lr",))


def suggested(problem_key: str, C: int) -> dict[str, dict[str, Any]]:
    """Per bounded method, the values that suit the problem: for a landscape the measured Adam rate
    as lr (final_lr is swept); for an online problem its paper's betas and a rate that crosses
    its feasible interval in a few dozen steps."""
    if sweeps.is_online(problem_key):
        problem = sweeps.resolve(problem_key, C)
        values = {"beta1": problem.beta1, "beta2": problem.default_beta2, "lr": sweeps.ONLINE_LR}
    else:
        values = {"lr": compute.suggestions(problem_key)["adam"]["lr"]}
    return {key: dict(values) for key in sweeps.BOUNDED}


def problem_values(problem_key: str, C: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for opt_key, values in suggested(problem_key, C).items():
        out.update(panels.library_defaults(opt_key))
        out.update({panels.hyper_key(opt_key, k): v for k, v in values.items()})
    return out


def fresh_values(problem_key: str | None) -> dict[str, Any]:
    key = problem_key if problem_key in sweeps.lab_problems() else sweeps.DEFAULTS["ls"]
    return {**sweeps.DEFAULTS, "ls": key, **problem_values(key, sweeps.DEFAULTS["C"])}


def restore(all_fields: list[params.Field]) -> list[str]:
    """Before the widgets: the page state (URL, remembered or fresh) and the notes on the link. A
    landscape without a minimum value gets its own note: the lab measures the gap to it."""
    notes = state.restore(PAGE, all_fields, fresh_values(None))
    asked = st.query_params.get("ls")
    if asked in landscapes.LANDSCAPES and asked not in sweeps.lab_problems():
        notes = [n for n in notes if not n.startswith("problem:")]
        notes.append(f"problem: {landscapes.get(asked).name} has no minimum value, so there is no loss "
                     f"gap to measure; using {landscapes.get(sweeps.DEFAULTS['ls']).name}")
    return notes


def on_problem_change() -> None:
    state.set_values(problem_values(st.session_state["ls"], int(st.session_state.get("C", 3))))


def run_sweep(sweep: sweeps.Sweep, label: str) -> np.ndarray:
    """Every row's final gap, chunk by chunk through the bounded cache; a progress bar when the
    sweep needs more than one chunk (more than about a second of work)."""
    if len(sweeps.chunks(sweep)) == 1:
        return sweeps.run_sweep(sweep, runner=compute.sweep_rows)
    bar = st.progress(0.0, text=f"{label}: {sweep.runs:,} runs x {sweep.steps:,} steps")

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"{label}: {done:,} of {total:,} runs done")

    gaps = sweeps.run_sweep(sweep, progress=report, runner=compute.sweep_rows)
    bar.empty()
    return gaps


def measure(sweep: sweeps.Sweep, what: str) -> sweeps.CellStats | str:
    """A heat map's per-cell statistics, or the message saying why the sweep was not run."""
    try:
        sweeps.check_size(sweep, what)
    except sweeps.SweepTooLarge as err:
        return str(err)
    return sweeps.cell_stats(sweep, run_sweep(sweep, what), 0)


def picked_cell(event, sweep: sweeps.Sweep) -> tuple[int, ...] | None:
    """The grid cell a click on a heat map chose (the nearest cell to the clicked point)."""
    points = event.selection.points if event and event.selection else []
    if not points:
        return None
    x, y = points[0].get("x"), points[0].get("y")
    if x is None or y is None:
        return None
    return sweeps.nearest_cell(sweep.groups[0], (float(x), float(y)))


# ----------------------------------------------------------------------------- figures of the page


def gap_title(setup: sweeps.Setup) -> str:
    return "median gap of the average f_t" if sweeps.is_online(setup.problem) else "median f − f*"


def color_span(setup: sweeps.Setup, measured) -> tuple[int, int]:
    """One colour scale for all the maps: the decades of their medians, capped at 100 times the
    median gap at the starts (a run that ended far worse than it began needs no finer shade)."""
    start_gap = sweeps.median_start_gap(setup.problem, setup.C, setup.starts, setup.seed)
    top = figures.log_gap(start_gap * 100.0).item() if start_gap > 0 else None
    logs = [figures.log_gap(m.median).ravel() for m in measured if not isinstance(m, str)]
    return figures.color_range(np.concatenate(logs) if logs else np.array([]), top)


def all_at_floor(stats: sweeps.CellStats) -> bool:
    """Every cell's median gap is at the floor of the log colour scale."""
    return bool(np.all(stats.median <= figures.FLOOR))


def heat_map_figure(setup: sweeps.Setup, sweep: sweeps.Sweep, stats: sweeps.CellStats,
                    limit: sweeps.StabilityLimit | None, span: tuple[int, int], *, y_param: str,
                    y_name: str, y_title: str):
    """A map with the stability limit (dashed) and where the band's floor at T reaches it (dotted)."""
    x_values, y_values = (axis.values() for axis in sweep.groups[0].axes)
    boundary = None
    if limit is not None:
        edges = figures.log_edges(y_values)
        x, y = sweeps.band_floor_curve(limit.final_lr, y_param, (edges[0], edges[-1]),
                                       float(dict(setup.hyper)["gamma"]), setup.steps)
        boundary = figures.Boundary(x, y, FLOOR_LABEL)
    return figures.heatmap_figure(
        x_values, y_values, stats.median, stats.diverged_share, x_title="final_lr η*", y_title=y_title,
        x_name="final_lr", y_name=y_name, gap_title=gap_title(setup), n_starts=setup.starts + 1,
        limit=limit_line(limit), boundary=boundary, color_span=span)


def limit_line(limit: sweeps.StabilityLimit | None) -> figures.Limit | None:
    return None if limit is None else figures.Limit(limit.final_lr, f"stability limit {limit.final_lr:.3g}")


def line_view_figure(setup: sweeps.Setup, sweep: sweeps.Sweep, gaps: np.ndarray,
                     limit: sweeps.StabilityLimit | None):
    """The bounded method and SGD(M) against final_lr, the unbounded method flat, with the limits:
    AdaBound's, where its band's floor reaches it and, when its dampening differs, SGD(M)'s own."""
    hyper = dict(setup.hyper)
    label = oc.OPTIMIZERS[setup.optimizer].label
    reference = sweeps.REFERENCE[setup.optimizer]
    stats = [sweeps.cell_stats(sweep, gaps, i) for i in range(len(sweep.groups))]
    sgdm = sweeps.sgdm_values(setup.hyper, setup.sgdm_dampening)
    x_values = setup.final_lr.values()
    curves = [
        figures.Curve(setup.optimizer, f"{label} (γ {hyper['gamma']:g}, lr {hyper['lr']:g})", x_values,
                      *stats[0][:3]),
        figures.Curve(sweeps.SGDM, f"SGD(M) at lr = final_lr (momentum {sgdm['momentum']:g}, "
                                   f"dampening {sgdm['dampening']:g})", x_values, *stats[1][:3]),
        figures.Curve(reference, f"{oc.OPTIMIZERS[reference].label} (lr {hyper['lr']:g})", None, *stats[2][:3]),
    ]
    limits = []
    if limit is not None:
        floor_at = float(sweeps.band_floor_limit(limit.final_lr, hyper["gamma"], setup.steps))
        limits = [limit_line(limit), figures.Limit(floor_at, FLOOR_LABEL, dash="dot")]
        beta1 = hyper["beta1"]
        if sgdm["dampening"] != beta1:
            sgdm_limit = sweeps.max_stable_lr(limit.curvature, beta1, sgdm["dampening"])
            limits.append(figures.Limit(sgdm_limit, f"SGD(M) limit {sgdm_limit:.3g}", color_of(sweeps.SGDM)))
    edges = figures.log_edges(x_values)
    return figures.line_figure(curves, (float(edges[0]), float(edges[-1])), x_title="final_lr η*",
                               gap_title=gap_title(setup), limits=limits, right_margin=COLORBAR_MARGIN)
