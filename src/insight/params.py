"""Parameters declared once, as a dataclass with a :func:`param` per field, and checked in one place.

A job's parameters used to be written four times (the CLI parser, the Jobs page inputs, an allow-list
and the job function's signature), with defaults copied between them. Now each job kind has one
dataclass (:mod:`insight.job_params`); the CLI options (:func:`add_arguments`), the Jobs page inputs
(:mod:`insight.ui.jobs`) and validation (:func:`validate`) are all read off its fields, and the job
functions take their defaults from it.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class ParamError(ValueError):
    """A parameter value that is unknown, of the wrong kind or out of range; the message names it."""


@dataclass(frozen=True)
class Spec:
    """What one parameter is: its kind, default, label, help, allowed values and range."""

    name: str
    kind: type  # bool, int, float, str or date
    default: Any
    label: str
    help: str
    optional: bool = False  # None allowed: the job then picks (``auto`` says what it picks)
    many: bool = False  # a list of values
    choices: tuple = ()
    shown: dict = field(default_factory=dict)  # how a choice reads on the page
    values: dict = field(default_factory=dict)  # choice -> what the job function gets
    low: float | None = None
    high: float | None = None
    arg: str = ""  # the job function's argument, when it is named otherwise
    flag: str = ""  # the CLI option, when it is not --name-with-dashes
    page: bool = True  # on the Jobs page itself, else under "More settings"
    auto: str = ""  # what None means, for placeholders and help

    def describe(self, value: Any) -> str:
        """A value as the page shows it."""
        return str(self.shown.get(value, value))


def param(default: Any, label: str, help: str, **options: Any) -> Any:
    """A dataclass field that carries its :class:`Spec` (the name and kind are filled in by :func:`specs`)."""
    return field(default=default, metadata={"param": {"label": label, "help": help, **options}})


def specs(cls: type) -> list[Spec]:
    """The specs of a parameters dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    found = []
    for item in dataclasses.fields(cls):
        kind, optional, many = _kind(hints[item.name])
        options = dict(item.metadata["param"])
        if "choices" in options:
            options["choices"] = tuple(options["choices"])
        found.append(Spec(name=item.name, kind=kind, optional=optional, many=many, default=item.default, **options))
    return found


def validate(cls: type, raw: dict | None) -> Any:
    """An instance of ``cls`` from ``raw`` (missing names take their defaults), or ParamError naming the field."""
    raw = dict(raw or {})
    known = {spec.name: spec for spec in specs(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ParamError(f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(known)}")
    return cls(**{name: _check(known[name], value) for name, value in raw.items()})


def to_record(instance: Any) -> dict:
    """Every parameter's value, JSON-ready: what the jobs table records as the job's parameters."""
    record = dataclasses.asdict(instance)
    return {
        k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v) for k, v in record.items()
    }


def call_kwargs(instance: Any) -> dict:
    """The keyword arguments the job function takes: choices mapped to their values, renamed where declared."""
    return {
        spec.arg or spec.name: spec.values.get(value, value) if spec.values else value
        for spec in specs(type(instance))
        for value in [getattr(instance, spec.name)]
    }


def add_arguments(parser: argparse.ArgumentParser, cls: type) -> None:
    """One CLI option per parameter; an option not given keeps the declared default."""
    for spec in specs(cls):
        flag = spec.flag or "--" + spec.name.replace("_", "-")
        if spec.default is None:
            default = spec.auto
        elif spec.many:
            default = " ".join(f"{value:g}" for value in spec.default)
        else:
            default = spec.describe(spec.default)
        text = f"{spec.help} (default: {default})".replace("%", "%%")  # argparse formats help with %
        options: dict[str, Any] = {"dest": spec.name, "default": None, "help": text}
        if spec.kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        else:
            options["type"] = str if spec.kind is date else spec.kind
            options["metavar"] = spec.name.upper() if not spec.choices else None
            options["choices"] = spec.choices or None
            options["nargs"] = "+" if spec.many else None
        parser.add_argument(flag, **{k: v for k, v in options.items() if v is not None or k == "default"})


def from_args(cls: type, args: argparse.Namespace) -> dict:
    """The parameters given on the command line (validated when the job is queued)."""
    return {spec.name: getattr(args, spec.name) for spec in specs(cls) if getattr(args, spec.name, None) is not None}


def _kind(hint: Any) -> tuple[type, bool, bool]:
    args = typing.get_args(hint)
    optional = isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
    if optional:
        hint = next(a for a in args if a is not type(None))
    if typing.get_origin(hint) in (tuple, list):
        return typing.get_args(hint)[0], optional, True
    return hint, optional, False


def _check(spec: Spec, value: Any) -> Any:
    if value is None:
        if spec.optional:
            return None
        raise ParamError(f"{spec.label} [{spec.name}] needs a value")
    if spec.many:
        if isinstance(value, str) or not isinstance(value, list | tuple):
            value = [value]
        if not value:
            raise ParamError(f"{spec.label} [{spec.name}] needs at least one value")
        return tuple(_one(spec, item) for item in value)
    return _one(spec, value)


def _one(spec: Spec, value: Any) -> Any:
    where = f"{spec.label} [{spec.name}]"
    named = [choice for choice, meant in spec.values.items() if type(meant) is type(value) and meant == value]
    if named and value not in spec.choices:  # what the function takes (adapt=False) reads as its choice ("no")
        value = named[0]
    try:
        converted = _convert(spec.kind, value)
    except (TypeError, ValueError):
        kind = "a date (YYYY-MM-DD)" if spec.kind is date else f"a {spec.kind.__name__}"
        raise ParamError(f"{where}: {value!r} is not {kind}") from None
    if spec.choices and converted not in spec.choices:
        raise ParamError(f"{where}: {value!r} is not one of {', '.join(map(str, spec.choices))}")
    if spec.low is not None and converted < spec.low:
        raise ParamError(f"{where}: {value!r} is below the smallest allowed, {spec.low:g}")
    if spec.high is not None and converted > spec.high:
        raise ParamError(f"{where}: {value!r} is above the largest allowed, {spec.high:g}")
    return converted


def _convert(kind: type, value: Any) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise TypeError(value)
    if kind is date:
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError(value)
        return int(value)
    if kind is float:
        if isinstance(value, bool) or not math.isfinite(float(value)):  # nan passes every range check
            raise TypeError(value)
        return float(value)
    if not isinstance(value, str):
        raise TypeError(value)
    return value
