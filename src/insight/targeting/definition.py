"""What an audience is made of, as data: saved with the audience and re-evaluated on new data.

An :class:`AudienceDefinition` combines kinds of conditions with AND (segments, saved audiences,
behaviour, a free-text interest); within a kind, choices combine with OR (any of these segments, any
of these saved audiences, bought from any of these categories). Lookalikes then grow the result.
Definitions are plain values (tuples, numbers, text) so that they serialise to JSON, hash as cache
keys, and read the same in a year when a saved audience is refreshed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

DEFAULT_INTEREST_THRESHOLD = 0.35  # cosine; on the demo shop ~15 % of users match "trail running shoes"


@dataclass(frozen=True)
class AudienceDefinition:
    """The conditions of an audience; every field left at its default is no condition."""

    segments: tuple[int, ...] = ()  # stable segment ids of the current segments run (any of them)
    audiences: tuple[str, ...] = ()  # saved audience ids (members of any of them)
    recency_days: int | None = None  # bought within this many days of the latest event in the store
    min_orders: int | None = None  # at least this many purchases
    min_spend: float | None = None  # purchases worth at least this much in total
    categories: tuple[str, ...] = ()  # bought from any of these categories
    sentiment: tuple[float, float] | None = None  # mean review sentiment within [low, high], in [-1, 1]
    interest: str = ""  # free text, matched against interest profiles by embedding
    interest_threshold: float = DEFAULT_INTEREST_THRESHOLD  # least cosine for an interest match
    lookalike_similarity: float | None = None  # grow by users at least this similar to the audience

    def __post_init__(self) -> None:
        for name in ("segments", "audiences", "categories"):
            object.__setattr__(self, name, tuple(getattr(self, name) or ()))
        object.__setattr__(self, "segments", tuple(int(s) for s in self.segments))
        object.__setattr__(self, "interest", (self.interest or "").strip())
        if self.sentiment is not None:
            low, high = (float(v) for v in self.sentiment)
            if not -1.0 <= low <= high <= 1.0:
                raise ValueError(f"sentiment range must lie within [-1, 1], low first; got {self.sentiment}")
            object.__setattr__(self, "sentiment", (low, high))
        for name in ("recency_days", "min_orders", "min_spend"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative, got {value}")
        if not -1.0 <= self.interest_threshold <= 1.0:
            raise ValueError(f"interest_threshold is a cosine in [-1, 1], got {self.interest_threshold}")
        if self.lookalike_similarity is not None and not -1.0 <= self.lookalike_similarity <= 1.0:
            raise ValueError(f"lookalike_similarity is a cosine in [-1, 1], got {self.lookalike_similarity}")

    @property
    def has_behaviour(self) -> bool:
        """True when any behavioural condition is set."""
        return any(
            v not in (None, ())
            for v in (self.recency_days, self.min_orders, self.min_spend, self.categories, self.sentiment)
        )

    @property
    def needs_profiles(self) -> bool:
        """True when evaluating it needs a segments run (segments, an interest or lookalikes)."""
        return bool(self.segments or self.interest or self.lookalike_similarity is not None)

    @property
    def is_everyone(self) -> bool:
        """True when nothing narrows it: every user in the store."""
        return not (self.segments or self.audiences or self.has_behaviour or self.interest)

    def to_dict(self) -> dict:
        """A JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def to_json(self) -> str:
        """The definition as canonical JSON (sorted keys): equal definitions give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> AudienceDefinition:
        """Read a definition back, ignoring keys it does not know (provenance stored beside it)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("sentiment") is not None:
            values["sentiment"] = tuple(values["sentiment"])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> AudienceDefinition:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    def describe(
        self, segment_names: dict[int, str] | None = None, audience_names: dict[str, str] | None = None
    ) -> str:
        """The conditions in plain words, e.g. ``segment #1 running · bought within 90 days · …``."""
        segment_names, audience_names = segment_names or {}, audience_names or {}
        parts = []
        if self.segments:
            parts.append("segment " + " or ".join(segment_names.get(s, f"#{s}") for s in self.segments))
        if self.audiences:
            parts.append("in " + " or ".join(audience_names.get(a, a) for a in self.audiences))
        if self.recency_days is not None:
            parts.append(f"bought within {self.recency_days} days")
        if self.min_orders:
            parts.append(f"at least {self.min_orders} orders")
        if self.min_spend:
            parts.append(f"spent at least {self.min_spend:,.0f}")
        if self.categories:
            parts.append("bought " + " or ".join(self.categories))
        if self.sentiment is not None:
            parts.append(f"review sentiment {self.sentiment[0]:+.1f} to {self.sentiment[1]:+.1f}")
        if self.interest:
            parts.append(f'interested in "{self.interest}" (match ≥ {self.interest_threshold:.2f})')
        text = " · ".join(parts) or "everyone"
        if self.lookalike_similarity is not None:
            text += f", plus lookalikes with similarity ≥ {self.lookalike_similarity:.2f}"
        return text
