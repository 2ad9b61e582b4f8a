"""The quiz session engine: what to ask next, grading, hints, attempts and the score; no UI.

Both faces (the TUI and `quiz --plain`) drive the same `Session` through events:

    session = Session(items_for_quiz(deck, exercises))
    while (prompt := session.current()) is not None:
        if prompt.kind == "numeric":
            feedback = session.submit(line)      # `?` hint, empty gives up, else graded
        else:
            answer = session.reveal()            # then session.self_grade(knew)
    result = session.result()

A numeric answer is graded as deck-format.md 1.1 says: its unit word must be the step's (else
it is not graded and the learner answers again), a wrong answer with attempts left is
`wrong, try again`, a known mistake's text is shown, and a step whose `calc` uses `{step:ID}`
also accepts the value that follows from the learner's own (wrong) number for ID (error
carried forward). `Feedback.verdict` is the one line both faces show.

Nothing here prints, reads input or touches the review schedule: a quiz never changes when
items are due. Items are counted as asked once they are finished (answered, self-graded or
given up); an item left unfinished when input ends is not counted. A Session holds only
plain data, so `copy.deepcopy` snapshots it (review keeps a half-done exercise that way).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from studyapp import calc
from studyapp.deck.calcexpr import CalcCall, CalcExpressionError, parse_calc
from studyapp.deck.items import deck_items
from studyapp.deck.models import DEFAULT_ATTEMPTS, Deck, Exercise, Step
from studyapp.errors import DataError
from studyapp.grade import (
    AnswerError,
    Reading,
    format_number,
    matches,
    read_answer,
    unit_problem,
)
from studyapp.mistakes import Call, KnownMistake, detect
from studyapp.practice import (
    PracticeProblem,
    default_values,
    exercise_variant,
    generate_practice,
    instantiate_exercise,
)

ItemKind = Literal["question", "card", "step", "practice"]
PromptKind = Literal["open", "card", "numeric"]
FeedbackStatus = Literal["correct", "wrong", "gave_up", "unreadable", "unit", "hint"]
ExerciseRating = Literal["good", "hard", "again"]


class SessionStateError(RuntimeError):
    """A face called an event that does not fit the current item (a programming error)."""


# -- items -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExerciseInfo:
    """The exercise a step belongs to: what a face shows before the first and after the last."""

    exercise_id: str
    title: str
    setup: str | None
    outcome: str | None
    step_count: int
    variants: bool = False
    """The exercise declares params: a face may offer "try a fresh version"."""
    variant: tuple[tuple[str, int], ...] | None = None
    """For a fresh version: the numbers drawn (None for the exercise as written)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to ask: an open question, a flashcard, an exercise step or a generated problem.

    `item_id` is unique within the deck: a question's or card's key; `EXERCISE/STEP` for a
    step; `EXERCISE/TEMPLATE(param=value, ...)` for a generated problem.
    """

    kind: ItemKind
    deck_id: str
    item_id: str
    text: str
    """The prompt (question, step, problem) or the front (card)."""
    back: str | None = None
    """The answer to reveal (question, card)."""
    expected: int | float | None = None
    """The number to grade against (step, problem)."""
    tolerance: float = 0.0
    unit: str | None = None
    hint: str | None = None
    explain: str | None = None
    exercise: ExerciseInfo | None = None
    """For a step: its exercise."""
    step_id: str | None = None
    step_number: int | None = None
    """For a step: 1 for the exercise's first step."""
    exercise_id: str | None = None
    """For a step or a generated problem: the exercise it comes from."""
    attempts: int = DEFAULT_ATTEMPTS
    """Graded tries before the answer is shown (numeric items)."""
    mistakes: tuple[KnownMistake, ...] = ()
    """Known wrong answers (the deck's first, then the calculator's detectors)."""
    calc: str | None = None
    """The step's calculator call, with `{step:ID}` references kept (error carried forward)."""
    references: tuple[tuple[str, int], ...] = ()
    """For a step whose calc uses `{step:ID}`: each referenced step and its right value."""

    @property
    def identity(self) -> tuple[str, str]:
        """(deck id, item id)."""
        return (self.deck_id, self.item_id)

    @property
    def numeric(self) -> bool:
        """True for steps and generated problems (typed numeric answers)."""
        return self.kind in ("step", "practice")


