"""Page state that lives in the URL: read once when a link arrives, mirrored back after every run.

A page declares its settings once, as :class:`runs.fields.Field` s, and hands them to a
:class:`PageState`: it restores them (from a link, from memory, or first-visit values) with notes on
anything clamped or ignored, gives their values, and writes the link back. :func:`field_input`
builds a field's widget from the field itself, so its label, bounds and step are written once.

The widgets' own session-state keys are the query parameter names. Streamlit forgets the state of
widgets that a run does not draw (another page, a collapsed choice), so each page also keeps a
shadow copy of its values; coming back to a page restores them, and nothing a person set is lost.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Mapping, Sequence

import streamlit as st

from runs import fields as fl

from . import present


def _shadow(page: str) -> dict:
    return st.session_state.setdefault(f"_values_{page}", {})


class PageState:
    """One page's settings: ``page`` names the shared state (the playground, the lens and the
    rescaling page share one), ``view`` the page being drawn (default: ``page``)."""

    def __init__(self, page: str, fields: Sequence[fl.Field], *, view: str | None = None):
        self.page = page
        # every page can be presented: the switch is one more field of its link
        self.fields = list(fields) + ([] if any(f.key == present.FIELD.key for f in fields) else [present.FIELD])
        self.view = view or page
        self.link_set: list[str] = []  # the labels of the fields a newly arrived link set

    def restore(self, fresh: Mapping[str, Any] | None = None) -> list[str]:
        """Before the page draws its widgets: put every field's value into session state.

        A URL that differs from the one this page last wrote (a shared link, a preset, an edit by
        hand) is applied: its values, parsed and clamped, and the field defaults for what it leaves
        out. Otherwise the page's remembered values win, and on a first visit ``fresh`` (then the
        defaults). Arriving from another view re-asserts every value, because Streamlit ties a
        widget's state to the page that drew it. Returns the notes on anything clamped or ignored.
        """
        fresh = fresh or {}
        query = st.query_params.to_dict()
        shadow = _shadow(self.page)
        written = st.session_state.get(f"_url_{self.page}")
        # A session that has never run a page yet but already holds widget values is a browser that
        # reconnected to a restarted server: its widgets are what the person set last (the link may
        # lag one change behind), so they win over the link.
        reconnected = "_view" not in st.session_state and any(f.key in st.session_state for f in self.fields)
        arrived = st.session_state.get("_view") != self.view
        st.session_state["_view"] = self.view
        notes: list[str] = []
        if reconnected:
            shadow.update({f.key: st.session_state.get(f.key, fresh.get(f.key, f.default)) for f in self.fields})
            for f in self.fields:
                st.session_state.setdefault(f.key, shadow[f.key])
            return notes
        if query and query != written:
            values, notes = fl.parse(self.fields, query)
            self.link_set = [f.label for f in self.fields if f.key in values]
            unknown = fl.unknown_keys(self.fields, query)
            if unknown:
                shown = ", ".join(repr(k[:30]) for k in unknown[:6])
                notes.append(f"ignored unknown link parameter{'s' if len(unknown) > 1 else ''} {shown}")
            shadow.clear()
            shadow.update({f.key: values.get(f.key, f.default) for f in self.fields})
            for f in self.fields:
                st.session_state[f.key] = shadow[f.key]
            return notes
        if not shadow:
            shadow.update({f.key: fresh.get(f.key, f.default) for f in self.fields})
        for f in self.fields:
            if arrived or f.key not in st.session_state:
                st.session_state[f.key] = shadow.get(f.key, fresh.get(f.key, f.default))
        return notes

    def values(self) -> dict[str, Any]:
        """Every field's current value (after the widgets)."""
        return {f.key: st.session_state.get(f.key) for f in self.fields}

    def remember(self, values: Mapping[str, Any] | None = None) -> None:
        """After the widgets: keep the values and mirror them into the URL (``values``: what the
        link should carry, by default every field)."""
        values = self.values() if values is None else values
        shadow = _shadow(self.page)
        shadow.update({f.key: values[f.key] for f in self.fields if f.key in values})
        query = fl.encode(self.fields, values)
        if st.query_params.to_dict() != query:
            st.query_params.from_dict(query)
        st.session_state[f"_url_{self.page}"] = query


def field_input(field: fl.Field, label: str | None = None, *, where=st,
                on_change: Callable | None = None, format_func: Callable | None = None, **kwargs) -> Any:
    """The widget of ``field``: its kind, bounds, step and help come from the field. ``where`` is
    the container (a column, the sidebar); ``label`` overrides the field's label."""
    label = label or field.label
    common = dict(key=field.key, on_change=on_change, help=field.help or None, **kwargs)
    if field.kind == "choice":
        return where.selectbox(label, list(field.choices), format_func=format_func or str, **common)
    if field.kind == "multi":
        return where.multiselect(label, list(field.choices), format_func=format_func or str, **common)
    if field.kind == "flag":
        return where.toggle(label, **common)
    if field.kind == "text":
        return where.text_input(label, max_chars=fl.MAX_RAW, **common)
    if field.kind == "int":
        return where.number_input(label, min_value=int(field.low), max_value=int(field.high),
                                  step=int(field.step or 1), **common)
    if field.log:
        return log_input(label, field.key, field.low, field.high, help=field.help or None, where=where,
                         on_change=on_change, **kwargs)
    return where.number_input(label, min_value=float(field.low), max_value=float(field.high),
                              step=field.step, format="%g", **common)


# ----------------------------------------------------------------------------- log-scaled values

