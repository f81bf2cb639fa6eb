"""The real-network page's sections: the sidebar, training with a progress bar, Fig. 1, the spread
of every parameter's rate, the histogram at one epoch, the learning curves with the final table, and
the final_lr x gamma grid."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import streamlit as st

import optim_core as oc
from runs import finder
from runs import network as net
from runs.fields import round_sig

from . import present, state
from .network_state import found, trained, use_suggestion
from viz import finder as finder_viz
from viz import network as figures
from viz.colors import color_of

CHART = {"displaylogo": False}
ROOT = Path(__file__).resolve().parent.parent  # the app's folder: the results folder lives beside it


def label(key: str) -> str:
    return oc.OPTIMIZERS[key].label


def sidebar(page: state.PageState) -> list[str]:
    """Model, optimizers and their rates, AdaBound's band, the moments, the training's size;
    returns the chosen optimizers."""
    field = {f.key: f for f in page.fields}
    with st.sidebar:
        st.header("Network")
        model = state.field_input(field["model"], format_func={"mlp": "MLP 64-H-10", "cnn": "CNN (two 3×3 convs)"}.get)
        if model == "mlp":
            state.field_input(field["H"])
        hidden = int(st.session_state["H"])
        st.caption(f"{net.param_count(model, hidden):,} parameters per network")
        state.field_input(field["raw"])
        st.header("Optimizers")
        chosen = state.field_input(field["opt"], format_func=label)
        c1, c2 = st.columns(2)
        for i, key in enumerate(chosen):
            state.field_input(field[f"lr.{key}"], where=c1 if i % 2 == 0 else c2)
        if any(k in net.BOUNDED for k in chosen):
            c1, c2 = st.columns(2)
            state.field_input(field["final_lr"], where=c1)
            state.field_input(field["gamma"], where=c2)
        with st.expander("moments, ε, weight decay, momentum"):
            c1, c2 = st.columns(2)
            state.field_input(field["b1"], where=c1)
            state.field_input(field["b2"], where=c2)
            state.field_input(field["eps"], where=c1)
            state.field_input(field["wd"], where=c2)
            state.field_input(field["mom"], where=c1)
            state.field_input(field["nesterov"], where=c2)
        st.header("Training")
        c1, c2 = st.columns(2)
        state.field_input(field["epochs"], where=c1)
        state.field_input(field["seeds"], where=c2)
        state.field_input(field["batch"], where=c1)
    return chosen


def train(spec) -> Any:
    """The run of ``spec`` (from the store, or trained now with a progress bar by epoch)."""
    bar = st.progress(0.0, text=f"Training {spec.n_models} networks for {spec.epochs} epochs…")

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Training {spec.n_models} networks: epoch {done} of {total}")

    try:
        result = trained(spec, report)
    except ValueError as err:
        bar.empty()
        st.error(f"These settings cannot train: {err}")
        st.stop()
    bar.empty()
    lost = net.diverged(result)
    if lost:
        st.warning("Diverged (its curves stop there; the other runs are unaffected): "
                   + "; ".join(f"{cfg}, seed {seed}, in epoch {epoch}" for cfg, seed, epoch in lost),
                   icon=":material/warning:")
    return result


def _figures_line(result, c: int) -> str:
    f = net.rate_figures(result, c)
    cfg = result.spec.configs[c]
    key = cfg.optimizer
    if key in ("sgd", "momentum"):
        return f"**{label(key)}**: one rate, lr = {cfg.lr:g}, for every parameter"
    parts = [f"**{label(key)}**: p1–p99 spans **{f.decades_p1_p99:.1f} decades**, min–max {f.decades_min_max:.1f}"]
    parts.append(f"{f.share_huge:.1%} of active parameters above {net.HUGE:g}, {f.share_tiny:.1%} below "
                 f"{net.TINY:g}; {f.inactive_share:.1%} inactive (counted apart)")
    if not math.isnan(f.clipped_lower):
        parts.append(f"held at the lower bound {f.clipped_lower:.1%}, at the upper {f.clipped_upper:.1%}")
    return "; ".join(parts)


def fig1(result) -> None:
    """Fig. 1: every adaptive method's sampled rates over training, on one colour scale."""
    adaptive = [c for c, cfg in enumerate(result.spec.configs) if cfg.optimizer not in ("sgd", "momentum")]
    st.subheader("1 · The learning rate of 10 parameters, every step (the paper's Figure 1)")
    if not adaptive:
        st.info("SGD applies one rate, lr, to every parameter. Choose Adam and AdaBound to see Figure 1.")
    else:
        panels = [figures.RatePanel(label(result.spec.configs[c].optimizer), *net.sampled_log_rates(result, c))
                  for c in adaptive[:4]]
        st.plotly_chart(present.style(figures.rate_heatmaps(panels, result.sampled_names)), key="fig1", config=CHART)
        st.caption("Rows: weights from each layer and one last-layer bias, the same positions in every model "
                   "(first seed shown). Colour: log₁₀ lr_eff, one scale for all panels.")
    for c in range(len(result.spec.configs)):
        st.markdown(_figures_line(result, c))