def step_expected(step: Step, steps: Mapping[str, int] | None = None) -> int | float:
    """What a step is graded against: the calculator's value when `calc` is given, else `answer`.

    `steps` holds the right values of earlier steps, for `{step:ID}` references.
    """
    if step.calc is not None:
        try:
            return parse_calc(step.calc).evaluate(steps=steps or {})
        except (calc.CalcError, CalcExpressionError):
            pass  # the loader reports these; grade against the author's answer meanwhile
    return step.answer


def _call(call: CalcCall, steps: Mapping[str, int]) -> Call | None:
    try:
        return Call(call.function, tuple(call.keywords(steps=steps).items()))
    except CalcExpressionError:
        return None


def _parsed(text: str | None) -> CalcCall | None:
    if text is None:
        return None
    try:
        return parse_calc(text)
    except CalcExpressionError:
        return None


def known_mistakes(
    mistakes: Sequence[tuple[int | float | None, str | None, str]],
    calc_text: str | None,
    expected: int | float,
    tolerance: float,
    steps: Mapping[str, int] | None = None,
    related: Sequence[str] = (),
) -> tuple[KnownMistake, ...]:
    """A step's known wrong answers: the deck's `mistakes` (answer or calc, with `says`), then
    the calculator's detectors for its `calc`. None of them matches `expected`; a value
    listed twice keeps its first text."""
    values = dict(steps or {})
    found: list[KnownMistake] = []
    for answer, mistake_calc, says in mistakes:
        value: int | float | None = answer
        call = _parsed(mistake_calc)
        if call is not None:
            try:
                value = call.evaluate(steps=values)
            except (calc.CalcError, CalcExpressionError):
                value = None
        if value is not None:
            found.append(KnownMistake(value, says.strip()))
    own = _parsed(calc_text)
    if own is not None:
        call_of = _call(own, values)
        others = [c for c in (_call(p, values) for p in map(_parsed, related) if p) if c]
        if call_of is not None:
            found.extend(detect(call_of, others))
    kept: list[KnownMistake] = []
    for mistake in found:
        if matches(mistake.value, expected, tolerance):
            continue
        if any(mistake.value == other.value for other in kept):
            continue
        kept.append(mistake)
    return tuple(kept)


def exercise_items(deck_id: str, exercise: Exercise) -> list[Item]:
    """The exercise's steps, in order (an exercise with params: as written, its first values)."""
    return _exercise_items(deck_id, exercise, None)


def variant_items(
    deck_id: str, exercise: Exercise, rng: random.Random
) -> list[Item]:
    """The steps of a fresh version of the exercise (new numbers from its params, each answer
    from the calculator). DataError when the exercise has no params."""
    _, params = exercise_variant(exercise, rng)
    return _exercise_items(deck_id, exercise, params)


