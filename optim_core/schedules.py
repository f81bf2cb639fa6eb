"""Learning-rate schedules as factors ``lr_t / lr_0`` of the step index t (counted from 1).

A schedule is a small frozen record; ``factors(T)`` gives the factor of every step 1..T at once.
Constant and callable schedules look the same to the driver. Conventions follow torch's
``lr_scheduler`` stepped once after every optimizer step: step t sees ``t - 1`` scheduler steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

KINDS = ("constant", "step", "exponential", "cosine", "inverse_sqrt", "warmup")


class ScheduleParam(NamedTuple):
    name: str  # the Schedule field
    default: float  # the value a kind takes when none is given
    low: float  # the range a control offers
    high: float
    integer: bool


# Which parameters each kind uses, with their defaults and ranges: the one owner of these facts.
PARAMS: dict[str, tuple[ScheduleParam, ...]] = {
    "step": (ScheduleParam("step_size", 100, 1, 100_000, True), ScheduleParam("decay", 0.1, 1e-4, 1.0, False)),
    "exponential": (ScheduleParam("decay", 0.999, 0.5, 1.0, False),),
    "cosine": (ScheduleParam("period", 1000, 1, 100_000, True), ScheduleParam("min_factor", 0.0, 0.0, 1.0, False)),
    "warmup": (ScheduleParam("warmup_steps", 100, 1, 100_000, True),),
}


@dataclass(frozen=True)
class Schedule:
    """``kind`` and its parameters (each kind uses only its own; see :data:`PARAMS`):

    * ``constant``: factor 1;
    * ``step``: multiply by ``decay`` every ``step_size`` steps (torch StepLR);
    * ``exponential``: ``decay ** (t - 1)`` (torch ExponentialLR);
    * ``cosine``: from 1 down to ``min_factor`` over ``period`` steps (torch CosineAnnealingLR,
      ``eta_min = min_factor * lr_0``), then back up, as torch's closed form;
    * ``inverse_sqrt``: ``1 / sqrt(t)``, the step size of the online-learning analyses;
    * ``warmup``: linear from ``1 / warmup_steps`` to 1 over ``warmup_steps`` steps, then 1.

    A parameter left out takes its kind's default; the parameters of other kinds stay None, so two
    schedules that act alike compare equal (and share a cache entry).
    """

    kind: str = "constant"
    step_size: int | None = None
    decay: float | None = None
    period: int | None = None
    min_factor: float | None = None
    warmup_steps: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Invalid schedule kind: {self.kind!r}; one of {', '.join(KINDS)}")
        own = {p.name: p for p in PARAMS.get(self.kind, ())}
        for name in ("step_size", "decay", "period", "min_factor", "warmup_steps"):
            value = getattr(self, name)
            if name not in own:
                object.__setattr__(self, name, None)
            elif value is None:
                object.__setattr__(self, name, own[name].default)
        for p in own.values():
            value = getattr(self, p.name)
            if p.integer and not (isinstance(value, (int, np.integer)) and value >= 1):
                raise ValueError(f"Invalid {p.name}: {value!r}; an integer >= 1")
        if self.decay is not None and not (0.0 < self.decay <= 1.0):
            raise ValueError(f"Invalid decay: {self.decay!r}; allowed range (0, 1]")
        if self.min_factor is not None and not (0.0 <= self.min_factor <= 1.0):
            raise ValueError(f"Invalid min_factor: {self.min_factor!r}; allowed range [0, 1]")

    def factors(self, steps: int) -> np.ndarray:
        """``lr_t / lr_0`` for t = 1..steps, shape ``(steps,)``."""
        t = np.arange(1, steps + 1, dtype=np.float64)
        if self.kind == "constant":
            return np.ones_like(t)
        if self.kind == "step":
            return self.decay ** np.floor((t - 1) / self.step_size)
        if self.kind == "exponential":
            return self.decay ** (t - 1)
        if self.kind == "cosine":
            return self.min_factor + (1 - self.min_factor) * (1 + np.cos(np.pi * (t - 1) / self.period)) / 2
        if self.kind == "inverse_sqrt":
            return 1.0 / np.sqrt(t)
        return np.minimum(1.0, t / self.warmup_steps)  # warmup

    def describe(self) -> str:
        return {
            "constant": "constant",
            "step": f"x{self.decay:g} every {self.step_size} steps",
            "exponential": f"x{self.decay:g} per step",
            "cosine": f"cosine to {self.min_factor:g} x lr over {self.period} steps",
            "inverse_sqrt": "lr / sqrt(t)",
            "warmup": f"linear warm-up over {self.warmup_steps} steps",
        }[self.kind]


CONSTANT = Schedule()
