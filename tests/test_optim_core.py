"""Hand-derived steps, equivalences, bounds, validation, divergence, batching, the torch class."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import optim_core as oc
from optim_core.torch_adabound import AdaBound, AMSBound
from tests.test_optim_parity import GradientSequence, Rosenbrock, random_gradients


class Sphere:
    def loss(self, x, t):
        return (x * x).sum(axis=1)

    def gradient(self, x, t):
        return 2 * x


# ----------------------------------------------------------------------------- hand-derived steps


def test_adabound_first_two_steps_by_hand():
    """Step 1: one coordinate inside the band, one clipped at the lower bound; step 2 by hand."""
    lr, final_lr, gamma, b1, b2 = 1e-3, 0.1, 1e-3, 0.9, 0.999
    g1 = np.array([[1e-4, 1e4]])
    g2 = np.array([[3e-4, -2e4]])
    problem = GradientSequence(np.stack([g1, g2]))
    trace = oc.run(oc.adabound(lr, final_lr=final_lr, gamma=gamma, eps=0.0), problem,
                   np.zeros((1, 2)), 2, box=1e300)

    lower1 = final_lr * (1 - 1 / (gamma * 1 + 1))  # 9.99000999e-5
    upper1 = final_lr * (1 + 1 / gamma)  # 100.1
    # raw rate = lr sqrt(1 - b2) / (1 - b1) / sqrt((1 - b2) g^2) = lr / ((1 - b1) |g|)
    raw1 = [lr / (0.1 * 1e-4), lr / (0.1 * 1e4)]  # [100, 1e-6]
    assert raw1[0] < upper1 and raw1[1] < lower1
    x1 = [-raw1[0] * 0.1 * 1e-4, -lower1 * 0.1 * 1e4]  # [-1e-3, -0.0999000999...]
    np.testing.assert_allclose(trace.positions[1, 0], x1, rtol=1e-14)
    np.testing.assert_allclose(trace.lr_eff[0, 0], [raw1[0], lower1], rtol=1e-14)
    np.testing.assert_allclose(trace.lr_eff_raw[0, 0], raw1, rtol=1e-14)

    x2 = []
    for k in range(2):
        m = b1 * (1 - b1) * g1[0, k] + (1 - b1) * g2[0, k]
        v = b2 * (1 - b2) * g1[0, k] ** 2 + (1 - b2) * g2[0, k] ** 2
        raw = lr * math.sqrt(1 - b2**2) / (1 - b1**2) / math.sqrt(v)
        rate = min(max(raw, final_lr * (1 - 1 / (2 * gamma + 1))), final_lr * (1 + 1 / (2 * gamma)))
        x2.append(x1[k] - rate * m)
    np.testing.assert_allclose(trace.positions[2, 0], x2, rtol=1e-13)


def test_adam_without_bias_correction_by_hand():
    g = random_gradients(seed=3, steps=5, batch=1, dim=2)
    trace = oc.run(oc.adam(0.01, bias_correction=False), GradientSequence(g), np.zeros((1, 2)), 5,
                   box=1e300)
    x = np.zeros(2)
    m = np.zeros(2)
    v = np.zeros(2)
    for t in range(5):
        m = 0.9 * m + 0.1 * g[t, 0]
        v = 0.999 * v + 0.001 * g[t, 0] ** 2
        x = x - 0.01 * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(trace.positions[-1, 0], x, rtol=1e-13)
    # the first step without bias correction is lr (1 - b1) / sqrt(1 - b2) = 3.16 lr in each
    # coordinate (up to eps against the smallest gradients), where Adam's is lr
    np.testing.assert_allclose(np.abs(trace.positions[1, 0]), 0.01 * 0.1 / math.sqrt(0.001), rtol=1e-3)


def test_paper_theory_mode_by_hand():
    """alpha / sqrt(t), no bias correction, no eps (Reddi et al. 2018; AdaBound Section 3)."""
    g = random_gradients(seed=4, steps=6, batch=1, dim=1)
    opt, schedule = oc.build_paper_theory("adam", {"lr": 0.5, "beta1": 0.0, "beta2": 0.04})
    trace = oc.run(opt, GradientSequence(g), np.zeros((1, 1)), 6, schedule=schedule, box=1e300)
    x, v = 0.0, 0.0
    for t in range(1, 7):
        gt = g[t - 1, 0, 0]
        v = 0.04 * v + 0.96 * gt * gt
        x -= 0.5 / math.sqrt(t) * gt / math.sqrt(v)
    assert trace.positions[-1, 0, 0] == pytest.approx(x, rel=1e-13)


def test_eps_zero_with_zero_gradient_stays_finite():
    """Before the first non-zero gradient the denominator is 0: the step is 0, nothing NaN."""
    g = np.zeros((4, 1, 1))
    g[2] = 1.0
    for key in ("adam", "amsgrad", "adabound", "amsbound", "adagrad", "rmsprop", "adamax"):
        opt, schedule = oc.build_paper_theory(key)
        trace = oc.run(opt, GradientSequence(g), np.ones((1, 1)), 4, schedule=schedule)
        assert np.all(np.isfinite(trace.lr_eff)), key
        assert trace.positions[2, 0, 0] == 1.0 and trace.positions[3, 0, 0] < 1.0, key


# ----------------------------------------------------------------------------- equivalences


def test_rmsprop_is_adam_with_b1_zero_and_no_bias_correction():
    g = GradientSequence(random_gradients(seed=5))
    x0 = np.zeros((3, 4))
    a = oc.run(oc.rmsprop(1e-3, alpha=0.95, eps=1e-6), g, x0, 300, box=1e300)
    b = oc.run(oc.adam(1e-3, betas=(0.0, 0.95), eps=1e-6, bias_correction=False), g, x0, 300, box=1e300)
    np.testing.assert_allclose(a.positions, b.positions, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.lr_eff, b.lr_eff, rtol=1e-12)


def test_amsbound_with_open_bounds_is_amsgrad_up_to_eps_placement():
    """gamma = 0 makes the band [0, inf): the clip never acts. With eps = 0 the two eps placements
    coincide and AMSBound is AMSGrad; with eps > 0 they differ, but only slightly."""
    g = GradientSequence(random_gradients(seed=6))
    x0 = np.zeros((3, 4))
    ams_bound = oc.run(oc.amsbound(1e-3, gamma=0.0, eps=0.0), g, x0, 300, box=1e300)
    ams_grad = oc.run(oc.amsgrad(1e-3, eps=0.0), g, x0, 300, box=1e300)
    np.testing.assert_allclose(ams_bound.positions, ams_grad.positions, rtol=1e-12, atol=1e-15)
    assert np.all(ams_bound.lower_bound == 0) and np.all(np.isinf(ams_bound.upper_bound))

    with_eps = oc.run(oc.amsbound(1e-3, gamma=0.0), g, x0, 300, box=1e300)
    ref = oc.run(oc.amsgrad(1e-3), g, x0, 300, box=1e300)
    gap = np.abs(with_eps.positions - ref.positions).max() / np.abs(ref.positions).max()
    assert 1e-9 < gap < 1e-4


def test_band_at_t_equal_one_over_gamma():
    for final_lr, gamma in [(0.1, 1e-3), (0.01, 0.01), (3.0, 0.25)]:
        steps = int(round(1 / gamma))
        trace = oc.run(oc.adabound(1e-3, final_lr=final_lr, gamma=gamma), Sphere(),
                       np.array([[1.0, 1.0]]), steps)
        assert trace.lower_bound[-1, 0] == pytest.approx(final_lr / 2, rel=1e-12)
        assert trace.upper_bound[-1, 0] == pytest.approx(2 * final_lr, rel=1e-12)
        assert oc.lower_bound(final_lr, gamma, steps) == pytest.approx(final_lr / 2, rel=1e-12)


def test_adabound_ends_as_sgd_with_momentum_at_final_lr():
    """Once the band has closed, AdaBound's rate is final_lr: the clipped rate converges to it."""
    trace = oc.run(oc.adabound(1e-3, final_lr=0.05, gamma=0.05), Sphere(), np.array([[1.0, -2.0]]), 2000)
    assert np.allclose(trace.lr_eff[-1], 0.05, rtol=0.02)
    assert np.all(trace.lr_eff <= trace.upper_bound[..., None] * (1 + 1e-15))
    assert np.all(trace.lr_eff >= trace.lower_bound[..., None] * (1 - 1e-15))


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("factory,kwargs,name", [
    (oc.sgd, dict(lr=-1.0), "lr"),
    (oc.sgd, dict(lr=1.0, momentum=1.0), "momentum"),
    (oc.sgd, dict(lr=1.0, momentum=0.9, dampening=1.5), "dampening"),
    (oc.sgd, dict(lr=1.0, nesterov=True), "nesterov"),
    (oc.sgd, dict(lr=1.0, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (oc.sgd, dict(lr=float("nan")), "lr"),
    (oc.sgd, dict(lr=np.array([[0.1], [-0.1]])), "lr"),
    (oc.sgd, dict(lr=np.ones(3)), "lr"),
    (oc.adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (oc.adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (oc.rmsprop, dict(alpha=1.5), "alpha"),
    (oc.rmsprop, dict(centered=1), "centered"),
    (oc.adam, dict(betas=(1.0, 0.999)), "beta1"),
    (oc.adam, dict(betas=(0.9, -0.1)), "beta2"),
    (oc.adam, dict(eps=-1e-8), "eps"),
    (oc.adam, dict(weight_decay=-1.0), "weight_decay"),
    (oc.adamax, dict(betas=(0.9, 1.0)), "beta2"),
    (oc.adabound, dict(final_lr=-0.1), "final_lr"),
    (oc.adabound, dict(gamma=1.0), "gamma"),
    (oc.adabound, dict(gamma=np.array([[0.1], [2.0]])), "gamma"),
    (oc.amsbound, dict(lr=float("inf")), "lr"),
])
def test_validation_names_the_parameter_and_range(factory, kwargs, name):
    with pytest.raises(ValueError, match=rf"Invalid {name}\b"):
        factory(**kwargs)


def test_validation_message_gives_the_range():
    with pytest.raises(ValueError, match=r"Invalid gamma: 2; allowed range \[0, 1\)"):
        oc.adabound(gamma=2.0)


@pytest.mark.parametrize("kwargs", [dict(steps=0), dict(steps=oc.MAX_STEPS + 1), dict(record_every=0)])
def test_driver_validation(kwargs):
    args = dict(steps=10) | kwargs
    with pytest.raises(ValueError):
        oc.run(oc.sgd(0.1), Sphere(), np.ones((1, 2)), **args)


def test_registry_builds_every_optimizer_with_defaults():
    for key, spec in oc.OPTIMIZERS.items():
        optimizer = spec.build()
        assert optimizer.bounded == spec.bounded, key
        for p in spec.params:
            assert p.is_flag or p.low <= p.default <= p.high, (key, p.key)
    with pytest.raises(ValueError, match="no hyperparameter"):
        oc.OPTIMIZERS["adam"].build(final_lr=0.1)


# ----------------------------------------------------------------------------- divergence


def test_divergence_is_frozen_at_the_last_finite_point():
    """SGD at lr 5 on x^2 + y^2 multiplies x by -9 each step: it leaves the 1e8 box at a known step."""
    x0 = np.array([[1.0, 0.5], [0.01, 0.0]])
    lr = np.array([[5.0], [0.1]])
    trace = oc.run(oc.sgd(lr), Sphere(), x0, 50)
    expected = next(t for t in range(1, 50) if 9.0**t * 1.0 > oc.DEFAULT_BOX)
    assert trace.diverged_at.tolist() == [expected, -1]
    last = x0[0] * (-9.0) ** (expected - 1)
    np.testing.assert_allclose(trace.positions[expected:, 0], np.broadcast_to(last, (51 - expected, 2)))
    for arr in (trace.positions, trace.loss, trace.grads, trace.lr_eff):
        assert np.all(np.isfinite(arr))
    np.testing.assert_allclose(trace.positions[-1, 1], [0.01 * 0.8**50, 0.0])


def test_nan_gradient_freezes_only_that_run():
    class Poisoned(Sphere):
        def gradient(self, x, t):
            g = 2 * x
            if t == 7:
                g[1] = np.nan
            return g

    trace = oc.run(oc.adabound(0.01), Poisoned(), np.ones((3, 2)), 20)
    assert trace.diverged_at.tolist() == [-1, 7, -1]
    np.testing.assert_array_equal(trace.positions[6:, 1], np.broadcast_to(trace.positions[6, 1], (15, 2)))
    for arr in (trace.positions, trace.loss, trace.grads, trace.lr_eff, trace.lr_eff_raw):
        assert np.all(np.isfinite(arr))
    np.testing.assert_allclose(trace.positions[:, 0], trace.positions[:, 2])


def test_non_finite_loss_at_a_finite_point_is_a_divergence():
    class Cliff(Sphere):
        """Finite gradients everywhere, but the loss overflows beyond x = 3."""

        def loss(self, x, t):
            return np.where(x[:, 0] > 3.0, np.inf, (x * x).sum(axis=1))

        def gradient(self, x, t):
            return -np.ones_like(x)  # walks towards +x at lr per step

    trace = oc.run(oc.sgd(1.0), Cliff(), np.array([[0.5, 0.0], [-10.0, 0.0]]), 10)
    assert trace.diverged_at.tolist() == [3, -1]  # x = 1.5, 2.5, then 3.5 at step 3
    assert trace.positions[-1, 0].tolist() == [2.5, 2.0]
    assert np.all(np.isfinite(trace.loss)) and trace.loss[-1, 0] == 10.25


# ----------------------------------------------------------------------------- batching


def test_batched_sweep_equals_single_runs():
    final_lrs = np.array([1e-3, 1e-2, 0.1, 1.0])
    gammas = np.array([1e-3, 1e-2, 1e-1, 0.3])
    x0 = np.array([[-1.5, 2.0], [0.0, 0.0], [1.5, 1.5], [-0.5, 0.5]])
    batched = oc.run(oc.adabound(1e-2, final_lr=final_lrs[:, None], gamma=gammas[:, None]),
                     Rosenbrock(), x0, 300)
    for b in range(4):
        single = oc.run(oc.adabound(1e-2, final_lr=final_lrs[b], gamma=gammas[b]), Rosenbrock(),
                        x0[b:b + 1], 300)
        for field in ("positions", "loss", "lr_eff", "lr_eff_raw", "lower_bound", "upper_bound"):
            np.testing.assert_allclose(getattr(batched, field)[:, b], getattr(single, field)[:, 0],
                                       rtol=1e-13, err_msg=field)


def test_stack_equals_separate_runs():
    x0 = np.array([[-1.5, 2.0], [0.5, 0.5], [1.5, 1.5], [-0.5, 0.5], [0.2, 0.1]])
    parts = [(oc.sgd(1e-4, momentum=0.9), 2), (oc.adam(1e-2), 1), (oc.adabound(1e-2, final_lr=0.01), 2)]
    stacked = oc.run(oc.stack(parts), Rosenbrock(), x0, 200)
    rows = [slice(0, 2), slice(2, 3), slice(3, 5)]
    for (opt, _), s in zip(parts, rows):
        alone = oc.run(opt, Rosenbrock(), x0[s], 200)
        np.testing.assert_array_equal(stacked.positions[:, s], alone.positions)
        np.testing.assert_array_equal(stacked.lr_eff[:, s], alone.lr_eff)
    assert np.all(stacked.lower_bound[:, :3] == 0) and np.all(np.isinf(stacked.upper_bound[:, :3]))
    np.testing.assert_array_equal(stacked.lr_eff_raw[:, :3], stacked.lr_eff[:, :3])


def test_record_every_keeps_the_same_numbers():
    full = oc.run(oc.adam(1e-2), Rosenbrock(), np.array([[-1.5, 2.0]]), 100)
    sparse = oc.run(oc.adam(1e-2), Rosenbrock(), np.array([[-1.5, 2.0]]), 100, record_every=30)
    assert sparse.steps.tolist() == [30, 60, 90, 100]
    np.testing.assert_array_equal(sparse.positions[1:], full.positions[sparse.steps])
    np.testing.assert_array_equal(sparse.lr_eff, full.lr_eff[sparse.steps - 1])


# ----------------------------------------------------------------------------- resuming


@pytest.mark.parametrize("key", sorted(oc.OPTIMIZERS))
def test_a_resumed_run_is_the_single_run(key):
    """Stopping on the record grid and going on gives the one-go run bit for bit, with a schedule,
    per-run noise and a run that diverges after the stop (SGD at lr 5 on the sphere from 1e-20:
    x grows by 9 a step and leaves the 1e8 box at step 30)."""
    stacked = oc.stack([(oc.OPTIMIZERS[key].build(), 3), (oc.sgd(5.0), 1)])
    x0 = np.array([[-1.5, 2.0], [0.5, 0.5], [1.0, -1.0], [1e-20, 0.0]])
    kwargs = dict(schedule=oc.Schedule("step", step_size=40, decay=0.5), noise_std=np.array([0.1, 0.1, 0.1, 0.0]),
                  noise_seed=[1, 2, 3, 4], record_every=20)
    whole = oc.run(stacked, Sphere(), x0, 130, **kwargs)
    first = oc.run(stacked, Sphere(), x0, 20, **kwargs)
    assert first.carry.t == 20 and np.all(first.carry.diverged_at < 0)
    rest = oc.run(stacked, Sphere(), None, 110, resume=first.carry, **kwargs)
    assert whole.diverged_at.tolist() == [-1, -1, -1, 30]
    assert rest.steps.tolist() == [40, 60, 80, 100, 120, 130]
    np.testing.assert_array_equal(whole.steps, np.r_[first.steps, rest.steps])
    np.testing.assert_array_equal(whole.diverged_at, rest.diverged_at)
    for field in ("positions", "loss"):
        np.testing.assert_array_equal(getattr(whole, field)[2:], getattr(rest, field)[1:], err_msg=field)
    for field in ("grads", "lr_eff", "lr_eff_raw", "lower_bound", "upper_bound", "lr_scale"):
        if getattr(whole, field) is not None:
            np.testing.assert_array_equal(getattr(whole, field)[1:], getattr(rest, field), err_msg=field)
    for field in ("x", "loss", "diverged_at"):
        np.testing.assert_array_equal(getattr(whole.carry, field), getattr(rest.carry, field), err_msg=field)


def test_a_carry_can_be_resumed_twice():
    first = oc.run(oc.adabound(1e-2), Rosenbrock(), np.array([[-1.5, 2.0]]), 50, record_every=50)
    kept = first.carry.x.copy(), first.carry.state.exp_avg.copy()
    a = oc.run(oc.adabound(1e-2), Rosenbrock(), None, 50, record_every=50, resume=first.carry)
    b = oc.run(oc.adabound(1e-2), Rosenbrock(), None, 50, record_every=50, resume=first.carry)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(first.carry.x, kept[0])
    np.testing.assert_array_equal(first.carry.state.exp_avg, kept[1])


def test_resume_keeps_a_diverged_run_frozen():
    x0 = np.array([[1.0, 0.5], [0.01, 0.0]])
    lr = np.array([[5.0], [0.1]])  # the first run leaves the box at step 9
    whole = oc.run(oc.sgd(lr), Sphere(), x0, 40)
    first = oc.run(oc.sgd(lr), Sphere(), x0, 30)
    assert first.diverged_at[0] > 0 and first.diverged_at[1] == -1
    rest = oc.run(oc.sgd(lr), Sphere(), None, 10, resume=first.carry)
    np.testing.assert_array_equal(rest.diverged_at, whole.diverged_at)
    np.testing.assert_array_equal(rest.positions, whole.positions[30:])
    np.testing.assert_array_equal(rest.grads, whole.grads[30:])
    np.testing.assert_array_equal(rest.lr_eff, whole.lr_eff[30:])


def test_resume_takes_no_start_point():
    first = oc.run(oc.sgd(0.1), Sphere(), np.ones((1, 2)), 5)
    with pytest.raises(ValueError, match="either x0 or resume"):
        oc.run(oc.sgd(0.1), Sphere(), np.ones((1, 2)), 5, resume=first.carry)


def test_gradient_noise_is_seeded_and_shared_across_the_batch():
    x0 = np.zeros((3, 2))
    a = oc.run(oc.sgd(0.1), Sphere(), x0, 50, noise_std=0.5, noise_seed=7)
    b = oc.run(oc.sgd(0.1), Sphere(), x0[:1], 50, noise_std=0.5, noise_seed=7)
    c = oc.run(oc.sgd(0.1), Sphere(), x0, 50, noise_std=0.5, noise_seed=8)
    np.testing.assert_array_equal(a.positions[:, 0], b.positions[:, 0])
    np.testing.assert_array_equal(a.positions[:, 0], a.positions[:, 2])
    assert not np.allclose(a.positions, c.positions)
    per_run = oc.run(oc.sgd(0.1), Sphere(), x0, 50, noise_std=0.5, noise_seed=[1, 2, 1])
    np.testing.assert_array_equal(per_run.positions[:, 0], per_run.positions[:, 2])
    assert not np.allclose(per_run.positions[:, 0], per_run.positions[:, 1])
    # the noise really is N(0, 0.5^2): the gradient minus 2x
    noise = a.grads[:, 0] - 2 * a.positions[:-1, 0]
    assert abs(noise.std() - 0.5) < 0.1


def test_projection_is_applied_after_every_step():
    trace = oc.run(oc.sgd(1.0), GradientSequence(-np.ones((10, 1, 1))), np.zeros((1, 1)), 10,
                   project=lambda x: np.clip(x, -1.0, 2.5))
    assert trace.positions[:, 0, 0].tolist() == [0, 1, 2, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]


# ----------------------------------------------------------------------------- the torch class


def _torch_run(opt, p, grads, scheduler=None):
    for g in grads:
        p.grad = torch.from_numpy(g.copy())
        opt.step()
        if scheduler:
            scheduler.step()
    return p.detach().numpy().copy()


def test_torch_class_state_dict_keeps_the_bounds():
    """Save after a learning-rate decay, reload into a fresh optimizer made with the decayed lr:
    the bounds must still be final_lr * lr_t / lr_0, so the run continues exactly."""
    grads = random_gradients(seed=9, steps=60, batch=2, dim=3)
    p_ref = torch.zeros(2, 3, dtype=torch.float64)
    ref_opt = AdaBound([p_ref], lr=0.1, final_lr=0.05, gamma=0.05)
    ref_sched = torch.optim.lr_scheduler.StepLR(ref_opt, 20, 0.1)
    ref = _torch_run(ref_opt, p_ref, grads, ref_sched)

    p = torch.zeros(2, 3, dtype=torch.float64)
    opt = AdaBound([p], lr=0.1, final_lr=0.05, gamma=0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, 20, 0.1)
    _torch_run(opt, p, grads[:30], sched)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    p2 = p.detach().clone()
    opt2 = AdaBound([p2], lr=0.01, final_lr=0.05, gamma=0.05)  # made with the decayed rate
    opt2.load_state_dict(saved_opt)
    sched2 = torch.optim.lr_scheduler.StepLR(opt2, 20, 0.1)
    sched2.load_state_dict(saved_sched)
    resumed = _torch_run(opt2, p2, grads[30:], sched2)
    np.testing.assert_allclose(resumed, ref, rtol=1e-13)

    core = oc.run(oc.adabound(0.1, final_lr=0.05, gamma=0.05), GradientSequence(grads), np.zeros((2, 3)),
                  60, schedule=oc.Schedule("step", step_size=20, decay=0.1), box=1e300)
    np.testing.assert_allclose(core.positions[-1], ref, rtol=1e-10)


def test_torch_class_param_group_added_later():
    grads = random_gradients(seed=10, steps=40, batch=1, dim=2)
    a = torch.zeros(1, 2, dtype=torch.float64)
    b = torch.zeros(1, 2, dtype=torch.float64)
    opt = AMSBound([a], lr=0.01, final_lr=0.1, gamma=0.01)
    for g in grads[:10]:
        a.grad = torch.from_numpy(g.copy())
        opt.step()
    opt.add_param_group({"params": [b], "lr": 0.003, "final_lr": 0.02})
    for g in grads[10:]:
        a.grad = torch.from_numpy(g.copy())
        b.grad = torch.from_numpy(g.copy())
        opt.step()
    assert opt.param_groups[1]["initial_lr"] == 0.003
    core_a = oc.run(oc.amsbound(0.01, final_lr=0.1, gamma=0.01), GradientSequence(grads), np.zeros((1, 2)),
                    40, box=1e300)
    core_b = oc.run(oc.amsbound(0.003, final_lr=0.02, gamma=0.01), GradientSequence(grads[10:]),
                    np.zeros((1, 2)), 30, box=1e300)
    np.testing.assert_allclose(a.numpy(), core_a.positions[-1], rtol=1e-12)
    np.testing.assert_allclose(b.numpy(), core_b.positions[-1], rtol=1e-12)


def test_torch_class_validates():
    p = [torch.zeros(2, requires_grad=True)]
    for kwargs in (dict(lr=-1), dict(final_lr=-1), dict(gamma=1.0), dict(betas=(1.0, 0.9)), dict(eps=-1)):
        with pytest.raises(ValueError):
            AdaBound(p, **kwargs)


# ----------------------------------------------------------------------------- analysis


def test_max_stable_final_lr_is_the_edge_of_stability():
    """SGD with momentum b1 and dampening b1 on f = L x^2 / 2: stable just below the limit,
    unstable just above (AdaBound's SGD-like phase)."""
    L, b1 = 40.0, 0.9
    limit = oc.max_stable_final_lr(L, b1)
    assert limit == pytest.approx(2 * 1.9 / (0.1 * 40))

    class Quadratic:
        def loss(self, x, t):
            return 0.5 * L * (x * x).sum(axis=1)

        def gradient(self, x, t):
            return L * x

    lrs = np.array([[0.98 * limit], [1.02 * limit]])
    trace = oc.run(oc.sgd(lrs, momentum=b1, dampening=b1), Quadratic(), np.ones((2, 1)), 3000)
    assert abs(trace.final_positions[0, 0]) < 1e-3
    assert trace.diverged[1] or abs(trace.final_positions[1, 0]) > 1e3


def test_signal_to_noise_by_hand():
    g = np.array([[[1.0]], [[-1.0]], [[0.0]]])
    snr = oc.signal_to_noise(g, 0.5, 0.5)
    # t=1: m_hat = 1, v_hat = 1; t=2: m = 0.5*0.5 - 0.5 = -0.25, /0.75; v = 0.25+0.5 = 0.75, /0.75 = 1
    np.testing.assert_allclose(snr[:2, 0, 0], [1.0, 0.25 / 0.75])
    assert oc.signal_to_noise(np.zeros((3, 1, 2))).max() == 0.0
