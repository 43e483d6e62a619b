"""Colour-blind-safe colours (Okabe-Ito for categories, ColorBrewer YlOrBr for unrest levels)."""

from __future__ import annotations

from collections.abc import Iterable

STATUS_FILL = {
    "not_deployed": "#f2f2f2",
    "deploying": "#56b4e9",
    "deployed": "#0072b2",
    "withdrawing": "#cc79a7",
    "withdrawn": "#bdbdbd",
}
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
SITE_FILL = "#009e73"
# Dark enough for 3.5:1 or more against water, land, the host and its state-of-emergency fill.
MOVEMENT_COLOUR = {"deployment": "#084594", "withdrawal": "#8c2d04", "return": "#8c2d04"}
MOVEMENT_DASH = {"deployment": None, "withdrawal": "8 5", "return": "2 5"}
EVENT_FILL = "#000000"
# Text on a status chip: dark on the light fills, white on the dark one.
STATUS_TEXT = {
    "not_deployed": "#333333",
    "deploying": "#000000",
    "deployed": "#ffffff",
    "withdrawing": "#000000",
    "withdrawn": "#333333",
}
# Okabe-Ito, for one colour per contingent in charts.
OKABE_ITO = ("#e69f00", "#56b4e9", "#009e73", "#0072b2", "#d55e00", "#cc79a7", "#f0e442", "#000000")


def contingent_colours(codes: Iterable[str]) -> dict[str, str]:
    """One Okabe–Ito colour per contingent, by ISO3 code in alphabetical order (chart and map alike).

    Examples
    --------
    >>> contingent_colours(["RUS", "ARM"])
    {'ARM': '#e69f00', 'RUS': '#56b4e9'}
    """
    ordered = sorted(set(codes))
    return {code: OKABE_ITO[i % len(OKABE_ITO)] for i, code in enumerate(ordered)}
