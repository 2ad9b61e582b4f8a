"""Anki packages both ways: a deck to .apkg (`write_anki`), and .apkg/.colpkg to decks with their
review history (`read_anki`, `import_anki`).

Reading handles every form Anki and genanki write: `collection.anki2` (genanki, old Anki),
`collection.anki21` (Anki 2.1 "support older versions"), and the zstd-compressed
`collection.anki21b` of current Anki (where several are present the newest holds the data
and the others are stubs); media listed as JSON (old) or as zstd-compressed protobuf (new).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from studyapp.deck.models import Card, Deck, Question
from studyapp.deck.writer import slugify
from studyapp.errors import DataError, quoted
from studyapp.export.markdown import (
    Block,
    CodeBlock,
    ListBlock,
    ParagraphBlock,
    Span,
    parse,
)
from studyapp.formats.files import (
    TakenIds,
    control_character,
    drop_control_characters,
    require_regular,
    unique_id,
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


FIELD_SEPARATOR = "\x1f"
"""Anki stores a note's fields joined by this character (genanki joins them unescaped)."""


def _refuse_field_separator(deck: Deck, item: Question | Card) -> None:
    # The deck loader refuses control characters, so only a Deck built in code gets here;
    # written into a package the separator would split the field into extra fields.
    for text in (item.front, item.back, item.cloze if isinstance(item, Card) else None):
        if text is not None and FIELD_SEPARATOR in text:
            raise DataError(f"{deck.id}/{item.key}: the text holds U+001F, Anki's field "
                            "separator; remove it")


def _note(deck: Deck, item: Question | Card) -> AnkiNote:
    _refuse_field_separator(deck, item)
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
    import zipfile

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
    collection = _collection_bytes(genanki.Package(anki_deck))
    with atomic_output(path, force=force) as temporary, zipfile.ZipFile(temporary, "w") as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", "{}")  # no media files: an empty JSON list of them
    return len(notes)


def _collection_bytes(package: Any) -> bytes:
    """The package's collection database, built in memory.

    genanki's own `write_to_file` builds it in a `tempfile.mkstemp` file that it never
    removes (one leaked file per export, success or not) and fails with an SQLite error when
    TMPDIR is small; in memory, the output's own temporary file is the only file written.
    """
    import itertools
    import sqlite3
    import time

    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA temp_store = MEMORY")  # no spill files for sorts either
        timestamp = time.time()
        # As genanki's write_to_file does: note and card ids count up from the time in ms.
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


# -- reading a package -------------------------------------------------------------------

COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
"""Newest first: the first one present holds the data."""
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_UNPACKED_BYTES = 1 << 30
"""A package member is never unpacked beyond this (a zip or zstd bomb is refused)."""
DECK_SEPARATOR = "::"
TITLE_SEPARATOR = " / "
ITEM_ID_LENGTH = 48
OWN_NOTE_TYPE_PREFIX = "studyapp ("
"""Note types of our own Anki export: their last field, Kind, tells questions from cards."""
REVLOG_MANUAL = 4
"""revlog.type of a manual reschedule ("set due date", "forget"): not a review."""


@dataclass(frozen=True, slots=True)
class AnkiNoteType:
    """An Anki note type: its field names and whether it is a cloze type."""

    id: int
    name: str
    fields: tuple[str, ...]
    cloze: bool


@dataclass(frozen=True, slots=True)
class PackageNote:
    """One Anki note: its fields (HTML) and tags."""

    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackageCard:
    """One Anki card: which note, which deck, which template (`ord`)."""

    id: int
    note: int
    deck: int
    ord: int


@dataclass(frozen=True, slots=True)
class PackageReview:
    """One revlog row: when (ms since the epoch), which button, how long, what kind."""

    card: int
    time_ms: int
    ease: int
    duration_ms: int
    type: int


@dataclass(slots=True)
class AnkiPackage:
    """What an Anki package holds, read into plain records."""

    form: str
    """The collection file the data came from (collection.anki2, .anki21 or .anki21b)."""
    decks: dict[int, str]
    """Deck id -> full name, `Parent::Child`."""
    notetypes: dict[int, AnkiNoteType]
    notes: list[PackageNote]
    cards: list[PackageCard]
    revlog: list[PackageReview]
    media: dict[str, bytes]


