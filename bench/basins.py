"""How fast is a basin map? ``runs.basins.basin_map`` on Himmelblau, a 200 x 200 grid of starts
(40,000 runs) x 500 steps, SGD and Adam each at the rate the playground suggests there, measured
against

* the driver on the same 40,000 starts keeping the final point only (``record_every = T``): the
  core's floor, which has no steps-to-tolerance (a map needs every step's position for it);
* the driver keeping the full trace, steps-to-tolerance read off its positions: timed on a slice
  of the grid and extrapolated (the full grid's trace would not fit a small machine; its size is
  printed);
* one start per call of the driver: timed on a few starts and extrapolated;
* two optimizers side by side: one after the other (what ``basin_maps`` does) against both
  stacked into one batch of 80,000 runs (``optim_core.stack``).

Every figure comes from this one process, the median of a few repeats where it says so. The lean
loop's final points and divergence steps must equal the driver's bit for bit, and its
steps-to-tolerance the ones read off the full trace, or the script stops.

    python -m bench.basins            # 200 x 200 starts x 500 steps, median of 5
    python -m bench.basins --quick    # a smoke run: 20 x 20 starts x 50 steps, one repeat
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

import landscapes
import optim_core as oc
from runs import basins, tuning

LANDSCAPE, OPTIMIZERS = "himmelblau", ("sgd", "adam")
FULL = dict(resolution=200, steps=500, repeats=5, slice_rows=20, singles=8)
QUICK = dict(resolution=20, steps=50, repeats=1, slice_rows=4, singles=2)
TARGET_S = 2.0  # one optimizer's 200 x 200 x 500 map


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def median_of(repeats: int, fn):
    """(median seconds, all seconds, last result) of ``repeats`` calls of ``fn()``."""
    times, out = [], None
    for _ in range(repeats):
        out = None  # let the previous result go before the next run allocates its own
        seconds, out = timed(fn)
        times.append(seconds)
    return statistics.median(times), times, out


def first_within(positions: np.ndarray, minima: np.ndarray, tolerance: float) -> np.ndarray:
    """``(T+1, B, 2) -> (B,)``: the first k with positions[k] within tolerance of a minimum, -1 if
    none; straight from a full trace, the independent reading of what the lean loop tracks."""
    near = np.zeros(positions.shape[:2], dtype=bool)
    for m in minima:
        near |= np.linalg.norm(positions - m, axis=-1) <= tolerance
    return np.where(near.any(axis=0), near.argmax(axis=0), -1)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.basins", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a small grid, 50 steps, one repeat")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    res, steps, repeats = cfg["resolution"], cfg["steps"], cfg["repeats"]

    landscape = landscapes.get(LANDSCAPE)
    suggested = tuning.suggest(landscape)
    configs = [(key, {"lr": suggested[key]["lr"]}) for key in OPTIMIZERS]
    xs, ys = basins.grid_axes(landscape.domain, res)
    x0 = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    runs = x0.shape[0]
    print(f"python {platform.python_version()}, numpy {np.__version__}; cores: {os.cpu_count()} "
          f"(usable {len(os.sched_getaffinity(0))})")
    print(f"{landscape.name}: {res} x {res} = {runs:,} starts x {steps:,} steps; "
          + ", ".join(f"{k} lr {v['lr']:g}" for k, v in configs)
          + f" (the playground's suggestions); median of {repeats} repeat(s)\n")

    basins.basin_map(LANDSCAPE, "sgd", configs[0][1], resolution=4, steps=2)  # warm up
    figures: dict = dict(runs=runs, steps=steps, repeats=repeats, per_optimizer={})
    for key, values in configs:
        optimizer = oc.OPTIMIZERS[key].build(values)
        lean_s, lean_all, bm = median_of(repeats, lambda: basins.basin_map(
            LANDSCAPE, key, values, resolution=res, steps=steps))
        print(f"  {key}: basin_map " + ", ".join(f"{s:.3f}" for s in lean_all) + " s   " + basins.caption(bm))

        floor_s, floor_all, trace = median_of(repeats, lambda: oc.run(
            optimizer, landscape, x0, steps, record_every=steps, trace_grads=False))
        print(f"  {key}: driver, final point only " + ", ".join(f"{s:.3f}" for s in floor_all) + " s")
        # the driver checks the loss only where it records; on Himmelblau the loss is finite
        # wherever the iterate is inside the box, so both rules freeze the same runs
        assert np.array_equal(trace.final_positions, bm.final_positions.reshape(-1, 2)), key
        assert np.array_equal(trace.diverged_at, bm.diverged_at.ravel()), key
        del trace

        rows = slice(0, cfg["slice_rows"] * res)  # whole grid rows, so the slice is a band of the map
        n_slice = rows.stop
        full_s, full = timed(lambda: oc.run(optimizer, landscape, x0[rows], steps))
        hits_s, hits = timed(lambda: first_within(full.positions, bm.minima, bm.tolerance))
        assert np.array_equal(full.final_positions, bm.final_positions.reshape(-1, 2)[rows]), key
        assert np.array_equal(hits, bm.steps_to_tol.ravel()[rows]), key
        trace_mb = sum(a.nbytes for a in (full.positions, full.loss, full.grads, full.lr_eff)) / 1e6
        del full
        trace_total = (full_s + hits_s) * runs / n_slice

        singles = np.linspace(0, runs - 1, cfg["singles"]).astype(int)
        one_s, _ = timed(lambda: [oc.run(optimizer, landscape, x0[i], steps, record_every=steps,
                                         trace_grads=False) for i in singles])
        one_total = one_s / singles.size * runs
        print(f"  {key}: full trace on {n_slice:,} starts {full_s + hits_s:.3f} s; "
              f"one start per call: {singles.size} in {one_s:.3f} s")
        figures["per_optimizer"][key] = dict(
            lr=values["lr"], lean_s=lean_s, lean_all_s=lean_all, floor_s=floor_s, trace_total_s=trace_total,
            trace_full_grid_mb=trace_mb * runs / n_slice, slice_runs=n_slice, one_total_s=one_total,
            singles=int(singles.size), caption=basins.caption(bm))

    loop_s, loop_all, maps = median_of(repeats, lambda: basins.basin_maps(
        LANDSCAPE, configs, resolution=res, steps=steps))
    parts = [(oc.OPTIMIZERS[k].build(v), runs) for k, v in configs]
    within = basins.NearMinima(maps[0].minima, maps[0].tolerance)
    stacked_x0 = np.tile(x0, (len(configs), 1))
    stack_s, stack_all, ends = median_of(repeats, lambda: basins.endpoints(
        oc.stack(parts), landscape, stacked_x0, steps, within))
    for i, bm in enumerate(maps):
        part = slice(i * runs, (i + 1) * runs)
        assert np.array_equal(ends.final_positions[part], bm.final_positions.reshape(-1, 2))
        assert np.array_equal(ends.first_within[part], bm.steps_to_tol.ravel())
    print("  side by side: one after the other (basin_maps) " + ", ".join(f"{s:.3f}" for s in loop_all)
          + " s; stacked " + ", ".join(f"{s:.3f}" for s in stack_all) + " s")
    figures.update(side_by_side_loop_s=loop_s, side_by_side_stacked_s=stack_s)
    report(figures, args.quick)
    return figures


def report(f: dict, quick: bool) -> None:
    size = f"{f['runs']:,} starts x {f['steps']:,} steps"
    rows = []
    for key, p in f["per_optimizer"].items():
        lean = p["lean_s"]
        rows += [
            (f"{key} (lr {p['lr']:g}): basin_map, {size}", lean, "1 (reference)"),
            (f"{key}: driver, final point only (no steps-to-tolerance)", p["floor_s"],
             f"basin_map / driver = {lean / p['floor_s']:.2f}"),
            (f"{key}: driver, full trace ({p['slice_runs']:,} starts timed, x {f['runs'] / p['slice_runs']:.0f}; "
             f"{p['trace_full_grid_mb']:,.0f} MB for the grid)", p["trace_total_s"],
             f"{p['trace_total_s'] / lean:.1f} x slower"),
            (f"{key}: one start per driver call ({p['singles']} timed, x {f['runs'] / p['singles']:,.0f})",
             p["one_total_s"], f"{p['one_total_s'] / lean:,.0f} x slower"),
        ]
    rows += [
        ("side by side, " + " + ".join(f["per_optimizer"]) + ": one after the other (basin_maps)",
         f["side_by_side_loop_s"], "1 (reference)"),
        ("side by side: one stacked batch (optim_core.stack; classification not included)",
         f["side_by_side_stacked_s"],
         f"stacked / one after the other = {f['side_by_side_stacked_s'] / f['side_by_side_loop_s']:.2f}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'seconds':>9}  ratio")
    for what, seconds, ratio in rows:
        print(f"{what:<{width}}  {seconds:>9.3f}  {ratio}")
    print("medians of the repeats; the extrapolated rows scale a timed subset by the number of starts. "
          "Final points and divergence steps equal the driver's bit for bit; steps-to-tolerance "
          "equal those read off the full trace.")
    if not quick:
        print(f"target: one optimizer's map < {TARGET_S:g} s: "
              + ", ".join(f"{k} {p['lean_s'] < TARGET_S}" for k, p in f["per_optimizer"].items()))
    print("command: python -m bench.basins" + (" --quick" if quick else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
