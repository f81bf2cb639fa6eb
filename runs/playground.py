"""The playground's run (shared by the lens and the rescaling page): every chosen optimizer from one
start on one landscape, as one batched run of the core. ui/compute.py wraps it in a bounded cache."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping, Sequence

import numpy as np

import landscapes
import optim_core as oc
from landscapes import typed

MAX_STEPS = 10_000  # the playground's cap on T

Config = tuple[str, tuple[tuple[str, Any], ...]]  # (optimizer key, sorted hyperparameter items)


def config(opt_key: str, values: Mapping[str, Any]) -> Config:
    return opt_key, tuple(sorted(values.items()))


TYPED = "typed"  # the landscape choice whose f(x, y) the user types
TYPED_PREFIX = "typed:"


def typed_key(text: str, domain) -> str:
    """The key of a typed function on ``domain``: it names the landscape everywhere a registered
    key does (caches, runs), so the function and its window are part of it."""
    (x_lo, x_hi), (y_lo, y_hi) = domain
    return TYPED_PREFIX + json.dumps([text, [float(x_lo), float(x_hi), float(y_lo), float(y_hi)]])


def typed_function(key: str) -> typed.TypedFunction:
    """The typed function a :func:`typed_key` names (parsed, checked and cached by
    ``landscapes.typed``); FunctionError when it is refused."""
    text, (x_lo, x_hi, y_lo, y_hi) = json.loads(key[len(TYPED_PREFIX):])
    found = typed.build(text, ((x_lo, x_hi), (y_lo, y_hi)))
    return replace(found, landscape=replace(found.landscape, key=key))


def landscape_of(landscape_key: str, y_scale: float = 1.0) -> landscapes.Landscape:
    """The registered landscape or a typed one (:func:`typed_key`), or f(x, s y) of it for
    ``y_scale`` s != 1."""
    if landscape_key.startswith(TYPED_PREFIX):
        base = typed_function(landscape_key).landscape
    else:
        base = landscapes.get(landscape_key)
    return base if y_scale == 1.0 else landscapes.rescaled(base, y_scale)


def playground_trace(landscape_key: str, configs: Sequence[Config], start: tuple[float, float], steps: int,
                     schedule: oc.Schedule, noise_std: float, seed: int, y_scale: float = 1.0) -> oc.Trace:
    """One batched run: every configured optimizer from the same start, one row each (on
    f(x, y_scale y) for ``y_scale`` != 1)."""
    landscape = landscape_of(landscape_key, y_scale)
    parts = [(oc.OPTIMIZERS[key].build(dict(values)), 1) for key, values in configs]
    x0 = np.tile(np.asarray(start, dtype=np.float64), (len(configs), 1))
    return oc.run(oc.stack(parts), landscape, x0, steps, schedule=schedule, noise_std=noise_std,
                  noise_seed=seed)


def shared_stretches(positions: Sequence[np.ndarray], tolerance: float) -> list[tuple[int, int, int]]:
    """``(i, j, steps)`` for every pair of runs whose paths ``(T+1, D)`` stay within ``tolerance``
    of each other for their first ``steps`` steps (at least one): where one path hides the other."""
    out = []
    for i in range(len(positions)):
        for j in range(i + 1, len(positions)):
            a, b = positions[i], positions[j]
            n = min(len(a), len(b))
            apart = np.flatnonzero(np.linalg.norm(a[:n] - b[:n], axis=-1) > tolerance)
            steps = (int(apart[0]) if apart.size else n) - 1
            if steps >= 1:
                out.append((i, j, steps))
    return out
