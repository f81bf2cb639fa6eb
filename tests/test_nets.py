"""The real-network engine against plain oracles: each stacked model trains exactly (float64, to
1e-12) as its own ``nn.Module`` with its own ``torch.optim`` optimizer would, every recorded rate
is what that optimizer's state implies, and a model that blows up leaves the others alone.

The oracles here are written out plainly (data from scikit-learn, an ``nn.Sequential``, a loop
over minibatches, the rate formulas); they do not call the engine.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from nets import RunConfig, TrainSpec, train
from nets.models import layout, mean_cross_entropy, param_count, stack, stack_from_seeds
from nets.optimizers import ParamGroup
from nets.recording import HIST_EDGES, PERCENTILES, rate_stats, sampled_positions
from optim_core.torch_adabound import AdaBound, AMSBound

ROOT = Path(__file__).resolve().parent.parent
RTOL = 1e-12
F64 = torch.float64


# ----------------------------------------------------------------------------- the oracles


def digits_split():
    """The documented split: stratified, seed 0, 360 test images, pixels / 16."""
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x / 16.0, y, test_size=360, stratify=y, random_state=0)
    return torch.tensor(x_train), torch.tensor(y_train), torch.tensor(x_test), torch.tensor(y_test)


def reference_net(model: str, hidden: int, seed: int) -> nn.Module:
    """torch's default initialisation under the seed, then float64."""
    torch.manual_seed(seed)
    if model == "mlp":
        net = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    else:
        net = nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(256, 10))
    return net.double()


def reference_optimizer(c: RunConfig, params):
    if c.optimizer == "sgd":
        return torch.optim.SGD(params, lr=c.lr, weight_decay=c.weight_decay)
    if c.optimizer == "momentum":
        return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, nesterov=c.nesterov,
                               weight_decay=c.weight_decay)
    if c.optimizer in ("adam", "amsgrad"):
        return torch.optim.Adam(params, lr=c.lr, betas=c.betas, eps=c.eps, weight_decay=c.weight_decay,
                                amsgrad=c.optimizer == "amsgrad")
    if c.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=c.lr, eps=c.eps, weight_decay=c.weight_decay)
    make = AdaBound if c.optimizer == "adabound" else AMSBound
    return make(params, lr=c.lr, betas=c.betas, final_lr=c.final_lr, gamma=c.gamma, eps=c.eps,
                weight_decay=c.weight_decay)


def flat_state(opt, net, key) -> np.ndarray:
    return torch.cat([opt.state[p][key].reshape(-1) for p in net.parameters()]).numpy()


def bounds(c: RunConfig, t: float) -> tuple[float, float]:
    lower = c.final_lr * (1 - 1 / (c.gamma * t + 1))
    upper = c.final_lr * (1 + 1 / (c.gamma * t)) if c.gamma > 0 else math.inf
    return lower, upper


def expected_rates(c: RunConfig, opt, net):
    """(lr_eff, raw or None, active) over the flat parameter row, from the optimizer's state."""
    n = sum(p.numel() for p in net.parameters())
    if c.optimizer in ("sgd", "momentum"):
        return np.full(n, c.lr), None, np.ones(n, dtype=bool)
    if c.optimizer == "adagrad":
        g = flat_state(opt, net, "sum")
        return c.lr / (np.sqrt(g) + c.eps), None, g != 0
    b1, b2 = c.betas
    v = flat_state(opt, net, "max_exp_avg_sq" if c.optimizer in ("amsgrad", "amsbound") else "exp_avg_sq")
    t = float(opt.state[next(net.parameters())]["step"])
    if c.optimizer in ("adam", "amsgrad"):
        return (c.lr / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + c.eps), None, v != 0
    raw = c.lr * math.sqrt(1 - b2**t) / (1 - b1**t) / (np.sqrt(v) + c.eps)
    lower, upper = bounds(c, t)
    return np.clip(raw, lower, upper), raw, v != 0


def log_histogram(rates: np.ndarray) -> np.ndarray:
    """Counts below HIST_EDGES[0], in each [edge, next edge), and from HIST_EDGES[-1] on."""
    lg = np.log10(rates)
    inside, _ = np.histogram(lg[(lg >= HIST_EDGES[0]) & (lg < HIST_EDGES[-1])], bins=HIST_EDGES)
    return np.concatenate([[np.sum(lg < HIST_EDGES[0])], inside, [np.sum(lg >= HIST_EDGES[-1])]])


