"""The byte-bounded store shared by the pages' sessions (runs.store)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runs.store import ByteStore, nbytes


def test_nbytes_counts_the_arrays_inside():
    @dataclass
    class Result:
        a: np.ndarray
        parts: tuple
        name: str

    value = Result(np.zeros(10), (np.zeros((2, 3)), {"x": np.zeros(4, dtype=np.float32)}, None), "r")
    assert nbytes(value) == 80 + 48 + 16
    assert nbytes(3.0) == 0


def test_the_least_recently_used_go_first_and_the_newest_stays():
    store = ByteStore(250)
    store.put("a", np.zeros(10))  # 80 bytes each
    store.put("b", np.zeros(10))
    store.put("c", np.zeros(10))
    assert store.get("a") is not None  # a is now the most recently used
    store.put("d", np.zeros(10))  # 320 > 250: b goes
    assert store.get("b") is None and all(store.get(k) is not None for k in "acd")
    assert store.bytes == 240 and len(store) == 3
    store.put("huge", np.zeros(1000))  # alone over the budget: kept, everything else goes
    assert len(store) == 1 and store.get("huge") is not None


def test_a_key_already_there_is_not_replaced():
    store = ByteStore(1000)
    first = np.zeros(3)
    store.put("k", first)
    store.put("k", np.ones(3))
    assert store.get("k") is first and store.bytes == 24
