"""Spaced-repetition scheduling: a thin wrapper around FSRS-6 from the `fsrs` package.

This is the only module that imports `fsrs`; the rest of the app sees our own frozen
`ItemState`, `Rating` and `Phase` and never an fsrs object.

* Ratings are 1-4: again, hard, good, easy (`Rating`).
* A never-reviewed ("new") item has no state: functions take ``ItemState | None``.
* All times are timezone-aware; they are converted to UTC (fsrs insists on UTC).
* Fuzzing is off by default. When on, it is ours, not fsrs's (which draws from the global
  `random`): the shift is derived from the item's ``card_id`` and the time of the rating,
  so the same history still gives the same schedule on every device (`studyapp sync`).
* `fsrs.Card` is always given our own integer ``card_id`` (its default id is the clock in
  milliseconds and sleeps 1 ms to stay unique). The id does not influence scheduling.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fsrs is imported on first use: opening the store to count is fsrs-free
    import fsrs

__all__ = [
    "TIMESTAMP_FORMAT",
    "ItemState",
    "Phase",
    "Rating",
    "Scheduler",
    "SchedulerConfig",
    "StateColumns",
    "default_parameters",
    "format_interval",
    "format_timestamp",
    "parameter_bounds",
    "parse_timestamp",
    "to_utc",
]

#: How timestamps are written to plain columns: fixed width, UTC, microseconds, so that
#: text order is time order (for years 1000-9999).
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Rating(IntEnum):
    """How well the learner knew an item (same numbers as FSRS and Anki)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(IntEnum):
    """Where a reviewed item is in the FSRS cycle (same numbers as `fsrs.State`)."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


def to_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is refused (we never guess a time zone)."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"datetime must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """Serialise an aware datetime for a text column (UTC, microseconds, sortable)."""
    return to_utc(moment).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Inverse of `format_timestamp`: an aware UTC datetime."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


#: The plain columns of an `ItemState`: phase, step, stability, difficulty, due, last_review.
StateColumns = tuple[int, int | None, float | None, float | None, str, str | None]


def _opt_timestamp(text: str | None) -> datetime | None:
    return None if text is None else parse_timestamp(text)


@dataclass(frozen=True)
class ItemState:
    """The FSRS memory state of one reviewed item (a new item has no `ItemState`).

    `step` is the learning/relearning step (None in the review phase); `stability` is in
    days; `difficulty` is 1..10; `due` and `last_review` are aware UTC datetimes.
    """

    phase: Phase
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def to_columns(self) -> StateColumns:
        """Plain column values: (phase, step, stability, difficulty, due, last_review)."""
        return (
            int(self.phase),
            self.step,
            self.stability,
            self.difficulty,
            format_timestamp(self.due),
            None if self.last_review is None else format_timestamp(self.last_review),
        )

    @classmethod
    def from_columns(cls, columns: StateColumns) -> ItemState:
        """Rebuild a state from the values `to_columns` produced."""
        phase, step, stability, difficulty, due, last_review = columns
        return cls(
            phase=Phase(phase),
            step=None if step is None else int(step),
            stability=None if stability is None else float(stability),
            difficulty=None if difficulty is None else float(difficulty),
            due=parse_timestamp(due),
            last_review=_opt_timestamp(last_review),
        )


@dataclass(frozen=True)
class SchedulerConfig:
    """Scheduler settings. Defaults: 90 % desired retention, no fuzz, Anki-like steps."""

    desired_retention: float = 0.9
    enable_fuzzing: bool = False
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval_days: int = 36500
    #: FSRS-6 weights (21 numbers); None means the package's defaults.
    parameters: tuple[float, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        if not 0.0 < self.desired_retention < 1.0:
            raise ValueError(
                f"desired retention must be between 0 and 1, got {self.desired_retention}"
            )
        if self.maximum_interval_days < 1:
            raise ValueError("maximum interval must be at least one day")


class Scheduler:
    """FSRS-6 with a `SchedulerConfig`; stateless apart from its settings."""

    def __init__(self, config: SchedulerConfig | None = None) -> None:
        self.config = config if config is not None else SchedulerConfig()
        self._scheduler: fsrs.Scheduler | None = None

    @property
    def _fsrs(self) -> fsrs.Scheduler:
        """The fsrs scheduler, built (and fsrs imported) on first use."""
        if self._scheduler is None:
            import fsrs
            from fsrs.scheduler import DEFAULT_PARAMETERS

            parameters = self.config.parameters
            self._scheduler = fsrs.Scheduler(
                parameters=DEFAULT_PARAMETERS if parameters is None else parameters,
                desired_retention=self.config.desired_retention,
                learning_steps=self.config.learning_steps,
                relearning_steps=self.config.relearning_steps,
                maximum_interval=self.config.maximum_interval_days,
                enable_fuzzing=False,  # see `_fuzzed`: ours is derived, never random
            )
        return self._scheduler

    def apply(
        self, state: ItemState | None, rating: Rating | int, now: datetime, *, card_id: int = 0
    ) -> ItemState:
        """The state after rating an item (in `state`, None if new) at time `now`."""
        import fsrs

        moment = to_utc(now)
        card = _to_card(state, moment, card_id)
        new_card, _log = self._fsrs.review_card(card, fsrs.Rating(int(Rating(rating))), moment)
        after = _from_card(new_card)
        if self.config.enable_fuzzing:
            return _fuzzed(after, moment, card_id, self.config.maximum_interval_days)
        return after

    def preview(
        self, state: ItemState | None, now: datetime, *, card_id: int = 0
    ) -> dict[Rating, timedelta]:
        """For each rating, how long from `now` until the item would be due again.

        With fuzzing on, the real interval may differ slightly from the preview.
        """
        moment = to_utc(now)
        return {
            rating: self.apply(state, rating, moment, card_id=card_id).due - moment
            for rating in Rating
        }


#: Review intervals from this many days up are fuzzed, by up to this share either way.
_FUZZ_FROM_DAYS = 3
_FUZZ_SHARE = 0.05


def _fuzzed(state: ItemState, moment: datetime, card_id: int, maximum_days: int) -> ItemState:
    """`state` with its review interval moved by a few percent, by an amount that depends
    only on the item and the moment of the rating (so spreading out items rated together,
    and the same on every device that replays the same rating)."""
    days = (state.due - moment).total_seconds() / 86400
    if state.phase is not Phase.REVIEW or days < _FUZZ_FROM_DAYS:
        return state
    seed = hashlib.blake2b(f"{card_id}/{format_timestamp(moment)}".encode(), digest_size=8)
    unit = int.from_bytes(seed.digest(), "big") / 2**64  # uniform in [0, 1)
    spread = max(1, round(days * _FUZZ_SHARE))
    fuzzed_days = min(maximum_days, max(2, round(days) + round((2 * unit - 1) * spread)))
    return replace(state, due=moment + timedelta(days=fuzzed_days))


def _to_card(state: ItemState | None, now: datetime, card_id: int) -> fsrs.Card:
    import fsrs

    if state is None:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(int(state.phase)),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=to_utc(state.due),
        last_review=None if state.last_review is None else to_utc(state.last_review),
    )


def _from_card(card: fsrs.Card) -> ItemState:
    return ItemState(
        phase=Phase(int(card.state)),
        step=card.step,
        stability=None if card.stability is None else float(card.stability),
        difficulty=None if card.difficulty is None else float(card.difficulty),
        due=to_utc(card.due),
        last_review=None if card.last_review is None else to_utc(card.last_review),
    )


def _compact(value: float) -> str:
    """One decimal below 10 (without a trailing ``.0``), whole numbers from 10 up."""
    if round(value, 1) < 10:
        text = f"{value:.1f}"
        return text.removesuffix(".0")
    return str(round(value))


def format_interval(interval: timedelta) -> str:
    """A compact interval like Anki's answer buttons: ``<1m``, ``10m``, ``1.5h``, ``4d``,
    ``3.2mo``, ``1.4y``. Minutes are whole; a month is 30 days, a year 365 days."""
    seconds = interval.total_seconds()
    minutes = seconds / 60
    if round(minutes) < 1:
        return "<1m"
    if round(minutes) < 60:
        return f"{round(minutes)}m"
    hours = minutes / 60
    if round(hours, 1) < 24:
        return f"{_compact(hours)}h"
    days = hours / 24
    if round(days, 1) < 30:
        return f"{_compact(days)}d"
    months = days / 30
    if round(months, 1) < 12 and days < 365:
        return f"{_compact(months)}mo"
    return f"{_compact(days / 365)}y"


def parameter_bounds() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The lowest and highest value the scheduler accepts for each FSRS-6 parameter."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return tuple(LOWER_BOUNDS_PARAMETERS), tuple(UPPER_BOUNDS_PARAMETERS)


def default_parameters() -> tuple[float, ...]:
    """The FSRS-6 default parameters the scheduler uses when none are given."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    return tuple(float(value) for value in DEFAULT_PARAMETERS)
