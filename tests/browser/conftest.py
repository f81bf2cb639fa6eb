"""The real-browser layer: `streamlit run` on a free 127.0.0.1 port, driven by Playwright in Chromium.

Debian's Chromium (/usr/bin/chromium) is used where it exists; elsewhere Playwright's own browser
(`playwright install chromium`). With no browser at all these tests skip, except under CI=true,
where they fail: the browser layer must run there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from bench import serve

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"
ERROR = "[data-testid='stException']"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


_free_port = serve.free_port


def _executable() -> str | None:
    if os.path.exists(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def app_server(port: int | None = None, log_name: str = "server"):
    """A fresh ``streamlit run`` of the app on 127.0.0.1; yields ``(base URL, process)``; ended by
    its own pid."""
    port = port or _free_port()
    SHOTS.mkdir(exist_ok=True)
    log = open(SHOTS / f"{log_name}.log", "w")
    proc = serve.start(port, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        yield url, proc
    finally:
        serve.stop(proc)
        log.close()


def wait_healthy(url: str, timeout: float = 90) -> None:
    if not serve.healthy(url, timeout):
        pytest.fail(f"the app server did not become healthy within {timeout:g} s")


@pytest.fixture(scope="session")
def server():
    """The app served headless on 127.0.0.1 for the whole session; yields its base URL."""
    with app_server() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev requirements install it
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed, and the browser tests must run in CI")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        executable = _executable()
        try:
            b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as err:  # no Debian Chromium and no Playwright browser
            if os.environ.get("CI") == "true":
                pytest.fail(f"no Chromium could be started, and the browser tests must run in CI: {err}")
            pytest.skip(f"no Chromium available: {err}")
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh tab, 1280 x 1600 (Streamlit scrolls its own container: tall beats full_page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    tab = context.new_page()
    tab.base_url = server
    yield tab
    context.close()


def wait_idle(tab, timeout: float = 60_000) -> None:
    """Wait for the script run an interaction started to finish."""
    tab.wait_for_timeout(150)
    tab.wait_for_selector(IDLE, timeout=timeout)


def open_page(tab, path: str, *, chart: bool = True) -> None:
    """Go to ``path`` (with its query), wait for the run to finish and, if ``chart``, for Plotly to
    have drawn. Every page starts with a title, so its appearance means the script is running."""
    tab.goto(f"{tab.base_url}/{path}")
    tab.wait_for_selector("[data-testid='stMain'] h1", timeout=60_000)  # the page's script has started
    wait_idle(tab)
    if chart:
        tab.wait_for_selector(CHART, state="visible", timeout=60_000)


def play_then_pause(tab, chart, ms: int) -> None:
    """Press the chart's ▶, let the animation run ``ms``, press ❚❚ and let it settle."""
    chart.get_by_text("▶", exact=True).click()
    tab.wait_for_timeout(ms)
    chart.get_by_text("❚❚", exact=True).click()
    tab.wait_for_timeout(300)


NOTES = "[data-testid='stExpander']:has-text('this page could not use')"  # ui.state.show_notes


def link_notes(tab) -> str:
    """The notes on a link's unusable values as a reader gets them: the one line above the chart
    (its count), clicked open on the list."""
    line = tab.locator(NOTES).first
    line.locator("summary").click()
    line.locator("[data-testid='stAlert']").first.wait_for(state="visible")
    return line.inner_text()


def assert_no_errors(tab) -> None:
    errors = tab.locator(ERROR)
    assert errors.count() == 0, errors.first.inner_text()


def screenshot(tab, name: str) -> Path:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path))
    return path
