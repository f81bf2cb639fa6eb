"""landscapes: 2-D test functions and 1-D adversarial online problems (pure numpy, no Streamlit).

``LANDSCAPES`` maps a key to its :class:`Landscape`, in display order (sphere first); every
selector in the UI is built from it, so a new landscape needs no UI edit. ``ONLINE_PROBLEMS`` maps
a key to the factory of an :class:`OnlineProblem` (argument: the period constant C).
"""

from dataclasses import replace

from .base import SCALE_RANGE, Landscape, gradient_rescaling, hessian, max_curvature, rescaled
from .functions import ALL, ROSENBROCK
from .online import (
    ONLINE_PROBLEMS,
    OnlineProblem,
    adabound_condition,
    adabound_example,
    adabound_max_beta2,
    reddi_beta2,
    reddi_example,
    regret,
)

# s = 10 squeezes Rosenbrock's y axis tenfold: its y-gradient grows 10x and its y-curvature 100x,
# so SGD at a learning rate that works on Rosenbrock diverges here, while Adam, whose steps do not
# depend on the gradient's scale, still makes its way to the minimum with the same rate.
RESCALED_ROSENBROCK = replace(rescaled(ROSENBROCK, 10.0), key="rescaled_rosenbrock")

LANDSCAPES: dict[str, Landscape] = {ls.key: ls for ls in (*ALL, RESCALED_ROSENBROCK)}


def get(key: str) -> Landscape:
    """The registered landscape ``key``; ``KeyError`` naming the valid keys otherwise."""
    try:
        return LANDSCAPES[key]
    except KeyError:
        raise KeyError(f"Unknown landscape {key!r}; one of {', '.join(LANDSCAPES)}") from None


__all__ = [
    "LANDSCAPES", "Landscape", "ONLINE_PROBLEMS", "OnlineProblem", "SCALE_RANGE",
    "adabound_condition", "adabound_example", "adabound_max_beta2", "get", "gradient_rescaling", "hessian",
    "max_curvature", "reddi_beta2", "reddi_example", "regret", "rescaled",
]
