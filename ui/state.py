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
        # imported here: panels builds on this module, and the log control lives with the panels
        from .panels import log_input

        return log_input(label, field.key, field.low, field.high, help=field.help or None, where=where,
                         on_change=on_change, **kwargs)
    return where.number_input(label, min_value=float(field.low), max_value=float(field.high),
                              step=field.step, format="%g", **common)


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
    """The notes on values that were clamped or ignored. They quote what arrived in the link, so
    each is escaped: the page shows the text, never what it would render to."""
    if notes:
        st.warning(f"{what} had values the lab could not use as they were:\n\n"
                   + "\n".join(f"- {escape_markdown(n)}" for n in notes), icon=":material/link_off:")
