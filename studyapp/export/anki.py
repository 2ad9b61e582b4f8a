"""Export a deck's questions and cards to an Anki package (.apkg) with stable identities."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from studyapp.deck.models import Card, Deck, Question
from studyapp.errors import DataError
from studyapp.export.markdown import (
    Block,
    CodeBlock,
    ListBlock,
    ParagraphBlock,
    Span,
    parse,
)

MISSING_GENANKI = "Anki export needs genanki: install studyapp[anki] (pip install 'studyapp[anki]')"
NOTE_TYPE_NAME = "studyapp (front/back, v1)"
"""Anki keys note types by id: a new field layout needs a new name, hence a new id."""
REVERSED_NOTE_TYPE_NAME = "studyapp (front/back and reverse, v1)"
"""`reversed: true` cards: the same fields, a second card template from back to front."""
CLOZE_NOTE_TYPE_NAME = "studyapp (cloze, v1)"
"""Cloze cards: an Anki cloze note type, one Anki card per deletion number."""
GUID_NAMESPACE = "studyapp"

CARD_CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  text-align: left;
  color: black;
  background-color: white;
  max-width: 40em;
  margin: 0 auto;
}
.kind { font-size: 0.7em; color: #888; text-transform: uppercase; letter-spacing: 0.05em; }
code { font-family: Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
.nightMode pre { background: #333; }
"""
FRONT_TEMPLATE = '<div class="kind">{{Kind}}</div>\n{{Front}}'
BACK_TEMPLATE = '{{FrontSide}}\n<hr id="answer">\n{{Back}}'
REVERSE_FRONT_TEMPLATE = '<div class="kind">{{Kind}} (reverse)</div>\n{{Back}}'
REVERSE_BACK_TEMPLATE = '{{FrontSide}}\n<hr id="answer">\n{{Front}}'
CLOZE_FRONT_TEMPLATE = '<div class="kind">{{Kind}}</div>\n{{cloze:Text}}'
CLOZE_BACK_TEMPLATE = '<div class="kind">{{Kind}}</div>\n{{cloze:Text}}\n{{Back Extra}}'
CLOZE_CSS = CARD_CSS + ".cloze { font-weight: bold; color: #0645ad; }\n"
NoteType = Literal["basic", "reversed", "cloze"]


def stable_anki_id(*parts: str) -> int:
    """A 31-bit id from our names, in the range genanki recommends ([2^30, 2^31))."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return (1 << 30) + int.from_bytes(digest, "big") % (1 << 30)


def note_type_id(name: str = NOTE_TYPE_NAME) -> int:
    """The id of one of studyapp's Anki note types (front/back by default)."""
    return stable_anki_id(GUID_NAMESPACE, "note-type", name)


NOTE_TYPE_NAMES: dict[NoteType, str] = {
    "basic": NOTE_TYPE_NAME,
    "reversed": REVERSED_NOTE_TYPE_NAME,
    "cloze": CLOZE_NOTE_TYPE_NAME,
}


def anki_deck_id(deck: Deck) -> int:
    """The Anki deck id of one of our decks: the same deck id always gives the same number."""
    return stable_anki_id(GUID_NAMESPACE, "deck", deck.id)


def note_guid(deck: Deck, item: Question | Card) -> str:
    """The note's GUID from our identity (deck id, item key): re-imports update the note."""
    joined = "\x1f".join((GUID_NAMESPACE, deck.id, item.key))
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=8).hexdigest()


def anki_tag(tag: str) -> str:
    """One of our tags as an Anki tag: Anki separates tags by spaces, so spaces become `_`."""
    return re.sub(r"\s+", "_", tag.strip())


def note_tags(deck: Deck, item: Question | Card) -> list[str]:
    """The deck's tags then the item's, as Anki tags, without repeats."""
    seen: dict[str, None] = {}
    for tag in (*deck.tags, *item.tags):
        converted = anki_tag(tag)
        if converted:
            seen.setdefault(converted, None)
    return list(seen)


# -- Markdown to HTML ----------------------------------------------------------------------


def _span_html(span: Span) -> str:
    # Escaping comes first: `<b>x</b>` typed in a deck is shown literally, never as markup.
    text = html.escape(span.text, quote=False).replace("\n", "<br>")
    if span.code:
        text = f"<code>{text}</code>"
    if span.italic:
        text = f"<i>{text}</i>"
    if span.bold:
        text = f"<b>{text}</b>"
    return text


def _spans_html(spans: Iterable[Span]) -> str:
    return "".join(_span_html(span) for span in spans)


