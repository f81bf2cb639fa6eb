"""The 2-D test functions: formulas, exact gradients, plot domains, minima and default starts.

Every function is written on coordinate arrays ``x, y`` of any (common) shape, with its gradient
derived by hand; :class:`~landscapes.base.Pointwise` and
:class:`~landscapes.base.PointwiseGrad` lift them to points of shape ``(..., 2)``.
Minimisers and minimum values are given to full float64 precision (the usual tables round them
to six digits; closed forms are used where they exist).
"""

from __future__ import annotations

import math

import numpy as np

from .base import Landscape, Pointwise, PointwiseGrad

TWO_PI = 2.0 * np.pi


# ----------------------------------------------------------------------------- quadratics


def _sphere(x, y):
    return x * x + y * y


def _sphere_grad(x, y):
    return 2.0 * x, 2.0 * y


SPHERE = Landscape(
    key="sphere",
    name="Sphere",
    f=Pointwise(_sphere),
    grad=PointwiseGrad(_sphere_grad),
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(-1.5, 0.5),
    log_contours=False,
    log_offset=1e-2,
    latex=r"f(x, y) = x^2 + y^2",
    description="The easy case: round contours, every method heads straight for the centre.",
    y_degree=2,
)


def _ill_conditioned(x, y):
    return 0.1 * x * x + 2.0 * y * y


def _ill_conditioned_grad(x, y):
    return 0.2 * x, 4.0 * y


