"""The core against its oracles: torch.optim in float64 (and the AdaBound torch class), step for
step, on Rosenbrock and on gradient sequences spanning six orders of magnitude."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import optim_core as oc
from optim_core.torch_adabound import AdaBound

STEPS = 300
RTOL = 1e-10


class Rosenbrock:
    def loss(self, x, t):
        return (1 - x[:, 0]) ** 2 + 100 * (x[:, 1] - x[:, 0] ** 2) ** 2

    def gradient(self, x, t):
        a, b = x[:, 0], x[:, 1]
        r = b - a * a
        return np.stack([-2 * (1 - a) - 400 * a * r, 200 * r], axis=1)


class GradientSequence:
    """Gradients fixed in advance (independent of x): loss is the linear model g_t . x."""

    def __init__(self, grads):
        self.grads = grads  # (T, B, D)

    def loss(self, x, t):
        return np.einsum("bd,bd->b", self.grads[min(t, len(self.grads)) - 1], x)

    def gradient(self, x, t):
        return self.grads[t - 1]


def random_gradients(seed=0, steps=STEPS, batch=3, dim=4):
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-3, 3, size=(steps, batch, dim))  # six decades
    return rng.standard_normal((steps, batch, dim)) * scale


def torch_positions(make_torch_opt, problem, x0, steps, scheduler=None):
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    optimizer = make_torch_opt([p])
    sched = scheduler(optimizer) if scheduler else None
    out = [p.detach().numpy().copy()]
    for t in range(1, steps + 1):
        p.grad = torch.from_numpy(np.ascontiguousarray(problem.gradient(p.detach().numpy(), t)))
        optimizer.step()
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.stack(out)


def assert_close(core, ref):
    scale = np.abs(ref).max()
    np.testing.assert_allclose(core, ref, rtol=RTOL, atol=RTOL * scale)


# (core optimizer, torch constructor, a learning rate that moves sensibly on Rosenbrock)
CASES = {
    "sgd": (lambda lr: oc.sgd(lr), lambda lr: lambda p: torch.optim.SGD(p, lr=lr), 1e-4),
    "sgd_wd": (lambda lr: oc.sgd(lr, weight_decay=0.1),
               lambda lr: lambda p: torch.optim.SGD(p, lr=lr, weight_decay=0.1), 1e-4),
    "momentum": (lambda lr: oc.sgd(lr, momentum=0.9),
                 lambda lr: lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9), 1e-4),
    "momentum_dampening": (lambda lr: oc.sgd(lr, momentum=0.8, dampening=0.5),
                           lambda lr: lambda p: torch.optim.SGD(p, lr=lr, momentum=0.8, dampening=0.5),
                           1e-4),
    "nesterov": (lambda lr: oc.sgd(lr, momentum=0.9, nesterov=True, weight_decay=0.01),
                 lambda lr: lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True,
                                                      weight_decay=0.01), 1e-4),
    "adagrad": (lambda lr: oc.adagrad(lr), lambda lr: lambda p: torch.optim.Adagrad(p, lr=lr), 0.1),
    "adagrad_flags": (lambda lr: oc.adagrad(lr, lr_decay=0.01, initial_accumulator_value=0.5,
                                            eps=1e-6, weight_decay=0.05),
                      lambda lr: lambda p: torch.optim.Adagrad(p, lr=lr, lr_decay=0.01,
                                                               initial_accumulator_value=0.5,
                                                               eps=1e-6, weight_decay=0.05), 0.1),
    "rmsprop": (lambda lr: oc.rmsprop(lr), lambda lr: lambda p: torch.optim.RMSprop(p, lr=lr), 1e-3),
    # Centered RMSProp computes v - gbar^2, which cancels catastrophically when the gradient barely
    # changes within the window (short windows, alpha 0.9): torch's fused multiply-add and numpy's
    # two roundings then drift apart by 1e-5 within 300 steps. The default alpha is well conditioned.
    "rmsprop_centered": (lambda lr: oc.rmsprop(lr, centered=True),
                         lambda lr: lambda p: torch.optim.RMSprop(p, lr=lr, centered=True), 1e-3),
    "rmsprop_alpha": (lambda lr: oc.rmsprop(lr, alpha=0.9, eps=1e-4),
                      lambda lr: lambda p: torch.optim.RMSprop(p, lr=lr, alpha=0.9, eps=1e-4), 1e-3),
    "rmsprop_momentum": (lambda lr: oc.rmsprop(lr, momentum=0.5, weight_decay=0.01),
                         lambda lr: lambda p: torch.optim.RMSprop(p, lr=lr, momentum=0.5,
                                                                  weight_decay=0.01), 1e-4),
    "rmsprop_centered_momentum": (lambda lr: oc.rmsprop(lr, centered=True, momentum=0.5, eps=1e-6),
                                  lambda lr: lambda p: torch.optim.RMSprop(
                                      p, lr=lr, centered=True, momentum=0.5, eps=1e-6), 1e-4),
    "adam": (lambda lr: oc.adam(lr), lambda lr: lambda p: torch.optim.Adam(p, lr=lr), 1e-2),
    "adam_flags": (lambda lr: oc.adam(lr, betas=(0.5, 0.9), eps=1e-4, weight_decay=0.1),
                   lambda lr: lambda p: torch.optim.Adam(p, lr=lr, betas=(0.5, 0.9), eps=1e-4,
                                                         weight_decay=0.1), 1e-2),
    "amsgrad": (lambda lr: oc.amsgrad(lr), lambda lr: lambda p: torch.optim.Adam(p, lr=lr, amsgrad=True),
                1e-2),
    "amsgrad_wd": (lambda lr: oc.amsgrad(lr, betas=(0.8, 0.99), weight_decay=0.1),
                   lambda lr: lambda p: torch.optim.Adam(p, lr=lr, betas=(0.8, 0.99), amsgrad=True,
                                                         weight_decay=0.1), 1e-2),
    "adamax": (lambda lr: oc.adamax(lr), lambda lr: lambda p: torch.optim.Adamax(p, lr=lr), 1e-2),
    "adamax_flags": (lambda lr: oc.adamax(lr, betas=(0.7, 0.99), eps=1e-3, weight_decay=0.1),
                     lambda lr: lambda p: torch.optim.Adamax(p, lr=lr, betas=(0.7, 0.99), eps=1e-3,
                                                             weight_decay=0.1), 1e-2),
    "adabound": (lambda lr: oc.adabound(lr, final_lr=0.01, gamma=1e-2),
                 lambda lr: lambda p: AdaBound(p, lr=lr, final_lr=0.01, gamma=1e-2), 1e-2),
    "amsbound": (lambda lr: oc.amsbound(lr, betas=(0.8, 0.99), final_lr=1e-3, gamma=0.05,
                                        weight_decay=0.01),
                 lambda lr: lambda p: AdaBound(p, lr=lr, betas=(0.8, 0.99), final_lr=1e-3, gamma=0.05,
                                               weight_decay=0.01, amsbound=True), 1e-2),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rosenbrock_parity(case):
    make_core, make_torch, lr = CASES[case]
    x0 = np.array([[-1.5, 2.0], [0.0, 0.5], [1.2, 1.0]])
    trace = oc.run(make_core(lr), Rosenbrock(), x0, STEPS)
    ref = torch_positions(make_torch(lr), Rosenbrock(), x0, STEPS)
    assert not trace.diverged.any()
    assert np.abs(ref[-1] - ref[0]).max() > 1e-3  # the runs really move
    assert_close(trace.positions, ref)


@pytest.mark.parametrize("case", sorted(CASES))
def test_random_gradient_parity(case):
    make_core, make_torch, _ = CASES[case]
    problem = GradientSequence(random_gradients(seed=len(case)))
    x0 = np.random.default_rng(1).standard_normal((3, 4))
    lr = 1e-3
    trace = oc.run(make_core(lr), problem, x0, STEPS, box=1e300)
    ref = torch_positions(make_torch(lr), problem, x0, STEPS)
    assert_close(trace.positions, ref)


SCHEDULES = [
    (oc.Schedule("step", step_size=40, decay=0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 40, 0.5)),
    (oc.Schedule("exponential", decay=0.99), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.99)),
    (oc.Schedule("cosine", period=120, min_factor=0.1),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 120, eta_min=0.1 * o.param_groups[0]["lr"])),
    (oc.Schedule("inverse_sqrt"), lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: (k + 1) ** -0.5)),
    (oc.Schedule("warmup", warmup_steps=50),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda k: min(1.0, (k + 1) / 50))),
]


@pytest.mark.parametrize("schedule,torch_sched", SCHEDULES, ids=[s.kind for s, _ in SCHEDULES])
@pytest.mark.parametrize("case", ["momentum", "adam", "adabound", "amsbound"])
def test_schedule_parity(case, schedule, torch_sched):
    """The schedule against torch's lr_scheduler; for AdaBound the bounds follow lr_t / lr_0."""
    make_core, make_torch, lr = CASES[case]
    x0 = np.array([[-1.5, 2.0], [0.3, -0.2]])
    trace = oc.run(make_core(lr), Rosenbrock(), x0, 250, schedule=schedule)
    ref = torch_positions(make_torch(lr), Rosenbrock(), x0, 250, scheduler=torch_sched)
    # torch's chainable cosine form differs from the closed form by rounding only
    np.testing.assert_allclose(trace.positions, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_adabound_bounds_follow_the_schedule():
    trace = oc.run(oc.adabound(1e-2, final_lr=0.1, gamma=1e-2), Rosenbrock(), np.array([[0.0, 0.0]]),
                   300, schedule=oc.Schedule("step", step_size=100, decay=0.1))
    t = np.arange(1, 301)
    scale = 0.1 ** ((t - 1) // 100)
    np.testing.assert_allclose(trace.lower_bound[:, 0], 0.1 * scale * (1 - 1 / (0.01 * t + 1)), rtol=1e-14)
    np.testing.assert_allclose(trace.upper_bound[:, 0], 0.1 * scale * (1 + 1 / (0.01 * t)), rtol=1e-14)


# ----------------------------------------------------------------------------- coverage of the registry

# registry entries whose reference is not torch.optim, and the test that holds them to it instead
ORACLES_ELSEWHERE = {"adam_nobc": "test_optim_core.py::test_adam_without_bias_correction_by_hand"}


def test_the_parity_cases_cover_every_registered_optimizer():
    covered = {case.split("_")[0] if case.split("_")[0] in oc.OPTIMIZERS else case for case in CASES}
    missing = set(oc.OPTIMIZERS) - covered - set(ORACLES_ELSEWHERE)
    assert not missing, f"registered optimizers without a parity case: {sorted(missing)}"


# an entry that is defined by a value its factory leaves off (momentum is SGD with momentum 0.9)
DEFINING = {("momentum", "momentum"), ("nesterov", "momentum")}


def test_registry_defaults_are_the_factory_signatures():
    """A default is written once, in the factory's signature; the registry must agree with it."""
    import inspect

    for key, spec in oc.OPTIMIZERS.items():
        signature = inspect.signature(spec.factory).parameters
        for p in spec.params:
            if p.key in ("beta1", "beta2"):
                default = signature["betas"].default[0 if p.key == "beta1" else 1]
            else:
                default = signature[p.key].default
            if (key, p.key) in DEFINING:
                continue
            assert p.default == default, (key, p.key, p.default, default)
        for name, value in spec.fixed.items():
            assert name in signature, (key, name)


def test_adabound_against_the_authors_clamp_rederived_here():
    """An oracle independent of optim_core.torch_adabound: the reference code's update written
    out in plain Python floats (step size, eps on sqrt(v), the two bounds, clamp, then m)."""
    rng = np.random.default_rng(3)
    grads = rng.standard_normal(400) * 10.0 ** rng.uniform(-3, 2, 400)
    lr, final_lr, gamma, b1, b2, eps = 0.01, 0.05, 0.02, 0.9, 0.999, 1e-8
    for amsbound in (False, True):
        x, m, v, v_max, expected = 0.7, 0.0, 0.0, 0.0, []
        for t, g in enumerate(grads, start=1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            v_max = max(v_max, v)
            step_size = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
            lower = final_lr * (1 - 1 / (gamma * t + 1))
            upper = final_lr * (1 + 1 / (gamma * t))
            rate = min(max(step_size / (math.sqrt(v_max if amsbound else v) + eps), lower), upper)
            x = x - rate * m
            expected.append(x)
        opt = oc.adabound(lr, final_lr=final_lr, gamma=gamma, amsbound=amsbound)
        state, got = opt.init(np.array([[0.7]])), []
        xs = np.array([[0.7]])
        for t, g in enumerate(grads, start=1):
            upd = opt.update(np.array([[g]]), state, t)
            state, xs = upd.state, xs + upd.delta
            got.append(xs[0, 0])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
