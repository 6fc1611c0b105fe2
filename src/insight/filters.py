"""The one set of filters every page respects: date range, categories and languages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta


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

    def previous(self) -> Filters | None:
        """The same filters over the equally long period just before this one (None without a full date range).

        What a KPI is compared with: January 1–31 against December 1–31's 31 days, a week against the week
        before. Without both dates there is no period to move back.
        """
        if self.start is None or self.end is None:
            return None
        days = (self.end - self.start).days + 1
        return replace(self, start=self.start - timedelta(days=days), end=self.start - timedelta(days=1))
