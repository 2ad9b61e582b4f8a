"""The session engine: item order, the event flow, accounting of attempts/hints/give-ups, score."""

from __future__ import annotations

import random
import subprocess
import sys
from typing import Any

import pytest

from studyapp.deck.loader import Library, load_library
from studyapp.deck.models import Deck, Exercise
from studyapp.errors import DataError
from studyapp.paths import builtin_library
from studyapp.session import (
    Item,
    Session,
    SessionStateError,
    items_for_practice,
    items_for_quiz,
)

from .conftest import REPO

DEPTH_ANSWERS = ["4", "6", "10", "16", "64", "1024", "4", "3"]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(builtin_library())


@pytest.fixture(scope="module")
def wavenet(library: Library) -> Deck:
    return library.deck("wavenet")


@pytest.fixture(scope="module")
def exercises(library: Library, wavenet: Deck) -> list[Exercise]:
    return library.exercises_of(wavenet)


def depth_session(wavenet: Deck, exercises: list[Exercise], **options: Any) -> Session:
    return Session(items_for_quiz(wavenet, exercises, exercise_id="wavenet-depth"), **options)


def small_deck() -> tuple[Deck, list[Exercise]]:
    deck = Deck.model_validate(
        {
            "id": "small",
            "title": "Small",
            "questions": [{"id": "q1", "prompt": "Why?", "answer": "Because."}],
            "cards": [
                {"id": "c1", "front": "Front one", "back": "Back one"},
                {"front": "Front two", "back": "Back two"},
            ],
            "exercises": ["ex"],
        }
    )
    ex = Exercise.model_validate(
        {
            "id": "ex",
            "title": "Ex",
            "setup": "Set up.",
            "outcome": "Done.",
            "steps": [
                {"id": "a", "prompt": "Levels for 16?", "answer": 4,
                 "calc": "levels_needed(context=16)", "hint": "2^k", "explain": "2^4 = 16."},
                {"id": "b", "prompt": "Half?", "answer": 0.5, "tolerance": 0.01},
            ],
            "practice": [
                {"id": "p", "prompt": "Levels for {c}?", "params": {"c": [8, 16, 32]},
                 "calc": "levels_needed(context={c})", "hint": "for {c}"},
            ],
        }
    )
    return deck, [ex]


# -- building items ---------------------------------------------------------------------


def test_deck_order_questions_cards_then_steps(wavenet: Deck, exercises: list[Exercise]) -> None:
    items = items_for_quiz(wavenet, exercises)
    kinds = [item.kind for item in items]
    assert kinds == ["question"] * 4 + ["card"] * 7 + ["step"] * (8 + 5)
    assert [i.item_id for i in items[:4]] == [q.key for q in wavenet.questions]
    assert [i.item_id for i in items[4:11]] == [c.key for c in wavenet.cards]
    assert items[11].item_id == "wavenet-depth/levels-16"
    assert items[11].identity == ("wavenet", "wavenet-depth/levels-16")
    assert [i.step_number for i in items[11:19]] == list(range(1, 9))
    assert [i.expected for i in items[11:19]] == [4, 6, 10, 16, 64, 1024, 4, 3]
    # The chained exercise follows, as written (its params at their first values).
    assert [i.item_id for i in items[19:]] == [
        f"wavenet-chain/{step}"
        for step in ("levels", "field", "flat-width", "fusion-in", "fusion-params")
    ]
    assert [i.expected for i in items[19:]] == [7, 128, 1280, 20, 1428]


def test_items_without_ids_get_derived_ids() -> None:
    deck, exercises = small_deck()
    items = items_for_quiz(deck, exercises)
    assert items[2].item_id == deck.cards[1].key
    assert items[2].item_id.startswith("auto-")


def test_only_one_exercise(wavenet: Deck, exercises: list[Exercise]) -> None:
    items = items_for_quiz(wavenet, exercises, exercise_id="wavenet-depth")
    assert [i.kind for i in items] == ["step"] * 8
    with pytest.raises(DataError, match="no exercise 'nope'"):
        items_for_quiz(wavenet, exercises, exercise_id="nope")


def test_shuffle_is_reproducible_and_keeps_exercises_whole(
    wavenet: Deck, exercises: list[Exercise]
) -> None:
    plain = items_for_quiz(wavenet, exercises)
    first = items_for_quiz(wavenet, exercises, shuffle=True, rng=random.Random(11))
    again = items_for_quiz(wavenet, exercises, shuffle=True, rng=random.Random(11))
    assert first == again
    assert sorted(i.item_id for i in first) == sorted(i.item_id for i in plain)
    orders = {
        tuple(i.item_id for i in items_for_quiz(wavenet, exercises, shuffle=True,
                                                 rng=random.Random(seed)))
        for seed in range(10)
    }
    assert len(orders) > 5
    for seed in range(10):
        shuffled = items_for_quiz(wavenet, exercises, shuffle=True, rng=random.Random(seed))
        for exercise in exercises:
            steps = [n for n, item in enumerate(shuffled) if item.exercise_id == exercise.id]
            count = len(exercise.steps)
            assert steps == list(range(steps[0], steps[0] + count))
            assert [shuffled[n].step_number for n in steps] == list(range(1, count + 1))