def _unzstd(data: bytes, what: str) -> bytes:
    from studyapp.formats.files import require

    zstandard = require("zstandard", f"Reading {what}")
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data)
        out = reader.read(MAX_UNPACKED_BYTES + 1)
    except zstandard.ZstdError as error:
        raise DataError(f"{what}: not valid zstd data ({error})") from None
    if len(out) > MAX_UNPACKED_BYTES:
        raise DataError(f"{what}: unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
    return bytes(out)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data):
            raise ValueError("truncated varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def _protobuf(data: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message (varints and byte strings)."""
    fields: list[tuple[int, int | bytes]] = []
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
            fields.append((number, value))
        elif wire == 2:
            length, position = _varint(data, position)
            fields.append((number, data[position : position + length]))
            position += length
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return fields


def _media_names(raw: bytes, name: str) -> dict[str, str]:
    """Zip member -> media file name, from the package's `media` entry (JSON or protobuf)."""
    import json

    if raw.startswith(ZSTD_MAGIC):
        try:
            entries = _protobuf(_unzstd(raw, f"{name}: media"))
            names: dict[str, str] = {}
            for index, (_, entry) in enumerate(entries):
                assert isinstance(entry, bytes)
                fields = dict(_protobuf(entry))
                file_name = fields.get(1, b"")
                member = fields.get(255, index)
                assert isinstance(file_name, bytes)
                names[str(member)] = file_name.decode("utf-8")
            return names
        except (ValueError, AssertionError, UnicodeDecodeError):
            raise DataError(f"{name}: the media list cannot be read") from None
    try:
        listed = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise DataError(f"{name}: the media list cannot be read") from None
    if not isinstance(listed, dict):
        raise DataError(f"{name}: the media list cannot be read")
    return {str(member): str(file_name) for member, file_name in listed.items()}


def _safe_media_name(name: str) -> str | None:
    """A media file name usable inside `media/` (no folders, no dot files), or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if not base or base.startswith(".") or base != name or "\x00" in base:
        return None
    return base


def read_anki(path: Path) -> AnkiPackage:
    """Read an .apkg or .colpkg file; DataError (one line) when it is not one."""
    import sqlite3
    import tempfile
    import zipfile

    name = str(path)
    require_regular(path, "an Anki package")
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a folder, not an Anki package") from None
    except (zipfile.BadZipFile, OSError):
        raise DataError(f"{name}: not an Anki package (.apkg or .colpkg is a zip file)") from None
    with archive, tempfile.TemporaryDirectory() as folder:
        members = set(archive.namelist())
        form = next((candidate for candidate in COLLECTION_NAMES if candidate in members), None)
        if form is None:
            raise DataError(f"{name}: not an Anki package (no collection.anki2/anki21/anki21b)")

        def member(entry: str) -> bytes:
            info = archive.getinfo(entry)
            if info.file_size > MAX_UNPACKED_BYTES:
                raise DataError(f"{name}: {entry} is larger than {MAX_UNPACKED_BYTES:,} bytes")
            try:
                return archive.read(entry)
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                raise DataError(f"{name}: {entry} cannot be read ({error})") from None

        data = member(form)
        if form.endswith("b"):
            data = _unzstd(data, f"{name}: {form}")
        database = Path(folder) / "collection.sqlite"
        database.write_bytes(data)
        media: dict[str, bytes] = {}
        if "media" in members:
            for entry, file_name in _media_names(member("media"), name).items():
                safe = _safe_media_name(file_name)
                if safe is None or entry not in members:
                    continue
                content = member(entry)
                if content.startswith(ZSTD_MAGIC):
                    content = _unzstd(content, f"{name}: media {file_name}")
                media[safe] = content
        try:
            conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
            try:
                package = _read_collection(conn, form, media)
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise DataError(f"{name}: {form} is not a readable Anki collection ({error})") from None
    return package


def _read_collection(conn: Any, form: str, media: dict[str, bytes]) -> AnkiPackage:
    import json

    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    decks: dict[int, str] = {}
    notetypes: dict[int, AnkiNoteType] = {}
    if "notetypes" in tables:  # schema 18 (current Anki): one table per kind of record
        for deck_id, deck_name in conn.execute("SELECT id, name FROM decks"):
            decks[int(deck_id)] = str(deck_name).replace("\x1f", DECK_SEPARATOR)
        field_names: dict[int, list[tuple[int, str]]] = {}
        for notetype, order, field_name in conn.execute("SELECT ntid, ord, name FROM fields"):
            field_names.setdefault(int(notetype), []).append((int(order), str(field_name)))
        for notetype, type_name, config in conn.execute(
            "SELECT id, name, config FROM notetypes"
        ):
            try:
                kind = dict(_protobuf(bytes(config or b""))).get(1, 0)
            except ValueError:
                kind = 0
            names = tuple(n for _, n in sorted(field_names.get(int(notetype), [])))
            notetypes[int(notetype)] = AnkiNoteType(int(notetype), str(type_name), names, kind == 1)
    else:  # schema 11: decks and note types as JSON in the col row
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        for deck in json.loads(decks_json).values():
            decks[int(deck["id"])] = str(deck["name"])
        for model in json.loads(models_json).values():
            fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
            notetypes[int(model["id"])] = AnkiNoteType(
                int(model["id"]), str(model.get("name", "")),
                tuple(str(f.get("name", "")) for f in fields), model.get("type", 0) == 1,
            )
    notes = [
        PackageNote(int(note_id), str(guid), int(mid), tuple(str(flds).split("\x1f")),
                    tuple(str(tags).split()))
        for note_id, guid, mid, tags, flds in conn.execute(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
        )
    ]
    cards = [
        PackageCard(int(card_id), int(nid), int(did), int(order))
        # A card in a filtered deck keeps its home deck in odid.
        for card_id, nid, did, order in conn.execute(
            "SELECT id, nid, CASE WHEN odid != 0 THEN odid ELSE did END, ord FROM cards "
            "ORDER BY id"
        )
    ]
    revlog = [
        PackageReview(int(cid), int(time_ms), int(ease), int(duration or 0), int(kind))
        for time_ms, cid, ease, duration, kind in conn.execute(
            "SELECT id, cid, ease, time, type FROM revlog ORDER BY id"
        )
    ]
    return AnkiPackage(form, decks, notetypes, notes, cards, revlog, media)


# -- a package as decks ------------------------------------------------------------------

_CLOZE_MARK = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*["']?)([^"'\s>]+)""", re.I)


