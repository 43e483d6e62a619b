"""Where the record comes from: ``streamlit run dashboard/app.py -- --data DIR`` or ``KZ_RECORD_DIR``."""

from __future__ import annotations

import argparse
import os
import sys

DATA_ENV = "KZ_RECORD_DIR"


def record_dir(argv: list[str] | None = None) -> str | None:
    """The record folder asked for on the command line or in the environment (``None``: bundled)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.data or os.environ.get(DATA_ENV) or None
