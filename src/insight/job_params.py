"""Every job kind's parameters, each declared once: name, default, label, help and allowed range.

The CLI options, the Jobs page inputs and the check made when a job is queued are all derived from
these classes (:mod:`insight.params`), and the job functions take their defaults from them, so a
default or a range is changed here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from insight.encode.models import AUTO, MODELS
from insight.params import param

DEVICES = ("auto", "cpu", "cuda")
TRISTATE = {"auto": "auto", "yes": True, "no": False}
EXPLORATION_LEVELS = (0.0, 0.1, 0.2, 0.4)
MAX_SEED = 2**31 - 1


def _device() -> object:
    return param("auto", "Device", "where the model runs: auto is the GPU when there is one", choices=DEVICES)


def _backend() -> object:
    return param(
        "local",
        "Run on",
        "local: in this process; ray: encoder actors on a Ray cluster (RAY_ADDRESS, else one started on this "
        "machine), which needs pip install insight[distributed]",
        choices=("local", "ray"),
        page=False,
    )


def _seed() -> object:
    return param(
        0, "Seed", "random seed: the same seed on the same data gives the same result", low=0, high=MAX_SEED, page=False
    )


def _store_model(what: str) -> object:
    return param(
        None,
        "Encoder",
        f"encoder the {what} are read with",
        choices=tuple(MODELS),
        page=False,
        auto="the store's one encoder",
    )


def _outlier_budget(what: str) -> object:
    return param(
        0.05, "Outlier budget", f"share of {what} that may stay outside every group", low=0, high=0.5, page=False
    )


def _resamples() -> object:
    return param(2, "Resamples", "extra fits that judge how stable the groups are", low=0, high=20, page=False)


@dataclass(frozen=True)
class EncodeParams:
    """Embed every item text, review and search query not embedded yet."""

    model: str = param(
        AUTO,
        "Model",
        "encoder: auto is the store's one encoder, sized to it (multilingual-e5-small; its faster CPU tier for "
        "50,000 texts or more on a CPU; a model chosen here by name stays until another is chosen)",
        choices=(AUTO, *MODELS),
    )
    device: str = _device()
    batch_size: int | None = param(
        None, "Batch size", "texts per forward pass", low=1, high=4096, page=False, auto="chosen for the device"
    )
    backend: str = _backend()


@dataclass(frozen=True)
class SentimentParams:
    """Score every review, adapting the shipped head to the store's ratings when that measurably helps."""

    adapt: str = param(
        "auto",
        "Adapt to this store's ratings",
        "fit the head to the store's ratings (auto: keep it only when it beats the shipped head on held-out ratings)",
        choices=tuple(TRISTATE),
        values=TRISTATE,
    )
    device: str = _device()
    backend: str = _backend()
    seed: int = _seed()


@dataclass(frozen=True)
class FinetuneParams:
    """Fine-tune the encoder itself on the store's rated reviews; keep it only when it is better."""

    layers: str = param(
        "top",
        "Layers trained",
        "top: the top two layers on cached lower-layer output (minutes on a CPU); all: every layer (slow on a CPU)",
        choices=("top", "all"),
        values={"top": True, "all": False},
        arg="fast",
        page=False,
    )
    keep: str = param(
        "auto",
        "Keep the fine-tuned model",
        "auto: only when it beats both heads on held-out ratings",
        choices=tuple(TRISTATE),
        values=TRISTATE,
        page=False,
    )
    epochs: float | None = param(
        None,
        "Epochs",
        "passes over the training reviews",
        low=0.1,
        high=20,
        page=False,
        auto="set by the layers trained",
    )
    lr: float | None = param(
        None,
        "Learning rate",
        "step size of training",
        low=1e-6,
        high=1e-2,
        page=False,
        auto="set by the layers trained",
    )
    max_train: int | None = param(
        3000, "Training reviews", "most rated reviews trained on", low=200, high=1_000_000, page=False, auto="all"
    )
    freeze_layers: int | None = param(
        None,
        "Frozen layers",
        "lower layers left as they are",
        low=0,
        high=24,
        page=False,
        auto="set by the layers trained",
    )
    device: str = _device()
    seed: int = _seed()


@dataclass(frozen=True)
class KeywordsParams:
    """Keywords per category, item and sentiment; trends per period with rising and fading words."""

    freq: str = param(
        "M",
        "Trend period",
        "trend period: M (month) or W (week)",
        choices=("M", "W"),
        shown={"M": "month", "W": "week"},
    )
    top_n: int = param(
        15, "Keywords per group", "keywords kept per category, item and sentiment", low=1, high=100, page=False
    )
    min_df: int = param(2, "Fewest reviews", "reviews a word must appear in to count", low=1, high=1000, page=False)


