"""Basin maps: where each optimizer ends up from every start of the landscape."""

from __future__ import annotations

import streamlit as st

from ui import present
from ui.basins_view import basin_fields, basin_section, sidebar
from ui.playground_view import controls_and_run

present.intro("Basin maps", "Every optimizer of the sidebar runs from each start of a grid over the landscape (40,000 runs "
           "at 200 per side, one batched run each), and each start is coloured by the minimum its run "
           "ends at, or by the steps it needs to get there. On Himmelblau, Adam and SGD carve the plane "
           "differently. The settings are the playground's (same sidebar, same link); click a start to "
              "run the playground from there.")

run = controls_and_run("basins", extra_fields=basin_fields(), extra_sidebar=sidebar)
basin_section(run)
