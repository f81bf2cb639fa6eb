"""Presentation mode: for a lecture on a projector. It hides the sidebar and the prose, shows the
page's key chart large with type for the back row, and is in the link (``present=1``), so a teacher
can open a slide straight from a bookmark."""

from __future__ import annotations

import copy

import streamlit as st

from runs.fields import Field

FIELD = Field("present", "presentation mode", "flag", False,
              help="hide the controls and the text; one chart, large, with large type")
FONT_PX = 18  # tick labels and legend; axis titles a little larger
TITLE_PX = 22
HEIGHT_PX = 590  # a chart below the title row, its play controls included, within a 720 px screen

_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {padding-top: 1rem; padding-bottom: 1rem; max-width: 100%;}
h1 {font-size: 1.9rem !important; padding-top: 0 !important;}
/* the prose: explanations, notes and section headings around the key chart */
[data-testid="stElementContainer"]:has([data-testid="stAlert"]),
[data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]),
[data-testid="stElementContainer"]:has([data-testid="stMarkdown"]),
[data-testid="stElementContainer"]:has(h2), [data-testid="stElementContainer"]:has(h3) {display: none;}
</style>
"""


def presenting() -> bool:
    """On when the toggle is (this run) or the link says so (a link that just arrived)."""
    if FIELD.key in st.session_state:
        return bool(st.session_state[FIELD.key])
    value, _ = FIELD.parse(st.query_params.get(FIELD.key, "0"))
    return bool(value)


def intro(title: str, prose: str, *, markdown: bool = False) -> None:
    """A page's title; its explanation follows the key chart (:func:`after_key_chart`), so that on a
    projector the chart comes first. In presentation mode the title only, and the page's chrome
    hidden."""
    st.session_state["_intro"] = (prose, markdown)
    if presenting():
        st.markdown(_CSS, unsafe_allow_html=True)
        c_title, c_leave = st.columns([5, 1], vertical_alignment="center")
        c_title.title(title)
        c_leave.button("leave", key="_leave_present", icon=":material/close_fullscreen:",
                       help="leave presentation mode: the controls and the text come back",
                       on_click=lambda: st.session_state.update({FIELD.key: False}))
        return
    st.title(title)


def toggle() -> None:
    """The switch, in the sidebar (hidden while presenting: the title's "leave" button ends it)."""
    st.sidebar.toggle(FIELD.label, key=FIELD.key, help=FIELD.help)


def style(fig):
    """The figure with the back row's type sizes when presenting (unchanged otherwise). The
    restyled figure is a copy: a figure may be shared between sessions (``ui.compute``)."""
    if presenting():
        fig = copy.deepcopy(fig)
        fig.update_layout(font=dict(size=FONT_PX), legend=dict(font=dict(size=FONT_PX)), height=HEIGHT_PX)
        fig.update_xaxes(title_font=dict(size=TITLE_PX), tickfont=dict(size=FONT_PX))
        fig.update_yaxes(title_font=dict(size=TITLE_PX), tickfont=dict(size=FONT_PX))
        fig.update_annotations(font=dict(size=TITLE_PX))
    return fig


def after_key_chart() -> None:
    """Below the key chart: the page's explanation; in presentation mode nothing follows it."""
    if presenting():
        st.stop()
    prose, markdown = st.session_state.pop("_intro", ("", False))
    if prose:
        (st.markdown if markdown else st.caption)(prose)
