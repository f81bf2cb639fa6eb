"""The networks: plain ``nn.Module`` references, and N of them stacked to train at once.

* ``mlp``: 64 -> H (ReLU) -> 10, H selectable (128 by default).
* ``cnn``: 3x3 conv 1 -> 8 (ReLU), 3x3 conv 8 -> 16 (ReLU), 2x2 max-pool, linear 256 -> 10; both
  convolutions keep the 8x8 size (padding 1).

A :class:`Stack` holds N models of one architecture as the rows of one ``(N, P)`` tensor, each
row laid out as the module's ``parameters()`` flattened in order. Model i starts exactly where
:func:`reference_module` with its seed starts. Nothing mixes the rows: every op in a stacked
forward is per model, so a model's gradient is its own, and a model whose numbers stop being
finite leaves the others untouched.

The MLP runs one ``baddbmm`` per layer for all models (``bench/nets.py`` has its figures against a
per-model loop and ``torch.func.vmap``). For the CNN, one forward + backward step at batch 64 with
one torch thread was timed with grouped convolutions (``groups=N``) against a loop over the
models (six runs of ``bench/nets.py`` on a shared 2-core AMD EPYC, AVX-512):

============  ==================  ==================  ================
dtype, N      grouped (ms)        loop (ms)           grouped / loop
============  ==================  ==================  ================
float64, 9    27.3 - 47.7         24.6 - 37.4         0.96 - 1.27
float64, 32   104 - 182           107 - 161           0.97 - 1.13
float32, 9    11.5 - 15.5         13.6 - 21.7         0.65 - 0.89
float32, 32   42.3 - 58.7         48.7 - 63.6         0.72 - 0.93
============  ==================  ==================  ================

In float32 the grouped convolutions take 7-35 % less time than the loop; in float64 (the default
precision) torch has no grouped kernel (it loops over the groups itself) and they take 0.96-1.27
times the loop's, a tie within this machine's noise at N = 32. im2col with ``unfold`` and one
``bmm`` was slower than either (43-47 ms at N = 9, float64). The convolutions are grouped: never
much slower, clearly faster in float32, and the stack keeps one leaf per layer as the MLP does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import N_CLASSES, N_INPUTS, SIDE

MODELS = ("mlp", "cnn")
DEFAULT_HIDDEN = 128
CONV_CHANNELS = (8, 16)
POOLED = CONV_CHANNELS[1] * (SIDE // 2) ** 2  # features after the max-pool: 16 x 4 x 4


class MLP(nn.Module):
    """64 -> ``hidden`` (ReLU) -> 10."""

    def __init__(self, hidden: int = DEFAULT_HIDDEN, dtype: torch.dtype | None = None, device=None):
        super().__init__()
        self.fc1 = nn.Linear(N_INPUTS, hidden, dtype=dtype, device=device)
        self.fc2 = nn.Linear(hidden, N_CLASSES, dtype=dtype, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x)))


class CNN(nn.Module):
    """Two 3x3 convolutions (1 -> 8 -> 16 channels, ReLU), a 2x2 max-pool and a linear layer."""

    def __init__(self, dtype: torch.dtype | None = None, device=None):
        super().__init__()
        c1, c2 = CONV_CHANNELS
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1, dtype=dtype, device=device)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1, dtype=dtype, device=device)
        self.fc = nn.Linear(POOLED, N_CLASSES, dtype=dtype, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv1(x.view(-1, 1, SIDE, SIDE)))
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.fc(h.flatten(1))


def check_model(model: str, hidden: int) -> None:
    if model not in MODELS:
        raise ValueError(f"Invalid model: {model!r} (one of {', '.join(MODELS)})")
    if model == "mlp" and not (isinstance(hidden, int) and hidden >= 1):
        raise ValueError(f"Invalid hidden width: {hidden!r} (a positive integer)")


def reference_module(model: str, hidden: int = DEFAULT_HIDDEN, seed: int | None = None,
                     dtype: torch.dtype = torch.float64, device=None) -> nn.Module:
    """The plain module of ``model`` as torch initialises it by default (in float32) under
    ``torch.manual_seed(seed)``, then converted to ``dtype``: float32 and float64 runs start from
    the same weights. torch's global generator is restored afterwards. With ``device="meta"`` it
    only describes the shapes."""
    check_model(model, hidden)

    def build():
        net = MLP(hidden, dtype=torch.float32, device=device) if model == "mlp" else CNN(torch.float32, device)
        return net.to(dtype)

    if seed is None:
        return build()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


@dataclass(frozen=True)
class Layout:
    """Where each parameter tensor of one model sits in its flat row of length ``n_params``."""

    names: tuple[str, ...]  # "fc1.weight", ... in parameters() order
    shapes: tuple[tuple[int, ...], ...]

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(np.prod(s)) for s in self.shapes)

    @cached_property
    def offsets(self) -> tuple[int, ...]:
        """Start of each tensor in the row; the last entry is ``n_params``."""
        return tuple(int(o) for o in np.concatenate([[0], np.cumsum(self.sizes)]))

    @property
    def n_params(self) -> int:
        return self.offsets[-1]

    def name_of(self, position: int) -> str:
        """``"fc1.weight[37, 5]"`` for a position in the flat row."""
        layer = int(np.searchsorted(self.offsets, position, side="right")) - 1
        index = np.unravel_index(position - self.offsets[layer], self.shapes[layer])
        return f"{self.names[layer]}[{', '.join(str(int(i)) for i in index)}]"


@functools.lru_cache(maxsize=32)
def layout(model: str, hidden: int = DEFAULT_HIDDEN) -> Layout:
    named = list(reference_module(model, hidden, device="meta").named_parameters())
    return Layout(tuple(n for n, _ in named), tuple(tuple(p.shape) for _, p in named))


def param_count(model: str, hidden: int = DEFAULT_HIDDEN) -> int:
    """Parameters of one model: 9,610 for the MLP with H = 128, 3,818 for the CNN."""
    return layout(model, hidden).n_params


def mean_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each model's mean cross-entropy ``(N,)`` from logits ``(N, B, 10)`` and labels ``(N, B)``
    or ``(B,)`` (shared)."""
    n, b = logits.shape[:2]
    ce = F.cross_entropy(logits.reshape(n * b, N_CLASSES), y.expand(n, b).reshape(-1), reduction="none")
    return ce.view(n, b).mean(1)


