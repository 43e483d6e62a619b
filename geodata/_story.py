"""The day's events and figures as a table: what the dashboard's story panel shows, as CSV."""

from __future__ import annotations

import codecs
import csv
import io
from typing import TYPE_CHECKING, Any

from geodata._export import spreadsheet_safe
from geodata._timeline import MEASURE_LABELS

if TYPE_CHECKING:
    from geodata._timeline import Snapshot

__all__ = ["MEASURE_LABELS", "STORY_COLUMNS", "story_csv_bytes", "story_rows"]

STORY_COLUMNS = (
    "row", "date", "time_local", "place", "kind", "text", "measure", "value", "qualifier",
    "attributed_to", "reported_on", "status", "sources", "confidence", "note",
)  # fmt: skip


def story_rows(snap: Snapshot) -> list[dict[str, Any]]:
    """The day's events, the latest figure of each measure so far, and any withdrawn that day."""
    rows: list[dict[str, Any]] = []
    for feature in snap.layers["event"]:
        props = feature.properties
        rows.append({
            "row": "event", "date": snap.date.isoformat(), "time_local": props["time_local"] or "",
            "place": props["place"] or "", "kind": props["kind"], "text": props["name"],
            "sources": " ".join(props["sources"]), "confidence": props["confidence"],
            "note": props["note"] or "",
        })  # fmt: skip
    for figure in (*snap.latest_figures.values(), *snap.withdrawn_figures):
        rows.append({
            "row": "figure", "date": snap.date.isoformat(), "kind": figure["measure"],
            "text": MEASURE_LABELS.get(figure["measure"], figure["measure"]),
            "measure": figure["measure"], "value": figure["value"],
            "qualifier": figure["qualifier"] or "", "attributed_to": figure["attributed_to"],
            "reported_on": figure["date"].isoformat(), "status": figure["status"],
            "sources": " ".join(figure["sources"]),
            "confidence": figure["confidence"], "note": figure.get("note") or "",
        })  # fmt: skip
    return rows


def story_csv_bytes(snap: Snapshot) -> bytes:
    """``story_rows`` as CSV for spreadsheet apps: UTF-8 with a byte-order mark, no cell a formula."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=STORY_COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    for row in story_rows(snap):
        writer.writerow({
            key: spreadsheet_safe(value) if isinstance(value, str) else value
            for key, value in row.items()
        })  # fmt: skip
    return codecs.BOM_UTF8 + text.getvalue().encode("utf-8")
