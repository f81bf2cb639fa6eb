"""runs: what each page computes from its settings, as pure functions (no Streamlit, no figures).

One module per page (``runs/<page>.py``) beside the page's ``ui/<page>_state`` (its fields and
link) and ``ui/<page>_view`` (its sections); ``fields`` is the typed schema that settings arrive in.
It imports only optim_core and landscapes (and nets, for the network page), so anything here can be
tested and benchmarked without a browser.
"""
