"""How fast is the real-network engine (nets/)? All figures come from this one process on this
machine, best of a few repeats; nothing is asserted except that the contenders agree.

1. Stacked MLP training at N = 32 models (Adam lr 1e-3, 64-128-10, batch 64) against the everyday
   loop (one ``nn.Module`` and one ``torch.optim.Adam`` per model, one model after the other, same
   initialisation and batches) and against ``torch.func`` (``vmap(grad(functional_call))`` over
   stacked parameters, one ``torch.optim.Adam`` on the stacks). The engine's time is
   :func:`nets.train` itself, every recording included; the other two record nothing.
2. The real-network page's default run, ``TrainSpec()``: MLP, SGD with momentum (lr 0.1), Adam
   (lr 1e-3) and AdaBound (lr 1e-3, final_lr 0.1, gamma 1e-3), 3 seeds each, 50 epochs, batch 64,
   recording included; in float64 and float32, with one and two torch threads, wall and CPU
   seconds. Also what the per-step and per-epoch recording cost inside it, and a cold start.
3. The CNN: one training step (forward and backward) with the engine's grouped convolutions
   (``groups=N``) against a loop over the models, and the engine's epoch time.

    python -m bench.nets            # the figures (about two minutes)
    python -m bench.nets --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F
from torch.func import functional_call, grad, stack_module_state, vmap

import nets.training as engine
from nets import RunConfig, TrainSpec, train
from nets.data import tensors
from nets.models import flatten, mean_cross_entropy, reference_module, stack_from_seeds
from nets.optimizers import ParamGroup
from nets.recording import rate_stats

ADAM = RunConfig("adam", lr=1e-3)
FULL = dict(models=32, epochs=5, repeats=3, cnn_steps=20)
QUICK = dict(models=4, epochs=1, repeats=1, cnn_steps=2)
TARGET_PAGE_S, TARGET_SPEEDUP = 5.0, 3.0
AGREE_RTOL = 1e-8  # the three MLP contenders' final parameters, relative to their scale


def best_of(repeats, fn):
    """(best wall seconds, CPU seconds of that repeat, last result)."""
    best, out = (np.inf, np.inf), None
    for _ in range(repeats):
        out = None
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return best[0], best[1], out


def batch_orders(seeds, epochs, n):
    """The engine's batch order: one numpy generator per seed, a permutation per epoch."""
    rngs = [np.random.default_rng(s) for s in seeds]
    return [np.stack([rng.permutation(n) for rng in rngs]) for _ in range(epochs)]


# ----------------------------------------------------------------------------- 1. MLP contenders


def module_loop(seeds, epochs, dtype):
    """The everyday loop, one model at a time."""
    x, y, _, _ = tensors(False, dtype)
    orders = batch_orders(seeds, epochs, len(y))
    rows = []
    for i, seed in enumerate(seeds):
        net = reference_module("mlp", 128, seed, dtype)
        opt = torch.optim.Adam(net.parameters(), lr=ADAM.lr)
        for order in orders:
            for a in range(0, len(y), 64):
                idx = torch.from_numpy(order[i, a:a + 64])
                opt.zero_grad()
                F.cross_entropy(net(x[idx]), y[idx]).backward()
                opt.step()
        rows.append(flatten(net))
    return torch.stack(rows).numpy()


def func_vmap(seeds, epochs, dtype):
    """torch.func's model ensembling: per-model gradients by vmap over stacked parameters."""
    x, y, _, _ = tensors(False, dtype)
    orders = batch_orders(seeds, epochs, len(y))
    params, _ = stack_module_state([reference_module("mlp", 128, s, dtype) for s in seeds])
    base = reference_module("mlp", 128, device="meta")

    def loss(p, xb, yb):
        return F.cross_entropy(functional_call(base, p, (xb,)), yb)

    per_model_grad = vmap(grad(loss))
    opt = torch.optim.Adam(list(params.values()), lr=ADAM.lr)
    for order in orders:
        order = torch.from_numpy(order)
        for a in range(0, len(y), 64):
            idx = order[:, a:a + 64]
            grads = per_model_grad(params, x[idx], y[idx])
            for name, p in params.items():
                p.grad = grads[name]
            opt.step()
    return torch.cat([p.detach().flatten(1) for p in params.values()], dim=1).numpy()