def test_step_is_graded_against_the_calculator() -> None:
    deck = Deck.model_validate({"id": "d", "title": "D", "exercises": ["e"]})
    ex = Exercise.model_validate(
        {"id": "e", "title": "E",
         "steps": [{"prompt": "Levels?", "answer": 999, "calc": "levels_needed(context=16)"}]}
    )
    # (The loader refuses this disagreement; the engine still trusts the calculator.)
    session = Session(items_for_quiz(deck, [ex]))
    assert session.answer("4").correct


def test_practice_items(wavenet: Deck, exercises: list[Exercise]) -> None:
    items = items_for_practice(wavenet, exercises, 6, rng=random.Random(2))
    assert len(items) == 6
    assert all(i.kind == "practice" and i.numeric for i in items)
    assert all(i.item_id.startswith("wavenet-depth/") for i in items)
    assert all(i.exercise is None and i.exercise_id == "wavenet-depth" for i in items)
    assert items == items_for_practice(wavenet, exercises, 6, rng=random.Random(2))


def test_practice_needs_templates() -> None:
    deck, exercises = small_deck()
    bare = exercises[0].model_copy(update={"practice": []})
    with pytest.raises(DataError, match="no practice templates"):
        items_for_practice(deck, [bare], 3, rng=random.Random(0))
    with pytest.raises(DataError, match="no exercise"):
        items_for_practice(deck, exercises, 3, exercise_id="other", rng=random.Random(0))


# -- the event flow ---------------------------------------------------------------------


def test_open_question_and_card_flow() -> None:
    deck, exercises = small_deck()
    session = Session(items_for_quiz(deck, exercises))
    prompt = session.current()
    assert prompt is not None
    assert (prompt.kind, prompt.text, prompt.position, prompt.total) == ("open", "Why?", 1, 5)
    assert not prompt.revealed and prompt.answer is None
    with pytest.raises(SessionStateError):
        session.self_grade(True)
    with pytest.raises(SessionStateError):
        session.answer("4")
    with pytest.raises(SessionStateError):
        session.hint()
    assert session.reveal() == "Because."
    prompt = session.current()
    assert prompt is not None and prompt.revealed and prompt.answer == "Because."
    feedback = session.self_grade(True)
    assert feedback.correct and feedback.done
    prompt = session.current()
    assert prompt is not None and (prompt.kind, prompt.text, prompt.position) == (
        "card", "Front one", 2)
    session.reveal()
    assert session.self_grade(False).status == "wrong"
    assert session.result().score == "1/2"


def test_numeric_flow_with_exercise_context() -> None:
    deck, exercises = small_deck()
    session = Session(items_for_quiz(deck, exercises, exercise_id="ex"))
    prompt = session.current()
    assert prompt is not None
    assert prompt.kind == "numeric" and prompt.starts_exercise and prompt.has_hint
    assert prompt.exercise is not None
    assert (prompt.exercise.title, prompt.exercise.setup, prompt.exercise.step_count) == (
        "Ex", "Set up.", 2)
    with pytest.raises(SessionStateError):
        session.reveal()
    feedback = session.answer("4 levels")
    assert feedback.correct and feedback.done
    assert (feedback.expected, feedback.value, feedback.explanation) == ("4", "4", "2^4 = 16.")
    assert feedback.exercise is None
    prompt = session.current()
    assert prompt is not None and not prompt.starts_exercise and not prompt.has_hint
    assert session.hint() is None
    feedback = session.answer("0.505")
    assert feedback.correct
    summary = feedback.exercise
    assert summary is not None
    assert (summary.right, summary.step_count, summary.outcome, summary.rating) == (
        2, 2, "Done.", "good")
    assert session.current() is None and session.finished


def test_wrong_answer_finishes_the_step_and_shows_the_expected_value(
    wavenet: Deck, exercises: list[Exercise]
) -> None:
    session = depth_session(wavenet, exercises, attempts_per_step=1)
    feedback = session.answer("5")
    assert feedback.status == "wrong" and feedback.done
    assert feedback.expected == "4" and feedback.value == "5"
    assert feedback.explanation is not None and "2^4 = 16" in feedback.explanation
    prompt = session.current()
    assert prompt is not None and prompt.position == 2
    outcome = session.result().outcomes[0]
    assert (outcome.correct, outcome.attempts, outcome.hints, outcome.gave_up) == (
        False, 1, 0, False)


@pytest.mark.parametrize("text", ["banana", "4 or 5", "", "   ", "levels 4", "1/0", "\x00"])
def test_unreadable_answers_are_not_counted(
    wavenet: Deck, exercises: list[Exercise], text: str
) -> None:
    session = depth_session(wavenet, exercises)
    feedback = session.answer(text)
    assert feedback.status == "unreadable" and not feedback.done
    assert feedback.reason and "\n" not in feedback.reason
    prompt = session.current()
    assert prompt is not None and prompt.position == 1 and prompt.attempts == 0
    assert session.result().asked == 0
    assert session.answer("4").correct
    assert session.result().outcomes[0].attempts == 1


