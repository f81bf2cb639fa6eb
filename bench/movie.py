"""How long does a slides export take, and how large is it? The playground's default optimizers
(SGD, momentum, Adam, AdaBound, with the measured suggestions) for 300 steps on Rosenbrock, drawn
at 1280x720 by viz.movie and encoded as

* GIF: at most viz.movie.GIF_MAX_FRAMES frames on one shared palette, unchanged pixels transparent;
  against the baseline of the same frames handed to Pillow as RGB (it quantizes every frame; timed
  once, it is slow);
* MP4: at most viz.movie.MP4_MAX_FRAMES frames, H.264 yuv420p through imageio's ffmpeg plugin;
  beside it, the same frames drawn beforehand and only encoded (ffmpeg, a process of its own,
  encodes while Python draws, so the export costs little more than the encoding).

Budget per file: <= 10 s and <= 5 MB. Every figure comes from this one process on this machine
and is the best of a few repeats; nothing is asserted.

    python -m bench.movie            # 4 optimizers x 300 steps, best of 3
    python -m bench.movie --quick    # a smoke run: 100 steps, one repeat, no GIF baseline
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time

import numpy as np
import PIL

import landscapes
import optim_core as oc
from runs import playground as experiments
from runs import tuning
from viz import background, movie, trajectory
from viz.runs import registry_views

KEYS = ("sgd", "momentum", "adam", "adabound")  # the playground's default choice
BUDGET_S, BUDGET_MB = 10.0, 5.0
FULL = dict(steps=300, repeats=3)
QUICK = dict(steps=100, repeats=1)


def machine() -> str:
    import imageio
    import imageio_ffmpeg

    return (f"python {platform.python_version()}, numpy {np.__version__}, Pillow {PIL.__version__}, "
            f"imageio {imageio.__version__}, ffmpeg {imageio_ffmpeg.get_ffmpeg_version()}\n"
            f"cores: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); load average "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def playground_run(landscape_key: str, steps: int):
    """What the page has when the download button is pressed: views, background, start, minima."""
    ls = landscapes.get(landscape_key)
    suggested = tuning.suggest(ls)
    configs = tuple(experiments.config(k, {**oc.OPTIMIZERS[k].defaults(), **suggested[k]}) for k in KEYS)
    trace = experiments.playground_trace(ls.key, configs, ls.start, steps, oc.CONSTANT, 0.0, 0)
    views = registry_views(trace, KEYS)
    x_range, y_range = trajectory.view_range(ls.domain, views, ls.start)
    return ls, views, background.render(ls, (x_range, y_range))


def best_of(repeats, fn):
    """(best seconds, last result) of ``repeats`` calls of ``fn()``."""
    times, out = [], None
    for _ in range(repeats):
        out = None
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def gif_quantized_per_frame(frames) -> bytes:
    """The baseline: RGB frames, each quantized by Pillow to its own palette."""
    rgb = [f.convert("RGB") for f in frames]
    out = io.BytesIO()
    rgb[0].save(out, format="GIF", save_all=True, append_images=rgb[1:], duration=round(1000 / movie.GIF_FPS),
                loop=0, optimize=True)
    return out.getvalue()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.movie", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 steps, one repeat, no GIF baseline")
    parser.add_argument("--landscape", default="rosenbrock", help="a landscape key (default rosenbrock)")
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    steps, repeats, quick = cfg["steps"], cfg["repeats"], args.quick

    ls, views, bg = playground_run(args.landscape, steps)
    print(machine())
    print(f"{len(views)} optimizers ({', '.join(v.label for v in views)}) x {steps} steps on {ls.name}, "
          f"{movie.SIZE[0]}x{movie.SIZE[1]}; best of {repeats} repeat(s)\n")

    def render(max_frames):
        return list(movie.render_frames(bg, views, ls.start, max_frames=max_frames, title=ls.name,
                                        minima=ls.minima))

    def export(fmt, max_frames):
        encode = movie.gif_bytes if fmt == "gif" else movie.mp4_bytes
        return encode(movie.render_frames(bg, views, ls.start, max_frames=max_frames, title=ls.name,
                                          minima=ls.minima))

    f = {"steps": steps, "repeats": repeats, "landscape": ls.key}
    for fmt, cap, fps in (("gif", movie.GIF_MAX_FRAMES, movie.GIF_FPS), ("mp4", movie.MP4_MAX_FRAMES, movie.MP4_FPS)):
        f[f"{fmt}_render_s"], frames = best_of(repeats, lambda: render(cap))
        f[f"{fmt}_frames"] = len(frames)
        f[f"{fmt}_fps"] = fps
        f[f"{fmt}_s"], data = best_of(repeats, lambda: export(fmt, cap))
        f[f"{fmt}_mb"] = len(data) / 1e6
        if fmt == "gif" and not quick:
            f["gif_baseline_s"], base = best_of(1, lambda: gif_quantized_per_frame(frames))  # it is slow
            f["gif_baseline_s"] += f["gif_render_s"]
            f["gif_baseline_mb"] = len(base) / 1e6
        elif fmt == "mp4":
            f["mp4_encode_only_s"], _ = best_of(repeats, lambda: movie.mp4_bytes(frames))
        del frames
    print_table(f, args.quick)
    return f


def print_table(f, quick):
    hold = f"+ {movie.HOLD_S:g} s on the last"
    rows = [
        (f"GIF: render {f['gif_frames']} frames only", f["gif_render_s"], None, ""),
        (f"GIF: render + encode ({f['gif_frames']} frames at {f['gif_fps']} fps {hold})", f["gif_s"], f["gif_mb"],
         "1 (reference)"),
        *([] if quick else [  # the baseline takes half a minute: not in a smoke run
            ("GIF baseline: the same frames in RGB, quantized per frame", f["gif_baseline_s"], f["gif_baseline_mb"],
             f"{f['gif_baseline_s'] / f['gif_s']:.2f} x the time, "
             f"{f['gif_baseline_mb'] / f['gif_mb']:.2f} x the size")]),
        (f"MP4: render {f['mp4_frames']} frames only", f["mp4_render_s"], None, ""),
        (f"MP4: render + encode ({f['mp4_frames']} frames at {f['mp4_fps']} fps {hold})", f["mp4_s"], f["mp4_mb"],
         "1 (reference)"),
        ("MP4: encode only (frames rendered beforehand)", f["mp4_encode_only_s"], None,
         f"{f['mp4_encode_only_s'] / f['mp4_s']:.2f} x the export (ffmpeg encodes while frames are drawn)"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  {'MB':>6}  ratio")
    for what, seconds, mb, ratio in rows:
        print(f"{what:<{width}}  {seconds:>8.3f}  {'' if mb is None else f'{mb:.3f}':>6}  {ratio}")
    print(f"\nbudget per file: <= {BUDGET_S:g} s and <= {BUDGET_MB:g} MB"
          + (" (at 300 steps; this is a --quick run)" if quick else ""))
    for fmt in ("gif", "mp4"):
        ok = f[f"{fmt}_s"] <= BUDGET_S and f[f"{fmt}_mb"] <= BUDGET_MB
        print(f"  {fmt.upper()}: {f[f'{fmt}_s']:.2f} s, {f[f'{fmt}_mb']:.2f} MB: {'within' if ok else 'OVER'}")
    print("command: python -m bench.movie" + (" --quick" if quick else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