def spread(result) -> None:
    st.subheader("2 · Every parameter's rate, epoch by epoch")
    bands, inactive = [], []
    for c, cfg in enumerate(result.spec.configs):
        s = net.spread(result, c)
        bands.append(figures.Band(label(cfg.optimizer), color_of(cfg.optimizer), s.epochs, s.percentiles,
                                  s.lower, s.upper))
        inactive.append(f"{label(cfg.optimizer)} {s.inactive[-1]:,.0f}")
    st.plotly_chart(figures.spread_figure(bands), key="spread", config=CHART)
    st.caption("Shaded: the middle 80 % (darker) and 98 % of the active parameters' rates, the line their "
               "median; the geometric mean over seeds. Dashed: AdaBound's lower and upper bounds, which close "
               f"on final_lr. Counted apart, never a gradient (v = 0), of {result.params.shape[1]:,} parameters per network: "
               + ", ".join(inactive) + ".")


def histogram(result, page: state.PageState) -> None:
    st.subheader("3 · The rates at one epoch")
    field = next(f for f in page.fields if f.key == "ep")
    epochs = result.spec.epochs
    if int(st.session_state.get("ep") or 0) > epochs:  # a link's epoch beyond this run: its last
        st.session_state["ep"] = 0
    if epochs > 1:
        st.slider("epoch (0: the last)", 0, epochs, key="ep", help=field.help)
    epoch = int(st.session_state.get("ep") or 0) or epochs
    hists = []
    for c, cfg in enumerate(result.spec.configs):
        bounds = None
        if cfg.bounded:
            t = epoch * result.steps_per_epoch - 1
            bounds = (float(result.lower[c, t]), float(result.upper[c, t]))
        hists.append(figures.Hist(label(cfg.optimizer), color_of(cfg.optimizer), net.histogram(result, c, epoch), bounds))
    st.plotly_chart(figures.histogram_figure(result.hist_edges, hists, epoch), key="histogram", config=CHART)


def curves(result) -> None:
    st.subheader("4 · Learning curves")
    sets = []
    for c, cfg in enumerate(result.spec.configs):
        tl, ta = net.curve(result, c, "train_loss"), net.curve(result, c, "test_acc")
        sets.append(figures.CurveSet(label(cfg.optimizer), color_of(cfg.optimizer), tl.epochs,
                                     (tl.mean, tl.low, tl.high), (ta.mean, ta.low, ta.high)))
    st.plotly_chart(figures.curves_figure(sets), key="curves", config=CHART)
    rows = [{"optimizer": r.label, "test accuracy": r.test_acc_mean, "± sd over seeds": r.test_acc_sd,
             "final train loss": r.train_loss, "diverged seeds": r.diverged, "time (s)": r.seconds}
            for r in net.final_rows(result)]
    st.dataframe(rows, hide_index=True, column_config={
        "test accuracy": st.column_config.NumberColumn(format="percent"),
        "± sd over seeds": st.column_config.NumberColumn(format="percent"),
        "final train loss": st.column_config.NumberColumn(format="%.3g"),
        "time (s)": st.column_config.NumberColumn(format="%.2f")})
    st.caption(f"Training time: {result.wall_time:.1f} s for {result.n_models} networks together. On digits the "
               "test accuracies are equal within seed noise (over 8 seeds: Adam 98.4 ± 0.3 %, AdaBound "
               "98.4 ± 0.2 %, SGDM 98.7 ± 0.5 %): no claim about generalisation follows from this data. "
               "The page shows what the optimizers do to the learning rates and to training.")
    st.download_button("curves and rates (CSV)", data=lambda: net.csv_text(result), file_name="network_run.csv",
                       mime="text/csv")


def grid(result, values: dict) -> None:
    st.subheader("5 · final_lr × γ on the network")
    bounded = [c for c in result.spec.configs if c.bounded]
    if not bounded:
        st.info("Choose AdaBound or AMSBound to sweep its final_lr and γ here.")
        return
    spec = net.grid_spec(bounded[0], result.spec, float(values["mom"]), int(values["g_ep"]))
    st.caption(f"{label(bounded[0].optimizer)} at {len(net.GRID_FINAL_LRS)} final_lr × {len(net.GRID_GAMMAS)} γ, and "
               f"SGD(M) at lr = final_lr (the maintainers' advice: compare AdaBound with SGD at that rate), "
               f"{len(spec.seeds)} seeds, {spec.epochs} epochs: {spec.n_models} networks trained together.")
    if st.toggle("run the grid", key="_grid", help="trains the grid now (a few seconds); kept for reuse"):
        g = net.grid_tables(trained(spec, _grid_progress()))
        st.plotly_chart(figures.grid_figure(g.final_lrs, g.gammas, g.test_acc, g.train_loss, g.sgdm_test_acc,
                                            g.sgdm_train_loss, label(bounded[0].optimizer)), key="grid", config=CHART)
    sweep_results()


