"""The playground's animation as a GIF and an MP4 for slides, 16:9 at 1280x720.

Pillow draws every frame (no browser, no figure library): a browser screenshot costs about half a
second a frame, far over a budget of 300 frames in ten seconds. imageio's ffmpeg plugin encodes
the MP4 (H.264, yuv420p); Pillow writes the GIF.

Frames are palette ("P") images on one fixed palette. The static picture (the landscape's raster,
the faint whole paths, the start, the minima, ticks, title and legend text) is drawn once in RGB
and quantized once; each colour that moves (every optimizer's colour, the markers' black and white)
gets its own palette entry, added after the quantized ones. So an optimizer's colour stays exact in
the GIF, and no frame is quantized, which is what makes GIF encoding slow. One entry stays free,
for the GIF's transparent "unchanged since the last frame" pixels, which keep the file small.

A path only grows, so each frame draws just its new stretch onto a persistent plot canvas; the
moving dots and the step counter go on a copy. The first frame is every run at the start (step 0),
the last the whole run; frame k shows ``positions[k]``, after step ``steps[k - 1]``, as on the
page (``viz.trajectory.step_labels``).
"""

from __future__ import annotations

import base64
import functools
import io
import os
import tempfile
from typing import Iterable, Iterator, NamedTuple, Sequence

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .background import Background
from .colors import dash_of
from .runs import RunView, frame_indices
from .trajectory import step_labels

SIZE = (1280, 720)  # 16:9; both sides divisible by 16, H.264's macroblock
GIF_MAX_FRAMES, GIF_FPS = 150, 25  # a pass in 6 s, like the page's play at 1x; 40 ms is a whole GIF delay (1/100 s)
MP4_MAX_FRAMES, MP4_FPS = 300, 30
HOLD_S = 1.5  # the last frame stays this long, so the end is seen before the loop restarts
MIME = {"gif": "image/gif", "mp4": "video/mp4"}

# layout at 1280x720 (scaled with the frame's height for other sizes)
PANEL_W = 400  # the right-hand panel: title, step counter, legend
PAD = 24
AXIS_LEFT, AXIS_BOTTOM = 84, 60  # room for the tick labels
COUNTER_PX = 46  # the step counter's type: readable from the back row (>= 28 px)
LABEL_PX, TITLE_PX, TICK_PX, NOTE_PX = 28, 30, 19, 20
SWATCH_W = 64  # a legend entry's line

LETTERBOX = (255, 255, 255)
INK = (17, 17, 17)  # text, the start ring, tick marks
FRAME_GREY = (140, 140, 140)
NOTE_GREY = (90, 90, 90)  # small text: in a run's colour it would not keep that colour through quantization
WHITE = (255, 255, 255)
WHOLE_PATH_ALPHA = 0.28  # the page's faint whole path

PATH_W, DOT_R, START_R, STAR_R, CROSS_R = 4, 9, 11, 12, 11
# dash patterns in pixels (on, off, ...); one per viz.colors dash name
DASHES = {"solid": None, "dash": (16, 10), "dot": (4, 8), "dashdot": (16, 8, 4, 8), "longdash": (28, 10)}
MAX_DASHES = 50_000  # a path so long in pixels (an oscillation) is drawn solid: its dashes would be a smear


def _rgb(color: str) -> tuple[int, int, int]:
    return ImageColor.getrgb(color)[:3]


