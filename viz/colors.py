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

# parameter coordinates told apart by dash, the same on every page
PARAM_DASHES = ("solid", "dot", "dash", "dashdot")
PARAM_NAMES = ("x", "y")

BAND_FILL = "rgba(44, 160, 44, 0.12)"  # AdaBound's [lower, upper] band
OPTIMAL_FILL = "rgba(44, 160, 44, 0.10)"  # an online problem's optimal region


def color_of(key: str) -> str:
    return OPTIMIZER_COLORS.get(key, FALLBACK_COLOR)


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def param_name(d: int) -> str:
    return PARAM_NAMES[d] if d < len(PARAM_NAMES) else f"x{d + 1}"


def param_dash(d: int) -> str:
    return PARAM_DASHES[d % len(PARAM_DASHES)]
