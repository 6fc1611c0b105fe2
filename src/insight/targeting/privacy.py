"""Privacy rules for audiences: the minimum size k, the rounding of aggregates, and optional noise on counts.

**k.** A group of fewer than k people could single someone out (``INSIGHT_MIN_AUDIENCE``, default 10).
Every count of people the targeting code shows, saves or exports is therefore 0 or at least k, and
so is every count that can be *derived* from what it shows. Concretely:

- an audience under k is not shown, saved or exported, and says why; so is one that leaves out 1 to
  k − 1 of the store's users (the size beside the store's would count those few);
- a count that is part of a shown whole (an overlap with a saved audience, a segment's buyers) is
  shown only when the part *and the rest* are each 0 or at least k (:meth:`PrivacyRules.shows_split`):
  an overlap of 40 shown beside sizes of 41 and 60 would reveal the one user in this audience and
  not in the other. An overlap cell therefore needs the overlap and both complements (this minus
  theirs, theirs minus this) to pass;
- two audiences whose symmetric difference is 1 to k − 1 users are never both saved
  (:class:`TooCloseToSaved`): comparing them would describe those few users;
- lookalikes are added in whole steps of k users, so two settings of the lookalike control never
  differ by fewer than k people;
- an export lists only users of the store: ids the store does not know are refused and counted
  (:class:`UnknownUsers`), never counted towards k.

**Rounding of aggregates** (the profile card, the segment cards). An aggregate is shown only when at
least k members contribute to it (buyers for spend and orders, reviewers for sentiment, buyers of a
category for its row), and it is
rounded to a step at least as large as what one member can change it by, so the difference of two
previews that differ by one member moves it by at most one step and cannot tell that member's
contribution apart from the rounding:

- each member's spend counts up to a cap, the shop's k-th largest spend per user rounded down to 1, 2 or
  5 × 10ⁿ (:func:`spend_cap`; orders per member likewise): a whale counts like the shop's k-th biggest
  spender, never with their own total;
- a total of money is rounded to a multiple of that cap;
- a mean over c contributors is rounded to the cap / c (sentiment, in [-1, 1], to 2 / c);
- a share of n members is shown when it counts at least k of them (or none), rounded to k / n but
  never coarser than 10 % (:func:`share_step`): in a large audience the head count behind it is
  known only to about k people, since a member's 0-or-1 contribution would show through a finer step;

every step rounded up to 1, 2 or 5 × 10ⁿ (:func:`nice_step`) so the numbers read as round numbers.
Rounding limits what a difference shows to "a step was crossed"; only ε (below) bounds what any
sequence of previews reveals.

**ε.** With ``INSIGHT_DP_EPSILON`` set, the counts a preview shows are released together through
OpenDP's Laplace measurement on integers (the discrete Laplace / geometric mechanism) over a vector
of counts under the L1 distance. One user joining or leaving moves each count by at most one, so a
vector of n counts has L1 sensitivity n (a histogram, 1); OpenDP finds the noise scale whose privacy map gives
exactly ε for that sensitivity. The page draws one release per audience and data version and keeps
it, so reloading does not average the noise away; ε is per release, with no budget across releases.
The k rules apply to the true counts; noise is only for what is shown.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from insight import config


class AudienceRefused(ValueError):
    """An audience, or a number about one, was refused for privacy; the message says why, for the person asking."""


class AudienceTooSmall(AudienceRefused):
    """An audience under the minimum size was asked to be shown, saved or exported."""


class TooCloseToSaved(AudienceTooSmall):
    """Saving it would leave two saved audiences that differ by fewer than k users (a group under k)."""


class UnknownUsers(AudienceRefused):
    """Some ids are not users of this store; ``unknown`` says how many."""

    def __init__(self, unknown: int, given: int) -> None:
        self.unknown = unknown
        super().__init__(
            f"Refused: {unknown:,} of the {given:,} ids are not users of this store. An audience holds only "
            "this store's users, and only they count towards the minimum size; remove the unknown ids."
        )


class PrivacyUnavailable(RuntimeError):
    """Differential privacy is configured but OpenDP is not installed."""


@dataclass(frozen=True)
class PrivacyRules:
    """The least audience size shown (``k``) and the privacy loss of a noisy release (``epsilon``; None = exact)."""

    k: int = 10
    epsilon: float | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"the minimum audience size must be at least 1, got {self.k}")
        if self.epsilon is not None and not self.epsilon > 0:
            raise ValueError(f"epsilon must be positive, got {self.epsilon}")

    def too_small_reason(self) -> str:
        """Why an audience under k is hidden, in plain words."""
        return (
            f"Hidden: fewer than {self.k} users match. Audiences under {self.k} users (INSIGHT_MIN_AUDIENCE) are "
            "not shown, saved or exported, because so few people could be singled out. Loosen a condition "
            "or add lookalikes."
        )

    def audience_reason(self, size: int, base: int) -> str | None:
        """Why an audience of ``size`` in a store of ``base`` users may not be shown or saved; None when it may."""
        if size < self.k:
            return self.too_small_reason()
        if not self.allows(base - size):
            return (
                f"Hidden: all but fewer than {self.k} of the store's users match, so the size beside the store's "
                "would single out the few left out (INSIGHT_MIN_AUDIENCE). Narrow the audience."
            )
        return None

    def split_reason(self) -> str:
        """Why a part of a group (an overlap, a share) is hidden, in plain words."""
        return (
            f"Hidden: the users in both, or those in only one of the two, would be fewer than {self.k} "
            "(INSIGHT_MIN_AUDIENCE), and the numbers shown would single them out."
        )

    def ensure_available(self) -> None:
        """Raise :class:`PrivacyUnavailable` when ε is set and OpenDP is missing (say so before showing anything)."""
        if self.epsilon is not None:
            _opendp()

    def check(self, size: int) -> None:
        """Raise :class:`AudienceTooSmall` when ``size`` is under k."""
        if size < self.k:
            raise AudienceTooSmall(self.too_small_reason())

    def allows(self, count: int) -> bool:
        """True when a count of people may be shown: none, or at least k."""
        return count == 0 or count >= self.k

    def shows_split(self, part: int, whole: int) -> bool:
        """True when ``part`` of a group of ``whole`` may be shown: the part and the rest each pass :meth:`allows`."""
        return self.allows(part) and self.allows(whole - part)


def privacy_rules() -> PrivacyRules:
    """The rules from the settings ``INSIGHT_MIN_AUDIENCE`` and ``INSIGHT_DP_EPSILON``."""
    raw_k = config.setting("INSIGHT_MIN_AUDIENCE").strip()
    raw_epsilon = config.setting("INSIGHT_DP_EPSILON").strip()
    try:
        k = int(raw_k)
    except ValueError:
        raise ValueError(f"INSIGHT_MIN_AUDIENCE must be a whole number of users, got {raw_k!r}") from None
    try:
        epsilon = float(raw_epsilon) if raw_epsilon else None
    except ValueError:
        raise ValueError(f"INSIGHT_DP_EPSILON must be a positive number or empty, got {raw_epsilon!r}") from None
    return PrivacyRules(k=k, epsilon=epsilon)


def nice_step(least: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ that is at least ``least`` (> 0): the rounding step of an aggregate."""
    power = 10.0 ** math.floor(math.log10(least))
    for digit in (1, 2, 5, 10):
        if digit * power >= least * (1 - 1e-12):
            return float(digit * power)
    raise AssertionError("unreachable")  # pragma: no cover