STOP_MANTISSAS = (1, 2, 5)  # a slider over decades stops at 1, 2 and 5 of each
ZERO_DECADES = 6  # a range from 0 (weight decay): how many decades below its top the slider offers
# The exact box has no useful +/- step on a value that spans decades (the slider is the coarse
# control): the page's style (ui.pages) hides its step buttons, found by its container's key.
LOG_BOX_PREFIX = "_logbox_"


def log_stops(low: float, high: float) -> list[float]:
    """The slider's stops for a value in ``[low, high]``, ascending: 0 when ``low`` is 0, the 1-2-5
    values of every decade in the range, and ``low`` and ``high`` themselves, so that the slider
    reaches the whole range even when a bound is not a 1-2-5 value (β₂'s 0.99999).

    Each stop is the float nearest its short decimal form (``2e-4`` is ``float("2e-4")``), so a
    stop chosen on the slider is the number a person would type and a link carries it exactly."""
    low, high = float(low), float(high)
    if not (0 <= low < high and math.isfinite(high)):
        raise ValueError(f"a log-scaled range needs 0 <= low < high < inf, got [{low:g}, {high:g}]")
    top = math.floor(math.log10(high))
    if low == 0:
        bottom, stops = math.ceil(math.log10(high)) - ZERO_DECADES, {0.0}
    else:
        bottom, stops = math.floor(math.log10(low)), {low}
    stops.add(high)
    for exponent in range(bottom, top + 1):
        for mantissa in STOP_MANTISSAS:
            value = float(f"{mantissa}e{exponent}")
            if (low == 0 or value >= low) and value <= high:
                stops.add(value)
    return sorted(stops)


def nearest_stop(value: float, stops: Sequence[float]) -> float:
    """The stop nearest ``value`` on a log scale. Below the first positive stop of a range that
    starts at 0 a log distance to 0 is infinite, so there the nearer of the two on a linear scale."""
    positive = [s for s in stops if s > 0]
    if not value > 0 or (stops[0] == 0 and value < positive[0] / 2):
        return stops[0]
    return min(positive, key=lambda s: abs(math.log(s / value)))


def format_stop(value: float) -> str:
    """A stop in few characters: ``0``, ``1e-4``, ``2e-4``, ``0.001``, ``0.5``, ``10``, ``1e4``."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, _, exponent = f"{value:e}".partition("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _take_stop(key: str, slider_key: str, on_change: Callable | None) -> None:
    st.session_state[key] = st.session_state[slider_key]
    if on_change is not None:
        on_change()


def log_input(label: str, key: str, low: float, high: float, *, help: str | None = None, where=st,
              on_change: Callable | None = None, **kwargs) -> float:
    """A value that spans decades (a learning rate, ε, γ): a slider over the 1-2-5 stops of
    ``[low, high]`` and, under it, a box for the exact number. Returns the value.

    The box owns the value: its key is ``key`` (the link's field), so a link's 0.0037 stays 0.0037.
    The slider only shows the stop nearest the value, and choosing a stop writes it into the box.
    ``on_change`` runs after either changes the value; ``kwargs`` go to the box."""
    stops = log_stops(low, high)
    slider_key = f"_log_{key}"
    # before the slider is drawn: it follows the value (typed, restored from a link, or set by a
    # button), and drawing it never changes the value
    st.session_state[slider_key] = nearest_stop(st.session_state.get(key, float(low)), stops)
    box = where.container(key=f"{LOG_BOX_PREFIX}{key}", gap="xxsmall")
    box.select_slider(label, stops, key=slider_key, format_func=format_stop, help=help,
                      on_change=_take_stop, args=(key, slider_key, on_change))
    return box.number_input(label, min_value=float(low), max_value=float(high), key=key, format="%g",
                            step=min(s for s in stops if s > 0), on_change=on_change,
                            label_visibility="collapsed", **kwargs)


def set_values(values: Mapping[str, Any]) -> None:
    """For callbacks (before the next run draws its widgets): overwrite widget values."""
    for k, v in values.items():
        st.session_state[k] = v


# what can make markdown act: emphasis, code, links and images, HTML tags, tables, strikes, LaTeX
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~$])")


def escape_markdown(text: str) -> str:
    """``text`` shown as itself: every character markdown (or Streamlit's LaTeX, or an HTML tag)
    could act on is escaped, so a value from a link is never a link, a tag or a formula."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def show_link(page: PageState) -> None:
    """Under a page opened from a link: which settings the link set (the rest are the defaults), so
    that nothing is reset silently. Every page calls it once its widgets are restored, so it also
    draws the presentation switch."""
    present.toggle()
    if page.link_set and not present.presenting():
        shown = ", ".join(page.link_set[:12]) + (f" and {len(page.link_set) - 12} more" if len(page.link_set) > 12 else "")
        st.caption(f"Opened from a link that set {escape_markdown(shown)}; every other setting is at its default.")


def show_notes(notes: Sequence[str], what: str = "This link") -> None:
    """The notes on values that were clamped or ignored: one line above the page's chart that says
    how many and opens on the list (so the chart and its controls stay in view). The notes quote
    what arrived in the link, so each is escaped: the page shows the text, never what it would
    render to."""
    if notes:
        n = len(notes)
        values, were = ("values", "they were") if n > 1 else ("value", "it was")
        with st.expander(f"{what} had {n} {values} this page could not use as {were}: what was done instead",
                         icon=":material/link_off:"):
            st.warning("\n".join(f"- {escape_markdown(note)}" for note in notes))
