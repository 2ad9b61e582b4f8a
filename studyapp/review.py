"""The review engine: one spaced-repetition session of a deck, for every face; no UI.

`ReviewEngine` owns the whole interaction, so `review --plain` and the TUI only render its
`view()` and forward what the learner typed or pressed:

* the queue: learning and relearning items that are due, then the session's reviews and new
  items, then (when nothing else is left) learning items due within the learn-ahead limit;
  the session ends when nothing is due within that limit;
* reveal state and what a line means (`line`): on a front any line reveals, on a back
  `1`–`4` rate, in an exercise the line goes to the step (`?` hint, empty gives up); `u`
  undoes, `b` buries until tomorrow, `s` suspends, on any line;
* the rating of a whole exercise (`ExerciseSummary.rating`), committed when its last step is
  done; elapsed time per item; siblings buried for the study day once one is reviewed;
* undo of ratings and holds, restoring a half-done exercise at the step it was at.

Every rating is committed by the store before the engine moves on. The intervals shown
beside the ratings are the ones that rating saves (`ReviewStore.plan`).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from studyapp.counts import DEFAULT_NEW_LIMIT, buried_by_siblings
from studyapp.deck.items import deck_items
from studyapp.deck.models import Deck, Exercise
from studyapp.errors import StudyappError
from studyapp.schedule import Phase, Rating, format_interval
from studyapp.session import ExerciseSummary, Feedback, Prompt, Session, SessionResult
from studyapp.session import exercise_items as _exercise_steps
from studyapp.store import Identity, QuizAnswer, ReviewPlan, ReviewResult, ReviewStore

if TYPE_CHECKING:
    from studyapp.deck.loader import Library

ReviewKind = Literal["question", "card", "reverse", "cloze", "exercise"]
EXERCISE_PREFIX = "exercise:"
"""Item ids of whole exercises in review: `exercise:<exercise id>`."""

RATING_NAMES: dict[Rating, str] = {
    Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good", Rating.EASY: "easy",
}
_VERDICTS: dict[str, Rating] = {"good": Rating.GOOD, "hard": Rating.HARD, "again": Rating.AGAIN}

DEFAULT_LEARN_AHEAD = timedelta(minutes=20)
MAX_ANSWER_TIME = timedelta(minutes=10)
"""Time spent on one item is counted up to this (a learner who walked away did not study)."""

UNDO, BURY, SUSPEND = "u", "b", "s"
"""The command lines every phase understands."""


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One thing to review, with its identity in the store."""

    identity: Identity
    kind: ReviewKind
    front: str
    """Markdown shown first: a prompt, a front, a cloze with its deletion hidden, a reversed
    card's back, or an exercise's title."""
    back: str | None
    """Markdown revealed (None for exercises)."""
    tags: tuple[str, ...] = ()
    exercise: Exercise | None = None
    sibling: str = ""
    """Items of a deck with the same sibling key are buried for the day once one is reviewed."""

    @property
    def is_exercise(self) -> bool:
        return self.exercise is not None


def review_items(deck: Deck, exercises: Sequence[Exercise]) -> list[ReviewItem]:
    """The deck's review items in deck order: questions, cards (with their reversed and cloze
    items), then whole exercises."""
    items = [
        ReviewItem(
            Identity(deck.id, item.item_id), item.kind, item.front, item.back, item.tags,
            sibling=item.sibling,
        )
        for item in deck_items(deck)
    ]
    items += [
        ReviewItem(
            Identity(deck.id, EXERCISE_PREFIX + e.id), "exercise", e.title, None,
            tuple(e.tags), exercise=e, sibling=f"exercise:{e.id}",
        )
        for e in exercises
    ]
    return items


# -- what a face renders ---------------------------------------------------------------

