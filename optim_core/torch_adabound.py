"""AdaBound and AMSBound as a ``torch.optim.Optimizer``, for training real networks.

It follows the authors' reference code and agrees step for step with
:func:`optim_core.optimizers.adabound` (see its docstring for the rule). Differences from the
reference code, all in the direction of robustness:

* each parameter group keeps its own ``initial_lr`` (the learning rate it was created with), so
  ``final_lr`` follows a scheduler as ``final_lr * lr_t / initial_lr``; it lives in the group and
  therefore in ``state_dict()``, so a reloaded optimizer keeps the same bounds;
* groups added later with ``add_param_group`` get their ``initial_lr`` then;
* no deprecated ``add_(scalar, tensor)`` calls.

Importing this module imports torch: keep it off the app's start-up path.
"""

from __future__ import annotations

import math

import torch
from torch.optim import Optimizer

from .bounds import lower_bound, upper_bound


class AdaBound(Optimizer):
    """AdaBound (``amsbound=False``) or AMSBound (``amsbound=True``).

    Arguments as in the paper and the reference code: ``lr`` (Adam-like start), ``betas``,
    ``final_lr`` (the SGD-like rate both bounds converge to), ``gamma`` (the bounds' speed),
    ``eps``, ``weight_decay`` (L2, added to the gradient).
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), final_lr: float = 0.1,
                 gamma: float = 1e-3, eps: float = 1e-8, weight_decay: float = 0.0,
                 amsbound: bool = False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= final_lr:
            raise ValueError(f"Invalid final learning rate: {final_lr}")
        if not 0.0 <= gamma < 1.0:
            raise ValueError(f"Invalid gamma parameter: {gamma}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=tuple(betas), final_lr=final_lr, gamma=gamma, eps=eps,
                        weight_decay=weight_decay, amsbound=amsbound)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        group.setdefault("initial_lr", group["lr"])

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsbound", False)
            group.setdefault("initial_lr", group["lr"])

    def effective_lr(self, p: torch.Tensor, index: torch.Tensor | None = None):
        """The rates AdaBound applied to ``p`` at its latest step: ``(clipped, raw, lower, upper)``.

        ``raw = lr sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)`` (AMSBound: ``v_max``) and
        ``clipped`` is ``raw`` clipped to ``[lower(t), upper(t)]``: the factor that multiplies the
        first moment in :meth:`step`, which computes it here too. ``index`` (a LongTensor of
        positions in the flattened ``p``) restricts the work to those entries; the tensors then
        have its shape. Raises ``RuntimeError`` before ``p`` has taken a step.
        """
        state = self.state.get(p)
        if not state:
            raise RuntimeError("effective_lr: this parameter has not taken a step yet")
        group = next(g for g in self.param_groups if any(q is p for q in g["params"]))
        v = state["max_exp_avg_sq"] if group["amsbound"] else state["exp_avg_sq"]
        if index is not None:
            v = torch.take(v, index)
        return self._bounded_lr(group, state["step"], v, keep_raw=True)

    @staticmethod
    def _bounded_lr(group: dict, t: int, v: torch.Tensor, keep_raw: bool):
        """``(clipped, raw, lower, upper)`` at step ``t`` from the second moment ``v`` in use;
        without ``keep_raw`` the raw rates are clipped in place and ``raw`` is None."""
        beta1, beta2 = group["betas"]
        # final_lr follows the schedule: the bounds move with lr_t / lr_0.
        final_lr = group["final_lr"] * group["lr"] / group["initial_lr"] if group["initial_lr"] else 0.0
        step_size = group["lr"] * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        lower = lower_bound(final_lr, group["gamma"], t)
        upper = upper_bound(final_lr, group["gamma"], t)
        denom = v.sqrt().add_(group["eps"])
        raw = torch.full_like(denom, step_size).div_(denom)
        if keep_raw:
            return raw.clamp(lower, upper), raw, lower, upper
        return raw.clamp_(lower, upper), None, lower, upper

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if grad.is_sparse:
                    raise RuntimeError("AdaBound does not support sparse gradients")
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])

                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    if group["amsbound"]:
                        state["max_exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]

                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                v = exp_avg_sq
                if group["amsbound"]:
                    v = torch.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                lr_eff, _, _, _ = self._bounded_lr(group, state["step"], v, keep_raw=False)
                p.sub_(lr_eff * exp_avg)

        return loss


def AMSBound(params, **kwargs) -> AdaBound:  # noqa: N802 (a class-like constructor)
    """AMSBound: :class:`AdaBound` with ``amsbound=True``."""
    return AdaBound(params, amsbound=True, **kwargs)
