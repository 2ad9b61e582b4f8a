"""Generated practice: reproducible draws, filled placeholders, calculator answers, no repeats."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from studyapp import calc
from studyapp.deck.loader import load_library
from studyapp.deck.models import Exercise
from studyapp.errors import DataError
from studyapp.paths import builtin_library
from studyapp.practice import (
    PracticeProblem,
    fill,
    generate_practice,
    make_problem,
    templates_of,
)


@pytest.fixture(scope="module")
def depth() -> Exercise:
    return load_library(builtin_library()).exercise("wavenet-depth")


def exercise(practice: list[dict[str, Any]], exercise_id: str = "ex") -> Exercise:
    return Exercise.model_validate(
        {
            "id": exercise_id,
            "title": "An exercise",
            "steps": [{"prompt": "Two?", "answer": 2}],
            "practice": practice,
        }
    )


def template(template_id: str, params: dict[str, list[int]], **extra: str) -> dict[str, Any]:
    names = ", ".join(f"{{{name}}}" for name in params)
    return {
        "id": template_id,
        "prompt": f"Levels for {names}?",
        "params": params,
        "calc": "levels_needed(context={" + next(iter(params)) + "})",
        **extra,
    }


# -- fill -------------------------------------------------------------------------------


def test_fill_replaces_only_named_placeholders() -> None:
    text = "See {context} chars; {other} stays, {{context}} too, { context } and {} and {"
    assert fill(text, {"context": 16}) == (
        "See 16 chars; {other} stays, {16} too, { context } and {} and {"
    )


def test_fill_leaves_format_specs_and_text_without_placeholders_alone() -> None:
    assert fill("{context:>5} {0} {context!r}", {"context": 8}) == "{context:>5} {0} {context!r}"
    assert fill("no braces", {"context": 8}) == "no braces"
    assert fill("{a}{b}{a}", {"a": 1, "b": 22}) == "1221"


# -- one problem, checked by hand -------------------------------------------------------------


def by_id(exercise: Exercise, template_id: str) -> Any:
    return next(t for t in exercise.practice if t.id == template_id)


@pytest.mark.parametrize(
    ("template_id", "params", "expected"),
    [
        ("levels-for-context", {"context": 100}, 7),  # 2^7 = 128 >= 100 > 64
        ("levels-for-context", {"context": 1024}, 10),
        ("context-for-levels", {"levels": 5}, 32),
        ("flat-width", {"context": 16, "embedding": 10}, 160),
        ("fusion-input", {"width": 68, "arity": 3}, 204),
        ("fusion-output", {"hidden": 68}, 68),
        # The template's own worked example: 54 + 18 + 24 + 108.
        ("tree-params", {"vocab": 27, "context": 4, "embedding": 2, "hidden": 3}, 204),
        # 270 + (320 + 32) + 2 * (512 + 32) + (432 + 27)
        ("tree-params", {"vocab": 27, "context": 8, "embedding": 10, "hidden": 16}, 2169),
    ],
)
def test_expected_values_by_hand(
    depth: Exercise, template_id: str, params: dict[str, int], expected: int
) -> None:
    problem = make_problem(depth, by_id(depth, template_id), params)
    assert problem.expected == expected


def test_text_is_filled(depth: Exercise) -> None:
    problem = make_problem(depth, by_id(depth, "levels-for-context"), {"context": 100})
    assert problem.prompt == (
        "How many levels of pairwise fusion does a tree need so one output covers "
        "100 characters?"
    )
    assert problem.hint == "Find the smallest `k` with 2^k ≥ 100."
    assert problem.explain is not None and "log2(100), rounded up" in problem.explain
    assert "{" not in problem.explain
    assert problem.unit == "levels"
    assert problem.key == "levels-for-context(context=100)"
    assert problem.exercise_id == "wavenet-depth"


def test_params_keep_template_order(depth: Exercise) -> None:
    problem = make_problem(
        depth, by_id(depth, "flat-width"), {"embedding": 2, "context": 3}
    )
    assert problem.params == (("context", 3), ("embedding", 2))
    assert problem.key == "flat-width(context=3, embedding=2)"
    assert problem.expected == 6


def test_unit_and_tolerance_from_template() -> None:
    ex = exercise([template("t", {"c": [8]}, unit="{c} things")])
    assert make_problem(ex, ex.practice[0], {"c": 8}).unit == "8 things"
    ex = exercise([{**template("t", {"c": [8]}), "tolerance": 0.5}])
    assert make_problem(ex, ex.practice[0], {"c": 8}).tolerance == 0.5


# -- many problems ------------------------------------------------------------------------


def recomputed(problem: PracticeProblem, ex: Exercise) -> int:
    """The calculator's answer, worked out independently of practice.py."""
    tpl = by_id(ex, problem.template_id)
    params = dict(problem.params)
    function = tpl.calc.split("(")[0]
    kwargs = {}
    for part in tpl.calc.split("(", 1)[1].rstrip(")").split(","):
        name, value = (s.strip() for s in part.split("="))
        kwargs[name] = params[value.strip("{}")]
    return calc.FUNCTIONS[function](**kwargs)


