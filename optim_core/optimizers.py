"""The optimizers: pure-numpy factories that validate their hyperparameters and return an
:class:`~optim_core.base.Optimizer` (``init``, ``update``).

Every update reads like its paper. ``lr`` below is the scheduled rate ``lr_t = lr * lr_scale``;
``t`` counts steps from 1; all operations are element-wise over parameters of shape ``(B, D)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .bounds import lower_bound, upper_bound
from .base import (
    Array,
    Optimizer,
    Update,
    add_weight_decay,
    as_flag,
    as_hyper,
    bias_correction as debias,
    full_like_params,
    update_moment,
    update_moment_sq,
    widened,
)

# With eps = 0 (the paper-theory mode) a denominator is 0 until a non-zero gradient arrives; the
# step is then 0 (its numerator is 0 too) and the reported rate is huge but finite.
_TINY = 1e-300


def _guard(eps) -> bool:
    return not np.all(np.asarray(eps) > 0)


def _nonzero(denom: Array) -> Array:
    return np.maximum(denom, _TINY)


def _lr_eff(lr, like: Array) -> Array:
    return full_like_params(lr, like)


# ----------------------------------------------------------------------------- SGD, momentum


class SGDState(NamedTuple):
    momentum_buffer: Array | None  # (B, D), None without momentum


def sgd(lr: float = 1e-3, *, momentum: float = 0.0, dampening: float = 0.0,
        nesterov: bool = False, weight_decay: float = 0.0) -> Optimizer:
    r"""Stochastic gradient descent, with optional heavy-ball or Nesterov momentum.

    .. math::
        b_1 = g_1,\quad b_t = \mu b_{t-1} + (1 - \tau) g_t,\qquad
        x_{t+1} = x_t - \eta\,(g_t + \mu b_t \text{ if Nesterov else } b_t)

    Effective learning rate: :math:`\eta`.

    .. note:: As in torch.optim.SGD the buffer starts at :math:`g_1` (no dampening on the first
       step), and the momentum is applied to the gradient, not to the step (Sutskever et al. scale
       the velocity by the learning rate instead; the two agree for a constant rate).

    Args:
        lr: :math:`\eta`, the step size.
        momentum: :math:`\mu`, the velocity's decay (0: plain SGD).
        dampening: :math:`\tau`, the share of the gradient left out of the velocity.
        nesterov: look ahead: step along :math:`g_t + \mu b_t` (needs :math:`\mu > 0`, :math:`\tau = 0`).
        weight_decay: :math:`\lambda`, coupled L2: :math:`g_t \leftarrow g_t + \lambda x_t`.

    References:
        Polyak 1964 (heavy ball); Sutskever, Martens, Dahl, Hinton, ICML 2013 (Nesterov momentum
        for deep learning), https://proceedings.mlr.press/v28/sutskever13.html
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    momentum = as_hyper("momentum", momentum, 0.0, 1.0, high_open=True)
    dampening = as_hyper("dampening", dampening, 0.0, 1.0)
    nesterov = as_flag("nesterov", nesterov)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    uses_momentum = not (np.ndim(momentum) == 0 and momentum == 0.0)
    if nesterov and (not uses_momentum or np.any(np.asarray(momentum) <= 0)
                     or np.any(np.asarray(dampening) != 0)):
        raise ValueError("Invalid nesterov: Nesterov momentum requires momentum > 0 and dampening = 0")

    hypers = widened(lr, momentum, dampening, weight_decay)

    def init(x0: Array) -> SGDState:
        return SGDState(np.zeros_like(x0) if uses_momentum else None)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, momentum, dampening, weight_decay = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        lr_t = lr * lr_scale
        if not uses_momentum:
            return Update(-lr_t * g, state, _lr_eff(lr_t, g))
        buf = g.copy() if t == 1 else momentum * state.momentum_buffer + (1.0 - dampening) * g
        direction = g + momentum * buf if nesterov else buf
        return Update(-lr_t * direction, SGDState(buf), _lr_eff(lr_t, g))

    name = "sgd" if not uses_momentum else ("nesterov" if nesterov else "momentum")
    return Optimizer(name, init, update)


