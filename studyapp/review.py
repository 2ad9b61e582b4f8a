"""The review flow shared by `review --plain` and the TUI: queue, rating, undo; no UI.

A review item is a question, a card or a whole exercise. Questions and cards are shown,
revealed and rated 1–4. An exercise is walked step by step with the quiz engine
(`studyapp.session`) and rated from how it went. Every rating is committed by the store
before `ReviewSession` moves to the next item.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from studyapp.counts import DEFAULT_NEW_LIMIT
from studyapp.deck.models import Deck, Exercise
from studyapp.schedule import Rating, format_interval
from studyapp.session import ExerciseSummary, Session, SessionResult, exercise_items
from studyapp.store import Identity, QuizAnswer, ReviewResult, ReviewStore

ReviewKind = Literal["question", "card", "exercise"]
EXERCISE_PREFIX = "exercise:"
"""Item ids of whole exercises in review: `exercise:<exercise id>`."""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One thing to review, with its identity in the store."""

    identity: Identity
    kind: ReviewKind
    front: str
    """The question's prompt, the card's front, or the exercise's title."""
    back: str | None
    """The question's answer or the card's back (None for exercises)."""
    tags: tuple[str, ...] = ()
    exercise: Exercise | None = None


def review_items(deck: Deck, exercises: Sequence[Exercise]) -> list[ReviewItem]:
    """The deck's review items in deck order: questions, cards, then whole exercises."""
    items = [
        ReviewItem(Identity(deck.id, q.key), "question", q.prompt, q.answer, tuple(q.tags))
        for q in deck.questions
    ]
    items += [
        ReviewItem(Identity(deck.id, c.key), "card", c.front, c.back, tuple(c.tags))
        for c in deck.cards
    ]
    items += [
        ReviewItem(
            Identity(deck.id, EXERCISE_PREFIX + e.id), "exercise", e.title, None,
            tuple(e.tags), exercise=e,
        )
        for e in exercises
    ]
    return items


def exercise_rating(summary: ExerciseSummary) -> Rating:
    """Rate a finished exercise: all right first try → good; right with hints or retries →
    hard; any step missed or given up → again."""
    verdict = summary.rating
    if verdict == "good":
        return Rating.GOOD
    if verdict == "hard":
        return Rating.HARD
    return Rating.AGAIN


class ReviewSession:
    """The due queue of one deck, consumed one rating at a time.

    `current()` is the item to show; `rate()` (questions, cards) or `rate_exercise()`
    (exercises, after walking `exercise_session()`) commits the rating and moves on;
    `undo()` takes back this session's last rating and puts that item first again (never a
    rating made by another session, e.g. another process reviewing the same deck).
    """

    def __init__(
        self,
        store: ReviewStore,
        deck_id: str,
        items: Sequence[ReviewItem],
        clock: Callable[[], datetime],
        *,
        new_limit: int = DEFAULT_NEW_LIMIT,
    ) -> None:
        self.store = store
        self.deck_id = deck_id
        self.clock = clock
        self._by_identity = {item.identity: item for item in items}
        identities = [item.identity for item in items]
        self._queue = [
            self._by_identity[i] for i in store.due_items(deck_id, clock(), identities, new_limit)
        ]
        self.total = len(self._queue)
        self.reviewed = 0
        self._history: list[tuple[ReviewItem, int]] = []
        """This session's ratings not undone: (item, review id), oldest first."""

    def current(self) -> ReviewItem | None:
        """The item to show now, or None when nothing is due."""
        return self._queue[0] if self._queue else None

    @property
    def position(self) -> int:
        """1-based number of the current item among this session's items."""
        return self.reviewed + 1

    @property
    def remaining(self) -> int:
        return len(self._queue)

    def previews(self) -> dict[Rating, str]:
        """The next interval for each rating of the current item, e.g. {GOOD: "10m"}."""
        item = self._require()
        intervals = self.store.preview(item.identity, self.clock())
        return {rating: format_interval(intervals[rating]) for rating in Rating}

    def rate(self, rating: Rating | int, duration_ms: int | None = None) -> ReviewResult:
        """Commit a rating for the current question or card; then the next item is current."""
        item = self._require()
        result = self.store.record_review(
            item.identity, item.kind, Rating(rating), self.clock(), duration_ms
        )
        self._advance(item, result.review_id)
        return result

    def exercise_session(self) -> Session:
        """A quiz-engine session over the current exercise's steps."""
        item = self._require()
        if item.exercise is None:
            raise ValueError("the current review item is not an exercise")
        return Session(exercise_items(self.deck_id, item.exercise))

    def rate_exercise(
        self, summary: ExerciseSummary, duration_ms: int | None = None
    ) -> ReviewResult:
        """Commit the rating a finished exercise earned."""
        return self.rate(exercise_rating(summary), duration_ms)

    def undo(self) -> ReviewItem | None:
        """Undo this session's last rating; that item becomes current again. None if there is
        nothing to undo, or if another session has reviewed that item since (undoing would
        throw its rating away)."""
        if not self._history:
            return None
        item, review_id = self._history[-1]
        if self.store.undo_review(review_id) is None:
            return None
        self._history.pop()
        self.reviewed -= 1
        if item in self._queue:
            self._queue.remove(item)
        self._queue.insert(0, item)
        return item

    def _require(self) -> ReviewItem:
        item = self.current()
        if item is None:
            raise ValueError("nothing is due")
        return item

    def _advance(self, item: ReviewItem, review_id: int) -> None:
        self._queue.pop(0)
        self._history.append((item, review_id))
        self.reviewed += 1


def keep_quiz_history(store: ReviewStore, result: SessionResult, now: datetime) -> None:
    """Record a finished quiz's answers for history; quizzes never change the schedule."""
    if not result.outcomes:
        return
    answers = [QuizAnswer(Identity(o.deck_id, o.item_id), o.correct, now) for o in result.outcomes]
    store.record_quiz(uuid.uuid4().hex, answers)
