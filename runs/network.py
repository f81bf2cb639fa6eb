"""The real-network page's computations: its settings turned into one :class:`nets.TrainSpec`
(capped to a work budget), and what the page shows of a :class:`nets.NetResult` (Fig. 1's rates,
the spread of every parameter's rate, histograms, learning curves, the final_lr x gamma grid).

Importing this module imports torch (through nets): only the network page does.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

import nets
from nets import RunConfig, TrainSpec

train = nets.train  # the one trainable: this page, its grid and the sweeps' trials all call it
param_count = nets.param_count
OPTIMIZERS = nets.OPTIMIZERS
BOUNDED = nets.BOUNDED
DEFAULT_OPTIMIZERS = ("momentum", "adam", "adabound")
# Each optimizer's first rate: the paper's settings (SGD(M) 0.1, Adam-family 1e-3) and torch's AdaGrad.
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.1, "adam": 1e-3, "amsgrad": 1e-3, "adagrad": 1e-2,
              "adabound": 1e-3, "amsbound": 1e-3}
MAX_EPOCHS, MAX_SEEDS = 300, 8
HIDDEN_RANGE = (8, 512)
BATCH_SIZES = (16, 32, 64, 128, 256)

# The work one page run may ask for, in model-epochs of the 64-128-10 MLP at batch 64 (about 6.6 ms
# each in float64 here, bench/nets.py): the default run is 3 x 3 x 50 = 450 (about 3 s), the cap
# twice that, some 6 s of training.
BUDGET = 900
# A CNN model-epoch costs about this many MLP ones (bench/nets.py: 1.6 s an epoch for 9 CNNs against
# 0.06 s for 9 MLPs); an MLP's cost grows with its width.
CNN_COST = 25.0
SMALL_BATCH_COST = 64  # below this batch size, a model-epoch costs 64 / batch times more steps

# The final_lr x gamma grid on the network (AdaBound, 2 seeds), with SGD(M) at lr = final_lr.
GRID_FINAL_LRS = (0.003, 0.01, 0.03, 0.1, 0.3)
GRID_GAMMAS = (1e-4, 1e-3, 1e-2)
GRID_SEEDS = (0, 1)
GRID_EPOCHS = 10

# Fig. 1's thresholds: a rate this large or this small is extreme for a network of this size.
HUGE, TINY = 1e3, 1e-2


def cost_per_model_epoch(model: str, hidden: int, batch_size: int) -> float:
    """Work of one model for one epoch, in units of the default MLP's."""
    base = CNN_COST if model == "cnn" else max(hidden / nets.DEFAULT_HIDDEN, 0.25)
    return base * max(1.0, SMALL_BATCH_COST / batch_size)


def work(spec: TrainSpec) -> float:
    return spec.n_models * spec.epochs * cost_per_model_epoch(spec.model, spec.hidden, spec.batch_size)


def nesterov_possible(values: Mapping[str, Any]) -> bool:
    """Nesterov momentum needs a momentum above 0 (torch.optim.SGD refuses it otherwise)."""
    return float(values["mom"]) > 0


def config_of(key: str, values: Mapping[str, Any]) -> RunConfig:
    """The configuration of optimizer ``key`` from the page's values (its own lr; the shared
    betas, eps, weight decay; AdaBound's final_lr and gamma; momentum's momentum and Nesterov,
    which is off at momentum 0)."""
    nesterov = bool(values["nesterov"]) and key == "momentum" and nesterov_possible(values)
    return RunConfig(key, lr=float(values[f"lr.{key}"]), final_lr=float(values["final_lr"]),
                     gamma=float(values["gamma"]), betas=(float(values["b1"]), float(values["b2"])),
                     eps=float(values["eps"]), weight_decay=float(values["wd"]),
                     momentum=float(values["mom"]), nesterov=nesterov)


