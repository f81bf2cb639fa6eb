"""Quantities derived from a recorded run (pure numpy)."""

from __future__ import annotations

import numpy as np

from .base import bias_correction, update_moment, update_moment_sq


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
