"""Learning-rate schedules as factors ``lr_t / lr_0`` of the step index t (counted from 1).

A schedule is a small frozen record; ``factors(T)`` gives the factor of every step 1..T at once.
Constant and callable schedules look the same to the driver. Conventions follow torch's
``lr_scheduler`` stepped once after every optimizer step: step t sees ``t - 1`` scheduler steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("constant", "step", "exponential", "cosine", "inverse_sqrt", "warmup")


@dataclass(frozen=True)
class Schedule:
    """``kind`` and its parameters:

    * ``constant``: factor 1;
    * ``step``: multiply by ``decay`` every ``step_size`` steps (torch StepLR);
    * ``exponential``: ``decay ** (t - 1)`` (torch ExponentialLR);
    * ``cosine``: from 1 down to ``min_factor`` over ``period`` steps (torch CosineAnnealingLR,
      ``eta_min = min_factor * lr_0``), then back up, as torch's closed form;
    * ``inverse_sqrt``: ``1 / sqrt(t)``, the step size of the online-learning analyses;
    * ``warmup``: linear from ``1 / warmup_steps`` to 1 over ``warmup_steps`` steps, then 1.
    """

    kind: str = "constant"
    step_size: int = 100
    decay: float = 0.1
    period: int = 1000
    min_factor: float = 0.0
    warmup_steps: int = 100

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Invalid schedule kind: {self.kind!r}; one of {', '.join(KINDS)}")
        if not (isinstance(self.step_size, (int, np.integer)) and self.step_size >= 1):
            raise ValueError(f"Invalid step_size: {self.step_size!r}; an integer >= 1")
        if not (0.0 < self.decay <= 1.0):
            raise ValueError(f"Invalid decay: {self.decay!r}; allowed range (0, 1]")
        if not (isinstance(self.period, (int, np.integer)) and self.period >= 1):
            raise ValueError(f"Invalid period: {self.period!r}; an integer >= 1")
        if not (0.0 <= self.min_factor <= 1.0):
            raise ValueError(f"Invalid min_factor: {self.min_factor!r}; allowed range [0, 1]")
        if not (isinstance(self.warmup_steps, (int, np.integer)) and self.warmup_steps >= 1):
            raise ValueError(f"Invalid warmup_steps: {self.warmup_steps!r}; an integer >= 1")

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
