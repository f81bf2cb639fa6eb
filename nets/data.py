"""scikit-learn's handwritten digits: 1,797 images of 8x8 pixels (0-16), 10 classes.

The data ships inside the scikit-learn wheel, so nothing is downloaded. The split is stratified
with a fixed seed: 1,437 training and 360 test images, the same on every machine. Inputs are
scaled to [0, 1] by default; ``raw=True`` keeps the 0-16 pixel values, a teaching lever (larger
inputs give larger gradients and so smaller adaptive rates).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import torch

N_SAMPLES = 1797
TEST_SIZE = 360
N_TRAIN = N_SAMPLES - TEST_SIZE  # 1,437
SPLIT_SEED = 0
PIXEL_MAX = 16.0
N_CLASSES = 10
SIDE = 8  # images are SIDE x SIDE
N_INPUTS = SIDE * SIDE


class Digits(NamedTuple):
    """The split as read-only numpy arrays (cached: shared by every caller)."""

    x_train: np.ndarray  # (1437, 64) float64
    y_train: np.ndarray  # (1437,) int64
    x_test: np.ndarray  # (360, 64) float64
    y_test: np.ndarray  # (360,) int64


@functools.lru_cache(maxsize=2)
def digits(raw: bool = False) -> Digits:
    """The stratified train/test split, inputs in [0, 1] (``raw``: 0..16)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    if len(y) != N_SAMPLES:
        raise RuntimeError(f"scikit-learn's digits have {len(y)} images, not {N_SAMPLES}")
    x = x.astype(np.float64) if raw else x / PIXEL_MAX
    x_train, x_test, y_train, y_test = train_test_split(
        x, y.astype(np.int64), test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED)
    arrays = [np.ascontiguousarray(a) for a in (x_train, y_train, x_test, y_test)]
    for a in arrays:
        a.setflags(write=False)
    return Digits(*arrays)


def tensors(raw: bool = False, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, ...]:
    """``(x_train, y_train, x_test, y_test)`` as torch tensors, inputs in ``dtype``, labels int64."""
    d = digits(raw)
    return (torch.tensor(d.x_train, dtype=dtype), torch.tensor(d.y_train),
            torch.tensor(d.x_test, dtype=dtype), torch.tensor(d.y_test))


def live_pixels(raw: bool = False) -> np.ndarray:
    """Indices of the input pixels that are non-zero in at least one training image. A pixel
    outside this set never produces a gradient for the first-layer weights that read it."""
    return np.flatnonzero(np.any(digits(raw).x_train != 0, axis=0))
