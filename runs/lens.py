"""The learning-rate lens's own computations on the playground's run: the Adam paper's
signal-to-noise ratio per run, and where each bounded run's SGD-like phase is stable."""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

import landscapes
import optim_core as oc

from .playground import Config


def signal_to_noise(trace: oc.Trace, configs: Sequence[Config]) -> list[np.ndarray]:
    """Per run, ``(T, D)``: :math:`|\\hat m| / \\sqrt{\\hat v}` of its gradients, with its own
    betas (Adam's library defaults for an optimizer without them)."""
    adam = oc.OPTIMIZERS["adam"].defaults()
    out = []
    for b, (_, items) in enumerate(configs):
        hyper = dict(items)
        betas = (hyper.get("beta1", adam["beta1"]), hyper.get("beta2", adam["beta2"]))
        out.append(oc.signal_to_noise(trace.grads[:, b:b + 1], *betas)[:, 0])
    return out


class BandCheck(NamedTuple):
    """One bounded run: is its final_lr stable at the minimum it approaches, and does its band
    close within the horizon?"""

    index: int  # the run's row in the trace
    final_lr: float
    gamma: float
    minimum: tuple[float, float] | None  # the minimum nearest the run's last finite point
    curvature: float | None  # L there (None: no minimum, or no Hessian there)
    limit: float | None  # 2 (1 + b1) / ((1 - b1) L)
    steps_to_tighten: float | None  # 10 / gamma: the bounds are within 10 % of final_lr by then


def band_checks(landscape: landscapes.Landscape, configs: Sequence[Config],
                last_points: np.ndarray) -> list[BandCheck]:
    """A :class:`BandCheck` for every bounded run; ``last_points`` ``(B, 2)`` are the runs' last
    finite iterates."""
    out = []
    for b, (key, items) in enumerate(configs):
        if not oc.OPTIMIZERS[key].bounded:
            continue
        hyper = dict(items)
        final_lr, gamma, beta1 = float(hyper["final_lr"]), float(hyper["gamma"]), float(hyper["beta1"])
        minimum = curvature = limit = None
        if landscape.smooth_minima:
            nearest = landscape.nearest_minimum(last_points[b])
            if nearest is not None:
                minimum = (float(nearest[0]), float(nearest[1]))
                curvature = float(landscapes.max_curvature(landscape, nearest))
                limit = float(oc.max_stable_final_lr(curvature, beta1))
        out.append(BandCheck(b, final_lr, gamma, minimum, curvature, limit, 10 / gamma if gamma > 0 else None))
    return out
