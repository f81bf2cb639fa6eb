"""The final_lr lab's sweeps and figures: grids, starts, one batched run whose cells equal their
configurations run alone, chunking, caps, summaries over starts, the stability limit, the
playground link, and the figures' traces."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import landscapes
import optim_core as oc
from tests.conftest import ROOT
from runs import fields as params
from runs import lab as sweeps
from viz import sweeps as figures
from viz.colors import color_of

ADABOUND = {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "gamma": 1e-3, "eps": 1e-8, "weight_decay": 0.0}


def small_setup(problem="rosenbrock", optimizer="adabound", steps=200, starts=3, hyper=None, **kw):
    """A few cells on each axis, straddling the stability limit so that some cells diverge."""
    return sweeps.Setup(problem=problem, C=3, optimizer=optimizer,
                        hyper=tuple(sorted((hyper or ADABOUND).items())), starts=starts, seed=1,
                        steps=steps, final_lr=sweeps.Axis("final_lr", 1e-3, 1.0, 6),
                        gamma=sweeps.Axis("gamma", 1e-4, 1e-1, 4), lr=sweeps.Axis("lr", 1e-3, 0.3, 3), **kw)


# ----------------------------------------------------------------------------- grids and starts


def test_axis_is_a_rounded_log_grid():
    axis = sweeps.Axis("final_lr", 1e-4, 10.0, 40)
    v = axis.values()
    assert len(v) == 40 and v[0] == 1e-4 and v[-1] == 10.0
    assert np.all(np.diff(v) > 0)
    ratios = v[1:] / v[:-1]
    np.testing.assert_allclose(ratios, 10 ** (5 / 39), rtol=0.01)  # evenly spaced in log
    assert all(float(f"{x:.3g}") == x for x in v)  # short, exact in a link
    dense = sweeps.Axis("lr", 1.0, 1.001, 30).values()  # rounding would merge these: kept raw
    assert len(np.unique(dense)) == 30


def test_the_default_sweep_is_at_least_the_required_size_and_within_the_caps():
    setup, notes = sweeps.setup_from(sweeps.default_values(), oc.OPTIMIZERS["adabound"].defaults())
    assert notes == []
    assert setup.final_lr.n >= 40 and math.log10(setup.final_lr.high / setup.final_lr.low) >= 4
    assert setup.gamma.n >= 20 and setup.starts + 1 >= 16
    sweep = setup.final_lr_gamma()
    assert sweep.runs >= 40 * 20 * 16 and sweep.steps >= 1000
    for each in setup.sweeps().values():
        sweeps.check_size(each)


@pytest.mark.parametrize("key", ["rosenbrock", "himmelblau", "online:adabound", "online:reddi"])
def test_starts_are_the_default_then_seeded_points_in_the_domain(key):
    problem = sweeps.resolve(key, 3)
    pts = sweeps.start_points(problem, 20, seed=5)
    assert pts.shape == (21, len(problem.intervals()))
    np.testing.assert_array_equal(pts[0], problem.start_point())
    for d, (lo, hi) in enumerate(problem.intervals()):
        assert np.all((pts[:, d] >= lo) & (pts[:, d] <= hi))
    np.testing.assert_array_equal(pts, sweeps.start_points(problem, 20, seed=5))
    assert not np.array_equal(pts[1:], sweeps.start_points(problem, 20, seed=6)[1:])


def test_the_lab_offers_landscapes_with_a_minimum_value_and_the_online_problems():
    problems = sweeps.lab_problems()
    assert "saddle" not in problems and "rosenbrock" in problems
    assert {"online:adabound", "online:reddi"} <= set(problems)
    assert all(landscapes.get(k).min_value is not None for k in problems if not sweeps.is_online(k))


# ----------------------------------------------------------------------------- one batched run


@pytest.mark.parametrize("kind", ["final_lr_gamma", "final_lr_lr", "line"])
@pytest.mark.parametrize("optimizer", ["adabound", "amsbound"])
def test_every_cell_equals_its_configuration_run_alone(kind, optimizer):
    setup = small_setup(optimizer=optimizer)
    sweep = setup.sweeps()[kind]
    gaps = sweeps.run_sweep(sweep)
    assert np.isinf(gaps).any() and np.isfinite(gaps).any()  # the grid straddles the limit
    for g, group in enumerate(sweep.groups):
        per_cell = sweeps.group_gaps(sweep, gaps, g)
        for cell in np.ndindex(*group.shape):
            alone = sweeps.run_cell(sweep, g, cell)
            np.testing.assert_allclose(per_cell[cell], alone, rtol=1e-12, atol=0)
    # and one start at a time (batch of one), for a few cells
    per_cell = sweeps.group_gaps(sweep, gaps, 0)
    for cell in [(0,) * len(sweep.groups[0].shape), tuple(n - 1 for n in sweep.groups[0].shape)]:
        for s in range(sweep.n_starts):
            np.testing.assert_allclose(per_cell[cell][s], sweeps.run_cell(sweep, 0, cell, start=s)[0],
                                       rtol=1e-12, atol=0)


def test_a_cell_is_the_core_run_with_the_cells_hyperparameters():
    """Independent of the sweep code: build the optimizer by hand and run the core."""
    setup = small_setup()
    sweep = setup.final_lr_gamma()
    gaps = sweeps.group_gaps(sweep, sweeps.run_sweep(sweep), 0)
    i, j = 2, 1
    final_lr, gamma = setup.final_lr.values()[i], setup.gamma.values()[j]
    ls = landscapes.get("rosenbrock")
    x0 = sweeps.start_points(ls, setup.starts, setup.seed)
    trace = oc.run(oc.adabound(0.05, final_lr=final_lr, gamma=gamma), ls, x0, setup.steps)
    expected = np.where(trace.diverged, np.inf, trace.final_loss - ls.min_value)
    np.testing.assert_allclose(gaps[i, j], np.maximum(expected, 0.0), rtol=1e-12, atol=0)


def test_an_online_sweep_measures_the_average_functions_gap():
    setup = small_setup(problem="online:adabound", steps=300,
                        hyper={**ADABOUND, "beta1": 0.0, "beta2": 0.04, "lr": 0.1})
    sweep = setup.final_lr_gamma()
    gaps = sweeps.run_sweep(sweep)
    problem = sweeps.resolve("online:adabound", 3)
    cell = (3, 3)
    np.testing.assert_allclose(sweeps.group_gaps(sweep, gaps, 0)[cell], sweeps.run_cell(sweep, 0, cell),
                               rtol=1e-12, atol=0)
    # the gap is clip(x, 0, 1) / C at the final x: zero on the optimal side
    values = sweep.groups[0].cell_values(cell)
    x0 = sweeps.start_points(problem, setup.starts, setup.seed)
    x = oc.run(oc.adabound(**_factory(values)), problem, x0, setup.steps).final_positions[:, 0]
    np.testing.assert_allclose(sweeps.group_gaps(sweep, gaps, 0)[cell], np.clip(x, 0, 1) / 3, rtol=1e-12)
    assert np.all(np.isfinite(gaps)) and np.all(gaps >= 0)


def _factory(values):
    v = dict(values)
    return {"lr": v.pop("lr"), "betas": (v.pop("beta1"), v.pop("beta2")), **v}


def test_chunks_cover_the_batch_and_give_the_same_numbers(monkeypatch):
    sweep = small_setup().final_lr_gamma()
    whole = sweeps.run_sweep(sweep)
    assert sweeps.chunks(sweep) == [(0, sweep.runs)]
    monkeypatch.setattr(sweeps, "CHUNK_RUNS", 7)
    parts = sweeps.chunks(sweep)
    assert len(parts) > 3 and parts[0][0] == 0 and parts[-1][1] == sweep.runs
    assert all(b == c for (_, b), (c, _) in zip(parts, parts[1:]))
    assert all(b - a <= 7 for a, b in parts)
    heard = []
    chunked = sweeps.run_sweep(sweep, progress=lambda done, total: heard.append((done, total)))
    np.testing.assert_array_equal(chunked, whole)
    done = [d for d, _ in heard]
    assert done == sorted(done) and heard[-1] == (sweep.run_steps, sweep.run_steps)
    assert [d for d in done if d % sweep.steps == 0 and d // sweep.steps in {b for _, b in parts}] == \
        [b * sweep.steps for _, b in parts]  # each chunk's end is heard


def test_pauses_are_the_round_steps_the_last_check_and_progress():
    assert sweeps.pauses(0, 1000, 12_800) == list(range(100, 1001, 100))
    assert sweeps.pauses(1000, 1100, 12_800) == [1100]
    assert sweeps.pauses(700, 799, 12_800) == [799]
    # 16 million run-steps are 1,200 steps of 12,800 runs: a report at 1,200 and 2,400
    assert sweeps.pauses(0, 2345, 12_800) == [*range(100, 1001, 100), 1200, 2000, 2300, 2345]
    assert sweeps.pauses(0, 50, 10) == [50]
    assert all(sweeps.kept(t) for t in (100, 900, 1000, 3000, 10_000)) and not sweeps.kept(1100)


class CoreCalls:
    """Spy on the core's runs: ``(steps, resumed from)`` of each call."""

    def __init__(self, monkeypatch):
        self.calls, real = [], oc.run

        def run(optimizer, problem, x0, steps, **kw):
            resume = kw.get("resume")
            self.calls.append((steps, None if resume is None else resume.t))
            return real(optimizer, problem, x0, steps, **kw)

        monkeypatch.setattr(sweeps.oc, "run", run)


