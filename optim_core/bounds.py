r"""AdaBound's learning-rate bounds (Luo et al., ICLR 2019), written once.

The numpy core, the float steppers and the torch class all call these two functions, so the band a
view draws is the band every implementation clips to. They take floats or numpy arrays alike.

.. math::
    \eta_l(t) = \eta^\ast \Big(1 - \frac{1}{\gamma t + 1}\Big),\qquad
    \eta_u(t) = \eta^\ast \Big(1 + \frac{1}{\gamma t}\Big)

At :math:`t = 1/\gamma` the band is exactly :math:`[\eta^\ast/2,\ 2\eta^\ast]`. The paper's own
experiments write the bounds with :math:`\gamma = 1 - \beta_2`.
"""

from __future__ import annotations

import math

import numpy as np


def lower_bound(final_lr, gamma, t):
    r""":math:`\eta_l(t) = \eta^\ast (1 - 1 / (\gamma t + 1))`, rising from 0 towards ``final_lr``."""
    return final_lr * (1.0 - 1.0 / (gamma * t + 1.0))


def upper_bound(final_lr, gamma, t):
    r""":math:`\eta_u(t) = \eta^\ast (1 + 1 / (\gamma t))`, falling from infinity towards ``final_lr``.

    With ``gamma = 0`` the upper bound is infinite at every step. Floats in, a float out (the float
    steppers call this a hundred thousand times); anything else goes through numpy.
    """
    if isinstance(gamma, (int, float)) and isinstance(t, (int, float)) and isinstance(final_lr, (int, float)):
        return final_lr * (1.0 + 1.0 / (gamma * t)) if gamma > 0 else math.inf
    with np.errstate(divide="ignore"):
        return final_lr * (1.0 + 1.0 / (gamma * np.asarray(t, dtype=np.float64)))