def mlp_contenders(cfg, dtype_name):
    dtype = engine.DTYPES[dtype_name]
    seeds = tuple(range(cfg["models"]))
    spec = TrainSpec(configs=(ADAM,), seeds=seeds, epochs=cfg["epochs"], dtype=dtype_name)
    n = len(seeds)
    eng_s, _, result = best_of(cfg["repeats"], lambda: train(spec))
    loop_s, _, loop_params = best_of(cfg["repeats"], lambda: module_loop(seeds, cfg["epochs"], dtype))
    vmap_s, _, vmap_params = best_of(cfg["repeats"], lambda: func_vmap(seeds, cfg["epochs"], dtype))
    scale = np.abs(loop_params).max()
    worst = {"engine": np.abs(result.params - loop_params).max() / scale,
             "vmap": np.abs(vmap_params - loop_params).max() / scale}
    tolerance = AGREE_RTOL if dtype == torch.float64 else 1e-3
    for name, err in worst.items():
        assert err <= tolerance, f"{name} ends {err:.3g} away from the loop's parameters ({dtype_name})"
    return dict(engine_per_model_s=eng_s / n, loop_per_model_s=loop_s / n, vmap_per_model_s=vmap_s / n,
                speedup=loop_s / eng_s, vmap_speedup=loop_s / vmap_s, worst_rel_diff=worst)


# ----------------------------------------------------------------------------- 2. the page's run


def page_run(cfg, quick):
    spec = TrainSpec(epochs=2) if quick else TrainSpec()
    out, default = {}, engine.TORCH_THREADS
    try:
        for threads in (1,) if quick else (1, 2):
            engine.TORCH_THREADS = threads
            for dtype in ("float64", "float32"):
                wall, cpu, result = best_of(cfg["repeats"], lambda: train(replace(spec, dtype=dtype)))
                out[(dtype, threads)] = (wall, cpu)
                if (dtype, threads) == (spec.dtype, default):
                    out["result"] = result
    finally:
        engine.TORCH_THREADS = default
        torch.set_num_threads(default)
    return spec, out


