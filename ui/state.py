"""Page state that lives in the URL: read once when a link arrives, mirrored back after every run.

The widgets' own session-state keys are the query parameter names. Streamlit forgets the state of
widgets that a run does not draw (another page, a collapsed choice), so each page also keeps a
shadow copy of its values; coming back to a page restores them, and nothing a person set is lost.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import streamlit as st

from . import params


def _shadow(page: str) -> dict:
    return st.session_state.setdefault(f"_values_{page}", {})


def restore(page: str, fields: Sequence[params.Field], fresh: Mapping[str, Any], *,
            view: str | None = None) -> list[str]:
    """Before the page draws its widgets: put every field's value into session state.

    A URL that differs from the one this page last wrote (a shared link, a preset, an edit by hand)
    is applied: its values, parsed and clamped, and the field defaults for what it leaves out.
    Otherwise the page's remembered values win, and on a first visit ``fresh`` (then the defaults).
    ``view`` (default: ``page``) names the page being drawn: several views may share one ``page`` state (the playground
    and the lens), and arriving from another view re-asserts every value, because Streamlit ties a
    widget's state to the page that drew it. Returns the notes on anything clamped or ignored.
    """
    query = st.query_params.to_dict()
    shadow = _shadow(page)
    written = st.session_state.get(f"_url_{page}")
    view = view or page
    arrived = st.session_state.get("_view") != view
    st.session_state["_view"] = view
    notes: list[str] = []
    if query and query != written:
        values, notes = params.parse(fields, query)
        unknown = params.unknown_keys(fields, query)
        if unknown:
            shown = ", ".join(repr(k[:30]) for k in unknown[:6])
            notes.append(f"ignored unknown link parameter{'s' if len(unknown) > 1 else ''} {shown}")
        shadow.clear()
        shadow.update({f.key: values.get(f.key, f.default) for f in fields})
        for f in fields:
            st.session_state[f.key] = shadow[f.key]
        return notes
    if not shadow:
        shadow.update({f.key: fresh.get(f.key, f.default) for f in fields})
    for f in fields:
        if arrived or f.key not in st.session_state:
            st.session_state[f.key] = shadow.get(f.key, fresh.get(f.key, f.default))
    return notes


def remember(page: str, fields: Sequence[params.Field], values: Mapping[str, Any]) -> None:
    """After the widgets: keep the values and mirror them into the URL."""
    shadow = _shadow(page)
    shadow.update({f.key: values[f.key] for f in fields if f.key in values})
    query = params.encode(fields, values)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    st.session_state[f"_url_{page}"] = query


def set_values(values: Mapping[str, Any]) -> None:
    """For callbacks (before the next run draws its widgets): overwrite widget values."""
    for k, v in values.items():
        st.session_state[k] = v


def show_notes(notes: Sequence[str], what: str = "This link") -> None:
    if notes:
        st.warning(f"{what} had values the lab could not use as they were:\n\n"
                   + "\n".join(f"- {n}" for n in notes), icon=":material/link_off:")
