"""The 2-D landscape record, the y-rescaling wrapper and the curvature helper.

A landscape's ``f`` and ``grad`` take points of shape ``(..., 2)`` (the last axis is ``(x, y)``)
and return ``(...)`` and ``(..., 2)`` float64 arrays, so one function evaluates a ``(B, 2)`` batch
of runs and an ``(H, W, 2)`` contour grid alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray
Point = tuple[float, float]
Interval = tuple[float, float]
Domain = tuple[Interval, Interval]  # ((x_min, x_max), (y_min, y_max))

SCALE_RANGE = (1e-3, 1e3)  # allowed s of rescaled()


def as_points(points) -> Array:
    """``points`` as a float64 array whose last axis has length 2."""
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return p


@dataclass(frozen=True)
class Pointwise:
    """``formula(x, y) -> value`` on coordinate arrays, lifted to points ``(..., 2) -> (...)``.

    A small frozen record rather than a closure, so that landscapes can be pickled (cached).
    """

    formula: Callable[[Array, Array], Array]

    def __call__(self, points) -> Array:
        return np.asarray(self.formula(*_coordinates(points)), dtype=np.float64)


@dataclass(frozen=True)
class PointwiseGrad:
    """``formula(x, y) -> (df/dx, df/dy)``, lifted to points ``(..., 2) -> (..., 2)``."""

    formula: Callable[[Array, Array], tuple[Array, Array]]

    def __call__(self, points) -> Array:
        gx, gy = self.formula(*_coordinates(points))
        out = np.empty(np.broadcast_shapes(np.shape(gx), np.shape(gy)) + (2,))
        out[..., 0] = gx
        out[..., 1] = gy
        return out


def _coordinates(points) -> tuple[Array, Array]:
    # Contiguous copies: arithmetic on the strided views p[..., 0] is markedly slower.
    x, y = np.ascontiguousarray(np.moveaxis(as_points(points), -1, 0))
    return x, y


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function and everything a view needs to draw it.

    ``domain`` is the plot window ``((x_min, x_max), (y_min, y_max))``; ``minima`` lists every
    global minimiser (empty when ``f`` is unbounded below, and then ``min_value`` is None).
    Contours are drawn on ``log(f - min_value + log_offset)`` when ``log_contours`` is set, so the
    minimum itself stays finite on the log scale.

    ``loss`` and ``gradient`` are the optim_core driver's problem protocol: ``x`` has shape
    ``(B, 2)`` and the step index ``t`` is ignored (a landscape does not change over time).
    """

    key: str
    name: str
    f: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    domain: Domain
    minima: tuple[Point, ...]
    min_value: float | None
    start: Point
    log_contours: bool
    log_offset: float
    latex: str
    description: str
    smooth_minima: bool = True  # False where f has no Hessian at a minimum (Ackley's cone)
    # k when f(x, y) = a(x) + b(y) with b(c y) = c**k b(y): then f(x, s y) has, at every point, the
    # gradient of f times diag(1, s**k) (see gradient_rescaling); None for every other f
    y_degree: int | None = None
    minima_found: bool = False  # the minima were found numerically (a typed function), not known

    def __post_init__(self):
        (x_lo, x_hi), (y_lo, y_hi) = self.domain
        if not (x_lo < x_hi and y_lo < y_hi):
            raise ValueError(f"{self.key}: empty domain {self.domain}")
        if not self.contains(self.start):
            raise ValueError(f"{self.key}: start {self.start} outside the domain {self.domain}")
        for point in self.minima:
            if not self.contains(point):
                raise ValueError(f"{self.key}: minimum {point} outside the domain {self.domain}")
        if not (self.log_offset > 0 and math.isfinite(self.log_offset)):
            raise ValueError(f"{self.key}: log_offset must be finite and > 0: {self.log_offset}")
        if self.log_contours and self.min_value is None:
            raise ValueError(f"{self.key}: log contours need a finite min_value")

    def contains(self, point) -> bool:
        (x_lo, x_hi), (y_lo, y_hi) = self.domain
        return x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi

    def loss(self, x: Array, t: int) -> Array:
        return self.f(x)

    def gradient(self, x: Array, t: int) -> Array:
        return self.grad(x)

    def nearest_minimum(self, points) -> Array | None:
        """The global minimiser nearest to each of ``points`` ``(..., 2) -> (..., 2)``, or None when
        f has none listed."""
        if not self.minima:
            return None
        minima = np.asarray(self.minima, dtype=np.float64)
        p = as_points(points)
        return minima[np.argmin(((p[..., None, :] - minima) ** 2).sum(axis=-1), axis=-1)]

    # --- the problem protocol that sweeps use (OnlineProblem has the same four)

    def start_point(self) -> Array:
        """``(2,)``: where a run starts by default."""
        return np.asarray(self.start, dtype=np.float64)

    def intervals(self) -> list[Interval]:
        """Per coordinate, the interval random starts are drawn from: the plot domain."""
        return list(self.domain)

    def gap(self, points) -> Array:
        """``(B, 2) -> (B,)``: f(x) - f*, the loss gap (needs a known ``min_value``)."""
        if self.min_value is None:
            raise ValueError(f"{self.key}: no minimum value, so no loss gap")
        return self.f(points) - self.min_value

    def curvature_at_minimum(self) -> tuple[float, Point] | None:
        """``(L, minimum)``: the largest Hessian eigenvalue at the minimum nearest the default
        start; None where there is no minimum or it has no Hessian (a cone)."""
        if not self.minima or not self.smooth_minima:
            return None
        nearest = self.nearest_minimum(self.start)
        return float(max_curvature(self, nearest)), (float(nearest[0]), float(nearest[1]))


# ----------------------------------------------------------------------------- rescaling


