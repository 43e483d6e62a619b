"""The layer registry: each layer of the map and the exports declared once, by key.

A layer is a key, a label for people, the function that builds its features on a day, the
properties each feature carries, and (for a layer that needs data of its own) the table it reads.
The export, the CLI, ``snapshot`` and the dashboard all read this registry; ``docs/adding-a-layer.md``
says how to add one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from geodata._schemas import OPTIONAL_TABLES, SCHEMAS

if TYPE_CHECKING:
    import pandera.pandas as pa

    from geodata._features import Feature
    from geodata._record import Record

__all__ = ["LAYERS", "Layer", "layer", "register_layer", "unregister_layer"]


@dataclass(frozen=True)
class Layer:
    """One layer: what it is called and how its features on a day are built.

    Parameters
    ----------
    key : str
        The layer's id in URLs, exports (``properties.layer``) and the CLI's ``--layers``.
    label : str
        What people read: the layer choice, the legend.
    build : callable
        ``build(record, day) -> tuple[Feature, ...]``, pure.
    columns : tuple of str
        The properties of every feature, in order (an empty day still has these columns).
    table : str, optional
        The name of a table of the record this layer adds (``<table>.csv``); optional in records.
    schema : pandera.DataFrameSchema, optional
        That table's schema (with ``id``, ``sources``, ``confidence`` and ``note`` like the others).
    """

    key: str
    label: str
    build: Callable[[Record, dt.date], tuple[Feature, ...]]
    columns: tuple[str, ...]
    table: str | None = None
    schema: pa.DataFrameSchema | None = None


_REGISTRY: dict[str, Layer] = {}


def register_layer(new: Layer) -> None:
    """Add ``new`` after the layers registered so far (its table, if any, becomes optional input)."""
    if new.key in _REGISTRY:
        raise ValueError(f"layer {new.key!r} is already registered")
    if (new.table is None) != (new.schema is None):
        raise ValueError("a layer's table and schema go together")
    if new.table is not None and new.schema is not None:
        if new.table in SCHEMAS:
            raise ValueError(f"table {new.table!r} already exists")
        SCHEMAS[new.table] = new.schema
        OPTIONAL_TABLES.add(new.table)
    _REGISTRY[new.key] = new


def unregister_layer(key: str) -> None:
    """Remove a layer (and the table it added); for plug-ins and tests."""
    removed = _REGISTRY.pop(key)
    if removed.table is not None:
        SCHEMAS.pop(removed.table, None)
        OPTIONAL_TABLES.discard(removed.table)


def layer(key: str) -> Layer:
    """The registered layer ``key``."""
    return _REGISTRY[key]


class LayerKeys(Sequence[str]):
    """The registered layers' keys, in drawing order: always the registry as it is now."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(_REGISTRY)[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


LAYERS = LayerKeys()
