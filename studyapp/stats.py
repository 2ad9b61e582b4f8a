"""Review statistics for `studyapp stats` and the stats screen, computed once from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from studyapp.deck.loader import Library
from studyapp.review import buried_siblings, review_items
from studyapp.store import Identity, ReviewStore

HEATMAP_DAYS = 7 * 15
"""The heatmap's span: fifteen weeks."""
FORECAST_DAYS = 30


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything the stats views show, for one deck or the whole library."""

    deck_id: str | None
    reviews: int
    """Ratings logged and not undone (an exercise counts once)."""
    reviews_today: int
    per_day: dict[date, int]
    """Reviews on each of the last HEATMAP_DAYS study days, oldest first."""
    due: int
    """Reviewed items due now (buried and suspended ones are not due)."""
    forecast: dict[date, int]
    """Items due on each of the next FORECAST_DAYS study days (today includes overdue)."""
    retention: float | None
    """Share of the last 30 days' reviews not rated again; None without reviews."""
    streak: int
    new: int
    learning: int
    review: int
    orphans: int
    """Items with history that are in no deck any more (kept, never deleted)."""
    buried: int = 0
    """Items left out until the next study day: buried by the learner (and not also
    suspended), or because a sibling was reviewed today."""
    suspended: int = 0
    """Items suspended until unsuspended."""

    @property
    def items(self) -> int:
        """Items in the deck(s) counted."""
        return self.new + self.learning + self.review

    def as_json(self) -> dict[str, Any]:
        """Plain data for `stats --json`."""
        return {
            "deck": self.deck_id,
            "reviews": self.reviews,
            "reviews_today": self.reviews_today,
            "reviews_per_day": {d.isoformat(): n for d, n in self.per_day.items() if n},
            "due": self.due,
            "forecast": {d.isoformat(): n for d, n in self.forecast.items()},
            "retention": None if self.retention is None else round(self.retention, 4),
            "streak": self.streak,
            "items": self.items,
            "item_states": {"new": self.new, "learning": self.learning, "review": self.review},
            "orphans": self.orphans,
            "buried": self.buried,
            "suspended": self.suspended,
        }


def compute_stats(
    store: ReviewStore, library: Library, now: datetime, deck_id: str | None = None
) -> Stats:
    """Statistics of one deck (or every deck) at `now`."""
    if deck_id is not None:
        library.deck(deck_id)  # an unknown deck is a DataError naming the known ones
    all_known: list[Identity] = []
    due = sibling_buried = 0
    for deck in library.decks.values():
        items = review_items(deck, library.exercises_of(deck))
        all_known += [item.identity for item in items]
        if deck_id is not None and deck.id != deck_id:
            continue
        buried_today = buried_siblings(store, deck.id, items, now)
        due += store.due_count(now, deck.id, [i.identity for i in items], exclude=buried_today)
        held = {h.identity.item_id for h in store.holds(now, deck.id)}
        sibling_buried += len(buried_today - held)
    identities = (
        all_known if deck_id is None else [i for i in all_known if i.deck_id == deck_id]
    )
    counts = store.item_counts(identities)
    per_day = store.reviews_per_day(now, HEATMAP_DAYS, deck_id)
    buried, suspended = store.hold_counts(now, deck_id, identities)
    return Stats(
        deck_id=deck_id,
        reviews=store.review_count(deck_id),
        reviews_today=list(per_day.values())[-1],
        per_day=per_day,
        due=due,
        forecast=store.due_forecast(now, FORECAST_DAYS, deck_id),
        retention=store.retention(now, 30, deck_id),
        streak=store.streak(now, deck_id),
        new=counts.new,
        learning=counts.learning,
        review=counts.review,
        orphans=store.orphans(all_known),
        buried=buried + sibling_buried,
        suspended=suspended,
    )
