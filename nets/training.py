"""Training: one call trains every (configuration, seed) pair on the digits at once and records
the rates each optimizer applies. The page and sweeps (Ray Tune trials) call the same
:func:`train` with a :class:`TrainSpec`, a frozen, hashable value a cache can key on.

The models are ``configs x seeds``, configuration-major: model ``m`` runs configuration
``m // len(seeds)`` with seed ``seeds[m % len(seeds)]``. The seed fixes the initialisation
(:func:`nets.models.reference_module`) and the batch order: before each epoch the training set is
shuffled by ``numpy.random.default_rng(seed).permutation`` (one generator per model, drawn once
per epoch) and cut into batches in that order, the last one smaller (1,437 = 22 x 64 + 29). Two
configurations with the same seed thus start from the same weights and see the same batches.

Each step minimises the sum over models of each model's mean cross-entropy on its own batch, so
every model receives exactly its own gradient. A model whose loss or parameters stop being finite
is marked in ``diverged_at``; the others go on unaffected, and nothing raises.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from optim_core.bounds import lower_bound, upper_bound

from .data import N_TRAIN, live_pixels, tensors
from .models import DEFAULT_HIDDEN, Stack, check_model, mean_cross_entropy, stack_from_seeds
from .optimizers import ParamGroup, RunConfig
from .recording import HIST_EDGES, N_BINS, N_SAMPLED, PERCENTILES, rate_stats, sampled_positions

DTYPES = {"float64": torch.float64, "float32": torch.float32}
# The default (the page's) precision. Measured with bench/nets.py, the default run on the shared
# 2-core machine, six runs under varying load: float64 2.8-4.7 s (within the 5 s budget, thinly
# when the other core is busy), float32 2.0-3.0 s with the same figures to the third decimal
# (p1-p99 spreads, inactive counts, accuracies, clipped shares; sampled rates within 3e-5
# decades). float64 is what the exactness tests pin down; float32 is the lever if time gets short.
DEFAULT_DTYPE = "float64"
# The page's default run with the paper's settings: SGD with momentum, Adam, AdaBound. SGDM's lr
# 0.1 (the paper's on CIFAR) measured best here too: test accuracy after 50 epochs (seeds 0-2)
# 0.964-0.969 at lr 0.01, 0.972 at 0.03, 0.975 at 0.05, 0.975-0.981 at 0.1, 0.978-0.981 at 0.2
# (higher test loss), 0.967-0.975 at 0.5.
DEFAULT_CONFIGS = (
    RunConfig("momentum", lr=0.1),
    RunConfig("adam", lr=1e-3),
    RunConfig("adabound", lr=1e-3, final_lr=0.1, gamma=1e-3),
)
# Intra-op threads (process-wide in torch). Measured with bench/nets.py on the shared 2-core
# machine, the default run: two threads cut the wall time from 2.80 to 2.27 s but cost 4.50 CPU-s
# instead of 2.80, and while the other core was busy they were a disaster (19.4 s instead of 3.5 s;
# a two-epoch run 6.3 s instead of 0.19 s). One thread; a server runs sessions side by side.
TORCH_THREADS = 1


@dataclass(frozen=True)
class TrainSpec:
    """What to train: the models are ``configs x seeds``."""

    configs: tuple[RunConfig, ...] = DEFAULT_CONFIGS
    model: str = "mlp"  # "mlp" or "cnn"
    hidden: int = DEFAULT_HIDDEN  # the MLP's hidden width
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: int = 50
    batch_size: int = 64
    raw_inputs: bool = False  # pixels 0..16 instead of [0, 1]
    dtype: str = DEFAULT_DTYPE  # "float32" or "float64"
    n_sampled: int = N_SAMPLED  # parameters whose rate is recorded at every step

    def __post_init__(self):
        object.__setattr__(self, "configs", tuple(self.configs))
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        if not self.configs or not all(isinstance(c, RunConfig) for c in self.configs):
            raise ValueError("Invalid configs: at least one RunConfig")
        check_model(self.model, self.hidden)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds) or min(self.seeds) < 0:
            raise ValueError(f"Invalid seeds: {self.seeds} (distinct non-negative integers)")
        if not (isinstance(self.epochs, int) and self.epochs >= 1):
            raise ValueError(f"Invalid epochs: {self.epochs!r} (a positive integer)")
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= N_TRAIN):
            raise ValueError(f"Invalid batch_size: {self.batch_size!r} (1 to {N_TRAIN})")
        if self.dtype not in DTYPES:
            raise ValueError(f"Invalid dtype: {self.dtype!r} (one of {', '.join(DTYPES)})")

    @property
    def n_models(self) -> int:
        return len(self.configs) * len(self.seeds)

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(N_TRAIN / self.batch_size)


@dataclass(frozen=True, eq=False)
class NetResult:
    """Everything recorded by :func:`train`, as numpy arrays. M models, T steps, E epochs, K
    sampled parameters, C configurations. Step ``t`` (from 1) is index ``t - 1``; per-epoch
    statistics of the rates are taken after epochs 1..E (index ``e - 1``); learning curves also
    hold the untrained models (index ``e``, 0 = before training). From a model's divergence on,
    its float entries are NaN, its counts 0."""

    spec: TrainSpec
    config_of: np.ndarray  # (M,) int: index into spec.configs
    seed_of: np.ndarray  # (M,) int
    sampled_index: np.ndarray  # (K,) int: positions in a model's flat parameter row
    sampled_names: tuple[str, ...]  # (K,) "fc1.weight[37, 5]", ...
    lr_eff: np.ndarray  # (M, T, K): rate applied to each sampled parameter at each step
    batch_loss: np.ndarray  # (M, T): mean cross-entropy of the step's batch, before the update
    lower: np.ndarray  # (C, T): AdaBound/AMSBound's lower bound at each step; NaN for others
    upper: np.ndarray  # (C, T): upper bound (inf while gamma = 0); NaN for others
    hist_counts: np.ndarray  # (M, E, N_BINS) int: active rates per bin of HIST_EDGES (+ under/overflow)
    inactive: np.ndarray  # (M, E) int: parameters whose second moment is still 0 (SGD: none)
    percentiles: np.ndarray  # (M, E, len(PERCENTILES)): of the active rates
    lr_min: np.ndarray  # (M, E): of the active rates
    lr_max: np.ndarray  # (M, E)
    clipped_lower: np.ndarray  # (M, E): share of active parameters held at the lower bound; NaN if unbounded
    clipped_upper: np.ndarray  # (M, E): share held at the upper bound
    train_loss: np.ndarray  # (M, E + 1): over each epoch's batches as they were met (0: whole set)
    train_acc: np.ndarray  # (M, E + 1): likewise
    test_loss: np.ndarray  # (M, E + 1): on the test set at the end of each epoch
    test_acc: np.ndarray  # (M, E + 1)
    diverged_at: np.ndarray  # (M,) int: epoch (from 1) in which the model stopped being finite, -1 if never
    params: np.ndarray  # (M, P): final parameters (NaN for diverged models)
    wall_time: float  # seconds spent in train()

    hist_edges = HIST_EDGES  # log10(lr_eff)
    percentile_levels = PERCENTILES

    @property
    def n_models(self) -> int:
        return len(self.config_of)

    @property
    def steps_per_epoch(self) -> int:
        return self.lr_eff.shape[1] // self.spec.epochs

    @property
    def spread(self) -> np.ndarray:
        """(M, E): decades between the 1st and 99th percentile of the active rates."""
        p = self.percentiles
        return np.log10(p[..., PERCENTILES.index(99)]) - np.log10(p[..., PERCENTILES.index(1)])


@torch.no_grad()
def _evaluate(st: Stack, x: torch.Tensor, y: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Each model's mean cross-entropy and accuracy on one data set shared by all."""
    z = st.logits(x)
    return mean_cross_entropy(z, y).double().numpy(), (z.argmax(-1) == y).double().mean(1).numpy()