def sweep_results() -> None:
    """A larger grid run elsewhere (``make sweep``, Ray Tune): its results file, picked from the
    results folder or uploaded, drawn as the grid above. A bad file changes nothing but says why."""
    with st.expander("Load a sweep's results (make sweep, on Ray)"):
        st.caption("A final_lr × γ × seed study too large for a page runs as Ray Tune trials with the same "
                   "training function: `make sweep`, or `python -m nets.sweep --address …` on a cluster. Its "
                   f"results file lands in `{net.RESULTS_FOLDER}/`; pick it, or upload one.")
        files = net.results_files(ROOT)
        picked = st.selectbox("results file", ["—"] + files, key="_sweep_file") if files else "—"
        uploaded = st.file_uploader("or upload one", type=["csv", "parquet"], key="_sweep_upload")
        source = uploaded if uploaded is not None else (ROOT / net.RESULTS_FOLDER / picked if picked != "—" else None)
        if source is None:
            return
        try:
            g = net.sweep_grid(source)
        except ValueError as err:
            st.error(f"This file cannot be drawn: {state.escape_markdown(str(err))}")
            return
        st.plotly_chart(figures.grid_figure(g.final_lrs, g.gammas, g.test_acc, g.train_loss, g.sgdm_test_acc,
                                            g.sgdm_train_loss, "sweep"), key="sweep_grid", config=CHART)


def _grid_progress():
    bar = st.progress(0.0, text="Training the grid…")

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Training the grid: epoch {done} of {total}")
        if done == total:
            bar.empty()

    return report


def finder_section(spec, values: dict) -> None:
    st.subheader("6 · The final_lr finder")
    fspec = finder.network_spec(spec.model, spec.hidden, spec.batch_size, spec.raw_inputs, len(spec.seeds),
                                float(values["b1"]))
    st.caption(f"An LR range test: SGD with momentum β₁ and dampening β₁ (AdaBound's late phase), its rate "
               f"growing from 1e-5 to {fspec.lr_max:g} over {fspec.steps} steps, {len(fspec.seeds)} seeds at once.")
    if not st.toggle("run the finder", key="_finder", help="a few seconds; kept for reuse"):
        return
    with st.spinner("Running the range test…"):
        result = found(fspec)
    m = result.marks
    fig = finder_viz.finder_figure(result.rates, result.median, result.low, result.high,
                                   {"fastest descent": m.fastest, "divergence point": m.divergence}, m.suggested,
                                   color_of("momentum"), label="median over seeds")
    st.plotly_chart(fig, key="finder", config=CHART)
    suggestion = float(round_sig(m.suggested, 2))
    beta1 = float(values["b1"])
    # the page's SGD(M) has dampening 0 (torch's default): lr = final_lr (1 - beta1) takes the very
    # steps of AdaBound's late phase, SGD with momentum beta1 and dampening beta1 at final_lr
    sgdm_lr = float(round_sig(suggestion * (1 - beta1), 2)) if beta1 < 1 else suggestion
    st.markdown(f"**Suggested final_lr = {m.suggested:.3g}**: {m.reason}. The rule is the stable one: on the "
                "2-D landscapes (the final_lr lab) it lands within a factor of 3 of the curvature's limit. For "
                "the fastest training rather than the largest safe rate, the fastest descent is the usual pick.")
    st.button(f"use this: AdaBound at final_lr = {suggestion:g} beside SGD(M) taking the same steps",
              key="_use_finder", on_click=use_suggestion, args=(suggestion, sgdm_lr),
              help=f"SGD(M) here has dampening 0, so its lr = final_lr (1 − β₁) = {sgdm_lr:g} is the rate that "
                   "moves exactly as AdaBound's late phase")


def explanation(chosen: list[str]) -> None:
    with st.expander("What is ours, and how each optimizer moves"):
        st.markdown(
            "**Ours, not the paper's:** scikit-learn's digits (1,797 images of 8×8 pixels, 1,437 to train, 360 "
            "to test, split stratified with a fixed seed), a 64-H-10 MLP or a small CNN, batch 64 and 50 epochs "
            "by default, everything in float64 on the CPU. The paper's Figure 1 and its MNIST run used a "
            "one-hidden-layer network trained for 100 epochs without decay. **lr_eff** is the factor that "
            "multiplies each parameter's step direction; a parameter whose second moment is still 0 "
            "(a weight on a pixel that is blank in every image, a dead unit) would sit at lr/ε, so it is "
            "counted apart.")
        for key in chosen:
            st.markdown(f"**{label(key)}**: {oc.OPTIMIZERS[key].summary}")
            st.latex(oc.OPTIMIZERS[key].latex)