@pytest.mark.parametrize("which", ["final_lr_gamma", "line"])
def test_a_new_horizon_goes_on_from_the_kept_states(which, monkeypatch):
    """The numbers are those of the cells run alone in one go (the oracle: the core from the
    start), while the core only runs the steps that no kept state covers."""
    carries = sweeps.Carries(2**30)
    spy = CoreCalls(monkeypatch)
    first = getattr(small_setup(steps=250), which)()
    key = sweeps.Carries.key(first, 0, first.runs)
    sweeps.run_rows(first, 0, first.runs, carries)
    assert spy.calls == [(100, None), (100, 100), (50, 200)]
    for steps, calls in [(420, [(100, 200), (100, 300), (20, 400)]), (300, []),
                         (799, [(100, 400), (100, 500), (100, 600), (99, 700)])]:
        spy.calls.clear()
        sweep = getattr(small_setup(steps=steps), which)()
        assert sweeps.Carries.key(sweep, 0, sweep.runs) == key
        gaps = sweeps.run_rows(sweep, 0, sweep.runs, carries)
        assert spy.calls == calls, steps
        if steps == 420:  # 300 and 799 come from states this run kept
            assert carries.latest(key, 799).t == 400
        for g, group in enumerate(sweep.groups):
            cells = sweeps.group_gaps(sweep, gaps, g).reshape(-1, sweep.n_starts)
            for i, cell in enumerate(np.ndindex(*group.shape)):
                np.testing.assert_array_equal(cells[i], sweeps.run_cell(sweep, g, cell), err_msg=f"{steps} {cell}")
    assert np.isinf(gaps).any() and np.isfinite(gaps).any()  # some runs diverge, some do not


