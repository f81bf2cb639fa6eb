r"""A fast path for one-parameter runs: the update rules of SGD, Adam/AMSGrad and
AdaBound/AMSBound in Python floats, operation for operation as the vectorised factories in
:mod:`optim_core.optimizers`.

For a single scalar parameter numpy's fixed cost per call dominates: the batched driver spends about
20 µs per optimizer and step, a Python float update about 1 µs. Long one-dimensional runs (the
online problems, 100,000 steps) use these steppers; the vectorised factories stay the reference,
and tests check that runs made with these steppers are bit-identical to ``run`` with them. A change
to the order of operations in a factory must be mirrored here (those tests say so when it is not).
"""

from __future__ import annotations

import math
from typing import Callable

from . import optimizers as opt
from .bounds import lower_bound, upper_bound
from .optimizers import _TINY

Stepper = Callable[[float, int, float], tuple]  # (g, t, lr_scale) -> (delta, lr_eff, raw, low, high)


def _sgd(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0) -> Stepper:
    if momentum or weight_decay:
        raise ValueError("the float path runs SGD without momentum and weight decay")

    def step(g, t, scale):
        lr_t = lr * scale
        return -lr_t * g, lr_t, lr_t, 0.0, math.inf

    return step


def _moments(moments: tuple, g: float, beta1: float, beta2: float, keep_max: bool) -> tuple:
    """``(m, v, v_max)`` after gradient g: update_moment, update_moment_sq and the AMS max."""
    m, v, v_max = moments
    m = m + (1.0 - beta1) * (g - m)
    v = beta2 * v + (1.0 - beta2) * (g * g)
    return m, v, max(v_max, v) if keep_max else v_max


def _adam(lr, betas, eps, weight_decay=0.0, amsgrad=False, bias_correction=True) -> Stepper:
    """optim_core.adam's update in floats, operation for operation."""
    if weight_decay:
        raise ValueError("the float path runs Adam without weight decay")
    beta1, beta2 = betas
    guard = not eps > 0
    moments = (0.0, 0.0, 0.0)

    def step(g, t, scale):
        nonlocal moments
        moments = m, v, v_max = _moments(moments, g, beta1, beta2, amsgrad)
        second = v_max if amsgrad else v
        if bias_correction:  # the core moves sqrt(1 - beta2^t) into the scalars
            root_bc2 = math.sqrt(1.0 - beta2**t)
            step_size = lr * scale * root_bc2 / (1.0 - beta1**t)
            denom = math.sqrt(second) + eps * root_bc2
        else:
            step_size = lr * scale
            denom = math.sqrt(second) + eps
        rate = step_size / (max(denom, _TINY) if guard else denom)
        return -rate * m, rate, rate, 0.0, math.inf

    return step


def _adabound(lr, betas, final_lr, gamma, eps, weight_decay=0.0, amsbound=False,
              bias_correction=True) -> Stepper:
    """optim_core.adabound's update in floats, operation for operation."""
    if weight_decay:
        raise ValueError("the float path runs AdaBound without weight decay")
    beta1, beta2 = betas
    guard = not eps > 0
    moments = (0.0, 0.0, 0.0)

    def step(g, t, scale):
        nonlocal moments
        moments = m, v, v_max = _moments(moments, g, beta1, beta2, amsbound)
        denom = math.sqrt(v_max if amsbound else v) + eps
        step_size = lr * scale
        if bias_correction:
            step_size = step_size * math.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        raw = step_size / (max(denom, _TINY) if guard else denom)
        final_lr_t = final_lr * scale
        low = lower_bound(final_lr_t, gamma, t)
        high = upper_bound(final_lr_t, gamma, t)
        rate = min(max(raw, low), high)
        return -rate * m, rate, raw, low, high

    return step


_STEPPERS = {opt.sgd: _sgd, opt.adam: _adam, opt.adabound: _adabound}


def stepper(factory, **kwargs) -> Stepper:
    """The float stepper of ``factory`` (one of ``sgd``, ``adam``, ``adabound``) with the factory's
    keyword arguments; ``KeyError`` for an optimizer without one."""
    return _STEPPERS[factory](**kwargs)
