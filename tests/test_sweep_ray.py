"""nets.sweep: a final_lr x gamma grid run as Ray Tune trials gives the very figures of nets.train,
its results file round-trips (CSV and Parquet), its grid tables are the page's own, and a file
that is not one is refused with a clear ValueError.

The trials need Ray (requirements-sweep.txt, ``make test-sweep``): without it they are skipped,
except under CI=true, where they fail. The file checks need no Ray and always run.
"""

from __future__ import annotations

import argparse
import io
import os

import numpy as np
import pytest

import nets
import runs.network as network
from nets import RunConfig, TrainSpec
from nets import sweep

FINAL_LRS, GAMMAS, SEEDS = (0.01, 0.1), (1e-3, 1e-2), (0, 1)
HIDDEN, EPOCHS = 16, 1
FIGURES = ("train_loss", "train_acc", "test_loss", "test_acc", "p1", "p10", "p50", "p90", "p99")


@pytest.fixture(scope="session")
def ray_session():
    try:
        import ray
    except ImportError:
        message = "Ray Tune is not installed: pip install -r requirements-sweep.txt (or make test-sweep)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; the sweep's tests are mandatory when CI=true")
        pytest.skip(message)
    ray.init(address="local", num_cpus=2, include_dashboard=False)  # a new Ray, whatever else runs here
    yield ray
    ray.shutdown()


def small_sweep(**changes) -> sweep.Sweep:
    return sweep.Sweep(**{**dict(final_lrs=FINAL_LRS, gammas=GAMMAS, seeds=SEEDS, hidden=HIDDEN, epochs=EPOCHS),
                          **changes})


@pytest.fixture(scope="module")
def direct():
    """The page's own grid over the same axes, trained in one call of nets.train, and its tables."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(network, "GRID_FINAL_LRS", FINAL_LRS)
        mp.setattr(network, "GRID_GAMMAS", GAMMAS)
        mp.setattr(network, "GRID_SEEDS", SEEDS)
        spec = network.grid_spec(RunConfig("adabound", lr=1e-3), TrainSpec(hidden=HIDDEN), momentum=0.9,
                                 epochs=EPOCHS)
        result = nets.train(spec)
        return result, network.grid_tables(result)


@pytest.fixture(scope="module")
def swept(ray_session, tmp_path_factory):
    outcome = sweep.run(small_sweep(), log=lambda line: None, storage=tmp_path_factory.mktemp("tune"))
    assert not outcome.failed, outcome.failed
    return outcome


def run_rows(rows, config: RunConfig, seed: int) -> np.ndarray:
    """The row indices of one run, by epoch."""
    final_lr = config.final_lr if config.bounded else config.lr
    gamma = config.gamma if config.bounded else np.nan
    match = ((rows["optimizer"] == config.optimizer) & (rows["lr"] == config.lr) & (rows["final_lr"] == final_lr)
             & ((rows["gamma"] == gamma) | (np.isnan(rows["gamma"]) & np.isnan(gamma))) & (rows["seed"] == seed))
    index = np.flatnonzero(match)
    return index[np.argsort(rows["epoch"][index])]


def expected_rows(result: nets.NetResult, m: int, epochs: int) -> dict[str, np.ndarray]:
    """Model ``m``'s figures of a direct run, epochs 0..epochs."""
    rates = result.percentiles[m, :epochs].T
    out = {what: getattr(result, what)[m, :epochs + 1] for what in FIGURES[:4]}
    for i, q in enumerate(nets.PERCENTILES):
        out[f"p{q}"] = np.concatenate([[np.nan], rates[i]])
    return out


def assert_same_run(rows, index, result, m, epochs):
    assert rows["epoch"][index].tolist() == list(range(epochs + 1))
    for what, values in expected_rows(result, m, epochs).items():
        np.testing.assert_allclose(rows[what][index], values, rtol=1e-12, atol=1e-12, err_msg=what)
    assert (rows["diverged_at"][index] == result.diverged_at[m]).all()


def assert_same_rows(a, b):
    assert list(a) == list(sweep.COLUMNS) == list(b)
    for name in sweep.COLUMNS:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# ----------------------------------------------------------------------------- trials under Ray Tune


def test_a_trial_per_cell_and_per_reference_each_with_every_seed(swept):
    rows = swept.rows
    assert len(rows["epoch"]) == (len(FINAL_LRS) * (len(GAMMAS) + 1)) * len(SEEDS) * (EPOCHS + 1)
    first = rows["epoch"] == 0
    assert sorted(set(rows["optimizer"][first])) == ["adabound", "momentum"]
    reference = first & (rows["optimizer"] == "momentum")
    np.testing.assert_array_equal(rows["lr"][reference], rows["final_lr"][reference])
    assert np.isnan(rows["gamma"][reference]).all()
    assert (rows["trained_epochs"] == EPOCHS).all() and swept.stopped == 0