def test_kept_states_are_bounded_by_bytes():
    sweep = small_setup(steps=300).final_lr_gamma()
    one = 0
    probe = sweeps.Carries(2**30)
    sweeps.run_rows(sweep, 0, sweep.runs, probe)
    one = probe.store.bytes // len(probe.store)
    small = sweeps.Carries(2 * one)
    sweeps.run_rows(sweep, 0, sweep.runs, small)
    assert len(small.store) == 2 and small.store.bytes <= 2 * one
    key = sweeps.Carries.key(sweep, 0, sweep.runs)
    assert small.latest(key, 300).t == 300 and small.latest(key, 199) is None  # the oldest went first


def test_a_chunk_that_spans_groups_is_one_stacked_run(monkeypatch):
    sweep = small_setup().line()
    whole = sweeps.run_sweep(sweep)
    edges = sweep.group_rows()
    across = sweeps.run_rows(sweep, edges[0][1] - 2, edges[1][0] + 3)  # two AdaBound rows, three SGD(M)
    np.testing.assert_array_equal(across, whole[edges[0][1] - 2: edges[1][0] + 3])


def test_oversized_sweeps_are_refused_with_a_clear_message():
    setup = small_setup()
    big = sweeps.Setup(setup.problem, 3, "adabound", setup.hyper, 63, 0, 10_000,
                       sweeps.Axis("final_lr", 1e-4, 10, 80), sweeps.Axis("gamma", 1e-5, 0.1, 40),
                       setup.lr)
    with pytest.raises(sweeps.SweepTooLarge, match=r"80 x 40 cells x 64 starts = 204,800 runs x 10,000 steps"):
        sweeps.run_sweep(big.final_lr_gamma())
    with pytest.raises(sweeps.SweepTooLarge, match="fewer grid values, fewer starts or a shorter horizon"):
        sweeps.check_size(big.line(), "The line view")