def reference_training(spec: TrainSpec, c: RunConfig, seed: int, index: np.ndarray):
    """One model trained plainly; returns what the engine records for it, from the optimizer."""
    x_train, y_train, x_test, y_test = digits_split()
    n = len(y_train)
    net = reference_net(spec.model, spec.hidden, seed)
    opt = reference_optimizer(c, net.parameters())
    rng = np.random.default_rng(seed)
    rec = {"lr_eff": [], "batch_loss": [], "train_loss": [], "train_acc": [], "epoch_rates": []}
    for _ in range(spec.epochs):
        order = rng.permutation(n)
        loss_sum, correct = 0.0, 0
        for a in range(0, n, spec.batch_size):
            idx = torch.from_numpy(order[a:a + spec.batch_size])
            opt.zero_grad()
            logits = net(x_train[idx])
            loss = F.cross_entropy(logits, y_train[idx])
            loss.backward()
            opt.step()
            rec["lr_eff"].append(expected_rates(c, opt, net)[0][index])
            rec["batch_loss"].append(loss.item())
            loss_sum += loss.item() * len(idx)
            correct += int((logits.argmax(1) == y_train[idx]).sum())
        rec["train_loss"].append(loss_sum / n)
        rec["train_acc"].append(correct / n)
        rec["epoch_rates"].append(expected_rates(c, opt, net))
    with torch.no_grad():
        rec["params"] = torch.cat([p.reshape(-1) for p in net.parameters()]).numpy()
        rec["test_logits"] = net(x_test).numpy()
        rec["test_loss"] = F.cross_entropy(net(x_test), y_test).item()
    return rec


def assert_close(actual, desired, rtol=RTOL):
    """Relative to the array's scale: an entry near 0 has no relative accuracy of its own."""
    desired = np.asarray(desired)
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=rtol * np.abs(desired).max())


# ----------------------------------------------------------------------------- exactness

# Two configurations per method (4 models with two seeds), weight decay, Nesterov and fast
# bounds (gamma large enough that the band closes in and clips within two epochs) included.
CASES = {
    "sgd": (RunConfig("sgd", lr=0.1), RunConfig("sgd", lr=0.05, weight_decay=1e-3)),
    "momentum": (RunConfig("momentum", lr=0.05, nesterov=True),
                 RunConfig("momentum", lr=0.1, momentum=0.8, weight_decay=1e-3)),
    "adam": (RunConfig("adam", lr=1e-3), RunConfig("adam", lr=3e-3, betas=(0.8, 0.99), weight_decay=1e-4)),
    "amsgrad": (RunConfig("amsgrad", lr=1e-3), RunConfig("amsgrad", lr=2e-3, eps=1e-6)),
    "adagrad": (RunConfig("adagrad", lr=1e-2), RunConfig("adagrad", lr=3e-2, weight_decay=1e-4)),
    "adabound": (RunConfig("adabound", lr=1e-3),
                 RunConfig("adabound", lr=1e-3, final_lr=0.5, gamma=0.1, weight_decay=1e-4)),
    "amsbound": (RunConfig("amsbound", lr=1e-3), RunConfig("amsbound", lr=1e-3, final_lr=0.3, gamma=5e-2)),
}
EXACT = [(name, "mlp") for name in CASES] + [
    (name, "cnn") for name in ("momentum", "adam", "amsgrad", "adabound", "amsbound")]


