"""Due and new counts of a deck, from item ids alone (no deck models needed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from studyapp.store import Identity, ReviewStore

DEFAULT_NEW_LIMIT = 20
"""New items introduced per deck per study day (Anki's default too)."""


class DeckCounts(NamedTuple):
    """What the home screen shows for a deck."""

    due: int
    """Reviewed items due now."""
    new: int
    """Never-reviewed items that today's new-item limit still lets in."""
    total: int


def deck_counts(
    store: ReviewStore,
    deck_id: str,
    item_ids: Sequence[str],
    now: datetime,
    new_limit: int = DEFAULT_NEW_LIMIT,
) -> DeckCounts:
    """Due and new counts of one deck at `now`; `item_ids` are its review items in order."""
    identities = [Identity(deck_id, item_id) for item_id in item_ids]
    queue = store.due_items(deck_id, now, identities, new_limit)
    due = store.due_count(now, deck_id, identities)
    return DeckCounts(due=due, new=max(0, len(queue) - due), total=len(item_ids))
