"""The AdaBound paper's Figure 1 claim, measured on the digits with the paper's settings: after
50 epochs Adam's effective rates spread over decades while AdaBound's sit in a narrow band; and
rates below 0.01 need raw (0-16) inputs. About 3 s per 50-epoch run."""

from __future__ import annotations

import numpy as np
import pytest

from nets import RunConfig, TrainSpec, train
from nets.data import live_pixels

ADAM = RunConfig("adam", lr=1e-3)
ADABOUND = RunConfig("adabound", lr=1e-3, final_lr=0.1, gamma=1e-3)


def paper_run(raw_inputs: bool):
    return train(TrainSpec(configs=(ADAM, ADABOUND), model="mlp", hidden=128, seeds=(0, 1, 2), epochs=50,
                           batch_size=64, raw_inputs=raw_inputs, dtype="float64"))


@pytest.fixture(scope="module")
def scaled():
    return paper_run(raw_inputs=False)


def test_adam_spreads_over_three_decades_adabound_stays_within_one(scaled):
    assert (scaled.diverged_at == -1).all()
    spread = scaled.spread[:, -1]  # log10(p99 / p1) of the active rates after epoch 50
    adam, adabound = spread[scaled.config_of == 0], spread[scaled.config_of == 1]
    assert adam.min() >= 3.0, adam
    assert adabound.max() <= 1.0, adabound
    # blank pixels (0, 24, 32, 39) alone make 4 x 128 first-layer weights inactive in every model
    assert (scaled.inactive[:, -1] >= (64 - len(live_pixels())) * 128).all()


def test_rates_below_one_percent_appear_only_with_raw_inputs(scaled):
    adam = scaled.config_of == 0
    assert np.nanmin(scaled.lr_min[adam]) >= 0.01
    raw = paper_run(raw_inputs=True)
    assert np.nanmin(raw.lr_min[raw.config_of == 0]) < 0.01
