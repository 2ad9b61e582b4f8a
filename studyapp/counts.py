"""Due and new counts of a deck from item ids and sibling keys (no deck models needed), and
the sibling rule both the review engine and the counts use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from studyapp.store import Identity, ReviewStore

DEFAULT_NEW_LIMIT = 20
"""New items introduced per deck per study day (Anki's default too)."""


class DeckCounts(NamedTuple):
    """What the home screen shows for a deck."""

    due: int
    """Reviewed items due now (not buried or suspended)."""
    new: int
    """Never-reviewed items that today's new-item limit still lets in."""
    total: int


def sibling_groups(item_ids: Sequence[str], siblings: Sequence[str]) -> dict[str, list[str]]:
    """Sibling key -> the item ids sharing it, in deck order."""
    groups: dict[str, list[str]] = {}
    for item_id, key in zip(item_ids, siblings, strict=True):
        groups.setdefault(key, []).append(item_id)
    return groups


def buried_by_siblings(
    reviewed_today: Iterable[str], group_of: Mapping[str, str],
    groups: Mapping[str, Sequence[str]],
) -> set[str]:
    """Items left out for the rest of the study day: a sibling of theirs was reviewed today
    and they were not (deck-format.md 1.1, "Siblings")."""
    reviewed = set(reviewed_today)
    buried: set[str] = set()
    for key in {group_of[i] for i in reviewed if i in group_of}:
        buried.update(i for i in groups[key] if i not in reviewed)
    return buried


def deck_counts(
    store: ReviewStore,
    deck_id: str,
    item_ids: Sequence[str],
    siblings: Sequence[str],
    now: datetime,
    new_limit: int = DEFAULT_NEW_LIMIT,
) -> DeckCounts:
    """Due and new counts of one deck at `now`, as review would show them; `item_ids` are
    its review items in order and `siblings` their sibling keys."""
    identities = [Identity(deck_id, item_id) for item_id in item_ids]
    groups = sibling_groups(item_ids, siblings)
    group_of = dict(zip(item_ids, siblings, strict=True))
    buried = buried_by_siblings(store.reviewed_on_day(deck_id, now), group_of, groups)
    queue = store.due_items(deck_id, now, identities, new_limit, exclude=buried)
    due = store.due_count(now, deck_id, identities, exclude=buried)
    return DeckCounts(due=due, new=max(0, len(queue) - due), total=len(item_ids))
