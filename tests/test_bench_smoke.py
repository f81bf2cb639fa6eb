"""The benchmark script runs end to end (a smoke test: timings are never asserted)."""

from bench.core import main


def test_quick_benchmark_completes_and_returns_its_figures():
    figures = main(["--quick"])
    assert isinstance(figures, dict)
    for key in ("core_final_s", "core_trace_s", "plain_loop_s", "torch_batched_s",
                "torch_loop_autograd_per_run_s", "speedup_autograd", "core_over_torch_batched"):
        assert isinstance(figures[key], float)


def test_quick_slide_export_benchmark_completes():
    from bench.movie import main as movie_main

    figures = movie_main(["--quick"])
    timings = {k: v for k, v in figures.items() if k.endswith("_s")}
    assert timings and all(isinstance(v, float) and v > 0 for v in timings.values()), figures