# How the registry's entries built on sgd() display their rule (LaTeX), beside the rule itself.
SGD_LATEX = {
    "sgd": (r"x_{t+1} = x_t - \eta\, g_t"),
    "momentum": (r"b_t = \mu b_{t-1} + (1-\tau) g_t,\quad x_{t+1} = x_t - \eta\, b_t"),
    "nesterov": (r"b_t = \mu b_{t-1} + g_t,\quad x_{t+1} = x_t - \eta\,(g_t + \mu b_t)"),
}


# ----------------------------------------------------------------------------- AdaGrad


class AdaGradState(NamedTuple):
    sum_sq: Array  # (B, D): G_t, the running sum of squared gradients


def adagrad(lr: float = 1e-2, *, lr_decay: float = 0.0, weight_decay: float = 0.0,
            initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> Optimizer:
    r"""AdaGrad (Duchi, Hazan, Singer 2011).

    .. math::
        G_t = G_{t-1} + g_t^2,\qquad
        x_{t+1} = x_t - \frac{\eta / (1 + (t - 1)\,\delta)}{\sqrt{G_t} + \epsilon}\, g_t

    Effective learning rate: :math:`\eta_t / (\sqrt{G_t} + \epsilon)`.

    .. note:: torch.optim.Adagrad's conventions: eps outside the square root, ``lr_decay``
       :math:`\delta` as above, and :math:`G_0` = ``initial_accumulator_value``.

    Args:
        lr: :math:`\eta`.
        lr_decay: :math:`\delta`: the rate at step t is :math:`\eta / (1 + (t - 1)\delta)`.
        weight_decay: :math:`\lambda`, coupled L2.
        initial_accumulator_value: :math:`G_0`.
        eps: :math:`\epsilon`, added to :math:`\sqrt{G_t}`.

    References:
        Duchi, Hazan, Singer, JMLR 2011, https://jmlr.org/papers/v12/duchi11a.html
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    lr_decay = as_hyper("lr_decay", lr_decay, 0.0, np.inf)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    initial_accumulator_value = as_hyper("initial_accumulator_value", initial_accumulator_value,
                                         0.0, np.inf)
    eps = as_hyper("eps", eps, 0.0, np.inf)
    guard = _guard(eps)

    hypers = widened(lr, lr_decay, weight_decay, eps)

    def init(x0: Array) -> AdaGradState:
        return AdaGradState(np.zeros_like(x0) + initial_accumulator_value)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, lr_decay, weight_decay, eps = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        clr = lr * lr_scale / (1.0 + (t - 1) * lr_decay)
        sum_sq = state.sum_sq + g * g
        denom = np.sqrt(sum_sq) + eps
        lr_eff = clr / (_nonzero(denom) if guard else denom)
        return Update(-lr_eff * g, AdaGradState(sum_sq), lr_eff)

    return Optimizer("adagrad", init, update)


# How the registry's entries built on adagrad() display their rule (LaTeX), beside the rule itself.
ADAGRAD_LATEX = {
    "adagrad": (r"G_t = G_{t-1} + g_t^2,\quad x_{t+1} = x_t - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t"),
}


# ----------------------------------------------------------------------------- RMSProp


class RMSPropState(NamedTuple):
    square_avg: Array  # (B, D): v_t
    grad_avg: Array | None  # (B, D): mean gradient, centered only
    momentum_buffer: Array | None  # (B, D): with momentum only


def rmsprop(lr: float = 1e-2, *, alpha: float = 0.99, eps: float = 1e-8,
            weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> Optimizer:
    r"""RMSProp (Tieleman and Hinton 2012), as torch.optim.RMSprop.

    .. math::
        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2,\qquad
        x_{t+1} = x_t - \frac{\eta}{\sqrt{v_t} + \epsilon}\, g_t

    Centered: :math:`\sqrt{v_t - \bar g_t^2}` in place of :math:`\sqrt{v_t}` with
    :math:`\bar g_t` the moving mean of :math:`g`. With momentum :math:`\mu`:
    :math:`b_t = \mu b_{t-1} + g_t / (\sqrt{v_t} + \epsilon)`, :math:`x_{t+1} = x_t - \eta b_t`.

    Effective learning rate: :math:`\eta / (\sqrt{v_t} + \epsilon)`.

    .. note:: No bias correction: the first step is about :math:`\eta / \sqrt{1 - \alpha}`
       (10 lr at alpha 0.99). RMSProp is Adam with :math:`\beta_1 = 0`, :math:`\beta_2 = \alpha`
       and no bias correction.

    Args:
        lr: :math:`\eta`.
        alpha: :math:`\alpha`, the decay of the mean square :math:`v`.
        eps: :math:`\epsilon`, added to :math:`\sqrt{v_t}`.
        weight_decay: :math:`\lambda`, coupled L2.
        momentum: :math:`\mu`, momentum on the scaled step.
        centered: divide by the standard deviation :math:`\sqrt{v_t - \bar g_t^2}` instead.

    References:
        Tieleman and Hinton, COURSERA Neural Networks lecture 6.5, 2012; Graves 2013 (centered),
        https://arxiv.org/abs/1308.0850
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    alpha = as_hyper("alpha", alpha, 0.0, 1.0)
    eps = as_hyper("eps", eps, 0.0, np.inf)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    momentum = as_hyper("momentum", momentum, 0.0, np.inf)
    centered = as_flag("centered", centered)
    uses_momentum = not (np.ndim(momentum) == 0 and momentum == 0.0)
    guard = _guard(eps)

    hypers = widened(lr, alpha, eps, weight_decay, momentum)

    def init(x0: Array) -> RMSPropState:
        zeros = np.zeros_like(x0)
        return RMSPropState(zeros, zeros if centered else None, zeros if uses_momentum else None)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, alpha, eps, weight_decay, momentum = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        lr_t = lr * lr_scale
        square_avg = update_moment_sq(state.square_avg, g, alpha)
        grad_avg = None
        if centered:
            grad_avg = update_moment(state.grad_avg, g, alpha)
            # v - gbar^2 >= 0 in exact arithmetic; rounding must not turn it into a NaN.
            avg = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0.0)) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        if guard:
            avg = _nonzero(avg)
        lr_eff = lr_t / avg
        if uses_momentum:
            buf = momentum * state.momentum_buffer + g / avg
            return Update(-lr_t * buf, RMSPropState(square_avg, grad_avg, buf), lr_eff)
        return Update(-lr_eff * g, RMSPropState(square_avg, grad_avg, None), lr_eff)

    return Optimizer("rmsprop", init, update)


