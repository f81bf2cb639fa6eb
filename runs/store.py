"""A store of results shared by every session of a server: least recently used out first, bounded
by bytes rather than by entries (one entry can be a thousand times the size of another)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable


def nbytes(value: Any) -> int:
    """The bytes of the arrays in ``value``: an array, or a tuple, list, dict or dataclass of them
    (nested), counted once each; anything else counts 0."""
    if hasattr(value, "nbytes"):
        return int(value.nbytes)
    if isinstance(value, (tuple, list)):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    if hasattr(value, "__dataclass_fields__"):
        return sum(nbytes(v) for v in vars(value).values())
    return 0


class ByteStore:
    """``{key: value}`` holding at most ``max_bytes`` of values (by the sizes given to
    :meth:`put`); the least recently used go first, but the newest always stays. Thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = int(max_bytes)
        self.items: OrderedDict = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key][0]
        return None

    def put(self, key: Hashable, value: Any, size: int | None = None) -> None:
        size = nbytes(value) if size is None else int(size)
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and len(self.items) > 1:
                _, (_, old) = self.items.popitem(last=False)
                self.bytes -= old

    def __len__(self) -> int:
        return len(self.items)