def recording_cost(spec, repeats=200):
    """Seconds per step of the sampled-rate recording, and per epoch of the full statistics, on
    the page's stack after one training step."""
    dtype = engine.DTYPES[spec.dtype]
    n_seeds = len(spec.seeds)
    st = stack_from_seeds(spec.model, spec.hidden, np.tile(spec.seeds, len(spec.configs)), dtype)
    groups = [ParamGroup(c, st.params[i * n_seeds:(i + 1) * n_seeds], st.grad[i * n_seeds:(i + 1) * n_seeds])
              for i, c in enumerate(spec.configs)]
    x, y, _, _ = tensors(False, dtype)
    st.backward(mean_cross_entropy(st.logits(x[:64]), y[:64]).sum())
    for g in groups:
        g.step()
    positions = torch.arange(n_seeds * 10).view(n_seeds, 10) * 7
    t0 = time.perf_counter()
    for _ in range(repeats):
        with torch.no_grad():
            for g in groups:
                g.lr_eff(positions)
    per_step = (time.perf_counter() - t0) / repeats
    t0 = time.perf_counter()
    for _ in range(repeats // 10):
        rates = [g.rates() for g in groups]
        rate_stats(torch.cat([r.lr_eff for r in rates]).numpy(), torch.cat([r.active for r in rates]).numpy())
    return per_step, (time.perf_counter() - t0) / (repeats // 10)


def cold_start():
    """A fresh interpreter: import nets, load the data (scikit-learn's import), the first default
    run (torch.optim's first optimizer imports torch._dynamo), then a second one."""
    code = "\n".join([
        "import time", "t0 = time.perf_counter()", "import nets, nets.data", "t1 = time.perf_counter()",
        "nets.data.digits()", "t2 = time.perf_counter()", "nets.train(nets.TrainSpec())", "t3 = time.perf_counter()",
        "nets.train(nets.TrainSpec())", "t4 = time.perf_counter()", "print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)"])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return tuple(float(s) for s in out.stdout.split())


# ----------------------------------------------------------------------------- 3. CNN


def cnn_step_times(n, dtype, steps):
    """(grouped, loop) seconds per forward + backward step of n CNNs on batches of 64: the
    engine's grouped convolutions, and a loop over the models with their own parameters."""
    st = stack_from_seeds("cnn", 0, range(n), dtype)
    x, y, _, _ = tensors(False, dtype)
    gen = torch.Generator().manual_seed(0)
    idx = torch.stack([torch.randperm(len(y), generator=gen)[:64] for _ in range(n)])
    xb, yb = x[idx], y[idx]
    lay = st.layout
    per_model = [[st.params[i, a:b].reshape(shape).clone().requires_grad_()
                  for a, b, shape in zip(lay.offsets, lay.offsets[1:], lay.shapes)] for i in range(n)]
    leaves = [p for params in per_model for p in params]

    def grouped():
        z = st.logits(xb)
        st.backward(mean_cross_entropy(z, yb).sum())
        return z

    def loop():
        features = []
        for i, (w1, b1, w2, b2, _, _) in enumerate(per_model):
            h = F.relu(F.conv2d(xb[i].view(-1, 1, 8, 8), w1, b1, padding=1))
            h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
            features.append(h.flatten(1))
        w3 = torch.stack([params[4] for params in per_model])
        b3 = torch.stack([params[5] for params in per_model])
        z = torch.baddbmm(b3.unsqueeze(1), torch.stack(features), w3.transpose(1, 2))
        torch.autograd.grad(mean_cross_entropy(z, yb).sum(), leaves)
        return z

    torch.testing.assert_close(grouped(), loop(), rtol=1e-5, atol=1e-5)  # the same networks
    times = []
    for fn in (grouped, loop):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        times.append((time.perf_counter() - t0) / steps)
    return tuple(times)


def cnn_figures(cfg, quick):
    torch.set_num_threads(engine.TORCH_THREADS)
    steps = {}
    for dtype in (torch.float64, torch.float32):
        for n in ((4,) if quick else (9, 32)):
            cnn_step_times(n, dtype, 1)  # warm-up
            steps[(str(dtype).removeprefix("torch."), n)] = cnn_step_times(n, dtype, cfg["cnn_steps"])
    epochs = 1 if quick else 2
    wall, _, _ = best_of(1, lambda: train(TrainSpec(model="cnn", epochs=epochs)))
    return steps, wall / epochs


# ----------------------------------------------------------------------------- the run


def machine() -> str:
    return (f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}; "
            f"cores: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); "
            f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.nets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few models and epochs, one repeat")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    print(machine())
    train(TrainSpec(configs=(ADAM,), seeds=(0,), epochs=1))  # warm-up: data, torch's lazy setup

    n, epochs = cfg["models"], cfg["epochs"]
    print(f"\n1. MLP 64-128-10, Adam lr 1e-3, N = {n} models x {epochs} epochs, batch 64, "
          f"{engine.TORCH_THREADS} torch thread, best of {cfg['repeats']}")
    mlp = {}
    for dtype in ("float64", "float32"):
        f = mlp[dtype] = mlp_contenders(cfg, dtype)
        print(f"  {dtype}: per model: engine {f['engine_per_model_s'] * 1e3:.1f} ms (recording included), "
              f"nn.Module loop {f['loop_per_model_s'] * 1e3:.1f} ms, torch.func vmap "
              f"{f['vmap_per_model_s'] * 1e3:.1f} ms -> engine {f['speedup']:.2f}x faster than the loop, "
              f"vmap {f['vmap_speedup']:.2f}x  (final parameters vs the loop: engine "
              f"{f['worst_rel_diff']['engine']:.1e}, vmap {f['worst_rel_diff']['vmap']:.1e})")

    spec, page = page_run(cfg, args.quick)
    result = page.pop("result")
    print(f"\n2. The page's default run: {spec.n_models} models ({', '.join(c.label for c in spec.configs)}; "
          f"seeds {spec.seeds}), {spec.epochs} epochs, batch {spec.batch_size}, recording included, "
          f"best of {cfg['repeats']}")
    for (dtype, threads), (wall, cpu) in page.items():
        print(f"  {dtype}, {threads} thread{'s' if threads > 1 else ''}: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({cpu / spec.n_models:.3f} CPU-s per model run)")
    per_step, per_epoch = recording_cost(spec)
    steps = spec.epochs * spec.steps_per_epoch
    print(f"  recording inside it ({spec.dtype}): sampled rates {per_step * 1e6:.0f} us per step "
          f"(x {steps} = {per_step * steps:.2f} s), full statistics {per_epoch * 1e3:.1f} ms per epoch "
          f"(x {spec.epochs} = {per_epoch * spec.epochs:.2f} s)")
    cold = None
    if not args.quick:
        cold = cold_start()
        print(f"  cold start in a fresh process: import nets {cold[0]:.2f} s, load the data {cold[1]:.2f} s, "
              f"first default run {cold[2]:.2f} s, second {cold[3]:.2f} s")
    spread = result.spread[:, -1]
    for c, config in enumerate(spec.configs):
        rows = result.config_of == c
        print(f"  {config.label}: p1-p99 spread {np.round(spread[rows], 2).tolist()} decades, inactive "
              f"{np.round(100 * result.inactive[rows, -1] / result.params.shape[1], 1).tolist()} %, "
              f"test accuracy {np.round(result.test_acc[rows, -1], 3).tolist()}")

    steps_cnn, cnn_epoch = cnn_figures(cfg, args.quick)
    print(f"\n3. CNN (conv 1-8-16, 3x3, max-pool, linear), one step of forward + backward, batch 64, "
          f"{engine.TORCH_THREADS} torch thread")
    for (dtype, n_cnn), (grouped, loop) in steps_cnn.items():
        print(f"  {dtype}, N = {n_cnn}: grouped conv (engine) {grouped * 1e3:.1f} ms, loop over models "
              f"{loop * 1e3:.1f} ms -> grouped / loop = {grouped / loop:.2f}")
    print(f"  engine, the page's default configurations on the CNN ({TrainSpec().dtype}): {cnn_epoch:.2f} s per epoch")

    figures = dict(mlp=mlp, page={f"{d}_{t}threads": v for (d, t), v in page.items()},
                   recording_per_step_s=per_step, statistics_per_epoch_s=per_epoch, cold_start=cold,
                   cnn_steps={f"{d}_N{k}": v for (d, k), v in steps_cnn.items()}, cnn_epoch_s=cnn_epoch,
                   spread=spread.tolist())
    if not args.quick:
        page_s = page[(TrainSpec().dtype, engine.TORCH_THREADS)][0]
        print(f"\ntargets: page default run <= {TARGET_PAGE_S:g} s: {page_s <= TARGET_PAGE_S} ({page_s:.2f} s); "
              f"stacked >= {TARGET_SPEEDUP:g}x faster per model than the loop at N = {n}: "
              + ", ".join(f"{d} {mlp[d]['speedup'] >= TARGET_SPEEDUP}" for d in mlp))
    print("command: python -m bench.nets" + (" --quick" if args.quick else ""))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
