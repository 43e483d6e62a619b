"""Who published a source: an outlet register (``data/outlets.csv``), domain → outlet, kind, original.

Kinds: ``official`` (a government or body speaking for itself), ``agency`` (a news agency),
``established`` (media with an editorial office), ``reference`` (gazetteers, encyclopedias, data
sets), ``aggregator`` (sites that collect others' reports) and ``mirror`` (scrapers and copies of
someone else's text). A mirror is credited to the original outlet where it is known: "TASS (via
pledgetimes.com)".
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["OUTLET_KINDS", "TRUSTED_KINDS", "Outlet", "credit", "outlet_of", "source_quality"]

OUTLET_KINDS = ("official", "agency", "established", "reference", "aggregator", "mirror")
# A ``high`` row needs at least one source of these kinds; the others are weak.
TRUSTED_KINDS = frozenset({"official", "agency", "established", "reference"})
WEAK_KINDS = frozenset({"aggregator", "mirror"})


@dataclass(frozen=True)
class Outlet:
    """A source's publisher: its name, its kind, and (for a mirror) whose text it copies."""

    domain: str
    name: str
    kind: str  # one of OUTLET_KINDS, or "unknown" for a domain not in the register
    original: str = ""


@functools.cache
def _register() -> dict[str, Outlet]:
    text = (importlib.resources.files("geodata") / "data" / "outlets.csv").read_text("utf-8")
    return {
        row["domain"]: Outlet(row["domain"], row["outlet"], row["kind"], row["original"])
        for row in csv.DictReader(text.splitlines())
    }


def domain_of(url: str) -> str:
    """``https://www.tass.com/world/1`` → ``tass.com``."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def outlet_of(url: str) -> Outlet:
    """The outlet behind ``url``, by its domain or a parent domain; unknown ones are named by domain.

    Examples
    --------
    >>> outlet_of("https://tass.com/world/1384189").name
    'TASS'
    >>> outlet_of("https://example.org/x").kind
    'unknown'
    """
    domain = domain_of(url)
    parts = domain.split(".")
    for start in range(len(parts) - 1):
        found = _register().get(".".join(parts[start:]))
        if found is not None:
            return found
    return Outlet(domain, domain, "unknown")


def credit(url: str) -> str:
    """How a source is credited: the outlet's name, or the original's "via" the mirror that copied it.

    Examples
    --------
    >>> credit("https://www.urdupoint.com/en/world/x.html")
    'Sputnik (via UrduPoint)'
    >>> credit("https://pledgetimes.com/x/")
    'pledgetimes.com (mirror)'
    """
    outlet = outlet_of(url)
    if outlet.original and outlet.kind in ("mirror", "aggregator", "established"):
        return f"{outlet.original} (via {outlet.name})"
    if outlet.kind == "mirror":
        return f"{outlet.name} (mirror)"
    return outlet.name


def rests_only_on_weak_sources(urls: Iterable[str]) -> bool:
    """Whether every source is a known mirror or aggregator (unknown domains are not judged)."""
    kinds = [outlet_of(url).kind for url in urls]
    return bool(kinds) and all(kind in WEAK_KINDS for kind in kinds)


def source_quality(urls: Iterable[str]) -> Counter[str]:
    """How many sources of each outlet kind."""
    return Counter(outlet_of(url).kind for url in urls)
