r"""Basin maps: where an optimizer ends up from every start of a grid over a landscape's domain.

One batched run of the core starts at every cell centre of a ``resolution x resolution`` grid
(40,000 runs at 200 x 200) and keeps, per run, only what the map shows: the final iterate, the step
it diverged at, and the first step at which it came within ``tolerance`` of a listed minimum. A full
:class:`optim_core.Trace` of such a run would hold every position, gradient and effective rate of
every step (hundreds of MB); :func:`endpoints` steps the optimizer's ``init``/``update`` directly
and keeps three vectors instead.

Each run is the run :func:`optim_core.run` makes from its start, step for step: the same gradient,
the same ``update(grad, state, t, params=x, lr_scale)`` with the schedule's factor, and the driver's
divergence rule (an iterate outside ``[-box, box]`` or NaN, or a non-finite loss, freezes the run at
its last finite point). Gradients are exact (no noise): a basin map of a noisy run would be a
different map for every seed.

Definitions, with :math:`x_k` the iterate after k steps (:math:`x_0` the start) and
:math:`x^\ast_1, \dots, x^\ast_M` the landscape's listed global minimisers:

* ``tolerance`` :math:`\tau` defaults to ``1e-3`` times the length of the domain's diagonal, so a
  map means the same on a domain of size 4 (the sphere) as on one of size 20 (Lévi N.13);
* ``steps_to_tol`` is the first k with :math:`\min_m \|x_k - x^\ast_m\| \le \tau` (k = 0 when the
  start is already that close), -1 if no iterate of the run is. It is a first entry: a run that
  passes through the ball and leaves again keeps its entry step, which is what "steps needed to get
  there" usually means;
* ``outcome`` is judged at the end only: ``DIVERGED`` (-2) if the run diverged, else the index m of
  the nearest minimiser if :math:`x_T` is within :math:`\tau` of it, else ``NOT_CONVERGED`` (-1).
  So a run can have an entry step and still end "not converged" (it overshot and left the ball).

A landscape without listed minima (the saddle, unbounded below) has one class instead, "stationary
point": "within" then means a gradient norm of at most ``grad_tolerance`` (absolute).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

import optim_core as oc

from .playground import MAX_STEPS, landscape_of

Array = np.ndarray

NOT_CONVERGED = -1  # outcome of a run that ended finite but not within tolerance of a minimum
DIVERGED = -2  # outcome of a run the driver's divergence rule froze
NEVER = -1  # steps_to_tol of a run that never came within tolerance
RELATIVE_TOLERANCE = 1e-3  # the default tolerance, as a fraction of the domain's diagonal
GRAD_TOLERANCE = 1e-4  # without listed minima: "converged" means a gradient norm at most this
STATIONARY = "stationary point"  # the one class of a landscape without listed minima
MAX_RESOLUTION = 400  # cells per side: 160,000 runs


class BasinMap(NamedTuple):
    """Where every start of a grid ended. Row i of each ``(H, W)`` array is the starts at
    ``y = ys[i]``, column j those at ``x = xs[j]`` (a heat map's layout)."""

    xs: Array  # (W,) float64: the starts' x, the centres of the grid's columns
    ys: Array  # (H,) float64: the starts' y, the centres of the grid's rows
    outcome: Array  # (H, W) int8: class k reached (0..K-1), NOT_CONVERGED or DIVERGED
    steps_to_tol: Array  # (H, W) int32: first step within tolerance of a minimum, NEVER if none
    final_positions: Array  # (H, W, 2) float64: x_T (frozen at the last finite point if diverged)
    diverged_at: Array  # (H, W) int32: the step the run diverged at, -1 if never
    minima: Array  # (M, 2) float64: the listed minimisers; class k < M is minimum k
    labels: tuple[str, ...]  # (K,): the name of each class: "m1".."mM", or (STATIONARY,) if M = 0
    tolerance: float  # the distance (or, without minima, gradient norm) counted as "there"
    steps: int  # T


class Endpoints(NamedTuple):
    """What :func:`endpoints` keeps of a batched run of B starts."""

    final_positions: Array  # (B, D): x_T (frozen at the last finite point if diverged)
    diverged_at: Array  # (B,) int: the step the run diverged at, -1 if never
    first_within: Array  # (B,) int: first k at which within(x_k) held, -1 if never


class Share(NamedTuple):
    code: int  # a class index k, NOT_CONVERGED or DIVERGED
    label: str
    share: float  # the fraction of the grid's starts with this outcome


# ----------------------------------------------------------------------------- the lean run


def endpoints(optimizer: oc.Optimizer, problem, x0, steps: int, within: Callable[[Array], Array], *,
              schedule: oc.Schedule = oc.CONSTANT, box: float = oc.DEFAULT_BOX) -> Endpoints:
    """Run ``optimizer`` on ``problem`` from the starts ``x0`` ``(B, D)`` for ``steps`` steps, as
    :func:`optim_core.run` does, keeping only each run's final iterate, divergence step and the
    first k at which ``within(x_k)`` ``(B, D) -> (B,) bool`` held.

    The divergence rule is the driver's with its default ``record_every = 1``: after each step an
    iterate outside ``[-box, box]`` (NaN included) is put back to its previous value and the run
    is frozen from then on; so is one whose loss at the new iterate is not finite. Where the driver
    raises on a start with a non-finite loss, such a start here is frozen at step 0 instead.
    Deterministic gradients only.
    """
    x = np.array(x0, dtype=np.float64, copy=True)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be finite with shape (B, D), got {np.shape(x0)}")
    steps = int(steps)
    if not 1 <= steps <= oc.MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps}; allowed range [1, {oc.MAX_STEPS}]")
    batch = x.shape[0]
    factors = schedule.factors(steps)
    diverged_at = np.full(batch, -1)
    with np.errstate(all="ignore"):
        bad_start = ~np.isfinite(problem.loss(x, 1))
    diverged_at[bad_start] = 0
    active = ~bad_start
    frozen = np.flatnonzero(bad_start)
    first_within = np.where(within(x) & active, 0, -1)
    pending = (first_within < 0) & active
    state = optimizer.init(x)

    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            up = optimizer.update(problem.gradient(x, t), state, t, params=x, lr_scale=factors[t - 1])
            state = up.state
            x_new = x + up.delta
            # both halves of the driver's rule, in its order: the box first, then the loss
            if frozen.size or not oc.inside_box(x_new, box):
                outside = oc.outside_box(x_new, box)
                newly = active & outside
                if newly.any():
                    diverged_at[newly] = t
                    active &= ~outside
                    frozen = np.flatnonzero(~active)
                x_new[frozen] = x[frozen]
            loss = problem.loss(x_new, t + 1)
            if not np.isfinite(loss.sum()):
                newly = active & ~np.isfinite(loss)
                if newly.any():
                    diverged_at[newly] = t
                    active &= ~newly
                    frozen = np.flatnonzero(~active)
                    x_new[newly] = x[newly]
            x = x_new
            hit = within(x)
            hit &= pending
            if hit.any():
                first_within[hit] = t
                pending &= ~hit
    return Endpoints(x, diverged_at, first_within)


