"""One colour per optimizer, everywhere; one dash per parameter coordinate."""

from __future__ import annotations

OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#1b1b1b",
    "momentum": "#8c564b",
    "nesterov": "#b8860b",
    "adagrad": "#9467bd",
    "rmsprop": "#e377c2",
    "adam": "#d62728",
    "adam_nobc": "#ff7f0e",
    "amsgrad": "#1f77b4",
    "adamax": "#17becf",
    "adabound": "#2ca02c",
    "amsbound": "#00796b",
}
FALLBACK_COLOR = "#555555"
# A path's dash, so that two optimizers whose paths coincide (AdaBound before its bounds act, under
# Adam) both stay visible: each method that shares a path with another early on gets its own.
OPTIMIZER_DASHES: dict[str, str] = {"adabound": "dash", "amsbound": "dot", "amsgrad": "dashdot",
                                    "adam_nobc": "dot", "nesterov": "dot", "adamax": "longdash"}

# parameter coordinates told apart by dash, the same on every page
PARAM_DASHES = ("solid", "dot", "dash", "dashdot")
PARAM_NAMES = ("x", "y")

# a basin map's classes: pale, so that no minimum's colour is an optimizer's
BASIN_COLORS = ("#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#ffed6f")
NOT_CONVERGED_COLOR = "#a3a3a3"
DIVERGED_COLOR = "#000000"

BAND_FILL = "rgba(44, 160, 44, 0.12)"  # AdaBound's [lower, upper] band
OPTIMAL_FILL = "rgba(44, 160, 44, 0.10)"  # an online problem's optimal region


def color_of(key: str) -> str:
    return OPTIMIZER_COLORS.get(key, FALLBACK_COLOR)


def dash_of(key: str) -> str:
    return OPTIMIZER_DASHES.get(key, "solid")


def dash_name(key: str) -> str:
    """The dash of an optimizer's path in words, for a note under a figure."""
    return {"dash": "dashed", "dot": "dotted", "dashdot": "dash-dotted", "longdash": "long-dashed"}.get(
        dash_of(key), "solid")


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def param_name(d: int) -> str:
    return PARAM_NAMES[d] if d < len(PARAM_NAMES) else f"x{d + 1}"


def param_dash(d: int) -> str:
    return PARAM_DASHES[d % len(PARAM_DASHES)]
