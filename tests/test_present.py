"""Presentation mode through AppTest: from the link, one chart and no prose on every page; the
switch writes the link and the leave button ends it."""

from __future__ import annotations

import pytest

from tests.conftest import chart_specs, open_app
from ui.present import FONT_PX, HEIGHT_PX

PAGES = ["app_pages/playground.py", "app_pages/lens.py", "app_pages/rescaling.py", "app_pages/online.py",
         "app_pages/basins.py"]


@pytest.mark.parametrize("page", PAGES)
def test_a_presentation_link_shows_one_large_chart_with_large_type(page):
    at = open_app(page, {"present": "1", "res": "40"} if "basins" in page else {"present": "1"})
    specs = chart_specs(at)
    assert len(specs) == 1
    layout = specs[0]["layout"]
    assert layout["height"] == HEIGHT_PX and layout["font"]["size"] == FONT_PX
    assert layout["xaxis"]["tickfont"]["size"] >= FONT_PX
    assert not [c for c in at.caption if "Opened from a link" in c.value]


def test_the_switch_is_in_the_link_and_leave_ends_it():
    at = open_app("app_pages/playground.py")
    assert len(chart_specs(at)) > 1
    at.sidebar.toggle(key="present").set_value(True).run()
    assert at.query_params["present"] in ("1", ["1"])
    assert len(chart_specs(at)) == 1
    at.button(key="_leave_present").click().run()
    assert "present" not in at.query_params
    assert len(chart_specs(at)) > 1
