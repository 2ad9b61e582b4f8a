"""The review engine (studyapp.review.ReviewEngine) on a real store with a controlled clock:
the queue with learning steps, previews that are what a rating saves, siblings, bury,
suspend, undo (inside exercises too) and the session summary."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.deck.loader import load_library
from studyapp.review import ReviewEngine, ReviewItem, review_items, saved_interval
from studyapp.schedule import Phase, Rating
from studyapp.store import ReviewStore

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DECK = "mini"

DECK_YAML = """\
id: mini
title: Mini
questions:
  - id: q-flat
    prompt: How does the flat model mix its context?
    answer: All at once.
    fact: flat
cards:
  - id: c-flat
    front: Flat model weakness?
    back: Mixes everything in one layer.
    fact: flat
  - id: c-one
    front: One?
    back: Uno.
  - id: c-two
    front: Two?
    back: Dos.
exercises: [tiny]
"""

EXERCISE_YAML = """\
id: tiny
title: Tiny exercise
steps:
  - id: a
    prompt: Levels for 16 characters?
    answer: 4
    calc: levels_needed(context=16)
    hint: 2^4 = 16.
  - id: b
    prompt: Levels for 64 characters?
    answer: 6
    calc: levels_needed(context=64)
  - id: c
    prompt: Levels for 1024 characters?
    answer: 10
    calc: levels_needed(context=1024)
"""

CARDS_ONLY = """\
id: mini
title: Mini
cards:
  - {id: one, front: One?, back: Uno.}
  - {id: two, front: Two?, back: Dos.}
  - {id: three, front: Three?, back: Tres.}