def test_every_expected_value_is_the_calculators(depth: Exercise) -> None:
    problems = generate_practice([depth], 300, random.Random(1))
    for problem in problems:
        assert problem.expected == recomputed(problem, depth)
        assert "{" not in problem.prompt


def test_reproducible_with_the_same_seed(depth: Exercise) -> None:
    first = generate_practice([depth], 50, random.Random(7))
    again = generate_practice([depth], 50, random.Random(7))
    assert first == again


def test_different_seeds_usually_differ(depth: Exercise) -> None:
    runs = {tuple(generate_practice([depth], 5, random.Random(seed))) for seed in range(20)}
    assert len(runs) >= 18


def test_problems_from_all_templates_are_mixed(depth: Exercise) -> None:
    problems = generate_practice([depth], 200, random.Random(3))
    assert {p.template_id for p in problems} == {t.id for t in depth.practice}
    switches = sum(a.template_id != b.template_id for a, b in itertools.pairwise(problems))
    assert switches > 100


def test_params_are_drawn_from_the_template(depth: Exercise) -> None:
    for problem in generate_practice([depth], 200, random.Random(4)):
        tpl = by_id(depth, problem.template_id)
        for name, value in problem.params:
            assert value in tpl.params[name]


def test_no_two_consecutive_identical(depth: Exercise) -> None:
    for seed in range(10):
        problems = generate_practice([depth], 200, random.Random(seed))
        for a, b in itertools.pairwise(problems):
            assert a.identity != b.identity


def test_no_repeat_with_two_combinations() -> None:
    ex = exercise([template("t", {"c": [8, 16]})])
    expected = [p.expected for p in generate_practice([ex], 40, random.Random(0))]
    assert expected in ([3, 4] * 20, [4, 3] * 20)


def test_no_repeat_when_a_single_combination_template_has_company() -> None:
    ex = exercise([template("one", {"c": [8]}), template("other", {"c": [16, 16, 32]})])
    problems = generate_practice([ex], 100, random.Random(5))
    for a, b in itertools.pairwise(problems):
        assert a.identity != b.identity
    assert {p.template_id for p in problems} == {"one", "other"}


def test_repeat_only_when_nothing_else_is_possible() -> None:
    ex = exercise([template("one", {"c": [8, 8]})])
    problems = generate_practice([ex], 3, random.Random(0))
    assert [p.key for p in problems] == ["one(c=8)"] * 3


def test_templates_of_several_exercises() -> None:
    a = exercise([template("t", {"c": [8]})], "a")
    b = exercise([template("t", {"c": [16]})], "b")
    assert [(e.id, t.id) for e, t in templates_of([a, b, a])] == [("a", "t"), ("b", "t")]
    problems = generate_practice([a, b], 20, random.Random(0))
    # Same template id in two exercises: still different problems, alternating.
    assert {p.exercise_id for p in problems} == {"a", "b"}
    for x, y in itertools.pairwise(problems):
        assert x.identity != y.identity


def test_no_templates_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no practice templates"):
        generate_practice([exercise([])], 3, random.Random(0))


def test_zero_problems() -> None:
    assert generate_practice([exercise([])], 0, random.Random(0)) == []


def test_values_the_calculator_refuses_are_skipped() -> None:
    ex = exercise([template("t", {"c": [0, 8, -1]})])
    problems = generate_practice([ex], 10, random.Random(0))
    # Only c=8 is valid: repeating it is the only way to go on.
    assert [p.key for p in problems] == ["t(c=8)"] * 10


def test_a_template_the_calculator_always_refuses_is_a_data_error() -> None:
    ex = exercise([template("t", {"c": [0, -1]})])
    with pytest.raises(DataError, match="could not generate"):
        generate_practice([ex], 1, random.Random(0))