def field_markdown(html_text: str) -> str:
    """An Anki field (HTML) as deck Markdown, converted by markdownify.

    Images point into the library's `media/` folder; `[sound:...]` stays as Anki wrote it.
    """
    from studyapp.formats.files import require

    markdownify = require("markdownify", "Importing from Anki").markdownify
    html_text = _IMG_SRC.sub(lambda m: m.group(1) + "media/" + m.group(2), html_text)
    text = str(markdownify(html_text, heading_style="ATX", bullets="-"))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(slots=True)
class ImportedDeck:
    """One deck file to write: its data and where its Anki cards went."""

    data: dict[str, Any]
    anki_name: str


@dataclass(slots=True)
class AnkiImport:
    """What a package becomes: decks, media, the review history plan, and warnings."""

    decks: list[ImportedDeck]
    media: dict[str, bytes]
    identities: dict[int, tuple[str, str, str]]
    """Anki card id -> (deck id, item id, kind) of the review item it became (the kinds the
    review engine logs: question, card, reverse, cloze)."""
    revlog: list[PackageReview]
    warnings: list[str]


def deck_title(anki_name: str) -> str:
    """`Parent::Child` as a readable title."""
    parts = [part.strip() for part in anki_name.split(DECK_SEPARATOR) if part.strip()]
    return TITLE_SEPARATOR.join(parts) or "Anki"




