"""optim_core: exact, batched, pure-numpy optimizers and the run driver (no Streamlit, no Plotly)."""

from .analysis import band_floor_limit, max_stable_final_lr, max_stable_lr, signal_to_noise
from .bounds import lower_bound, upper_bound
from .base import Optimizer, Update, bias_correction, update_moment, update_moment_sq
from .driver import DEFAULT_BOX, MAX_STEPS, Carry, Problem, Trace, inside_box, outside_box, run, stack
from .optimizers import (
    adabound,
    adagrad,
    adam,
    adamax,
    amsbound,
    amsgrad,
    rmsprop,
    sgd,
)
from .schedules import CONSTANT, KINDS as SCHEDULE_KINDS, Schedule
from .registry import OPTIMIZERS, HyperParam, OptimizerSpec, build_paper_theory, paper_theory_kwargs

__all__ = [
    "OPTIMIZERS", "HyperParam", "OptimizerSpec", "build_paper_theory", "paper_theory_kwargs",
    "CONSTANT", "Carry", "DEFAULT_BOX", "MAX_STEPS", "Optimizer", "Problem", "SCHEDULE_KINDS", "Schedule",
    "Trace", "Update", "inside_box", "outside_box", "adabound", "adagrad", "adam", "adamax", "amsbound", "amsgrad",
    "band_floor_limit", "bias_correction", "lower_bound", "max_stable_lr", "max_stable_final_lr", "rmsprop", "run", "sgd", "signal_to_noise", "stack", "update_moment",
    "update_moment_sq", "upper_bound",
]
