"""Sweeps beyond one machine: a final_lr x gamma x seed grid of the network, run as Ray Tune trials.

The real-network page trains a small final_lr x gamma grid in its own process; a study of 40 final_lrs x 20 gammas x
16 seeds (12,800 runs) is run here instead, on the cores of one machine or on a Ray cluster, and
the page loads its results file. One trial is one cell: one configuration, every seed stacked, one
call of :func:`nets.train` (the page's own trainable; nothing is reimplemented for Ray). Beside
the cells, SGD with momentum at lr = final_lr, a trial per final_lr: the page's reference row.

    python -m nets.sweep --final-lr 1e-3:1:40 --gamma 1e-5:1e-1:20 --seeds 16 --epochs 50
    python -m nets.sweep ... --asha                      # prune poor cells early (ASHA)
    python -m nets.sweep ... --address HEAD_NODE:6379     # on an existing Ray cluster
    python -m nets.sweep ... --out sweeps/results.parquet

A range ``a:b:n`` is ``n`` values spaced evenly on a log scale from ``a`` to ``b``; a list is
``a,b,c``. Ray is imported only by the functions that run trials (its requirements are
requirements-sweep.txt, never the app's): :func:`load_results` and :func:`grid_tables`, what the
page needs, are numpy.

The results file has one row per (configuration, seed, epoch), the columns of :data:`SCHEMA`.
Epoch 0 is the untrained model (its rate columns are NaN). ``final_lr`` of an unbounded
optimizer is its ``lr`` and its ``gamma`` NaN: SGD(M) at lr = final_lr sits in that final_lr's
column. ``epochs`` is what the sweep planned and ``trained_epochs`` what this run trained (fewer
when ASHA stopped its cell): a run has exactly the rows 0..trained_epochs.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Callable, Mapping, NamedTuple

import numpy as np

from .models import DEFAULT_HIDDEN, MODELS
from .optimizers import BOUNDED, OPTIMIZERS, RunConfig
from .recording import PERCENTILES
from .training import NetResult, TrainSpec, train

# The results file, column by column: (name, kind). Rates are the percentiles of the active
# parameters' effective learning rates at the end of the epoch (nets.PERCENTILES).
SCHEMA = (
    ("optimizer", str), ("lr", float), ("final_lr", float), ("gamma", float), ("seed", int), ("epoch", int),
    ("train_loss", float), ("train_acc", float), ("test_loss", float), ("test_acc", float),
    *((f"p{q}", float) for q in PERCENTILES),
    ("diverged_at", int), ("trained_epochs", int),
    ("model", str), ("hidden", int), ("epochs", int), ("batch_size", int), ("raw_inputs", bool),
)
COLUMNS = tuple(name for name, _ in SCHEMA)
_DTYPE = {str: np.str_, float: np.float64, int: np.int64, bool: np.bool_}
_RUN = ("optimizer", "lr", "final_lr", "gamma", "seed")  # what tells one run from another
_PER_RUN = ("diverged_at", "trained_epochs")  # one value in a run
_SETTINGS = ("model", "hidden", "epochs", "batch_size", "raw_inputs")  # one value in a whole sweep

# The reference row's marker on the gamma axis: the trial runs SGD with momentum at lr = final_lr.
REFERENCE = "sgdm"
REFERENCE_OPTIMIZER = "momentum"
# What a trial reports: the mean test accuracy over its seeds (ASHA ranks cells by it), the epoch
# trained so far (ASHA's clock; the reference row leaves it out, so ASHA never stops it) and the
# trial's rows, which the driver takes out of the result before Tune stores or logs it.
METRIC, CLOCK, ROWS = "test_acc", "epoch", "rows"

STUDY_FINAL_LRS, STUDY_GAMMAS, STUDY_SEEDS = "1e-3:1:40", "1e-5:1e-1:20", 16  # the CLI's defaults
DEFAULT_OUT = Path("sweeps") / "results.csv"


# ----------------------------------------------------------------------------- what a sweep runs


@dataclass(frozen=True)
class Sweep:
    """The cells ``final_lrs x gammas`` of one bounded optimizer and, with ``reference``, SGD with
    momentum at lr = final_lr for every final_lr; every trial trains all ``seeds`` at once.

    With ``asha``, a cell's trial reports at ASHA's rungs (``grace_period`` epochs, then times
    ``reduction_factor``) and may be stopped there. :func:`nets.train` reports nothing but the
    epoch count while it runs, so a trial reaches each rung with a call of its own, from the
    start (the first epochs of a longer run are the same run): :meth:`report_epochs` keeps only
    the rungs whose pruning saves more than the retraining costs.
    """

    final_lrs: tuple[float, ...]
    gammas: tuple[float, ...]
    seeds: tuple[int, ...] = tuple(range(STUDY_SEEDS))
    optimizer: str = "adabound"
    lr: float = 1e-3
    model: str = "mlp"
    hidden: int = DEFAULT_HIDDEN
    epochs: int = 50
    batch_size: int = 64
    raw_inputs: bool = False
    reference: bool = True
    asha: bool = False
    grace_period: int = 5
    reduction_factor: float = 3.0

    def __post_init__(self):
        for name in ("final_lrs", "gammas"):
            values = tuple(float(v) for v in getattr(self, name))
            if not values or len(set(values)) != len(values):
                raise ValueError(f"Invalid {name}: {values} (at least one value, no repeats)")
            object.__setattr__(self, name, values)
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        if self.optimizer not in BOUNDED:
            raise ValueError(f"Invalid optimizer: {self.optimizer!r} (one of {', '.join(sorted(BOUNDED))})")
        if self.asha and not (isinstance(self.grace_period, int) and 1 <= self.grace_period <= self.epochs):
            raise ValueError(f"Invalid grace_period: {self.grace_period!r} (1 to epochs, {self.epochs})")
        if not self.reduction_factor > 1:
            raise ValueError(f"Invalid reduction_factor: {self.reduction_factor!r} (more than 1)")
        for gamma in self.axis:  # every configuration and the training settings, validated by nets
            for final_lr in self.final_lrs:
                self.spec(final_lr, gamma)

    @property
    def axis(self) -> tuple[float | str, ...]:
        """The gamma axis of the trials: the gammas, then the reference row."""
        return self.gammas + ((REFERENCE,) if self.reference else ())

    @property
    def n_trials(self) -> int:
        return len(self.final_lrs) * len(self.axis)

    @property
    def n_runs(self) -> int:
        return self.n_trials * len(self.seeds)

    def config(self, final_lr: float, gamma: float | str) -> RunConfig:
        if gamma == REFERENCE:
            return RunConfig(REFERENCE_OPTIMIZER, lr=final_lr)
        return RunConfig(self.optimizer, lr=self.lr, final_lr=final_lr, gamma=gamma)

    def spec(self, final_lr: float, gamma: float | str) -> TrainSpec:
        """The trial of one cell (or of the reference at ``final_lr``): its seeds stacked."""
        return TrainSpec(configs=(self.config(final_lr, gamma),), model=self.model, hidden=self.hidden,
                         seeds=self.seeds, epochs=self.epochs, batch_size=self.batch_size,
                         raw_inputs=self.raw_inputs)

    def report_epochs(self, gamma: float | str) -> tuple[int, ...]:
        """The epochs at which a trial reports, each reached by one call of :func:`nets.train`.

        Without ASHA, and for the reference row, only the last. With it, ASHA's rungs first, those
        below ``epochs (1 - 1 / reduction_factor)``: there, stopping the share ``1 - 1/rf`` of the
        cells saves ``epochs - rung`` epochs each, more than the ``rung`` epochs the surviving
        ``1/rf`` train again.
        """
        if not self.asha or gamma == REFERENCE:
            return (self.epochs,)
        rungs, rung = [], float(self.grace_period)
        while rung < self.epochs * (1 - 1 / self.reduction_factor):
            rungs.append(math.ceil(rung))  # at or past ASHA's own milestone
            rung *= self.reduction_factor
        return tuple(sorted(set(rungs))) + (self.epochs,)


# ----------------------------------------------------------------------------- rows, files


def rows_of(result: NetResult, epochs: int | None = None) -> dict[str, np.ndarray]:
    """Every model's rows of ``result``, epochs 0..E, in the columns of :data:`SCHEMA`;
    ``epochs``: what the sweep planned (default: what was trained)."""
    spec = result.spec
    n_rows = spec.epochs + 1
    configs = [spec.configs[c] for c in result.config_of]

    def per_model(values):
        return np.repeat(np.asarray(values), n_rows)

    # Rates exist after each epoch; the untrained model (epoch 0) has none.
    rates = np.concatenate([np.full((result.n_models, 1, len(PERCENTILES)), np.nan), result.percentiles], axis=1)
    columns = {
        "optimizer": per_model([c.optimizer for c in configs]),
        "lr": per_model([c.lr for c in configs]),
        "final_lr": per_model([c.final_lr if c.bounded else c.lr for c in configs]),
        "gamma": per_model([c.gamma if c.bounded else math.nan for c in configs]),
        "seed": per_model(result.seed_of),
        "epoch": np.tile(np.arange(n_rows), result.n_models),
        **{what: getattr(result, what).ravel() for what in ("train_loss", "train_acc", "test_loss", "test_acc")},
        **{f"p{q}": rates[..., i].ravel() for i, q in enumerate(PERCENTILES)},
        "diverged_at": per_model(result.diverged_at),
        "trained_epochs": per_model([spec.epochs] * result.n_models),
        "epochs": per_model([spec.epochs if epochs is None else epochs] * result.n_models),
        **{what: per_model([getattr(spec, what)] * result.n_models)
           for what in ("model", "hidden", "batch_size", "raw_inputs")},
    }
    return {name: columns[name].astype(_DTYPE[kind]) for name, kind in SCHEMA}


def concat_rows(parts: list[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Rows of many trials as one table, in a fixed order (trials finish in any order)."""
    if not parts:
        return {name: np.empty(0, dtype=_DTYPE[kind]) for name, kind in SCHEMA}
    rows = {name: np.concatenate([p[name] for p in parts]).astype(_DTYPE[kind]) for name, kind in SCHEMA}
    order = np.lexsort([rows[k] for k in reversed(("optimizer", "gamma", "final_lr", "lr", "seed", "epoch"))])
    return {name: values[order] for name, values in rows.items()}


