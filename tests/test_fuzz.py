"""Hostile links at volume: for every page, links whose keys and values are drawn from the page's
own fields plus garbage. No link may raise, and every value the page could not use as it was must
get a visible note naming its field.

The oracle for "could not use as it was" is written here from the field's declaration (kind,
bounds, choices), not taken from the parser. Profiles: ``FUZZ_EXAMPLES`` examples per page (CI: 200;
``make fuzz``: 1,000).

Text from a link is never rendered: every text-like parameter is tried with a script tag, an image
with an onerror handler, a javascript: link and a formula, and the page's notes must show them as
escaped text.
"""

from __future__ import annotations

import math
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runs import fields as fl
from runs import network as net
from tests.conftest import open_app, warning_text
from ui import basins_view, lab_state, lens_state, network_state, online_state, playground_state, rescaling_state

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))

PAGES = {
    "playground": ("app_pages/playground.py", playground_state.fields),
    "lens": ("app_pages/lens.py", lambda: playground_state.fields() + lens_state.explorer_fields()),
    "rescaling": ("app_pages/rescaling.py", lambda: playground_state.fields() + rescaling_state.scale_fields()),
    "online": ("app_pages/online.py", lambda: online_state.fields("adabound", 3)),
    "lab": ("app_pages/lab.py", lab_state.fields),
    "network": ("app_pages/network.py", network_state.fields),
    "basins": ("app_pages/basins.py", lambda: playground_state.fields() + basins_view.basin_fields()),
}
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
           "$\\frac{1}{0}$", "**bold** _it_ `code`"]
# markdown that would act: a tag, a link, a formula, emphasis, code, unless a backslash escapes it
ACTIVE = [r"(?<!\\)<(script|img)", r"(?<!\\)\]\(javascript", r"(?<!\\)\$", r"(?<!\\)\*\*bold", r"(?<!\\)`code"]
GARBAGE = st.one_of(st.sampled_from(["", "nan", "inf", "-inf", "1e999", "-0", "0x10", "1,2", "true", "None",
                                     " ", "٣", "1e-400", "9" * 60] + HOSTILE),
                    st.text(max_size=30))


def _value(field: fl.Field):
    """A link value for ``field``: valid, at or past its bounds, or garbage."""
    if field.kind in ("float", "int"):
        lo, hi = field.low, field.high
        numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                            st.floats(min_value=lo, max_value=hi) if lo is not None else st.floats(),
                            st.sampled_from([v for v in (lo, hi) if v is not None] or [0.0]),
                            st.integers(-10**6, 10**6))
        return st.one_of(numbers.map(repr), GARBAGE)
    if field.kind == "choice":
        return st.one_of(st.sampled_from(field.choices), GARBAGE)
    if field.kind == "multi":
        return st.one_of(st.lists(st.sampled_from(field.choices), max_size=6).map(",".join),
                         st.lists(st.one_of(st.sampled_from(field.choices), GARBAGE), max_size=4).map(",".join))
    if field.kind == "text":  # a typed f(x, y): valid ones, refused ones, garbage
        return st.one_of(st.sampled_from(["x**2 + y**2", "sin(x) * cos(y)", "(1 - x)**2 + 100*(y - x**2)**2",
                                          "__import__('os')", "9**9**9", "log(x)", "x" * 250]), GARBAGE)
    return st.one_of(st.sampled_from(["0", "1", "true", "off", "yes"]), GARBAGE)


def usable(field: fl.Field, raw: str) -> bool:
    """Whether a page can take ``raw`` as it stands (the field's declaration, read here)."""
    text = raw.strip()
    if len(text) > fl.MAX_RAW:
        return False
    if field.kind in ("float", "int"):
        try:
            x = float(text)
        except ValueError:
            return False
        if not math.isfinite(x) or (field.low is not None and x < field.low) or \
                (field.high is not None and x > field.high):
            return False
        return field.kind == "float" or x == int(x)
    if field.kind == "choice":
        return text in field.choices
    if field.kind == "multi":
        items = [t.strip() for t in text.split(",") if t.strip()]
        return bool(items) and all(t in field.choices for t in items)
    if field.kind == "text":  # any text is the field's value; what it means is checked where it is used
        return True
    return text.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off")


@st.composite
def links(draw, fields):
    chosen = draw(st.lists(st.sampled_from(fields), max_size=6, unique_by=lambda f: f.key))
    query = {f.key: draw(_value(f)) for f in chosen}
    if draw(st.booleans()):
        query[draw(st.text(min_size=1, max_size=12))] = draw(GARBAGE)
    return query


@pytest.fixture(autouse=True)
def _small_network_budget(monkeypatch):
    """The network page trains for real, at most a few model-epochs per example; a basin map runs
    at most a few hundred thousand steps."""
    monkeypatch.setattr(net, "BUDGET", 3)
    monkeypatch.setattr(basins_view, "MAX_RUN_STEPS", 400_000)


@pytest.mark.parametrize("page", list(PAGES))
def test_hostile_links_never_raise_and_every_unusable_value_gets_a_note(page):
    path, fields_of = PAGES[page]
    fields = fields_of()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(query=links(fields))
    def check(query):
        at = open_app(path, query)  # asserts no exception
        notes = warning_text(at)
        by_key = {f.key: f for f in fields}
        for key, raw in query.items():
            f = by_key.get(key)
            if f is None:
                if key.strip():
                    assert "ignored unknown link parameter" in notes, (key, notes)
            elif not usable(f, raw):
                assert f.label in notes, (key, raw, notes)

    check()


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("hostile", HOSTILE)
def test_text_from_a_link_is_shown_escaped_never_rendered(page, hostile):
    path, fields_of = PAGES[page]
    text_like = [f for f in fields_of() if f.kind in ("choice", "multi")][:3]
    query = {f.key: hostile for f in text_like}
    query[hostile] = hostile  # an unknown key, quoted in its note too
    at = open_app(path, query)
    for w in at.warning:
        for active in ACTIVE:  # not one of them unescaped in the markdown source
            assert not re.search(active, w.value), (active, w.value)
    assert repr(hostile)[1:28] in warning_text(at)  # the reader sees the text itself, as quoted
