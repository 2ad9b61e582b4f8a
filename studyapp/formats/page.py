"""Turning a study page with `Q.` / `A.` flashcards into a deck of cards.

A card starts at a line beginning with `Q.` (or `Q:`): the question runs until a line
beginning with `A.` (or `A:`), and the answer runs until the next `Q.` line or the end of
the page, paragraphs and all. Everything before the first card is the page's preamble:
its first non-empty line that is not site boilerplate ("Skip to content") is the page's
heading when it looks like one (short, not a sentence ending in a full stop); the deck's
id and title come from it, else from the file name.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studyapp.deck.models import Card, Deck
from studyapp.deck.writer import check_deck_id, slugify
from studyapp.deck.yamlread import MAX_FILE_BYTES
from studyapp.errors import DataError, UsageError

BOILERPLATE = frozenset(
    {
        "skip to content",
        "skip to main content",
        "skip to navigation",
        "toggle navigation",
        "menu",
        "navigation",
        "table of contents",
        "contents",
        "back to top",
        "show answer",
        "hide answer",
        "print flashcards",
    }
)
"""Lines copied from a web page's chrome, never its heading nor the end of an answer."""
MAX_HEADING_LENGTH = 120
CARD_ID_LENGTH = 48
"""Card ids are slugs of the front cut at a word boundary: long enough to recognise."""

_QUESTION = re.compile(r"^[ \t]*Q[.:](?:[ \t]+|$)(.*)$")
_ANSWER = re.compile(r"^[ \t]*A[.:](?:[ \t]+|$)(.*)$")


@dataclass(frozen=True, slots=True)
class PageCard:
    """One `Q.` / `A.` pair of a page."""

    line: int
    """The line of its `Q.`."""
    front: str
    back: str


@dataclass(frozen=True, slots=True)
class Page:
    """What a study page holds for a deck: its heading (when it has one) and its cards."""

    heading: str | None
    cards: tuple[PageCard, ...]


def _is_boilerplate(line: str) -> bool:
    return line.strip().rstrip(".:").strip().lower() in BOILERPLATE


def _heading(preamble: Sequence[str]) -> str | None:
    for line in preamble:
        text = line.strip()
        if not text or _is_boilerplate(text):
            continue
        looks_like_heading = len(text) <= MAX_HEADING_LENGTH and not text.endswith(".")
        return " ".join(text.split()) if looks_like_heading else None
    return None


def _clean(first: str, rest: Sequence[str]) -> str:
    """One block of card text: the marker line's remainder, then the lines after it.

    Trailing spaces, surrounding blank lines and trailing boilerplate go; runs of blank
    lines become one (a paragraph break); the common indentation of the lines goes.
    """
    body = textwrap.dedent("\n".join(line.rstrip() for line in rest)).split("\n")
    lines = [first.strip(), *body] if first.strip() else body
    while lines and (not lines[-1].strip() or _is_boilerplate(lines[-1])):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if not line.strip() and kept and not kept[-1]:
            continue
        kept.append(line if line.strip() else "")
    return "\n".join(kept)


def parse_page(text: str, name: str = "<page>") -> Page:
    """The heading and cards of a page's text (any line endings); DataError naming lines."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    preamble: list[str] = []
    cards: list[PageCard] = []
    errors: list[str] = []
    state = "preamble"
    start = 0
    first = ""
    front = ""
    block: list[str] = []

    def finish_card() -> None:
        back = _clean(first, block)
        if not front:
            errors.append(f"{name}:{start}: the question after 'Q.' is empty")
        elif not back:
            errors.append(f"{name}:{start}: the answer after 'A.' is empty")
        else:
            cards.append(PageCard(start, front, back))

    for number, line in enumerate(lines, start=1):
        question = _QUESTION.match(line)
        answer = _ANSWER.match(line) if question is None else None
        if question is not None:
            if state == "front":
                errors.append(f"{name}:{start}: this 'Q.' has no 'A.' answer")
            elif state == "back":
                finish_card()
            state, start, first, block = "front", number, question.group(1), []
        elif answer is not None:
            if state != "front":
                errors.append(f"{name}:{number}: an 'A.' answer without a 'Q.' question before it")
                continue
            front = _clean(first, block)
            state, first, block = "back", answer.group(1), []
        elif state == "preamble":
            preamble.append(line)
        else:
            block.append(line)
    if state == "front":
        errors.append(f"{name}:{start}: this 'Q.' has no 'A.' answer")
    elif state == "back":
        finish_card()
    if errors:
        raise DataError("\n".join(errors))
    if not cards:
        raise DataError(
            f"{name}: no cards found (a card is a line starting with 'Q.' and, after it, "
            "a line starting with 'A.')"
        )
    return Page(_heading(preamble), tuple(cards))


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def page_to_deck(page: Page, deck_id: str, title: str) -> Deck:
    """A deck of the page's cards, each with an id slugged from its front (unique)."""
    taken: set[str] = set()
    cards = [
        Card(
            id=_unique(slugify(card.front, max_length=CARD_ID_LENGTH) or "card", taken),
            front=card.front,
            back=card.back,
        )
        for card in page.cards
    ]
    return Deck(id=deck_id, title=title, cards=cards)


def read_page(path: Path) -> Page:
    """Read and parse a page file (UTF-8, any line endings)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(f"{path}: {size:,} bytes is over the {MAX_FILE_BYTES:,}-byte limit")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a page") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"{path}:{line}: the text is not UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save the page as UTF-8"
        ) from None
    return parse_page(text, str(path))


def _title_from_file(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip() or "Imported page"
    return words[0].upper() + words[1:]


def deck_from_page(
    path: Path, *, deck_id: str | None = None, title: str | None = None
) -> Deck:
    """The deck a page file becomes; id and title from the options, its heading or its name."""
    page = read_page(path)
    if deck_id is None:
        deck_id = (page.heading and slugify(page.heading)) or slugify(path.stem) or "imported"
    if title is None:
        title = page.heading or _title_from_file(path)
    return page_to_deck(page, deck_id, title)


def import_page(
    source: Path,
    output: Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    force: bool = False,
) -> Deck:
    """Turn a study page into a deck file; returns the deck written.

    An existing output is refused unless `force`; the deck is loaded back and checked
    before it is moved into place.
    """
    from studyapp.deck.writer import refuse_existing, write_deck_file

    if deck_id is not None:
        check_deck_id(deck_id)
    if title is not None and not title.strip():
        raise UsageError("--title must not be empty")
    refuse_existing(output, force=force)
    deck = deck_from_page(source, deck_id=deck_id, title=title)
    write_deck_file(deck, output, force=force)
    return deck
