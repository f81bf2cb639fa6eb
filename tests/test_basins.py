"""Basin maps: the lean loop against the driver (itself tested against torch.optim), hand-derived
steps on the sphere and the saddle, the classes on Himmelblau, clicks, captions and the figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optim_core as oc
from runs import basins
from viz import basins as vb
from viz.colors import OPTIMIZER_COLORS


def grid_starts(bm: basins.BasinMap) -> np.ndarray:
    return np.stack(np.meshgrid(bm.xs, bm.ys), axis=-1).reshape(-1, 2)


def first_entry(positions: np.ndarray, minima, tolerance: float) -> np.ndarray:
    """(T+1, B, 2) -> (B,): the first k with positions[k] within tolerance of a minimum, -1 if never."""
    dist = np.min([np.linalg.norm(positions - np.asarray(m), axis=-1) for m in minima], axis=0)
    near = dist <= tolerance
    return np.where(near.any(axis=0), near.argmax(axis=0), -1)


# ----------------------------------------------------------------------------- against the driver


CASES = [  # (landscape, optimizer, values, schedule): a divergent case, bounded, momentum, schedules
    ("himmelblau", "sgd", {"lr": 0.03}, oc.CONSTANT),
    ("himmelblau", "adam", {"lr": 0.5}, oc.Schedule("cosine", period=120)),
    ("rosenbrock", "momentum", {"lr": 2e-3}, oc.Schedule("step", step_size=40, decay=0.5)),
    ("goldstein_price", "adabound", {"lr": 0.05, "final_lr": 0.01}, oc.Schedule("warmup", warmup_steps=20)),
    ("six_hump_camel", "rmsprop", {"lr": 0.05, "centered": True}, oc.CONSTANT),
    ("saddle", "nesterov", {"lr": 0.1}, oc.CONSTANT),
]


@pytest.mark.parametrize("ls_key, opt_key, values, schedule", CASES)
def test_every_run_is_the_drivers_run_bit_for_bit(ls_key, opt_key, values, schedule):
    steps = 150
    bm = basins.basin_map(ls_key, opt_key, values, resolution=9, steps=steps, schedule=schedule)
    landscape = landscapes.get(ls_key)
    trace = oc.run(oc.OPTIMIZERS[opt_key].build(values), landscape, grid_starts(bm), steps,
                   schedule=schedule)
    np.testing.assert_array_equal(bm.final_positions.reshape(-1, 2), trace.final_positions)
    np.testing.assert_array_equal(bm.diverged_at.ravel(), trace.diverged_at)
    assert np.array_equal(bm.outcome.ravel() == basins.DIVERGED, trace.diverged)
    if landscape.minima:
        np.testing.assert_array_equal(bm.steps_to_tol.ravel(),
                                      first_entry(trace.positions, landscape.minima, bm.tolerance))


def test_some_cases_diverge_so_the_freeze_rule_is_exercised():
    bm = basins.basin_map("himmelblau", "sgd", {"lr": 0.03}, resolution=9, steps=150)
    assert 0 < (bm.outcome == basins.DIVERGED).sum() < bm.outcome.size


class CliffProblem:
    """x^2 + y^2, whose loss (not its gradient) is infinite beyond x = 1: only the driver's loss
    rule, not its box, can freeze a run here."""

    def loss(self, x, t):
        return np.where(x[:, 0] > 1.0, np.inf, (x * x).sum(axis=1))

    def gradient(self, x, t):
        return np.full_like(x, -1.0)  # walks every run towards +x


def test_the_loss_rule_freezes_as_in_the_driver():
    x0 = np.array([[0.0, 0.0], [0.55, 1.0], [0.95, -2.0], [-3.0, 0.5]])
    opt = oc.sgd(0.1)
    ends = basins.endpoints(opt, CliffProblem(), x0, 30, lambda x: np.zeros(len(x), bool))
    trace = oc.run(opt, CliffProblem(), x0, 30)
    np.testing.assert_array_equal(ends.final_positions, trace.final_positions)
    np.testing.assert_array_equal(ends.diverged_at, trace.diverged_at)
    # by hand: x moves by 0.1 a step and is frozen on the step that takes it beyond 1
    np.testing.assert_array_equal(ends.diverged_at, [11, 5, 1, -1])
    np.testing.assert_array_equal(ends.first_within, [-1, -1, -1, -1])


def test_a_stacked_batch_gives_the_same_endpoints_as_one_optimizer_at_a_time():
    landscape = landscapes.get("himmelblau")
    x0 = np.random.default_rng(3).uniform(-5, 5, (50, 2))
    within = basins.NearMinima(landscape.minima, 0.01)
    sgd, adam = oc.sgd(0.01), oc.adam(0.3)
    stacked = basins.endpoints(oc.stack([(sgd, 50), (adam, 50)]), landscape, np.vstack([x0, x0]), 80, within)
    for i, opt in enumerate((sgd, adam)):
        alone = basins.endpoints(opt, landscape, x0, 80, within)
        part = slice(50 * i, 50 * (i + 1))
        np.testing.assert_array_equal(stacked.final_positions[part], alone.final_positions)
        np.testing.assert_array_equal(stacked.first_within[part], alone.first_within)


def test_side_by_side_maps_are_each_optimizers_map_alone():
    configs = [("sgd", {"lr": 0.03}), ("adam", {"lr": 0.5}), ("momentum", {"lr": 0.01})]  # sgd diverges
    together = basins.basin_maps("himmelblau", configs, resolution=10, steps=120)
    for (key, values), bm in zip(configs, together):
        alone = basins.basin_map("himmelblau", key, values, resolution=10, steps=120)
        for name in ("outcome", "steps_to_tol", "final_positions", "diverged_at"):
            np.testing.assert_array_equal(getattr(bm, name), getattr(alone, name), err_msg=f"{key} {name}")
    with pytest.raises(ValueError, match="at least one"):
        basins.basin_maps("himmelblau", [])


# ----------------------------------------------------------------------------- hand-derived


def test_sgd_on_the_sphere_reaches_the_minimum_in_the_hand_derived_number_of_steps():
    # x_t = (1 - 2 lr)^t x_0, so |x_t| = r q^t with q = |1 - 2 lr|: the first t with r q^t <= tol
    lr, steps = 0.1, 200
    bm = basins.basin_map("sphere", "sgd", {"lr": lr}, resolution=8, steps=steps)
    tol = 1e-3 * math.hypot(4.0, 4.0)  # the sphere's domain is [-2, 2]^2
    assert bm.tolerance == pytest.approx(tol, rel=1e-15)
    assert np.all(bm.outcome == 0) and bm.labels == ("m1",)
    q = abs(1 - 2 * lr)
    checked = 0
    for i, y in enumerate(bm.ys):
        for j, x in enumerate(bm.xs):
            r = math.hypot(x, y)
            t = math.ceil(math.log(tol / r) / math.log(q))
            # skip a start whose crossing lies within rounding of the tolerance (none on this grid)
            if abs(r * q**t / tol - 1) < 1e-9 or abs(r * q ** (t - 1) / tol - 1) < 1e-9:
                continue
            assert bm.steps_to_tol[i, j] == t, (x, y)
            checked += 1
    assert checked == 64
    # two by hand: from r = 0.25 sqrt 2, log(tol / r) / log 0.8 = 18.5 -> 19; from 1.75 sqrt 2, 27.3 -> 28
    assert bm.steps_to_tol[3, 3] == 19 and bm.steps_to_tol[0, 0] == 28


def test_an_explicit_tolerance_and_a_start_on_the_minimum():
    # resolution 5 on [-2, 2]: the centre cell starts at the minimum itself, so 0 steps
    bm = basins.basin_map("sphere", "sgd", {"lr": 0.25}, resolution=5, steps=10, tolerance=0.12)
    assert bm.tolerance == 0.12 and bm.steps_to_tol[2, 2] == 0
    # lr 0.25 halves |x| each step: from r = 0.8, 0.8 / 2^t <= 0.12 first at t = 3 (0.1); from
    # r = 0.8 sqrt 2, at t = 4 (0.071, after 0.141)
    assert bm.steps_to_tol[2, 3] == 3 and bm.steps_to_tol[3, 3] == 4


def test_a_huge_learning_rate_diverges_where_the_box_says():
    # lr 10 on the sphere: x_t = (-19)^t x_0; the run is frozen on the first step with
    # max(|x|, |y|) 19^t > 1e8, at its previous iterate
    bm = basins.basin_map("sphere", "sgd", {"lr": 10.0}, resolution=4, steps=50)
    assert np.all(bm.outcome == basins.DIVERGED)
    for i, y in enumerate(bm.ys):
        for j, x in enumerate(bm.xs):
            m = max(abs(x), abs(y))
            t = math.floor(math.log(oc.DEFAULT_BOX / m) / math.log(19)) + 1
            assert bm.diverged_at[i, j] == t
            np.testing.assert_allclose(bm.final_positions[i, j], np.array([x, y]) * (-19.0) ** (t - 1),
                                       rtol=1e-12)


def test_himmelblau_with_a_stable_sgd_shows_all_four_basins():
    # the largest curvature at Himmelblau's minima is about 134 (at m3), so lr 0.01 < 2/134 converges
    bm = basins.basin_map("himmelblau", "sgd", {"lr": 0.01}, resolution=24, steps=400)
    assert bm.labels == ("m1", "m2", "m3", "m4")
    counts = {s.label: s.share for s in basins.shares(bm)}
    assert all(counts[f"m{k}"] > 0.1 for k in range(1, 5))
    minima = np.asarray(landscapes.get("himmelblau").minima)
    for k in range(4):  # each class ends at its own minimum
        ends = bm.final_positions[bm.outcome == k]
        assert np.all(np.linalg.norm(ends - minima[k], axis=1) <= bm.tolerance)
        # and the start nearest each minimum stays in that minimum's basin
        row, col = basins.cell_of(bm, *minima[k])
        assert bm.outcome[row, col] == k


def test_a_landscape_without_minima_classifies_by_the_gradient_norm():
    # saddle x^2 - y^2 with lr 0.25: x halves each step, y grows by 1.5; grid centres include 0
    bm = basins.basin_map("saddle", "sgd", {"lr": 0.25}, resolution=5, steps=100)
    assert bm.labels == (basins.STATIONARY,) and bm.minima.shape == (0, 2)
    on_axis = bm.ys == 0.0
    assert np.all(bm.outcome[~on_axis] == basins.DIVERGED)
    assert np.all(bm.outcome[on_axis] == 0)
    # |grad| = 2 |x| / 2^t <= 1e-4: from |x| = 1.6, t = 15; from |x| = 0.8, t = 14; at 0, t = 0
    np.testing.assert_array_equal(bm.steps_to_tol[on_axis][0], [15, 14, 0, 14, 15])
    assert "stationary point" in basins.caption(bm)


# ----------------------------------------------------------------------------- reading a map


def tiny_map(outcome, labels=("m1", "m2")) -> basins.BasinMap:
    outcome = np.asarray(outcome, dtype=np.int8)
    h, w = outcome.shape
    return basins.BasinMap(
        np.arange(w, dtype=float), np.arange(h, dtype=float) * 2.0, outcome,
        np.where(outcome >= 0, 7, -1).astype(np.int32), np.zeros((h, w, 2)),
        np.where(outcome == -2, 3, -1).astype(np.int32), np.array([[0.0, 0.0], [1.0, 1.0]]),
        labels, 0.1, 10)


def test_shares_and_caption_count_each_outcome():
    bm = tiny_map([[0, 0, 1, -1], [-2, 0, 1, 0]])
    got = basins.shares(bm)
    assert [(s.code, s.label) for s in got] == [(0, "m1"), (1, "m2"), (-1, "not converged"), (-2, "diverged")]
    assert [s.share for s in got] == [4 / 8, 2 / 8, 1 / 8, 1 / 8]
    assert basins.caption(bm) == "m1 50% · m2 25% · not converged 12% · diverged 12%"
    many = tiny_map(np.r_[np.zeros(999), [-2]].reshape(20, 50).astype(int))
    assert basins.caption(many).endswith("diverged <1%")


def test_start_at_maps_a_click_to_the_nearest_grid_start():
    bm = basins.basin_map("sphere", "sgd", {"lr": 0.1}, resolution=4, steps=5)
    np.testing.assert_array_equal(bm.xs, [-1.5, -0.5, 0.5, 1.5])  # cell centres of [-2, 2]
    assert basins.start_at(bm, 0.1, -1.9) == (0.5, -1.5)
    assert basins.start_at(bm, -0.5, 0.5) == (-0.5, 0.5)  # a start maps to itself
    assert basins.start_at(bm, 10.0, -10.0) == (1.5, -1.5)  # off the grid: the nearest edge cell
    assert basins.cell_of(bm, 0.4, 1.2) == (3, 2)
    with pytest.raises(ValueError, match="finite"):
        basins.start_at(bm, float("nan"), 0.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(resolution=1), "resolution"), (dict(resolution=401), "resolution"),
    (dict(resolution=20.5), "resolution"), (dict(steps=0), "steps"),
    (dict(tolerance=0.0), "tolerance"), (dict(tolerance=float("nan")), "tolerance"),
])
def test_invalid_settings_raise_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        basins.basin_map("sphere", "sgd", {"lr": 0.1}, **kwargs)


# ----------------------------------------------------------------------------- the figure


def color_at(axis: dict, z: float) -> str:
    """The colour a stepped colour scale gives z: the stop pair whose interval holds it."""
    frac = (z - axis["cmin"]) / (axis["cmax"] - axis["cmin"])
    scale = axis["colorscale"]
    for (lo, c_lo), (hi, c_hi) in zip(scale[:-1], scale[1:]):
        if lo <= frac <= hi and c_lo == c_hi and lo < hi:
            return c_lo
    raise AssertionError(f"z = {z} falls on no flat step of the scale")


@pytest.fixture(scope="module")
def two_maps():
    return basins.basin_maps("himmelblau", [("sgd", {"lr": 0.01}), ("adam", {"lr": 0.5})],
                             resolution=30, steps=200)


def test_viz_reads_the_same_outcome_codes():
    assert (vb.NOT_CONVERGED, vb.DIVERGED, vb.NEVER) == (basins.NOT_CONVERGED, basins.DIVERGED, basins.NEVER)


def test_the_figure_has_one_panel_per_optimizer_with_equal_scales(two_maps):
    landscape = landscapes.get("himmelblau")
    fig = vb.basin_figure(landscape, [("SGD", two_maps[0]), ("Adam", two_maps[1])])
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [(t.xaxis, t.yaxis) for t in heatmaps] == [("x", "y"), ("x2", "y2")]
    assert [a.text for a in fig.layout.annotations] == ["SGD", "Adam"]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis2.scaleanchor == "x2"
    assert fig.layout.yaxis.scaleratio == 1 and fig.layout.yaxis2.scaleratio == 1
    np.testing.assert_allclose(fig.layout.xaxis.range, [-5, 5])  # the cells tile the domain
    np.testing.assert_allclose(fig.layout.yaxis2.range, [-5, 5])
    assert heatmaps[0].z.dtype == np.int8  # a small payload
    assert len(fig.to_json()) < 400_000
    for col in ("x", "x2"):  # the minima, labelled, on each panel
        marks = [t for t in fig.data if t.name == "minima" and t.xaxis == col]
        assert len(marks) == 1 and list(marks[0].text) == ["m1", "m2", "m3", "m4"]


def test_each_outcome_gets_its_colour(two_maps):
    fig = vb.basin_figure(landscapes.get("himmelblau"), [("SGD", two_maps[0])])
    axis = fig.layout.coloraxis.to_plotly_json()
    assert [color_at(axis, code) for code in (0, 1, 2, 3)] == list(vb.BASIN_COLORS[:4])
    assert color_at(axis, basins.NOT_CONVERGED) == vb.NOT_CONVERGED_COLOR
    assert color_at(axis, basins.DIVERGED) == "#000000"
    palette = {c.lower() for c in vb.BASIN_COLORS}
    assert len(palette) == len(vb.BASIN_COLORS)
    assert not palette & {c.lower() for c in OPTIMIZER_COLORS.values()}
    assert not palette & {vb.NOT_CONVERGED_COLOR.lower(), "#000000"}
    legend = [(t.name, t.marker.color) for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert legend == [("m1 (3, 2)", vb.BASIN_COLORS[0]), ("m2 (-2.81, 3.13)", vb.BASIN_COLORS[1]),
                      ("m3 (-3.78, -3.28)", vb.BASIN_COLORS[2]), ("m4 (3.58, -1.85)", vb.BASIN_COLORS[3]),
                      ("not converged", vb.NOT_CONVERGED_COLOR), ("diverged", "#000000")]


def test_the_steps_view_colours_never_grey_and_diverged_black():
    bm = basins.basin_map("sphere", "sgd", {"lr": 0.1}, resolution=6, steps=40)
    never = bm._replace(steps_to_tol=np.full_like(bm.steps_to_tol, basins.NEVER))
    gone = bm._replace(outcome=np.full_like(bm.outcome, basins.DIVERGED))
    for m, colour in ((never, vb.NOT_CONVERGED_COLOR), (gone, "#000000")):
        fig = vb.basin_figure(landscapes.get("sphere"), [("SGD", m)], view="steps")
        axis = fig.layout.coloraxis.to_plotly_json()
        z = np.asarray(fig.data[0].z)
        assert {color_at(axis, v) for v in np.unique(z)} == {colour}
    fig = vb.basin_figure(landscapes.get("sphere"), [("SGD", bm)], view="steps")
    axis = fig.layout.coloraxis.to_plotly_json()
    # reached cells are on the continuous part, more steps further up it
    z = np.asarray(fig.data[0].z)
    order = np.argsort(bm.steps_to_tol.ravel(), kind="stable")
    assert np.all(np.diff(z.ravel()[order]) >= 0) and z.min() >= 0
    labels = dict(zip(axis["colorbar"]["ticktext"], axis["colorbar"]["tickvals"]))
    assert labels["1"] < labels["10"] < labels["40"] and labels["diverged"] < labels["never"] < labels["0"]


def test_clicks_land_on_grid_starts_and_hover_names_their_outcome(two_maps):
    bm = two_maps[1]
    fig = vb.basin_figure(landscapes.get("himmelblau"), [("Adam", bm)], click_cells=10)
    clicks = [t for t in fig.data if t.name == "Adam starts"]
    assert sum(len(t.x) for t in clicks) == 10 * 10  # 30 cells a side, every third
    for trace in clicks:
        for x, y, steps in zip(trace.x, trace.y, trace.customdata):
            sx, sy = basins.start_at(bm, x, y)
            assert (abs(sx - x), abs(sy - y)) < (1e-6, 1e-6)  # float32 of a start
            row, col = basins.cell_of(bm, x, y)
            code = int(bm.outcome[row, col])
            assert f"→ {vb.outcome_text(bm.labels, bm.minima, code)}<br>" in trace.hovertemplate
            assert steps == bm.steps_to_tol[row, col]
            assert ("never within" in trace.hovertemplate) == (steps < 0)


def test_a_figure_without_minima_and_bad_views():
    bm = basins.basin_map("saddle", "sgd", {"lr": 0.25}, resolution=5, steps=30)
    fig = vb.basin_figure(landscapes.get("saddle"), [("SGD", bm)])
    assert not [t for t in fig.data if t.name == "minima"]
    legend = [t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert legend == ["stationary point", "not converged", "diverged"]
    with pytest.raises(ValueError, match="view"):
        vb.basin_figure(landscapes.get("saddle"), [("SGD", bm)], view="loss")


def test_the_benchmark_runs_end_to_end():
    from bench.basins import main
    figures = main(["--quick"])
    for p in figures["per_optimizer"].values():
        assert p["lean_s"] > 0 and p["floor_s"] > 0 and p["one_total_s"] > 0
    assert figures["side_by_side_loop_s"] > 0 and figures["side_by_side_stacked_s"] > 0
