"""The one set of filters every page respects: date range, categories and languages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the data to; empty means no restriction."""

    start: date | None = None
    end: date | None = None  # inclusive
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def params(self) -> dict:
        """Bound parameters for the store's filter predicates."""
        return {
            "start": self.start,
            "end": self.end,
            "categories": list(self.categories),
            "languages": list(self.languages),
        }

    @property
    def active(self) -> bool:
        """True when anything is filtered."""
        return bool(self.start or self.end or self.categories or self.languages)
