"""Generated practice and fresh versions of exercises: the same questions with new numbers.

A template names its parameters and the values each may take; a problem is the template with
one value drawn per parameter (from a seeded `random.Random`, so `--seed` reproduces a run).
The expected value always comes from the tree calculator (the template's `calc` call); the
prompt, hint, explanation and unit get their `{name}` placeholders filled. Only `{name}`
placeholders naming a parameter are replaced, so text may hold other braces. A count filled
in before a noun makes the noun agree with it (`1 number`, `2 numbers`).

An exercise with `params` is a template too: `instantiate_exercise` fills every step, hint,
explanation, mistake and the outcome with one set of values and recomputes each step's
answer with the calculator; `exercise_variant` draws a fresh set.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from studyapp import calc
from studyapp.deck.calcexpr import CalcExpressionError, parse_calc
from studyapp.deck.models import PLACEHOLDER, Exercise, Mistake, PracticeTemplate, Step
from studyapp.errors import DataError

MAX_DRAWS = 200
"""Random draws tried for one problem before listing the problems that are left."""

MAX_COMBINATIONS = 10_000
"""Parameter combinations listed per template when random draws keep finding asked ones."""


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
    calc: str | None = None
    """The template's calculator call with these values filled in."""

    @property
    def key(self) -> str:
        """A stable name for this exact problem, e.g. `levels-for-context(context=16)`."""
        values = ", ".join(f"{name}={value}" for name, value in self.params)
        return f"{self.template_id}({values})"

    @property
    def identity(self) -> tuple[str, str, tuple[tuple[str, int], ...]]:
        """Exercise, template and parameters: equal identities mean the same problem."""
        return (self.exercise_id, self.template_id, self.params)


NOUNS = {
    singular: singular + ("es" if singular.endswith("s") else "s")
    for singular in (
        "number", "character", "level", "parameter", "position", "layer", "input", "output",
        "unit", "vector", "weight", "bias", "embedding", "fusion", "problem", "step", "value",
        "neighbour", "group", "hint",
    )
}
"""Nouns a filled-in count may precede, singular to plural."""
_PLURALS = {plural: singular for singular, plural in NOUNS.items()}
_FOLLOWING = re.compile(r"(\s+)([A-Za-z][A-Za-z-]*)(?:(\s+)([A-Za-z][A-Za-z-]*))?")
_OPERATOR_BEFORE = set("^×*·+-−/(")


def _agree(word: str, count: int) -> str | None:
    """`word` made singular for a count of 1 and plural otherwise; None if it isn't a noun."""
    lower = word.lower()
    if lower in NOUNS:
        wanted = lower if count == 1 else NOUNS[lower]
    elif lower in _PLURALS:
        wanted = _PLURALS[lower] if count == 1 else lower
    else:
        return None
    return wanted.capitalize() if word[:1].isupper() else wanted


