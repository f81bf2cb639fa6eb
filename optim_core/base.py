"""The functional optimizer contract and the small pieces of math the optimizers share.

An optimizer is a pair of pure functions closed over validated hyperparameters:

* ``init(x0) -> state`` for parameters of shape ``(B, D)`` (B independent runs);
* ``update(grad, state, t, *, params, lr_scale) -> Update``, with the step index ``t`` counted
  from 1 and ``lr_scale = lr_t / lr_0`` the learning-rate schedule's factor at step t.

``Update.delta`` is what to add to the parameters. ``Update.lr_eff`` is the per-parameter effective
learning rate: the factor that multiplies the optimizer's step direction (the gradient for SGD and
the adaptive methods without momentum, the first moment for Adam-like methods). Bounded methods
(AdaBound, AMSBound) also report the unclipped rate and the bounds of the step.

Hyperparameters may be Python scalars or ``(B, 1)`` arrays, so a sweep is one batched run.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

Array = np.ndarray
Scalar = float | Array  # a float, or a (B, 1) array broadcasting over the parameter dimension


class Update(NamedTuple):
    delta: Array  # (B, D): x_{t+1} = x_t + delta
    state: Any  # the optimizer's new state
    lr_eff: Array  # (B, D): effective learning rate applied at step t
    lr_eff_raw: Array | None = None  # (B, D): before clipping (bounded methods only)
    lower_bound: Scalar | None = None  # scalar or (B, 1): the clip's lower bound at step t
    upper_bound: Scalar | None = None  # scalar or (B, 1): the clip's upper bound at step t


class Optimizer(NamedTuple):
    name: str
    init: Callable[[Array], Any]
    update: Callable[..., Update]
    bounded: bool = False  # reports lr_eff_raw and bounds


# ----------------------------------------------------------------------------- shared math


def update_moment(moment: Array, grad: Array, decay: Scalar) -> Array:
    """Exponential moving average ``decay * moment + (1 - decay) * grad`` (torch's lerp form)."""
    out = grad - moment
    out *= 1.0 - decay
    out += moment
    return out


def update_moment_sq(moment: Array, grad: Array, decay: Scalar) -> Array:
    """Exponential moving average of the squared gradient, ``decay * v + (1 - decay) * g^2``."""
    out = grad * grad
    out *= 1.0 - decay
    out += decay * moment
    return out


def bias_correction(decay: Scalar, t: int) -> Scalar:
    """``1 - decay^t``: the factor that unbiases a moving average started at zero."""
    return 1.0 - decay**t


def add_weight_decay(grad: Array, params: Array | None, weight_decay: Scalar) -> Array:
    """L2 weight decay folded into the gradient, as torch.optim does: ``g + wd * x``."""
    if _is_zero(weight_decay):
        return grad
    if params is None:
        raise ValueError("weight_decay needs the parameters: pass params= to update()")
    return grad + weight_decay * params


def _is_zero(value: Scalar) -> bool:
    return np.ndim(value) == 0 and float(value) == 0.0


# ----------------------------------------------------------------------------- validation


def as_hyper(name: str, value: Any, low: float, high: float, *, low_open: bool = False,
             high_open: bool = False) -> Scalar:
    """Validate a hyperparameter: a finite scalar, or a ``(B, 1)`` array, inside [low, high].

    Raises ``ValueError`` naming the parameter and the allowed range.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Invalid {name}: {value!r} (a number is required)")
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim not in (0, 2) or (arr.ndim == 2 and arr.shape[1] != 1):
        raise ValueError(f"Invalid {name}: shape {arr.shape}; use a scalar or a (B, 1) array")
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    allowed = f"{lo}{low:g}, {high:g}{hi}"
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Invalid {name}: {value!r}; allowed range {allowed}")
    bad = (arr <= low if low_open else arr < low) | (arr >= high if high_open else arr > high)
    if np.any(bad):
        shown = float(np.ravel(arr[bad])[0])
        raise ValueError(f"Invalid {name}: {shown:g}; allowed range {allowed}")
    return float(arr) if arr.ndim == 0 else arr


def as_flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"Invalid {name}: {value!r} (True or False)")
    return bool(value)


def widened(*values):
    """A function ``hypers(like)`` giving ``values`` with every ``(B, 1)`` array widened to
    ``like.shape`` ``(B, D)``, once per shape. numpy is about ten times slower broadcasting along a
    short inner axis than combining arrays of equal shape, and a sweep is all ``(B, 1)`` arrays."""
    if all(np.ndim(v) == 0 for v in values):
        return lambda like: values
    cache: dict = {}

    def hypers(like: Array) -> tuple:
        out = cache.get(like.shape)
        if out is None:
            out = cache[like.shape] = tuple(
                v if np.ndim(v) == 0 else np.ascontiguousarray(np.broadcast_to(v, like.shape))
                for v in values)
        return out

    return hypers


def per_run(value, batch: int) -> Array:
    """A scalar, ``(B, 1)`` or ``(B, D)`` quantity that is the same across D, as a ``(B,)`` vector."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[:, 0]
    return np.broadcast_to(arr, (batch,))


def full_like_params(value: Scalar, like: Array) -> Array:
    """A scalar or (B, 1) rate broadcast to the parameters' (B, D) shape."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64), like.shape).copy()
