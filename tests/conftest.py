"""Shared test helpers: the app's path for AppTest, decoding Plotly's binary arrays, a clean cache."""

from __future__ import annotations

import base64
import re
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def decode(value):
    """A Plotly array as numpy: plain lists, or Plotly 6+'s {"dtype", "bdata", "shape"} encoding."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            shape = value["shape"]
            if isinstance(shape, str):
                shape = [int(s) for s in shape.split(",")]
            arr = arr.reshape(shape)
        return arr
    return np.asarray(value)


def open_app(page: str, query: dict | None = None):
    """An AppTest of ``page`` opened from the router with ``query`` as its link; asserts it ran."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def chart_specs(at) -> list[dict]:
    """Every plotly chart of an AppTest run, as its figure dict."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.fixture
def clear_caches():
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def warning_text(at) -> str:
    """Every warning of an AppTest run as the reader sees it: markdown escapes removed (notes quote
    link values, escaped so that they never render as links, tags or formulas)."""
    return " ".join(re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