def fill(text: str, params: Mapping[str, int]) -> str:
    """Replace each `{name}` naming a parameter with its value; leave every other brace alone.

    A value counting a noun just after it (`{embedding} numbers`, or with one word between,
    `{levels} fusing levels`) makes that noun singular for 1 and plural otherwise. Values
    used in arithmetic (after `^`, `×`, `*`, ...) are not counts and change nothing.
    """
    parts: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        parts.append(text[position : match.start()])
        position = match.end()
        if name not in params:
            parts.append(match.group(0))
            continue
        value = params[name]
        parts.append(str(value))
        before = text[: match.start()].rstrip()
        if before and before[-1] in _OPERATOR_BEFORE:
            continue
        following = _FOLLOWING.match(text, position)
        if following is None or PLACEHOLDER.match(text, following.start(2) - 1):
            continue
        first = _agree(following.group(2), value)
        if first is not None:
            parts.append(following.group(1) + first)
            position = following.end(2)
        elif following.group(4) is not None:
            second = _agree(following.group(4), value)
            if second is not None:
                parts.append(following.group(1) + following.group(2) + following.group(3) + second)
                position = following.end(4)
    parts.append(text[position:])
    return "".join(parts)


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
        calc=fill(template.calc, params),
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

    Each problem picks a template at random, then a value for each parameter. No problem
    comes back until every problem the templates allow has been asked once (draws the
    calculator refuses are skipped); after that a new round starts, and even then two
    consecutive problems differ unless the templates allow only one problem. So a set of N
    problems never repeats one when the templates allow N or more.
    Raises DataError when there are no templates, or when the calculator refuses every draw.
    """
    pool = templates_of(exercises)
    if not pool:
        raise DataError("no practice templates to draw problems from")
    seen: set[tuple[str, str, tuple[tuple[str, int], ...]]] = set()
    previous: PracticeProblem | None = None
    while True:
        problem = _draw(pool, rng, seen)
        if problem is None:
            # Every problem has been asked: a new round, but not the last one again at once.
            seen = {previous.identity} if previous is not None else set()
            problem = _draw(pool, rng, seen)
            if problem is None:
                if previous is None:
                    raise DataError("could not generate a practice problem")
                problem = previous  # the templates allow only this one problem
        seen.add(problem.identity)
        previous = problem
        yield problem


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


Identity = tuple[str, str, tuple[tuple[str, int], ...]]


def _draw(
    pool: list[tuple[Exercise, PracticeTemplate]],
    rng: random.Random,
    seen: set[Identity],
) -> PracticeProblem | None:
    """A problem not in `seen`, or None when none is left (or the calculator refuses all)."""
    for _ in range(MAX_DRAWS):
        exercise, template = rng.choice(pool)
        choices = _choices(template)
        params = {name: rng.choice(values) for name, values in choices.items()}
        identity = (exercise.id, template.id, tuple(params.items()))
        if identity in seen:
            continue
        try:
            return make_problem(exercise, template, params)
        except (calc.CalcError, CalcExpressionError):
            seen.add(identity)  # refused: never try it again in this round
    # Random draws keep hitting asked problems: list what is left and pick from that.
    left: list[tuple[Exercise, PracticeTemplate, dict[str, int]]] = []
    for exercise, template in pool:
        choices = _choices(template)
        names = list(choices)
        combinations = itertools.product(*(choices[name] for name in names))
        for values in itertools.islice(combinations, MAX_COMBINATIONS):
            params = dict(zip(names, values, strict=True))
            if (exercise.id, template.id, tuple(params.items())) not in seen:
                left.append((exercise, template, params))
    rng.shuffle(left)
    for exercise, template, params in left:
        try:
            return make_problem(exercise, template, params)
        except (calc.CalcError, CalcExpressionError):
            seen.add((exercise.id, template.id, tuple(params.items())))
    return None


# -- fresh versions of a whole exercise -----------------------------------------------------


def default_values(exercise: Exercise) -> dict[str, int]:
    """The exercise as written: the first value of each of its params."""
    return {name: values[0] for name, values in (exercise.params or {}).items()}


def _fill_mistake(mistake: Mistake, params: Mapping[str, int]) -> Mistake:
    return mistake.model_copy(update={
        "says": fill(mistake.says, params),
        "calc": _fill_optional(mistake.calc, params),
    })


def instantiate_exercise(exercise: Exercise, params: Mapping[str, int]) -> Exercise:
    """The exercise with `params` filled into all of its text and calc expressions.

    Each step's answer becomes its calc's value for these numbers (with `{step:ID}` taken
    from the earlier steps' new answers); a step without calc keeps its answer. The result
    has no params left. Raises calc.CalcError when the calculator refuses these numbers and
    CalcExpressionError for an invalid calc.
    """
    if not exercise.params:
        return exercise
    values: dict[str, int] = {}
    steps: list[Step] = []
    for step in exercise.steps:
        update: dict[str, object] = {
            "prompt": fill(step.prompt, params),
            "hint": _fill_optional(step.hint, params),
            "explain": _fill_optional(step.explain, params),
            "unit": _fill_optional(step.unit, params),
            "mistakes": [_fill_mistake(m, params) for m in step.mistakes],
        }
        if step.calc is not None:
            filled = fill(step.calc, params)
            answer = parse_calc(filled).evaluate(steps=values)
            update |= {"calc": filled, "answer": answer}
            values[step.key] = answer
        elif isinstance(step.answer, int):
            values[step.key] = step.answer
        steps.append(step.model_copy(update=update))
    return exercise.model_copy(update={
        "title": fill(exercise.title, params),
        "setup": _fill_optional(exercise.setup, params),
        "outcome": _fill_optional(exercise.outcome, params),
        "steps": steps,
        "params": None,
    })


def as_written(exercise: Exercise) -> Exercise:
    """The exercise as written (each param at its first value), for faces that print it whole;
    the exercise itself when it has no params or the calculator refuses those values."""
    try:
        return instantiate_exercise(exercise, default_values(exercise))
    except (calc.CalcError, CalcExpressionError):
        return exercise


def exercise_variant(
    exercise: Exercise, rng: random.Random
) -> tuple[Exercise, dict[str, int]]:
    """A fresh version of an exercise with params: new numbers, every answer recomputed.

    The numbers differ from the exercise as written whenever its params allow another set
    the calculator accepts. Returns the filled exercise and the numbers drawn. Raises
    DataError when the exercise has no params.
    """
    if not exercise.params:
        raise DataError(f"exercise {exercise.id!r} has no params, so it has no fresh versions")
    choices = {name: list(dict.fromkeys(values)) for name, values in exercise.params.items()}
    written = default_values(exercise)
    for _ in range(MAX_DRAWS):
        params = {name: rng.choice(values) for name, values in choices.items()}
        if params == written and any(len(values) > 1 for values in choices.values()):
            continue
        try:
            return instantiate_exercise(exercise, params), params
        except (calc.CalcError, CalcExpressionError):
            continue
    return instantiate_exercise(exercise, written), written