def spec_from(values: Mapping[str, Any], chosen: Sequence[str]) -> tuple[TrainSpec, list[str]]:
    """The run the page's ``values`` describe, with its epochs (then seeds) cut to the budget;
    notes say what was cut or turned off, and why."""
    configs = tuple(config_of(k, values) for k in chosen)
    epochs, n_seeds = int(values["epochs"]), int(values["seeds"])
    per = cost_per_model_epoch(values["model"], int(values["H"]), int(values["batch"]))
    notes = []
    if "momentum" in chosen and bool(values["nesterov"]) and not nesterov_possible(values):
        notes.append("Nesterov momentum needs a momentum above 0; at momentum 0 SGD(M) ran as plain SGD, "
                     "without Nesterov")
    if len(configs) * n_seeds * epochs * per > BUDGET:
        asked = (epochs, n_seeds)
        epochs = max(1, int(BUDGET // (len(configs) * n_seeds * per)))
        if epochs < 5 and n_seeds > 1:  # rather fewer seeds than a run too short to show anything
            n_seeds = max(1, min(n_seeds, int(BUDGET // (len(configs) * 5 * per))))
            epochs = max(1, int(BUDGET // (len(configs) * n_seeds * per)))
        notes.append(
            f"{len(configs)} optimizers x {asked[1]} seeds x {asked[0]} epochs is more work than one run of this "
            f"page may take ({BUDGET:,} model-epochs of the 64-128-10 MLP at batch 64, some 6 s; this model "
            f"costs {per:.3g} of those a model-epoch): trained {n_seeds} seed{'s' * (n_seeds > 1)} x "
            f"{epochs} epochs instead")
    spec = TrainSpec(configs=configs, model=values["model"], hidden=int(values["H"]),
                     seeds=tuple(range(n_seeds)), epochs=epochs, batch_size=int(values["batch"]),
                     raw_inputs=bool(values["raw"]))
    return spec, notes


# ----------------------------------------------------------------------------- what the page shows


def models_of(result: nets.NetResult, c: int) -> np.ndarray:
    """The model indices of configuration ``c`` (one per seed)."""
    return np.flatnonzero(result.config_of == c)


class RateFigures(NamedTuple):
    """One configuration's rates at the end of training, over its seeds (the median)."""

    decades_p1_p99: float
    decades_min_max: float
    share_huge: float  # of active parameters above HUGE
    share_tiny: float  # below TINY
    inactive_share: float
    clipped_lower: float  # share held at AdaBound's lower bound (NaN without bounds)
    clipped_upper: float


def _share_beyond(counts: np.ndarray, log10_threshold: float, above: bool) -> np.ndarray:
    """Share of the counted rates above (or below) a threshold that lies on a bin edge."""
    edge = int(np.searchsorted(nets.HIST_EDGES, log10_threshold))  # bin j holds [edge j-1, edge j)
    part = counts[..., edge + 1:] if above else counts[..., :edge + 1]
    total = counts.sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return part.sum(-1) / total


def rate_figures(result: nets.NetResult, c: int, epoch: int | None = None) -> RateFigures:
    """The figures under Fig. 1 for configuration ``c`` at ``epoch`` (default: the last)."""
    e = (epoch or result.spec.epochs) - 1
    m = models_of(result, c)
    p = result.percentiles[m, e]
    with np.errstate(divide="ignore", invalid="ignore"):
        p1_p99 = np.log10(p[:, -1]) - np.log10(p[:, 0])
        min_max = np.log10(result.lr_max[m, e]) - np.log10(result.lr_min[m, e])
    counts = result.hist_counts[m, e]
    n_params = counts.sum(-1) + result.inactive[m, e]
    with np.errstate(invalid="ignore", divide="ignore"):
        inactive = result.inactive[m, e] / n_params

    def med(x):
        x = np.asarray(x, dtype=np.float64)
        return float(np.nanmedian(x)) if np.isfinite(x).any() else math.nan

    return RateFigures(med(p1_p99), med(min_max), med(_share_beyond(counts, math.log10(HUGE), True)),
                       med(_share_beyond(counts, math.log10(TINY), False)), med(inactive),
                       med(result.clipped_lower[m, e]), med(result.clipped_upper[m, e]))


def sampled_log_rates(result: nets.NetResult, c: int, max_columns: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, log10 lr_eff (K, S))`` of the first seed of configuration ``c``: Fig. 1's heat
    map, thinned to at most ``max_columns`` evenly spread steps (the last one kept)."""
    m = models_of(result, c)[0]
    total = result.lr_eff.shape[1]
    idx = np.unique(np.round(np.linspace(0, total - 1, min(total, max_columns))).astype(int))
    with np.errstate(divide="ignore", invalid="ignore"):
        return idx + 1, np.log10(result.lr_eff[m, idx].T)


class Spread(NamedTuple):
    """Per epoch, over the seeds (geometric mean), the percentiles of the active rates."""

    epochs: np.ndarray  # (E,) 1..E
    percentiles: np.ndarray  # (len(nets.PERCENTILES), E)
    inactive: np.ndarray  # (E,) mean count of inactive parameters
    lower: np.ndarray | None  # (E,) the bounds at each epoch's last step
    upper: np.ndarray | None


def spread(result: nets.NetResult, c: int) -> Spread:
    m = models_of(result, c)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an epoch where every seed has diverged: NaN
        logs = np.log10(result.percentiles[m])  # (S, E, 5)
        p = 10.0 ** np.nanmean(np.where(np.isfinite(logs), logs, np.nan), axis=0).T
    epochs = np.arange(1, result.spec.epochs + 1)
    ends = epochs * result.steps_per_epoch - 1
    bounded = result.spec.configs[c].bounded
    return Spread(epochs, p, result.inactive[m].mean(axis=0),
                  result.lower[c, ends] if bounded else None, result.upper[c, ends] if bounded else None)


def histogram(result: nets.NetResult, c: int, epoch: int) -> np.ndarray:
    """Share of the active parameters per bin of ``nets.HIST_EDGES`` (with under/overflow) at
    ``epoch``, pooled over the configuration's seeds."""
    counts = result.hist_counts[models_of(result, c), epoch - 1].sum(axis=0).astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


class Curve(NamedTuple):
    """A learning curve over the seeds: the mean and the lowest and highest seed, per epoch."""

    epochs: np.ndarray  # (E + 1,) 0..E
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def curve(result: nets.NetResult, c: int, what: str) -> Curve:
    """``what``: "train_loss", "train_acc", "test_loss" or "test_acc". Seeds that diverged drop
    out from their epoch on."""
    values = getattr(result, what)[models_of(result, c)]
    epochs = np.arange(values.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an epoch where every seed has diverged
        return Curve(epochs, np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0))


class Row(NamedTuple):
    key: str
    label: str
    test_acc_mean: float
    test_acc_sd: float
    train_loss: float  # mean over seeds of the final train loss
    diverged: int  # seeds that diverged
    seconds: float  # this configuration's share of the training time


def final_rows(result: nets.NetResult) -> list[Row]:
    """The final table: one row per configuration."""
    rows = []
    share = result.wall_time / len(result.spec.configs)
    for c, cfg in enumerate(result.spec.configs):
        m = models_of(result, c)
        acc = result.test_acc[m, -1]
        ok = np.isfinite(acc)
        rows.append(Row(cfg.optimizer, cfg.label, float(np.mean(acc[ok])) if ok.any() else math.nan,
                        float(np.std(acc[ok])) if ok.sum() > 1 else 0.0,
                        float(np.nanmean(result.train_loss[m, -1])) if ok.any() else math.nan,
                        int((result.diverged_at[m] >= 0).sum()), share))
    return rows


def diverged(result: nets.NetResult) -> list[tuple[str, int, int]]:
    """(configuration label, seed, epoch) of every model that diverged."""
    return [(result.spec.configs[result.config_of[m]].label, int(result.seed_of[m]), int(result.diverged_at[m]))
            for m in np.flatnonzero(result.diverged_at >= 0)]


def csv_text(result: nets.NetResult) -> str:
    """The curves per epoch and the sampled rates per step, one row per model and time, as CSV."""
    lines = ["kind,optimizer,config,seed,time,name,value"]
    for m in range(result.n_models):
        cfg = result.spec.configs[result.config_of[m]]
        head = f"{cfg.optimizer},{cfg.label},{result.seed_of[m]}"
        for what in ("train_loss", "train_acc", "test_loss", "test_acc"):
            for e, v in enumerate(getattr(result, what)[m]):
                lines.append(f"epoch,{head},{e},{what},{v:.10g}")
        for k, name in enumerate(result.sampled_names):
            for t, v in enumerate(result.lr_eff[m, :, k], start=1):
                lines.append(f"step,{head},{t},lr_eff {name},{v:.10g}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- the final_lr x gamma grid


def grid_spec(base: RunConfig, spec: TrainSpec, momentum: float, epochs: int = GRID_EPOCHS) -> TrainSpec:
    """AdaBound (``base``'s lr, betas, eps, weight decay) at every GRID_FINAL_LRS x GRID_GAMMAS
    cell, then SGD with momentum at lr = final_lr for every final_lr: one stacked run, 2 seeds."""
    cells = tuple(RunConfig(base.optimizer, lr=base.lr, final_lr=f, gamma=g, betas=base.betas, eps=base.eps,
                            weight_decay=base.weight_decay)
                  for g in GRID_GAMMAS for f in GRID_FINAL_LRS)
    reference = tuple(RunConfig("momentum", lr=f, momentum=momentum, weight_decay=base.weight_decay)
                      for f in GRID_FINAL_LRS)
    return TrainSpec(configs=cells + reference, model=spec.model, hidden=spec.hidden, seeds=GRID_SEEDS,
                     epochs=epochs, batch_size=spec.batch_size, raw_inputs=spec.raw_inputs)


class Grid(NamedTuple):
    final_lrs: np.ndarray  # (F,)
    gammas: np.ndarray  # (G,)
    test_acc: np.ndarray  # (G, F): mean over seeds
    train_loss: np.ndarray  # (G, F)
    sgdm_test_acc: np.ndarray  # (F,)
    sgdm_train_loss: np.ndarray  # (F,)


def grid_tables(result: nets.NetResult) -> Grid:
    F, G = len(GRID_FINAL_LRS), len(GRID_GAMMAS)

    def final(what):
        out = np.array([np.nanmean(getattr(result, what)[models_of(result, c), -1])
                        if np.isfinite(getattr(result, what)[models_of(result, c), -1]).any() else np.nan
                        for c in range(len(result.spec.configs))])
        return out[:F * G].reshape(G, F), out[F * G:]

    acc, sgdm_acc = final("test_acc")
    loss, sgdm_loss = final("train_loss")
    return Grid(np.array(GRID_FINAL_LRS), np.array(GRID_GAMMAS), acc, loss, sgdm_acc, sgdm_loss)


# ----------------------------------------------------------------------------- sweeps run elsewhere

RESULTS_FOLDER = "sweeps"  # where `make sweep` writes, beside the app


def results_files(root) -> list[str]:
    """The results files in the results folder under ``root`` (names, newest first)."""
    from pathlib import Path

    folder = Path(root) / RESULTS_FOLDER
    files = [p for p in folder.glob("*") if p.suffix in (".csv", ".parquet") and p.is_file()] if folder.is_dir() else []
    return [p.name for p in sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)]


def sweep_grid(source) -> Grid:
    """A results file of ``python -m nets.sweep`` (a path or a file object) as the page's grid
    tables; a malformed or foreign file raises ``ValueError`` saying what is wrong."""
    from nets import sweep

    g = sweep.grid_tables(sweep.load_results(source))
    return Grid(g.final_lrs, g.gammas, g.test_acc, g.train_loss, g.sgdm_test_acc, g.sgdm_train_loss)
