"""The one table of pages: the router, the preset gallery and every link between pages read it.

A page is named by its key everywhere (``PAGES["lab"]``); its file, title, address and icon are
written here once.
"""

from __future__ import annotations

import os
import time
from typing import NamedTuple

import streamlit as st

from .frame_steps import KEY as FRAME_STEPS_KEY, frame_steps
from .memory import keep_returning_freed_memory
from .state import LOG_BOX_PREFIX


RECONNECT_WATCH_S = 600  # the watch's own period: it only has to exist, so rarely
# When set, every script run appends "<page> <seconds>" to this file: the time the real server
# spends in the script (``bench/browser_speed.py`` reads it). Unset, nothing is written.
RUN_LOG_ENV = "OPTIMIZER_LAB_RUN_LOG"


class PageInfo(NamedTuple):
    path: str  # the script, relative to the entry point
    title: str
    url_path: str  # "" for the home page
    icon: str


PAGES: dict[str, PageInfo] = {
    "home": PageInfo("app_pages/home.py", "Home", "", ":material/home:"),
    "playground": PageInfo("app_pages/playground.py", "Playground", "playground", ":material/explore:"),
    "lens": PageInfo("app_pages/lens.py", "Learning-rate lens", "lens", ":material/query_stats:"),
    "rescaling": PageInfo("app_pages/rescaling.py", "Rescaling y", "rescaling", ":material/compress:"),
    "online": PageInfo("app_pages/online.py", "Online example", "online", ":material/timeline:"),
    "basins": PageInfo("app_pages/basins.py", "Basin maps", "basins", ":material/blur_on:"),
    "lab": PageInfo("app_pages/lab.py", "final_lr lab", "lab", ":material/grid_on:"),
    "network": PageInfo("app_pages/network.py", "Real network", "network", ":material/hub:"),
}


@st.fragment(run_every=RECONNECT_WATCH_S)
def _reconnect_watch() -> None:
    """Draws nothing. A page with a timed fragment is one the browser reruns as soon as it
    reconnects to the server (Streamlit's front end requests a run on reconnecting only then), so
    after a server restart an open page shows fresh output instead of the old one."""


# Streamlit's full-screen view of a chart redraws it from its first state and breaks an animation
# (the paths vanish, Play does nothing). Animated charts lose that button; the presentation mode is
# their large view.
# Streamlit's 6rem above the title would cost a projector a tenth of its height. A log-scaled
# value's exact box has no useful +/- step (its slider is the coarse control). The frame-step hook
# (ui.frame_steps) runs in a frame that takes no room.
_PAGE_CSS = """<style>
[data-testid="stPlotlyChart"]:has(.slider-container) .modebar-btn[data-title="Fullscreen"] {display: none !important;}
[data-testid="stMainBlockContainer"] {padding-top: 3rem;}
[class*="st-key-%(box)s"] [data-testid="stNumberInputStepUp"],
[class*="st-key-%(box)s"] [data-testid="stNumberInputStepDown"] {display: none;}
.st-key-%(steps)s {display: none;}
</style>""" % {"box": LOG_BOX_PREFIX, "steps": FRAME_STEPS_KEY}


def navigation() -> None:
    """Route to the page the address names (the home page by default), in the story's order."""
    started = time.perf_counter()
    keep_returning_freed_memory()
    st.html(_PAGE_CSS)  # style only: Streamlit adds it without taking any space
    _reconnect_watch()
    pages = [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path or None, default=key == "home")
             for key, p in PAGES.items()]
    page = st.navigation(pages)
    try:
        page.run()
        frame_steps()  # after the page: nothing waits for it
    finally:  # also when the page stops early (st.stop) or a newer run interrupts it
        _log_run(page.url_path or "home", time.perf_counter() - started)


def _log_run(page: str, seconds: float) -> None:
    path = os.environ.get(RUN_LOG_ENV)
    if path:
        with open(path, "a") as log:
            log.write(f"{page} {seconds:.4f}\n")


def page_link(key: str, label: str, *, icon: str = ":material/open_in_new:", query: dict | None = None) -> None:
    st.page_link(PAGES[key].path, label=label, icon=icon, query_params=query or {})