def _text(value, kind) -> str:
    # repr: the shortest text that reads back as the same float, "nan" for NaN
    return repr(float(value)) if kind is float else str(value)


def write_results(rows: Mapping[str, np.ndarray], path: str | os.PathLike) -> Path:
    """Write ``rows`` to ``path``: Parquet if it ends in .parquet (pyarrow needed), else CSV."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({name: rows[name] for name in COLUMNS}), path)
        return path
    with path.open("w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        columns = [[_text(v, kind) for v in rows[name].tolist()] for name, kind in SCHEMA]
        out.writerows(zip(*columns))
    return path


def _bytes(source: str | os.PathLike | IO) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode() if isinstance(data, str) else bytes(data)


def _parse(name: str, kind, texts: list[str], first_line: int) -> np.ndarray:
    """A CSV column as numpy: converted in one pass, then, if that fails, value by value to name
    the first bad one."""

    def convert(values):
        if kind is str:
            return np.array(values, dtype=np.str_)
        if kind is bool:
            words = np.char.lower(np.char.strip(np.array(values, dtype=np.str_)))
            if not np.isin(words, ("true", "false")).all():
                raise ValueError
            return words == "true"
        return np.array(values, dtype=_DTYPE[kind])

    try:
        return convert(texts)
    except ValueError:
        for i, text in enumerate(texts):
            try:
                convert([text])
            except ValueError:
                what = {float: "a number", int: "an integer", bool: "True or False"}[kind]
                raise ValueError(f"The results file's column {name!r}, line {first_line + i}: "
                                 f"{text!r} is not {what}") from None
        raise


def _read_csv(data: bytes) -> dict[str, np.ndarray]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("Not a sweep results file: neither UTF-8 CSV nor Parquet") from None
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise ValueError(f"Not a sweep results file: not CSV ({e})") from None
    while lines and not lines[-1]:
        lines.pop()
    header = [h.strip() for h in lines[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(f"Not a sweep results file: no column {', '.join(missing)} "
                         f"(it has {', '.join(header[:8])}{', ...' if len(header) > 8 else ''}); "
                         f"a results file has {', '.join(COLUMNS)}")
    for i, line in enumerate(lines[1:], start=2):
        if len(line) != len(header):
            raise ValueError(f"The results file's line {i} has {len(line)} values where its header has "
                             f"{len(header)}: a truncated or damaged file")
    values = list(zip(*lines[1:])) or [()] * len(header)
    return {name: _parse(name, kind, list(values[header.index(name)]), 2) for name, kind in SCHEMA}


def _read_parquet(data: bytes) -> dict[str, np.ndarray]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError("The results file is Parquet, which needs pyarrow (pip install pyarrow)") from None
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as e:
        raise ValueError(f"The results file is damaged Parquet (truncated?): {e}") from None
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"Not a sweep results file: no column {', '.join(missing)}; "
                         f"a results file has {', '.join(COLUMNS)}")
    accepts = {str: (pa.types.is_string, pa.types.is_large_string), float: (pa.types.is_floating, pa.types.is_integer),
               int: (pa.types.is_integer,), bool: (pa.types.is_boolean,)}
    out = {}
    for name, kind in SCHEMA:
        column = table.column(name)
        if not any(accepts_type(column.type) for accepts_type in accepts[kind]):
            raise ValueError(f"The results file's column {name!r} holds {column.type}, not {kind.__name__}")
        if column.null_count and kind is not float:
            raise ValueError(f"The results file's column {name!r} has {column.null_count} empty values")
        if kind is float:  # integers widen; an empty value reads as NaN
            column = column.cast(pa.float64())
        out[name] = np.asarray(column.to_numpy(zero_copy_only=False)).astype(_DTYPE[kind])
    return out


def _check(rows: dict[str, np.ndarray]) -> None:
    """What a file written by this module always holds; a clear ValueError for the first lapse."""
    n = len(rows["epoch"])
    if n == 0:
        raise ValueError("The results file has no rows")

    def fail(what: str, bad: np.ndarray):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"The results file's row {i + 1}: {what} "
                         f"({', '.join(f'{c}={rows[c][i]}' for c in (*_RUN, 'epoch'))})")

    unknown = ~np.isin(rows["optimizer"], OPTIMIZERS)
    if unknown.any():
        fail(f"unknown optimizer {str(rows['optimizer'][unknown][0])!r} (one of {', '.join(OPTIMIZERS)})", unknown)
    if (bad := ~np.isin(rows["model"], MODELS)).any():
        fail(f"unknown model (one of {', '.join(MODELS)})", bad)
    bounded = np.isin(rows["optimizer"], list(BOUNDED))
    with np.errstate(invalid="ignore"):
        checks = {
            "lr is not a positive number": ~(np.isfinite(rows["lr"]) & (rows["lr"] > 0)),
            "final_lr is not a non-negative number": ~(np.isfinite(rows["final_lr"]) & (rows["final_lr"] >= 0)),
            "gamma is not in [0, 1)": bounded & ~((rows["gamma"] >= 0) & (rows["gamma"] < 1)),
            "seed is negative": rows["seed"] < 0,
            "the settings are not positive integers": (rows["hidden"] < 1) | (rows["epochs"] < 1)
                                                    | (rows["batch_size"] < 1),
            "trained_epochs is not in 1..epochs": (rows["trained_epochs"] < 1)
                                                  | (rows["trained_epochs"] > rows["epochs"]),
            "epoch is not in 0..trained_epochs": (rows["epoch"] < 0) | (rows["epoch"] > rows["trained_epochs"]),
            "an accuracy is outside [0, 1]": (rows["train_acc"] < 0) | (rows["train_acc"] > 1)
                                             | (rows["test_acc"] < 0) | (rows["test_acc"] > 1),
            "a rate percentile is negative": np.column_stack([rows[f"p{q}"] < 0 for q in PERCENTILES]).any(1),
        }
    for what, bad in checks.items():
        if bad.any():
            fail(what, bad)

    # Runs: the same settings on every row, each epoch 0..trained_epochs exactly once.
    keys = np.rec.fromarrays([rows[c] if c != "gamma" else np.nan_to_num(rows[c], nan=-1.0) for c in _RUN],
                             names=_RUN)
    _, first, run_of = np.unique(keys, return_index=True, return_inverse=True)
    run_of = run_of.ravel()
    for column in _PER_RUN:
        if (bad := rows[column] != rows[column][first][run_of]).any():
            fail(f"{column} differs between rows of the same run", bad)
    for column in _SETTINGS:
        if (bad := rows[column] != rows[column][0]).any():
            fail(f"{column} differs from the first row's {rows[column][0].item()!r}: one sweep, one setting", bad)
    _, count = np.unique(run_of * (int(rows["epochs"].max()) + 1) + rows["epoch"], return_counts=True)
    if (count > 1).any():
        raise ValueError("The results file repeats a run's epoch (two sweeps pasted together?)")
    rows_per_run = np.bincount(run_of)
    if (bad := rows_per_run[run_of] != rows["trained_epochs"] + 1).any():
        fail("its run lacks epochs (a truncated file?)", bad)


def load_results(source: str | os.PathLike | IO) -> dict[str, np.ndarray]:
    """A results file (a path, or a binary or text file object) as its columns: name -> numpy
    array, in :data:`SCHEMA`'s order and types. Parquet is told by its content, not its name.
    Anything else than a file this module wrote raises a ``ValueError`` that says what is wrong."""
    data = _bytes(source)
    if not data.strip():
        raise ValueError("The results file is empty")
    rows = _read_parquet(data) if data[:4] == b"PAR1" else _read_csv(data)
    _check(rows)
    return rows


# ----------------------------------------------------------------------------- the page's grid


class GridTables(NamedTuple):
    """The page's final_lr x gamma tables (field by field :class:`runs.network.Grid`): at the
    planned last epoch, the mean over seeds (diverged seeds left out; NaN where none is left, or
    where ASHA stopped the cell)."""

    final_lrs: np.ndarray  # (F,)
    gammas: np.ndarray  # (G,)
    test_acc: np.ndarray  # (G, F)
    train_loss: np.ndarray  # (G, F)
    sgdm_test_acc: np.ndarray  # (F,): SGD with momentum at lr = final_lr
    sgdm_train_loss: np.ndarray  # (F,)


def _seed_means(rows: Mapping[str, np.ndarray], keep: np.ndarray, cell: np.ndarray, n_cells: int,
                what: str) -> np.ndarray:
    """Per cell, the mean over its seeds of ``what`` on the rows ``keep`` (NaN if none is finite)."""
    out = np.full(n_cells, np.nan)
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((rows["seed"][idx], cell[idx]))]  # by cell, then seed: the page's order
    cells, starts = np.unique(cell[idx], return_index=True)
    for c, group in zip(cells, np.split(idx, starts[1:])):
        values = rows[what][group]
        if np.isfinite(values).any():
            out[c] = np.nanmean(values)
    return out


def grid_tables(rows: Mapping[str, np.ndarray]) -> GridTables:
    """The grid of a loaded sweep (:func:`load_results`), as the page draws its own."""
    optimizer = rows["optimizer"]
    bounded = np.isin(optimizer, list(BOUNDED))
    if not bounded.any():
        raise ValueError("The results file has no AdaBound or AMSBound rows: not a final_lr x gamma sweep")
    families = {(str(o), float(lr)) for o, lr in zip(optimizer[bounded], rows["lr"][bounded])}
    if len(families) > 1:
        raise ValueError(f"The results file mixes bounded configurations {sorted(families)}: one grid, one "
                         "optimizer and lr")
    final_lrs, gammas = np.unique(rows["final_lr"][bounded]), np.unique(rows["gamma"][bounded])
    last = rows["epoch"] == rows["epochs"]
    f = np.searchsorted(final_lrs, rows["final_lr"]).clip(0, len(final_lrs) - 1)
    on_axis = final_lrs[f] == rows["final_lr"]
    g = np.searchsorted(gammas, np.nan_to_num(rows["gamma"], nan=np.inf)).clip(0, len(gammas) - 1)
    cells, reference = bounded & last, (optimizer == REFERENCE_OPTIMIZER) & on_axis & last
    shape = (len(gammas), len(final_lrs))

    def table(what):
        return (_seed_means(rows, cells, g * len(final_lrs) + f, shape[0] * shape[1], what).reshape(shape),
                _seed_means(rows, reference, f, len(final_lrs), what))

    (acc, sgdm_acc), (loss, sgdm_loss) = table("test_acc"), table("train_loss")
    return GridTables(final_lrs, gammas, acc, loss, sgdm_acc, sgdm_loss)


# ----------------------------------------------------------------------------- Ray Tune


def _trial(config: dict, sweep: Sweep) -> None:
    """The trainable of one trial: its cell's seeds in one call of :func:`nets.train` (with ASHA,
    one call per rung)."""
    from ray import tune

    spec = sweep.spec(config["final_lr"], config["gamma"])
    for epochs in sweep.report_epochs(config["gamma"]):
        result = train(replace(spec, epochs=epochs))
        acc = np.nan_to_num(result.test_acc[:, -1], nan=0.0)  # a diverged seed ranks as a miss
        metrics = {METRIC: float(acc.mean()), ROWS: rows_of(result, sweep.epochs)}
        if config["gamma"] != REFERENCE:
            metrics[CLOCK] = epochs
        tune.report(metrics)


def _last_line(error: BaseException) -> str:
    """What a failed trial's error says last (Ray wraps it in the worker's traceback)."""
    lines = str(error).strip().splitlines()
    return lines[-1] if lines else type(error).__name__


class Outcome(NamedTuple):
    rows: dict[str, np.ndarray]  # every trial's last report, in the columns of SCHEMA
    failed: list[str]  # one line per trial that raised
    stopped: int  # cells that ASHA stopped before the last epoch
    seconds: float


def run(sweep: Sweep, log: Callable[[str], None] = print, storage: str | os.PathLike | None = None) -> Outcome:
    """Run ``sweep`` on the Ray this process is connected to (``ray.init`` is the caller's: a
    local one or a cluster), one CPU a trial. Tune keeps its bookkeeping in ``storage`` (default:
    a temporary directory, removed afterwards)."""
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    class Collect(tune.Callback):
        """In the driver: takes each report's rows out of the result (so Tune neither stores nor
        logs them) and prints the progress."""

        def __init__(self):
            self.rows, self.done = {}, 0
            self.start, self.first, self.printed = time.perf_counter(), 0.0, 0.0

        def on_trial_result(self, iteration, trials, trial, result, **info):
            if ROWS in result:
                self.rows[trial.trial_id] = result.pop(ROWS)

        def _finished(self):
            self.done += 1
            elapsed = time.perf_counter() - self.start
            self.first = self.first or elapsed  # the first trial also waited for the workers to start
            if elapsed - self.printed >= 1.0 or self.done == sweep.n_trials:
                self.printed = elapsed
                left = (elapsed - self.first) / (self.done - 1) * (sweep.n_trials - self.done) if self.done > 1 else 0
                log(f"sweep: {self.done:,}/{sweep.n_trials:,} trials done, {elapsed:,.0f} s elapsed"
                    + (f", about {left:,.0f} s left" if left >= 1 else ""))

        def on_trial_complete(self, iteration, trials, trial, **info):
            self._finished()

        def on_trial_error(self, iteration, trials, trial, **info):
            self._finished()

    collect = Collect()
    tune_config = tune.TuneConfig(reuse_actors=True)
    if sweep.asha:
        tune_config = tune.TuneConfig(
            reuse_actors=True, metric=METRIC, mode="max",
            scheduler=ASHAScheduler(time_attr=CLOCK, max_t=sweep.epochs, grace_period=sweep.grace_period,
                                    reduction_factor=sweep.reduction_factor))
    own_storage = storage is None
    storage = Path(tempfile.mkdtemp(prefix="nets-sweep-")) if own_storage else Path(storage)
    try:
        tuner = tune.Tuner(
            tune.with_resources(tune.with_parameters(_trial, sweep=sweep), {"cpu": 1}),
            param_space={"final_lr": tune.grid_search(list(sweep.final_lrs)),
                         "gamma": tune.grid_search(list(sweep.axis))},
            tune_config=tune_config,
            run_config=tune.RunConfig(name="sweep", storage_path=str(storage.resolve()), verbose=0,
                                      callbacks=[collect]))
        grid = tuner.fit()
        failed = [f"final_lr={r.config['final_lr']:g} gamma={r.config['gamma']}: {_last_line(r.error)}"
                  for r in grid if r.error is not None]
    finally:
        if own_storage:
            shutil.rmtree(storage, ignore_errors=True)
    rows = concat_rows(list(collect.rows.values()))
    short = (rows["epoch"] == 0) & (rows["trained_epochs"] < sweep.epochs)
    stopped = len(set(zip(rows["final_lr"][short], rows["gamma"][short])))
    return Outcome(rows, failed, stopped, time.perf_counter() - collect.start)


# ----------------------------------------------------------------------------- command line


def parse_values(text: str) -> tuple[float, ...]:
    """``"a:b:n"``: n values evenly spaced on a log scale from a to b; ``"a,b,c"``: those values."""
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            start, stop, count = float(start), float(stop), int(count)
            if not (start > 0 and stop > 0 and math.isfinite(start * stop) and count >= 1):
                raise ValueError
            values = np.geomspace(start, stop, count)
        else:
            values = [float(v) for v in text.split(",") if v.strip()]
            if not values or not all(math.isfinite(v) for v in values):
                raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a log range start:stop:count of positive numbers (1e-3:1:40) or a list (0.01,0.1)") from None
    return tuple(sorted({float(v) for v in values}))


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"16"``: seeds 0..15; ``"0,3,7"`` (or ``"3,"``): those seeds."""
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip()) if "," in text else tuple(range(int(text)))
        if not seeds or min(seeds) < 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of seeds (16) or a list of seeds (0,3,7)") from None
    return seeds


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nets.sweep", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="A final_lr x gamma x seed grid of AdaBound (or AMSBound) on the digits network, with SGD with "
                    "momentum at lr = final_lr as the reference row, run as Ray Tune trials (one per cell, its "
                    "seeds stacked). Writes one results file for the real-network page.")
    p.add_argument("--final-lr", type=parse_values, default=STUDY_FINAL_LRS, metavar="RANGE",
                   help="final_lr values: start:stop:count on a log scale, or a list a,b,c")
    p.add_argument("--gamma", type=parse_values, default=STUDY_GAMMAS, metavar="RANGE", help="gamma values, likewise")
    p.add_argument("--seeds", type=parse_seeds, default=str(STUDY_SEEDS),
                   help="a count (16: seeds 0-15) or a list (0,3,7)")
    p.add_argument("--optimizer", choices=sorted(BOUNDED), default="adabound", help="the cells' optimizer")
    p.add_argument("--lr", type=float, default=1e-3, help="the bounded optimizer's (Adam-like) lr")
    p.add_argument("--no-reference", dest="reference", action="store_false",
                   help="leave out the reference row, SGD with momentum at lr = final_lr")
    p.add_argument("--model", choices=MODELS, default="mlp", help="the network: an MLP 64-H-10 or the small CNN")
    p.add_argument("--hidden", type=int, default=DEFAULT_HIDDEN, help="the MLP's hidden width")
    p.add_argument("--epochs", type=int, default=50, help="epochs of every run")
    p.add_argument("--batch-size", type=int, default=64, help="mini-batch size")
    p.add_argument("--raw-inputs", action="store_true", help="pixels 0-16 instead of [0, 1]")
    p.add_argument("--asha", action="store_true", help="stop poor cells early (ASHA on the mean test accuracy)")
    p.add_argument("--grace-period", type=int, default=5, help="ASHA: epochs before a cell can be stopped")
    p.add_argument("--reduction-factor", type=float, default=3.0, help="ASHA: 1/rf of the cells go on at each rung")
    p.add_argument("--num-cpus", type=int, default=os.cpu_count(), help="local Ray: CPUs to use (one a trial)")
    p.add_argument("--address", help="an existing Ray cluster (host:port, or auto) instead of a local Ray")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="the results file: .csv, or .parquet (a whole study's 685,000 rows: some 50 MB of "
                        "Parquet read in 2 s, 160 MB of CSV in 20 s)")
    return p