@functools.lru_cache(maxsize=16)
def font(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """DejaVu Sans where installed, else Pillow's own scalable font (10.1+), else its bitmap font."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one small bitmap size
        return ImageFont.load_default()


class Layout(NamedTuple):
    plot: tuple[int, int, int, int]  # left, top, width, height of the landscape's rectangle
    panel_left: int
    scale: float  # the frame's height over 720: every length in pixels above is multiplied by it


def layout(size: tuple[int, int], x_range, y_range) -> Layout:
    """Where the plot goes: the largest rectangle with equal scales on x and y (a circle stays
    round) that fits left of the panel, centred in that room; the rest is letterbox."""
    width, height = size
    s = height / 720
    panel_left = width - round(PANEL_W * s)
    room_l, room_t = round(AXIS_LEFT * s), round(PAD * s)
    room_w, room_h = panel_left - round(PAD * s) - room_l, height - round(AXIS_BOTTOM * s) - room_t
    (x0, x1), (y0, y1) = x_range, y_range
    px_per_unit = min(room_w / (x1 - x0), room_h / (y1 - y0))
    w, h = round((x1 - x0) * px_per_unit), round((y1 - y0) * px_per_unit)
    return Layout((room_l + (room_w - w) // 2, room_t + (room_h - h) // 2, w, h), panel_left, s)


def _to_canvas(xy: np.ndarray, plot, x_range, y_range) -> np.ndarray:
    """Data (N, 2) -> pixel coordinates on the plot canvas (origin at its top-left corner)."""
    _, _, w, h = plot
    (x0, x1), (y0, y1) = x_range, y_range
    return np.stack([(xy[:, 0] - x0) * (w / (x1 - x0)), (y1 - xy[:, 1]) * (h / (y1 - y0))], axis=1)


# ----------------------------------------------------------------------------- paths as pieces
#
# A path is cut into straight pieces once, in canvas pixels: each segment clipped to the canvas
# (a diverging run may leave it by orders of magnitude) and, for a dashed path, cut at the dash
# pattern's edges measured along the visible length. A frame then draws the pieces of its new
# segments, joined into polylines where they touch.


class Pieces(NamedTuple):
    segment: np.ndarray  # (P,) index i of the segment positions[i] -> positions[i + 1], ascending
    a: np.ndarray  # (P, 2) start of each piece
    b: np.ndarray  # (P, 2) end of each piece


def _clip(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Liang-Barsky: the part t in [t0, t1] of each segment a + t (b - a) inside the box [lo, hi]."""
    d = b - a
    t0, t1 = np.zeros(len(a)), np.ones(len(a))
    outside = np.zeros(len(a), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for axis in range(2):
            for p, q in ((-d[:, axis], a[:, axis] - lo[axis]), (d[:, axis], hi[axis] - a[:, axis])):
                r = q / p
                outside |= (p == 0) & (q < 0)
                t0 = np.where(p < 0, np.maximum(t0, r), t0)
                t1 = np.where(p > 0, np.minimum(t1, r), t1)
    return t0, t1, ~outside & (t0 < t1)


def path_pieces(px: np.ndarray, canvas: tuple[int, int], dash: tuple[int, ...] | None) -> Pieces:
    """The visible pieces of the polyline ``px`` (N, 2) on a canvas of size (w, h), dashed with the
    pattern ``dash`` (on, off, ... in pixels) or solid for None."""
    if len(px) < 2:
        return Pieces(np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros((0, 2)))
    margin = 2 * PATH_W
    lo, hi = np.array([-margin, -margin]), np.array([canvas[0] + margin, canvas[1] + margin])
    a0, b0 = px[:-1], px[1:]
    t0, t1, visible = _clip(a0, b0, lo, hi)
    seg = np.flatnonzero(visible)
    a = a0[seg] + t0[seg, None] * (b0[seg] - a0[seg])
    b = a0[seg] + t1[seg, None] * (b0[seg] - a0[seg])
    if dash is None or not len(seg):
        return Pieces(seg, a, b)
    length = np.linalg.norm(b - a, axis=1)
    s_end = np.cumsum(length)
    s_start = s_end - length
    period = float(sum(dash))
    n_periods = int(np.ceil(s_end[-1] / period)) + 1
    if n_periods * len(dash) // 2 > MAX_DASHES:
        return Pieces(seg, a, b)
    offsets = np.concatenate([[0.0], np.cumsum(dash)[:-1]])
    on_lo = (np.arange(n_periods)[:, None] * period + offsets[None, ::2]).ravel()
    on_hi = on_lo + np.tile(np.asarray(dash[::2], dtype=float), n_periods)
    first = np.searchsorted(on_hi, s_start, side="right")
    count = np.maximum(np.searchsorted(on_lo, s_end, side="left") - first, 0)
    owner = np.repeat(np.arange(len(seg)), count)  # which visible segment each piece is on
    j = first[owner] + np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    u0 = np.maximum(on_lo[j], s_start[owner]) - s_start[owner]
    u1 = np.minimum(on_hi[j], s_end[owner]) - s_start[owner]
    keep = u1 > u0
    owner, u0, u1 = owner[keep], u0[keep], u1[keep]
    direction = (b - a)[owner] / np.where(length[owner] > 0, length[owner], 1.0)[:, None]
    return Pieces(seg[owner], a[owner] + u0[:, None] * direction, a[owner] + u1[:, None] * direction)


def _polylines(a: np.ndarray, b: np.ndarray) -> Iterator[list[float]]:
    """Consecutive pieces that touch, as flat point lists for ImageDraw.line (rounded joints)."""
    if not len(a):
        return
    breaks = np.flatnonzero(np.abs(a[1:] - b[:-1]).max(axis=1) > 1e-6) + 1
    for lo, hi in zip(np.concatenate([[0], breaks]), np.concatenate([breaks, [len(a)]])):
        yield np.concatenate([a[lo:lo + 1], b[lo:hi]]).ravel().tolist()


def draw_pieces(draw: ImageDraw.ImageDraw, pieces: Pieces, lo: int, hi: int, fill, width: int) -> None:
    """Draw the pieces with indices lo:hi."""
    for points in _polylines(pieces.a[lo:hi], pieces.b[lo:hi]):
        draw.line(points, fill=fill, width=width, joint="curve")


# ----------------------------------------------------------------------------- the static picture


def _ticks(lo: float, hi: float, target: int = 5) -> np.ndarray:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) inside [lo, hi]."""
    raw = (hi - lo) / target
    magnitude = 10.0 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return np.arange(np.ceil(lo / step), np.floor(hi / step) + 1) * step


def _tick_text(v: float) -> str:
    text = f"{round(v, 10):g}"
    return "0" if text == "-0" else text


def _wrap(text: str, face, width: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and face.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    angles = -np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2, 0.45 * r, r)
    return list(zip(cx + radii * np.cos(angles), cy + radii * np.sin(angles)))


def _background_raster(background: Background, size: tuple[int, int]) -> Image.Image:
    raw = background.uri.split(",", 1)[1]
    return Image.open(io.BytesIO(base64.b64decode(raw))).convert("RGB").resize(size, Image.Resampling.BILINEAR)


class _Scene(NamedTuple):
    base: Image.Image  # P: the whole static frame
    canvas: Image.Image  # P: the plot rectangle of base, onto which paths accumulate
    palette_image: Image.Image  # P, 1x1: the palette, to map the counter's antialiased text onto
    ink: dict  # "white", "ink", an optimizer key, ("faint", key) -> palette index
    counter_box: tuple[int, int, int, int]  # where the step counter goes (left, top, right, bottom)
    counter_face: ImageFont.ImageFont | ImageFont.FreeTypeFont


def _axes(d: ImageDraw.ImageDraw, lay: Layout, x_range, y_range) -> None:
    """The plot's frame, round ticks with their values, the axis names."""
    s = lay.scale
    left, top, w, h = lay.plot
    d.rectangle((left - 1, top - 1, left + w, top + h), outline=FRAME_GREY)
    face, tick, lw = font(round(TICK_PX * s)), round(7 * s), max(1, round(s))
    for v in _ticks(*x_range):
        (x, _), = _to_canvas(np.array([[v, y_range[0]]]), lay.plot, x_range, y_range)
        d.line((left + x, top + h, left + x, top + h + tick), fill=INK, width=lw)
        d.text((left + x, top + h + tick + 2), _tick_text(v), fill=INK, font=face, anchor="mt")
    for v in _ticks(*y_range):
        (_, y), = _to_canvas(np.array([[x_range[0], v]]), lay.plot, x_range, y_range)
        d.line((left - tick, top + y, left, top + y), fill=INK, width=lw)
        d.text((left - tick - 4, top + y), _tick_text(v), fill=INK, font=face, anchor="rm")
    face = font(round(22 * s))
    d.text((left + w / 2, top + h + tick + round(28 * s)), "x", fill=INK, font=face, anchor="mt")
    d.text((round(10 * s), top + h / 2), "y", fill=INK, font=face, anchor="lm")


def _panel_text(d: ImageDraw.ImageDraw, lay: Layout, size, views: Sequence[RunView], title: str | None,
                widest_counter: str):
    """Title, the counter's place and the legend's labels; returns (counter box, counter font, the
    legend rows' y). The legend's swatches come later, in reserved colours."""
    s = lay.scale
    x, right = lay.panel_left, size[0] - round(PAD * s)
    y = round(PAD * s)
    if title:
        face = font(round(TITLE_PX * s), bold=True)
        for line in _wrap(title, face, right - x):
            d.text((x, y), line, fill=INK, font=face)
            y += round(TITLE_PX * 1.3 * s)
        y += round(10 * s)
    px = round(COUNTER_PX * s)  # as large as fits "step T / T"; never below 28 px at 720 p
    while px > round(28 * s) and font(px, bold=True).getlength(widest_counter) > right - x:
        px -= 2
    counter_box = (x, y, right, y + round(px * 1.45))
    y = counter_box[3] + round(20 * s)
    label_face, note_face = font(round(LABEL_PX * s)), font(round(NOTE_PX * s))
    text_x = x + round((SWATCH_W + 16) * s)
    rows = []
    for v in views:
        d.text((text_x, y), v.label, fill=INK, font=label_face, anchor="lm")
        rows.append(y)
        y += round(LABEL_PX * 1.55 * s)
        if v.diverged_at >= 0:
            d.text((text_x, y - round(12 * s)), f"diverged at step {v.diverged_at}", fill=NOTE_GREY,
                   font=note_face, anchor="lm")
            y += round(NOTE_PX * 1.2 * s)
    return counter_box, font(px, bold=True), rows


def _on_palette(rgb: Image.Image, reserved: dict) -> tuple[Image.Image, dict, Image.Image]:
    """``rgb`` quantized to the colours the reserved ones leave (one index stays free, for the
    GIF's transparency), the reserved colours appended: (image, name -> index, palette image)."""
    base = rgb.quantize(colors=255 - len(reserved), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette = base.getpalette()[: 3 * (base.getextrema()[1] + 1)]
    ink = {}
    for name, color in reserved.items():
        ink[name] = len(palette) // 3
        palette += list(color)
    base.putpalette(palette)
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(palette + [0, 0, 0] * (256 - len(palette) // 3))
    return base, ink, palette_image


def _scene(background: Background, views: Sequence[RunView], px: Sequence[np.ndarray], start, *, size,
           lay: Layout, title: str | None, minima, widest_counter: str) -> _Scene:
    s = lay.scale
    left, top, w, h = lay.plot
    x_range, y_range = background.x_range, background.y_range
    rgb = Image.new("RGB", size, LETTERBOX)
    raster = _background_raster(background, (w, h))
    rgb.paste(raster, (left, top))
    d = ImageDraw.Draw(rgb)
    _axes(d, lay, x_range, y_range)
    counter_box, counter_face, rows = _panel_text(d, lay, size, views, title, widest_counter)

    # a faint whole path is the run's colour blended with the landscape's mean tone, one reserved
    # entry: blended pixel by pixel it would lose its colour in the quantization
    tone = np.asarray(raster, dtype=float).reshape(-1, 3).mean(axis=0)
    reserved = {"white": WHITE, "ink": INK}
    for v in views:
        reserved.setdefault(v.key, _rgb(v.color))
        faint = WHOLE_PATH_ALPHA * np.asarray(_rgb(v.color)) + (1 - WHOLE_PATH_ALPHA) * tone
        reserved.setdefault(("faint", v.key), tuple(int(c) for c in np.round(faint)))
    base, ink, palette_image = _on_palette(rgb, reserved)

    # the plot's static marks, in the page's order: whole paths, minima, start
    canvas = base.crop((left, top, left + w, top + h))
    cd = ImageDraw.Draw(canvas)
    for v, p in zip(views, px):
        whole = path_pieces(p, (w, h), None)
        draw_pieces(cd, whole, 0, len(whole.segment), ink[("faint", v.key)], max(2, round(2 * s)))
    for m in minima:
        (mx, my), = _to_canvas(np.asarray([m], dtype=float), lay.plot, x_range, y_range)
        cd.polygon(_star(mx, my, STAR_R * s), fill=ink["white"], outline=ink["ink"], width=max(1, round(2 * s)))
    (sx, sy), = _to_canvas(np.asarray([start], dtype=float), lay.plot, x_range, y_range)
    r = START_R * s
    cd.ellipse((sx - r, sy - r, sx + r, sy + r), outline=ink["ink"], width=max(2, round(3 * s)))
    base.paste(canvas, (left, top))

    bd = ImageDraw.Draw(base)
    x, swatch_w = lay.panel_left, round(SWATCH_W * s)
    for v, row in zip(views, rows):
        swatch = path_pieces(np.array([[x, row], [x + swatch_w, row]], dtype=float), size, DASHES.get(dash_of(v.key)))
        draw_pieces(bd, swatch, 0, len(swatch.segment), ink[v.key], max(2, round(PATH_W * s)))
        _dot(bd, x + swatch_w, row, 0.8 * DOT_R * s, ink[v.key], ink["white"])
    return _Scene(base, canvas, palette_image, ink, counter_box, counter_face)


def _dot(draw, x, y, r, fill, outline) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=max(1, round(r / 4.5)))


def _cross(draw, x, y, r, fill, halo, width) -> None:
    for color, wd in ((halo, width + 4), (fill, width)):
        draw.line((x - r, y - r, x + r, y + r), fill=color, width=wd)
        draw.line((x - r, y + r, x + r, y - r), fill=color, width=wd)


def _counter(scene: _Scene, text: str) -> Image.Image:
    """The step counter, antialiased in RGB, then mapped onto the palette (a small patch)."""
    l, t, r, b = scene.counter_box
    patch = Image.new("RGB", (r - l, b - t), LETTERBOX)
    ImageDraw.Draw(patch).text((0, (b - t) / 2), text, fill=INK, font=scene.counter_face, anchor="lm")
    return patch.quantize(palette=scene.palette_image, dither=Image.Dither.NONE)


# ----------------------------------------------------------------------------- frames


def frame_positions(views: Sequence[RunView], max_frames: int, pace: str = "even") -> np.ndarray:
    """Indices into positions of the frames (0 = start), spread as on the page (``pace``)."""
    n_positions = max((len(v.positions) for v in views), default=1)
    return frame_indices(n_positions, max_frames, pace)


def render_frames(background: Background, views: Sequence[RunView], start, *, size: tuple[int, int] = SIZE,
                  max_frames: int = MP4_MAX_FRAMES, title: str | None = None,
                  minima: Sequence[tuple[float, float]] = (), pace: str = "even") -> Iterator[Image.Image]:
    """The animation's frames, one "P" image each on one shared palette, drawn lazily: the
    landscape raster ``background`` over its x_range x y_range at equal scales, each run's path so
    far in its colour and dash, its current point, the start ring, ``minima`` as stars, a legend
    and "step t / T"; a diverged run stops at its last finite point, marked with an x."""
    lay = layout(size, background.x_range, background.y_range)
    s = lay.scale
    left, top, w, h = lay.plot
    px = [_to_canvas(v.positions[: v.last_valid + 1], lay.plot, background.x_range, background.y_range)
          for v in views]
    pieces = [path_pieces(p, (w, h), DASHES.get(dash_of(v.key))) for p, v in zip(px, views)]
    frames = frame_positions(views, max_frames, pace)
    labels = step_labels(views, frames)
    total = labels[-1]
    scene = _scene(background, views, px, start, size=size, lay=lay, title=title, minima=minima,
                   widest_counter=f"step {total} / {total}")
    canvas = scene.canvas.copy()
    cd = ImageDraw.Draw(canvas)
    drawn = [0] * len(views)  # pieces drawn so far, per run
    width = max(2, round(PATH_W * s))
    for k, label in zip(frames, labels):
        for i, (v, pc) in enumerate(zip(views, pieces)):
            upto = int(np.searchsorted(pc.segment, min(int(k), v.last_valid)))  # segments before the point
            if upto > drawn[i]:
                # redraw the last piece already drawn, so that the joint with it is rounded too
                draw_pieces(cd, pc, max(drawn[i] - 1, 0), upto, scene.ink[v.key], width)
                drawn[i] = upto
        plot = canvas.copy()
        pd = ImageDraw.Draw(plot)
        for v, p in zip(views, px):
            kk = min(int(k), v.last_valid)
            x, y = p[kk]
            if not (-2 * DOT_R * s <= x <= w + 2 * DOT_R * s and -2 * DOT_R * s <= y <= h + 2 * DOT_R * s):
                continue  # off the map (a diverging run): nothing to mark
            if v.diverged_at >= 0 and int(k) >= v.last_valid:
                _cross(pd, x, y, CROSS_R * s, scene.ink[v.key], scene.ink["white"], max(3, round(4 * s)))
            else:
                _dot(pd, x, y, DOT_R * s, scene.ink[v.key], scene.ink["white"])
        frame = scene.base.copy()
        frame.paste(plot, (left, top))
        frame.paste(_counter(scene, f"step {label} / {total}"), scene.counter_box[:2])
        yield frame


# ----------------------------------------------------------------------------- encoders


def _held(frames: Iterable[Image.Image], repeats: int) -> Iterator[Image.Image]:
    """The frames, then the last one ``repeats`` more times."""
    last = None
    for last in frames:
        yield last
    if last is None:
        raise ValueError("no frames to encode")
    for _ in range(repeats):
        yield last


def gif_bytes(frames: Iterable[Image.Image], *, fps: float = GIF_FPS, hold: float = HOLD_S) -> bytes:
    """An endlessly looping GIF of the frames (best with render_frames' shared palette: colours
    stay exact). The last frame shows for ``hold`` more seconds (Pillow merges the repeated frame
    into a longer delay, so the file has one frame per rendered frame)."""
    it = _held(frames, round(hold * fps))
    first = next(it)
    out = io.BytesIO()
    # optimize: pixels unchanged since the previous frame are written transparent, which
    # compresses to almost nothing
    first.save(out, format="GIF", save_all=True, append_images=it, duration=round(1000 / fps), loop=0,
               optimize=True, disposal=1)
    return out.getvalue()


def mp4_bytes(frames: Iterable[Image.Image], *, fps: float = MP4_FPS, hold: float = HOLD_S,
              crf: int = 23) -> bytes:
    """An H.264 MP4 (yuv420p, +faststart: slide software and browsers play it) of the frames,
    the last one repeated for ``hold`` seconds. ``crf``: x264's quality (lower is better, larger)."""
    import imageio.v2 as imageio

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "animation.mp4")
        writer = imageio.get_writer(
            path, format="FFMPEG", mode="I", fps=fps, codec="libx264", pixelformat="yuv420p", quality=None,
            macro_block_size=16, ffmpeg_log_level="error",
            output_params=["-crf", str(int(crf)), "-preset", "veryfast", "-movflags", "+faststart"])
        try:
            for frame in _held(frames, round(hold * fps)):
                writer.append_data(np.asarray(frame.convert("RGB")))
        finally:
            writer.close()
        with open(path, "rb") as f:
            return f.read()


def animation_files(background: Background, views: Sequence[RunView], start, *, title: str | None = None,
                    pace: str = "even",
                    minima: Sequence[tuple[float, float]] = (), formats: Sequence[str] = ("gif", "mp4"),
                    size: tuple[int, int] = SIZE) -> dict[str, bytes]:
    """{"gif": ..., "mp4": ...} (or the ``formats`` asked for), each at its own frame cap and rate;
    MIME gives each one's type."""
    unknown = [f for f in formats if f not in MIME]
    if unknown:
        raise ValueError(f"formats must be among {sorted(MIME)}, not {unknown}")
    encoders = {"gif": (gif_bytes, GIF_MAX_FRAMES), "mp4": (mp4_bytes, MP4_MAX_FRAMES)}
    out = {}
    for fmt in formats:
        encode, max_frames = encoders[fmt]
        out[fmt] = encode(render_frames(background, views, start, size=size, max_frames=max_frames, title=title, pace=pace,
                                        minima=minima))
    return out


def still_png(background: Background, views: Sequence[RunView], start, *, title: str | None = None,
              minima: Sequence[tuple[float, float]] = (), size: tuple[int, int] = SIZE) -> bytes:
    """The whole run as one 16:9 PNG (the animation's last frame): a slide's still picture."""
    *_, last = render_frames(background, views, start, size=size, max_frames=2, title=title, minima=minima)
    out = io.BytesIO()
    last.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
