"""Shared fixtures: the bundled record, loaded once per test session."""

from __future__ import annotations

import pytest

import geodata


@pytest.fixture(scope="session")
def record() -> geodata.Record:
    return geodata.load_record()
