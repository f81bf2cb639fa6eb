"""Memory a class has freed goes back to the system.

Every session runs its script in its own thread, and glibc gives threads their own malloc arenas.
Arrays a run frees there stay in the process (its RSS near the class's peak long after the class has
left) unless the allocator is asked to release them (``malloc_trim``). One daemon thread per server
process asks every ``TRIM_EVERY_S`` seconds; the call releases the GIL, so runs go on meanwhile.
Where the C library is not glibc there is nothing to ask, and nothing starts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
import time

import streamlit as st

TRIM_EVERY_S = 20.0


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl and others: no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def _trim_forever(trim) -> None:
    while True:
        time.sleep(TRIM_EVERY_S)
        trim(0)


_lock = threading.Lock()
_thread: list[threading.Thread] = []  # the process's one trimming thread, once started


@st.cache_resource(show_spinner=False)
def keep_returning_freed_memory() -> threading.Thread | None:
    """Start the trimming thread, once per server process (a cleared cache does not start a
    second one); None without glibc."""
    with _lock:
        if _thread and _thread[0].is_alive():
            return _thread[0]
        trim = _glibc()
        if trim is None:
            return None
        thread = threading.Thread(target=_trim_forever, args=(trim,), name="malloc-trim", daemon=True)
        thread.start()
        _thread[:] = [thread]
        return thread
