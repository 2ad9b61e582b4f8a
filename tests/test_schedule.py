"""Tests for studyapp.schedule: the FSRS wrapper, interval previews and exercise ratings."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import studyapp
from studyapp.schedule import (
    ItemState,
    Phase,
    Rating,
    Scheduler,
    SchedulerConfig,
    format_interval,
    format_timestamp,
    parse_timestamp,
    to_utc,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_numbers_match_fsrs() -> None:
    assert [int(r) for r in Rating] == [int(r) for r in fsrs.Rating] == [1, 2, 3, 4]
    assert {p.name.lower(): int(p) for p in Phase} == {s.name.lower(): int(s) for s in fsrs.State}


def test_preview_of_a_new_item_is_like_anki() -> None:
    preview = Scheduler().preview(None, T0)
    assert list(preview) == [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY]
    assert preview[Rating.AGAIN] == timedelta(minutes=1)
    assert preview[Rating.HARD] == timedelta(minutes=5, seconds=30)  # halfway between 1m and 10m
    assert preview[Rating.GOOD] == timedelta(minutes=10)
    assert preview[Rating.EASY] == timedelta(days=8)  # FSRS-6 default weights, 90 %
    shown = {rating.name.lower(): format_interval(gap) for rating, gap in preview.items()}
    assert shown == {"again": "1m", "hard": "6m", "good": "10m", "easy": "8d"}


def test_preview_matches_apply() -> None:
    scheduler = Scheduler()
    state = scheduler.apply(None, Rating.GOOD, T0)
    later = state.due + timedelta(hours=1)
    for rating, gap in scheduler.preview(state, later).items():
        assert scheduler.apply(state, rating, later).due == later + gap


def test_learning_steps_then_review() -> None:
    scheduler = Scheduler()
    first = scheduler.apply(None, Rating.GOOD, T0)
    assert (first.phase, first.step, first.last_review) == (Phase.LEARNING, 1, T0)
    assert first.due == T0 + timedelta(minutes=10)
    second = scheduler.apply(first, Rating.GOOD, first.due)
    assert second.phase is Phase.REVIEW
    assert second.step is None
    assert second.due - first.due >= timedelta(days=1)
    lapse = scheduler.apply(second, Rating.AGAIN, second.due)
    assert (lapse.phase, lapse.step) == (Phase.RELEARNING, 0)
    assert lapse.due == second.due + timedelta(minutes=10)


def test_apply_is_deterministic_without_fuzz() -> None:
    scheduler = Scheduler()
    state = None
    moment = T0
    states = []
    for rating in [3, 3, 2, 4, 1, 3, 3]:
        state = scheduler.apply(state, rating, moment)
        states.append(state)
        moment = state.due
    again = Scheduler()
    state = None
    moment = T0
    for rating, expected in zip([3, 3, 2, 4, 1, 3, 3], states, strict=True):
        state = again.apply(state, rating, moment)
        assert state == expected
        moment = state.due


def test_fuzzing_can_be_switched_on_and_is_derived_from_item_and_time() -> None:
    scheduler = Scheduler(SchedulerConfig(enable_fuzzing=True))
    state = Scheduler().apply(None, Rating.EASY, T0)
    # a long review interval gets fuzzed somewhere near the unfuzzed one
    plain = Scheduler().apply(state, Rating.EASY, state.due)
    fuzzed = {scheduler.apply(state, Rating.EASY, state.due, card_id=n).due for n in range(40)}
    gap = plain.due - state.due
    assert all(abs((due - state.due) - gap) <= gap * 0.3 for due in fuzzed)
    assert len(fuzzed) > 1
    # never random: the same item rated at the same moment gets the same interval
    again = Scheduler(SchedulerConfig(enable_fuzzing=True))
    assert all(
        again.apply(state, Rating.EASY, state.due, card_id=n)
        == scheduler.apply(state, Rating.EASY, state.due, card_id=n)
        for n in range(40)
    )


def test_desired_retention_changes_intervals() -> None:
    strict = Scheduler(SchedulerConfig(desired_retention=0.97)).preview(None, T0)
    relaxed = Scheduler(SchedulerConfig(desired_retention=0.8)).preview(None, T0)
    assert strict[Rating.EASY] < timedelta(days=8) < relaxed[Rating.EASY]


@pytest.mark.parametrize("retention", [0.0, 1.0, -0.5, 1.5])
def test_bad_retention_is_refused(retention: float) -> None:
    with pytest.raises(ValueError, match="retention"):
        SchedulerConfig(desired_retention=retention)


def test_card_id_is_always_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    """fsrs.Card's own default id reads the clock and sleeps; we must never trigger it."""

    def no_sleep(_seconds: float) -> None:
        raise AssertionError("fsrs.Card made up its own card_id")

    monkeypatch.setattr("fsrs.card.time.sleep", no_sleep)
    scheduler = Scheduler()
    state = scheduler.apply(None, Rating.GOOD, T0, card_id=7)
    scheduler.preview(state, T0)
    # the id never changes the schedule
    assert scheduler.apply(None, Rating.GOOD, T0, card_id=123456789) == state