ILL_CONDITIONED = Landscape(
    key="ill_conditioned",
    name="Ill-conditioned quadratic",
    f=Pointwise(_ill_conditioned),
    grad=PointwiseGrad(_ill_conditioned_grad),
    domain=((-5.5, 1.0), (-3.0, 1.0)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(-5.0, -2.0),
    log_contours=False,
    log_offset=1e-2,
    latex=r"f(x, y) = 0.1\,x^2 + 2\,y^2",
    description=("Condition number 20: SGD zig-zags across the narrow axis and crawls along the "
                 "long one; per-coordinate rates (Adam) do not care."),
    y_degree=2,
)


def _matyas(x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


def _matyas_grad(x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


MATYAS = Landscape(
    key="matyas",
    name="Matyas",
    f=Pointwise(_matyas),
    grad=PointwiseGrad(_matyas_grad),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(-8.0, -4.0),
    log_contours=True,
    log_offset=1e-3,
    latex=r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,x y",
    description=("A flat valley along the diagonal (curvatures 1 and 0.04): progress along it is "
                 "slow for every method."),
)


def _booth(x, y):
    return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2


def _booth_grad(x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


BOOTH = Landscape(
    key="booth",
    name="Booth",
    f=Pointwise(_booth),
    grad=PointwiseGrad(_booth_grad),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((1.0, 3.0),),
    min_value=0.0,
    start=(-8.0, 8.0),
    log_contours=True,
    log_offset=1e-1,
    latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    description=("A tilted quadratic bowl (curvatures 18 and 2): the axes of the ellipses are "
                 "not the coordinate axes, so per-coordinate scaling helps less."),
)


# ----------------------------------------------------------------------------- valleys and plateaus


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_grad(x, y):
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


ROSENBROCK = Landscape(
    key="rosenbrock",
    name="Rosenbrock",
    f=Pointwise(_rosenbrock),
    grad=PointwiseGrad(_rosenbrock_grad),
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minima=((1.0, 1.0),),
    min_value=0.0,
    start=(-2.0, 2.0),
    log_contours=True,
    log_offset=1e-2,
    latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    description=("A curved, narrow, nearly flat valley: reaching it is easy, following it to "
                 "(1, 1) is the hard part."),
)


def _beale(x, y):
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y**2
    a3 = 2.625 - x + x * y**3
    return a1 * a1 + a2 * a2 + a3 * a3


def _beale_grad(x, y):
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y**2
    a3 = 2.625 - x + x * y**3
    gx = 2.0 * (a1 * (y - 1.0) + a2 * (y**2 - 1.0) + a3 * (y**3 - 1.0))
    gy = 2.0 * x * (a1 + 2.0 * a2 * y + 3.0 * a3 * y**2)
    return gx, gy


BEALE = Landscape(
    key="beale",
    name="Beale",
    f=Pointwise(_beale),
    grad=PointwiseGrad(_beale_grad),
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    minima=((3.0, 0.5),),
    min_value=0.0,
    start=(1.5, 1.5),
    log_contours=True,
    log_offset=1e-2,
    latex=(r"f(x, y) = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2"
           r" + (2.625 - x + x y^3)^2"),
    description=("Gradients spanning many decades (very steep for |y| > 1, flat near the "
                 "valley): a fixed SGD rate is either unstable or too slow."),
)


def _three_hump_camel(x, y):
    x2 = x * x
    return 2.0 * x2 - 1.05 * x2 * x2 + x2 * x2 * x2 / 6.0 + x * y + y * y


def _three_hump_camel_grad(x, y):
    x2 = x * x
    return 4.0 * x - 4.2 * x2 * x + x2 * x2 * x + y, x + 2.0 * y


THREE_HUMP_CAMEL = Landscape(
    key="three_hump_camel",
    name="Three-hump camel",
    f=Pointwise(_three_hump_camel),
    grad=PointwiseGrad(_three_hump_camel_grad),
    domain=((-2.0, 2.0), (-1.5, 1.5)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(-1.5, -1.2),
    log_contours=True,
    log_offset=1e-2,
    latex=r"f(x, y) = 2x^2 - 1.05\,x^4 + \frac{x^6}{6} + x y + y^2",
    description=("One global minimum at 0 between two local ones (f = 0.2986): from this start "
                 "Adam reaches the centre, SGD with momentum stops in a side valley."),
)


def _six_hump_camel(x, y):
    x2 = x * x
    y2 = y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


def _six_hump_camel_grad(x, y):
    x2 = x * x
    return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y


SIX_HUMP_CAMEL = Landscape(
    key="six_hump_camel",
    name="Six-hump camel",
    f=Pointwise(_six_hump_camel),
    grad=PointwiseGrad(_six_hump_camel_grad),
    domain=((-2.0, 2.0), (-1.0, 1.0)),
    minima=((0.08984201310031806, -0.7126564030207396),
            (-0.08984201310031806, 0.7126564030207396)),
    min_value=-1.0316284534898774,
    start=(-1.8, -0.25),
    log_contours=False,
    log_offset=1e-2,
    latex=(r"f(x, y) = \left(4 - 2.1\,x^2 + \frac{x^4}{3}\right) x^2 + x y"
           r" + \left(-4 + 4y^2\right) y^2"),
    description=("Six minima, two of them global and symmetric: from this start SGD and Adam "
                 "settle in different local minima, neither of them global."),
)


def _goldstein_price(x, y):
    s = x + y + 1.0
    u = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    d = 2.0 * x - 3.0 * y
    w = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    return (1.0 + s * s * u) * (30.0 + d * d * w)


def _goldstein_price_grad(x, y):
    s = x + y + 1.0
    u = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
    d = 2.0 * x - 3.0 * y
    w = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
    a = 1.0 + s * s * u
    b = 30.0 + d * d * w
    # u has the same partial derivative in x and y, so A does too.
    a_xy = 2.0 * s * u + s * s * (-14.0 + 6.0 * x + 6.0 * y)
    b_x = 4.0 * d * w + d * d * (-32.0 + 24.0 * x - 36.0 * y)
    b_y = -6.0 * d * w + d * d * (48.0 - 36.0 * x + 54.0 * y)
    return a_xy * b + a * b_x, a_xy * b + a * b_y


GOLDSTEIN_PRICE = Landscape(
    key="goldstein_price",
    name="Goldstein-Price",
    f=Pointwise(_goldstein_price),
    grad=PointwiseGrad(_goldstein_price_grad),
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=((0.0, -1.0),),
    min_value=3.0,
    start=(1.5, 1.5),
    log_contours=True,
    log_offset=1.0,
    latex=(r"f(x, y) = \left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
           r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"),
    description=("Values from 3 to a million and several local minima: only a log scale shows "
                 "it, and only scale-free steps cross it without tuning."),
)


def _mccormick(x, y):
    return np.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0


def _mccormick_grad(x, y):
    c = np.cos(x + y)
    d = 2.0 * (x - y)
    return c + d - 1.5, c - d + 2.5


MCCORMICK = Landscape(
    key="mccormick",
    name="McCormick",
    f=Pointwise(_mccormick),
    grad=PointwiseGrad(_mccormick_grad),
    # The gradient vanishes where cos(x + y) = -1/2 and x - y = 1: the minimiser is
    # (1/2 - pi/3, -1/2 - pi/3), with value -sqrt(3)/2 - pi/3.
    domain=((-1.5, 4.0), (-3.0, 4.0)),
    minima=((0.5 - math.pi / 3.0, -0.5 - math.pi / 3.0),),
    min_value=-math.sqrt(3.0) / 2.0 - math.pi / 3.0,
    start=(-1.0, 3.0),
    log_contours=False,
    log_offset=1e-2,
    latex=r"f(x, y) = \sin(x + y) + (x - y)^2 - 1.5\,x + 2.5\,y + 1",
    description=("A long diagonal valley with the global minimum at (-0.55, -1.55) and a local "
                 "one at (2.59, 1.59): where a run ends depends on where it enters the valley."),
)


def _styblinski_tang(x, y):
    return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x + y**4 - 16.0 * y * y + 5.0 * y)


def _styblinski_tang_grad(x, y):
    return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5


# The minimiser's coordinate is the root of 4 z^3 - 32 z + 5 near -2.9035.
_ST_ROOT = -2.903534027771177

STYBLINSKI_TANG = Landscape(
    key="styblinski_tang",
    name="Styblinski-Tang",
    f=Pointwise(_styblinski_tang),
    grad=PointwiseGrad(_styblinski_tang_grad),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((_ST_ROOT, _ST_ROOT),),
    min_value=-78.33233140754282,
    start=(4.5, 4.5),
    log_contours=False,
    log_offset=1e-2,
    latex=r"f(x, y) = \tfrac{1}{2}\left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    description=("Four basins, one per quadrant, the global one at (-2.90, -2.90): a method "
                 "must cross a ridge to leave the basin it starts in."),
)


# ----------------------------------------------------------------------------- multimodal


def _himmelblau(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def _himmelblau_grad(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


HIMMELBLAU = Landscape(
    key="himmelblau",
    name="Himmelblau",
    f=Pointwise(_himmelblau),
    grad=PointwiseGrad(_himmelblau_grad),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036)),
    min_value=0.0,
    start=(-0.3, 0.0),
    log_contours=True,
    log_offset=1e-1,
    latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    description=("Four equal minima around a local maximum: from this start SGD ends top left, "
                 "while Adam's sign-like first steps go diagonally and end at (3, 2)."),
)


def _levi13(x, y):
    sx = np.sin(3.0 * np.pi * x)
    s3y = np.sin(3.0 * np.pi * y)
    s2y = np.sin(TWO_PI * y)
    return sx * sx + (x - 1.0) ** 2 * (1.0 + s3y * s3y) + (y - 1.0) ** 2 * (1.0 + s2y * s2y)


def _levi13_grad(x, y):
    s3y = np.sin(3.0 * np.pi * y)
    s2y = np.sin(TWO_PI * y)
    # d/dz sin^2(k z) = k sin(2 k z)
    gx = 3.0 * np.pi * np.sin(6.0 * np.pi * x) + 2.0 * (x - 1.0) * (1.0 + s3y * s3y)
    gy = ((x - 1.0) ** 2 * 3.0 * np.pi * np.sin(6.0 * np.pi * y)
          + 2.0 * (y - 1.0) * (1.0 + s2y * s2y)
          + (y - 1.0) ** 2 * TWO_PI * np.sin(4.0 * np.pi * y))
    return gx, gy


LEVI13 = Landscape(
    key="levi13",
    name="Lévi N.13",
    f=Pointwise(_levi13),
    grad=PointwiseGrad(_levi13_grad),
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((1.0, 1.0),),
    min_value=0.0,
    start=(-6.0, 7.0),
    log_contours=True,
    log_offset=1e-2,
    latex=(r"f(x, y) = \sin^2(3\pi x) + (x - 1)^2\left(1 + \sin^2(3\pi y)\right)"
           r" + (y - 1)^2\left(1 + \sin^2(2\pi y)\right)"),
    description=("A bowl covered with ripples: local methods stop in the first ripple; only a "
                 "large step or momentum skips them."),
)


def _rastrigin(x, y):
    return 20.0 + x * x - 10.0 * np.cos(TWO_PI * x) + y * y - 10.0 * np.cos(TWO_PI * y)


def _rastrigin_grad(x, y):
    return 2.0 * x + 20.0 * np.pi * np.sin(TWO_PI * x), 2.0 * y + 20.0 * np.pi * np.sin(TWO_PI * y)


RASTRIGIN = Landscape(
    key="rastrigin",
    name="Rastrigin",
    f=Pointwise(_rastrigin),
    grad=PointwiseGrad(_rastrigin_grad),
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(-2.0, 3.5),
    log_contours=False,
    log_offset=1e-2,
    latex=r"f(x, y) = 20 + \left(x^2 - 10\cos 2\pi x\right) + \left(y^2 - 10\cos 2\pi y\right)",
    description=("A regular grid of local minima on a bowl: gradient methods get trapped in the "
                 "nearest one."),
)


def _ackley(x, y):
    r = np.hypot(x, y) * math.sqrt(0.5)
    waves = 0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y))
    return -20.0 * np.exp(-0.2 * r) - np.exp(waves) + math.e + 20.0


def _ackley_grad(x, y):
    # With rho = |(x, y)| and r = rho / sqrt(2), the cone term's gradient is
    # 2 sqrt(2) exp(-0.2 r) (x, y) / rho: bounded, but without a limit at the origin. Take 0 there
    # (a subgradient); x / rho is computed so that it never divides 0 by 0 and never exceeds 1.
    rho = np.hypot(x, y)
    safe_rho = np.where(rho > 0.0, rho, 1.0)
    cone = 2.0 * math.sqrt(2.0) * np.exp(-0.2 * math.sqrt(0.5) * rho)
    waves = np.pi * np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
    return (cone * (x / safe_rho) + waves * np.sin(TWO_PI * x),
            cone * (y / safe_rho) + waves * np.sin(TWO_PI * y))


ACKLEY = Landscape(
    key="ackley",
    name="Ackley",
    f=Pointwise(_ackley),
    grad=PointwiseGrad(_ackley_grad),
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((0.0, 0.0),),
    min_value=0.0,
    start=(3.2, 2.4),
    log_contours=False,
    log_offset=1e-2,
    latex=(r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2}"
           r" + e + 20"),
    description=("A nearly flat plateau of ripples around a sharp central funnel (a cone at the "
                 "origin, where the gradient is taken as 0)."),
    smooth_minima=False,
)


# ----------------------------------------------------------------------------- unbounded


def _saddle(x, y):
    return x * x - y * y


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


SADDLE = Landscape(
    key="saddle",
    name="Saddle",
    f=Pointwise(_saddle),
    grad=PointwiseGrad(_saddle_grad),
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    min_value=None,
    start=(-1.5, 0.05),
    log_contours=False,
    log_offset=1.0,
    latex=r"f(x, y) = x^2 - y^2",
    description=("Unbounded below, with a saddle point at the origin: starting close to the "
                 "ridge, how fast does each method escape?"),
    y_degree=2,
)


ALL = (SPHERE, ILL_CONDITIONED, ROSENBROCK, BEALE, HIMMELBLAU, BOOTH, MATYAS, THREE_HUMP_CAMEL,
       SIX_HUMP_CAMEL, GOLDSTEIN_PRICE, MCCORMICK, STYBLINSKI_TANG, LEVI13, RASTRIGIN, ACKLEY,
       SADDLE)