# How the registry's entries built on rmsprop() display their rule (LaTeX), beside the rule itself.
RMSPROP_LATEX = {
    "rmsprop": (r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2,\quad"
        r" x_{t+1} = x_t - \frac{\eta}{\sqrt{v_t} + \epsilon}\, g_t"),
}


# ----------------------------------------------------------------------------- Adam, AMSGrad


class AdamState(NamedTuple):
    exp_avg: Array  # (B, D): m_t
    exp_avg_sq: Array  # (B, D): v_t
    max_exp_avg_sq: Array | None  # (B, D): max of raw v over time, AMSGrad only


def adam(lr: float = 1e-3, *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         weight_decay: float = 0.0, amsgrad: bool = False, bias_correction: bool = True) -> Optimizer:
    r"""Adam (Kingma and Ba 2015) and AMSGrad (Reddi, Kale, Kumar 2018), as torch.optim.Adam.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,\quad
        x_{t+1} = x_t - \frac{\eta / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}\, m_t

    AMSGrad uses :math:`\hat v_t = \max(\hat v_{t-1}, v_t)` in place of :math:`v_t`.
    With ``bias_correction=False`` (the Adam paper's Section 3 experiment) both
    :math:`1 - \beta^t` factors are dropped.

    Effective learning rate (against :math:`m_t`):
    :math:`\eta / (1 - \beta_1^t) / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)`.

    .. note:: eps is added after the bias correction of :math:`\sqrt{v}` (torch, the Adam paper);
       AdaBound's reference adds it before. AMSGrad takes the max over the raw :math:`v_t` and
       applies the current step's bias correction afterwards (torch); the AMSGrad paper has no
       bias correction, and some implementations take the max over :math:`\hat v_t`.

    Args:
        lr: :math:`\eta`.
        betas: :math:`(\beta_1, \beta_2)`, the decays of :math:`m` and :math:`v`.
        eps: :math:`\epsilon`, added to :math:`\sqrt{\hat v_t}`.
        weight_decay: :math:`\lambda`, coupled L2.
        amsgrad: use :math:`\max(\hat v_{t-1}, v_t)` (AMSGrad).
        bias_correction: divide by :math:`1 - \beta^t` (off: the Adam paper's Section 3 experiment).

    References:
        Kingma and Ba, ICLR 2015, https://arxiv.org/abs/1412.6980; Reddi, Kale, Kumar, ICLR 2018,
        https://arxiv.org/abs/1904.09237
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    beta1 = as_hyper("beta1", betas[0], 0.0, 1.0, high_open=True)
    beta2 = as_hyper("beta2", betas[1], 0.0, 1.0, high_open=True)
    eps = as_hyper("eps", eps, 0.0, np.inf)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    amsgrad = as_flag("amsgrad", amsgrad)
    bias_correction_on = as_flag("bias_correction", bias_correction)
    guard = _guard(eps)

    hypers = widened(lr, beta1, beta2, eps, weight_decay)

    def init(x0: Array) -> AdamState:
        zeros = np.zeros_like(x0)
        return AdamState(zeros, zeros, zeros if amsgrad else None)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, beta1, beta2, eps, weight_decay = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        m = update_moment(state.exp_avg, g, beta1)
        v = update_moment_sq(state.exp_avg_sq, g, beta2)
        v_max = np.maximum(state.max_exp_avg_sq, v) if amsgrad else None
        second = v_max if amsgrad else v
        denom = np.sqrt(second)
        if bias_correction_on:
            # lr / (1 - b1^t) / (sqrt(v) / sqrt(1 - b2^t) + eps), with the sqrt(1 - b2^t) moved into
            # the scalars: one pass over the parameters fewer, the same number to rounding
            root_bc2 = np.sqrt(debias(beta2, t))
            step_size = lr * lr_scale * root_bc2 / debias(beta1, t)
            denom += eps * root_bc2
        else:
            step_size = lr * lr_scale
            denom += eps
        lr_eff = step_size / (_nonzero(denom) if guard else denom)
        delta = lr_eff * m
        return Update(np.negative(delta, out=delta), AdamState(m, v, v_max), lr_eff)

    name = "amsgrad" if amsgrad else ("adam" if bias_correction_on else "adam_nobc")
    return Optimizer(name, init, update)


# How the registry's entries built on adam() display their rule (LaTeX), beside the rule itself.
ADAM_LATEX = {
    "adam": (r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2"
             r"\\ x_{t+1} = x_t - \frac{\eta}{1-\beta_1^t}\,"
             r"\frac{m_t}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}"),
    "adam_nobc": (r"m_t,\ v_t \text{ as Adam},\quad x_{t+1} = x_t - \eta\, \frac{m_t}{\sqrt{v_t} + \epsilon}"),
    "amsgrad": (r"\hat v_t = \max(\hat v_{t-1}, v_t),\quad \text{then Adam with } \hat v_t"),
}


def amsgrad(lr: float = 1e-3, **kwargs) -> Optimizer:
    """AMSGrad: :func:`adam` with ``amsgrad=True``."""
    return adam(lr, amsgrad=True, **kwargs)


# ----------------------------------------------------------------------------- AdaMax


class AdaMaxState(NamedTuple):
    exp_avg: Array  # (B, D): m_t
    exp_inf: Array  # (B, D): u_t, the exponentially weighted infinity norm


def adamax(lr: float = 2e-3, *, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
           weight_decay: float = 0.0) -> Optimizer:
    r"""AdaMax (Kingma and Ba 2015, Section 7.1), as torch.optim.Adamax.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad
        x_{t+1} = x_t - \frac{\eta}{1 - \beta_1^t}\,\frac{m_t}{u_t}

    Effective learning rate: :math:`\eta / (1 - \beta_1^t) / u_t`.

    .. note:: torch adds eps to :math:`|g_t|` inside the max; the paper has no eps.

    Args:
        lr: :math:`\eta`.
        betas: :math:`(\beta_1, \beta_2)`, the decays of :math:`m` and of the infinity norm :math:`u`.
        eps: :math:`\epsilon`, inside the max (torch).
        weight_decay: :math:`\lambda`, coupled L2.

    References:
        Kingma and Ba, ICLR 2015, Section 7.1, https://arxiv.org/abs/1412.6980
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    beta1 = as_hyper("beta1", betas[0], 0.0, 1.0, high_open=True)
    beta2 = as_hyper("beta2", betas[1], 0.0, 1.0, high_open=True)
    eps = as_hyper("eps", eps, 0.0, np.inf)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    guard = _guard(eps)

    hypers = widened(lr, beta1, beta2, eps, weight_decay)

    def init(x0: Array) -> AdaMaxState:
        zeros = np.zeros_like(x0)
        return AdaMaxState(zeros, zeros)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, beta1, beta2, eps, weight_decay = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        m = update_moment(state.exp_avg, g, beta1)
        u = np.maximum(beta2 * state.exp_inf, np.abs(g) + eps)
        lr_eff = lr * lr_scale / debias(beta1, t) / (_nonzero(u) if guard else u)
        return Update(-lr_eff * m, AdaMaxState(m, u), lr_eff)

    return Optimizer("adamax", init, update)


