"""Campaign targeting: build an audience, preview its reach, grow it with lookalikes, export it with a holdout.

An :class:`AudienceDefinition` (segments, saved audiences, behaviour, a free-text interest, lookalikes)
is evaluated on current data (:func:`evaluate`); :func:`reach` previews it under the privacy rules
(the minimum size k, also for overlaps, differences and card figures; optional differential privacy,
see :mod:`insight.targeting.privacy`); :func:`audience_file` exports it with a holdout group;
saved audiences keep their definition and are refreshed on new data (:func:`refresh_audience`).
The campaign simulator (:mod:`insight.targeting.simulate`, :mod:`insight.targeting.offpolicy`) lives beside it.
"""

from insight.exports import guard_formulas  # kept here for callers of the audience export
from insight.targeting.card import ProfileCard, profile_card, segment_figures
from insight.targeting.definition import AudienceDefinition
from insight.targeting.evaluate import NeedsSegments, conditions, core_users, evaluate, find_lookalikes
from insight.targeting.export import audience_file, audience_frame, holdout_groups
from insight.targeting.guard import check_saveable, known_members
from insight.targeting.privacy import (
    AudienceRefused,
    AudienceTooSmall,
    PrivacyRules,
    PrivacyUnavailable,
    TooCloseToSaved,
    UnknownUsers,
    privacy_rules,
    release_counts,
)
from insight.targeting.reach import Reach, condition_reach, reach
from insight.targeting.results import CampaignResult, campaign_results, record_export
from insight.targeting.saved import (
    Refreshed,
    audience_definition,
    refresh_audience,
    refresh_stale,
    save_audience,
    save_selection,
    saved_audiences,
)
from insight.targeting.similar import InterestIndex, Lookalikes, interest_matches, load_index, lookalikes

__all__ = [
    "AudienceDefinition",
    "CampaignResult",
    "campaign_results",
    "record_export",
    "AudienceRefused",
    "AudienceTooSmall",
    "InterestIndex",
    "Lookalikes",
    "NeedsSegments",
    "PrivacyRules",
    "PrivacyUnavailable",
    "ProfileCard",
    "Reach",
    "Refreshed",
    "TooCloseToSaved",
    "UnknownUsers",
    "audience_definition",
    "audience_file",
    "audience_frame",
    "check_saveable",
    "condition_reach",
    "conditions",
    "core_users",
    "evaluate",
    "find_lookalikes",
    "guard_formulas",
    "holdout_groups",
    "interest_matches",
    "known_members",
    "load_index",
    "lookalikes",
    "privacy_rules",
    "profile_card",
    "reach",
    "refresh_audience",
    "refresh_stale",
    "release_counts",
    "save_audience",
    "save_selection",
    "saved_audiences",
    "segment_figures",
]
