r"""The learning-rate range test on the real network: the ``final_lr`` finder.

AdaBound's late phase is SGD with momentum :math:`\beta_1` and dampening :math:`\beta_1` at
``final_lr``. This runs exactly that method (``torch.optim.SGD``) on the digits while its rate
grows geometrically per step from ``lr_min`` to ``lr_max``, one model per seed, all seeds as one
stacked run, and records each model's batch loss before each update. Smoothing, the summary over
seeds and the marks are :mod:`optim_core.finder`'s, the same as for a 2-D landscape.

Batches follow :mod:`nets.training`: the seed fixes a model's initial weights and its batch order
(a ``numpy.random.default_rng(seed)`` permutation per epoch, the last batch of an epoch smaller),
and the test runs as many epochs as its steps need. A model whose loss stops being finite is
stopped: its gradient and momentum are zeroed from then on, its losses are NaN, the others go on.

    from nets.finder import FinderSpec, find_lr
    result = find_lr(FinderSpec(seeds=(0, 1, 2)))
    result.marks.suggested, result.marks.reason
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from optim_core.finder import (
    DIVERGENCE_FACTOR,
    LR_MAX,
    LR_MIN,
    MOMENTUM,
    SMOOTHING,
    STEPS,
    FinderResult,
    analyse,
    geometric_rates,
)

from .data import N_TRAIN, tensors
from .models import DEFAULT_HIDDEN, check_model, mean_cross_entropy, stack_from_seeds
from .training import DEFAULT_DTYPE, DTYPES, TORCH_THREADS


@dataclass(frozen=True)
class FinderSpec:
    """What to test: a frozen, hashable value a cache can key on."""

    model: str = "mlp"  # "mlp" or "cnn"
    hidden: int = DEFAULT_HIDDEN  # the MLP's hidden width
    batch_size: int = 64
    raw_inputs: bool = False  # pixels 0..16 instead of [0, 1]
    seeds: tuple[int, ...] = (0, 1, 2)
    steps: int = STEPS
    lr_min: float = LR_MIN
    lr_max: float = LR_MAX
    momentum: float = MOMENTUM  # beta1
    dampening: float = MOMENTUM  # beta1 too: AdaBound's final phase
    dtype: str = DEFAULT_DTYPE  # "float64" or "float32"
    smoothing: float = SMOOTHING
    divergence_factor: float = DIVERGENCE_FACTOR

    def __post_init__(self):
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        check_model(self.model, self.hidden)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds) or min(self.seeds) < 0:
            raise ValueError(f"Invalid seeds: {self.seeds} (distinct non-negative integers)")
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= N_TRAIN):
            raise ValueError(f"Invalid batch_size: {self.batch_size!r} (1 to {N_TRAIN})")
        geometric_rates(self.lr_min, self.lr_max, self.steps)  # validates the range and steps
        if not 0 <= self.momentum < 1:
            raise ValueError(f"Invalid momentum: {self.momentum!r}; allowed range [0, 1)")
        if not 0 <= self.dampening <= 1:
            raise ValueError(f"Invalid dampening: {self.dampening!r}; allowed range [0, 1]")
        if not 0 <= self.smoothing < 1:
            raise ValueError(f"Invalid smoothing: {self.smoothing!r}; allowed range [0, 1)")
        if not (math.isfinite(self.divergence_factor) and self.divergence_factor > 1):
            raise ValueError(f"Invalid divergence_factor: {self.divergence_factor!r} (finite, > 1)")
        if self.dtype not in DTYPES:
            raise ValueError(f"Invalid dtype: {self.dtype!r} (one of {', '.join(DTYPES)})")

    @property
    def rates(self) -> np.ndarray:
        """``(T,)``: the rate of each step."""
        return geometric_rates(self.lr_min, self.lr_max, self.steps)


def batch_losses(spec: FinderSpec) -> tuple[np.ndarray, np.ndarray]:
    """``(rates (T,), losses (T, S))``: the rate the optimizer applied at each step (read back
    from its param group; the schedule's own after every model stopped), and each seed's mean
    cross-entropy on its batch before that step's update, NaN from the step its loss stopped
    being finite."""
    if torch.get_num_threads() != TORCH_THREADS:
        torch.set_num_threads(TORCH_THREADS)
    dtype = DTYPES[spec.dtype]
    x_train, y_train, _, _ = tensors(spec.raw_inputs, dtype)
    n_train, batch = len(y_train), spec.batch_size
    st = stack_from_seeds(spec.model, spec.hidden, spec.seeds, dtype)
    param = st.params
    param.grad = st.grad
    optimizer = torch.optim.SGD([param], lr=spec.lr_min, momentum=spec.momentum,
                                dampening=spec.dampening, fused=True)
    group = optimizer.param_groups[0]

    rngs = [np.random.default_rng(seed) for seed in spec.seeds]
    starts = range(0, n_train, batch)
    rates = spec.rates
    losses = np.full((spec.steps, len(spec.seeds)), np.nan)
    active = torch.ones(len(spec.seeds), dtype=torch.bool)
    for t, rate in enumerate(rates):
        a = starts[t % len(starts)]
        if a == 0:  # a new epoch: each seed's own shuffle
            order = torch.from_numpy(np.stack([rng.permutation(n_train) for rng in rngs]))
            xs, ys = x_train[order], y_train[order]
        xb, yb = xs[:, a:a + batch], ys[:, a:a + batch]
        loss = mean_cross_entropy(st.logits(xb), yb)
        active &= torch.isfinite(loss.detach())
        if not active.any():
            break
        losses[t] = torch.where(active, loss.detach(), math.nan).double().numpy()
        st.backward(loss.sum())
        stopped = ~active
        if stopped.any():  # a stopped model stays where it is
            st.grad[stopped] = 0.0
            buffer = optimizer.state[param].get("momentum_buffer")
            if buffer is not None:
                buffer[stopped] = 0.0
        group["lr"] = float(rate)
        optimizer.step()
        rates[t] = group["lr"]
    return rates, losses


def find_lr(spec: FinderSpec = FinderSpec()) -> FinderResult:
    """The range test of ``spec``: rates, every seed's losses, the smoothed curves and the marks
    (see :class:`optim_core.finder.FinderResult`)."""
    rates, losses = batch_losses(spec)
    return analyse(rates, losses, smoothing=spec.smoothing, divergence_factor=spec.divergence_factor)
