"""Slides export: the GIF and MP4 read back with the right frame count and size, and their first and
last frames show the runs where the core put them, in their colours, with the step counter moving.

Pixel positions are computed here from the view range and the plot rectangle found in the picture
(the landscape is a flat colour, so its rectangle is easy to find), not from the module's layout.
"""

from __future__ import annotations

import base64
import io

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageColor, ImageFont

import landscapes
import optim_core as oc
from viz import movie
from viz.background import Background
from viz.colors import color_of
from viz.runs import registry_views

FLAT = (250, 236, 90)  # the landscape's colour in these tests: no optimizer, white or black is near it
KEYS = ("sgd", "momentum", "adam")
STEPS = 40


def flat_background(x_range, y_range) -> Background:
    buf = io.BytesIO()
    Image.new("RGB", (48, 32), FLAT).save(buf, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return Background(uri, tuple(x_range), tuple(y_range), [], (0.0, 1.0), False)


def rgb(key: str) -> np.ndarray:
    return np.array(ImageColor.getrgb(color_of(key)))


@pytest.fixture(scope="module")
def booth():
    """SGD, momentum and Adam from Booth's start for 40 steps: three well separated end points."""
    ls = landscapes.get("booth")
    parts = [(oc.sgd(0.01), 1), (oc.sgd(0.01, momentum=0.9), 1), (oc.adam(0.1), 1)]
    trace = oc.run(oc.stack(parts), ls, np.array([ls.start] * 3), STEPS)
    views = registry_views(trace, KEYS)
    assert not trace.diverged.any()
    # a 2:1 view, so that equal scales on x and y are a real constraint on the layout
    pts = np.concatenate([v.positions for v in views])
    cx, cy = pts.mean(axis=0)
    half = max(np.ptp(pts[:, 0]) / 2, np.ptp(pts[:, 1])) / 2 + 1.0
    bg = flat_background((cx - 2 * half, cx + 2 * half), (cy - half, cy + half))
    return ls, views, bg


def plot_rect(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, width, height) of the flat landscape in a frame."""
    ys, xs = np.nonzero(np.abs(frame.astype(int) - FLAT).max(axis=2) <= 3)
    return xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1


def to_pixel(xy, rect, bg: Background) -> tuple[int, int]:
    left, top, w, h = rect
    (x0, x1), (y0, y1) = bg.x_range, bg.y_range
    return (int(left + (xy[0] - x0) / (x1 - x0) * w), int(top + (y1 - xy[1]) / (y1 - y0) * h))


def gif_frames(data: bytes) -> tuple[Image.Image, list[np.ndarray], list[int]]:
    im = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for i in range(im.n_frames):
        im.seek(i)
        frames.append(np.asarray(im.convert("RGB")))
        durations.append(im.info["duration"])
    return im, frames, durations


@pytest.fixture(scope="module")
def gif(booth):
    ls, views, bg = booth
    data = movie.gif_bytes(movie.render_frames(bg, views, ls.start, max_frames=12, title="Booth"), fps=25, hold=1.0)
    return gif_frames(data)


def test_gif_has_one_frame_per_chosen_step_at_1280x720_and_loops(gif):
    im, frames, durations = gif
    # 41 positions spread over 12 frames: round(linspace(0, 40, 12)) has 12 distinct steps
    assert im.n_frames == 12 and im.size == (1280, 720) and im.info["loop"] == 0
    assert durations[:-1] == [40] * 11 and durations[-1] == 40 + 1000  # the last frame is held 1 s


def test_plot_keeps_equal_scales_on_a_2_to_1_view(booth, gif):
    _, _, bg = booth
    _, _, w, h = plot_rect(gif[1][0])
    (x0, x1), (y0, y1) = bg.x_range, bg.y_range
    assert abs(w - h * (x1 - x0) / (y1 - y0)) <= 2  # pixels per unit equal on x and y, to 2 px
    assert w > 600  # and it uses the frame


def test_first_frame_has_every_run_at_the_start_and_no_path_yet(booth, gif):
    ls, views, bg = booth
    first = gif[1][0]
    rect = plot_rect(first)
    left, top, w, h = rect
    sx, sy = to_pixel(ls.start, rect, bg)
    plot = first[top:top + h, left:left + w]
    colours = [rgb(k) for k in KEYS]
    # the dots are stacked at the start: the top one (the last run) shows in its exact colour
    assert (first[sy, sx] == colours[-1]).all()
    for key, colour in zip(KEYS, colours):
        ys, xs = np.nonzero((plot == colour).all(axis=2))
        if len(xs):  # only at the start: no run has moved yet
            assert np.hypot(xs + left - sx, ys + top - sy).max() <= 12, key
        # every run is in the legend, in its exact colour, outside the plot
        outside = first.copy()
        outside[top:top + h, left:left + w] = 0
        assert (outside == colour).all(axis=2).sum() > 50, key
    # the start ring shows around the dots
    ring = first[sy - 14:sy + 15, sx - 14:sx + 15]
    assert (np.abs(ring.astype(int) - 17).max(axis=2) <= 8).sum() > 20


def test_last_frame_has_each_dot_at_its_final_point_in_its_colour(booth, gif):
    _, views, bg = booth
    last = gif[1][-1]
    rect = plot_rect(gif[1][0])
    ends = [to_pixel(v.positions[-1], rect, bg) for v in views]
    for i, (v, (x, y)) in enumerate(zip(views, ends)):
        assert min(np.hypot(x - a, y - b) for j, (a, b) in enumerate(ends) if j != i) > 30  # dots apart
        patch = last[y - 2:y + 3, x - 2:x + 3]
        assert (patch == rgb(v.key)).all(), v.label
        # the path led there: the run's colour is also far from its dot
        ys, xs = np.nonzero((last == rgb(v.key)).all(axis=2))
        inside = (xs >= rect[0]) & (xs < rect[0] + rect[2])
        assert np.hypot(xs[inside] - x, ys[inside] - y).max() > 40, v.label


def test_step_counter_changes_in_large_type_beside_the_plot(gif):
    first, last = gif[1][0], gif[1][-1]
    left, top, w, h = plot_rect(first)
    changed = (first != last).any(axis=2)
    changed[top - 2:top + h + 2, left - 2:left + w + 2] = False  # the paths and dots
    ys, xs = np.nonzero(changed)
    assert len(xs), "the counter does not change"
    assert xs.min() > left + w  # beside the plot
    assert ys.max() - ys.min() + 1 >= 28  # the changed digits are at least 28 px tall


def test_mp4_reads_back_with_its_frames_and_final_points(booth):
    ls, views, bg = booth
    data = movie.mp4_bytes(movie.render_frames(bg, views, ls.start, max_frames=150), fps=10, hold=0.5)
    assert data[4:8] == b"ftyp"
    frames = iio.imread(data, extension=".mp4", index=None)
    assert frames.shape == (41 + 5, 720, 1280, 3)  # every position, then the last one for 0.5 s
    meta = iio.immeta(data, extension=".mp4")
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    rect = plot_rect(frames[0].astype(int))
    start_x, start_y = to_pixel(ls.start, rect, bg)
    for v in views:
        x, y = to_pixel(v.positions[-1], rect, bg)
        colour = frames[-1][y - 2:y + 3, x - 2:x + 3].reshape(-1, 3).mean(axis=0)
        assert np.abs(colour - rgb(v.key)).max() < 30, v.label  # lossy, chroma at half resolution
    assert np.abs(frames[0][start_y, start_x].astype(int) - rgb(KEYS[-1])).max() < 30
    assert np.abs(frames[0].astype(int) - frames[-1]).max() > 100  # it moves


def test_diverged_run_stops_at_its_last_finite_point_with_a_cross():
    ls = landscapes.get("beale")
    trace = oc.run(oc.sgd(0.01, momentum=0.9), ls, np.array([ls.start]), 40)
    (v,) = registry_views(trace, ["momentum"])
    assert v.diverged_at > 0 and v.last_valid < 40
    end = v.positions[v.last_valid]
    pts = v.positions[: v.last_valid + 1]
    (cx, cy), half = (pts.min(axis=0) + pts.max(axis=0)) / 2, 0.55 * np.ptp(pts, axis=0).max()
    bg = flat_background((cx - half, cx + half), (cy - half, cy + half))
    frames = [np.asarray(f.convert("RGB")) for f in movie.render_frames(bg, [v], ls.start, max_frames=100)]
    rect = plot_rect(frames[0])
    left, top, w, h = rect
    x, y = to_pixel(end, rect, bg)
    final = frames[-1]
    assert (final[y, x] == rgb("momentum")).all()
    # an x, not a dot: its arms on the diagonals, the landscape beside its centre
    colour = rgb("momentum")
    assert all((final[y + dy, x + dx] == colour).all() for dx, dy in ((5, 5), (-5, 5), (5, -5), (-5, -5)))
    beside = [(final[y + dy, x + dx] == colour).all() for dx, dy in ((6, 0), (-6, 0), (0, 6), (0, -6))]
    assert sum(beside) <= 1  # (the path comes in from one side)
    # after the last finite point nothing moves on the map
    frozen = frames[v.last_valid:]
    assert all((f[top:top + h, left:left + w] == final[top:top + h, left:left + w]).all() for f in frozen)


def test_paths_far_off_the_map_are_clipped_to_it():
    ls = landscapes.get("beale")
    trace = oc.run(oc.sgd(0.01, momentum=0.9), ls, np.array([ls.start]), 40)
    views = registry_views(trace, ["momentum"])
    assert np.abs(views[0].positions[views[0].last_valid]).max() > 100  # it flew far away
    bg = flat_background(*ls.domain)
    first, *_, last = (np.asarray(f.convert("RGB")) for f in movie.render_frames(bg, views, ls.start, max_frames=5))
    left, top, w, h = plot_rect(first)
    ys, xs = np.nonzero((last == rgb("momentum")).all(axis=2))
    below_or_left = (ys > top + h + 1) | (xs < left - 1) | ((ys < top - 1) & (xs < left + w))
    assert below_or_left.sum() == 0
    assert ((xs >= left) & (xs < left + w) & (ys >= top) & (ys < top + h)).sum() > 50  # drawn inside


def test_dash_pieces_follow_the_pattern_along_the_path():
    # a 100 px line dashed 16 on, 10 off: dashes at [0, 16], [26, 42], [52, 68], [78, 94]
    p = movie.path_pieces(np.array([[0.0, 10.0], [100.0, 10.0]]), (200, 200), (16, 10))
    np.testing.assert_allclose(p.a[:, 0], [0, 26, 52, 78])
    np.testing.assert_allclose(p.b[:, 0], [16, 42, 68, 94])
    # a corner inside a dash: the dash goes on around it (10 px along x, then 6 along y)
    p = movie.path_pieces(np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 30.0]]), (200, 200), (16, 10))
    np.testing.assert_allclose(np.c_[p.a, p.b][:2], [[0, 0, 10, 0], [10, 0, 10, 6]])
    # then the dash [26, 42] of the 40 px path: the second segment from 16 px on to its end
    assert list(p.segment) == [0, 1, 1]
    np.testing.assert_allclose(np.c_[p.a, p.b][2], [10, 16, 10, 30])


def test_segments_leaving_the_canvas_are_cut_at_its_margin():
    margin = 2 * movie.PATH_W
    p = movie.path_pieces(np.array([[-1e12, 50.0], [50.0, 50.0], [50.0, 1e12]]), (100, 100), None)
    np.testing.assert_allclose(p.a, [[-margin, 50], [50, 50]])
    np.testing.assert_allclose(p.b, [[50, 50], [50, 100 + margin]])
    none = movie.path_pieces(np.array([[-50.0, -50.0], [-50.0, 150.0]]), (100, 100), None)
    assert len(none.segment) == 0


def test_renders_with_pillows_own_font_when_dejavu_is_missing(monkeypatch, booth):
    ls, views, bg = booth

    truetype = ImageFont.truetype

    def no_font_files(font, *args, **kwargs):  # Pillow's own font comes from memory, not a file
        if isinstance(font, str):
            raise OSError("cannot open resource")
        return truetype(font, *args, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", no_font_files)
    movie.font.cache_clear()
    try:
        first, last = (np.asarray(f.convert("RGB")) for f in movie.render_frames(bg, views, ls.start, max_frames=2))
    finally:
        movie.font.cache_clear()
    left, top, w, h = plot_rect(first)
    changed = (first != last).any(axis=2)
    changed[top - 2:top + h + 2, left - 2:left + w + 2] = False
    ys, _ = np.nonzero(changed)
    assert ys.max() - ys.min() + 1 >= 28  # Pillow's scalable font, at the counter's size


def test_animation_files_gives_both_formats():
    ls = landscapes.get("sphere")
    trace = oc.run(oc.adam(0.1), ls, np.array([ls.start]), 20)
    files = movie.animation_files(flat_background(*ls.domain), registry_views(trace, ["adam"]), ls.start,
                                  title="Sphere", minima=ls.minima)
    assert set(files) == {"gif", "mp4"} == set(movie.MIME)
    assert files["gif"][:6] == b"GIF89a" and files["mp4"][4:8] == b"ftyp"
    assert Image.open(io.BytesIO(files["gif"])).n_frames == 21
    with pytest.raises(ValueError):
        movie.animation_files(flat_background(*ls.domain), [], ls.start, formats=("webm",))


def test_the_export_takes_the_pages_frames_when_they_are_spaced_in_log_t(booth):
    from viz.runs import frame_indices

    ls, views, bg = booth
    n = len(views[0].positions)
    frames = list(movie.render_frames(bg, views, ls.start, size=(640, 360), max_frames=30, pace="log"))
    assert len(frames) == len(frame_indices(n, 30, "log")) != len(frame_indices(n, 30))
