"""What every page needs, imported once before any page runs.

Streamlit runs each session's script in its own thread. On a server that has just started, the
first sessions of a class arrive together, and a library that is first imported inside a page (as
Plotly imports pandas while it validates a figure, or Streamlit pyarrow for a table) is then imported
by several threads at once; Python's deadlock guard can hand one of them the half-initialised module
(``partially initialized module 'pandas' has no attribute 'Series'``). The entry point imports this
module as its first statement: every session waits on this one module's import lock, one thread
imports everything below, and no page imports a library for the first time.

torch is not here: only the real-network page needs it, and the home page must not load it.
"""

import numpy  # noqa: F401
import pandas  # noqa: F401
import imageio.v2  # noqa: F401  (the MP4 download)
import PIL.Image  # noqa: F401
import plotly.graph_objects  # noqa: F401
import plotly.io  # noqa: F401
import pyarrow  # noqa: F401
import streamlit  # noqa: F401

import landscapes  # noqa: F401
import landscapes.typed  # noqa: F401  (sympy)
import optim_core  # noqa: F401
import runs.lab  # noqa: F401
import runs.online  # noqa: F401
import runs.playground  # noqa: F401
import runs.tuning  # noqa: F401
import viz.animation  # noqa: F401
import viz.background  # noqa: F401
import viz.movie  # noqa: F401
import viz.curves  # noqa: F401
import viz.lens  # noqa: F401
import viz.online  # noqa: F401
import viz.rescaling  # noqa: F401
import viz.sweeps  # noqa: F401
import viz.trajectory  # noqa: F401