ViewPhase = Literal["front", "back", "step", "exercise_done", "done"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One rating a learner can give, with the interval it saves."""

    rating: Rating
    name: str
    interval: str


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """How the session went: shown at its end by both faces."""

    by_rating: dict[Rating, int]
    """This session's ratings that were not undone."""
    reviewed: int
    items: int
    """Distinct items those ratings were for (a card that came back counts once)."""
    time_spent: timedelta
    graduated: int
    """Items this session moved from new or (re)learning into the review phase."""
    learning: int
    """Items still in a learning step when the session ended."""
    next_due: datetime | None
    """When the deck's next item is due (None: nothing is scheduled)."""
    buried: int
    """Items left out today because a sibling was reviewed, or buried by the learner."""


@dataclass(frozen=True, slots=True)
class ReviewView:
    """The engine's state, for rendering."""

    phase: ViewPhase
    item: ReviewItem | None
    position: int
    """1-based number of the current item among this session's items."""
    total: int
    """Items this session has shown plus those still queued (grows when a card comes back)."""
    again: bool = False
    """The current item is a learning or relearning item coming back."""
    choices: tuple[Choice, ...] = ()
    """On a back: each rating with the interval it saves."""
    step: Prompt | None = None
    """In an exercise: the current step."""
    exercise: Session | None = None
    """In an exercise (or just after it): the session over its steps."""
    saved: ReviewResult | None = None
    """After an exercise: the rating it earned, already on disk."""
    summary: ExerciseSummary | None = None
    """After an exercise: how its steps went."""


EventKind = Literal[
    "revealed", "saved", "step", "undone", "nothing_to_undo", "held", "invalid", "ignored",
    "proceeded",
]


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """What one input did, for the face to show."""

    what: EventKind
    item: ReviewItem | None = None
    """The item the event concerns (the rated, undone or held one)."""
    result: ReviewResult | None = None
    """For `saved`: what is on disk now."""
    feedback: Feedback | None = None
    """For `step`: the exercise step's feedback."""
    message: str | None = None
    """For `invalid`: one line saying what is expected; for `held`: what was done."""


def saved_interval(result: ReviewResult) -> str:
    """The interval a saved rating gave, written as in the rating choices."""
    return format_interval(max(result.after.due - result.reviewed_at, timedelta(0)))


# -- the engine ------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One undoable action of this session."""

    kind: Literal["review", "hold"]
    item: ReviewItem
    ref: int
    """The review id or the hold id."""
    result: ReviewResult | None = None
    duration: timedelta = timedelta(0)
    exercise: Session | None = None
    """For an exercise: its session as it was before the action (restored by undo)."""


@dataclass(slots=True)
class _Shown:
    """The current item and its state."""

    item: ReviewItem
    since: datetime
    again: bool = False
    revealed: bool = False
    exercise: Session | None = None
    plans: dict[Rating, ReviewPlan] = field(default_factory=dict)
    exercise_result: ReviewResult | None = None
    before_last_step: Session | None = None


class ReviewEngine:
    """The review session of one deck at the store's clock."""

    def __init__(
        self,
        store: ReviewStore,
        deck_id: str,
        items: Sequence[ReviewItem],
        clock: Callable[[], datetime],
        *,
        new_limit: int = DEFAULT_NEW_LIMIT,
        learn_ahead: timedelta = DEFAULT_LEARN_AHEAD,
    ) -> None:
        self.store = store
        self.deck_id = deck_id
        self.clock = clock
        self.learn_ahead = learn_ahead
        self.new_limit = new_limit
        self._items = list(items)
        self._by_id = {item.identity.item_id: item for item in items}
        self._group_of = {item.identity.item_id: item.sibling for item in items}
        self._siblings: dict[str, list[str]] = {}
        for item in items:
            self._siblings.setdefault(item.sibling, []).append(item.identity.item_id)
        self._history: list[_Entry] = []
        self._held: set[str] = set()
        self._paused: dict[str, Session] = {}
        """Exercises left half done (by an undo): resumed where they were."""
        self._first: list[ReviewItem] = []
        """Items to show before anything else (an undone one)."""
        self._finished = 0
        now = clock()
        self._reviewed_today = self._load_reviewed_today(now)
        queue = store.due_items(
            deck_id, now, [item.identity for item in items], new_limit,
            exclude=self._buried_ids(),
        )
        self._queue = [self._by_id[i.item_id] for i in queue]
        # Due items (and today's new ones) before burying: the summary counts what was buried.
        self._initial = {
            i.item_id
            for i in store.due_items(deck_id, now, [item.identity for item in items], new_limit)
        }
        self._pending: dict[str, datetime] = {
            ident.item_id: due
            for ident, due in store.learning_items(deck_id, now, now + timedelta(days=1))
            if ident.item_id in self._by_id
        }
        self._shown: _Shown | None = None
        self._pick()

    # -- reading the state -------------------------------------------------------------

    def view(self) -> ReviewView:
        """What to show now."""
        shown = self._shown
        if shown is None:
            return ReviewView("done", None, self._finished, self._finished)
        position, total = self._finished + 1, self._finished + 1 + self._waiting()
        if shown.exercise_result is not None:
            assert shown.exercise is not None
            return ReviewView(
                "exercise_done", shown.item, position, total, again=shown.again,
                exercise=shown.exercise, saved=shown.exercise_result,
                summary=_only_summary(shown.exercise.result()),
            )
        if shown.exercise is not None:
            return ReviewView(
                "step", shown.item, position, total, again=shown.again,
                step=shown.exercise.current(), exercise=shown.exercise,
            )
        if shown.revealed:
            return ReviewView("back", shown.item, position, total, again=shown.again,
                              choices=self._choices(shown))
        return ReviewView("front", shown.item, position, total, again=shown.again)

    def due_now(self) -> int:
        """Items that can be shown now: the current one, the queue, and learning items that
        are due (not those that come back later in the session)."""
        if self._shown is None:
            return 0
        buried = self._buried_ids()
        now = self.clock()
        queued = {
            i.identity.item_id for i in self._queue
            if i.identity.item_id not in buried and i.identity.item_id not in self._held
        }
        queued |= {i.identity.item_id for i in self._first}
        queued |= {ident for ident, due in self._pending.items() if due <= now}
        queued.add(self._shown.item.identity.item_id)
        return len(queued)

    def unsaved_steps(self) -> int:
        """Steps answered in the exercise on screen, not saved until its last step: what
        leaving now would lose (0 for anything else; every rating is saved already)."""
        shown = self._shown
        if shown is None or shown.exercise is None or shown.exercise_result is not None:
            return 0
        return shown.exercise.result().asked

    @property
    def finished(self) -> bool:
        """Nothing is due within the learn-ahead limit: the session is over."""
        return self._shown is None

    @property
    def reviewed(self) -> int:
        """This session's ratings that were not undone."""
        return sum(1 for entry in self._history if entry.kind == "review")

    def _phase(self) -> ViewPhase:
        shown = self._shown
        if shown is None:
            return "done"
        if shown.exercise_result is not None:
            return "exercise_done"
        if shown.exercise is not None:
            return "step"
        return "back" if shown.revealed else "front"

    def allowed(self, action: str) -> bool:
        """Whether an action fits now (the TUI shows only these keys). Cheap: the footer
        asks for every key on every refresh."""
        phase = self._phase()
        if action == "primary":
            return phase in ("front", "exercise_done")
        if action == "reveal":
            return phase == "front"
        if action == "rate":
            return phase == "back"
        if action == "proceed":
            return phase == "exercise_done"
        if action in ("bury", "suspend"):
            return phase in ("front", "back", "step")
        if action == "undo":
            return bool(self._history)
        return True

    def summary(self) -> ReviewSummary:
        """The session so far (ratings not undone)."""
        reviews = [e for e in self._history if e.kind == "review" and e.result is not None]
        by_rating = dict.fromkeys(Rating, 0)
        graduated = 0
        for entry in reviews:
            assert entry.result is not None
            by_rating[entry.result.rating] += 1
            before = entry.result.before
            if entry.result.after.phase == Phase.REVIEW and (
                before is None or before.phase != Phase.REVIEW
            ):
                graduated += 1
        return ReviewSummary(
            by_rating=by_rating,
            reviewed=len(reviews),
            items=len({e.item.identity for e in reviews}),
            time_spent=sum((e.duration for e in reviews), timedelta(0)),
            graduated=graduated,
            learning=len(self._pending),
            next_due=self._next_due(),
            buried=len(self._held) + len(self._buried_ids() & self._initial),
        )

    # -- input -------------------------------------------------------------------------

    def line(self, text: str) -> ReviewEvent:
        """One line typed by the learner (plain mode), interpreted for the current phase."""
        command = text.strip().lower()
        if command == UNDO:
            return self.undo()
        phase = self._phase()
        item = self._shown.item if self._shown is not None else None
        if phase == "done":
            return ReviewEvent("ignored")
        if command in (BURY, SUSPEND) and phase != "exercise_done":
            return self.hold("bury" if command == BURY else "suspend")
        if phase == "front":
            return self.reveal()
        if phase == "back":
            if command in ("1", "2", "3", "4"):
                return self.rate(int(command))
            return ReviewEvent(
                "invalid", item,
                message="answer 1, 2, 3 or 4 (u undoes the last rating, b buries, s suspends)",
            )
        if phase == "step":
            return self.answer(text)
        return self.proceed()

    def primary(self) -> ReviewEvent:
        """The main key (space in the TUI): reveal a front, or move on from a finished
        exercise."""
        phase = self._phase()
        if phase == "front":
            return self.reveal()
        if phase == "exercise_done":
            return self.proceed()
        return ReviewEvent("ignored")

    def reveal(self) -> ReviewEvent:
        """Show the answer of the current question or card; the ratings come next."""
        shown = self._shown
        if shown is None or shown.exercise is not None or shown.revealed:
            return ReviewEvent("ignored")
        shown.revealed = True
        shown.plans = self.store.plan(shown.item.identity, self.clock())
        return ReviewEvent("revealed", shown.item)

    def rate(self, rating: Rating | int) -> ReviewEvent:
        """Commit a rating of the revealed question or card (the interval previewed)."""
        shown = self._shown
        if shown is None or shown.exercise is not None or not shown.revealed:
            return ReviewEvent("ignored")
        grade = Rating(rating)
        return self._commit(shown, grade, shown.plans.get(grade))

    def answer(self, text: str) -> ReviewEvent:
        """A line for the current exercise step (`?` hint, empty gives up, else graded).

        When it finishes the exercise's last step, the exercise's rating is committed before
        this returns; the view is then `exercise_done` until `proceed()`.
        """
        shown = self._shown
        if shown is None or shown.exercise is None or shown.exercise_result is not None:
            return ReviewEvent("ignored")
        session = shown.exercise
        before = copy.deepcopy(session)
        feedback = session.submit(text)
        if feedback.exercise is None or not feedback.done:
            return ReviewEvent("step", shown.item, feedback=feedback)
        shown.before_last_step = before
        summary = feedback.exercise
        verdict = summary.rating
        assert verdict is not None
        grade = _VERDICTS[verdict]
        try:
            plan = self.store.plan(shown.item.identity, self.clock())
            event = self._commit(shown, grade, plan.get(grade))
        except StudyappError:
            shown.exercise = before  # not saved: the learner can answer the step again
            raise
        return ReviewEvent("step", shown.item, result=event.result, feedback=feedback)

    def proceed(self) -> ReviewEvent:
        """Move on from a finished exercise to the next item."""
        shown = self._shown
        if shown is None or shown.exercise_result is None:
            return ReviewEvent("ignored")
        self._finish()
        return ReviewEvent("proceeded")

    def hold(self, kind: Literal["bury", "suspend"]) -> ReviewEvent:
        """Bury the current item until the next study day, or suspend it until unsuspended."""
        shown = self._shown
        if shown is None or shown.exercise_result is not None:
            return ReviewEvent("ignored")
        hold_id = self.store.hold(shown.item.identity, kind, self.clock())
        self._history.append(_Entry("hold", shown.item, hold_id,
                                    exercise=copy.deepcopy(shown.exercise)))
        self._held.add(shown.item.identity.item_id)
        self._pending.pop(shown.item.identity.item_id, None)
        self._shown = None
        self._finished += 1
        self._pick()
        word = "buried until tomorrow" if kind == "bury" else "suspended until unsuspended"
        return ReviewEvent("held", shown.item, message=word)

    def undo(self) -> ReviewEvent:
        """Take back this session's last rating or hold: that item is shown again as it was
        (an exercise at the step it was at); an exercise in progress is kept for later.

        Never undoes another session's rating (nothing_to_undo, with the reason)."""
        if not self._history:
            return ReviewEvent("nothing_to_undo", message="nothing to undo")
        entry = self._history[-1]
        ident = entry.item.identity
        if entry.kind == "review":
            if self.store.undo_review(entry.ref) is None:
                return ReviewEvent(
                    "nothing_to_undo", entry.item,
                    message="cannot undo: that item was reviewed again elsewhere since",
                )
        elif not self.store.release_hold(entry.ref):
            return ReviewEvent("nothing_to_undo", entry.item,
                               message="cannot undo: that hold has ended already")
        self._history.pop()
        self._held.discard(ident.item_id)
        self._pending.pop(ident.item_id, None)
        self._reviewed_today = self._load_reviewed_today(self.clock())
        self._park_current(unless=entry.item)
        # The undone item is shown next, once, as it was when the action was taken.
        self._first = [i for i in self._first if i != entry.item]
        self._queue = [i for i in self._queue if i != entry.item]
        self._paused.pop(ident.item_id, None)
        if entry.exercise is not None:
            self._paused[ident.item_id] = entry.exercise
        self._finished = max(0, self._finished - 1)
        self._first.insert(0, entry.item)
        self._pick()
        return ReviewEvent("undone", entry.item)

    # -- internals ---------------------------------------------------------------------

    def _commit(self, shown: _Shown, rating: Rating, plan: ReviewPlan | None) -> ReviewEvent:
        now = self.clock()
        spent = min(max(now - shown.since, timedelta(0)), MAX_ANSWER_TIME)
        item = shown.item
        result = self.store.record_review(
            item.identity, "exercise" if item.is_exercise else item.kind, rating, now,
            int(spent.total_seconds() * 1000), plan=plan,
        )
        exercise = shown.before_last_step if item.is_exercise else None
        self._history.append(
            _Entry("review", item, result.review_id, result, spent, exercise=exercise)
        )
        self._reviewed_today.add(item.identity.item_id)
        if result.after.phase in (Phase.LEARNING, Phase.RELEARNING):
            self._pending[item.identity.item_id] = result.after.due
        else:
            self._pending.pop(item.identity.item_id, None)
        if item.is_exercise:
            shown.exercise_result = result  # shown until proceed()
        else:
            self._finish()
        return ReviewEvent("saved", item, result=result)

    def _finish(self) -> None:
        self._shown = None
        self._finished += 1
        self._pick()

    def _park_current(self, *, unless: ReviewItem) -> None:
        """Put the current item back in the queue (an exercise keeps its progress), unless
        it is `unless`, the item an undo brings back as it was."""
        shown = self._shown
        if shown is None:
            return
        if shown.exercise_result is not None or shown.item == unless:
            self._shown = None  # saved already, or replaced by its undone state
            return
        if shown.exercise is not None:
            self._paused[shown.item.identity.item_id] = shown.exercise
        if not shown.again:
            self._queue.insert(0, shown.item)
        else:
            self._first.insert(0, shown.item)
        self._shown = None

    def _pick(self) -> None:
        """Choose the next item: an undone one, due learning, the queue, then learn-ahead."""
        now = self.clock()
        item, again = self._next(now)
        if item is None:
            self._shown = None
            return
        ident = item.identity.item_id
        session = self._paused.pop(ident, None)
        if item.is_exercise and session is None:
            assert item.exercise is not None
            session = Session(_exercise_steps(self.deck_id, item.exercise))
        self._shown = _Shown(item, now, again=again, exercise=session)

    def _next(self, now: datetime) -> tuple[ReviewItem | None, bool]:
        if self._first:
            item = self._first.pop(0)
            return item, item.identity.item_id in self._pending
        due = self._earliest_pending(now)
        if due is not None:
            return due, True
        buried = self._buried_ids()
        while self._queue:
            item = self._queue.pop(0)
            ident = item.identity.item_id
            if ident in buried or ident in self._held or ident in self._pending:
                continue
            return item, False
        ahead = self._earliest_pending(now + self.learn_ahead)
        return ahead, ahead is not None

    def _earliest_pending(self, limit: datetime) -> ReviewItem | None:
        best: tuple[datetime, str] | None = None
        for ident, due in self._pending.items():
            if due <= limit and (best is None or (due, ident) < best):
                best = (due, ident)
        if best is None:
            return None
        del self._pending[best[1]]
        return self._by_id[best[1]]

    def _waiting(self) -> int:
        """Items still to come after the current one (learning ones included)."""
        buried = self._buried_ids()
        queued = {
            i.identity.item_id for i in self._queue
            if i.identity.item_id not in buried and i.identity.item_id not in self._held
        }
        queued |= {i.identity.item_id for i in self._first}
        queued |= set(self._pending)
        if self._shown is not None:
            queued.discard(self._shown.item.identity.item_id)
        return len(queued)

    def _load_reviewed_today(self, now: datetime) -> set[str]:
        return {i for i in self.store.reviewed_on_day(self.deck_id, now) if i in self._by_id}

    def _buried_ids(self) -> set[str]:
        """Items whose sibling was reviewed today while they were not."""
        return buried_by_siblings(self._reviewed_today, self._group_of, self._siblings)

    def _next_due(self) -> datetime | None:
        now = self.clock()
        buried = self._buried_ids() | self._held
        identities = [i.identity for i in self._items if i.identity.item_id not in buried]
        candidates = []
        due = self.store.next_due(self.deck_id, identities, now)
        if due is not None:
            candidates.append(due)
        tomorrow = self.store.day_start(self.store.study_day(now) + timedelta(days=1))
        if buried or self.store.due_items(self.deck_id, tomorrow, identities, self.new_limit):
            candidates.append(tomorrow)
        return min(candidates) if candidates else None

    def _choices(self, shown: _Shown) -> tuple[Choice, ...]:
        return tuple(
            Choice(rating, RATING_NAMES[rating],
                   format_interval(plan.after.due - plan.at))
            for rating, plan in sorted(shown.plans.items())
        )


def _only_summary(result: SessionResult) -> ExerciseSummary | None:
    return result.exercises[0] if result.exercises else None


def buried_siblings(
    store: ReviewStore, deck_id: str, items: Sequence[ReviewItem], now: datetime
) -> set[str]:
    """Item ids of the deck left out today because a sibling was reviewed (not a hold: they
    come back on the next study day by themselves)."""
    group_of = {item.identity.item_id: item.sibling for item in items}
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(item.sibling, []).append(item.identity.item_id)
    return buried_by_siblings(store.reviewed_on_day(deck_id, now), group_of, groups)


@dataclass(frozen=True, slots=True)
class HeldItem:
    """An item set aside: suspended, buried by the learner, or buried for the day because a
    sibling was reviewed (`hold_id` None: nothing to release, it returns tomorrow)."""

    identity: Identity
    kind: Literal["suspend", "bury", "sibling"]
    until: datetime | None
    front: str
    """The first line of the item's front ("" when it is in no deck now)."""
    hold_id: int | None = None


def held_items(
    store: ReviewStore, library: Library, now: datetime, deck_id: str | None = None
) -> list[HeldItem]:
    """Every held item of the library (or of one deck): holds first, then siblings."""
    decks = list(library.decks.values()) if deck_id is None else [library.deck(deck_id)]
    fronts: dict[Identity, str] = {}
    siblings: list[tuple[Identity, datetime]] = []
    tomorrow = store.day_start(store.study_day(now) + timedelta(days=1))
    for deck in decks:
        items = review_items(deck, library.exercises_of(deck))
        for item in items:
            fronts[item.identity] = (item.front.strip().splitlines() or [""])[0]
        siblings += [(Identity(deck.id, i), tomorrow)
                     for i in sorted(buried_siblings(store, deck.id, items, now))]
    holds = store.holds(now, deck_id)
    held = [
        HeldItem(h.identity, "suspend" if h.until is None else "bury", h.until,
                 fronts.get(h.identity, ""), h.hold_id)
        for h in holds
    ]
    taken = {h.identity for h in holds}
    held += [HeldItem(ident, "sibling", until, fronts.get(ident, ""))
             for ident, until in siblings if ident not in taken]
    return held


def keep_quiz_history(store: ReviewStore, result: SessionResult, now: datetime) -> None:
    """Record a finished quiz's answers for history; quizzes never change the schedule."""
    if not result.outcomes:
        return
    answers = [QuizAnswer(Identity(o.deck_id, o.item_id), o.correct, now) for o in result.outcomes]
    store.record_quiz(uuid.uuid4().hex, answers)


__all__ = [
    "EXERCISE_PREFIX",
    "RATING_NAMES",
    "Choice",
    "HeldItem",
    "ReviewEngine",
    "ReviewEvent",
    "ReviewItem",
    "ReviewSummary",
    "ReviewView",
    "StudyappError",
    "buried_siblings",
    "held_items",
    "keep_quiz_history",
    "review_items",
    "saved_interval",
]
