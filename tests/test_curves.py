"""The loss figure's hand-written two-panel layout is the one Plotly's make_subplots builds."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import _two_panels


def test_two_panels_lay_out_as_make_subplots_does():
    titles = ("loss gap f − f*", "distance to the nearest minimum")
    reference = make_subplots(rows=1, cols=2, horizontal_spacing=0.09, subplot_titles=titles)
    reference.update_xaxes(title_text="step t")
    reference.update_yaxes(exponentformat="power")
    ours = go.Figure(layout=_two_panels(titles, 0.09))
    ref, got = reference.to_dict()["layout"], ours.to_dict()["layout"]
    for key in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert set(got[key]) == set(ref[key]), key
        for field, value in ref[key].items():
            if isinstance(value, list):
                np.testing.assert_allclose(got[key][field], value, atol=1e-12)
            else:
                assert got[key][field] == value, (key, field)
    for a, b in zip(got["annotations"], ref["annotations"]):
        assert a.keys() == b.keys() and a["text"] == b["text"]
        assert abs(a["x"] - b["x"]) < 1e-12 and a["y"] == b["y"]