def test_times_must_be_aware_and_become_utc() -> None:
    scheduler = Scheduler()
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduler.apply(None, Rating.GOOD, datetime(2024, 3, 1, 12))
    paris = timezone(timedelta(hours=1))
    local = scheduler.apply(None, Rating.GOOD, T0.astimezone(paris))
    assert local == scheduler.apply(None, Rating.GOOD, T0)
    assert local.due.tzinfo is UTC
    assert to_utc(datetime(2024, 3, 1, 13, tzinfo=paris)) == T0


def test_timestamp_text_is_fixed_width_and_sortable() -> None:
    assert format_timestamp(T0) == "2024-03-01T12:00:00.000000Z"
    assert parse_timestamp(format_timestamp(T0)) == T0
    a = datetime(2024, 3, 1, 12, 0, 0, 5, tzinfo=UTC)
    b = datetime(2024, 3, 1, 12, 0, 1, tzinfo=UTC)
    assert format_timestamp(a) < format_timestamp(b)


aware_times = st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(9000, 1, 1),
    timezones=st.just(UTC),
)
optional_float = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))


@given(
    phase=st.sampled_from(Phase),
    step=st.one_of(st.none(), st.integers(0, 10)),
    stability=optional_float,
    difficulty=optional_float,
    due=aware_times,
    last_review=st.one_of(st.none(), aware_times),
)
def test_item_state_round_trips_through_columns(
    phase: Phase,
    step: int | None,
    stability: float | None,
    difficulty: float | None,
    due: datetime,
    last_review: datetime | None,
) -> None:
    state = ItemState(phase, step, stability, difficulty, due, last_review)
    columns = state.to_columns()
    assert all(isinstance(value, int | float | str | type(None)) for value in columns)
    back = ItemState.from_columns(columns)
    assert back == state
    assert dataclasses.astuple(back) == dataclasses.astuple(state)


def test_item_state_is_frozen() -> None:
    state = Scheduler().apply(None, Rating.GOOD, T0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.step = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (timedelta(seconds=0), "<1m"),
        (timedelta(seconds=20), "<1m"),
        (timedelta(seconds=60), "1m"),
        (timedelta(minutes=5, seconds=30), "6m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=59, seconds=40), "1h"),
        (timedelta(minutes=90), "1.5h"),
        (timedelta(hours=12), "12h"),
        (timedelta(hours=23, minutes=59), "1d"),
        (timedelta(days=1), "1d"),
        (timedelta(days=4), "4d"),
        (timedelta(days=1, hours=12), "1.5d"),
        (timedelta(days=12), "12d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=30), "1mo"),
        (timedelta(days=96), "3.2mo"),
        (timedelta(days=300), "10mo"),
        (timedelta(days=364), "1y"),
        (timedelta(days=500), "1.4y"),
        (timedelta(days=3650), "10y"),
    ],
)
def test_format_interval(interval: timedelta, text: str) -> None:
    assert format_interval(interval) == text


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=36500)))
def test_format_interval_is_always_compact(interval: timedelta) -> None:
    assert re.fullmatch(r"<1m|\d+m|\d+(\.\d)?(h|d|mo|y)", format_interval(interval))


def test_only_schedule_imports_fsrs() -> None:
    package = Path(studyapp.__file__).parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import fsrs|from fsrs)\b", path.read_text("utf-8"), re.MULTILINE)
    )
    assert importers == ["schedule.py"]
