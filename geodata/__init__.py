"""A cited, day-by-day record of the January 2022 unrest in Kazakhstan as GeoDataFrames and GeoJSON."""

from geodata._archive import unpack_record_archive
from geodata._errors import Problem, RecordError
from geodata._export import (
    LAYERS,
    MEDIA_TYPE,
    feature_collection_bytes,
    spreadsheet_safe,
    timeline_bytes,
)
from geodata._limits import MAX_ARCHIVE_BYTES
from geodata._load import WGS84, Record, RecordMeta, bundled_record_path, load_record
from geodata._timeline import UNREST_LABELS, Feature, Snapshot, snapshot, troop_series

__version__ = "0.1.0"

__all__ = [
    "LAYERS",
    "MAX_ARCHIVE_BYTES",
    "MEDIA_TYPE",
    "UNREST_LABELS",
    "WGS84",
    "Feature",
    "Problem",
    "Record",
    "RecordError",
    "RecordMeta",
    "Snapshot",
    "bundled_record_path",
    "feature_collection_bytes",
    "load_record",
    "snapshot",
    "spreadsheet_safe",
    "timeline_bytes",
    "troop_series",
    "unpack_record_archive",
]
