"""How fast is the batched core? Adam (lr 1e-2, torch's other defaults) on Rosenbrock from
(-1.5, 2) plus small seeded jitter, measured against

* the core itself keeping the full trace (positions, loss, gradients, effective rates per step);
* a plain numpy loop: Adam written inline, same gradient, no trace, no divergence checks;
* torch.optim.Adam stepping one (2,) parameter in a Python loop, one trajectory at a time;
* torch.optim.Adam stepping one (runs, 2) tensor with the analytic gradient in torch ops.

Every figure comes from this one process on this machine and is the best of a few repeats. The
core's final points must match torch's to 1e-10 relative, or the script stops.

    python -m bench.core            # 10,000 runs x 1,000 steps, best of 5
    python -m bench.core --quick    # a smoke run: 200 runs x 100 steps, one repeat
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
import torch

import optim_core as oc

LR, BETA1, BETA2, EPS = 1e-2, 0.9, 0.999, 1e-8  # torch.optim.Adam's defaults, except lr
START, JITTER, SEED = (-1.5, 2.0), 0.01, 0
RTOL = 1e-10
TORCH_VARIANTS = {"default": {}, "foreach=False": dict(foreach=False),
                  "foreach=True": dict(foreach=True), "fused=True": dict(fused=True)}
FULL = dict(runs=10_000, steps=1_000, repeats=5, trajectories=5)
QUICK = dict(runs=200, steps=100, repeats=1, trajectories=2)
TARGET_FINAL_S, TARGET_SPEEDUP = 0.3, 1_000  # at 10,000 x 1,000


class LocalRosenbrock:
    """f(a, b) = (1 - a)^2 + 100 (b - a^2)^2, the problem protocol of optim_core."""

    def loss(self, x, t):
        a, b = x[:, 0], x[:, 1]
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2

    def gradient(self, x, t):
        a, b = x[:, 0], x[:, 1]
        r = b - a * a
        return np.stack([-2 * (1 - a) - 400 * a * r, 200 * r], axis=1)


def rosenbrock():
    """The landscapes package's Rosenbrock if it is there, else the local one."""
    try:
        from landscapes import get
        return get("rosenbrock"), "landscapes.get('rosenbrock')"
    except (ImportError, KeyError, ValueError) as exc:
        return LocalRosenbrock(), f"local Rosenbrock (landscapes.get('rosenbrock') unavailable: {exc!r})"


def check_close(actual, desired, what, rtol=RTOL) -> float:
    """Assert that every run's final point agrees to ``rtol`` relative to the point's size (a
    coordinate that lands near zero has no relative accuracy of its own); return the worst error."""
    err = np.max(np.abs(actual - desired), axis=1) / np.max(np.abs(desired), axis=1)
    worst = float(err.max())
    assert worst <= rtol, f"{what}: final points differ by {worst:.3g} relative (tolerance {rtol:g})"
    return worst


def best_of(repeats, fn):
    """(best seconds, all seconds, last result) of ``repeats`` calls of ``fn()``."""
    times, out = [], None
    for _ in range(repeats):
        out = None  # let the previous result go before the next run allocates its own
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


# ----------------------------------------------------------------------------- the contenders


def core(problem, x0, steps, full_trace):
    every, grads = (1, True) if full_trace else (steps, False)
    return oc.run(oc.adam(LR), problem, x0, steps, record_every=every, trace_grads=grads)


def plain_loop(problem, x0, steps):
    x, m, v = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for t in range(1, steps + 1):
        g = problem.gradient(x, t)
        m = BETA1 * m + (1 - BETA1) * g
        v = BETA2 * v + (1 - BETA2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - BETA2**t) + EPS
        x = x - LR / (1 - BETA1**t) * m / denom
    return x


def torch_grad(p):
    """The Rosenbrock gradient in torch ops, p of shape (..., 2)."""
    a, b = p[..., 0], p[..., 1]
    r = b - a * a
    return torch.stack((-2 * (1 - a) - 400 * a * r, 200 * r), dim=-1)


def torch_batched(x0, steps, **adam_kwargs):
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR, **adam_kwargs)
    with torch.no_grad():
        for _ in range(steps):
            p.grad = torch_grad(p)
            opt.step()
    return p.detach().numpy()