def package_to_decks(package: AnkiPackage, name: str) -> AnkiImport:
    """Turn the package's notes into deck data: one deck per Anki deck that has notes."""
    warnings: list[str] = []
    cards_of: dict[int, list[PackageCard]] = {}
    for card in package.cards:
        cards_of.setdefault(card.note, []).append(card)
    decks: dict[int, ImportedDeck] = {}
    deck_ids = TakenIds()
    item_ids: dict[int, TakenIds] = {}
    identities: dict[int, tuple[str, str, str]] = {}
    dropped_fields: dict[str, set[str]] = {}
    for note in package.notes:
        cards = sorted(cards_of.get(note.id, []), key=lambda c: c.ord)
        if not cards:
            continue
        notetype = package.notetypes.get(note.notetype)
        if notetype is None:
            warnings.append(f"{name}: note {note.id} has an unknown note type; skipped")
            continue
        anki_deck = cards[0].deck
        if anki_deck not in decks:
            anki_name = package.decks.get(anki_deck, f"Deck {anki_deck}")
            deck_id = unique_id(slugify(anki_name.replace(DECK_SEPARATOR, " "))
                              or f"anki-{anki_deck}", deck_ids)
            title = deck_title(anki_name)
            if control_character(title) is not None:
                title = drop_control_characters(title).strip() or "Anki"
                warnings.append(f"{name}: the Anki deck {quoted(title, 60)} has control "
                                "characters in its name; they are left out of the title")
            decks[anki_deck] = ImportedDeck(
                {"id": deck_id, "title": title, "cards": []}, anki_name
            )
            item_ids[anki_deck] = TakenIds()
        deck = decks[anki_deck]
        fields = [field_markdown(value) for value in note.fields]
        control = next(filter(None, map(control_character, (*fields, *note.tags))), None)
        if control is not None:
            # A deck may not hold it (the loader refuses control characters); a package
            # cannot be edited where it stands, so the note is left out and named.
            warnings.append(f"{name}: note {note.id} holds the control character {control} "
                            "(in a field or tag); skipped")
            continue
        kind = ""
        if notetype.name.startswith(OWN_NOTE_TYPE_PREFIX) and len(fields) > 2:
            kind = fields.pop()  # our own export: the Kind field says question or card
        tags = list(dict.fromkeys(tag for tag in note.tags if tag))
        entry: dict[str, Any]
        if notetype.cloze:
            text = fields[0] if fields else ""
            if not _CLOZE_MARK.search(text):
                warnings.append(f"{name}: cloze note {note.id} has no {{{{c1::...}}}}; skipped")
                continue
            extra = [value for value in fields[1:] if value]
            label = _CLOZE_MARK.sub(lambda m: m.group(2), text)
            entry = {"id": unique_id(slugify(label, max_length=ITEM_ID_LENGTH)
                                   or f"note-{note.id}", item_ids[anki_deck]),
                     "cloze": "\n\n".join([text, *extra])}
            for card in cards:
                identities[card.id] = (deck.data["id"], f"{entry['id']}#c{card.ord + 1}",
                                       "cloze")
        else:
            front = fields[0] if fields else ""
            back = fields[1] if len(fields) > 1 else ""
            if not front or not back:
                warnings.append(f"{name}: note {note.id} ({notetype.name}) has an empty "
                                f"{'front' if not front else 'back'}; skipped")
                continue
            left_out = [notetype.fields[i] if i < len(notetype.fields) else f"field {i + 1}"
                        for i, value in enumerate(fields[2:], start=2) if value]
            if left_out:
                dropped_fields.setdefault(notetype.name, set()).update(left_out)
            entry = {"id": unique_id(slugify(front, max_length=ITEM_ID_LENGTH)
                                   or f"note-{note.id}", item_ids[anki_deck]),
                     "front": front, "back": back}
            if kind == "question":
                entry = {"id": entry["id"], "prompt": front, "answer": back}
                if tags:
                    entry["tags"] = tags
                deck.data.setdefault("questions", []).append(entry)
                if cards[0].ord == 0:
                    identities[cards[0].id] = (deck.data["id"], entry["id"], "question")
                continue
            ords = {card.ord for card in cards}
            if 1 in ords and 0 in ords:
                entry["reversed"] = True
            for card in cards:
                # Other templates of other note types have no item here: no history either.
                if card.ord == 0:
                    identities[card.id] = (deck.data["id"], entry["id"], "card")
                elif card.ord == 1 and entry.get("reversed"):
                    identities[card.id] = (deck.data["id"], f"{entry['id']}#reverse", "reverse")
        if tags:
            entry["tags"] = tags
        deck.data["cards"].append(entry)
    for type_name, names in sorted(dropped_fields.items()):
        warnings.append(f"{name}: note type {quoted(type_name, 60)}: only the first two fields "
                        f"come across; not imported: {', '.join(sorted(names))}")
    for deck in decks.values():
        if "questions" in deck.data:  # the documented key order: questions before cards
            deck.data = {"id": deck.data["id"], "title": deck.data["title"],
                         "questions": deck.data["questions"], "cards": deck.data["cards"]}
    imported = [deck for deck in decks.values() if deck.data["cards"] or
                deck.data.get("questions")]
    if not imported:
        raise DataError(f"{name}: the package holds no notes to import")
    return AnkiImport(imported, dict(package.media), identities, list(package.revlog), warnings)


