"""Layout by element boxes, not pixels: in presentation mode at 1280 x 720 (a projector) every page
shows its key chart whole, play controls included, without scrolling, with large type; maps keep
equal axis scales; at 390 px (a phone) charts stack inside the screen without overlapping."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHART, assert_no_errors, screenshot, wait_idle

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# page -> does its key chart animate (play buttons and a step slider)?
PAGES = {"playground": True, "lens": True, "rescaling": True, "online": False, "lab": False,
         "basins": False, "network": False}


def _open(browser, server, viewport, path):
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.goto(f"{server}/{path}")
    tab.wait_for_selector("[data-testid='stMain'] h1", timeout=120_000)
    wait_idle(tab, timeout=180_000)
    tab.wait_for_selector(CHART, state="visible", timeout=120_000)
    tab.wait_for_timeout(800)
    return context, tab


def _inside(box, viewport) -> bool:
    return (box["x"] >= -1 and box["y"] >= -1 and box["x"] + box["width"] <= viewport["width"] + 1
            and box["y"] + box["height"] <= viewport["height"] + 1)


@pytest.mark.parametrize("page_key", list(PAGES))
def test_presentation_mode_fits_the_key_chart_on_a_projector(browser, server, page_key):
    context, tab = _open(browser, server, PROJECTOR, f"{page_key}?present=1")
    try:
        assert_no_errors(tab)
        assert not tab.locator("[data-testid='stSidebar']").is_visible()
        chart = tab.locator("[data-testid='stPlotlyChart']").first
        box = chart.bounding_box()
        assert _inside(box, PROJECTOR), (page_key, box)
        assert box["height"] >= 0.6 * PROJECTOR["height"]  # one chart, large
        if PAGES[page_key]:
            for part in (".updatemenu-container", ".slider-container"):
                assert _inside(chart.locator(part).first.bounding_box(), PROJECTOR), (page_key, part)
        # type for the back row: tick labels and axis titles of at least 18 px
        labels = chart.locator(".xtick text, .ytick text").evaluate_all(
            "els => els.map(e => [e.textContent, parseFloat(getComputedStyle(e).fontSize)])")
        # a log axis writes its in-between 2 and 5 at three quarters of the size, by design
        sizes = [size for text, size in labels if text not in ("2", "5")]
        assert sizes and min(sizes) >= 18, (page_key, min(sizes))
        prose = tab.locator("[data-testid='stCaptionContainer'], [data-testid='stAlert'], h2, h3")
        assert all(not prose.nth(i).is_visible() for i in range(prose.count()))  # no prose
        screenshot(tab, f"present_{page_key}")
        tab.get_by_role("button", name="leave").click()
        wait_idle(tab, timeout=180_000)
        assert "present" not in tab.url
        assert tab.locator("[data-testid='stSidebar']").is_visible()
    finally:
        context.close()


def test_maps_keep_equal_axis_scales(browser, server):
    # Beale's window is [-4.5, 4.5] x [-4.5, 4.5]: a square, so the plot area must be one too
    context, tab = _open(browser, server, PROJECTOR, "playground?ls=beale&opt=adam&T=50")
    try:
        plot = tab.locator("[data-testid='stPlotlyChart'] .nsewdrag").first.bounding_box()
        assert plot["width"] == pytest.approx(plot["height"], rel=0.03)
    finally:
        context.close()


@pytest.mark.parametrize("page_key", ["playground", "lens", "rescaling", "online", "basins", "lab", "network"])
def test_on_a_phone_charts_stack_inside_the_screen(browser, server, page_key):
    context, tab = _open(browser, server, PHONE, page_key)
    try:
        assert_no_errors(tab)
        boxes = [b for b in tab.locator("[data-testid='stPlotlyChart']").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); "
            "return {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height}; })") if b["height"] > 0]
        assert boxes
        for b in boxes:
            assert b["x"] >= -1 and b["x"] + b["width"] <= PHONE["width"] + 1, (page_key, b)
        ordered = sorted(boxes, key=lambda b: b["y"])
        for upper, lower in zip(ordered, ordered[1:]):
            assert upper["y"] + upper["height"] <= lower["y"] + 1, (page_key, upper, lower)  # stacked
        buttons = tab.locator("[data-testid='stPlotlyChart'] :is(.updatemenu-button, .updatemenu-header)").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); "
            "return {x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent}; })")
        assert len(buttons) >= 5 if PAGES[page_key] else True, buttons  # play, pause, two frame steps, speeds
        for i, a in enumerate(buttons):  # play, pause, steps and the speeds side by side, none over another
            assert a["x"] >= -1 and a["x"] + a["width"] <= PHONE["width"] + 1, (page_key, a)
            for b in buttons[i + 1:]:
                apart = (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
                         or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1)
                assert apart, (page_key, a, b)
        for chart in tab.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").all():  # subplot titles
            notes = chart.locator(".infolayer .annotation").evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect(); "
                "return {x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent}; })")
            for i, a in enumerate(notes):
                for b in notes[i + 1:]:
                    apart = (a["x"] + a["width"] <= b["x"] + 1 or b["x"] + b["width"] <= a["x"] + 1
                             or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1)
                    assert apart, (page_key, a, b)
        screenshot(tab, f"phone_{page_key}")
    finally:
        context.close()


def test_animated_charts_offer_presentation_mode_instead_of_a_broken_fullscreen(browser, server):
    # Streamlit's full-screen view redraws a chart from its first state: the paths vanished and
    # Play did nothing. Animated charts hide that button; the sidebar's presentation switch is there.
    context, tab = _open(browser, server, PROJECTOR, "playground?opt=adam&T=100")
    try:
        chart = tab.locator("[data-testid='stPlotlyChart']").first
        chart.hover()
        tab.wait_for_timeout(300)
        assert chart.locator(".modebar-btn[data-title='Fullscreen']").count() in (0, 1)
        fullscreen = chart.locator(".modebar-btn[data-title='Fullscreen']")
        assert fullscreen.count() == 0 or not fullscreen.first.is_visible()
        assert chart.locator(".modebar-btn[data-title='Download plot']").first.is_visible()
        assert tab.locator("[data-testid='stSidebar']").get_by_text("presentation mode").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("page_key", list(PAGES))
def test_on_a_projector_the_key_chart_comes_first_with_the_sidebar_open(browser, server, page_key):
    # explanations follow the key chart, so at 1280 x 720 it and its play controls need no scrolling
    context, tab = _open(browser, server, PROJECTOR, page_key)
    try:
        assert_no_errors(tab)
        assert tab.locator("[data-testid='stSidebar']").is_visible()
        chart = tab.locator("[data-testid='stPlotlyChart']").first
        assert _inside(chart.bounding_box(), PROJECTOR), (page_key, chart.bounding_box())
        if PAGES[page_key]:
            for part in (".updatemenu-container", ".slider-container"):
                assert _inside(chart.locator(part).first.bounding_box(), PROJECTOR), (page_key, part)
        screenshot(tab, f"projector_{page_key}")
    finally:
        context.close()
