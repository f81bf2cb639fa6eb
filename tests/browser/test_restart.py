"""A server restart under an open page: the page reconnects, reruns by itself (fresh output, not the
old one), and the first control changed afterwards keeps its new value."""

from __future__ import annotations

import os
import signal
import time

from tests.browser.conftest import CHART, IDLE, _free_port, app_server, assert_no_errors, wait_healthy

COUNT_RUNS = """() => {
    window.__runs = 0;
    const app = document.querySelector("[data-testid='stApp']");
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def test_a_restarted_server_reruns_the_open_page_and_keeps_the_next_change(browser):
    port = _free_port()
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    try:
        with app_server(port, "restart_before") as (url, proc):
            tab.goto(f"{url}/playground?T=200")
            tab.wait_for_selector(CHART, state="visible", timeout=90_000)
            tab.wait_for_timeout(150)
            tab.wait_for_selector(IDLE, timeout=60_000)
            tab.evaluate(COUNT_RUNS)
            os.kill(proc.pid, signal.SIGKILL)  # the server dies without a word
            proc.wait()
        with app_server(port, "restart_after") as (url, _):
            wait_healthy(url)
            deadline = time.time() + 60
            while tab.evaluate("window.__runs") == 0 and time.time() < deadline:
                tab.wait_for_timeout(250)
            assert tab.evaluate("window.__runs") >= 1, "the page did not rerun after reconnecting"
            tab.wait_for_timeout(150)
            tab.wait_for_selector(IDLE, timeout=60_000)
            tab.wait_for_selector(CHART, state="visible", timeout=60_000)
            assert_no_errors(tab)
            steps = tab.get_by_role("spinbutton", name="steps T")
            assert steps.input_value() == "200"
            steps.fill("300")
            steps.press("Enter")
            tab.wait_for_timeout(300)
            tab.wait_for_selector(IDLE, timeout=60_000)
            tab.wait_for_timeout(1000)  # a revert would come with the run's end
            assert steps.input_value() == "300"
            assert "T=300" in tab.url
            assert_no_errors(tab)
    finally:
        context.close()
