"""Server time of a playground rerun and the size of what it ships to the browser.

    python -m bench.playground [--quick]

Measured here, in one process: a default playground run through AppTest (first run, then a rerun
after a control change that needs a new computation, then a rerun that hits the cache), the same
for the rescaling page (two runs and two backgrounds per view, after a change of s), the pure
parts alone (the batched run, the figures), and the JSON payload of each chart, for the default
4 optimizers x 500 steps and for 4 optimizers x 1,000 steps. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import landscapes
import optim_core as oc
from runs import playground as experiments
from runs import tuning
from viz.runs import registry_views
from viz import background, curves, trajectory

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def pure_parts(steps: int, repeats: int) -> dict:
    ls = landscapes.get("rosenbrock")
    suggested = tuning.suggest(ls)
    keys = ("sgd", "momentum", "adam", "adabound")
    configs = tuple(experiments.config(k, {**oc.OPTIMIZERS[k].defaults(), **suggested[k]}) for k in keys)
    run = lambda: experiments.playground_trace(ls.key, configs, ls.start, steps, oc.CONSTANT, 0.0, 0)  # noqa: E731
    trace = run()
    views = registry_views(trace, [key for key, _ in configs])
    x_range, y_range = trajectory.view_range(ls.domain, views, ls.start)
    bg = background.render(ls, (x_range, y_range))
    figs = {"contour": lambda: trajectory.contour_figure(ls, views, ls.start, bg),
            "surface": lambda: trajectory.surface_figure(ls, views, x_range, y_range),
            "loss": lambda: curves.loss_figure(views, ls)}
    out = {"run": _best(run, repeats), "background": _best(lambda: background.render(ls, (x_range, y_range)), repeats),
           "suggestions (once per landscape)": _best(lambda: tuning.suggest(ls), repeats)}
    for name, make in figs.items():
        out[f"{name} figure"] = _best(lambda: make().to_json(), repeats)
        out[f"{name} payload MB"] = len(make().to_json()) / 1e6
    return out


def apptest_rerun(repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    import streamlit as st

    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/playground.py")
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    changes, cached = [], []
    for i in range(repeats):
        at.number_input(key="adam.lr").set_value(0.05 + 0.01 * i)
        t0 = time.perf_counter()
        at.run()
        changes.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - t0)
    payload = sum(len(c.proto.spec) for c in at.get("plotly_chart")) / 1e6
    return {"first run (cold caches)": first, "rerun after a change": min(changes),
            "rerun, nothing changed": min(cached), "all charts payload MB": payload}


def apptest_rescaling(repeats: int) -> dict:
    """The rescaling page with the playground's default settings: a rerun after a change of s needs
    the run on f(x, s y) and its background anew (the run on f comes from the cache)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/rescaling.py")
    at.run()
    changes = []
    for i in range(repeats):
        at.number_input(key="s").set_value(3.0 + i)
        t0 = time.perf_counter()
        at.run()
        changes.append(time.perf_counter() - t0)
    payload = sum(len(c.proto.spec) for c in at.get("plotly_chart")) / 1e6
    return {"rescaling page: rerun after s changed": min(changes), "rescaling chart payload MB": payload}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test)")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else 5
    results = {"apptest": apptest_rerun(repeats)}
    results["apptest"].update(apptest_rescaling(repeats))
    results["apptest"]["ratio: rescaling / playground rerun"] = (
        results["apptest"]["rescaling page: rerun after s changed"] / results["apptest"]["rerun after a change"])
    for steps in ((500,) if args.quick else (500, 1000)):
        results[f"4 optimizers x {steps} steps"] = pure_parts(steps, repeats)
    print(f"playground benchmark (best of {repeats}; numpy {np.__version__})")
    for section, rows in results.items():
        print(f"\n{section}")
        for name, value in rows.items():
            unit = "" if ("MB" in name or "ratio" in name) else " s"
            print(f"  {name:<40} {value:8.3f}{unit}")
    print("\ncommand: python -m bench.playground")
    return results


if __name__ == "__main__":
    main()
