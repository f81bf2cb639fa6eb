"""The floor of a first chart: a bare Streamlit page with a title and one two-point Plotly chart.
``bench/browser_speed.py`` serves it beside the app and times its first chart the same way, so the
app's cold page is reported against what Streamlit and Plotly alone cost on the same machine."""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
