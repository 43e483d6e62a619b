"""Twenty users at once: every one steps through every day and downloads the last day's GeoJSON.

Runs ``benchmarks.load.run_load`` against a dashboard of its own (not the session's shared one), so
the server's memory figures are this load's alone. Timing is printed (``-s`` or ``-rA``), never
asserted: the machine is shared, and steps under load may take seconds.

Downloads are made when the button is pressed (a deferred ``st.download_button``): under this load
every session's file must still arrive, since a file made ahead of time could be dropped before the
browser fetched it.
"""

from __future__ import annotations

import pytest

from benchmarks.bench import BUNDLED_ENV
from benchmarks.load import format_table, run_load
from tests.support.browser import running_app

pytestmark = pytest.mark.browser

SESSIONS = 20


def test_twenty_sessions_step_through_every_day_and_download():
    with running_app(env=BUNDLED_ENV) as url:
        result = run_load(url, sessions=SESSIONS, download=True)
    print(f"\n{SESSIONS} concurrent sessions against {url}\n{format_table(result)}")

    steps = result["steps_per_session"]
    assert steps == 19, result["days"]  # the bundled record: 1 to 20 January 2022
    assert result["errors"] == [], "\n".join(result["errors"])
    assert result["steps_measured"] == SESSIONS * steps
    assert [session["steps"] for session in result["per_session"]] == [steps] * SESSIONS
    assert result["downloads_ok"] == SESSIONS
    rss = result["rss_mb"]
    assert None not in (rss["before"], rss["during_max"], rss["after"]), rss
