"""Every public function and method, called with hostile values, fails only with our errors.

The functions are discovered from ``netpromoter.__all__``, so a new public function is
called here without anyone listing it: first with each hostile value as its only
argument, then, from a valid call (``BASELINES``, which must name every function), with
each of its parameters replaced by each hostile value. Every public class's
constructor, and every public method of a sample instance (``SAMPLES``, which must name
every class), are called the same way.

What may escape: nothing (a hostile value may be valid, e.g. ``0`` for ``min_n``), a
``NetPromoterError`` (also a ``ValueError``/``TypeError``/... as the error's type says)
or a ``FileNotFoundError``. Anything else (a raw ``TypeError``, ``KeyError``,
``OverflowError``, ``MemoryError``, pydantic's own ``ValidationError``, a numpy
warning turned error) fails the test. The message must name what was wrong: the
parameter, the value received (its ``repr`` or text) or its type.
"""

from __future__ import annotations

import inspect
import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import netpromoter as nps
from netpromoter import NetPromoterError, NetPromoterWarning, Response, TemplateLibrary

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


class _Opaque:
    """An object of no expected type."""

    def __repr__(self) -> str:
        return "<opaque>"


#: Values no parameter should crash on: every one is either valid or a typed error.
HOSTILE: dict[str, object] = {
    "none": None,
    "true": True,
    "negative": -1,
    "zero": 0,
    "huge_int": 10**100,
    "huge_negative": -(10**100),
    "nan": math.nan,
    "inf": math.inf,
    "minus_inf": -math.inf,
    "fraction": 2.5,
    "text": "x",
    "empty_text": "",
    "bytes": b"\xff\xfe",
    "empty_list": [],
    "empty_dict": {},
    "list_of_none": [None],
    "nested": [[1, 2], [3]],
    "junk_mapping": {"a": {"b": [None, math.nan]}},
    "opaque": _Opaque(),
    "complex": 1 + 2j,
    "tiny": 1e-300,
    "array_2d": np.zeros((2, 2)),
}


