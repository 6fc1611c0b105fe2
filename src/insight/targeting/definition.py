"""What an audience is made of, as data: saved with the audience and re-evaluated on new data.

An :class:`AudienceDefinition` combines kinds of conditions with AND (segments, saved audiences,
behaviour, a free-text interest); within a kind, choices combine with OR (any of these segments, any
of these saved audiences, bought from any of these categories). Lookalikes then grow the result.
Definitions are plain values (tuples, numbers, text) so that they serialise to JSON, hash as cache
keys, and read the same in a year when a saved audience is refreshed.

Interests and lookalikes are cut by **match strength** (:mod:`insight.profiles.match`), which means
the same under every encoder. Definitions saved by earlier versions held cosines instead: an old
interest threshold is read as a strength (:func:`~insight.profiles.match.legacy_strength`) and kept
beside it, so the description says it was converted; an old lookalike cosine still cuts by cosine.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields

from insight.profiles.match import DEFAULT_STRENGTH, legacy_strength

DEFAULT_INTEREST_STRENGTH = DEFAULT_STRENGTH  # spreads above the median user; see insight.profiles.match


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
    interest_strength: float = DEFAULT_INTEREST_STRENGTH  # least match strength for an interest match
    interest_threshold: float | None = None  # an earlier version's cosine threshold, converted to the strength
    lookalike_strength: float | None = None  # grow by users whose likeness to the audience is at least this strong
    lookalike_similarity: float | None = None  # an earlier version's lookalike cut: least cosine to the audience

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
        for name in ("interest_strength", "lookalike_strength"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(float(value)):
                raise ValueError(f"{name} is a match strength (a finite number), got {value}")
        for name in ("interest_threshold", "lookalike_similarity"):
            value = getattr(self, name)
            if value is not None and not -1.0 <= value <= 1.0:
                raise ValueError(f"{name} is a cosine in [-1, 1], got {value}")

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
        return bool(self.segments or self.interest or self.grows)

    @property
    def grows(self) -> bool:
        """True when lookalikes are added (by strength, or by an earlier version's cosine)."""
        return self.lookalike_strength is not None or self.lookalike_similarity is not None

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
        """Read a definition back, ignoring keys it does not know (provenance stored beside it).

        A definition from before match strengths has ``interest_threshold`` (a cosine) and no
        ``interest_strength``: the cosine is converted (:func:`~insight.profiles.match.legacy_strength`)
        and kept, only when there is an interest to say it about.
        """
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("sentiment") is not None:
            values["sentiment"] = tuple(values["sentiment"])
        if "interest_strength" not in values and values.get("interest_threshold") is not None:
            values["interest_strength"] = legacy_strength(values["interest_threshold"])
            if not (values.get("interest") or "").strip():
                values["interest_threshold"] = None
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
            converted = (
                f", converted from the earlier cosine threshold {self.interest_threshold:.2f}"
                if self.interest_threshold is not None
                else ""
            )
            parts.append(f'interested in "{self.interest}" (match strength ≥ {self.interest_strength:.2f}{converted})')
        text = " · ".join(parts) or "everyone"
        if self.lookalike_strength is not None:
            text += f", plus lookalikes with match strength ≥ {self.lookalike_strength:.2f}"
        elif self.lookalike_similarity is not None:
            cut = self.lookalike_similarity
            text += f", plus lookalikes with cosine similarity ≥ {cut:.2f} (an earlier version's cut)"
        return text