def _exercise_items(
    deck_id: str, exercise: Exercise, params: Mapping[str, int] | None
) -> list[Item]:
    variants = bool(exercise.params)
    source = exercise
    if variants:
        try:
            source = instantiate_exercise(
                exercise, params if params is not None else default_values(exercise)
            )
        except (calc.CalcError, CalcExpressionError):
            source = exercise  # the loader reports it; ask the exercise as written
    drawn = tuple(params.items()) if params is not None else None
    info = ExerciseInfo(
        exercise_id=exercise.id,
        title=source.title,
        setup=source.setup or None,
        outcome=source.outcome or None,
        step_count=len(source.steps),
        variants=variants,
        variant=drawn,
    )
    suffix = "(" + ", ".join(f"{k}={v}" for k, v in drawn) + ")" if drawn else ""
    right: dict[str, int] = {}
    items: list[Item] = []
    calcs = [step.calc for step in source.steps if step.calc is not None]
    for number, step in enumerate(source.steps, start=1):
        expected = step_expected(step, right)
        call = _parsed(step.calc)
        references = tuple(
            (ref, right[ref]) for ref in (call.references if call else ()) if ref in right
        )
        tolerance = step.tolerance or 0.0
        mistakes = known_mistakes(
            [(m.answer, m.calc, m.says) for m in step.mistakes],
            step.calc,
            expected,
            tolerance,
            right,
            [c for c in calcs if c != step.calc],
        )
        items.append(Item(
            "step",
            deck_id,
            f"{exercise.id}/{step.key}{suffix}",
            step.prompt,
            expected=expected,
            tolerance=tolerance,
            unit=step.unit or None,
            hint=step.hint or None,
            explain=step.explain or None,
            exercise=info,
            step_id=step.key,
            step_number=number,
            exercise_id=exercise.id,
            attempts=step.tries,
            mistakes=mistakes,
            calc=step.calc,
            references=references,
        ))
        if isinstance(expected, int) or (isinstance(expected, float) and expected.is_integer()):
            right[step.key] = int(expected)
    return items


def practice_item(deck_id: str, problem: PracticeProblem) -> Item:
    return Item(
        "practice",
        deck_id,
        f"{problem.exercise_id}/{problem.key}",
        problem.prompt,
        expected=problem.expected,
        tolerance=problem.tolerance,
        unit=problem.unit or None,
        hint=problem.hint or None,
        explain=problem.explain or None,
        exercise_id=problem.exercise_id,
        mistakes=known_mistakes([], problem.calc, problem.expected, problem.tolerance),
        calc=problem.calc,
    )


def _select(
    deck: Deck, exercises: Sequence[Exercise], exercise_id: str | None
) -> list[Exercise]:
    if exercise_id is None:
        return list(exercises)
    for exercise in exercises:
        if exercise.id == exercise_id:
            return [exercise]
    known = ", ".join(e.id for e in exercises) or "none"
    raise DataError(f"deck {deck.id!r} has no exercise {exercise_id!r} (its exercises: {known})")


