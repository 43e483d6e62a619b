"""GeoJSON (RFC 7946) for one day or for the whole timeline: the bytes the CLI and the dashboard both serve."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from geodata._layers import LAYERS
from geodata._timeline import snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from geodata._record import Record
    from geodata._timeline import Snapshot

__all__ = [
    "LAYERS",
    "checked_layers",
    "feature_collection_bytes",
    "feature_collection_chunks",
    "snapshot_features",
    "spreadsheet_safe",
    "timeline_bytes",
    "timeline_chunks",
]

MEDIA_TYPE = "application/geo+json"


# A cell starting with one of these is run as a formula by spreadsheet apps (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it, never run as a formula: a leading quote where needed.

    Examples
    --------
    >>> spreadsheet_safe("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> spreadsheet_safe("Russia")
    'Russia'
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def feature_collection_bytes(record: Record, day: dt.date, layers: Sequence[str] = LAYERS) -> bytes:
    """The FeatureCollection for ``day`` and ``layers``, as UTF-8 bytes.

    Every feature's properties start with ``layer``, ``id``, ``name`` and ``date`` and end with
    ``sources`` and ``confidence``; the collection's ``metadata`` names the date, layers and dataset.
    """
    return b"".join(feature_collection_chunks(record, day, layers))


def timeline_bytes(record: Record, layers: Sequence[str] = LAYERS) -> bytes:
    """The whole record as dated features: each run of days with equal properties becomes one feature.

    ``valid_from`` is the first day (included) and ``valid_to`` the day after the last (excluded),
    which is what QGIS's temporal controller and kepler.gl expect by default.
    """
    return b"".join(timeline_chunks(record, layers))


def feature_collection_chunks(
    record: Record, day: dt.date, layers: Sequence[str] = LAYERS
) -> Iterator[bytes]:
    """``feature_collection_bytes`` in pieces, for a server to stream without holding it whole.

    A generator: nothing is computed until the first piece is asked for (so a server can do the
    work off its event loop). Unknown layers raise ``ValueError`` then.
    """
    layers = checked_layers(layers)
    snap = snapshot(record, day)
    features = (
        _feature(layer, key, properties, geometry, {"date": day.isoformat()})
        for layer in layers
        for key, properties, geometry in snapshot_features(
            snap, layer, record.meta.property_aliases
        )
    )
    yield from _collection(features, _metadata(record, layers, date=day.isoformat()))


def timeline_chunks(record: Record, layers: Sequence[str] = LAYERS) -> Iterator[bytes]:
    """``timeline_bytes`` in pieces, for a server to stream without holding it whole (a generator)."""
    layers = checked_layers(layers)
    runs: dict[tuple[str, str], list[list[Any]]] = {}
    for day in record.meta.days:
        snap = snapshot(record, day)
        for layer in layers:
            for key, properties, geometry in snapshot_features(
                snap, layer, record.meta.property_aliases
            ):
                encoded = json.dumps(properties, ensure_ascii=False)
                spells = runs.setdefault((layer, key), [])
                last = spells[-1] if spells else None
                if (
                    last
                    and last[1] == encoded
                    and last[2] == geometry
                    and last[4] == day - dt.timedelta(days=1)
                ):
                    last[4] = day
                else:
                    spells.append([properties, encoded, geometry, day, day])
    features = (
        _feature(
            layer,
            key,
            properties,
            geometry,
            {
                "date": first.isoformat(),
                "valid_from": first.isoformat(),
                "valid_to": (last + dt.timedelta(days=1)).isoformat(),
            },
        )
        for (layer, key), spells in runs.items()
        for properties, _, geometry, first, last in spells
    )
    metadata = _metadata(record, layers, date=None)
    metadata["period"] = [record.meta.period_start.isoformat(), record.meta.period_end.isoformat()]
    yield from _collection(features, metadata)


def snapshot_features(
    snap: Snapshot, layer: str, aliases: Sequence[tuple[str, str]] = ()
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``(id, properties, geometry JSON)`` for each feature of one layer of a snapshot.

    Each ``(former, current)`` alias repeats property ``current`` under its former name, right after it.
    """
    former_of = {current: former for former, current in aliases}
    for feature in snap.layers[layer]:
        properties = {}
        for key, value in feature.properties.items():
            properties[key] = _plain(value)
            if key in former_of:
                properties[former_of[key]] = properties[key]
        yield str(properties.pop("id")), properties, feature.geometry_json


def checked_layers(layers: Iterable[str]) -> tuple[str, ...]:
    """``layers`` without repeats, or a ValueError naming the unknown ones."""
    chosen = tuple(dict.fromkeys(layers))
    unknown = [layer for layer in chosen if layer not in LAYERS]
    if unknown:
        raise ValueError(f"Unknown layer(s) {', '.join(unknown)}; choose from {', '.join(LAYERS)}.")
    return chosen


def _feature(
    layer: str, key: str, properties: dict[str, Any], geometry: str, dates: dict[str, str]
) -> str:
    body = dict(properties)
    head = {"layer": layer, "id": key, "name": body.pop("name"), **dates}
    tail = {"sources": body.pop("sources"), "confidence": body.pop("confidence")}
    encoded = json.dumps(
        {**head, **body, **tail}, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    return f'{{"type":"Feature","properties":{encoded},"geometry":{geometry}}}'


# Features per streamed piece: large enough to keep overhead low, small enough to bound memory.
_CHUNK_FEATURES = 200


def _collection(features: Iterable[str], metadata: dict[str, Any]) -> Iterator[bytes]:
    head = json.dumps(
        {"type": "FeatureCollection", "metadata": metadata},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    yield (head[:-1] + ',"features":[').encode("utf-8")
    batch: list[str] = []
    first = True
    for feature in features:
        batch.append(feature)
        if len(batch) == _CHUNK_FEATURES:
            yield (("" if first else ",\n") + ",\n".join(batch)).encode("utf-8")
            batch, first = [], False
    if batch:
        yield (("" if first else ",\n") + ",\n".join(batch)).encode("utf-8")
    yield b"]}\n"


def _metadata(record: Record, layers: Sequence[str], *, date: str | None) -> dict[str, Any]:
    meta = record.meta
    return {
        "date": date,
        "layers": list(layers),
        "dataset": {"title": meta.title, "version": meta.version},
        "attribution": meta.attribution,
        "licence": meta.licence,
        "timezone": meta.timezone,
        "crs": "WGS84 longitude/latitude (RFC 7946)",
        "boundaries": {
            key: {
                "name": p.name,
                "source": p.source,
                "licence": p.licence,
                "confidence": p.confidence,
            }
            for key, p in record.provenance.items()
        },
    }


def _plain(value: Any) -> Any:
    """A JSON-ready value: no NumPy scalars, no NaN, dates as ISO text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