class NearMinima:
    """``x (B, 2) -> (B,) bool``: within ``tolerance`` (Euclidean) of any of ``minima`` ``(M, 2)``."""

    def __init__(self, minima, tolerance: float):
        self.minima = np.asarray(minima, dtype=np.float64).reshape(-1, 2)
        self.tol_sq = float(tolerance) ** 2

    def __call__(self, x: Array) -> Array:
        # contiguous coordinate columns and reused buffers: arithmetic on the strided views x[:, d]
        # costs about three times as much, and this runs once per step over every start
        px, py = np.ascontiguousarray(x[:, 0]), np.ascontiguousarray(x[:, 1])
        dx, dy = np.empty_like(px), np.empty_like(py)
        near = np.zeros(px.shape, dtype=bool)
        for mx, my in self.minima:
            np.subtract(px, mx, out=dx)
            dx *= dx
            np.subtract(py, my, out=dy)
            dy *= dy
            dx += dy
            near |= dx <= self.tol_sq
        return near


class Stationary:
    """``x (B, 2) -> (B,) bool``: the gradient norm of ``landscape`` at x is at most ``tolerance``."""

    def __init__(self, landscape, tolerance: float):
        self.landscape = landscape
        self.tolerance = float(tolerance)

    def __call__(self, x: Array) -> Array:
        g = self.landscape.grad(x)
        return np.hypot(g[:, 0], g[:, 1]) <= self.tolerance


