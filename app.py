"""Optimizer Lab: the entry point routes between the pages; the home page holds the preset gallery.

The pages live in app_pages/, not pages/: Streamlit runs a folder named pages/ beside the entry point
as an old-style multipage app on a server's first request, which would open a shared link to a
page without this router (no wide layout, a stray "app" entry in the navigation)."""

from ui import startup  # noqa: F401  (first: see its docstring)

import streamlit as st

from ui.pages import navigation

st.set_page_config(page_title="Optimizer Lab", page_icon="🧭", layout="wide")
navigation()