def _bounds(config: RunConfig, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """AdaBound's band at steps 1..T (NaN for methods without one)."""
    if not config.bounded:
        return np.full(steps, np.nan), np.full(steps, np.nan)
    t = np.arange(1, steps + 1, dtype=np.float64)
    return lower_bound(config.final_lr, config.gamma, t), upper_bound(config.final_lr, config.gamma, t)


class _Recorder:
    """The arrays of a :class:`NetResult` while they fill: per step cheap writes into torch
    tensors (one gather per configuration for the sampled rates), per epoch the statistics of
    every rate, at the end the cut after each divergence."""

    def __init__(self, spec: TrainSpec, n_sampled: int, dtype: torch.dtype):
        m, e, self.per_epoch = spec.n_models, spec.epochs, spec.steps_per_epoch
        steps = e * self.per_epoch
        self.lr_eff = torch.empty((m, steps, n_sampled), dtype=dtype)
        self.batch_loss = torch.empty((m, steps), dtype=dtype)
        self.correct = torch.empty((m, steps), dtype=torch.int64)
        self.curves = np.full((4, m, e + 1), np.nan)  # train loss, train acc, test loss, test acc
        self.counts = np.zeros((m, e, N_BINS), dtype=np.int32)
        self.inactive = np.zeros((m, e), dtype=np.int64)
        self.percentiles = np.full((m, e, len(PERCENTILES)), np.nan)
        self.extremes = np.full((2, m, e), np.nan)  # lr_min, lr_max
        self.clipped = np.full((2, m, e), np.nan)  # below the band, above it
        self.diverged_at = np.full(m, -1)

    def start(self, st: Stack, train_set, test_set) -> None:
        self.curves[0:2, :, 0] = _evaluate(st, *train_set)
        self.curves[2:4, :, 0] = _evaluate(st, *test_set)

    @torch.no_grad()
    def step(self, step: int, losses: torch.Tensor, logits: torch.Tensor, y: torch.Tensor,
             blocks: list[slice], groups: list[ParamGroup], positions: torch.Tensor) -> None:
        """After the optimizers' step: the batch's losses and hits, the sampled rates."""
        self.batch_loss[:, step] = losses
        self.correct[:, step] = (logits.argmax(-1) == y).sum(1)
        for rows, group in zip(blocks, groups):
            self.lr_eff[rows, step] = group.lr_eff(positions)

    def epoch(self, epoch: int, st: Stack, blocks: list[slice], groups: list[ParamGroup], test_set,
              batch_sizes: np.ndarray) -> None:
        steps = slice((epoch - 1) * self.per_epoch, epoch * self.per_epoch)
        n_train = batch_sizes.sum()
        # An elementwise product and a row sum: each model's figure is independent of the others.
        self.curves[0, :, epoch] = (self.batch_loss[:, steps].double().numpy() * batch_sizes).sum(1) / n_train
        self.curves[1, :, epoch] = self.correct[:, steps].sum(1).numpy() / n_train
        self.curves[2:4, :, epoch] = _evaluate(st, *test_set)

        e = epoch - 1
        rates = [g.rates() for g in groups]
        stats = rate_stats(torch.cat([r.lr_eff for r in rates]).numpy(), torch.cat([r.active for r in rates]).numpy())
        self.counts[:, e], self.inactive[:, e], self.percentiles[:, e] = stats.counts, stats.inactive, stats.percentiles
        self.extremes[:, :, e] = stats.lr_min, stats.lr_max
        for rows, r in zip(blocks, rates):
            if r.raw is not None:
                n_active = r.active.sum(1).double()
                self.clipped[0, rows, e] = (((r.raw < r.lower) & r.active).sum(1) / n_active).numpy()
                self.clipped[1, rows, e] = (((r.raw > r.upper) & r.active).sum(1) / n_active).numpy()

        finite = (torch.isfinite(st.params).all(1) & torch.isfinite(self.batch_loss[:, steps]).all(1)).numpy()
        finite &= np.isfinite(self.curves[:, :, epoch]).all(0)
        self.diverged_at[~finite & (self.diverged_at < 0)] = epoch

    def cut_divergences(self, params: np.ndarray) -> None:
        """NaN (counts 0) from each divergence on: per-step records from the first non-finite
        batch loss (the epoch's start if only the parameters went), the rest from its epoch."""
        lr_eff, batch_loss = self.lr_eff.numpy(), self.batch_loss.numpy()
        for m in np.flatnonzero(self.diverged_at >= 0):
            e = self.diverged_at[m]
            bad = np.flatnonzero(~np.isfinite(batch_loss[m]))
            cut = bad[0] if len(bad) else (e - 1) * self.per_epoch
            lr_eff[m, cut:], batch_loss[m, cut:], params[m] = np.nan, np.nan, np.nan
            self.curves[:, m, e:] = np.nan
            self.percentiles[m, e - 1:] = np.nan
            self.extremes[:, m, e - 1:], self.clipped[:, m, e - 1:] = np.nan, np.nan
            self.counts[m, e - 1:], self.inactive[m, e - 1:] = 0, 0


def train(spec: TrainSpec, progress: Callable[[int, int], None] | None = None) -> NetResult:
    """Train ``spec``'s models together; ``progress(epoch_done, epochs)`` after every epoch."""
    start = time.perf_counter()
    if torch.get_num_threads() != TORCH_THREADS:
        torch.set_num_threads(TORCH_THREADS)
    dtype = DTYPES[spec.dtype]
    x_train, y_train, x_test, y_test = tensors(spec.raw_inputs, dtype)
    n_train, batch = len(y_train), spec.batch_size
    n_seeds, n_configs = len(spec.seeds), len(spec.configs)

    st = stack_from_seeds(spec.model, spec.hidden, np.tile(spec.seeds, n_configs), dtype)
    blocks = [slice(c * n_seeds, (c + 1) * n_seeds) for c in range(n_configs)]
    groups = [ParamGroup(cfg, st.params[rows], st.grad[rows]) for cfg, rows in zip(spec.configs, blocks)]
    index, names = sampled_positions(st.layout, spec.n_sampled,
                                     live_pixels(spec.raw_inputs) if spec.model == "mlp" else None)
    # The sampled positions in a group's flattened (seeds, P) tensor, for torch.take.
    positions = torch.from_numpy(np.arange(n_seeds)[:, None] * st.layout.n_params + index)
    batch_sizes = np.array([min(batch, n_train - a) for a in range(0, n_train, batch)], dtype=np.float64)

    rec = _Recorder(spec, len(index), dtype)
    rec.start(st, (x_train, y_train), (x_test, y_test))
    rngs = [np.random.default_rng(seed) for seed in spec.seeds]
    step = 0
    for epoch in range(1, spec.epochs + 1):
        order = torch.from_numpy(np.stack([rng.permutation(n_train) for rng in rngs])).repeat(n_configs, 1)
        xs, ys = x_train[order], y_train[order]  # (M, n, 64), (M, n): each model's shuffled epoch
        for a in range(0, n_train, batch):
            xb, yb = xs[:, a:a + batch], ys[:, a:a + batch]
            logits = st.logits(xb)
            losses = mean_cross_entropy(logits, yb)
            st.backward(losses.sum())
            for group in groups:
                group.step()
            rec.step(step, losses, logits, yb, blocks, groups, positions)
            step += 1
        rec.epoch(epoch, st, blocks, groups, (x_test, y_test), batch_sizes)
        if progress is not None:
            progress(epoch, spec.epochs)

    params = st.params.numpy().copy()
    rec.cut_divergences(params)
    lower, upper = (np.stack(b) for b in zip(*(_bounds(c, step) for c in spec.configs)))
    return NetResult(
        spec=spec, config_of=np.repeat(np.arange(n_configs), n_seeds), seed_of=np.tile(spec.seeds, n_configs),
        sampled_index=index, sampled_names=names, lr_eff=rec.lr_eff.numpy(), batch_loss=rec.batch_loss.numpy(),
        lower=lower, upper=upper, hist_counts=rec.counts, inactive=rec.inactive, percentiles=rec.percentiles,
        lr_min=rec.extremes[0], lr_max=rec.extremes[1], clipped_lower=rec.clipped[0], clipped_upper=rec.clipped[1],
        train_loss=rec.curves[0], train_acc=rec.curves[1], test_loss=rec.curves[2], test_acc=rec.curves[3],
        diverged_at=rec.diverged_at, params=params, wall_time=time.perf_counter() - start)
