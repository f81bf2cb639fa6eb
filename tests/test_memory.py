"""Freed memory goes back to the system: one trimming thread per server process, on glibc."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from tests.conftest import open_app
from ui import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_malloc_trim_is_found_and_releases_what_a_thread_freed():
    trim = memory._glibc()
    assert trim is not None

    def churn():  # many mid-sized arrays from another thread's arena, then freed
        blocks = [np.ones(200_000) for _ in range(50)]
        del blocks

    t = threading.Thread(target=churn)
    t.start()
    t.join()
    assert trim(0) in (0, 1)  # 1: memory was released, 0: there was none to release


def test_a_page_run_starts_one_trimming_thread_for_the_process():
    import streamlit as st

    open_app("app_pages/playground.py")
    st.cache_resource.clear()  # a cleared cache must not start a second thread
    open_app("app_pages/lens.py")
    trimmers = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    assert len(trimmers) == (1 if memory._glibc() is not None else 0)
    assert all(t.daemon for t in trimmers)
