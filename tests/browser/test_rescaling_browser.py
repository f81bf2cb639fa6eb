"""The rescaling page in a real Chromium: the gallery's preset opens it, both panels draw on their
own backgrounds, one slider animates both, and the settings carry over to the playground."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.browser.conftest import assert_no_errors, open_page, play_then_pause, screenshot, wait_idle
from ui import presets


def _current_step(tab) -> str:
    return tab.locator("[data-testid='stPlotlyChart'] .slider-container text.slider-label").first.text_content()


def _point_of(chart, name: str) -> list:
    """The current point of every marker trace with this name, as Plotly holds it (data space)."""
    return chart.locator(".js-plotly-plot").first.evaluate(
        """(gd, name) => gd._fullData.filter(t => t.mode === 'markers' && t.name === name)
                         .map(t => [t.x[0], t.y[0]])""", name)


def test_the_preset_shows_both_panels_and_one_slider_moves_both(page):
    preset = presets.get("rescaling")
    open_page(page, "", chart=False)
    assert page.get_by_text(preset.title).is_visible()
    page.locator("[data-testid='stMain'] a[href*='rescaling?']").click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg", state="visible")
    page.wait_for_timeout(800)
    assert_no_errors(page)
    assert "rescaling" in page.url and "ls=ill_conditioned" in page.url
    chart = page.locator("[data-testid='stPlotlyChart']").first
    assert chart.locator("image").count() == 2  # a background per panel
    assert "on f(x, 10·y)" in chart.inner_text()
    screenshot(page, "rescaling_preset")

    # at the last frame, Adam's current points coincide on both panels
    heads = _point_of(chart, "Adam")
    assert len(heads) == 2 and abs(heads[0][0] - heads[1][0]) < 1e-6 and abs(heads[0][1] - heads[1][1]) < 1e-6

    before = _current_step(page)
    play_then_pause(page, chart, 1500)
    during = _current_step(page)
    assert during != before, "the animation did not advance"
    heads = _point_of(chart, "Adam")
    assert abs(heads[0][0] - heads[1][0]) < 1e-6 and abs(heads[0][1] - heads[1][1]) < 1e-6
    momentum = _point_of(chart, "Momentum")
    assert len(momentum) == 2  # both panels' momentum points moved with the same frame
    screenshot(page, "rescaling_mid_animation")


def test_rescaling_settings_carry_over_to_the_playground(page):
    open_page(page, "rescaling?" + urlencode({"ls": "sphere", "opt": "sgd,adam", "T": "120", "s": "0.2"}))
    assert_no_errors(page)
    assert page.get_by_role("spinbutton", name="rescale y by s").input_value() == "0.2"
    page.get_by_role("link", name="Playground", exact=True).click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg", state="visible")
    assert page.get_by_role("spinbutton", name="steps T").input_value() == "120"
    assert "ls=sphere" in page.url and "s=0.2" not in page.url
    page.get_by_role("link", name="Rescaling y", exact=True).click()
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg", state="visible")
    assert page.get_by_role("spinbutton", name="rescale y by s").input_value() == "0.2"
    assert_no_errors(page)