# How the registry's entries built on adamax() display their rule (LaTeX), beside the rule itself.
ADAMAX_LATEX = {
    "adamax": (r"u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),\quad"
        r" x_{t+1} = x_t - \frac{\eta}{1-\beta_1^t}\, \frac{m_t}{u_t}"),
}


# ----------------------------------------------------------------------------- AdaBound, AMSBound


def adabound(lr: float = 1e-3, *, betas: tuple[float, float] = (0.9, 0.999), final_lr: float = 0.1,
             gamma: float = 1e-3, eps: float = 1e-8, weight_decay: float = 0.0,
             amsbound: bool = False, bias_correction: bool = True) -> Optimizer:
    r"""AdaBound and AMSBound (Luo, Xiong, Liu, Sun, ICLR 2019), as the authors' reference code.

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2\\
        \eta_t = \mathrm{clip}\Big(\frac{\eta \sqrt{1 - \beta_2^t} / (1 - \beta_1^t)}
                 {\sqrt{v_t} + \epsilon},\ \eta_l(t),\ \eta_u(t)\Big),\quad
        x_{t+1} = x_t - \eta_t\, m_t\\
        \eta_l(t) = \eta^\ast\Big(1 - \frac{1}{\gamma t + 1}\Big),\quad
        \eta_u(t) = \eta^\ast\Big(1 + \frac{1}{\gamma t}\Big)

    AMSBound uses :math:`\max(\hat v_{t-1}, v_t)` in place of :math:`v_t`. :math:`\eta^\ast` is
    ``final_lr`` times the schedule's factor :math:`\eta_t / \eta_0`, so the bounds follow a
    schedule. At :math:`t = 1/\gamma` the band is :math:`[\eta^\ast/2, 2\eta^\ast]`.

    Effective learning rate: the clipped :math:`\eta_t` (``lr_eff``) and the unclipped one
    (``lr_eff_raw``).

    .. note:: eps is added to :math:`\sqrt{v_t}` before the :math:`\sqrt{1 - \beta_2^t}` factor
       (the reference code), unlike torch's Adam, so with inactive bounds AdaBound is close to but
       not identical with Adam. The paper's experiments write the bounds with
       :math:`\gamma = 1 - \beta_2`.

    Args:
        lr: :math:`\eta`, the Adam-like start.
        betas: :math:`(\beta_1, \beta_2)`.
        final_lr: :math:`\eta^\ast`, the SGD rate both bounds converge to.
        gamma: :math:`\gamma`, how fast the bounds close.
        eps: :math:`\epsilon`, added to :math:`\sqrt{v_t}`.
        weight_decay: :math:`\lambda`, coupled L2.
        amsbound: use :math:`\max(\hat v_{t-1}, v_t)` (AMSBound).
        bias_correction: the :math:`\sqrt{1 - \beta_2^t} / (1 - \beta_1^t)` factor (off: the
            paper-theory form).

    References:
        Luo, Xiong, Liu, Sun, ICLR 2019, https://arxiv.org/abs/1902.09843; the authors' reference
        code, https://github.com/Luolc/AdaBound
    """
    lr = as_hyper("lr", lr, 0.0, np.inf)
    beta1 = as_hyper("beta1", betas[0], 0.0, 1.0, high_open=True)
    beta2 = as_hyper("beta2", betas[1], 0.0, 1.0, high_open=True)
    final_lr = as_hyper("final_lr", final_lr, 0.0, np.inf)
    gamma = as_hyper("gamma", gamma, 0.0, 1.0, high_open=True)
    eps = as_hyper("eps", eps, 0.0, np.inf)
    weight_decay = as_hyper("weight_decay", weight_decay, 0.0, np.inf)
    amsbound = as_flag("amsbound", amsbound)
    bias_correction_on = as_flag("bias_correction", bias_correction)
    guard = _guard(eps)

    hypers = widened(lr, beta1, beta2, final_lr, gamma, eps, weight_decay)

    def init(x0: Array) -> AdamState:
        zeros = np.zeros_like(x0)
        return AdamState(zeros, zeros, zeros if amsbound else None)

    def update(grad, state, t, *, params=None, lr_scale=1.0) -> Update:
        lr, beta1, beta2, final_lr, gamma, eps, weight_decay = hypers(grad)
        g = add_weight_decay(grad, params, weight_decay)
        m = update_moment(state.exp_avg, g, beta1)
        v = update_moment_sq(state.exp_avg_sq, g, beta2)
        v_max = np.maximum(state.max_exp_avg_sq, v) if amsbound else None
        denom = np.sqrt(v_max if amsbound else v) + eps
        step_size = lr * lr_scale
        if bias_correction_on:
            step_size = step_size * np.sqrt(debias(beta2, t)) / debias(beta1, t)
        raw = step_size / (_nonzero(denom) if guard else denom)
        final_lr_t = final_lr * lr_scale
        low = lower_bound(final_lr_t, gamma, t)
        high = upper_bound(final_lr_t, gamma, t)
        lr_eff = np.minimum(np.maximum(raw, low), high)  # np.clip is ~3x slower
        return Update(-lr_eff * m, AdamState(m, v, v_max), lr_eff, raw, low, high)

    return Optimizer("amsbound" if amsbound else "adabound", init, update, bounded=True)


# How the registry's entries built on adabound() display their rule (LaTeX), beside the rule itself.
ADABOUND_LATEX = {
    "adabound": (r"\eta_t = \mathrm{clip}\Big(\frac{\eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)}{\sqrt{v_t}+\epsilon},"
        r"\ \eta^*\big(1 - \tfrac{1}{\gamma t + 1}\big),\ \eta^*\big(1 + \tfrac{1}{\gamma t}\big)\Big),"
        r"\quad x_{t+1} = x_t - \eta_t\, m_t"),
    "amsbound": (r"\hat v_t = \max(\hat v_{t-1}, v_t),\quad \text{then AdaBound with } \hat v_t"),
}


def amsbound(lr: float = 1e-3, **kwargs) -> Optimizer:
    """AMSBound: :func:`adabound` with ``amsbound=True``."""
    return adabound(lr, amsbound=True, **kwargs)
