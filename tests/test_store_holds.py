"""The store's API for the review engine: holds, the learning queue, plans, next due."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.schedule import Phase, Rating, Scheduler, SchedulerConfig
from studyapp.store import Hold, Identity, ReviewStore

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
MIDNIGHT = datetime(2024, 3, 2, 0, 0, tzinfo=UTC)  # next study day (UTC, day starts at 0)
DECK = "deck"


def ident(item_id: str, deck_id: str = DECK) -> Identity:
    return Identity(deck_id, item_id)


def open_store(data_dir: Path, **options: object) -> ReviewStore:
    settings: dict[str, object] = {"tz": UTC, "day_start_hour": 0, "now": T0}
    settings.update(options)
    return ReviewStore.open(data_dir, **settings)  # type: ignore[arg-type]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[ReviewStore]:
    with open_store(data_dir) as opened:
        yield opened


def reviewed_due_now(store: ReviewStore, *names: str) -> None:
    """Give each item a review a day ago rated again, so that it is due now."""
    for name in names:
        store.record_review(ident(name), "card", Rating.AGAIN, T0 - timedelta(days=1))


# ------------------------------------------------------------------------ holds


def test_bury_lasts_until_the_next_study_day_and_survives_reopening(data_dir: Path) -> None:
    deck = [ident(n) for n in ["r", "n1", "n2"]]
    with open_store(data_dir) as store:
        reviewed_due_now(store, "r")
        assert store.due_items(DECK, T0, deck) == deck
        bury_r = store.hold(ident("r"), "bury", T0)
        bury_n1 = store.hold(ident("n1"), "bury", T0)  # a new item can be buried too
        assert bury_r != bury_n1
    with open_store(data_dir) as store:
        assert store.due_items(DECK, T0, deck) == [ident("n2")]
        assert store.due_count(T0, DECK, deck) == 0
        active = store.holds(T0, DECK)
        assert active == [
            Hold(bury_n1, ident("n1"), "bury", T0, MIDNIGHT),
            Hold(bury_r, ident("r"), "bury", T0, MIDNIGHT),
        ]
        before_midnight = MIDNIGHT - timedelta(seconds=1)
        assert store.due_items(DECK, before_midnight, deck) == [ident("n2")]
        # the next study day, both are back, and the bury is no longer listed
        assert store.due_items(DECK, MIDNIGHT, deck) == deck
        assert store.due_count(MIDNIGHT, DECK, deck) == 1
        assert store.holds(MIDNIGHT) == []


def test_suspend_lasts_until_unsuspended(store: ReviewStore) -> None:
    deck = [ident(n) for n in ["a", "b", "c"]]
    reviewed_due_now(store, "a")
    store.hold(ident("a"), "suspend", T0)
    store.hold(ident("b"), "suspend", T0)
    far = T0 + timedelta(days=400)
    assert store.due_items(DECK, far, deck) == [ident("c")]
    assert [h.kind for h in store.holds(far)] == ["suspend", "suspend"]
    assert all(h.until is None for h in store.holds(far))
    assert store.unsuspend(ident("a")) is True
    assert store.unsuspend(ident("a")) is False
    assert store.due_items(DECK, far, deck) == [ident("a"), ident("c")]
    store.hold(ident("c"), "suspend", T0)
    store.hold(ident("x", "other"), "suspend", T0)
    assert store.unsuspend_deck(DECK) == 2  # b and c; the other deck keeps its suspend
    assert store.holds(far) == [store.holds(far, "other")[0]]
    assert store.due_items(DECK, far, deck) == deck


def test_release_hold_undoes_exactly_that_hold(store: ReviewStore) -> None:
    deck = [ident("a")]
    first = store.hold(ident("a"), "suspend", T0)
    second = store.hold(ident("a"), "bury", T0)
    assert store.release_hold(first) is True
    assert store.due_items(DECK, T0, deck) == []  # still buried
    assert store.release_hold(first) is False
    assert store.release_hold(second) is True
    assert store.due_items(DECK, T0, deck) == deck
    assert store.release_hold(10_000) is False
    ended = store.hold(ident("a"), "bury", T0)
    assert store.release_hold(ended, MIDNIGHT) is False  # the bury had ended by then


def test_a_bad_hold_kind_is_refused(store: ReviewStore) -> None:
    with pytest.raises(ValueError, match="bury"):
        store.hold(ident("a"), "freeze", T0)  # type: ignore[arg-type]


def test_exclude_comes_before_the_new_item_limit(store: ReviewStore) -> None:
    deck = [ident(n) for n in ["r1", "r2", "n1", "n2", "n3", "n4"]]
    reviewed_due_now(store, "r1", "r2")
    queue = store.due_items(DECK, T0, deck, 2, exclude={"r2", "n1"})
    assert queue == [ident("r1"), ident("n2"), ident("n3")]
    store.hold(ident("n2"), "bury", T0)
    assert store.due_items(DECK, T0, deck, 2, exclude={"n1"}) == [
        ident("r1"),
        ident("r2"),
        ident("n3"),
        ident("n4"),
    ]
    assert store.due_count(T0, DECK, deck, exclude={"r1"}) == 1
    assert store.due_count(T0, exclude={"r1"}) == 1
    assert store.due_count(T0) == 2


def test_new_items_far_into_a_long_deck_are_found(store: ReviewStore) -> None:
    # the chunked look-up of new items must walk past every chunk size to the end
    deck = [ident(f"i{n:05d}") for n in range(9000)]
    with store._write() as conn:  # bulk rows: 9,000 record_review calls would take long
        conn.executemany(
            "INSERT INTO items (deck_id, item_id, kind, phase, due, introduced_at, "
            "introduced_seq) VALUES (?, ?, 'card', 2, '2099-01-01T00:00:00.000000Z', "
            "'2000-01-01T00:00:00.000000Z', ?)",
            [(*i, n) for n, i in enumerate(deck[:-3])],
        )
    assert store.due_items(DECK, T0, deck, 2) == deck[-3:-1]
    assert store.due_items(DECK, T0, deck, 5) == deck[-3:]
    assert store.due_items(DECK, T0, deck, 5, exclude={deck[-2].item_id}) == [deck[-3], deck[-1]]
    # a changed deck order is noticed (the store remembers the last one it was given)
    assert store.due_items(DECK, T0, deck[::-1], 1) == [deck[-1]]


# ------------------------------------------------------------ learning and days


def test_learning_items_are_the_learning_and_relearning_ones_in_the_window(
    store: ReviewStore,
) -> None:
    a, b, c, d = (ident(n) for n in "abcd")
    ra = store.record_review(a, "card", Rating.AGAIN, T0)  # learning, due +1m
    rb = store.record_review(b, "card", Rating.GOOD, T0)  # learning, due +10m
    rc = store.record_review(c, "card", Rating.EASY, T0)  # review, due in days
    store.record_review(d, "card", Rating.GOOD, T0)
    store.hold(d, "bury", T0)
    assert ra.after.phase == Phase.LEARNING and rc.after.phase == Phase.REVIEW
    window = store.learning_items(DECK, T0, T0 + timedelta(minutes=20))
    assert window == [(a, ra.due), (b, rb.due)]
    assert store.learning_items(DECK, ra.due, T0 + timedelta(minutes=20)) == [(b, rb.due)]
    assert store.learning_items(DECK, T0, ra.due) == [(a, ra.due)]
    # relearning: a review item rated again
    lapse = store.record_review(c, "card", Rating.AGAIN, rc.due)
    assert lapse.after.phase == Phase.RELEARNING
    assert store.learning_items(DECK, rc.due, rc.due + timedelta(hours=1)) == [(c, lapse.due)]


def test_reviewed_on_day_leaves_out_undone_reviews_and_other_days(store: ReviewStore) -> None:
    store.record_review(ident("a"), "card", Rating.GOOD, T0)
    undone = store.record_review(ident("b"), "card", Rating.GOOD, T0)
    store.undo_review(undone.review_id)
    store.record_review(ident("c"), "card", Rating.GOOD, T0 - timedelta(days=1))
    store.record_review(ident("d", "other"), "card", Rating.GOOD, T0)
    assert store.reviewed_on_day(DECK, T0) == {"a"}
    assert store.reviewed_on_day(DECK, MIDNIGHT) == set()


def test_next_due_skips_suspended_and_waits_for_buried(store: ReviewStore) -> None:
    a, b, c = (ident(n) for n in "abc")
    assert store.next_due(DECK, [a, b, c], T0) is None  # nothing has a state
    ra = store.record_review(a, "card", Rating.AGAIN, T0)  # due +1m
    rb = store.record_review(b, "card", Rating.GOOD, T0)  # due +10m
    rc = store.record_review(c, "card", Rating.EASY, T0)  # due in days
    assert store.next_due(DECK, [a, b, c], T0) == ra.due
    assert store.next_due(DECK, [b, c], T0) == rb.due  # only the items asked about
    store.hold(a, "suspend", T0)
    assert store.next_due(DECK, [a, b, c], T0) == rb.due
    store.hold(b, "bury", T0)
    assert store.next_due(DECK, [a, b, c], T0) == min(MIDNIGHT, rc.due)
    store.hold(c, "suspend", T0)
    assert store.next_due(DECK, [a, b, c], T0) == MIDNIGHT
    store.hold(b, "suspend", T0)
    assert store.next_due(DECK, [a, b, c], T0) is None


# ---------------------------------------------------------------------- plans


@pytest.mark.parametrize("fuzz", [False, True])
def test_the_planned_interval_is_the_interval_saved(data_dir: Path, fuzz: bool) -> None:
    """1,000 random (item, rating, day) cases: preview at one moment, rate a little later."""
    rng = random.Random(7)
    scheduler = Scheduler(SchedulerConfig(enable_fuzzing=fuzz))
    with open_store(data_dir, scheduler=scheduler) as store:
        items = [ident(f"i{n}") for n in range(40)]
        clock = T0
        for _ in range(1000):
            item = rng.choice(items)
            clock += timedelta(days=rng.choice([0, 0, 1, 3, 20]), minutes=rng.randint(0, 90))
            plans = store.plan(item, clock)
            assert set(plans) == set(Rating)
            shown = {r: p.after.due - p.at for r, p in plans.items()}
            assert shown == store.preview(item, clock) or fuzz  # fuzz may differ between asks
            rating = rng.choice(list(Rating))
            answered = clock + timedelta(seconds=rng.randint(1, 120))
            result = store.record_review(item, "card", rating, answered, plan=plans[rating])
            assert result.due - answered == shown[rating]
            assert store.state(item) == result.after
            assert result.after.stability == plans[rating].after.stability
            clock = answered


def test_a_stale_plan_is_computed_afresh(store: ReviewStore) -> None:
    a = ident("a")
    plans = store.plan(a, T0)
    assert plans[Rating.GOOD].before is None
    other_session = store.record_review(a, "card", Rating.EASY, T0)
    later = other_session.due
    expected = store.plan(a, later)[Rating.GOOD].after
    result = store.record_review(a, "card", Rating.GOOD, later, plan=plans[Rating.GOOD])
    assert result.before == other_session.after
    assert result.after == expected
    assert result.after != plans[Rating.GOOD].after
