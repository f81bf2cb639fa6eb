"""A landscape's static background: a raster image with contour lines baked in.

Plotly redraws contour traces during frame animation (flicker, lost frames), so the background is
an image in ``layout.images``: drawn once, never touched by frames.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

# light warm greys with a hint of blue in the valleys: every optimizer colour reads on it
_STOPS = np.array([
    [0.00, 0x3b, 0x4b, 0x6b],
    [0.18, 0x7d, 0x8f, 0xab],
    [0.40, 0xc4, 0xcd, 0xd8],
    [0.70, 0xee, 0xea, 0xe2],
    [1.00, 0xfd, 0xfb, 0xf6],
])
LEVELS = 22


@dataclass(frozen=True)
class Background:
    uri: str  # PNG data URI
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    colorscale: list  # the same colours, for a colour bar
    z_range: tuple[float, float]  # in the shown (possibly log10) units
    log: bool


def shown_values(landscape, z: np.ndarray) -> np.ndarray:
    """What the colours encode: log10(f - f* + offset) where the landscape asks for a log scale."""
    if landscape.log_contours:
        base = landscape.min_value if landscape.min_value is not None else float(np.min(z))
        return np.log10(np.maximum(z - base, 0.0) + landscape.log_offset)
    return z


def grid(domain, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (x0, x1), (y0, y1) = domain
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    pts = np.stack(np.meshgrid(xs, ys), axis=-1)  # (H, W, 2), row 0 at y0
    return xs, ys, pts


def render(landscape, domain=None, resolution: int = 360) -> Background:
    """The background over ``domain`` (default: the landscape's plot domain)."""
    xs, ys, pts = grid(domain or landscape.domain, resolution)
    with np.errstate(all="ignore"):
        z = shown_values(landscape, landscape.f(pts))
    finite = np.isfinite(z)
    lo, hi = np.percentile(z[finite], [0.5, 99.5]) if finite.any() else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    u = np.clip((np.where(finite, z, hi) - lo) / (hi - lo), 0.0, 1.0)
    rgb = np.stack([np.interp(u, _STOPS[:, 0], _STOPS[:, c]) for c in (1, 2, 3)], axis=-1)
    # contour lines: where the level index changes between neighbouring pixels
    level = np.floor(u * LEVELS)
    edge = np.zeros_like(u, dtype=bool)
    edge[:, 1:] |= level[:, 1:] != level[:, :-1]
    edge[1:, :] |= level[1:, :] != level[:-1, :]
    rgb[edge] *= 0.78
    img = Image.fromarray(np.flipud(rgb).astype(np.uint8), "RGB")  # image row 0 is the top
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    colorscale = [[float(s), f"rgb({int(r)},{int(g)},{int(b)})"] for s, r, g, b in _STOPS]
    return Background(uri, (float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), colorscale,
                      (float(lo), float(hi)), bool(landscape.log_contours))


def layout_image(bg: Background, xref: str = "x", yref: str = "y") -> dict:
    """The background as a layout image on the axes ``xref``/``yref`` (another subplot's: "x2", "y2")."""
    (x0, x1), (y0, y1) = bg.x_range, bg.y_range
    return dict(source=bg.uri, xref=xref, yref=yref, x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                sizing="stretch", layer="below", opacity=1.0)