# ----------------------------------------------------------------------------- the map


def default_tolerance(landscape) -> float:
    """``RELATIVE_TOLERANCE`` times the length of the landscape's domain diagonal."""
    (x_lo, x_hi), (y_lo, y_hi) = landscape.domain
    return RELATIVE_TOLERANCE * math.hypot(x_hi - x_lo, y_hi - y_lo)


def grid_axes(domain, resolution: int) -> tuple[Array, Array]:
    """``(xs, ys)``: the centres of a ``resolution x resolution`` grid of cells tiling ``domain``,
    so that a heat map of the cells covers the domain exactly."""
    out = []
    for lo, hi in domain:
        out.append(lo + (np.arange(resolution) + 0.5) * ((hi - lo) / resolution))
    return out[0], out[1]


def basin_map(landscape_key: str, opt_key: str, values: Mapping[str, Any], *, resolution: int = 200,
              steps: int = 500, tolerance: float | None = None, schedule: oc.Schedule = oc.CONSTANT,
              y_scale: float = 1.0, grad_tolerance: float = GRAD_TOLERANCE) -> BasinMap:
    """The basin map of one optimizer (``opt_key`` with hyperparameters ``values``) on the landscape
    (``f(x, y_scale y)`` for ``y_scale`` != 1): one run from every cell centre of a
    ``resolution x resolution`` grid over its domain, for ``steps`` steps with exact gradients.

    ``tolerance`` (default: :func:`default_tolerance`) is the distance to a minimiser counted as
    having reached it; see the module's docstring for ``outcome`` and ``steps_to_tol``.
    """
    return basin_maps(landscape_key, [(opt_key, values)], resolution=resolution, steps=steps,
                      tolerance=tolerance, schedule=schedule, y_scale=y_scale,
                      grad_tolerance=grad_tolerance)[0]


def basin_maps(landscape_key: str, configs: Sequence[tuple[str, Mapping[str, Any]]], *,
               resolution: int = 200, steps: int = 500, tolerance: float | None = None,
               schedule: oc.Schedule = oc.CONSTANT, y_scale: float = 1.0,
               grad_tolerance: float = GRAD_TOLERANCE) -> list[BasinMap]:
    """:func:`basin_map` for every ``(opt_key, values)`` of ``configs``, on the same grid.

    One optimizer after the other rather than one stacked batch (:func:`optim_core.stack`): the
    work per start and step is the same (the stack saves Python calls and adds copies of every
    step's update), bench/basins.py measures the two within 0.8-1.15x of each other, and one at a
    time is the simpler loop and holds only one optimizer's batch in memory.
    """
    resolution = _check_int("resolution", resolution, 2, MAX_RESOLUTION)
    steps = _check_int("steps", steps, 1, MAX_STEPS)
    landscape = landscape_of(landscape_key, y_scale)
    minima = np.asarray(landscape.minima, dtype=np.float64).reshape(-1, 2)
    if minima.shape[0]:
        tol = default_tolerance(landscape) if tolerance is None else _check_positive("tolerance", tolerance)
        within: Callable[[Array], Array] = NearMinima(minima, tol)
        labels = tuple(f"m{k + 1}" for k in range(minima.shape[0]))
    else:
        tol = _check_positive("grad_tolerance", grad_tolerance)
        within = Stationary(landscape, tol)
        labels = (STATIONARY,)
    if not configs:
        raise ValueError("basin_maps needs at least one (optimizer key, values) pair")
    optimizers = [oc.OPTIMIZERS[key].build(dict(values)) for key, values in configs]  # validate all first
    xs, ys = grid_axes(landscape.domain, resolution)
    x0 = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    shape = (resolution, resolution)
    maps = []
    for optimizer in optimizers:
        ends = endpoints(optimizer, landscape, x0, steps, within, schedule=schedule)
        maps.append(BasinMap(
            xs, ys, _classify(ends, within, minima).reshape(shape),
            ends.first_within.astype(np.int32).reshape(shape), ends.final_positions.reshape(shape + (2,)),
            ends.diverged_at.astype(np.int32).reshape(shape), minima, labels, tol, steps))
    return maps