def _connect(address: str | None, num_cpus: int) -> None:
    import logging

    import ray

    # Trials print nothing; what reached the terminal was the workers' noise as Tune stops them.
    # A failed trial's error is reported by the sweep itself.
    if address is None:
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, logging_level=logging.WARNING,
                 log_to_driver=False)
        return
    # The cluster's nodes need the project's requirements installed; its code travels with the job
    # (the checkout, less .git and what .gitignore names).
    root = Path(__file__).resolve().parent.parent
    ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
             runtime_env={"working_dir": str(root)})


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        sweep = Sweep(final_lrs=args.final_lr, gammas=args.gamma, seeds=args.seeds, optimizer=args.optimizer,
                      lr=args.lr, model=args.model, hidden=args.hidden, epochs=args.epochs,
                      batch_size=args.batch_size, raw_inputs=args.raw_inputs, reference=args.reference,
                      asha=args.asha, grace_period=args.grace_period, reduction_factor=args.reduction_factor)
    except ValueError as e:
        parser.error(str(e))
    if args.out.suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            parser.error(f"{args.out} is Parquet, which needs pyarrow: pip install -r requirements-sweep.txt")
    if args.address is None and not (isinstance(args.num_cpus, int) and args.num_cpus >= 1):
        parser.error(f"Invalid --num-cpus: {args.num_cpus}")
    try:
        import ray
    except ImportError:
        print("Ray Tune is not installed: pip install -r requirements-sweep.txt", file=sys.stderr)
        return 2

    where = f"the Ray cluster at {args.address}" if args.address else f"a local Ray with {args.num_cpus} CPUs"
    print(f"sweep: {len(sweep.final_lrs)} final_lr x {len(sweep.axis)} rows"
          f"{' (the last: SGD(M) at lr = final_lr)' if sweep.reference else ''} = {sweep.n_trials:,} trials of "
          f"{len(sweep.seeds)} seeds: {sweep.n_runs:,} runs of {sweep.epochs} epochs ({sweep.model}"
          f"{f' {sweep.hidden}' if sweep.model == 'mlp' else ''}){', ASHA' if sweep.asha else ''}, on {where}",
          flush=True)
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # with verbose=0: no Tune tables, the progress line instead
    _connect(args.address, args.num_cpus)
    try:
        outcome = run(sweep, log=lambda line: print(line, flush=True))
    finally:
        ray.shutdown()
    path = write_results(outcome.rows, args.out)
    runs = int((outcome.rows["epoch"] == 0).sum())
    print(f"sweep: {runs:,} runs in {outcome.seconds:,.0f} s"
          f"{f', {outcome.stopped} cells stopped early by ASHA' if sweep.asha else ''}; "
          f"{len(outcome.rows['epoch']):,} rows written to {path}")
    for line in outcome.failed:
        print(f"sweep: a trial failed: {line}", file=sys.stderr)
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
