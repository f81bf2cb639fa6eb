"""Every preset in the gallery opens its page cleanly: no exception, no link note, nothing diverged."""

from __future__ import annotations

import pytest

from tests.conftest import open_app
from ui.presets import PRESETS


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_preset_opens_cleanly(preset):
    at = open_app(preset.path, preset.query)
    texts = [w.value for w in at.warning]
    assert not any("link had values" in t for t in texts), texts
    if preset.key != "rescaling":  # there SGD is meant to diverge
        assert not any("Diverged" in t for t in texts), texts
    else:
        assert any("SGD at step" in t for t in texts)
    assert at.get("plotly_chart"), "the preset's page drew no chart"