@dataclass(frozen=True)
class SegmentsParams:
    """Every user's interest profile, then segments with ids carried over from the last run."""

    half_life_days: float = param(
        90.0,
        "Recency half-life (days)",
        "how fast old behaviour fades from a profile",
        low=1,
        high=3650,
        flag="--half-life",
    )
    min_cluster_size: int | None = param(
        None,
        "Smallest segment (users)",
        "fewest users a segment may have",
        low=2,
        high=10_000_000,
        auto="1 % of users, at least 10",
    )
    outlier_budget: float = _outlier_budget("users")
    n_resamples: int = _resamples()
    selection: str = param(
        "eom",
        "Cluster selection",
        "HDBSCAN's selection: eom keeps the groups that last (a group over half the users is split), "
        "leaf the many finest ones, which also split an interest by how its reviews read",
        choices=("leaf", "eom"),
        page=False,
    )
    seed: int = _seed()
    model: str | None = _store_model("profiles")
    device: str = _device()


@dataclass(frozen=True)
class TopicsParams:
    """What reviews talk about: topics of every review, named by their keywords, ids carried over."""

    min_cluster_size: int | None = param(
        None,
        "Smallest topic (reviews)",
        "fewest reviews a topic may have",
        low=2,
        high=10_000_000,
        auto="1 % of reviews, at least 10",
    )
    outlier_budget: float = _outlier_budget("reviews")
    n_resamples: int = _resamples()
    seed: int = _seed()
    model: str | None = _store_model("reviews")
    device: str = _device()


@dataclass(frozen=True)
class AspectsParams:
    """What review clauses are about per category, how each clause feels, and alerts on rising complaints."""

    min_cluster_size: int | None = param(
        None,
        "Smallest aspect (distinct clauses)",
        "fewest distinct clauses an aspect may have",
        low=2,
        high=1_000_000,
        auto="2 % of a category's distinct clauses, at least 5",
        page=False,
    )
    outlier_budget: float = param(
        0.1,
        "Outlier budget",
        "share of a category's clauses that may stay outside every aspect",
        low=0,
        high=0.5,
        page=False,
    )
    min_change: float = param(
        0.15,
        "Smallest alerted rise",
        "rise in the share of a product's reviews complaining about an aspect that an alert needs "
        "(0.15: 15 points above its own past or its category)",
        low=0.01,
        high=1,
    )
    alpha: float = param(
        0.05,
        "False-alarm share",
        "share of alerts allowed to be false alarms (Benjamini-Hochberg over every product and aspect tested)",
        low=0.0001,
        high=0.5,
        page=False,
    )
    seed: int = _seed()
    device: str = _device()


@dataclass(frozen=True)
class CampaignSimParams:
    """Campaigns over segments replayed on the shop's history: a bandit against greedy and uniform."""

    budget: int = param(5000, "Contacts per campaign", "contacts each simulated campaign makes", low=100, high=50_000)
    exploration_levels: tuple[float, ...] = param(
        EXPLORATION_LEVELS,
        "Exploration shares",
        "shares of purely random contacts tried by Thompson sampling",
        low=0,
        high=1,
    )
    logging_exploration: float = param(
        0.2,
        "Logged campaign's exploration",
        "exploration of the one logged campaign the off-policy estimates are made from (above 0, to see every segment)",
        low=0.001,
        high=1,
        page=False,
    )
    repeats: int = param(20, "Repeats", "campaigns simulated per policy", low=1, high=200, page=False)
    seed: int = _seed()


@dataclass(frozen=True)
class RecommendEvalParams:
    """Recommendations against best-sellers and ALS on a time split, at each exploration level."""

    split_date: date | None = param(
        None,
        "Test on purchases from",
        "train before this date, test on the new items bought from it",
        auto="the last 3 months",
    )
    k: int = param(10, "List length k", "items per recommendation list", low=1, high=100)
    exploration_levels: tuple[float, ...] = param(
        EXPLORATION_LEVELS, "Exploration shares", "shares of list slots given to new areas", low=0, high=1, page=False
    )
    policy: str = param("thompson", "Exploration policy", "how new areas are picked", choices=("thompson", "ucb"))
    seed: int = _seed()
