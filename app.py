"""Optimizer Lab: the entry point routes between the pages; the home page holds the preset gallery.

The pages live in app_pages/, not pages/: Streamlit runs a folder named pages/ beside the entry point
as an old-style multipage app on a server's first request, which would open a shared link to a
page without this router (no wide layout, a stray "app" entry in the navigation)."""

from ui import startup  # noqa: F401  (first: see its docstring)

import streamlit as st

st.set_page_config(page_title="Optimizer Lab", page_icon="🧭", layout="wide")

home = st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)
playground = st.Page("app_pages/playground.py", title="Playground", icon=":material/explore:", url_path="playground")
lens = st.Page("app_pages/lens.py", title="Learning-rate lens", icon=":material/query_stats:", url_path="lens")
lab = st.Page("app_pages/lab.py", title="final_lr lab", icon=":material/grid_on:", url_path="lab")
rescaling = st.Page("app_pages/rescaling.py", title="Rescaling y", icon=":material/compress:",
                    url_path="rescaling")
online = st.Page("app_pages/online.py", title="Online example", icon=":material/timeline:", url_path="online")

st.navigation([home, playground, lens, rescaling, online, lab]).run()
