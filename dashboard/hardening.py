"""The server's hardening, checked by the page itself: it refuses to run without it.

``dashboard/server.py`` (what ``make run`` and ``python -m dashboard`` start) caps uploads, adds
``nosniff`` to every response and serves uploaded polygons to their session only. Started any
other way (``streamlit run dashboard/app.py``), none of that is there, so the page says how to
start it properly instead of running unprotected.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config

__all__ = ["enforce", "mark_served"]

_SERVED = {"by_app": False}


def mark_served() -> None:
    """Record that the hardened server (``dashboard/server.py``) is the one serving the page."""
    _SERVED["by_app"] = True


def enforce() -> None:
    """Never show users exception details; stop the page if the hardened server is not in front."""
    # A client option, so the page may set it: however the server was started, no traceback shows.
    st.set_option("client.showErrorDetails", "none")
    # AppTest runs the page with no server at all (no server mode): there is nothing to harden.
    if getattr(config, "_server_mode", None) and not _SERVED["by_app"]:
        st.error(
            "This dashboard must be started with `make run` or `python -m dashboard` (which serve "
            "it through dashboard/server.py with its upload limits and security headers)."
        )
        st.stop()
