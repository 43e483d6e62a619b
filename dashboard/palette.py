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
HOST_FILL = "#ffffff"
NEUTRAL_FILL = "#e6e6e6"
BORDER = "#666666"
EMERGENCY_FILL = "#e69f00"
UNREST_FILL = {0: "#d9d9d9", 1: "#fec44f", 2: "#ec7014", 3: "#993404"}
UNREST_RADIUS = {0: 4, 1: 7, 2: 10, 3: 13}
SITE_FILL = "#009e73"
MOVEMENT_COLOUR = {"deployment": "#0072b2", "withdrawal": "#cc79a7", "return": "#cc79a7"}
MOVEMENT_DASH = {"deployment": None, "withdrawal": "6 4", "return": "2 4"}
EVENT_FILL = "#000000"
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