def replay_history(
    imported: AnkiImport, scheduler: Any
) -> list[tuple[Any, str, list[tuple[Any, Any, int | None, Any]]]]:
    """Each imported card's Anki reviews replayed through our FSRS scheduler, in time order.

    Manual reschedules and rows without a button are not reviews; durations are Anki's
    (capped by Anki itself at its answer-time limit).
    """
    from datetime import UTC, datetime

    from studyapp.schedule import Rating
    from studyapp.store import Identity

    by_card: dict[int, list[PackageReview]] = {}
    for review in imported.revlog:
        if review.card in imported.identities and 1 <= review.ease <= 4 and \
                review.type != REVLOG_MANUAL:
            by_card.setdefault(review.card, []).append(review)
    histories: list[tuple[Any, str, list[tuple[Any, Any, int | None, Any]]]] = []
    for card_id, reviews in by_card.items():
        deck_id, item_id, kind = imported.identities[card_id]
        state = None
        rows: list[tuple[Any, Any, int | None, Any]] = []
        for review in sorted(reviews, key=lambda r: r.time_ms):
            moment = datetime.fromtimestamp(review.time_ms / 1000, tz=UTC)
            rating = Rating(review.ease)
            state = scheduler.apply(state, rating, moment, card_id=card_id)
            rows.append((rating, moment, max(0, review.duration_ms) or None, state))
        histories.append((Identity(deck_id, item_id), kind, rows))
    return histories


@dataclass(slots=True)
class AnkiResult:
    """What `import_anki` wrote."""

    decks: list[tuple[Path, dict[str, Any]]]
    media: list[Path]
    history_items: int
    history_reviews: int
    history_skipped: int
    warnings: list[str]


def import_anki(
    source: Path,
    library: Path,
    *,
    force: bool = False,
    store: Any = None,
) -> AnkiResult:
    """Import an Anki package into `library`: one deck file per Anki deck, media into
    `media/`, and (with a review `store`) the review history replayed through FSRS.

    Existing deck files are refused unless `force`; every deck is checked before it is
    moved into place. Media files that exist with other content are refused the same way.
    """
    from studyapp.atomicfile import check_target
    from studyapp.deck.writer import atomic_output, refuse_existing
    from studyapp.formats.files import require, write_data

    require("markdownify", "Importing from Anki")  # the one-line hint before any work
    if library.exists() and not library.is_dir():
        raise DataError(f"{library}: is a file, not a library folder")
    package = read_anki(source)
    imported = package_to_decks(package, str(source))
    decks_folder = library / "decks"
    targets = [(decks_folder / f"{deck.data['id']}.yaml", deck) for deck in imported.decks]
    for target, _ in targets:
        refuse_existing(target, force=force)
    media_folder = library / "media"
    media_targets = []
    for file_name, content in sorted(imported.media.items()):
        target = media_folder / file_name
        check_target(target)  # a FIFO there would block the comparison, a device never end
        if target.exists() and not force and target.read_bytes() != content:
            raise DataError(f"{target}: already exists (use --force to overwrite it)")
        media_targets.append((target, content))
    try:
        decks_folder.mkdir(parents=True, exist_ok=True)
        if media_targets:
            media_folder.mkdir(exist_ok=True)
    except OSError as error:
        raise DataError(f"{library}: cannot create folders here ({error.strerror})") from None
    warnings = list(imported.warnings)
    written: list[tuple[Path, dict[str, Any]]] = []
    for target, deck in targets:
        write_data(deck.data, target, "deck", force=force)
        written.append((target, deck.data))
    for target, content in media_targets:
        with atomic_output(target, force=True) as temporary:
            temporary.write_bytes(content)
    if media_targets:
        warnings.append(
            f"{source}: {len(media_targets)} media file(s) copied to {media_folder} "
            f"(kept as references in the text; studyapp shows no images or sounds): "
            + ", ".join(target.name for target, _ in media_targets)
        )
    items = reviews = skipped = 0
    if store is not None:
        histories = replay_history(imported, store.scheduler)
        done = set(store.import_history(histories))
        items, skipped = len(done), len(histories) - len(done)
        reviews = sum(len(rows) for identity, _, rows in histories if identity in done)
    return AnkiResult(written, [t for t, _ in media_targets], items, reviews, skipped, warnings)
