"""The one table of optimizers: label, hyperparameters (library default, the range the lab offers,
log scale or not), the update rule in LaTeX, and how to build it.

Pages, URL state and validation are all driven from :data:`OPTIMIZERS`; adding an optimizer here
adds it everywhere.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import optimizers as opt
from .base import Optimizer
from .schedules import Schedule


@dataclass(frozen=True)
class HyperParam:
    key: str  # factory keyword (beta1/beta2 become ``betas``)
    label: str  # in the paper's notation, for widgets
    default: Any  # the library default (torch.optim, or the AdaBound reference code)
    low: float = 0.0  # the range the lab offers (and clamps URL values into)
    high: float = 1.0
    log: bool = False  # a log-scaled control
    help: str = ""

    @property
    def is_flag(self) -> bool:
        return isinstance(self.default, bool)


def _lr(default: float) -> HyperParam:
    return HyperParam("lr", "learning rate η", default, 1e-5, 10.0, True,
                      "base step size; the schedule multiplies it")


_BETA1 = HyperParam("beta1", "β₁", 0.9, 0.0, 0.999, False, "decay of the first moment m")
_BETA2 = HyperParam("beta2", "β₂", 0.999, 0.0, 0.99999, False, "decay of the second moment v")
_EPS = HyperParam("eps", "ε", 1e-8, 1e-12, 1.0, True, "keeps the denominator away from 0")
_WD = HyperParam("weight_decay", "weight decay", 0.0, 0.0, 1.0, True, "L2 term added to the gradient")
_FINAL_LR = HyperParam("final_lr", "final lr η*", 0.1, 1e-5, 10.0, True,
                       "the SGD rate both bounds converge to")
_GAMMA = HyperParam("gamma", "γ", 1e-3, 1e-6, 0.5, True,
                    "how fast the bounds close; the band is [η*/2, 2η*] at t = 1/γ")


@dataclass(frozen=True)
class OptimizerSpec:
    key: str
    label: str
    factory: Callable[..., Optimizer]
    params: tuple[HyperParam, ...]
    latex: str
    summary: str
    fixed: Mapping[str, Any] = field(default_factory=dict)  # keywords this entry always passes
    bounded: bool = False

    def defaults(self) -> dict[str, Any]:
        return {p.key: p.default for p in self.params}

    def param(self, key: str) -> HyperParam:
        for p in self.params:
            if p.key == key:
                return p
        raise KeyError(key)

    def kwargs(self, values: Mapping[str, Any] | None = None, **overrides) -> dict[str, Any]:
        """The factory's keyword arguments: library defaults, updated by ``values`` and
        ``overrides``. Values may be scalars or ``(B, 1)`` arrays (a sweep); unknown keys raise
        ``ValueError``."""
        merged = self.defaults()
        for source in (values or {}, overrides):
            for k, v in source.items():
                if k not in merged:
                    raise ValueError(f"{self.label} has no hyperparameter {k!r}")
                merged[k] = v
        kwargs = dict(self.fixed)
        if "beta1" in merged:
            kwargs["betas"] = (merged.pop("beta1"), merged.pop("beta2"))
        kwargs.update(merged)
        return kwargs

    def build(self, values: Mapping[str, Any] | None = None, **overrides) -> Optimizer:
        """The optimizer with the library defaults, updated by ``values`` and ``overrides``."""
        return self.factory(**self.kwargs(values, **overrides))


_ADAM_PARAMS = (_lr(1e-3), _BETA1, _BETA2, _EPS, _WD)
_BOUND_PARAMS = (_lr(1e-3), _BETA1, _BETA2, _FINAL_LR, _GAMMA, _EPS, _WD)

OPTIMIZERS: dict[str, OptimizerSpec] = {
    s.key: s
    for s in (
        OptimizerSpec(
            "sgd", "SGD", opt.sgd, (_lr(1e-3), _WD),
            opt.SGD_LATEX["sgd"],
            "one fixed step size for every parameter"),
        OptimizerSpec(
            "momentum", "Momentum", opt.sgd,
            (_lr(1e-3), HyperParam("momentum", "momentum μ", 0.9, 0.0, 0.999),
             HyperParam("dampening", "dampening τ", 0.0, 0.0, 1.0), _WD),
            opt.SGD_LATEX["momentum"],
            "heavy ball: a velocity that remembers past gradients"),
        OptimizerSpec(
            "nesterov", "Nesterov", opt.sgd,
            (_lr(1e-3), HyperParam("momentum", "momentum μ", 0.9, 0.01, 0.999), _WD),
            opt.SGD_LATEX["nesterov"],
            "momentum that looks one step ahead", fixed={"nesterov": True}),
        OptimizerSpec(
            "adagrad", "AdaGrad", opt.adagrad,
            (_lr(1e-2), HyperParam("lr_decay", "lr decay δ", 0.0, 0.0, 1.0),
             HyperParam("initial_accumulator_value", "G₀", 0.0, 0.0, 10.0),
             HyperParam("eps", "ε", 1e-10, 1e-12, 1.0, True), _WD),
            opt.ADAGRAD_LATEX["adagrad"],
            "per-parameter rates that only ever shrink"),
        OptimizerSpec(
            "rmsprop", "RMSProp", opt.rmsprop,
            (_lr(1e-2), HyperParam("alpha", "α", 0.99, 0.0, 0.9999), _EPS,
             HyperParam("momentum", "momentum μ", 0.0, 0.0, 0.999),
             HyperParam("centered", "centered", False), _WD),
            opt.RMSPROP_LATEX["rmsprop"],
            "AdaGrad with a moving window instead of the whole history"),
        OptimizerSpec(
            "adam", "Adam", opt.adam, _ADAM_PARAMS, opt.ADAM_LATEX["adam"],
            "momentum plus per-parameter rates, both bias-corrected"),
        OptimizerSpec(
            "adam_nobc", "Adam (no bias correction)", opt.adam, _ADAM_PARAMS,
            opt.ADAM_LATEX["adam_nobc"],
            "Adam without the 1 - β^t factors: the Adam paper's Section 3 experiment",
            fixed={"bias_correction": False}),
        OptimizerSpec(
            "amsgrad", "AMSGrad", opt.adam, _ADAM_PARAMS,
            opt.ADAM_LATEX["amsgrad"],
            "Adam whose per-parameter rates can never grow back", fixed={"amsgrad": True}),
        OptimizerSpec(
            "adamax", "AdaMax", opt.adamax,
            (_lr(2e-3), _BETA1, _BETA2, _EPS, _WD),
            opt.ADAMAX_LATEX["adamax"],
            "Adam with an infinity norm in place of the second moment"),
        OptimizerSpec(
            "adabound", "AdaBound", opt.adabound,
            _BOUND_PARAMS,
            opt.ADABOUND_LATEX["adabound"],
            "Adam whose rates are clipped into a band that closes on final_lr: Adam first, SGD at the end",
            bounded=True),
        OptimizerSpec(
            "amsbound", "AMSBound", opt.adabound,
            _BOUND_PARAMS,
            opt.ADABOUND_LATEX["amsbound"],
            "AMSGrad with AdaBound's band", fixed={"amsbound": True}, bounded=True),
    )
}


def get(key: str) -> OptimizerSpec:
    try:
        return OPTIMIZERS[key]
    except KeyError:
        raise ValueError(f"Unknown optimizer {key!r}; one of {', '.join(OPTIMIZERS)}") from None


PAPER_THEORY_SCHEDULE = Schedule("inverse_sqrt")


def paper_theory_kwargs(key: str, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The factory keywords of the paper-theory form (see :func:`build_paper_theory`)."""
    spec = get(key)
    kwargs = spec.kwargs(values)
    if "eps" in kwargs:
        kwargs["eps"] = 0.0
    if "bias_correction" in inspect.signature(spec.factory).parameters:
        kwargs["bias_correction"] = False
    return kwargs


def build_paper_theory(key: str, values: Mapping[str, Any] | None = None) -> tuple[Optimizer, Schedule]:
    r"""The form the online-learning analyses use (Reddi et al. 2018; the AdaBound paper's Section 3
    and theorems): step :math:`\alpha / \sqrt{t}`, no bias correction, no eps.

    Returns the optimizer and the schedule to run it with.
    """
    return get(key).factory(**paper_theory_kwargs(key, values)), PAPER_THEORY_SCHEDULE
