"""Shared fixtures: the bundled record, and a hostile copy of it, each loaded once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import geodata
from tests.hostile import write_hostile_record


@pytest.fixture(autouse=True)
def private_store(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test's uploads go to a folder of its own, never the machine's shared store."""
    from dashboard.store import STORE_ENV, upload_store

    folder = tmp_path_factory.mktemp("store")
    monkeypatch.setenv(STORE_ENV, str(folder))
    upload_store.cache_clear()
    yield folder
    upload_store.cache_clear()


@pytest.fixture(scope="session")
def record() -> geodata.Record:
    return geodata.load_record()


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the record whose every text field carries markup, script and control characters."""
    return write_hostile_record(tmp_path_factory.mktemp("hostile") / "record")


@pytest.fixture(scope="session")
def hostile(hostile_dir: Path) -> geodata.Record:
    return geodata.load_record(hostile_dir)
