"""Command line: ``python -m geodata [--data DIR] validate | export ...``."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from geodata._errors import RecordError
from geodata._export import LAYERS, checked_layers, feature_collection_bytes, timeline_bytes
from geodata._load import load_record
from geodata._outlets import OUTLET_KINDS, outlet_of, rests_only_on_weak_sources, source_quality
from geodata._record import Record

DATA_ENV = "KZ_RECORD_DIR"


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        record = load_record(args.data or os.environ.get(DATA_ENV) or None)
    except RecordError as error:
        print(_printable(str(error)), file=sys.stderr)
        return 1
    for notice in record.notices:
        print(_printable(f"warning: {notice}"), file=sys.stderr)
    if args.command == "validate":
        meta = record.meta
        counts = ", ".join(f"{len(frame)} {name}" for name, frame in record.tables.items())
        print(
            _printable(
                f"OK: {meta.title} ({meta.version}), {meta.period_start} to {meta.period_end}: {counts}."
            )
        )
        print(_printable(_source_summary(record)))
        return 0
    if args.all:
        payload = timeline_bytes(record, args.layers)
    else:
        day = args.date or record.meta.period_start
        if not record.meta.period_start <= day <= record.meta.period_end:
            parser.error(
                f"--date {day} is outside the record's period {record.meta.period_start} to {record.meta.period_end}"
            )
        payload = feature_collection_bytes(record, day, args.layers)
    _write(payload, args.output)
    return 0


def _source_summary(record: Record) -> str:
    """Citations by outlet kind, how many rows rest only on mirrors or aggregators, and which mirrors."""
    urls = [url for frame in record.tables.values() for urls in frame["sources"] for url in urls]
    kinds = source_quality(urls)
    weak_rows = sum(
        rests_only_on_weak_sources(urls)
        for frame in record.tables.values()
        for urls in frame["sources"]
    )
    mirrors = sorted({outlet_of(url).name for url in urls if outlet_of(url).kind == "mirror"})
    by_kind = ", ".join(
        f"{kinds[kind]} {kind}" for kind in (*OUTLET_KINDS, "unknown") if kinds[kind]
    )
    return (
        f"Sources: {len(urls)} citations ({by_kind}); {weak_rows} rows rest only on mirrors or "
        f"aggregators (confidence at most medium); mirrors still cited: {len(mirrors)}"
        + (f" ({', '.join(mirrors)})" if mirrors else "")
        + "."
    )


def _printable(text: str) -> str:
    r"""Record text made safe for a terminal: control characters are shown, not obeyed.

    Examples
    --------
    >>> _printable("title\x1b[2J\nnext line")
    'title\\x1b[2J\nnext line'
    """
    return "".join(
        c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode() for c in text
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    parser.add_argument(
        "--data",
        metavar="DIR",
        help=f"a record folder instead of the bundled one (or set {DATA_ENV})",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check the record and list every problem")
    export = commands.add_parser(
        "export", help="write RFC 7946 GeoJSON for one day or the whole timeline"
    )
    when = export.add_mutually_exclusive_group(required=True)
    when.add_argument("--date", type=_date, help="the day, YYYY-MM-DD")
    when.add_argument(
        "--all", action="store_true", help="every day, as features with valid_from/valid_to"
    )
    export.add_argument(
        "--layers",
        type=_layers,
        default=LAYERS,
        help=f"comma-separated, any of {','.join(LAYERS)} (default: all)",
    )
    export.add_argument(
        "-o", "--output", type=Path, help="file to write (default: standard output)"
    )
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _layers(text: str) -> tuple[str, ...]:
    try:
        chosen = checked_layers(part.strip() for part in text.split(",") if part.strip())
    except ValueError:
        chosen = ()
    if not chosen:
        raise argparse.ArgumentTypeError(f"choose layers from {','.join(LAYERS)} (got {text!r})")
    return chosen


def _write(payload: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(payload)
        return
    # Write beside the target and rename, so a failure never leaves a half-written file.
    with tempfile.NamedTemporaryFile(
        dir=output.parent or ".", delete=False, suffix=".part"
    ) as handle:
        handle.write(payload)
    umask = os.umask(0)
    os.umask(umask)
    Path(handle.name).chmod(0o666 & ~umask)
    Path(handle.name).replace(output)


if __name__ == "__main__":
    sys.exit(main())
