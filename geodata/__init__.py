"""A cited, day-by-day record of the January 2022 unrest in Kazakhstan as GeoDataFrames and GeoJSON."""

from geodata._archive import unpack_record_archive
from geodata._errors import Problem, RecordError
from geodata._export import (
    MEDIA_TYPE,
    checked_layers,
    feature_collection_bytes,
    feature_collection_chunks,
    spreadsheet_safe,
    timeline_bytes,
    timeline_chunks,
)
from geodata._layers import LAYERS, Layer, layer, register_layer, unregister_layer
from geodata._limits import MAX_ARCHIVE_BYTES
from geodata._load import bundled_boundary_files, bundled_record_path, load_record
from geodata._outlets import OUTLET_KINDS, Outlet, credit, outlet_of, source_quality
from geodata._record import WGS84, Record, RecordMeta
from geodata._schemas import CONFIDENCE_LEVELS, SOURCE_URL_PATTERN, is_source_url
from geodata._story import MEASURE_LABELS, STORY_COLUMNS, story_csv_bytes, story_rows
from geodata._timeline import (
    UNREST_LABELS,
    Feature,
    Snapshot,
    milestones,
    snapshot,
    troop_series,
    weakest,
)

__version__ = "0.1.0"

__all__ = [
    "CONFIDENCE_LEVELS",
    "LAYERS",
    "MAX_ARCHIVE_BYTES",
    "MEASURE_LABELS",
    "MEDIA_TYPE",
    "OUTLET_KINDS",
    "SOURCE_URL_PATTERN",
    "STORY_COLUMNS",
    "UNREST_LABELS",
    "WGS84",
    "Feature",
    "Layer",
    "Outlet",
    "Problem",
    "Record",
    "RecordError",
    "RecordMeta",
    "Snapshot",
    "bundled_boundary_files",
    "bundled_record_path",
    "checked_layers",
    "credit",
    "feature_collection_bytes",
    "feature_collection_chunks",
    "is_source_url",
    "layer",
    "load_record",
    "milestones",
    "outlet_of",
    "register_layer",
    "snapshot",
    "source_quality",
    "spreadsheet_safe",
    "story_csv_bytes",
    "story_rows",
    "timeline_bytes",
    "timeline_chunks",
    "troop_series",
    "unpack_record_archive",
    "unregister_layer",
    "weakest",
]