def items_for_quiz(
    deck: Deck,
    exercises: Sequence[Exercise],
    *,
    exercise_id: str | None = None,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> list[Item]:
    """The quiz of a deck: questions, then cards, then each exercise's steps.

    `exercises` are the deck's loaded exercises (Library.exercises_of). With `exercise_id`,
    only that exercise's steps (DataError if the deck has no such exercise). With `shuffle`,
    questions, cards and whole exercises come in a random order (from `rng`); an exercise's
    steps always stay together and in order.
    """
    chosen = _select(deck, exercises, exercise_id)
    units: list[list[Item]] = []
    if exercise_id is None:
        units += [[Item("question" if d.kind == "question" else "card", deck.id, d.item_id,
                        d.front, back=d.back)] for d in deck_items(deck)]
    units += [exercise_items(deck.id, exercise) for exercise in chosen]
    if shuffle:
        (rng if rng is not None else random.Random()).shuffle(units)
    return [item for unit in units for item in unit]


def items_for_practice(
    deck: Deck,
    exercises: Sequence[Exercise],
    count: int,
    *,
    exercise_id: str | None = None,
    rng: random.Random | None = None,
) -> list[Item]:
    """`count` generated problems from the practice templates of the deck's exercises, mixed.

    DataError when the deck (or the chosen exercise) has no practice templates.
    """
    chosen = _select(deck, exercises, exercise_id)
    if not any(exercise.practice for exercise in chosen):
        where = f"exercise {exercise_id!r}" if exercise_id else f"deck {deck.id!r}"
        raise DataError(f"{where} has no practice templates")
    problems = generate_practice(chosen, count, rng if rng is not None else random.Random())
    return [practice_item(deck.id, problem) for problem in problems]


# -- events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prompt:
    """What to show now."""

    kind: PromptKind
    """"open" (question: think, then reveal), "card" (flashcard) or "numeric" (type a number)."""
    item: Item
    text: str
    unit: str | None
    position: int
    """1 for the session's first item."""
    total: int
    exercise: ExerciseInfo | None
    """For a step: its exercise."""
    starts_exercise: bool
    """True on an exercise's first step: show its title and setup before the prompt."""
    revealed: bool = False
    """For questions and cards: the answer is shown and a self-grade is awaited."""
    answer: str | None = None
    """For questions and cards, once revealed: the answer text."""
    has_hint: bool = False
    hints: int = 0
    attempts: int = 0

    @property
    def identity(self) -> tuple[str, str]:
        return self.item.identity


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """How one exercise went: the input for rating it as a whole in review."""

    deck_id: str
    exercise_id: str
    title: str
    step_count: int
    asked: int
    """Steps finished (answered or given up)."""
    right: int
    """Steps answered correctly on any attempt, carried forward included: the score."""
    attempts: int
    hints: int
    gave_up: int
    outcome: str | None = None
    first_try: int = 0
    """Steps right at the first graded attempt, without a hint, and not carried forward."""
    carried: int = 0
    """Steps counted right because they follow from the learner's own earlier number."""

    @property
    def complete(self) -> bool:
        """Every step was finished."""
        return self.asked == self.step_count

    @property
    def rating(self) -> ExerciseRating | None:
        """THE rating of a finished exercise (review uses it; None until every step is done).

        * "good": every step was right at its first graded attempt, with no hint taken and
          nothing carried forward. (Lines that were not graded, such as an unreadable answer
          or a unit that is not the step's, are not attempts.)
        * "hard": every step was right in the end, but some needed a retry or a hint.
        * "again": any step was missed (wrong on its last attempt) or given up.

        A carried-forward answer counts as right for the score but never as first-try: the
        learner's own earlier number was wrong, so the exercise as a whole was not right.
        Since carrying forward only happens after a step was missed, an exercise with a
        carried-forward answer is always rated "again".
        """
        if not self.complete:
            return None
        if self.right < self.step_count or self.gave_up:
            return "again"
        if self.first_try == self.step_count:
            return "good"
        return "hard"


@dataclass(frozen=True, slots=True)
class Feedback:
    """The engine's answer to submit(), answer(), give_up() or self_grade()."""

    status: FeedbackStatus
    done: bool
    """The item is finished and the session moved on (False for `unreadable`, `unit` and
    `hint`, and for `wrong` while attempts are left)."""
    expected: str | None = None
    """For a finished numeric item: the expected value, formatted (format_number)."""
    value: str | None = None
    """For a graded answer: the number read from the learner's line."""
    explanation: str | None = None
    """For a finished numeric item: the step's explanation."""
    reason: str | None = None
    """For `unreadable` and `unit`: one line saying why the answer was not graded; for
    `hint` when there is none: the line saying so."""
    exercise: ExerciseSummary | None = None
    """When this finished an exercise's last step: its summary (with the outcome text)."""
    reading: str | None = None
    """For a graded answer: how it was read, `2^4 = 16` for an expression, else the number."""
    expression: bool = False
    """The graded answer was a calculation (so `reading` is worth showing)."""
    mistake: str | None = None
    """For a wrong answer matching a known mistake: what the learner probably did."""
    carried_from: tuple[str, ...] = ()
    """For a correct answer that follows from the learner's own wrong earlier answers: the
    ids of those steps (error carried forward)."""
    hint: str | None = None
    """For `hint`: the hint text (None when the item has none)."""
    hint_offered: bool = False
    """For `wrong` with attempts left: the item has a hint the learner has not seen yet."""
    attempts_left: int = 0

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def carried(self) -> bool:
        return bool(self.carried_from)

    @property
    def verdict(self) -> str:
        """The one line both faces show for this feedback.

        `correct`, `correct (carried forward from your answer to ID)`, `wrong, try again`,
        `wrong: 2^4 = 16, try again`, `wrong, expected 4`, `wrong: 2^4 = 16, expected 4`,
        `gave up, expected 4`, or the reason for an answer that was not graded.
        """
        read = f": {self.reading}" if self.expression and self.reading else ""
        if self.status == "correct":
            if self.carried_from:
                steps = ", ".join(self.carried_from)
                return f"correct (carried forward from your answer to {steps})"
            return "correct"
        if self.status == "wrong":
            if self.expected is None and not self.done:
                offer = " (? for a hint)" if self.hint_offered else ""
                return f"wrong{read}, try again{offer}"
            if self.expected is None:
                return "wrong"
            return f"wrong{read}, expected {self.expected}"
        if self.status == "gave_up":
            return f"gave up, expected {self.expected}" if self.expected else "gave up"
        if self.status == "hint":
            return f"hint: {self.hint.strip()}" if self.hint else (self.reason or "no hint")
        return self.reason or "that is not a number"


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """How one finished item went."""

    deck_id: str
    item_id: str
    kind: ItemKind
    correct: bool
    attempts: int
    """Graded answers (numeric) or self-grades (questions, cards); unreadable lines excluded."""
    hints: int
    gave_up: bool
    exercise_id: str | None = None
    step_id: str | None = None
    carried: bool = False
    """Counted correct because it follows from the learner's own wrong earlier answer."""

    @property
    def identity(self) -> tuple[str, str]:
        return (self.deck_id, self.item_id)

    @property
    def first_try(self) -> bool:
        """Right at the first graded attempt, without a hint, not carried forward."""
        return self.correct and self.attempts == 1 and not self.hints and not self.carried


@dataclass(frozen=True, slots=True)
class SessionResult:
    """The session so far: per-item outcomes, per-exercise summaries and the score."""

    outcomes: tuple[ItemOutcome, ...]
    exercises: tuple[ExerciseSummary, ...]
    total: int
    """Items in the session."""

    @property
    def correct(self) -> int:
        """K in `score: K/N`."""
        return sum(1 for outcome in self.outcomes if outcome.correct)

    @property
    def asked(self) -> int:
        """N in `score: K/N`: finished items (an unfinished current item is not counted)."""
        return len(self.outcomes)

    @property
    def finished(self) -> bool:
        """Every item was asked."""
        return self.asked == self.total

    @property
    def score(self) -> str:
        """`K/N`."""
        return f"{self.correct}/{self.asked}"


@dataclass(slots=True)
class _Current:
    """The state of the item being asked."""

    revealed: bool = False
    attempts: int = 0
    hints: int = 0


@dataclass(slots=True)
class _Tally:
    exercise: ExerciseInfo
    deck_id: str
    outcomes: list[ItemOutcome] = field(default_factory=list)

    def summary(self) -> ExerciseSummary:
        return ExerciseSummary(
            deck_id=self.deck_id,
            exercise_id=self.exercise.exercise_id,
            title=self.exercise.title,
            step_count=self.exercise.step_count,
            asked=len(self.outcomes),
            right=sum(1 for o in self.outcomes if o.correct),
            attempts=sum(o.attempts for o in self.outcomes),
            hints=sum(o.hints for o in self.outcomes),
            gave_up=sum(1 for o in self.outcomes if o.gave_up),
            outcome=self.exercise.outcome,
            first_try=sum(1 for o in self.outcomes if o.first_try),
            carried=sum(1 for o in self.outcomes if o.carried),
        )


class Session:
    """A quiz over a list of items, driven one event at a time.

    Each numeric item gets its own number of graded attempts (a step's `attempts`, default 2):
    a wrong answer leaves it current until the last one. `attempts_per_step`, when given,
    overrides that for every item. Lines that are not graded (unreadable, a wrong unit, `?`)
    never count as attempts.
    """

    def __init__(
        self, items: Sequence[Item], *, attempts_per_step: int | None = None
    ) -> None:
        if attempts_per_step is not None and attempts_per_step < 1:
            raise ValueError(f"attempts_per_step must be >= 1, not {attempts_per_step}")
        self._items = list(items)
        self._attempts_per_step = attempts_per_step
        self._index = 0
        self._state = _Current()
        self._outcomes: list[ItemOutcome] = []
        self._tallies: dict[tuple[str, str], _Tally] = {}
        self._numbers: dict[tuple[str, str], dict[str, int]] = {}
        """The learner's final number for each answered step, by (deck, exercise)."""
        self._units = tuple(sorted({item.unit for item in self._items if item.unit}))

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._items)

    @property
    def finished(self) -> bool:
        """No item left to ask."""
        return self._index >= len(self._items)

    def current(self) -> Prompt | None:
        """The prompt to show now, or None when every item has been asked."""
        item = self._item_or_none()
        if item is None:
            return None
        state = self._state
        kind: PromptKind = (
            "numeric" if item.numeric else "open" if item.kind == "question" else "card"
        )
        return Prompt(
            kind=kind,
            item=item,
            text=item.text,
            unit=item.unit,
            position=self._index + 1,
            total=len(self._items),
            exercise=item.exercise,
            starts_exercise=item.exercise is not None and item.step_number == 1,
            revealed=state.revealed,
            answer=item.back if state.revealed else None,
            has_hint=item.hint is not None,
            hints=state.hints,
            attempts=state.attempts,
        )

    def reveal(self) -> str:
        """Show a question's or card's answer; returns it. Then self_grade() is awaited."""
        item = self._item("reveal")
        if item.numeric or item.back is None:
            raise SessionStateError("reveal() is for questions and cards")
        self._state.revealed = True
        return item.back

    def self_grade(self, knew: bool) -> Feedback:
        """The learner says whether they knew a revealed question or card; the item is done."""
        item = self._item("self_grade")
        if item.numeric:
            raise SessionStateError("self_grade() is for questions and cards")
        if not self._state.revealed:
            raise SessionStateError("reveal() the answer before self_grade()")
        self._state.attempts += 1
        self._finish(item, correct=knew, gave_up=False)
        return Feedback("correct" if knew else "wrong", done=True)

    def submit(self, text: str) -> Feedback:
        """The one meaning of a line typed for the current numeric item.

        `?` asks for the hint (status `hint`, the text in `hint`, or a `reason` when there is
        none); an empty or blank line gives up; anything else is graded by `answer`.
        """
        item = self._item("submit")
        if not item.numeric:
            raise SessionStateError("submit() is for numeric items")
        line = text.strip()
        if line == "?":
            hint = self.hint()
            if hint is None:
                return Feedback("hint", done=False, reason="no hint for this one")
            return Feedback("hint", done=False, hint=hint)
        if not line:
            return self.give_up()
        return self.answer(line)

    def hint(self) -> str | None:
        """The numeric item's hint (counted once per item), or None when it has none."""
        item = self._item("hint")
        if not item.numeric:
            raise SessionStateError("hint() is for numeric items")
        if item.hint is None:
            return None
        self._state.hints = 1
        return item.hint

    def answer(self, text: str) -> Feedback:
        """Grade a typed answer to the numeric item.

        Not graded, the item staying current and nothing counted: unreadable text (including
        a blank line) gives `unreadable`; a unit word that is not the item's gives `unit`;
        both with a one-line reason. Otherwise the answer is an attempt: `correct` (also when
        it follows from the learner's own earlier numbers) finishes the item; `wrong`
        finishes it when no attempts are left, else says try again.
        """
        item = self._item("answer")
        if not item.numeric or item.expected is None:
            raise SessionStateError("answer() is for numeric items")
        try:
            reading = read_answer(text)
        except AnswerError as error:
            return Feedback("unreadable", done=False, reason=str(error))
        problem = unit_problem(reading.unit, item.unit, self._units)
        if problem is not None:
            return Feedback("unit", done=False, reason=problem)
        self._state.attempts += 1
        correct = matches(reading.value, item.expected, item.tolerance)
        carried_from: tuple[str, ...] = ()
        if not correct:
            carried_from = self._carried(item, reading)
            correct = bool(carried_from)
        shown = format_number(reading.value)
        tries = self._attempts_per_step or item.attempts
        if not correct:
            mistake = next(
                (m.says for m in item.mistakes
                 if matches(reading.value, m.value, item.tolerance)),
                None,
            )
            if self._state.attempts < tries:
                return Feedback(
                    "wrong",
                    done=False,
                    mistake=mistake,
                    hint_offered=item.hint is not None and not self._state.hints,
                    attempts_left=tries - self._state.attempts,
                    value=shown,
                    reading=reading.shown,
                    expression=reading.expression,
                )
        else:
            mistake = None
        self._remember(item, reading)
        summary = self._finish(
            item, correct=correct, gave_up=False, carried=bool(carried_from)
        )
        return Feedback(
            "correct" if correct else "wrong",
            done=True,
            expected=format_number(item.expected),
            explanation=item.explain,
            exercise=summary,
            mistake=mistake,
            carried_from=carried_from,
            value=shown,
            reading=reading.shown,
            expression=reading.expression,
        )

    def give_up(self) -> Feedback:
        """Give up the current item: it is finished and not correct (numeric: the expected
        value and explanation are returned)."""
        item = self._item("give_up")
        summary = self._finish(item, correct=False, gave_up=True)
        if item.numeric and item.expected is not None:
            return Feedback(
                "gave_up",
                done=True,
                expected=format_number(item.expected),
                explanation=item.explain,
                exercise=summary,
            )
        return Feedback("gave_up", done=True)

    def result(self) -> SessionResult:
        """The outcomes so far; an unfinished current item is not included."""
        return SessionResult(
            outcomes=tuple(self._outcomes),
            exercises=tuple(tally.summary() for tally in self._tallies.values()),
            total=len(self._items),
        )

    # -- internals -----------------------------------------------------------------------

    def _item_or_none(self) -> Item | None:
        return self._items[self._index] if self._index < len(self._items) else None

    def _item(self, event: str) -> Item:
        item = self._item_or_none()
        if item is None:
            raise SessionStateError(f"{event}(): the session is over")
        return item

    def _remember(self, item: Item, reading: Reading) -> None:
        """Keep the learner's final number for a step, for later steps that build on it."""
        if item.exercise_id is None or item.step_id is None or item.kind != "step":
            return
        value = reading.value
        whole = value.denominator == 1 if isinstance(value, Fraction) else value.is_integer()
        if not whole or abs(Fraction(value)) > 2**64:
            return  # the calculator takes whole numbers only: nothing can follow from it
        key = (item.deck_id, item.exercise_id)
        self._numbers.setdefault(key, {})[item.step_id] = int(value)

    def _carried(self, item: Item, reading: Reading) -> tuple[str, ...]:
        """The steps whose wrong answers this answer follows from, or () if it doesn't."""
        if not item.references or item.calc is None or item.exercise_id is None:
            return ()
        given = self._numbers.get((item.deck_id, item.exercise_id), {})
        values = {ref: given.get(ref, right) for ref, right in item.references}
        differing = tuple(ref for ref, right in item.references if values[ref] != right)
        if not differing:
            return ()
        try:
            follows = parse_calc(item.calc).evaluate(steps=values)
        except (calc.CalcError, CalcExpressionError):
            return ()
        if matches(reading.value, follows, item.tolerance):
            return differing
        return ()

    def _finish(
        self, item: Item, *, correct: bool, gave_up: bool, carried: bool = False
    ) -> ExerciseSummary | None:
        outcome = ItemOutcome(
            deck_id=item.deck_id,
            item_id=item.item_id,
            kind=item.kind,
            correct=correct,
            attempts=self._state.attempts,
            hints=self._state.hints,
            gave_up=gave_up,
            exercise_id=item.exercise_id,
            step_id=item.step_id,
            carried=carried,
        )
        self._outcomes.append(outcome)
        summary = None
        if item.exercise is not None:
            key = (item.deck_id, item.exercise.exercise_id)
            tally = self._tallies.setdefault(key, _Tally(item.exercise, item.deck_id))
            tally.outcomes.append(outcome)
            if item.step_number == item.exercise.step_count:
                summary = tally.summary()
        self._index += 1
        self._state = _Current()
        return summary