def flatten(module: nn.Module) -> torch.Tensor:
    """A module's parameters as one flat row, in the stack's layout."""
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


class Stack:
    """N models of one architecture; their parameters are the rows of ``params`` ``(N, P)``.

    ``params`` and ``grad`` are plain tensors whose row blocks optimizers can own: autograd
    differentiates leaves that are views of ``params``, and :meth:`backward` writes each model's
    gradient into the same place of ``grad``. Use :func:`stack` to build one.
    """

    model: str  # the architecture, set by each subclass

    def __init__(self, hidden: int, params: torch.Tensor):
        self.hidden = hidden
        self.layout = layout(self.model, hidden)
        if params.ndim != 2 or params.shape[1] != self.layout.n_params:
            raise ValueError(f"params must have shape (N, {self.layout.n_params}), not {tuple(params.shape)}")
        self.params = params.detach().contiguous()
        self.grad = torch.zeros_like(self.params)
        self.n = self.params.shape[0]
        self._leaves: list[torch.Tensor] = []
        self._grads: list[torch.Tensor] = []

    def _leaf(self, layer: int) -> torch.Tensor:
        """Layer ``layer`` of all models, ``(N, *shape)``, as a leaf sharing storage with ``params``."""
        a, b = self.layout.offsets[layer], self.layout.offsets[layer + 1]
        shape = (self.n, *self.layout.shapes[layer])
        leaf = self.params[:, a:b].view(shape).requires_grad_()
        self._leaves.append(leaf)
        self._grads.append(self.grad[:, a:b].view(shape))
        return leaf

    def backward(self, loss: torch.Tensor) -> None:
        """``grad`` := the gradient of ``loss`` (a scalar built by this stack's forward)."""
        for view, g in zip(self._grads, torch.autograd.grad(loss, self._leaves)):
            view.copy_(g)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, B, 10)`` from inputs ``(N, B, 64)`` (each model its own batch) or ``(B, 64)``
        (one batch for all)."""
        raise NotImplementedError


class MLPStack(Stack):
    model = "mlp"

    def __init__(self, hidden: int, params: torch.Tensor):
        super().__init__(hidden, params)
        self._w1, self._b1, self._w2, self._b2 = (self._leaf(i) for i in range(4))

    def logits(self, x):
        if x.ndim == 2:
            x = x.expand(self.n, *x.shape)
        h = torch.baddbmm(self._b1.unsqueeze(1), x, self._w1.transpose(1, 2)).relu_()
        return torch.baddbmm(self._b2.unsqueeze(1), h, self._w2.transpose(1, 2))


class CNNStack(Stack):
    """The convolutions of all models as grouped convolutions (``groups=N``): the models sit side
    by side as channels, so model i's input image is channel i."""

    model = "cnn"

    def __init__(self, hidden: int, params: torch.Tensor):
        super().__init__(hidden, params)
        self._w1, self._b1, self._w2, self._b2, self._w3, self._b3 = (self._leaf(i) for i in range(6))

    def logits(self, x):
        n = self.n
        if x.ndim == 2:
            h = x.view(-1, 1, SIDE, SIDE).expand(-1, n, SIDE, SIDE)
        else:
            h = x.transpose(0, 1).reshape(-1, n, SIDE, SIDE)  # (B, N, 8, 8)
        h = F.relu(F.conv2d(h, self._w1.flatten(0, 1), self._b1.flatten(), padding=1, groups=n))
        h = F.relu(F.conv2d(h, self._w2.flatten(0, 1), self._b2.flatten(), padding=1, groups=n))
        h = F.max_pool2d(h, 2)  # (B, N * 16, 4, 4), model-major channels
        features = h.view(h.shape[0], n, POOLED).transpose(0, 1)
        return torch.baddbmm(self._b3.unsqueeze(1), features, self._w3.transpose(1, 2))


def stack(model: str, hidden: int, params: torch.Tensor) -> Stack:
    """The stack of ``model`` over the rows of ``params (N, P)`` (copied)."""
    check_model(model, hidden)
    return {"mlp": MLPStack, "cnn": CNNStack}[model](hidden, params.clone())


def stack_from_seeds(model: str, hidden: int, seeds, dtype: torch.dtype = torch.float64) -> Stack:
    """One model per seed, each initialised as :func:`reference_module` with that seed."""
    rows = [flatten(reference_module(model, hidden, seed, dtype)) for seed in seeds]
    return stack(model, hidden, torch.stack(rows))
