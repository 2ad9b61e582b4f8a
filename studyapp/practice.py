"""Generated practice: fresh numeric problems drawn from the practice templates of exercises.

A template names its parameters and the values each may take; a problem is the template with
one value drawn per parameter (from a seeded `random.Random`, so `--seed` reproduces a run).
The expected value always comes from the tree calculator (the template's `calc` call); the
prompt, hint, explanation and unit get their `{name}` placeholders filled. Only `{name}`
placeholders naming a parameter are replaced, so text may hold other braces.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from studyapp import calc
from studyapp.deck.calcexpr import CalcExpressionError, parse_calc
from studyapp.deck.models import PLACEHOLDER, Exercise, PracticeTemplate
from studyapp.errors import DataError

MAX_DRAWS = 200
"""Draws tried for one problem before giving up (only calculator refusals cause retries)."""


@dataclass(frozen=True, slots=True)
class PracticeProblem:
    """One generated problem: a template with its parameters drawn and its text filled in."""

    exercise_id: str
    template_id: str
    params: tuple[tuple[str, int], ...]
    """The drawn values, in the template's parameter order."""
    prompt: str
    expected: int
    """The calculator's value for these parameters."""
    tolerance: float = 0.0
    hint: str | None = None
    explain: str | None = None
    unit: str | None = None

    @property
    def key(self) -> str:
        """A stable name for this exact problem, e.g. `levels-for-context(context=16)`."""
        values = ", ".join(f"{name}={value}" for name, value in self.params)
        return f"{self.template_id}({values})"

    @property
    def identity(self) -> tuple[str, str, tuple[tuple[str, int], ...]]:
        """Exercise, template and parameters: equal identities mean the same problem."""
        return (self.exercise_id, self.template_id, self.params)


def fill(text: str, params: Mapping[str, int]) -> str:
    """Replace each `{name}` naming a parameter with its value; leave every other brace alone."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(params[name]) if name in params else match.group(0)

    return PLACEHOLDER.sub(value, text)


def _fill_optional(text: str | None, params: Mapping[str, int]) -> str | None:
    return None if text is None else fill(text, params)


def make_problem(
    exercise: Exercise, template: PracticeTemplate, params: Mapping[str, int]
) -> PracticeProblem:
    """The problem of `template` with these parameter values; the calculator gives the answer.

    Raises calc.CalcError when the calculator refuses the values and CalcExpressionError when
    the template's `calc` is not a valid call or misses a parameter.
    """
    ordered = tuple((name, params[name]) for name in template.params)
    expected = parse_calc(template.calc).evaluate(params)
    return PracticeProblem(
        exercise_id=exercise.id,
        template_id=template.id,
        params=ordered,
        prompt=fill(template.prompt, params),
        expected=expected,
        tolerance=template.tolerance or 0.0,
        hint=_fill_optional(template.hint, params),
        explain=_fill_optional(template.explain, params),
        unit=_fill_optional(template.unit, params),
    )


def _choices(template: PracticeTemplate) -> dict[str, list[int]]:
    """Each parameter's distinct values, in the order the author wrote them."""
    return {name: list(dict.fromkeys(values)) for name, values in template.params.items()}


def _combinations(template: PracticeTemplate) -> int:
    count = 1
    for values in _choices(template).values():
        count *= len(values)
    return count


def templates_of(exercises: Sequence[Exercise]) -> list[tuple[Exercise, PracticeTemplate]]:
    """Every practice template of these exercises, in order, with its exercise (once each)."""
    seen: set[tuple[str, str]] = set()
    pool: list[tuple[Exercise, PracticeTemplate]] = []
    for exercise in exercises:
        for template in exercise.practice:
            if (exercise.id, template.id) not in seen:
                seen.add((exercise.id, template.id))
                pool.append((exercise, template))
    return pool


def iter_practice(
    exercises: Sequence[Exercise], rng: random.Random
) -> Iterator[PracticeProblem]:
    """An endless stream of problems from all templates of `exercises`, mixed.

    Each problem picks a template at random, then a value for each parameter. Two consecutive
    problems are never identical unless every template together allows only one problem (or
    the calculator refuses every other draw). Draws the calculator refuses are skipped.
    Raises DataError when there are no templates, or when the calculator refuses every draw.
    """
    pool = templates_of(exercises)
    if not pool:
        raise DataError("no practice templates to draw problems from")
    previous: PracticeProblem | None = None
    while True:
        previous = _draw(pool, rng, previous)
        yield previous


def generate_practice(
    exercises: Sequence[Exercise], count: int, rng: random.Random
) -> list[PracticeProblem]:
    """`count` problems from all templates of `exercises` (see iter_practice)."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    if count == 0:
        return []
    stream = iter_practice(exercises, rng)
    return [next(stream) for _ in range(count)]


def _draw(
    pool: list[tuple[Exercise, PracticeTemplate]],
    rng: random.Random,
    previous: PracticeProblem | None,
) -> PracticeProblem:
    single = [entry for entry in pool if _combinations(entry[1]) == 1]
    only_one_problem = len(pool) == 1 and len(single) == 1
    last_error = ""
    for _ in range(MAX_DRAWS):
        candidates = pool
        if previous is not None and not only_one_problem:
            # A template with a single combination cannot differ from itself: draw another one.
            candidates = [
                (exercise, template)
                for exercise, template in pool
                if not (
                    (exercise.id, template.id) == (previous.exercise_id, previous.template_id)
                    and _combinations(template) == 1
                )
            ]
        exercise, template = rng.choice(candidates)
        choices = _choices(template)
        params = {name: rng.choice(values) for name, values in choices.items()}
        if (
            previous is not None
            and not only_one_problem
            and (exercise.id, template.id) == (previous.exercise_id, previous.template_id)
            and tuple(params.items()) == previous.params
        ):
            # The same problem again: change one parameter that has another value.
            changeable = [name for name, values in choices.items() if len(values) > 1]
            name = rng.choice(changeable)
            params[name] = rng.choice([v for v in choices[name] if v != params[name]])
        try:
            return make_problem(exercise, template, params)
        except (calc.CalcError, CalcExpressionError) as error:
            last_error = f"{exercise.id}/{template.id}: {error}"
    if previous is not None:
        return previous  # every other draw was refused by the calculator: repeat a valid one
    raise DataError(f"could not generate a practice problem ({last_error})")
