"""Job parameters are declared once: the CLI, validation and the job functions all follow the declaration."""

import inspect
from datetime import date

import pytest

from insight import params
from insight.cli import _parser
from insight.jobs.tasks import TASKS, JobContext


@pytest.mark.parametrize("kind", sorted(TASKS))
def test_every_declared_parameter_reaches_the_job_function_with_the_declared_default(kind):
    signature = inspect.signature(TASKS[kind].load()).parameters
    for spec in params.specs(TASKS[kind].params):
        argument = signature[spec.arg or spec.name]  # a declared name the function lacks fails here
        if argument.default is not None and not spec.values:
            assert argument.default == spec.default, (kind, spec.name)


def test_values_are_converted_checked_and_named_when_wrong():
    checked = params.validate(TASKS["recommend_eval"].params, {"split_date": "2024-03-01", "k": 5.0})
    assert checked.split_date == date(2024, 3, 1) and checked.k == 5 and isinstance(checked.k, int)
    assert params.to_record(checked)["split_date"] == "2024-03-01"
    cases = [
        ({"k": 2.5}, r"List length k \[k\]: 2.5 is not a int"),
        ({"k": 0}, r"below the smallest allowed, 1"),
        ({"policy": "greedy"}, r"'greedy' is not one of thompson, ucb"),
        ({"split_date": "next week"}, r"is not a date \(YYYY-MM-DD\)"),
        ({"exploration_levels": [0.1, 1.5]}, r"1.5 is above the largest allowed, 1"),
        ({"k": None}, r"needs a value"),
        ({"exploration_levels": []}, r"needs at least one value"),
    ]
    for raw, message in cases:
        with pytest.raises(params.ParamError, match=message):
            params.validate(TASKS["recommend_eval"].params, raw)


def test_choices_map_to_what_the_function_takes():
    checked = params.validate(TASKS["sentiment_finetune"].params, {"layers": "all", "keep": "no"})
    assert {k: v for k, v in params.call_kwargs(checked).items() if k in ("fast", "keep")} == {
        "fast": False,
        "keep": False,
    }


def test_the_cli_offers_every_declared_parameter_and_passes_only_what_was_given():
    parser = _parser()
    args = parser.parse_args(["segments", "--half-life", "30", "--selection", "eom", "--min-cluster-size", "25"])
    assert params.from_args(TASKS["segments"].params, args) == {
        "half_life_days": 30.0,
        "selection": "eom",
        "min_cluster_size": 25,
    }
    args = parser.parse_args(["finetune-sentiment", "--layers", "all"])
    assert params.from_args(TASKS["sentiment_finetune"].params, args) == {"layers": "all"}
    args = parser.parse_args(["evaluate-recs", "--exploration-levels", "0", "0.3"])
    assert params.from_args(TASKS["recommend_eval"].params, args) == {"exploration_levels": [0.0, 0.3]}
    with pytest.raises(SystemExit):
        parser.parse_args(["keywords", "--freq", "Y"])


def test_job_context_carries_the_checked_parameters():
    checked = params.validate(TASKS["keywords"].params, {"freq": "W"})
    ctx = JobContext(con=None, job_id="keywords-x", params=checked, progress=lambda f, m: None)
    assert params.call_kwargs(ctx.params) == {"freq": "W", "top_n": 15, "min_df": 2}


def test_choices_name_what_the_library_knows():
    from insight.encode.models import MODELS
    from insight.recommendations import POLICIES

    declared = {spec.name: spec for spec in params.specs(TASKS["recommend_eval"].params)}
    assert declared["policy"].choices == POLICIES  # the job params module may not import the heavy package
    model = {spec.name: spec for spec in params.specs(TASKS["segments"].params)}["model"]
    assert model.choices == tuple(MODELS)


def test_not_a_number_is_refused_and_the_simulators_declared_range_is_the_one_it_runs():
    with pytest.raises(params.ParamError, match=r"\[half_life_days\]: nan is not a float"):
        params.validate(TASKS["segments"].params, {"half_life_days": float("nan")})
    for raw in ({"budget": 60_000}, {"repeats": 300}, {"logging_exploration": 0}):
        with pytest.raises(params.ParamError):  # refused when queued, not failed as a job
            params.validate(TASKS["campaign_sim"].params, raw)
    params.validate(TASKS["campaign_sim"].params, {"budget": 50_000, "repeats": 200, "logging_exploration": 1})