def _classify(ends: Endpoints, within: Callable[[Array], Array], minima: Array) -> Array:
    """``(B,)`` int8 outcome: the nearest minimum's index if x_T is within tolerance of it (or 0,
    the stationary class, without minima), else NOT_CONVERGED; DIVERGED over both."""
    final = ends.final_positions
    outcome = np.full(final.shape[0], NOT_CONVERGED, dtype=np.int8)
    there = within(final)
    if minima.shape[0]:
        nearest = np.argmin(((final[:, None, :] - minima[None]) ** 2).sum(axis=-1), axis=1)
        outcome[there] = nearest[there]
    else:
        outcome[there] = 0
    outcome[ends.diverged_at >= 0] = DIVERGED
    return outcome


# ----------------------------------------------------------------------------- reading a map


def outcome_label(basin: BasinMap, code: int) -> str:
    """The name of an outcome code: a class label, "not converged" or "diverged"."""
    if code == DIVERGED:
        return "diverged"
    if code == NOT_CONVERGED:
        return "not converged"
    return basin.labels[code]


def outcome_codes(basin: BasinMap) -> list[int]:
    """Every outcome a map can hold, in display order: the classes, then not converged, diverged."""
    return [*range(len(basin.labels)), NOT_CONVERGED, DIVERGED]


def shares(basin: BasinMap) -> list[Share]:
    """The fraction of the grid's starts with each outcome, in :func:`outcome_codes` order (they
    sum to 1), for a caption."""
    counts = np.bincount(basin.outcome.ravel().astype(np.int64) - DIVERGED,
                         minlength=len(basin.labels) - DIVERGED)
    total = basin.outcome.size
    return [Share(code, outcome_label(basin, code), counts[code - DIVERGED] / total)
            for code in outcome_codes(basin)]


def caption(basin: BasinMap) -> str:
    """One line: "m1 31% · m2 24% · ... · not converged 2% · diverged 0%" (whole percents; a
    share that rounds to 0 but is not empty reads "<1%")."""
    def percent(share: float) -> str:
        return "<1%" if 0 < share < 0.005 else f"{share:.0%}"
    return " · ".join(f"{s.label} {percent(s.share)}" for s in shares(basin))


def cell_of(basin: BasinMap, x: float, y: float) -> tuple[int, int]:
    """``(row, column)`` of the grid start nearest to the point ``(x, y)`` (a click, in data
    coordinates); a point off the grid goes to the nearest edge cell."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"Invalid point: ({x!r}, {y!r}); finite coordinates are required")
    return int(np.abs(basin.ys - y).argmin()), int(np.abs(basin.xs - x).argmin())


def start_at(basin: BasinMap, x: float, y: float) -> tuple[float, float]:
    """The grid start nearest to the point ``(x, y)``: where a playground run opened from a click
    on the map begins (exactly the start of the run the map shows there)."""
    row, col = cell_of(basin, float(x), float(y))
    return float(basin.xs[col]), float(basin.ys[row])


# ----------------------------------------------------------------------------- validation


def _check_int(name: str, value, low: int, high: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or not low <= value <= high:
        raise ValueError(f"Invalid {name}: {value!r}; an integer in [{low}, {high}]")
    return int(value)


def _check_positive(name: str, value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid {name}: {value!r}; a positive number is required") from None
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"Invalid {name}: {value!r}; a positive number is required")
    return number