"""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def write_library(root: Path, deck: str = DECK_YAML, exercise: str | None = EXERCISE_YAML) -> Path:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "mini.yaml").write_text(deck, encoding="utf-8")
    if exercise is not None:
        (root / "exercises").mkdir()
        (root / "exercises" / "tiny.yaml").write_text(exercise, encoding="utf-8")
    return root


def items_of(root: Path) -> list[ReviewItem]:
    library = load_library(root)
    deck = library.deck(DECK)
    return review_items(deck, library.exercises_of(deck))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[ReviewStore]:
    with ReviewStore.open(tmp_path / "data", now=clock(), tz=UTC) as opened:
        yield opened


def engine_for(
    store: ReviewStore, items: list[ReviewItem], clock: Clock, **kwargs: object
) -> ReviewEngine:
    return ReviewEngine(store, DECK, items, clock, **kwargs)  # type: ignore[arg-type]


def current_id(engine: ReviewEngine) -> str | None:
    view = engine.view()
    return None if view.item is None else view.item.identity.item_id


def rate_current(engine: ReviewEngine, rating: int) -> str:
    """Reveal and rate the current card; returns its item id."""
    item_id = current_id(engine)
    assert item_id is not None
    assert engine.line("").what == "revealed"
    event = engine.line(str(rating))
    assert event.what == "saved", event
    return item_id


# -- the queue and learning steps -------------------------------------------------------


def test_a_card_rated_again_comes_back_in_the_same_session(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock)
    assert rate_current(engine, 1) == "one"
    clock.advance(seconds=20)
    assert rate_current(engine, 3) == "two"
    clock.advance(seconds=20)
    assert rate_current(engine, 3) == "three"
    # Nothing else is left: "one" (due a minute after it was rated) is shown early.
    view = engine.view()
    assert view.item is not None and view.item.identity.item_id == "one"
    assert view.again
    assert not engine.finished


def test_new_cards_rated_good_are_shown_twice_then_graduate(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock)
    shown: list[str] = []
    while not engine.finished:
        shown.append(rate_current(engine, 3))
        clock.advance(seconds=30)
        assert len(shown) < 20, shown
    assert sorted(shown) == sorted(["one", "two", "three"] * 2)
    assert shown[:3] == ["one", "two", "three"]
    for item_id in ("one", "two", "three"):
        state = store.state(items[0].identity._replace(item_id=item_id))
        assert state is not None and state.phase == Phase.REVIEW
    summary = engine.summary()
    assert summary.reviewed == 6 == store.review_count(DECK)
    assert summary.graduated == 3
    assert summary.by_rating[Rating.GOOD] == 6
    assert summary.learning == 0
    assert summary.next_due is not None and summary.next_due > clock.now + timedelta(hours=12)


def test_learning_items_beyond_the_learn_ahead_limit_end_the_session(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock, learn_ahead=timedelta(minutes=5))
    for _ in range(3):
        rate_current(engine, 3)  # each to its 10-minute step
    assert engine.finished
    summary = engine.summary()
    assert summary.learning == 3
    assert summary.next_due == clock.now + timedelta(minutes=10)
    # Ten minutes later a new session shows them again.
    clock.advance(minutes=10)
    again = engine_for(store, items, clock)
    assert current_id(again) == "one"


def test_time_spent_is_counted_per_item_and_capped(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock)
    clock.advance(seconds=7)
    rate_current(engine, 4)
    clock.advance(hours=3)  # walked away
    rate_current(engine, 4)
    assert engine.summary().time_spent == timedelta(seconds=7) + timedelta(minutes=10)


# -- previews are the truth -------------------------------------------------------------


def test_the_interval_shown_is_the_interval_saved_in_1000_random_cases(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    rng = random.Random(20261201)
    deck = "id: mini\ntitle: Mini\ncards:\n" + "".join(
        f"  - {{id: card-{n}, front: Front {n}?, back: Back {n}.}}\n" for n in range(25)
    )
    items = items_of(write_library(tmp_path / "lib", deck, None))
    cases = 0
    while cases < 1000:
        engine = engine_for(store, items, clock, new_limit=25)
        while not engine.finished and cases < 1000:
            assert engine.line("").what == "revealed"
            shown = {c.rating: c.interval for c in engine.view().choices}
            clock.advance(seconds=rng.uniform(0, 90))  # thinking before rating
            rating = Rating(rng.choice([1, 2, 3, 3, 3, 4]))
            event = engine.line(str(int(rating)))
            assert event.result is not None
            assert saved_interval(event.result) == shown[rating], (cases, rating)
            cases += 1
            clock.advance(seconds=rng.uniform(0, 30))
        clock.advance(days=rng.choice([1, 2, 3, 7, 30]), hours=rng.uniform(0, 23))


# -- siblings, bury, suspend ------------------------------------------------------------


def test_a_reviewed_item_buries_its_siblings_until_the_next_day(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib"))
    engine = engine_for(store, items, clock)
    assert rate_current(engine, 4) == "q-flat"  # easy: straight to review, days away
    assert current_id(engine) == "c-one"  # c-flat, its sibling, is buried
    assert engine.summary().buried == 1
    later = engine_for(store, items, clock)  # a new session the same day: still buried
    assert "c-flat" not in {current_id(later)}
    clock.advance(days=1)
    tomorrow = engine_for(store, items, clock)
    assert current_id(tomorrow) == "c-flat"


def test_undoing_the_review_unburies_the_sibling(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib"))
    engine = engine_for(store, items, clock)
    rate_current(engine, 4)
    assert engine.summary().buried == 1
    assert engine.line("u").what == "undone"
    assert current_id(engine) == "q-flat"
    assert engine.summary().buried == 0
    rate_current(engine, 1)  # forgotten this time... still buries its sibling for today
    assert current_id(engine) == "c-one"


def test_bury_and_suspend_survive_a_restart_and_undo(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock)
    assert engine.line("b").what == "held"  # one: buried until tomorrow
    assert engine.line("s").what == "held"  # two: suspended
    assert current_id(engine) == "three"
    restarted = engine_for(store, items, clock)
    assert current_id(restarted) == "three"
    assert {h.identity.item_id: h.kind for h in store.holds(clock())} == {
        "one": "bury", "two": "suspend",
    }
    clock.advance(days=1)
    next_day = engine_for(store, items, clock)
    assert current_id(next_day) == "one"  # the bury ended; two stays suspended
    assert engine.line("u").what == "undone"  # undo the suspend (in the first session)
    assert current_id(engine) == "two"
    assert store.holds(clock()) == []


# -- exercises and undo -----------------------------------------------------------------


def exercise_engine(tmp_path: Path, store: ReviewStore, clock: Clock) -> ReviewEngine:
    items = items_of(write_library(tmp_path / "lib"))
    exercise_only = [i for i in items if i.is_exercise or i.identity.item_id == "c-one"]
    return engine_for(store, exercise_only, clock)


def test_an_exercise_is_rated_from_its_steps(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    engine = exercise_engine(tmp_path, store, clock)
    rate_current(engine, 4)
    assert engine.view().phase == "step"
    assert engine.line("4").feedback is not None
    assert engine.line("6").what == "step"
    event = engine.line("10")
    assert event.result is not None and event.result.rating == Rating.GOOD
    view = engine.view()
    assert view.phase == "exercise_done" and view.saved == event.result
    assert view.summary is not None and view.summary.right == 3
    assert engine.line("").what == "proceeded"
    # New, it took its first learning step (10 minutes): it comes back, early, at the end.
    again = engine.view()
    assert again.phase == "step" and again.again and again.item == view.item
    assert again.step is not None and again.step.item.step_id == "a"


def test_a_hint_makes_a_right_exercise_hard_and_a_give_up_makes_it_again(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    engine = exercise_engine(tmp_path, store, clock)
    rate_current(engine, 4)
    hint = engine.line("?")
    assert hint.feedback is not None and hint.feedback.status == "hint"
    engine.line("4")
    engine.line("6")
    assert engine.line("10").result.rating == Rating.HARD  # type: ignore[union-attr]
    assert engine.line("u").what == "undone"
    view = engine.view()
    assert view.phase == "step" and view.step is not None and view.step.item.step_id == "c"
    assert engine.line("").result.rating == Rating.AGAIN  # type: ignore[union-attr]


def test_undo_inside_an_exercise_takes_back_the_card_and_keeps_the_exercise(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    engine = exercise_engine(tmp_path, store, clock)
    rate_current(engine, 4)
    engine.line("4")
    engine.line("6")  # now at step c
    assert engine.line("u").what == "undone"
    assert current_id(engine) == "c-one" and engine.view().phase == "front"
    assert store.review_count(DECK) == 0
    rate_current(engine, 4)
    view = engine.view()
    assert view.phase == "step" and view.step is not None
    assert view.step.item.step_id == "c"  # resumed where it was
    assert engine.line("10").result.rating == Rating.GOOD  # type: ignore[union-attr]


# -- input -------------------------------------------------------------------------------


def test_lines_mean_what_the_phase_says(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    items = items_of(write_library(tmp_path / "lib", CARDS_ONLY, None))
    engine = engine_for(store, items, clock)
    assert engine.line("u").what == "nothing_to_undo"
    assert engine.line("my guess").what == "revealed"  # any line reveals
    invalid = engine.line("5")
    assert invalid.what == "invalid" and invalid.message is not None
    assert "1, 2, 3 or 4" in invalid.message
    assert engine.view().phase == "back"
    assert engine.line(" 2 ").what == "saved"
    assert engine.allowed("undo") and not engine.allowed("rate")


def test_undo_of_an_exercise_while_it_is_back_restores_its_last_step_once(
    tmp_path: Path, store: ReviewStore, clock: Clock
) -> None:
    engine = exercise_engine(tmp_path, store, clock)
    rate_current(engine, 4)
    for answer in ("4", "6", "10"):
        engine.line(answer)
    engine.line("")  # move on: the new exercise comes back from its learning step
    assert engine.view().again
    engine.line("4")  # its second showing, step a answered
    assert engine.line("u").what == "undone"
    assert store.review_count(DECK) == 1  # only the card's rating is left
    view = engine.view()
    assert view.phase == "step" and view.step is not None and view.step.item.step_id == "c"
    assert engine.line("10").result is not None
    engine.line("")
    # Shown again once (its learning step), from the first step: never twice at once.
    again = engine.view()
    assert again.again and again.step is not None and again.step.item.step_id == "a"
    for answer in ("4", "6", "10"):
        engine.line(answer)
    engine.line("")
    assert engine.finished