def torch_one(x0_row, steps, autograd):
    """The everyday loop: one (2,) parameter, zero_grad / backward (or analytic grad) / step."""
    p = torch.tensor(x0_row, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    for _ in range(steps):
        opt.zero_grad()
        if autograd:
            loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
            loss.backward()
        else:
            with torch.no_grad():
                p.grad = torch_grad(p)
        opt.step()
    return p.detach().numpy()


def torch_loop(x0, steps, autograd):
    return np.stack([torch_one(row, steps, autograd) for row in x0])


# ----------------------------------------------------------------------------- the run


def machine() -> str:
    env = ", ".join(f"{k}={os.environ.get(k, 'unset')}"
                    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"))
    return (f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}\n"
            f"cores: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); torch threads: "
            f"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op; {env}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.core", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few runs and steps, one repeat")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    runs, steps, repeats, n_traj = cfg["runs"], cfg["steps"], cfg["repeats"], cfg["trajectories"]

    problem, source = rosenbrock()
    x0 = np.array(START) + JITTER * np.random.default_rng(SEED).standard_normal((runs, 2))
    # The torch contenders use the textbook gradient: the problem must agree with it.
    np.testing.assert_allclose(problem.gradient(x0, 1), LocalRosenbrock().gradient(x0, 1), rtol=1e-13,
                               err_msg=f"{source} is not the Rosenbrock function the torch side uses")

    print(machine())
    print(f"problem: {source}")
    print(f"Adam lr {LR:g}, betas ({BETA1}, {BETA2}), eps {EPS:g}; {runs:,} runs x {steps:,} steps "
          f"from {START} + N(0, {JITTER}^2) jitter (seed {SEED}); best of {repeats} repeat(s)\n")

    # Warm up every contender on a tiny run (torch's first step pays for lazy initialisation).
    tiny = x0[:2]
    core(problem, tiny, 2, True), plain_loop(problem, tiny, 2), torch_loop(tiny, 2, True)
    for kwargs in TORCH_VARIANTS.values():
        torch_batched(tiny, 2, **kwargs)

    def measure(label, fn, per=1):
        best, times, out = best_of(repeats, fn)
        print(f"  {label}: " + ", ".join(f"{s / per:.4g}" for s in times) + " s")
        return best / per, out, times[0] / per

    core_s, trace, _ = measure("core, final point only", lambda: core(problem, x0, steps, False))
    final = trace.final_positions
    assert not trace.diverged.any() and np.all(np.isfinite(final))
    trace_s, full, trace_first_s = measure("core, full trace", lambda: core(problem, x0, steps, True))
    np.testing.assert_array_equal(full.final_positions, final)
    trace_mb = sum(a.nbytes for a in (full.positions, full.loss, full.grads, full.lr_eff)) / 1e6
    del full
    loop_s, loop_final, _ = measure("plain numpy loop", lambda: plain_loop(problem, x0, steps))
    worst = {"plain loop": check_close(loop_final, final, "plain loop vs core")}

    batched = {}
    for name, kwargs in TORCH_VARIANTS.items():
        batched[name], torch_final, _ = measure(f"torch.optim.Adam ({name}), one ({runs}, 2) tensor",
                                             lambda: torch_batched(x0, steps, **kwargs))
        worst[f"torch {name}"] = check_close(final, torch_final, f"core vs torch.optim.Adam ({name})")
    # The comparison is against torch's everyday settings (the default, which on the CPU is the
    # for-loop kernel, or foreach=False); foreach=True and fused=True are shown beside it.
    usual = min(("default", "foreach=False"), key=batched.get)
    fastest = min(batched, key=batched.get)

    one = {}
    for autograd in (True, False):
        one[autograd], torch_one_final, _ = measure(
            f"torch.optim.Adam loop, one (2,) run at a time ({'autograd' if autograd else 'analytic'}),"
            " per run", lambda: torch_loop(x0[:n_traj], steps, autograd), per=n_traj)
        worst[f"torch one run, {'autograd' if autograd else 'analytic'}"] = check_close(
            torch_one_final, final[:n_traj], "single-run torch.optim.Adam vs core")
    per_run = core_s / runs

    figures = dict(
        problem=source, runs=runs, steps=steps, repeats=repeats, trajectories=n_traj,
        core_final_s=core_s, core_trace_s=trace_s, core_trace_first_s=trace_first_s, trace_mb=trace_mb, plain_loop_s=loop_s,
        core_over_plain=core_s / loop_s,
        torch_loop_autograd_per_run_s=one[True], speedup_autograd=one[True] / per_run,
        torch_loop_analytic_per_run_s=one[False], speedup_analytic=one[False] / per_run,
        torch_batched_s=batched[usual], torch_batched_variant=usual,
        core_over_torch_batched=core_s / batched[usual], torch_batched_all_s=batched,
        torch_fastest_variant=fastest, core_over_torch_fastest=core_s / batched[fastest],
        worst_rel_diff=worst,
    )
    print_table(figures, args.quick)
    return figures


def print_table(f, quick):
    size = f"{f['runs']:,} x {f['steps']:,}"
    rows = [
        (f"core, {size}, final point only", f["core_final_s"], "1 (reference)"),
        (f"core, {size}, full trace ({f['trace_mb']:.0f} MB)", f["core_trace_s"],
         f"{f['core_trace_s'] / f['core_final_s']:.2f} x core "
         f"(first repeat, fresh memory: {f['core_trace_first_s']:.3g} s)"),
        (f"plain numpy loop, {size}", f["plain_loop_s"], f"core / loop = {f['core_over_plain']:.2f}"),
        *[(f"torch.optim.Adam, one ({f['runs']}, 2) tensor, {name}", seconds,
           f"core / torch = {f['core_final_s'] / seconds:.2f}")
          for name, seconds in f["torch_batched_all_s"].items()],
        ("torch loop, one (2,) run, autograd: per run", f["torch_loop_autograd_per_run_s"],
         f"speed-up {f['speedup_autograd']:,.0f} x"),
        ("torch loop, one (2,) run, analytic grad: per run", f["torch_loop_analytic_per_run_s"],
         f"speed-up {f['speedup_analytic']:,.0f} x"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'seconds':>9}  ratio")
    for what, seconds, ratio in rows:
        print(f"{what:<{width}}  {seconds:>9.4g}  {ratio}")
    print(f"\nspeed-up = torch time per run / (core time / {f['runs']:,}).")
    print(f"final points vs the core's (asserted <= {RTOL:g}, relative to each point's size): "
          + ", ".join(f"{k} {v:.1e}" for k, v in f["worst_rel_diff"].items()))
    if not quick:
        print(f"targets: core final-point run < {TARGET_FINAL_S} s: {f['core_final_s'] < TARGET_FINAL_S}; "
              f"speed-up (autograd) >= {TARGET_SPEEDUP:,}: {f['speedup_autograd'] >= TARGET_SPEEDUP}; "
              f"core faster than torch batched ({f['torch_batched_variant']}): "
              f"{f['core_over_torch_batched'] < 1}; than its fastest ({f['torch_fastest_variant']}): "
              f"{f['core_over_torch_fastest'] < 1}")
    print("command: python -m bench.core" + (" --quick" if quick else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
