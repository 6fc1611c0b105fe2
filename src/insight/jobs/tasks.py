"""The registry of job kinds: what each runs, with which parameters, and on which device it will run."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from insight import job_params, params
from insight.progress import ProgressFn


class JobError(Exception):
    """A job refused or failed for a reason worth showing as it is (a bad parameter, missing input)."""


@dataclass
class JobContext:
    """What a running job gets: its own connection, its id, its checked parameters and a progress callback."""

    con: duckdb.DuckDBPyConnection
    job_id: str
    params: object  # an instance of the kind's parameters dataclass (insight.job_params)
    progress: ProgressFn


@dataclass(frozen=True)
class Task:
    """One job kind: its library function (``module:name``, imported when it runs), parameters, device, help."""

    function: str
    params: type
    device: Callable[[object], str]
    help: str

    def load(self) -> Callable[..., dict]:
        """The job's library function (imported now: the heavy stages stay unloaded until a job needs them)."""
        module, name = self.function.split(":")
        return getattr(importlib.import_module(module), name)

    def run(self, ctx: JobContext) -> dict:
        """Run the function with the job's checked parameters; its own refusals (ValueError) become a reason."""
        try:
            return self.load()(ctx.con, job_id=ctx.job_id, progress=ctx.progress, **params.call_kwargs(ctx.params))
        except ValueError as exc:
            raise JobError(str(exc)) from exc


def checked_params(kind: str, raw: dict | None) -> object:
    """The kind's parameters from ``raw``, defaults filled in; JobError naming the field that is wrong."""
    try:
        return params.validate(TASKS[kind].params, raw)
    except params.ParamError as exc:
        raise JobError(str(exc)) from exc


def _model_device(checked: object) -> str:
    from insight.device import resolve_device

    try:
        return resolve_device(checked.device)
    except ValueError:
        return str(checked.device)


def _on_cpu(checked: object) -> str:
    return "cpu"


TASKS: dict[str, Task] = {
    "encode": Task(
        "insight.encode.job:encode_store",
        job_params.EncodeParams,
        _model_device,
        "embed item texts, reviews and search queries not embedded yet",
    ),
    "sentiment": Task(
        "insight.sentiment.job:score_store",
        job_params.SentimentParams,
        _model_device,
        "score every review (adapting to the store's ratings)",
    ),
    "sentiment_finetune": Task(
        "insight.sentiment.finetune_job:finetune_store",
        job_params.FinetuneParams,
        _model_device,
        "fine-tune the encoder's top layers on this store's ratings (GPU: seconds)",
    ),
    "keywords": Task(
        "insight.keywords.job:extract_store",
        job_params.KeywordsParams,
        _on_cpu,
        "keywords per category and sentiment, trends and bursts",
    ),
    "segments": Task(
        "insight.cluster.job:segment_store",
        job_params.SegmentsParams,
        _model_device,
        "interest profiles for every user, segments with stable ids",
    ),
    "topics": Task(
        "insight.cluster.topics:topics_store",
        job_params.TopicsParams,
        _model_device,
        "what reviews talk about: topics of every review, with stable ids",
    ),
    "aspects": Task(
        "insight.aspects.job:aspects_store",
        job_params.AspectsParams,
        _model_device,
        "aspects of review clauses per category, their sentiment, and alerts on rising complaints",
    ),
    "campaign_sim": Task(
        "insight.targeting.simulate:simulate_store",
        job_params.CampaignSimParams,
        _on_cpu,
        "campaigns over segments: bandit vs baselines, off-policy estimates",
    ),
    "recommend_eval": Task(
        "insight.recommendations.job:evaluate_store",
        job_params.RecommendEvalParams,
        _on_cpu,
        "recommendations vs popularity and ALS on a time split, per exploration",
    ),
}
