"""Review aspects: what each clause of a review is about and how it feels, alerts and what to fix first.

Aspects are found per product category; alerts say when complaints about one rise.

A review that praises the taste and complains about the packaging is positive on one aspect and
negative on another; aspects are found per category without labels, in every language, and keep
their ids and the merchant's edits from run to run.
"""

from insight.aspects.alerts import find_alerts
from insight.aspects.clauses import Clause, clause_table, split_clauses
from insight.aspects.edits import EDIT_KINDS, AspectEdit, check_edit
from insight.aspects.job import aspects_store
from insight.aspects.suggestions import peer_gaps, product_suggestions, what_to_fix

__all__ = [
    "EDIT_KINDS",
    "AspectEdit",
    "Clause",
    "aspects_store",
    "check_edit",
    "clause_table",
    "find_alerts",
    "peer_gaps",
    "product_suggestions",
    "split_clauses",
    "what_to_fix",
]