def test_a_short_wide_sweep_is_cut_by_runs_too():
    setup = small_setup(steps=1, starts=63)
    wide = sweeps.Setup(setup.problem, 3, "adabound", setup.hyper, 63, 0, 1,
                        sweeps.Axis("final_lr", 1e-4, 10, 80), sweeps.Axis("gamma", 1e-5, 0.1, 40), setup.lr)
    sweep = wide.final_lr_gamma()
    assert all(b - a <= sweeps.CHUNK_RUNS for a, b in sweeps.chunks(sweep))


# ----------------------------------------------------------------------------- summaries


def test_cell_statistics_treat_divergence_as_an_infinite_gap():
    sweep = sweeps.Sweep("sphere", 3, 3, 0, 10, (sweeps.Group("adabound", (), (sweeps.Axis("final_lr", 0.1, 1, 3),)),))
    gaps = np.array([1, 2, 3, 4,  # no divergence
                     1, 2, np.inf, np.inf,  # half diverged: the median start (the 2nd) did not
                     1, np.inf, np.inf, np.inf], dtype=float)  # most diverged
    stats = sweeps.cell_stats(sweep, gaps, 0)
    np.testing.assert_array_equal(stats.median, [2, 2, np.inf])
    np.testing.assert_array_equal(stats.lower, [1, 1, 1])
    np.testing.assert_array_equal(stats.upper, [3, np.inf, np.inf])
    np.testing.assert_array_equal(stats.diverged_share, [0, 0.5, 0.75])


def test_nearest_cell_maps_a_click_back_to_its_configuration():
    group = small_setup().final_lr_gamma().groups[0]
    fl, g = group.axes[0].values(), group.axes[1].values()
    for i in range(len(fl)):
        for j in range(len(g)):
            assert sweeps.nearest_cell(group, (fl[i] * 1.05, g[j] / 1.05)) == (i, j)


# ----------------------------------------------------------------------------- stability limit


def test_the_stability_limit_uses_the_curvature_at_the_nearest_minimum():
    rosen = landscapes.get("rosenbrock")
    L = (1002 + math.sqrt(1002**2 - 4 * 400)) / 2  # Hessian [[802, -400], [-400, 200]] at (1, 1): trace, det
    limit = sweeps.stability_limit(rosen, 0.9)
    assert limit.minimum == (1.0, 1.0)
    assert limit.curvature == pytest.approx(L, rel=1e-6)
    assert limit.final_lr == pytest.approx(2 * 1.9 / (0.1 * L), rel=1e-6)
    assert oc.max_stable_lr(L, 0.9, 0.0) == pytest.approx(2 * 1.9 / L, rel=1e-12)
    himmelblau = sweeps.stability_limit(landscapes.get("himmelblau"), 0.9)
    start = np.array(landscapes.get("himmelblau").start)
    dists = [np.hypot(*(np.array(m) - start)) for m in landscapes.get("himmelblau").minima]
    assert himmelblau.minimum == landscapes.get("himmelblau").minima[int(np.argmin(dists))]
    assert sweeps.stability_limit(sweeps.resolve("online:reddi", 3), 0.0) is None