def test_trials_give_the_figures_of_nets_train_called_directly(swept, direct):
    result, _ = direct
    for m in range(result.n_models):
        config, seed = result.spec.configs[result.config_of[m]], int(result.seed_of[m])
        assert_same_run(swept.rows, run_rows(swept.rows, config, seed), result, m, EPOCHS)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_results_file_round_trips(swept, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    path = sweep.write_results(swept.rows, tmp_path / f"results{suffix}")
    assert_same_rows(sweep.load_results(path), swept.rows)
    assert_same_rows(sweep.load_results(io.BytesIO(path.read_bytes())), swept.rows)  # an uploaded file
    if suffix == ".csv":
        assert_same_rows(sweep.load_results(io.StringIO(path.read_text())), swept.rows)


def test_grid_tables_from_the_file_are_the_pages_own(swept, direct, tmp_path):
    _, expected = direct
    grid = sweep.grid_tables(sweep.load_results(sweep.write_results(swept.rows, tmp_path / "results.csv")))
    assert grid._fields == network.Grid._fields
    for name, got, want in zip(grid._fields, grid, expected):
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


def test_asha_stops_cells_at_rungs_and_every_run_is_a_prefix_of_the_full_one(ray_session, tmp_path):
    s = small_sweep(seeds=(0,), epochs=3, asha=True, grace_period=1, reduction_factor=2.0)
    assert s.report_epochs(GAMMAS[0]) == (1, 3) and s.report_epochs(sweep.REFERENCE) == (3,)
    outcome = sweep.run(s, log=lambda line: None, storage=tmp_path)
    assert not outcome.failed, outcome.failed
    rows = sweep.load_results(sweep.write_results(outcome.rows, tmp_path / "results.csv"))
    configs = tuple(s.config(f, g) for g in s.axis for f in s.final_lrs)
    full = nets.train(TrainSpec(configs=configs, hidden=HIDDEN, seeds=(0,), epochs=3))
    for m, config in enumerate(configs):
        index = run_rows(rows, config, 0)
        trained = int(rows["trained_epochs"][index[0]])
        assert trained == 3 or (config.bounded and trained == 1)  # ASHA never stops the reference row
        assert_same_run(rows, index, full, m, trained)
    stopped = ~np.isin(rows["trained_epochs"], [3])
    assert outcome.stopped == len(set(zip(rows["final_lr"][stopped], rows["gamma"][stopped])))
    grid = sweep.grid_tables(rows)
    assert np.isfinite(grid.sgdm_test_acc).all()
    assert np.isnan(grid.test_acc).sum() == outcome.stopped  # a stopped cell has no last-epoch figure


# ----------------------------------------------------------------------------- files that are not results


@pytest.fixture(scope="module")
def good_csv(tmp_path_factory) -> bytes:
    """A results file as the sweep writes one: a cell and the reference, two seeds, two epochs."""
    result = nets.train(TrainSpec(configs=(RunConfig("adabound", lr=1e-3, final_lr=0.1, gamma=1e-3),
                                           RunConfig("momentum", lr=0.1)), hidden=HIDDEN, seeds=SEEDS, epochs=2))
    return sweep.write_results(sweep.rows_of(result), tmp_path_factory.mktemp("good") / "r.csv").read_bytes()


def replace_value(data: bytes, column: str, line: int, value: str) -> bytes:
    lines = data.decode().splitlines()
    cells = lines[line - 1].split(",")
    cells[lines[0].split(",").index(column)] = value
    lines[line - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


def cut_mid_line(data: bytes) -> bytes:
    """Cut in the middle of the line that holds the middle byte."""
    start, end = data.rindex(b"\n", 0, len(data) // 2) + 1, data.index(b"\n", len(data) // 2)
    return data[:(start + end) // 2]


def cut_at_line(data: bytes) -> bytes:
    """The header and 4 rows: the second run (3 rows a run) keeps only its epoch 0."""
    return b"".join(data.splitlines(keepends=True)[:5])


BAD_CSV = {
    "foreign columns": (lambda d: b"name,value\nalpha,1\nbeta,2\n", r"Not a sweep results file: no column optimizer"),
    "empty": (lambda d: b"", r"The results file is empty"),
    "blank": (lambda d: b" \n\n", r"The results file is empty"),
    "header only": (lambda d: d.split(b"\n")[0] + b"\n", r"The results file has no rows"),
    "a huge field": (lambda d: b"optimizer,lr\n" + b"x" * 200_000 + b",1\n", r"not CSV \(field larger"),
    "two models": (lambda d: replace_value(d, "model", 5, "cnn"), r"model differs from the first row's 'mlp'"),
    "text in a number": (lambda d: replace_value(d, "test_acc", 3, "n/a"),
                         r"'test_acc', line 3: 'n/a' is not a number"),
    "fraction in an integer": (lambda d: replace_value(d, "seed", 4, "1.5"),
                               r"'seed', line 4: '1.5' is not an integer"),
    "not a boolean": (lambda d: replace_value(d, "raw_inputs", 2, "maybe"),
                      r"'raw_inputs', line 2: 'maybe' is not True"),
    "truncated mid-line": (cut_mid_line, r"line \d+ has \d+ values where its header has \d+: a truncated"),
    "truncated at a line's end": (cut_at_line, r"its run lacks epochs \(a truncated file\?\)"),
    "unknown optimizer": (lambda d: replace_value(d, "optimizer", 2, "lion"), r"unknown optimizer 'lion'"),
    "accuracy over 1": (lambda d: replace_value(d, "test_acc", 2, "1.5"), r"an accuracy is outside \[0, 1\]"),
    "a run pasted twice": (lambda d: d + d.split(b"\n", 1)[1], r"repeats a run's epoch"),
    "binary": (lambda d: bytes(range(256)) * 4, r"neither UTF-8 CSV nor Parquet"),
}


@pytest.mark.parametrize("case", list(BAD_CSV))
def test_a_file_that_is_not_results_is_refused_clearly(good_csv, case):
    mutate, message = BAD_CSV[case]
    sweep.load_results(io.BytesIO(good_csv))  # the file itself is good
    with pytest.raises(ValueError, match=message):
        sweep.load_results(io.BytesIO(mutate(good_csv)))


def test_a_damaged_or_mistyped_parquet_file_is_refused_clearly(good_csv, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    data = sweep.write_results(sweep.load_results(io.BytesIO(good_csv)), tmp_path / "r.parquet").read_bytes()
    with pytest.raises(ValueError, match="damaged Parquet"):
        sweep.load_results(io.BytesIO(data[:len(data) // 2]))
    table = pq.read_table(io.BytesIO(data))
    seeds_as_text = pa.array([str(s) for s in table["seed"].to_pylist()])
    mistyped = table.set_column(table.column_names.index("seed"), "seed", seeds_as_text)
    pq.write_table(mistyped, tmp_path / "mistyped.parquet")
    with pytest.raises(ValueError, match=r"column 'seed' holds string, not int"):
        sweep.load_results(tmp_path / "mistyped.parquet")
    pq.write_table(table.drop_columns(["p50", "gamma"]), tmp_path / "short.parquet")
    with pytest.raises(ValueError, match="no column gamma, p50"):
        sweep.load_results(tmp_path / "short.parquet")


def test_grid_tables_want_one_bounded_family(good_csv):
    rows = sweep.load_results(io.BytesIO(good_csv))
    with pytest.raises(ValueError, match="no AdaBound or AMSBound rows"):
        sweep.grid_tables({k: v[rows["optimizer"] == "momentum"] for k, v in rows.items()})
    mixed = dict(rows, lr=np.where(rows["seed"] == 1, 2e-3, rows["lr"]))
    with pytest.raises(ValueError, match="mixes bounded configurations"):
        sweep.grid_tables(mixed)


@pytest.mark.parametrize("text, values", [("1e-3:1:4", (1e-3, 1e-2, 1e-1, 1.0)), ("0.1,0.01,0.1", (0.01, 0.1)),
                                          ("0.3", (0.3,))])
def test_axes_are_log_ranges_or_lists(text, values):
    np.testing.assert_allclose(sweep.parse_values(text), values, rtol=1e-12)


@pytest.mark.parametrize("text", ["1:0:4", "1e-3:1", "a,b", "0:1:3", ""])
def test_a_bad_axis_is_refused(text):
    with pytest.raises(argparse.ArgumentTypeError, match="log range"):
        sweep.parse_values(text)


def test_sweep_settings_are_validated_before_anything_runs():
    with pytest.raises(ValueError, match="Invalid optimizer"):
        small_sweep(optimizer="adam")
    with pytest.raises(ValueError, match="Invalid gamma"):
        small_sweep(gammas=(1.5,))
    with pytest.raises(ValueError, match="Invalid grace_period"):
        small_sweep(asha=True, grace_period=5)
    assert small_sweep(reference=False).n_trials == len(FINAL_LRS) * len(GAMMAS)
    assert small_sweep().n_runs == len(FINAL_LRS) * (len(GAMMAS) + 1) * len(SEEDS)
