"""The shop-facing REST API (``/api/v1``): recommendations with reasons and propensities, profiles, feedback.

It is served by the dashboard's own process (:func:`routes`, mounted by ``serve.py``), so the one
process that holds the store answers both. Keys are made and revoked with ``insight api-key``.
"""

from __future__ import annotations

from insight.api.feedback import TYPES as FEEDBACK_TYPES
from insight.api.feedback import record_feedback
from insight.api.http import routes
from insight.api.keys import SCOPES, authenticate, create_key, revoke_key
from insight.api.service import profile, recommendations

__all__ = [
    "FEEDBACK_TYPES",
    "SCOPES",
    "authenticate",
    "create_key",
    "profile",
    "recommendations",
    "record_feedback",
    "revoke_key",
    "routes",
]
