"""The real-network page in a real Chromium: Fig. 1's heat maps, the spread, the histogram and the
learning curves draw, in the optimizers' colours, at a projector's size and at a phone's."""

from __future__ import annotations

import re

from tests.browser.conftest import SHOTS, assert_no_errors, open_page, screenshot, wait_idle
from viz.colors import color_of

CHARTS = "[data-testid='stPlotlyChart']"
QUICK = "network?epochs=8&seeds=2"


def _wait_charts(tab, n: int) -> None:
    tab.wait_for_function(f"document.querySelectorAll(\"{CHARTS} .js-plotly-plot .main-svg\").length >= {2 * n}",
                          timeout=120_000)


def test_the_network_page_draws_figure_1_and_the_curves(page):
    open_page(page, QUICK)
    _wait_charts(page, 4)
    assert_no_errors(page)
    charts = page.locator(CHARTS)
    heat = charts.nth(0)
    assert heat.locator(".heatmaplayer image, .hm image").count() >= 2  # Adam beside AdaBound, drawn
    assert "Adam" in heat.inner_text() and "AdaBound" in heat.inner_text()
    curves = charts.nth(3)
    strokes = curves.evaluate("el => Array.from(el.querySelectorAll('path.js-line')).map(p => p.style.stroke)")
    for key in ("momentum", "adam", "adabound"):
        h = color_of(key).lstrip("#")
        assert "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4))) in strokes, key
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).screenshot(path=str(SHOTS / f"network_chart{i + 1}.png"))


def test_the_histogram_slider_moves_the_epoch(page):
    open_page(page, QUICK)
    _wait_charts(page, 4)
    slider = page.locator("[data-testid='stMain']").get_by_role("slider", name="epoch (0: the last)")
    slider.focus()
    slider.press("ArrowRight")
    wait_idle(page)
    _wait_charts(page, 4)
    assert_no_errors(page)
    assert "after epoch 1" in page.locator(CHARTS).nth(2).inner_text()


def test_the_network_page_at_a_projector_and_a_phone(browser, server):
    for width, height, name in ((1280, 720, "network_1280"), (390, 844, "network_390")):
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        tab.base_url = server
        open_page(tab, QUICK)
        _wait_charts(tab, 4)
        assert_no_errors(tab)
        screenshot(tab, name)
        context.close()


def test_the_finder_draws_and_use_this_retrains_with_its_final_lr(page):
    open_page(page, QUICK)
    _wait_charts(page, 4)
    page.get_by_text("run the finder").click()
    wait_idle(page, timeout=120_000)
    _wait_charts(page, 5)
    assert_no_errors(page)
    finder = page.locator(CHARTS).nth(4)
    finder.scroll_into_view_if_needed()
    assert "divergence point" in finder.inner_text() and "suggested" in finder.inner_text().lower()
    finder.screenshot(path=str(SHOTS / "network_finder.png"))
    page.get_by_role("button", name=re.compile("use this")).click()
    wait_idle(page, timeout=120_000)
    _wait_charts(page, 4)
    assert_no_errors(page)
    assert "final_lr=" in page.url and "lr.momentum=" in page.url
