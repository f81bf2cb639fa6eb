"""Quantities derived from a recorded run, and the stability limits of the SGD-like phase (pure numpy)."""

from __future__ import annotations

import math

import numpy as np

from .base import bias_correction, update_moment, update_moment_sq
from .bounds import lower_bound


def signal_to_noise(grads: np.ndarray, beta1: float = 0.9, beta2: float = 0.999) -> np.ndarray:
    r"""The Adam paper's signal-to-noise ratio :math:`|\hat m_t| / \sqrt{\hat v_t}` per parameter.

    ``grads`` ``(T, B, D)`` are the gradients of steps 1..T; the moments are the bias-corrected
    moving averages with ``beta1``, ``beta2`` (Adam's, whatever the optimizer that made the run).
    Near an optimum the gradient's sign flips and the ratio falls towards 0, so Adam's steps
    shrink by themselves (Kingma and Ba 2015, Section 2.1). Where no gradient has been non-zero
    yet the ratio is 0.
    """
    m = np.zeros(grads.shape[1:])
    v = np.zeros(grads.shape[1:])
    out = np.empty_like(grads)
    for t, g in enumerate(grads, start=1):
        m = update_moment(m, g, beta1)
        v = update_moment_sq(v, g, beta2)
        m_hat = m / bias_correction(beta1, t)
        v_hat = v / bias_correction(beta2, t)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[t - 1] = np.where(v_hat > 0, np.abs(m_hat) / np.sqrt(v_hat), 0.0)
    return out


def max_stable_final_lr(curvature, beta1):
    r"""The largest ``final_lr`` at which AdaBound's final, SGD-like phase is stable at a minimum of
    curvature ``L``: :math:`2 (1 + \beta_1) / ((1 - \beta_1) L)`.

    Once the band has closed AdaBound is SGD with momentum :math:`\beta_1` and dampening
    :math:`\beta_1` at rate ``final_lr``; on a quadratic of curvature L that iteration is stable
    while :math:`\eta^\ast (1 - \beta_1) L < 2 (1 + \beta_1)`.
    """
    with np.errstate(divide="ignore"):
        return 2.0 * (1.0 + beta1) / ((1.0 - beta1) * np.asarray(curvature, dtype=np.float64))


def max_stable_lr(curvature: float, beta1: float, dampening: float) -> float:
    r"""The largest stable rate of SGD with momentum :math:`\beta_1` and dampening :math:`\tau` on
    curvature L, :math:`2 (1 + \beta_1) / ((1 - \tau) L)`: AdaBound's limit on ``final_lr``
    (:math:`\tau = \beta_1`, the method it becomes) rescaled, since dampening only scales the
    step by :math:`1 - \tau`."""
    if curvature <= 0 or dampening >= 1:
        return math.inf
    adabound_limit = float(max_stable_final_lr(curvature, beta1))
    return adabound_limit if dampening == beta1 else adabound_limit * (1.0 - beta1) / (1.0 - dampening)


def band_floor_limit(limit: float, gamma, steps: int):
    """The ``final_lr`` at which the band's lower bound at the last step reaches ``limit``:
    ``limit / (1 - 1 / (gamma T + 1))``. Past the limit but short of this, a run can still escape
    divergence (its adaptive rate falls back inside the band, below the limit); beyond it even the
    lowest rate the band allows is unstable. Scalar or array in ``gamma``."""
    with np.errstate(divide="ignore"):
        return limit / lower_bound(1.0, np.asarray(gamma, dtype=np.float64), steps)
