"""How fast is the final_lr lab's default sweep? Sweep 1 of the page as a first visit opens it
(AdaBound on Rosenbrock, 40 final_lr x 20 gamma values x 16 starts, 1,000 steps), measured against

* the same configurations run one at a time: each (final_lr, gamma) cell its own call of the core,
  its 16 starts batched (how one would loop over a grid with the core);
* the same runs one at a time: each (cell, start) its own call with a single trajectory.

The one-at-a-time loops are timed on an evenly spread subset of the grid and extrapolated to all of
it (the output says so); their results must equal the batched sweep's cells to 1e-12, or the script
stops. Every figure is measured here, in this process; the batched sweep is the best of a few
repeats. Figures, not a pass/fail test.

    python -m bench.lab            # the default sweep
    python -m bench.lab --quick    # a smoke run: a small grid and 100 steps
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

import landscapes
import optim_core as oc
from runs import lab as sweeps
from runs import tuning

FULL = dict(overrides={}, repeats=3, cells=40, runs=32)
QUICK = dict(overrides={"fl_n": 8, "g_n": 4, "lr_n": 4, "S": 3, "T": 100}, repeats=1, cells=4, runs=4)
RTOL = 1e-12


def default_setup(overrides) -> sweeps.Setup:
    """The page's first-visit state: the fields' defaults, AdaBound's library defaults and, as on
    the page, the measured Adam rate on the landscape as lr."""
    values = {**sweeps.default_values(), **overrides}
    hyper = oc.OPTIMIZERS[values["opt"]].defaults()
    hyper["lr"] = tuning.suggest(landscapes.get(values["ls"]))["adam"]["lr"]
    setup, notes = sweeps.setup_from(values, hyper)
    assert not notes, notes
    return setup


def spread(count: int, total: int) -> np.ndarray:
    """``count`` indices evenly spread over ``range(total)``."""
    return np.unique(np.round(np.linspace(0, total - 1, min(count, total))).astype(int))


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def check(actual, desired, what) -> None:
    np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=0, err_msg=what)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a small grid, 100 steps")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    setup = default_setup(cfg["overrides"])
    sweep = setup.final_lr_gamma()
    group = sweep.groups[0]
    n_cells, n_starts = group.cells, sweep.n_starts

    print(f"python {platform.python_version()}, numpy {np.__version__}; cores: {os.cpu_count()} "
          f"(usable {len(os.sched_getaffinity(0))})")
    print(f"sweep 1 of the lab: {setup.optimizer} on {setup.problem}, lr {dict(setup.hyper)['lr']:g}; "
          f"final_lr {setup.final_lr.n} values over [{setup.final_lr.low:g}, {setup.final_lr.high:g}] x "
          f"gamma {setup.gamma.n} values over [{setup.gamma.low:g}, {setup.gamma.high:g}] x {n_starts} "
          f"starts = {sweep.runs:,} runs x {sweep.steps:,} steps, in {len(sweeps.chunks(sweep))} "
          f"batched call(s) of the core\n")

    sweeps.run_cell(sweep, 0, (0, 0))  # warm up
    times = []
    for _ in range(cfg["repeats"]):
        seconds, gaps = timed(lambda: sweeps.run_sweep(sweep))
        times.append(seconds)
    batched = min(times)
    per_cell = sweeps.group_gaps(sweep, gaps, 0)
    print("  batched sweep: " + ", ".join(f"{s:.3f}" for s in times) + " s")

    cells = [np.unravel_index(i, group.shape) for i in spread(cfg["cells"], n_cells)]
    cell_s, _ = timed(lambda: [check(sweeps.run_cell(sweep, 0, c), per_cell[c], f"cell {c}") for c in cells])
    per_config = cell_s / len(cells)
    print(f"  one configuration at a time: {len(cells)} of {n_cells} cells in {cell_s:.3f} s")

    rows = spread(cfg["runs"], sweep.runs)
    run_s, _ = timed(lambda: [
        check(sweeps.run_cell(sweep, 0, np.unravel_index(r // n_starts, group.shape), start=r % n_starts),
              per_cell[np.unravel_index(r // n_starts, group.shape)][r % n_starts], f"row {r}")
        for r in rows])
    per_run = run_s / len(rows)
    print(f"  one run at a time: {len(rows)} of {sweep.runs:,} runs in {run_s:.3f} s")

    page = {name: timed(lambda s=s: sweeps.run_sweep(s))[0] for name, s in setup.sweeps().items()}
    figures = dict(
        runs=sweep.runs, steps=sweep.steps, cells=n_cells, starts=n_starts,
        diverged_share=float(np.isinf(gaps).mean()), batched_s=batched, batched_all_s=times,
        per_config_s=per_config, configs_timed=len(cells), one_config_total_s=per_config * n_cells,
        per_run_s=per_run, runs_timed=len(rows), one_run_total_s=per_run * sweep.runs,
        page_s=page, worst_tolerance=RTOL)
    report(figures, args.quick)
    return figures


def report(f: dict, quick: bool) -> None:
    size = f"{f['cells']:,} cells x {f['starts']} starts = {f['runs']:,} runs x {f['steps']:,} steps"
    rows = [
        ("batched: one call of the core for the whole grid", f["batched_s"], "1 (reference)"),
        (f"one configuration ({f['starts']}-start batch) per call: {f['configs_timed']} timed, "
         f"x {f['cells'] / f['configs_timed']:.0f}",
         f["one_config_total_s"], f"{f['one_config_total_s'] / f['batched_s']:.0f} x slower"),
        (f"one run per call: {f['runs_timed']} timed, x {f['runs'] / f['runs_timed']:.0f}",
         f["one_run_total_s"], f"{f['one_run_total_s'] / f['batched_s']:.0f} x slower"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{size} ({100 * f['diverged_share']:.0f} % of the runs diverge, as the grid crosses the "
          f"stability limit)")
    print(f"{'what':<{width}}  {'seconds':>9}  ratio")
    for what, seconds, ratio in rows:
        print(f"{what:<{width}}  {seconds:>9.3f}  {ratio}")
    print("the one-at-a-time totals are extrapolated from the timed subsets (evenly spread over the "
          f"grid); their results equal the batched sweep's to {f['worst_tolerance']:g} relative.")
    print("the page's three sweeps on a first visit: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in f["page_s"].items())
          + f"; together {sum(f['page_s'].values()):.2f} s")
    print("command: python -m bench.lab" + (" --quick" if quick else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