@pytest.mark.parametrize("dampening", ["beta1", "zero"])
def test_sgd_momentum_diverges_just_past_its_limit_and_not_just_below(dampening):
    """On the sphere (curvature 2 everywhere) the limit is exact: 1 % either side decides."""
    sphere = landscapes.get("sphere")
    beta1 = 0.9
    tau = beta1 if dampening == "beta1" else 0.0
    limit = sweeps.stability_limit(sphere, beta1, tau).final_lr
    lr = np.array([[limit * 0.99], [limit * 1.01]])
    x0 = np.tile(sphere.start, (2, 1))
    trace = oc.run(oc.sgd(lr, momentum=beta1, dampening=tau), sphere, x0, 4000, record_every=4000)
    assert list(trace.diverged) == [False, True]


def test_the_band_floor_boundary_is_where_the_last_lower_bound_meets_the_limit():
    gammas = np.array([1e-5, 1e-3, 0.1])
    at = oc.band_floor_limit(0.04, gammas, 1000)
    np.testing.assert_allclose(oc.lower_bound(at, gammas, 1000), 0.04, rtol=1e-12)
    assert np.all(at > 0.04) and np.all(np.diff(at) < 0)  # wider band at the end: further right


# ----------------------------------------------------------------------------- the playground link


def test_a_cells_link_opens_exactly_that_configuration_on_the_playground():
    from ui.playground_state import fields as playground_fields

    setup = small_setup(sgdm_dampening="zero")
    sweep = setup.final_lr_gamma()
    values = sweep.groups[0].cell_values((4, 2))
    query = playground_query(setup, values)
    parsed, notes = params.parse(playground_fields(), query)
    assert notes == []
    parsed = {**{f.key: f.default for f in playground_fields()}, **parsed}  # a link leaves defaults out
    assert parsed["ls"] == "rosenbrock" and parsed["opt"] == ["adabound", "momentum", "adam"]
    assert (parsed["x0"], parsed["y0"]) == landscapes.get("rosenbrock").start
    assert parsed["T"] == setup.steps
    assert parsed["adabound.final_lr"] == values["final_lr"] and parsed["adabound.gamma"] == values["gamma"]
    assert parsed["adabound.lr"] == ADABOUND["lr"]
    assert parsed["momentum.lr"] == values["final_lr"]
    assert "momentum.dampening" not in query  # 0 is torch's default: a link leaves it out
    assert parsed["adam.lr"] == ADABOUND["lr"]
    assert "adabound.beta1" not in query  # library defaults stay out of the link
    ams = playground_query(small_setup(optimizer="amsbound"), values)
    assert ams["opt"] == "amsbound,momentum,amsgrad" and ams["momentum.dampening"] == "0.9"
    assert sweeps.playground_runs(small_setup(problem="online:adabound"), values) is None


def playground_query(setup, values):
    """The link the lab's heat map opens for a clicked cell."""
    from ui.playground_state import link_query

    start = sweeps.resolve(setup.problem).start_point()
    return link_query(setup.problem, sweeps.playground_runs(setup, values), start, setup.steps)


# ----------------------------------------------------------------------------- figures


def _heatmap(limit_x=0.04, boundary=True):
    setup = small_setup()
    sweep = setup.final_lr_gamma()
    stats = sweeps.cell_stats(sweep, sweeps.run_sweep(sweep), 0)
    fl, g = setup.final_lr.values(), setup.gamma.values()
    bnd = figures.Boundary(oc.band_floor_limit(limit_x, g, setup.steps), g, "floor") if boundary else None
    fig = figures.heatmap_figure(fl, g, stats.median, stats.diverged_share, x_title="final_lr", y_title="γ",
                                 x_name="final_lr", y_name="gamma", gap_title="median f − f*",
                                 n_starts=sweep.n_starts, limit=figures.Limit(limit_x, "limit"), boundary=bnd)
    return fig, stats, fl, g


