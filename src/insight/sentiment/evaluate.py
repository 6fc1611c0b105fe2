"""Classification metrics for sentiment, written out so the benchmark and the job agree exactly."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score


def macro_f1(truth, predicted, labels=None) -> float:
    """Macro-averaged F1 over the classes present in ``truth`` (or ``labels``)."""
    truth, predicted = np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)
    present = labels if labels is not None else sorted(set(truth))
    return float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))


def accuracy(truth, predicted) -> float:
    """Share of exact matches."""
    return float(accuracy_score(np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)))
