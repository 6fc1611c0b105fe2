"""Privacy rules for audiences: k-anonymity suppression, and optional differential-privacy noise on counts.

**k.** An audience (or an overlap) of fewer than k users could single people out, so previews hide
it and exports refuse it, saying why (``INSIGHT_MIN_AUDIENCE``, default 10). The rule applies to the
true count; noise below is only for what is shown.

**ε.** With ``INSIGHT_DP_EPSILON`` set, the counts a preview shows are released together through
OpenDP's Laplace measurement on integers (the discrete Laplace / geometric mechanism) over a vector
of counts under the L1 distance. One user joining or leaving moves each count by at most one, so a
vector of n counts has L1 sensitivity n (a histogram, 1); OpenDP finds the noise scale whose privacy map gives
exactly ε for that sensitivity. The page draws one release per audience and data version and keeps
it, so reloading does not average the noise away; ε is per release, with no budget across releases.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from insight import config


class AudienceTooSmall(ValueError):
    """An audience under the minimum size was asked to be shown, saved or exported."""


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

    def ensure_available(self) -> None:
        """Raise :class:`PrivacyUnavailable` when ε is set and OpenDP is missing (say so before showing anything)."""
        if self.epsilon is not None:
            _opendp()

    def check(self, size: int) -> None:
        """Raise :class:`AudienceTooSmall` when ``size`` is under k."""
        if size < self.k:
            raise AudienceTooSmall(self.too_small_reason())


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
