"""A class arriving at once on a server that has just started: every session draws its chart.

Several sessions run their first script at the same moment, each in its own thread; a library that
a page imports lazily is then imported by two threads halfway through each other, and one of them
sees a partially initialised module. The app imports what its pages need once, at the top of the
entry point, before any page runs.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import CHART, ERROR, IDLE, app_server

SESSIONS = 10
# one fresh server by default; COLD_START_REPEATS=10 for the ten-in-a-row check
REPEATS = int(os.environ.get("COLD_START_REPEATS", "1"))


@pytest.mark.parametrize("attempt", range(REPEATS))
def test_ten_sessions_open_the_playground_at_once_on_a_fresh_server(browser, attempt):
    with app_server(log_name=f"cold_start_{attempt}") as (url, _):
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(SESSIONS)]
        try:
            tabs = [c.new_page() for c in contexts]
            for tab in tabs:  # all requests go out before any first run can finish
                tab.goto(f"{url}/playground", wait_until="commit")
            for i, tab in enumerate(tabs):
                tab.wait_for_selector(f"{CHART}, {ERROR}", state="visible", timeout=120_000)
                tab.wait_for_timeout(150)
                tab.wait_for_selector(IDLE, timeout=120_000)
                errors = tab.locator(ERROR)
                assert errors.count() == 0, f"session {i}: {errors.first.inner_text()}"
                assert tab.locator(CHART).count() > 0, f"session {i} drew no chart"
        finally:
            for c in contexts:
                c.close()