def _blocks_html(blocks: Sequence[Block], *, tight: bool = False) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            inner = _spans_html(block.spans)
            parts.append(inner if tight else f"<p>{inner}</p>")
        elif isinstance(block, CodeBlock):
            parts.append(f"<pre><code>{html.escape(block.text, quote=False)}</code></pre>")
        else:
            parts.append(_list_html(block))
    return "".join(parts)


def _list_html(block: ListBlock) -> str:
    items = "".join(f"<li>{_blocks_html(item, tight=block.tight)}</li>" for item in block.items)
    if not block.ordered:
        return f"<ul>{items}</ul>"
    start = f' start="{block.start}"' if block.start != 1 else ""
    return f"<ol{start}>{items}</ol>"


def markdown_to_html(text: str) -> str:
    """Deck text (our Markdown subset) as simple HTML for an Anki field."""
    return _blocks_html(parse(text))


# -- the package -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnkiNote:
    """One note as it goes into the package (what a test or a preview can inspect)."""

    guid: str
    kind: str
    front_html: str
    """The front, or for a cloze note its text (Anki's `{{c1::...}}` markers kept)."""
    back_html: str
    """The back; empty for a cloze note (its "Back Extra")."""
    tags: tuple[str, ...]
    note_type: NoteType = "basic"


def _note(deck: Deck, item: Question | Card) -> AnkiNote:
    guid, tags = note_guid(deck, item), tuple(note_tags(deck, item))
    if isinstance(item, Card) and item.cloze is not None:
        # Markdown leaves the {{cN::text::hint}} markers alone: Anki's cloze template reads them.
        return AnkiNote(guid, "cloze", markdown_to_html(item.cloze), "", tags, "cloze")
    note_type: NoteType = "reversed" if isinstance(item, Card) and item.reversed else "basic"
    return AnkiNote(guid, item.kind, markdown_to_html(item.front or ""),
                    markdown_to_html(item.back or ""), tags, note_type)


def deck_notes(deck: Deck) -> list[AnkiNote]:
    """The deck's questions then cards as Anki notes, in deck order."""
    items: list[Question | Card] = [*deck.questions, *deck.cards]
    return [_note(deck, item) for item in items]


def require_genanki() -> Any:
    """The genanki module, or a one-line DataError saying how to install it."""
    try:
        import genanki
    except ImportError:
        raise DataError(MISSING_GENANKI) from None
    return genanki


def _note_types(genanki: Any) -> dict[NoteType, Any]:
    fields = [{"name": "Front"}, {"name": "Back"}, {"name": "Kind"}]
    forward = {"name": "Card 1", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}
    reverse = {"name": "Card 2", "qfmt": REVERSE_FRONT_TEMPLATE, "afmt": REVERSE_BACK_TEMPLATE}
    return {
        "basic": genanki.Model(note_type_id(), NOTE_TYPE_NAME, fields=fields,
                               templates=[forward], css=CARD_CSS),
        "reversed": genanki.Model(
            note_type_id(REVERSED_NOTE_TYPE_NAME), REVERSED_NOTE_TYPE_NAME, fields=fields,
            templates=[forward, reverse], css=CARD_CSS,
        ),
        "cloze": genanki.Model(
            note_type_id(CLOZE_NOTE_TYPE_NAME), CLOZE_NOTE_TYPE_NAME,
            fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Kind"}],
            templates=[{"name": "Cloze", "qfmt": CLOZE_FRONT_TEMPLATE,
                        "afmt": CLOZE_BACK_TEMPLATE}],
            css=CLOZE_CSS, model_type=genanki.Model.CLOZE,
        ),
    }


def write_anki(deck: Deck, path: Path, *, force: bool = True) -> int:
    """Write the deck's questions and cards to `path` (.apkg), atomically; the note count.

    Exercises are not exported: Anki has no numeric grading. The package is replaced
    whole; with `force=False` an existing file is refused.
    """
    from studyapp.deck.writer import atomic_output

    genanki = require_genanki()
    note_types = _note_types(genanki)
    description = markdown_to_html(deck.description) if deck.description else ""
    anki_deck = genanki.Deck(anki_deck_id(deck), deck.title, description=description)
    notes = deck_notes(deck)
    for note in notes:
        anki_deck.add_note(
            genanki.Note(
                model=note_types[note.note_type],
                fields=[note.front_html, note.back_html, note.kind],
                guid=note.guid,
                tags=list(note.tags),
            )
        )
    with atomic_output(path, force=force) as temporary:
        genanki.Package(anki_deck).write_to_file(str(temporary))
    return len(notes)
