"""Colour-blind-safe colours (Okabe-Ito for categories, ColorBrewer YlOrBr for unrest levels)."""

from __future__ import annotations

from collections.abc import Iterable

STATUS_LABEL = {
    "not_deployed": "Not deployed",
    "deploying": "Deploying",
    "deployed": "Deployed",
    "withdrawing": "Withdrawing",
    "withdrawn": "Withdrawn",
}
# Land, water and borders: land is 1.5:1 against water; the host is white, with a dark outline.
LAND = "#e4e0d8"
WATER = "#94bcd6"
HOST_FILL = "#ffffff"
HOST_BORDER = "#333333"
NEUTRAL_FILL = LAND
BORDER = "#8c8c8c"
# A contributing country is outlined in its contingent's colour over a barely lighter land.
CONTRIBUTOR_FILL = "#f1eee8"
EMERGENCY_FILL = "#e69f00"
UNREST_FILL = {0: "#d9d9d9", 1: "#fec44f", 2: "#ec7014", 3: "#993404"}
UNREST_RADIUS = {0: 4, 1: 7, 2: 10, 3: 13}
# A guarded site's badge takes its contingent's colour; this one is for the key and for groups.
SITE_FILL = "#ffffff"
# Dark enough for 3.5:1 or more against water, land, the host and its state-of-emergency fill.
MOVEMENT_COLOUR = {"deployment": "#084594", "withdrawal": "#8c2d04", "return": "#8c2d04"}
MOVEMENT_DASH = {"deployment": None, "withdrawal": "8 5", "return": "2 5"}
EVENT_FILL = "#000000"
# Text on a status chip (white, edged in the contingent's colour): grey while not in the country.
STATUS_TEXT = {
    "not_deployed": "#666666",
    "deploying": "#000000",
    "deployed": "#000000",
    "withdrawing": "#000000",
    "withdrawn": "#666666",
}
# One colour per contingent, on the map (outline, trail, troops, site badges) and in the chart:
# Okabe-Ito without the colours the map already uses for something else (orange: state of
# emergency; sky blue: water; yellow: protest), then a dark grey.
CONTINGENT_COLOURS = ("#d55e00", "#cc79a7", "#009e73", "#0072b2", "#555555", "#000000")
# Text on a contingent's colour: white where the colour is dark enough for it.
CONTINGENT_TEXT = {"#d55e00": "#000000", "#cc79a7": "#000000", "#009e73": "#000000",
                   "#0072b2": "#ffffff", "#555555": "#ffffff", "#000000": "#ffffff"}  # fmt: skip


def contingent_colours(codes: Iterable[str]) -> dict[str, str]:
    """One colour per contingent, by ISO3 code in alphabetical order (chart and map alike).

    Examples
    --------
    >>> contingent_colours(["RUS", "ARM"])
    {'ARM': '#d55e00', 'RUS': '#cc79a7'}
    """
    ordered = sorted(set(codes))
    return {code: CONTINGENT_COLOURS[i % len(CONTINGENT_COLOURS)] for i, code in enumerate(ordered)}