def rescaled(base: Landscape, s: float) -> Landscape:
    r"""The landscape :math:`\tilde f(x, y) = f(x, s\,y)`, with gradient
    :math:`(\partial_x f,\ s\,\partial_y f)` evaluated at :math:`(x, s\,y)`.

    Domain, minima and start are the base's with ``y`` divided by ``s``, so the picture is the same
    one with a relabelled y axis, while the y-gradient is ``s`` times larger and the y-curvature
    ``s**2`` times larger. ``s`` must lie in ``[1e-3, 1e3]``.

    .. note:: Adam is invariant to a diagonal rescaling of the *gradient* (Adam paper,
       Section 2.1). Where the base's y-part is homogeneous (``base.y_degree`` is k: the sphere,
       the quadratics), ``f(x, s y)`` is exactly such a rescaling: its gradient at every point is
       the base's times ``diag(1, s**k)`` (:func:`gradient_rescaling`), so Adam's path on it, from
       the same start and in the same coordinates, is its path on the base (up to eps), while
       SGD's stable learning rate is divided by ``s**k``. For any other base the change of variables
       is not a gradient rescaling: mapped back (``y -> s y``), a run on ``rescaled(base, s)`` is
       exactly a run on ``base`` with the y learning rate multiplied by ``s`` for Adam (eps divided
       by ``s``) and by ``s**2`` for SGD.
    """
    s = _check_scale(s)
    x_range, (y_lo, y_hi) = base.domain
    return Landscape(
        key=f"rescaled_{base.key}_s{s:g}",
        name=f"{base.name}, y rescaled ×{s:g}",
        f=_ScaledY(base.f, s, is_gradient=False),
        grad=_ScaledY(base.grad, s, is_gradient=True),
        domain=(x_range, (y_lo / s, y_hi / s)),
        minima=tuple((x, y / s) for x, y in base.minima),
        min_value=base.min_value,
        start=(base.start[0], base.start[1] / s),
        log_contours=base.log_contours,
        log_offset=base.log_offset,
        latex=rf"\tilde f(x, y) = f(x,\ {s:g}\,y),\qquad " + base.latex,
        description=(f"{base.name} with y replaced by {s:g} y: the y-gradient scales by {s:g} and "
                     f"the y-curvature by {s * s:g}, so SGD's stable learning rate scales by "
                     f"{1 / (s * s):g}, while Adam's steps keep their size of about lr."),
        smooth_minima=base.smooth_minima,
        y_degree=base.y_degree,
    )


def gradient_rescaling(base: Landscape, s: float) -> float | None:
    """``c`` such that the gradient of ``rescaled(base, s)`` is the base's times ``diag(1, c)`` at
    every point, or None when no such ``c`` exists (the base's y-part is not homogeneous)."""
    s = _check_scale(s)
    return None if base.y_degree is None else s ** base.y_degree


@dataclass(frozen=True)
class _ScaledY:
    """``points -> fn(x, s y)``; for a gradient also times ``(1, s)`` (the chain rule)."""

    fn: Callable[[Array], Array]
    s: float
    is_gradient: bool

    def __call__(self, points) -> Array:
        scale = np.array([1.0, self.s])
        out = self.fn(as_points(points) * scale)
        return out * scale if self.is_gradient else out


def _check_scale(s) -> float:
    lo, hi = SCALE_RANGE
    if isinstance(s, (bool, np.bool_)):
        raise ValueError(f"Invalid s: {s!r}; a number in [{lo:g}, {hi:g}] is required")
    try:
        value = float(s)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid s: {s!r}; a number in [{lo:g}, {hi:g}] is required") from None
    if not lo <= value <= hi:  # also rejects NaN
        raise ValueError(f"Invalid s: {value:g}; allowed range [{lo:g}, {hi:g}]")
    return value


# ----------------------------------------------------------------------------- curvature


def hessian(landscape: Landscape, points, rel_step: float = 1e-6) -> Array:
    """The Hessian at ``points`` ``(..., 2) -> (..., 2, 2)``, by central differences of the
    analytic gradient, symmetrised.

    The step in each coordinate is ``rel_step`` times the larger of the domain's width and the
    point's magnitude: it follows the landscape's own scale (a rescaled landscape gets a rescaled
    step) and keeps the truncation error (``h**2``) and the rounding error (``1e-16 / h``) both
    near 1e-10 relative.
    """
    p = as_points(points)
    widths = np.array([hi - lo for lo, hi in landscape.domain])
    h = rel_step * np.maximum(widths, np.abs(p))  # (..., 2)
    columns = []
    for i in range(2):
        step = np.zeros_like(p)
        step[..., i] = h[..., i]
        plus, minus = p + step, p - step
        spacing = (plus - minus)[..., i:i + 1]  # the step actually representable in float64
        columns.append((landscape.grad(plus) - landscape.grad(minus)) / spacing)
    hess = np.stack(columns, axis=-1)  # hess[..., j, i] = d g_j / d x_i
    return 0.5 * (hess + np.swapaxes(hess, -1, -2))


def max_curvature(landscape: Landscape, point) -> float | Array:
    """The largest eigenvalue of the Hessian at ``point``: a float for one point ``(2,)``, an
    array ``(...)`` for points ``(..., 2)``.

    This is the curvature ``L`` of AdaBound's stability hint: in the long run AdaBound is SGD with
    momentum ``b1`` at ``final_lr``, stable only while ``final_lr (1 - b1) L < 2 (1 + b1)``.
    Where the Hessian does not exist (Ackley's cone at the origin) the value is large and finite
    (of order ``1 / h``).
    """
    largest = np.linalg.eigvalsh(hessian(landscape, point))[..., -1]
    return float(largest) if largest.ndim == 0 else largest