def test_hints_are_counted_once_per_step(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    assert session.hint() == "Look for the `k` with 2^k = 16."
    assert session.hint() == "Look for the `k` with 2^k = 16."
    prompt = session.current()
    assert prompt is not None and prompt.hints == 1
    session.answer("4")
    outcome = session.result().outcomes[0]
    assert outcome.correct and outcome.hints == 1


def test_give_up(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    session.hint()
    feedback = session.give_up()
    assert feedback.status == "gave_up" and feedback.done and not feedback.correct
    assert feedback.expected == "4" and feedback.explanation
    outcome = session.result().outcomes[0]
    assert (outcome.correct, outcome.attempts, outcome.hints, outcome.gave_up) == (
        False, 0, 1, True)


def test_give_up_a_card() -> None:
    deck, exercises = small_deck()
    session = Session(items_for_quiz(deck, exercises))
    feedback = session.give_up()
    assert feedback.status == "gave_up" and feedback.expected is None
    assert session.result().outcomes[0].gave_up


def test_all_right_all_wrong_and_the_summary(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    for answer in DEPTH_ANSWERS:
        session.answer(answer)
    result = session.result()
    assert (result.correct, result.asked, result.total, result.score) == (8, 8, 8, "8/8")
    assert result.finished
    (summary,) = result.exercises
    assert (summary.exercise_id, summary.right, summary.attempts, summary.hints) == (
        "wavenet-depth", 8, 8, 0)
    assert summary.complete and summary.rating == "good"

    session = depth_session(wavenet, exercises)
    for _ in DEPTH_ANSWERS:
        session.answer("1")
        session.answer("1")  # every step gets two attempts
    result = session.result()
    assert result.score == "0/8"
    assert result.exercises[0].rating == "again"


def test_exercise_rating_hard_with_hints(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    session.hint()
    for answer in DEPTH_ANSWERS:
        session.answer(answer)
    summary = session.result().exercises[0]
    assert (summary.right, summary.hints, summary.rating) == (8, 1, "hard")


def test_exercise_rating_again_with_a_give_up(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    session.give_up()
    for answer in DEPTH_ANSWERS[1:]:
        session.answer(answer)
    summary = session.result().exercises[0]
    assert (summary.right, summary.gave_up, summary.rating) == (7, 1, "again")
    assert session.result().score == "7/8"


def test_retries_when_allowed(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises, attempts_per_step=2)
    feedback = session.answer("5")
    assert feedback.status == "wrong" and not feedback.done and feedback.expected is None
    prompt = session.current()
    assert prompt is not None and prompt.position == 1 and prompt.attempts == 1
    assert session.answer("4").correct
    for answer in DEPTH_ANSWERS[1:]:
        session.answer(answer)
    result = session.result()
    assert result.outcomes[0].attempts == 2
    summary = result.exercises[0]
    assert (summary.right, summary.attempts, summary.rating) == (8, 9, "hard")
    # Two wrong answers finish the step.
    session = depth_session(wavenet, exercises, attempts_per_step=2)
    session.answer("5")
    feedback = session.answer("6")
    assert feedback.done and feedback.expected == "4"
    with pytest.raises(ValueError):
        Session([], attempts_per_step=0)


def test_unfinished_item_is_not_counted(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = Session(items_for_quiz(wavenet, exercises))
    session.reveal()
    session.self_grade(True)
    session.reveal()  # revealed, but input ended before the self-grade
    result = session.result()
    assert (result.score, result.total, result.finished) == ("1/1", 4 + 7 + 8 + 5, False)


def test_partial_exercise_has_no_rating(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    session.answer("4")
    summary = session.result().exercises[0]
    assert (summary.asked, summary.complete, summary.rating) == (1, False, None)


def test_the_session_is_over(wavenet: Deck, exercises: list[Exercise]) -> None:
    session = depth_session(wavenet, exercises)
    for answer in DEPTH_ANSWERS:
        session.answer(answer)
    assert session.current() is None
    for event in (session.give_up, session.hint, session.reveal):
        with pytest.raises(SessionStateError):
            event()
    with pytest.raises(SessionStateError):
        session.answer("4")


def test_empty_session() -> None:
    session = Session([])
    assert session.current() is None
    assert session.result().score == "0/0"


def test_item_identity() -> None:
    item = Item("card", "deck", "c1", "Front", back="Back")
    assert item.identity == ("deck", "c1") and not item.numeric


def test_session_never_touches_the_schedule_or_the_ui() -> None:
    code = (
        "import sys, studyapp.session, studyapp.practice\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'sqlite3', 'fsrs')\n"
        "       or m in ('studyapp.store', 'studyapp.schedule', 'studyapp.tui')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == "[]"