def share_step(members: int, k: int) -> float:
    """The rounding step of a share of ``members`` people: k / members, rounded up to 1, 2 or 5 × 10ⁿ, at most 10 %."""
    return min(nice_step(k / members), 0.1)


def spend_cap(kth_largest: float | None) -> float | None:
    """How much of one member's spend (or orders) an aggregate counts: the k-th largest, down to 1, 2 or 5 × 10ⁿ.

    None when fewer than k users have any (no aggregate of them is shown then).
    """
    if kth_largest is None or not kth_largest > 0:
        return None
    power = 10.0 ** math.floor(math.log10(kth_largest))
    return float(max(d for d in (1, 2, 5) if d * power <= kth_largest * (1 + 1e-12)) * power)


def rounded(value: float, step: float) -> float:
    """``value`` to the nearest multiple of ``step`` (half away from zero), free of binary noise."""
    multiple = math.floor(abs(value) / step + 0.5) * math.copysign(1.0, value)
    return float(f"{multiple * step:.12g}")


def release_counts(counts: Sequence[int], rules: PrivacyRules, *, sensitivity: int | None = None) -> list[int]:
    """The counts as they may be shown: exact without ε, else one noisy release (clamped at 0).

    ``sensitivity`` is how far (L1) one user can move the vector: by default one per count; a
    histogram, where each user falls in one bin, has 1. Raises :class:`PrivacyUnavailable` when ε
    is set and OpenDP is missing: showing exact counts instead would silently break the guarantee.
    """
    counts = [int(c) for c in counts]
    if rules.epsilon is None or not counts:
        return counts
    _opendp()
    measurement = _laplace_measurement(len(counts), sensitivity or len(counts), rules.epsilon)
    return [max(0, int(v)) for v in measurement(counts)]


def _opendp():
    """OpenDP's prelude, or :class:`PrivacyUnavailable` saying how to get it."""
    try:
        import opendp.prelude as dp
    except ImportError:
        raise PrivacyUnavailable(
            "INSIGHT_DP_EPSILON is set, but OpenDP is not installed, so noisy counts cannot be made. "
            'Install it with `pip install -e ".[privacy]"`, or unset INSIGHT_DP_EPSILON for exact counts.'
        ) from None
    dp.enable_features("contrib")
    return dp


@functools.lru_cache(maxsize=32)
def _laplace_measurement(n_counts: int, sensitivity: int, epsilon: float):
    """An ε-DP OpenDP measurement adding discrete Laplace noise to a vector of ``n_counts`` counts."""
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=int), size=n_counts), dp.l1_distance(T=int)
    scale = dp.binary_search_param(lambda s: space >> dp.m.then_laplace(scale=s), d_in=sensitivity, d_out=epsilon)
    measurement = space >> dp.m.then_laplace(scale=scale)
    if measurement.map(sensitivity) > epsilon:  # OpenDP's privacy map, not our arithmetic, vouches for ε
        raise RuntimeError(f"OpenDP could not calibrate noise to ε = {epsilon}")
    return measurement
