"""The real-network page: its settings become the run they describe (capped to the budget with a
note), what it shows is what the trained run recorded, and hostile links never break it.

The engine's exactness is tested in test_nets.py against plain nn.Module + torch.optim runs; here
the oracles are the recorded arrays themselves, summed or counted by hand.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from runs import fields as fl
from runs import network as net
from tests.conftest import ROOT, chart_specs, decode, open_app, warning_text
from ui import network_state

PAGE = "app_pages/network.py"
QUICK = {"epochs": "3", "seeds": "2"}


def values(**overrides):
    out = {f.key: f.default for f in network_state.fields()}
    out.update(overrides)
    return out


@pytest.fixture(scope="module")
def small():
    spec, notes = net.spec_from(values(epochs=4, seeds=2), ["momentum", "adam", "adabound"])
    assert notes == []
    return net.train(spec)


# ----------------------------------------------------------------------------- settings -> run


def test_the_settings_become_the_run_they_describe():
    spec, notes = net.spec_from(values(**{"lr.adam": 0.003, "final_lr": 0.05, "gamma": 0.01, "b1": 0.8,
                                          "epochs": 7, "seeds": 2, "batch": 32, "raw": True}),
                                ["adam", "adabound"])
    assert notes == []
    adam, adabound = spec.configs
    assert (adam.optimizer, adam.lr, adam.betas) == ("adam", 0.003, (0.8, 0.999))
    assert (adabound.final_lr, adabound.gamma, adabound.lr) == (0.05, 0.01, 1e-3)
    assert (spec.epochs, spec.seeds, spec.batch_size, spec.raw_inputs) == (7, (0, 1), 32, True)


def test_the_default_run_is_within_the_budget_and_an_oversized_one_is_cut_with_a_note():
    spec, notes = net.spec_from(values(), list(net.DEFAULT_OPTIMIZERS))
    assert notes == [] and net.work(spec) == 3 * 3 * 50
    spec, notes = net.spec_from(values(epochs=300, seeds=8), list(net.OPTIMIZERS))
    assert net.work(spec) <= net.BUDGET
    assert spec.epochs >= 5  # seeds give way before the run gets too short to show anything
    assert len(notes) == 1 and f"{net.BUDGET:,} model-epochs" in notes[0] and "trained" in notes[0]
    cnn, notes = net.spec_from(values(model="cnn", epochs=300), ["adam"])
    assert net.work(cnn) <= net.BUDGET and notes


# ----------------------------------------------------------------------------- what the page shows


def test_histogram_shares_and_figures_are_the_recorded_counts(small):
    for c in range(len(small.spec.configs)):
        m = net.models_of(small, c)
        assert np.allclose(net.histogram(small, c, 4).sum(), 1.0)
        counts = small.hist_counts[m, -1]
        # every parameter is counted once: in a bin, or apart as inactive
        n_params = counts.sum(-1) + small.inactive[m, -1]
        assert np.all(n_params == n_params[0])
        f = net.rate_figures(small, c)
        above = counts[:, np.searchsorted(small.hist_edges, 3.0) + 1:].sum(-1) / counts.sum(-1)
        assert f.share_huge == pytest.approx(float(np.median(above)))
        p = small.percentiles[m, -1]
        assert f.decades_p1_p99 == pytest.approx(float(np.median(np.log10(p[:, -1] / p[:, 0]))))


def test_sgd_has_one_rate_and_adabounds_rates_lie_in_its_band(small):
    steps, logs = net.sampled_log_rates(small, 0)
    np.testing.assert_allclose(10.0 ** logs, 0.1, rtol=1e-12)  # momentum: lr everywhere
    c = 2
    steps, logs = net.sampled_log_rates(small, c)
    rates = 10.0 ** logs
    lower, upper = small.lower[c, steps - 1], small.upper[c, steps - 1]
    assert np.all(rates >= lower * (1 - 1e-12)) and np.all(rates <= upper * (1 + 1e-12))


def test_curves_are_the_mean_and_extremes_over_seeds(small):
    c = net.curve(small, 1, "test_acc")
    m = net.models_of(small, 1)
    np.testing.assert_allclose(c.mean, small.test_acc[m].mean(0))
    np.testing.assert_allclose(c.low, small.test_acc[m].min(0))
    rows = net.final_rows(small)
    assert [r.key for r in rows] == ["momentum", "adam", "adabound"]
    assert rows[1].test_acc_mean == pytest.approx(small.test_acc[m, -1].mean())


def test_the_csv_holds_every_curve_and_every_sampled_rate(small):
    lines = net.csv_text(small).strip().splitlines()
    M, T, K, E = small.n_models, small.lr_eff.shape[1], len(small.sampled_names), small.spec.epochs
    assert len(lines) == 1 + M * (4 * (E + 1) + T * K)
    assert lines[1].startswith("epoch,momentum,")


def test_the_grid_is_adabound_per_cell_and_sgdm_at_lr_equal_final_lr(small):
    spec = net.grid_spec(small.spec.configs[2], small.spec, 0.9, epochs=1)
    F, G = len(net.GRID_FINAL_LRS), len(net.GRID_GAMMAS)
    assert len(spec.configs) == F * G + F
    assert {(c.final_lr, c.gamma) for c in spec.configs[:F * G]} == {(f, g) for f in net.GRID_FINAL_LRS
                                                                      for g in net.GRID_GAMMAS}
    assert [c.lr for c in spec.configs[F * G:]] == list(net.GRID_FINAL_LRS)
    g = net.grid_tables(net.train(spec))
    assert g.test_acc.shape == (G, F) and g.sgdm_test_acc.shape == (F,)
    assert np.all((g.test_acc[np.isfinite(g.test_acc)] >= 0) & (g.test_acc[np.isfinite(g.test_acc)] <= 1))


# ----------------------------------------------------------------------------- the page


def test_the_page_trains_and_draws_every_view():
    at = open_app(PAGE, QUICK)
    specs = chart_specs(at)
    assert len(specs) == 4  # Fig. 1, spread, histogram, curves
    heat = specs[0]["data"]
    assert [t["type"] for t in heat] == ["heatmap", "heatmap"]  # Adam beside AdaBound
    assert len(heat[0]["y"]) == 10
    text = " ".join(m.value for m in at.markdown)
    assert "**Adam**: p1–p99 spans" in text and "**Momentum**: one rate, lr = 0.1" in text
    assert not at.warning


@pytest.mark.parametrize("query, note", [
    ({"epochs": "1000000"}, "clamped to 300"),
    ({"opt": "adam,<script>alert(1)</script>"}, "ignored unknown"),
    ({"lr.adam": "nan"}, "not a finite number"),
    ({"model": "resnet"}, "unknown value"),
    ({"seeds": "-4"}, "clamped to 1"),
    ({"ep": "250"}, ""),  # an epoch beyond this run's: the histogram shows its last
])
def test_a_hostile_link_is_clamped_or_ignored_with_a_note(query, note):
    at = open_app(PAGE, {**QUICK, **query})
    assert note in warning_text(at)


def test_an_oversized_run_is_cut_to_the_budget_with_a_note():
    at = open_app(PAGE, {"epochs": "300", "seeds": "8", "opt": "adam,adabound", "model": "cnn"})
    warning = warning_text(at)
    assert any(e.label.startswith("This run had 1 value this page could not use") for e in at.expander)
    assert "model-epochs" in warning and "trained 3 seeds x 6 epochs instead" in warning


def test_a_diverging_run_is_marked_and_the_others_go_on():
    # weight decay 1 at lr 10 multiplies every weight by -9 a step: float64 overflows in epoch 5
    at = open_app(PAGE, {"epochs": "6", "seeds": "1", "opt": "sgd,adam", "lr.sgd": "10", "wd": "1"})
    warning = warning_text(at)
    assert "Diverged" in warning and "sgd lr=10" in warning
    assert len(chart_specs(at)) == 4


def test_nesterov_at_momentum_zero_runs_plain_sgd_with_a_note():
    spec, notes = net.spec_from(values(nesterov=True, mom=0.0), ["momentum", "adam"])
    momentum = spec.configs[0]
    assert (momentum.momentum, momentum.nesterov) == (0.0, False)
    assert len(notes) == 1 and "Nesterov momentum needs a momentum above 0" in notes[0]
    spec, notes = net.spec_from(values(nesterov=True, mom=0.9), ["momentum"])
    assert spec.configs[0].nesterov and notes == []
    # the link the 1,000-example fuzz found (it raised ValueError before)
    at = open_app(PAGE, {**QUICK, "model": "mlp", "nesterov": "1", "H": "0.0", "mom": "0.0"})
    assert "Nesterov momentum needs a momentum above 0" in warning_text(at)


def test_no_optimizer_chosen_says_so():
    at = open_app(PAGE, QUICK)
    at.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one optimizer" in i.value for i in at.info)


def test_the_fields_are_the_registry_ranges():
    f = {x.key: x for x in network_state.fields()}
    assert (f["final_lr"].low, f["final_lr"].high) == (1e-5, 10.0)
    parsed, notes = fl.parse(network_state.fields(), {"gamma": "0.9"})
    assert parsed["gamma"] == 0.5 and notes


def test_the_finder_runs_on_the_network_and_use_this_sets_adabound_beside_sgdm():
    at = open_app(PAGE, QUICK)
    at.toggle(key="_finder").set_value(True).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown if "Suggested final_lr" in m.value)
    suggested = float(re.search(r"Suggested final_lr = ([0-9.e+-]+)", text).group(1))
    assert 1e-5 < suggested < 100
    assert len(chart_specs(at)) == 5  # the four views and the finder
    at.button(key="_use_finder").click().run()
    final_lr = at.number_input(key="final_lr").value
    assert final_lr == pytest.approx(suggested, rel=0.05)
    assert at.number_input(key="lr.momentum").value == pytest.approx(final_lr * (1 - 0.9), rel=1e-9)
    assert {"momentum", "adabound"} <= set(at.multiselect(key="opt").value)


def test_each_model_shows_its_parameter_count():
    at = open_app(PAGE, {**QUICK, "H": "32"})
    assert any(c.value == f"{64 * 32 + 32 + 32 * 10 + 10:,} parameters per network" for c in at.caption)


@pytest.fixture
def results_file():
    """A sweep's results file in the page's results folder: a 2 x 2 grid (and its SGD(M) row) trained
    directly, written as `python -m nets.sweep` writes it; removed afterwards."""
    from nets import sweep

    spec = net.TrainSpec(configs=tuple(net.RunConfig("adabound", lr=1e-3, final_lr=f, gamma=g)
                                       for g in (1e-3, 1e-2) for f in (0.01, 0.1))
                         + tuple(net.RunConfig("momentum", lr=f) for f in (0.01, 0.1)),
                         hidden=16, seeds=(0, 1), epochs=2)
    result = net.train(spec)
    folder = ROOT / net.RESULTS_FOLDER
    created = not folder.exists()
    path = sweep.write_results(sweep.rows_of(result), folder / "test_page_results.csv")
    yield path, result
    path.unlink()
    if created:
        folder.rmdir()


def test_a_sweeps_results_file_draws_the_grid_of_its_runs(results_file):
    path, result = results_file
    at = open_app(PAGE, QUICK)
    at.selectbox(key="_sweep_file").set_value(path.name).run()
    assert not at.exception
    grid = [s for s in chart_specs(at) if any("sweep: test accuracy" in str(a.get("text")) for a in s["layout"].get("annotations", []))]
    assert len(grid) == 1
    acc = decode(grid[0]["data"][0]["z"]).astype(float)
    # the oracle: the runs' own final test accuracies, averaged over the two seeds by hand
    final = result.test_acc[:, -1].reshape(len(result.spec.configs), 2).mean(axis=1)
    np.testing.assert_allclose(acc[:2].ravel(), final[:4], rtol=1e-12)  # rows: gamma 1e-3, 1e-2
    np.testing.assert_allclose(acc[2], final[4:], rtol=1e-12)  # the SGD(M) row


def test_a_foreign_file_says_why_and_changes_nothing(tmp_path):
    folder = ROOT / net.RESULTS_FOLDER
    created = not folder.exists()
    folder.mkdir(exist_ok=True)
    bad = folder / "test_foreign.csv"
    bad.write_text("name,score\nalice,3\n")
    try:
        at = open_app(PAGE, QUICK)
        charts = len(chart_specs(at))
        at.selectbox(key="_sweep_file").set_value(bad.name).run()
        assert not at.exception
        assert any("This file cannot be drawn" in e.value for e in at.error)
        assert len(chart_specs(at)) == charts
    finally:
        bad.unlink()
        if created:
            folder.rmdir()
