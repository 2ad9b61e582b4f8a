"""The quiz session engine: what to ask next, grading, hints, attempts and the score; no UI.

Both faces (the TUI and `quiz --plain`) drive the same `Session` through events:

    session = Session(items_for_quiz(deck, exercises))
    while (prompt := session.current()) is not None:
        if prompt.kind == "numeric":
            feedback = session.answer(text)      # or session.hint(), session.give_up()
        else:
            answer = session.reveal()            # then session.self_grade(knew)
    result = session.result()

Nothing here prints, reads input or touches the review schedule: a quiz never changes when
items are due. Items are counted as asked once they are finished (answered, self-graded or
given up); an item left unfinished when input ends is not counted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from studyapp import calc
from studyapp.deck.calcexpr import CalcExpressionError, parse_calc
from studyapp.deck.items import deck_items
from studyapp.deck.models import Deck, Exercise, Step
from studyapp.errors import DataError
from studyapp.grade import AnswerError, format_number, grade
from studyapp.practice import PracticeProblem, generate_practice

ItemKind = Literal["question", "card", "step", "practice"]
PromptKind = Literal["open", "card", "numeric"]
FeedbackStatus = Literal["correct", "wrong", "gave_up", "unreadable", "hint"]
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

    @property
    def identity(self) -> tuple[str, str]:
        """(deck id, item id)."""
        return (self.deck_id, self.item_id)

    @property
    def numeric(self) -> bool:
        """True for steps and generated problems (typed numeric answers)."""
        return self.kind in ("step", "practice")


def step_expected(step: Step) -> int | float:
    """What a step is graded against: the calculator's value when `calc` is given, else `answer`."""
    if step.calc is not None:
        try:
            return parse_calc(step.calc).evaluate()
        except (calc.CalcError, CalcExpressionError):
            pass  # the loader reports these; grade against the author's answer meanwhile
    return step.answer


def exercise_items(deck_id: str, exercise: Exercise) -> list[Item]:
    """The exercise's steps, in order."""
    info = ExerciseInfo(
        exercise_id=exercise.id,
        title=exercise.title,
        setup=exercise.setup or None,
        outcome=exercise.outcome or None,
        step_count=len(exercise.steps),
    )
    return [
        Item(
            "step",
            deck_id,
            f"{exercise.id}/{step.key}",
            step.prompt,
            expected=step_expected(step),
            tolerance=step.tolerance or 0.0,
            unit=step.unit or None,
            hint=step.hint or None,
            explain=step.explain or None,
            exercise=info,
            step_id=step.key,
            step_number=number,
            exercise_id=exercise.id,
        )
        for number, step in enumerate(exercise.steps, start=1)
    ]


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
    """Steps answered correctly: the exercise's score."""
    attempts: int
    hints: int
    gave_up: int
    outcome: str | None = None

    @property
    def complete(self) -> bool:
        """Every step was finished."""
        return self.asked == self.step_count

    @property
    def rating(self) -> ExerciseRating | None:
        """None until complete; then "good" (all right first try, no hints), "hard" (all
        right, with hints or retries) or "again" (any step missed or given up)."""
        if not self.complete:
            return None
        if self.right < self.step_count:
            return "again"
        if self.hints or self.attempts > self.step_count:
            return "hard"
        return "good"


@dataclass(frozen=True, slots=True)
class Feedback:
    """The engine's answer to answer(), give_up() or self_grade()."""

    status: FeedbackStatus
    done: bool
    """The item is finished and the session moved on (False for `unreadable`, and for
    `wrong` while retries are left)."""
    expected: str | None = None
    """For a finished numeric item: the expected value, formatted (format_number)."""
    value: str | None = None
    """For a graded answer: the number read from the learner's line."""
    explanation: str | None = None
    """For a finished numeric item: the step's explanation."""
    reason: str | None = None
    """For `unreadable`: one line saying why the answer was not read."""
    exercise: ExerciseSummary | None = None
    """When this finished an exercise's last step: its summary (with the outcome text)."""
    hint: str | None = None
    """For `hint`: the step's hint (None when it has none)."""

    @property
    def correct(self) -> bool:
        return self.status == "correct"


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

    @property
    def identity(self) -> tuple[str, str]:
        return (self.deck_id, self.item_id)


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
        )


class Session:
    """A quiz over a list of items, driven one event at a time.

    `attempts_per_step` is how many graded answers a numeric item gets: with the default 1
    (as in `quiz --plain`) a wrong answer finishes the item; with more, a wrong answer
    leaves it current until the last attempt. Unreadable answers never count as attempts.
    """

    def __init__(self, items: Sequence[Item], *, attempts_per_step: int = 1) -> None:
        if attempts_per_step < 1:
            raise ValueError(f"attempts_per_step must be >= 1, not {attempts_per_step}")
        self._items = list(items)
        self._attempts_per_step = attempts_per_step
        self._index = 0
        self._state = _Current()
        self._outcomes: list[ItemOutcome] = []
        self._tallies: dict[tuple[str, str], _Tally] = {}

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

    def hint(self) -> str | None:
        """The numeric item's hint (counted once per item), or None when it has none."""
        item = self._item("hint")
        if not item.numeric:
            raise SessionStateError("hint() is for numeric items")
        if item.hint is None:
            return None
        self._state.hints = 1
        return item.hint

    def submit(self, text: str) -> Feedback:
        """One line typed for the current numeric item: `?` shows the hint, an empty line
        gives up, anything else is graded (see `answer`). The one place that rule lives."""
        typed = text.strip()
        if typed == "?":
            return Feedback("hint", done=False, hint=self.hint())
        if not typed:
            return self.give_up()
        return self.answer(typed)

    def answer(self, text: str) -> Feedback:
        """Grade a typed answer to the numeric item.

        Unreadable text (including a blank line) gives `unreadable` with a one-line reason:
        the item stays current and nothing is counted. Otherwise the answer is an attempt:
        `correct` finishes the item; `wrong` finishes it when no attempts are left.
        """
        item = self._item("answer")
        if not item.numeric or item.expected is None:
            raise SessionStateError("answer() is for numeric items")
        try:
            graded = grade(text, item.expected, item.tolerance)
        except AnswerError as error:
            return Feedback("unreadable", done=False, reason=str(error))
        self._state.attempts += 1
        if not graded.correct and self._state.attempts < self._attempts_per_step:
            return Feedback("wrong", done=False, value=graded.shown)
        summary = self._finish(item, correct=graded.correct, gave_up=False)
        return Feedback(
            "correct" if graded.correct else "wrong",
            done=True,
            expected=format_number(item.expected),
            value=graded.shown,
            explanation=item.explain,
            exercise=summary,
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

    def _finish(self, item: Item, *, correct: bool, gave_up: bool) -> ExerciseSummary | None:
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
