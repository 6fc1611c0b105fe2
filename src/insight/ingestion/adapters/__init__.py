"""Adapters turn a known source layout into canonical tables; ``detect_format`` picks one.

Each adapter module exposes ``NAME``, ``DESCRIPTION``, ``detect(source) -> bool`` and
``convert(source) -> Canonical``. The canonical adapter comes last: it is the documented format
for anyone else's data.
"""

from __future__ import annotations

from types import ModuleType

from insight.ingestion.adapters import (
    canonical,
    olist,
    online_retail,
    online_shopping_10_cats,
    taobao,
    womens_clothing,
)
from insight.ingestion.errors import IngestError
from insight.ingestion.readers import Source

ADAPTERS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (olist, online_retail, taobao, womens_clothing, online_shopping_10_cats, canonical)
}


def detect_format(source: Source) -> str:
    """Name of the one adapter that recognises ``source``; an error when none or several do."""
    matches = [name for name, module in ADAPTERS.items() if module.detect(source)]
    if not matches:
        columns = "; ".join(f"{f.name}: {', '.join(map(str, f.frame.columns[:12]))}" for f in source.files)
        raise IngestError(
            "format not recognised (columns seen: " + columns + "). Use the canonical format "
            "(see README) or name one with --format: " + ", ".join(ADAPTERS),
            file=source.path,
        )
    specific = [name for name in matches if name != canonical.NAME]
    if len(specific) > 1:
        raise IngestError(f"ambiguous format ({', '.join(specific)}); name one with --format", file=source.path)
    return (specific or matches)[0]


def adapter(name: str) -> ModuleType:
    """The adapter called ``name``; an error listing the known ones otherwise."""
    try:
        return ADAPTERS[name]
    except KeyError:
        raise IngestError(f"unknown format '{name}'; known formats: {', '.join(ADAPTERS)}") from None