def test_the_heat_map_has_log_axes_log_colour_and_marks_diverged_cells():
    fig, stats, fl, g = _heatmap()
    heat = fig.data[0]
    assert heat.type == "heatmap"
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (len(g), len(fl))
    diverged = ~np.isfinite(stats.median.T)
    assert diverged.any() and (~diverged).any()
    assert np.all(np.isnan(z[diverged]))
    np.testing.assert_allclose(z[~diverged], np.log10(np.maximum(stats.median.T[~diverged], 1e-16)))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert all(t.startswith("10") or t.startswith("≥") for t in heat.colorbar.ticktext)
    marks = next(t for t in fig.data if t.name.startswith("diverged (over half"))
    grey = next(t for t in fig.data if t.name == "diverged cells")
    assert np.array_equal(np.isfinite(np.asarray(grey.z, dtype=float)), diverged)
    assert len(marks.x) == diverged.sum()
    cells = next(t for t in fig.data if t.name == "cells")
    assert len(cells.x) == len(fl) * len(g) and "playground" in cells.hovertemplate
    limit = next(t for t in fig.data if t.name == "limit")
    assert list(limit.x) == [0.04, 0.04]
    floor = next(t for t in fig.data if t.name == "floor")
    assert np.all(np.asarray(floor.x) >= 0.04)


def test_a_limit_off_the_grid_is_an_arrow_at_the_edge_not_a_line():
    fig, *_ = _heatmap(limit_x=50.0, boundary=False)
    assert not any(t.name == "limit" for t in fig.data)
    assert "right of the grid" in fig.layout.annotations[0].text


def test_the_line_view_uses_each_optimizers_colour_and_a_flat_reference():
    setup = small_setup()
    sweep = setup.line()
    gaps = sweeps.run_sweep(sweep)
    stats = [sweeps.cell_stats(sweep, gaps, i) for i in range(3)]
    x = setup.final_lr.values()
    curves = [figures.Curve("adabound", "AdaBound", x, *stats[0][:3]),
              figures.Curve("momentum", "SGD(M)", x, *stats[1][:3]),
              figures.Curve("adam", "Adam", None, *stats[2][:3])]
    fig = figures.line_figure(curves, (1e-3, 1.0), x_title="final_lr", gap_title="gap",
                              limits=[figures.Limit(0.04, "limit")])
    named = {t.name: t for t in fig.data if t.name}
    for key, label in (("adabound", "AdaBound"), ("momentum", "SGD(M)"), ("adam", "Adam")):
        assert named[label].line.color == color_of(key)
        assert named[f"{label} quartiles"].fill == "tonexty"
    assert list(named["Adam"].x) == [1e-3, 1.0] and named["Adam"].y[0] == named["Adam"].y[1]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    dead = ~np.isfinite(stats[0].median)
    assert dead.any()
    assert len(named["AdaBound diverged"].x) == dead.sum()
    y = np.asarray(named["AdaBound"].y, dtype=float)
    assert np.all(np.isnan(y[dead])) and np.all(np.isfinite(y[~dead]))


def test_the_lab_computations_and_figures_do_not_import_streamlit():
    code = ("import sys, runs.lab, viz.sweeps; "
            "assert 'streamlit' not in sys.modules, 'streamlit imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_lab_benchmark_runs_end_to_end():
    """A smoke run of bench.lab (its timings are printed, never asserted)."""
    from bench.lab import main

    figures = main(["--quick"])
    for key in ("batched_s", "one_config_total_s", "one_run_total_s"):
        assert isinstance(figures[key], float) and figures[key] > 0
    assert figures["runs"] == figures["cells"] * figures["starts"]
