"""A deck's questions and cards as review/quiz items: forward, reverse and one per cloze number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studyapp.deck.cloze import cloze_numbers, render_cloze
from studyapp.deck.models import Card, Deck

ItemKind = Literal["question", "card", "reverse", "cloze"]
REVERSE_SUFFIX = "#reverse"
CLOZE_SUFFIX = "#c"


@dataclass(frozen=True, slots=True)
class DeckItem:
    """One thing to review or quiz, derived from a question or card of a deck."""

    item_id: str
    """`<key>` for a question or a card's forward item, `<key>#reverse`, `<key>#c<N>`."""
    kind: ItemKind
    front: str
    """Markdown shown first (a cloze with its deletion hidden; a reverse: the card's back)."""
    back: str
    """Markdown revealed (a cloze with its deletion in bold; a reverse: the card's front)."""
    tags: tuple[str, ...]
    source_id: str
    """The key of the question or card it comes from."""
    sibling: str
    """Items with the same sibling key are siblings: `fact:<fact>`, else `item:<source_id>`."""


def sibling_key(fact: str | None, source_id: str) -> str:
    """The sibling group of an item: its fact's when it has one, else its source's."""
    return f"fact:{fact}" if fact is not None else f"item:{source_id}"


def _card_items(card: Card) -> list[DeckItem]:
    key, tags = card.key, tuple(card.tags)
    sibling = sibling_key(card.fact, key)
    if card.cloze is not None:
        return [
            DeckItem(
                f"{key}{CLOZE_SUFFIX}{number}",
                "cloze",
                render_cloze(card.cloze, number, reveal=False),
                render_cloze(card.cloze, number, reveal=True),
                tags,
                key,
                sibling,
            )
            for number in cloze_numbers(card.cloze)
        ]
    # The model guarantees front and back for a card without cloze.
    front, back = card.front or "", card.back or ""
    items = [DeckItem(key, "card", front, back, tags, key, sibling)]
    if card.reversed:
        items.append(DeckItem(f"{key}{REVERSE_SUFFIX}", "reverse", back, front, tags, key, sibling))
    return items


def deck_items(deck: Deck) -> list[DeckItem]:
    """Deck order: questions, then cards; a card's forward item, then its reverse; a cloze's
    deletions in number order."""
    items = [
        DeckItem(q.key, "question", q.prompt, q.answer, tuple(q.tags), q.key,
                 sibling_key(q.fact, q.key))
        for q in deck.questions
    ]
    for card in deck.cards:
        items.extend(_card_items(card))
    return items