def _data(n: int = 40) -> dict[str, list[Any]]:
    """A small table with every column the public functions read."""
    rng = np.random.default_rng(7)
    scores = [int(x) for x in rng.integers(0, 11, n)]
    return {
        "score": scores,
        "region": [["north", "south"][i % 2] for i in range(n)],
        "tier": [["gold", "silver"][(i // 2) % 2] for i in range(n)],
        "submitted_at": [NOW - timedelta(days=3 * i) for i in range(n)],
        "respondent_id": [f"r{i % 12}" for i in range(n)],
        "account_id": [f"a{i % 5}" for i in range(n)],
        "spend": [float(10 + i) for i in range(n)],
        "w": [1.0 + (i % 3) for i in range(n)],
        "comment": [["slow support", "great price", None][i % 3] for i in range(n)],
        "support": [int(x) for x in rng.integers(1, 6, n)],
        "price": [int(x) for x in rng.integers(1, 6, n)],
    }


DATA = _data()
RESPONSE = Response(score=3, respondent_id="r1", channel="email", language="en", comment="slow")
LIBRARY = TemplateLibrary.builtin()
TEMPLATE = nps.select_template(RESPONSE)
CONTEXT = {"first_name": "Sam", "company": "Acme", "agent_name": "Kim"}
KEY = "a secret key of more than sixteen bytes"

#: A valid call of every public function: positional arguments and keywords.
BASELINES: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "account_weights": ((DATA,), {}),
    "classify": ((9,), {}),
    "compare": (([10, 9, 3, 8], [9, 9, 8, 2]), {}),
    "compare_to_benchmark": (([10, 9, 3, 8], 20.0), {}),
    "composition": ((DATA, {"region": {"north": 60, "south": 40}}), {}),
    "key_drivers": ((DATA, ["support", "price"]), {"n_resamples": 50}),
    "margin_of_error": ((400,), {}),
    "plan": (([RESPONSE],), {"now": NOW, "context": CONTEXT}),
    "poststratify": ((DATA, {("north",): 60, ("south",): 40}), {"by": "region"}),
    "pseudonymise": (("r1", KEY), {}),
    "rake": (
        (DATA, {"region": {"north": 60, "south": 40}, "tier": {"gold": 50, "silver": 50}}),
        {},
    ),
    "rank": ((DATA, "region"), {"draws": 200}),
    "render": ((TEMPLATE, RESPONSE, CONTEXT), {}),
    "response_rates": (({"b2b": 100}, {"b2b": 20}), {}),
    "sample_size": ((5.0,), {}),
    "sample_size_for_difference": ((10.0,), {}),
    "score": (([10, 9, 3, 8],), {}),
    "segment": ((DATA, "region"), {"min_n": 1}),
    "select_template": ((RESPONSE,), {}),
    "spend_weights": ((DATA,), {}),
    "themes": ((DATA,), {}),
    "trend": ((DATA,), {"min_n": 1}),
    "trim": (([1.0, 2.0, 5.0],), {"upper": 3.0}),
}


def _public_functions() -> dict[str, Callable[..., Any]]:
    return {
        name: getattr(nps, name) for name in nps.__all__ if inspect.isfunction(getattr(nps, name))
    }


def _public_classes() -> dict[str, type]:
    return {
        name: obj
        for name in nps.__all__
        if inspect.isclass(obj := getattr(nps, name))
        and not issubclass(obj, BaseException | Warning)
    }


def _samples() -> dict[str, object]:
    """One instance of every public class, for its methods."""
    scored = nps.score(DATA["score"], weights=DATA["w"])
    segmented = nps.segment(DATA, "region", min_n=1)
    trended = nps.trend(DATA, min_n=1, respondent="respondent_id", by="region")
    weighting = nps.poststratify(DATA, {("north",): 60, ("south",): 40}, by="region")
    ranked = nps.rank(DATA, "region", draws=200)
    drivers = nps.key_drivers(DATA, ["support", "price"], n_resamples=50)
    follow = nps.plan([RESPONSE], now=NOW, context=CONTEXT)[0]
    return {
        "BenchmarkResult": nps.compare_to_benchmark([10, 9, 3, 8], 20.0),
        "Category": nps.Category.PROMOTER,
        "Change": trended.overall[1].vs_previous,
        "Channel": nps.Channel.EMAIL,
        "ComparisonResult": nps.compare([10, 9, 3, 8], [9, 9, 8, 2]),
        "DecompositionResult": trended.decompose(),
        "DecompositionRow": trended.decompose().rows[0],
        "FollowUp": follow,
        "FollowUpRules": nps.FollowUpRules(),
        "HomogeneityTest": segmented.homogeneity,
        "KeyDriverResult": drivers,
        "Message": follow.message,
        "NPSCounts": nps.NPSCounts.from_scores(DATA["score"], weights=DATA["w"]),
        "NPSResult": scored,
        "RankResult": ranked,
        "RankRow": ranked.rows[0],
        "RespondentRow": trended.respondents[0],
        "Response": RESPONSE,
        "SegmentCounts": segmented.counts,
        "SegmentResult": segmented,
        "SegmentRow": segmented.rows[0],
        "Template": TEMPLATE,
        "TemplateLibrary": LIBRARY,
        "ThemeResult": nps.themes(DATA),
        "TransitionRow": trended.transitions[0],
        "TrendResult": trended,
        "TrendRow": trended.rows[0],
        "WeightingResult": weighting,
    }


SAMPLES = _samples()
#: Methods that are pydantic's own, or that take no input worth fuzzing.
_SKIPPED = frozenset(dir(nps.NPSResult.__mro__[-2])) | {"model_post_init"}


def _names_problem(exc: BaseException, value: object, parameter: str) -> bool:
    """Whether the message names the parameter, the value received or its type.

    For a collection, naming one of its first items (or keys) counts: the message then
    points at what inside it is wrong.
    """
    text = str(exc)
    shown = {repr(value)[:40], str(value)[:40], type(value).__name__}
    if isinstance(value, float) and math.isnan(value):
        shown |= {"NaN", "nan"}
    if isinstance(value, list | dict | tuple | bytes) and not value:
        shown |= {"empty", "no ", "nothing", "at least"}
    if isinstance(value, list | dict | tuple | bytes):
        shown |= {repr(item)[:40] for item in list(value)[:3]}
        shown |= {str(item)[:40] for item in list(value)[:3]}
    if isinstance(value, np.ndarray):
        shown |= {"array", "shape", "dimension"}
    return parameter in text or any(s and s in text for s in shown)


def _call(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> BaseException | None:
    """Call ``fn``; return the error it raised, or ``None`` when it succeeded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NetPromoterWarning)  # caveats, not errors
        try:
            fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the caller judges what escaped
            return exc
    return None


def _problem(
    what: str,
    fn: Callable[..., Any],
    call: tuple[tuple[Any, ...], dict[str, Any]],
    value: object,
    parameters: list[str],
) -> str | None:
    """What is wrong with calling ``fn`` so (``None``: nothing)."""
    exc = _call(fn, *call)
    if exc is None:
        return None
    if not isinstance(exc, NetPromoterError | FileNotFoundError):
        return f"{what} raised {type(exc).__name__}: {exc}"
    if not any(_names_problem(exc, value, p) for p in parameters):
        return f"{what} does not name the value: {exc}"
    return None


def _substitutions(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
    """Each parameter of ``fn`` replaced by each hostile value, from a valid call."""
    out = []
    parameters = [
        p for p in inspect.signature(fn).parameters.values() if p.kind is not p.VAR_KEYWORD
    ]
    for index, parameter in enumerate(parameters):
        if parameter.kind is parameter.VAR_POSITIONAL:
            continue
        for label, value in HOSTILE.items():
            if index < len(args) and parameter.kind is not parameter.KEYWORD_ONLY:
                new_args = (*args[:index], value, *args[index + 1 :])
                out.append((parameter.name, label, new_args, kwargs))
            else:
                out.append((parameter.name, label, args, {**kwargs, parameter.name: value}))
    return out


def test_every_public_function_has_a_baseline() -> None:
    """A new public function needs a valid call here, so its parameters get fuzzed."""
    assert sorted(_public_functions()) == sorted(BASELINES)


def test_every_public_class_has_a_sample() -> None:
    """A new public class needs a sample instance here, so its methods get fuzzed."""
    assert sorted(_public_classes()) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_are_valid(name: str) -> None:
    """Each baseline call succeeds, so a failure below is the hostile value's."""
    args, kwargs = BASELINES[name]
    assert _call(getattr(nps, name), args, kwargs) is None


@pytest.mark.parametrize("name", sorted(_public_functions()))
def test_function_with_hostile_required_arguments(name: str) -> None:
    """Only our errors escape when every required argument of a function is hostile.

    Needs no baseline: a new public function is covered as soon as it is exported.
    """
    fn = _public_functions()[name]
    required = [
        p
        for p in inspect.signature(fn).parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    names = [p.name for p in required]
    problems = []
    for label, value in HOSTILE.items():
        args = tuple(value for p in required if p.kind is not p.KEYWORD_ONLY)
        kwargs = {p.name: value for p in required if p.kind is p.KEYWORD_ONLY}
        problems.append(_problem(f"{name}(<{label}>)", fn, (args, kwargs), value, names))
    assert [p for p in problems if p] == []


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_function_with_each_parameter_hostile(name: str) -> None:
    """Only our errors escape when any one parameter of a valid call is hostile."""
    fn = _public_functions()[name]
    args, kwargs = BASELINES[name]
    problems = [
        _problem(f"{name}({parameter}={label})", fn, (a, k), HOSTILE[label], [parameter])
        for parameter, label, a, k in _substitutions(fn, args, kwargs)
    ]
    assert [p for p in problems if p] == []


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_constructor_with_hostile_fields(name: str) -> None:
    """A public model built with a hostile value in any field raises our error.

    An enumeration's constructor (``Channel("fax")``) raises it too, still a
    ``ValueError`` as enumeration lookups are.
    """
    cls = _public_classes()[name]
    fields = getattr(cls, "model_fields", None)
    problems: list[str | None] = []
    if fields is None:
        for label, value in HOSTILE.items():
            exc = _call(cls, (value,), {})
            if not isinstance(exc, NetPromoterError) or not isinstance(exc, ValueError):
                problems.append(f"{name}(<{label}>) raised {exc!r}")
            problems.append(_problem(f"{name}(<{label}>)", cls, ((value,), {}), value, [name]))
    else:
        valid = SAMPLES[name].model_dump()  # type: ignore[attr-defined]
        problems += [
            _problem(f"{name}({field}={label})", cls, ((), {**valid, field: value}), value, [field])
            for field in fields
            for label, value in HOSTILE.items()
        ]
    assert [p for p in problems if p] == []


def _methods(obj: object) -> list[tuple[str, Callable[..., Any]]]:
    """The public methods netpromoter defines (not those of ``str``, ``Enum`` or pydantic)."""
    out = []
    for attribute in dir(type(obj)):
        if attribute.startswith("_") or attribute in _SKIPPED:
            continue
        member = getattr(obj, attribute)
        module = getattr(member, "__module__", None) or ""
        if callable(member) and not inspect.isclass(member) and module.startswith("netpromoter"):
            out.append((attribute, member))
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_methods_with_hostile_arguments(name: str) -> None:
    """Every public method of a sample instance raises only our errors on hostile values.

    Each parameter in turn gets each hostile value; required parameters not under test
    get the same value.
    """
    problems = []
    for attribute, method in _methods(SAMPLES[name]):
        parameters = [
            p
            for p in inspect.signature(method).parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        for parameter in parameters:
            required = [p.name for p in parameters if p.default is p.empty and p != parameter]
            for label, value in HOSTILE.items():
                kwargs = dict.fromkeys(required, value)
                if parameter.kind is parameter.POSITIONAL_ONLY:
                    call: tuple[tuple[Any, ...], dict[str, Any]] = ((value,), kwargs)
                else:
                    call = ((), {**kwargs, parameter.name: value})
                what = f"{name}.{attribute}({parameter.name}={label})"
                problems.append(_problem(what, method, call, value, [parameter.name, *required]))
    assert [p for p in problems if p] == []