@pytest.mark.parametrize("name,model", EXACT)
def test_stacked_training_equals_separate_runs_and_records_what_the_optimizer_implies(name, model):
    spec = TrainSpec(configs=CASES[name], model=model, hidden=32, seeds=(3, 11), epochs=2, dtype="float64")
    result = train(spec)
    assert result.lr_eff.shape == (4, 2 * 23, 10) and (result.diverged_at == -1).all()
    x_test = digits_split()[2]
    logits = stack(model, spec.hidden, torch.from_numpy(result.params)).logits(x_test).detach().numpy()
    for m in range(result.n_models):
        c, seed = spec.configs[result.config_of[m]], int(result.seed_of[m])
        assert (c, seed) == (CASES[name][m // 2], spec.seeds[m % 2])
        ref = reference_training(spec, c, seed, result.sampled_index)
        assert_close(result.params[m], ref["params"])
        assert_close(logits[m], ref["test_logits"])
        assert_close(result.test_loss[m, -1], ref["test_loss"])
        assert_close(result.batch_loss[m], ref["batch_loss"])
        assert_close(result.train_loss[m, 1:], ref["train_loss"])
        np.testing.assert_array_equal(result.train_acc[m, 1:], ref["train_acc"])
        np.testing.assert_allclose(result.lr_eff[m], ref["lr_eff"], rtol=RTOL)

        for e, (lr_eff, raw, active) in enumerate(ref["epoch_rates"]):
            rates = lr_eff[active]
            assert result.inactive[m, e] == np.sum(~active)
            np.testing.assert_array_equal(result.hist_counts[m, e], log_histogram(rates))
            assert result.hist_counts[m, e].sum() + result.inactive[m, e] == param_count(model, spec.hidden)
            np.testing.assert_allclose(result.percentiles[m, e], np.percentile(rates, PERCENTILES), rtol=1e-10)
            np.testing.assert_allclose([result.lr_min[m, e], result.lr_max[m, e]], [rates.min(), rates.max()],
                                       rtol=RTOL)
            if raw is None:
                assert np.isnan(result.clipped_lower[m, e]) and np.isnan(result.clipped_upper[m, e])
            else:
                t = (e + 1) * result.steps_per_epoch
                lower, upper = bounds(c, t)
                assert result.clipped_lower[m, e] == np.mean(raw[active] < lower)
                assert result.clipped_upper[m, e] == np.mean(raw[active] > upper)

    for ci, c in enumerate(spec.configs):
        t = np.arange(1, result.lr_eff.shape[1] + 1)
        if c.bounded:
            lower, upper = zip(*(bounds(c, float(s)) for s in t))
            np.testing.assert_allclose(result.lower[ci], lower, rtol=RTOL)
            np.testing.assert_allclose(result.upper[ci], upper, rtol=RTOL)
        else:
            assert np.isnan(result.lower[ci]).all() and np.isnan(result.upper[ci]).all()
    if name in ("adabound", "amsbound"):  # the fast band really clips, at both ends
        assert np.nanmax(result.clipped_lower) > 0.1 and np.nanmax(result.clipped_upper) > 0


def test_the_initial_models_are_the_reference_modules_and_curves_start_before_training():
    spec = TrainSpec(configs=(RunConfig("adam", lr=1e-3),), seeds=(5, 6), epochs=1, dtype="float64")
    result = train(spec)
    x_train, y_train, x_test, y_test = digits_split()
    for m, seed in enumerate(spec.seeds):
        net = reference_net("mlp", 128, seed)
        with torch.no_grad():
            assert_close(result.train_loss[m, 0], F.cross_entropy(net(x_train), y_train).item())
            assert_close(result.test_acc[m, 0], (net(x_test).argmax(1) == y_test).double().mean().item())


# ----------------------------------------------------------------------------- inactive parameters


def test_a_blank_pixel_leaves_exactly_its_first_layer_weights_inactive():
    hidden, blank = 4, 5
    gen = torch.Generator().manual_seed(0)
    w1 = torch.rand(hidden, 64, generator=gen, dtype=F64) * 0.1
    b1 = torch.ones(hidden, dtype=F64)  # with inputs >= 0 every unit stays alive
    w2 = torch.randn(10, hidden, generator=gen, dtype=F64)
    row = torch.cat([w1.reshape(-1), b1, w2.reshape(-1), torch.zeros(10, dtype=F64)])
    st = stack("mlp", hidden, torch.stack([row, row]))
    adam = ParamGroup(RunConfig("adam", lr=1e-3), st.params[:1], st.grad[:1])
    sgd = ParamGroup(RunConfig("sgd", lr=0.1), st.params[1:], st.grad[1:])
    x = torch.rand(2, 32, 64, generator=gen, dtype=F64)
    x[..., blank] = 0.0
    y = torch.randint(0, 10, (2, 32), generator=gen)
    for _ in range(3):
        st.backward(mean_cross_entropy(st.logits(x), y).sum())
        adam.step()
        sgd.step()

    rates = adam.rates()
    inactive = ~rates.active.numpy()[0]
    expected = np.zeros(st.layout.n_params, dtype=bool)
    expected[blank:hidden * 64:64] = True  # fc1.weight[:, blank]
    np.testing.assert_array_equal(inactive, expected)
    # an inactive weight would pose as an extreme rate, lr / (1 - b1^t) / eps = 3.7e5
    np.testing.assert_allclose(rates.lr_eff.numpy()[0, inactive], 1e-3 / (1 - 0.9**3) / 1e-8, rtol=1e-12)
    assert sgd.rates().active.all()

    stats = rate_stats(torch.cat([rates.lr_eff, sgd.rates().lr_eff]).numpy(),
                       torch.cat([rates.active, sgd.rates().active]).numpy())
    np.testing.assert_array_equal(stats.inactive, [hidden, 0])
    np.testing.assert_array_equal(stats.counts.sum(1) + stats.inactive, [st.layout.n_params] * 2)
    assert stats.lr_max[0] < 1e-3 / (1 - 0.9**3) / 1e-8 / 10


def test_rate_stats_on_hand_made_rates():
    lr = np.array([[1e-9, 1e-3, 1e-3, 0.5, 2.0, 1e9, 7.0],
                   [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]])
    active = np.array([[True, True, True, True, True, True, False],
                       [False] * 7])
    stats = rate_stats(lr, active)
    np.testing.assert_array_equal(stats.inactive, [1, 7])
    counts = stats.counts[0]
    assert counts[0] == 1 and counts[-1] == 1 and counts.sum() == 6  # under- and overflow
    assert counts[1 + int((-3 + 8) / 0.25)] == 2  # 1e-3 opens the bin [1e-3, 10^-2.75)
    assert counts[1 + int((math.log10(0.5) + 8) / 0.25)] == 1
    np.testing.assert_allclose(stats.percentiles[0], np.percentile(lr[0, :6], PERCENTILES), rtol=1e-14)
    assert (stats.lr_min[0], stats.lr_max[0]) == (1e-9, 1e9)
    assert stats.counts[1].sum() == 0 and np.isnan(stats.percentiles[1]).all() and np.isnan(stats.lr_max[1])


# ----------------------------------------------------------------------------- divergence


# SGD at lr = 1e3 .. 1e10 only kills the ReLU units in float64 (the net then predicts one class,
# finite); these rates overflow on the second step.
@pytest.mark.parametrize("dtype,lr", [("float64", 1e100), ("float32", 1e10)])
def test_a_diverging_model_is_marked_and_leaves_the_others_untouched(dtype, lr):
    adam = RunConfig("adam", lr=1e-3)
    both = train(TrainSpec(configs=(RunConfig("sgd", lr=lr), adam), seeds=(0, 1), epochs=3, dtype=dtype))
    alone = train(TrainSpec(configs=(adam,), seeds=(0, 1), epochs=3, dtype=dtype))
    np.testing.assert_array_equal(both.diverged_at, [1, 1, -1, -1])
    assert (alone.diverged_at == -1).all()
    fields = ("lr_eff", "batch_loss", "hist_counts", "inactive", "percentiles", "lr_min", "lr_max",
              "train_loss", "train_acc", "test_loss", "test_acc", "params")
    for field in fields:
        np.testing.assert_array_equal(getattr(both, field)[2:], getattr(alone, field), err_msg=field)

    for m in (0, 1):
        cut = np.flatnonzero(np.isnan(both.batch_loss[m]))[0]
        assert 0 < cut < both.steps_per_epoch
        assert np.isfinite(both.batch_loss[m, :cut]).all() and np.isnan(both.batch_loss[m, cut:]).all()
        assert np.isfinite(both.lr_eff[m, :cut]).all() and np.isnan(both.lr_eff[m, cut:]).all()
        assert np.isfinite(both.test_loss[m, :1]).all() and np.isnan(both.test_loss[m, 1:]).all()
        assert np.isnan(both.percentiles[m]).all() and (both.hist_counts[m] == 0).all()
        assert np.isnan(both.params[m]).all()


# ----------------------------------------------------------------------------- sampled parameters, spec, API


def test_sampled_parameters_span_the_layers_and_avoid_blank_pixels():
    x_train = digits_split()[0].numpy()
    live = np.flatnonzero(np.any(x_train != 0, axis=0))
    assert set(range(64)) - set(live) == {0, 24, 32, 39}
    index, names = sampled_positions(layout("mlp", 128), 10, live)
    assert [n.split("[")[0] for n in names] == ["fc1.weight"] * 5 + ["fc2.weight"] * 4 + ["fc2.bias"]
    for i, name in zip(index, names):
        if name.startswith("fc1.weight"):
            unit, pixel = (int(s) for s in name[len("fc1.weight["):-1].split(","))
            assert pixel in live and i == unit * 64 + pixel
    again = sampled_positions(layout("mlp", 128), 10, live)
    np.testing.assert_array_equal(index, again[0])
    assert names == again[1] and len(set(index)) == 10

    _, cnn = sampled_positions(layout("cnn"), 10)
    assert [n.split("[")[0] for n in cnn] == (["conv1.weight"] * 3 + ["conv2.weight"] * 3 + ["fc.weight"] * 3
                                              + ["fc.bias"])
    assert param_count("mlp", 128) == 9_610 and param_count("cnn") == 3_818


def test_spec_is_a_hashable_value_and_rejects_nonsense():
    a = TrainSpec(configs=[RunConfig("adam", lr=1e-3, betas=[0.9, 0.999])], seeds=[0, 1])
    b = TrainSpec(configs=(RunConfig("adam", lr=1e-3),), seeds=(0, 1))
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert TrainSpec().n_models == 9 and TrainSpec().steps_per_epoch == 23
    bad_configs = [dict(optimizer="lion", lr=1e-3), dict(optimizer="adam", lr=0.0), dict(optimizer="adam", lr=math.nan),
                   dict(optimizer="adam", lr=1e-3, betas=(0.9, 1.0)), dict(optimizer="adabound", lr=1e-3, gamma=1.0),
                   dict(optimizer="sgd", lr=0.1, nesterov=True), dict(optimizer="adam", lr=1e-3, eps=0.0)]
    for kwargs in bad_configs:
        with pytest.raises(ValueError):
            RunConfig(**kwargs)
    adam = (RunConfig("adam", lr=1e-3),)
    for kwargs in [dict(configs=()), dict(configs=adam, model="rnn"), dict(configs=adam, hidden=0),
                   dict(configs=adam, seeds=()), dict(configs=adam, seeds=(1, 1)), dict(configs=adam, epochs=0),
                   dict(configs=adam, batch_size=0), dict(configs=adam, batch_size=5000),
                   dict(configs=adam, dtype="float16")]:
        with pytest.raises(ValueError):
            TrainSpec(**kwargs)


def test_progress_is_reported_after_every_epoch_and_float32_runs():
    calls = []
    spec = TrainSpec(configs=(RunConfig("adabound", lr=1e-3),), seeds=(0,), epochs=2, dtype="float32")
    result = train(spec, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    assert result.lr_eff.dtype == np.float32 and np.isfinite(result.lr_eff).all()
    exact = train(TrainSpec(configs=spec.configs, seeds=(0,), epochs=2, dtype="float64"))
    np.testing.assert_allclose(result.params, exact.params, rtol=0, atol=1e-4 * np.abs(exact.params).max())


@pytest.mark.parametrize("amsbound", [False, True])
def test_adabound_effective_lr_is_the_rate_its_step_applies(amsbound):
    gen = torch.Generator().manual_seed(1)
    p = torch.randn(3, 5, generator=gen, dtype=F64)
    opt = AdaBound([p], lr=1e-2, final_lr=0.05, gamma=0.1, amsbound=amsbound)
    with pytest.raises(RuntimeError):
        opt.effective_lr(p)
    index = torch.tensor([[0, 7], [14, 3]])
    for t in range(1, 40):
        p.grad = torch.randn(3, 5, generator=gen, dtype=F64) * 10.0 ** torch.randint(-4, 3, (3, 5), generator=gen)
        before = p.clone()
        opt.step()
        clipped, raw, lower, upper = opt.effective_lr(p)
        state = opt.state[p]
        assert torch.equal(p, before - clipped * state["exp_avg"])
        v = state["max_exp_avg_sq"] if amsbound else state["exp_avg_sq"]
        np.testing.assert_allclose(raw, 1e-2 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t) / (v.sqrt() + 1e-8), rtol=1e-14)
        assert (lower, upper) == pytest.approx(bounds(RunConfig("adabound", lr=1e-2, final_lr=0.05, gamma=0.1), t),
                                               rel=1e-14)
        assert torch.equal(clipped, raw.clamp(lower, upper))
        sub = opt.effective_lr(p, index)
        assert torch.equal(sub[0], clipped.reshape(-1)[index]) and torch.equal(sub[1], raw.reshape(-1)[index])


def test_nets_imports_no_ui_and_no_plotting():
    forbidden = {"streamlit", "plotly", "viz", "ui", "runs", "app_pages", "app"}
    for path in (ROOT / "nets").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & forbidden, (path, names)


def test_stack_from_seeds_matches_the_reference_modules():
    st = stack_from_seeds("cnn", 0, [4, 9])
    for row, seed in zip(st.params, (4, 9)):
        ref = torch.cat([p.detach().reshape(-1) for p in reference_net("cnn", 0, seed).parameters()])
        assert torch.equal(row, ref)


def test_the_benchmark_runs_end_to_end():
    from bench.nets import main

    figures = main(["--quick"])
    assert figures["mlp"]["float64"]["worst_rel_diff"]["engine"] < 1e-12
    assert set(figures["page"]) == {"float64_1threads", "float32_1threads"}
