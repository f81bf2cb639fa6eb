"""The teaching tools in a real Chromium: step by step, a typed function, the slide downloads
(GIF, MP4, PNG and Plotly's SVG) and the basin maps with their click into the playground."""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image

from tests.browser.conftest import assert_no_errors, open_page, screenshot, wait_idle


def _redrawn(page) -> None:
    wait_idle(page)
    page.wait_for_timeout(600)
    wait_idle(page)


def test_step_by_step_arrows_and_the_step_buttons(page):
    open_page(page, "playground?ls=sphere&opt=sgd,adam&T=50&adam.lr=0.1&sbs=1&at=3")
    assert_no_errors(page)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    legend = chart.locator(".legend").text_content()
    assert "the update taken" in legend and "the gradient" in legend
    assert chart.locator(".scatterlayer .trace path.point").count() >= 3  # the arrow heads at least
    table = page.locator("[data-testid='stDataFrame']").first
    assert table.is_visible()
    screenshot(page, "step_by_step")
    page.get_by_role("button", name="▶").click()
    _redrawn(page)
    assert "at=4" in page.url
    assert page.get_by_role("spinbutton", name="step t").input_value() == "4"
    page.get_by_role("button", name="◀").click()
    _redrawn(page)
    page.get_by_role("button", name="◀").click()
    _redrawn(page)
    assert "at=2" in page.url
    assert_no_errors(page)


def test_a_typed_function_draws_and_a_hostile_one_is_refused(page):
    open_page(page, "playground?ls=typed&opt=adam")
    box = page.get_by_role("textbox", name="f(x, y) =")
    box.fill("(x - 1)**2 + 3*(y + 0.5)**2")
    box.press("Enter")
    _redrawn(page)
    assert_no_errors(page)
    assert "fx=" in page.url and "0.5" in page.url
    legend = page.locator("[data-testid='stPlotlyChart']").first.locator(".legend").text_content()
    assert "found numerically" in legend
    screenshot(page, "typed_function")
    box = page.get_by_role("textbox", name="f(x, y) =")
    box.fill("__import__('os').system('true')")
    box.press("Enter")
    _redrawn(page)
    alert = page.locator("[data-testid='stAlert']").filter(has_text="was not used").first
    assert "__import__" in alert.inner_text()
    assert page.get_by_role("textbox", name="f(x, y) =").input_value() == "(x - 1)**2 + 3*(y + 0.5)**2"
    assert_no_errors(page)


def test_the_slide_downloads_are_what_they_say(page, tmp_path):
    open_page(page, "playground?ls=himmelblau&opt=sgd,adam&T=120")
    for label, check in [("animation (GIF)", "gif"), ("animation (MP4)", "mp4"), ("whole run (PNG)", "png")]:
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=label).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        data = path.read_bytes()
        if check == "gif":
            gif = Image.open(io.BytesIO(data))
            assert gif.format == "GIF" and gif.size == (1280, 720) and gif.n_frames > 10
        elif check == "mp4":
            assert data[4:8] == b"ftyp" and len(data) > 10_000
        else:
            png = Image.open(io.BytesIO(data))
            assert png.format == "PNG" and png.size == (1280, 720)
            # the runs' colours are in it: SGD's near-black and Adam's red
            pixels = np.asarray(png.convert("RGB")).reshape(-1, 3).astype(int)
            assert (np.abs(pixels - [0xd6, 0x27, 0x28]).max(axis=1) < 8).sum() > 50
    # Plotly's own camera button saves the chart as SVG
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.hover()
    with page.expect_download(timeout=60_000) as info:
        chart.locator("[data-title='Download plot']").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".svg" and path.read_text()[:200].lstrip().startswith("<svg")
    assert_no_errors(page)


def test_the_basin_map_draws_and_a_click_opens_the_playground_there(page):
    open_page(page, "playground?ls=himmelblau&opt=sgd,adam&adam.lr=0.1&T=300")
    page.get_by_role("link", name=re.compile("^Basin map: where")).click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg", state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    assert_no_errors(page)
    assert page.locator("h1").first.inner_text() == "Basin maps"
    assert page.locator(".heatmaplayer image, .heatmaplayer").count() >= 1
    screenshot(page, "basins")
    plot = page.locator("[data-testid='stPlotlyChart'] .nsewdrag").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + 0.15 * box["height"])  # top right: m1's basin
    wait_idle(page)
    page.wait_for_selector("[data-testid='stMain'] h1:has-text('Playground')", timeout=60_000)
    wait_idle(page)
    x0 = float(page.get_by_role("spinbutton", name="start x").input_value())
    y0 = float(page.get_by_role("spinbutton", name="start y").input_value())
    assert x0 > 2 and y0 > 2  # Himmelblau's window is [-5, 5]^2: the click was up and to the right
    assert "playground" in page.url
    assert_no_errors(page)
