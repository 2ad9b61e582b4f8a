"""Anki's "Notes in Plain Text" export and two-column term/definition files (Quizlet) as decks.

Anki's text files open with `#key:value` lines: `#separator:` (tab, comma, semicolon,
space, pipe, colon or one character), `#html:` (fields are HTML, converted to Markdown),
`#columns:` (column names), `#tags column:`, `#deck column:`, `#notetype column:` and
`#guid column:` (1-based). The other columns are the note's fields, the first two being
front and back; a Cloze note type gives a cloze card, "Basic (and reversed card)" a
reversed card. A file without those lines is two columns, term and definition, split at
the first tab (Quizlet's default) or at `--separator`; a line without the separator
continues the definition above it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studyapp.deck.writer import slugify
from studyapp.deck.yamlread import MAX_FILE_BYTES
from studyapp.errors import DataError, UsageError, quoted
from studyapp.formats.files import (
    TakenIds,
    control_character,
    deck_naming,
    decode_text,
    read_input,
    unique_id,
)

SEPARATOR_NAMES = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
HEADER = re.compile(r"^#([a-z ]+):(.*)$")
KNOWN_HEADERS = frozenset({
    "separator", "html", "columns", "tags column", "deck column", "notetype column",
    "guid column", "notetype", "deck", "tags", "if matches",
})
ITEM_ID_LENGTH = 48
_CLOZE = re.compile(r"\{\{c\d+::")


@dataclass(slots=True)
class TextImport:
    """The deck a text file becomes, and what could not be placed."""

    deck: dict[str, Any]
    warnings: list[str]


def separator_from(value: str) -> str:
    """A `#separator:` value or `--separator` as the character itself."""
    name = value.strip().lower()
    if name in SEPARATOR_NAMES:
        return SEPARATOR_NAMES[name]
    return "\t" if value == "\\t" else value


def _decode(raw: bytes, name: str) -> str:
    return decode_text(raw, name, "text", "export the file as UTF-8")




def _column(headers: dict[str, str], key: str, name: str) -> int | None:
    value = headers.get(key)
    if value is None:
        return None
    number = value.strip()
    # isdigit() alone lets "²" and a 5,000-digit number through to int(), which refuses them
    if not (number.isascii() and number.isdigit() and len(number) <= 6) or int(number) < 1:
        shown = value if value.isprintable() and len(value) <= 40 else quoted(value)
        raise DataError(f"{name}: #{key}:{shown} is not a column number (1, 2, ...)")
    return int(number) - 1


def parse_text(
    text: str, name: str, *, separator: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The cards of an Anki text export or a two-column file, and the warnings."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    first = 0
    for index, line in enumerate(lines):
        match = HEADER.match(line)
        if match is None:
            break
        key = match.group(1).strip().lower()
        if key not in KNOWN_HEADERS:
            break
        headers[key] = match.group(2)
        first = index + 1
    for number, line in enumerate(lines[:first], start=1):
        control = control_character(line)
        if control is not None:  # a `#tags:` value goes into every card
            raise DataError(f"{name}:{number}: the text holds the control character "
                            f"{control}; remove it")
    warnings: list[str] = []
    if headers:
        rows = _anki_rows(lines, first, headers, name, separator)
    else:
        rows = _two_column_rows(lines, name, separator)
    html = headers.get("html", "false").strip().lower() == "true"
    tags_at = _column(headers, "tags column", name)
    deck_at = _column(headers, "deck column", name)
    type_at = _column(headers, "notetype column", name)
    guid_at = _column(headers, "guid column", name)
    special = {i for i in (tags_at, deck_at, type_at, guid_at) if i is not None}
    global_tags = headers.get("tags", "").split()
    convert = _html_converter() if html else None
    cards: list[dict[str, Any]] = []
    taken = TakenIds()
    decks: set[str] = set()
    for number, cells in rows:
        # No `'` is taken off a field that begins with `'=` and the like: Anki's text export
        # writes fields as they are, so here it is the note's text (only `import csv` undoes
        # the `'` that our CSV export puts before formula-like cells).
        fields = [cell for i, cell in enumerate(cells) if i not in special]
        if convert is not None:
            fields = [convert(cell) for cell in fields]
        else:
            fields = [cell.strip() for cell in fields]
        for cell_text in (*fields, *cells):  # fields after HTML conversion (`&#31;`: U+001F)
            control = control_character(cell_text)
            if control is not None:  # refused here, at the file's line, not in the YAML made
                raise DataError(f"{name}:{number}: the text holds the control character "
                                f"{control}; remove it")
        notetype = cells[type_at] if type_at is not None and type_at < len(cells) else ""
        if deck_at is not None and deck_at < len(cells):
            decks.add(cells[deck_at])
        tags = list(global_tags)
        if tags_at is not None and tags_at < len(cells):
            tags.extend(cells[tags_at].split())
        front = fields[0] if fields else ""
        back = fields[1] if len(fields) > 1 else ""
        entry: dict[str, Any]
        if "cloze" in notetype.lower() or (not notetype and _CLOZE.search(front) and not back):
            if not _CLOZE.search(front):
                warnings.append(f"{name}:{number}: a cloze note without {{{{c1::...}}}}; "
                                "skipped")
                continue
            label = re.sub(r"\{\{c\d+::(.*?)(?:::.*?)?\}\}", r"\1", front)
            entry = {"id": unique_id(slugify(label, max_length=ITEM_ID_LENGTH) or "cloze", taken),
                     "cloze": "\n\n".join(filter(None, [front, *fields[1:]]))}
        else:
            if not front or not back:
                warnings.append(f"{name}:{number}: the {'front' if not front else 'back'} is "
                                "empty; skipped")
                continue
            if len(fields) > 2 and any(fields[2:]):
                warnings.append(f"{name}:{number}: only the first two fields come across "
                                f"({len(fields)} given)")
            entry = {"id": unique_id(slugify(front, max_length=ITEM_ID_LENGTH) or "card", taken),
                     "front": front, "back": back}
            if "reversed" in notetype.lower() and "optional" not in notetype.lower():
                entry["reversed"] = True
        if tags:
            entry["tags"] = list(dict.fromkeys(tags))
        cards.append(entry)
    if len(decks) > 1:
        warnings.append(f"{name}: {len(decks)} Anki decks ({', '.join(sorted(decks))}) go into "
                        "one deck file")
    if not cards:
        raise DataError(f"{name}: no cards found (a line is a term, a tab, and its definition)")
    return cards, warnings


def _anki_rows(
    lines: list[str], first: int, headers: dict[str, str], name: str, override: str | None
) -> list[tuple[int, list[str]]]:
    delimiter = separator_from(override or headers.get("separator", "tab"))
    if len(delimiter) != 1:
        raise DataError(f"{name}: #separator:{headers.get('separator')} is not a separator")
    body = "\n".join(lines[first:])
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    while True:
        number = first + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise DataError(f"{name}:{number}: not valid {headers.get('separator', 'tab')}-"
                            f"separated text ({error})") from None
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
    return rows


def _two_column_rows(
    lines: list[str], name: str, separator: str | None
) -> list[tuple[int, list[str]]]:
    delimiter = separator_from(separator) if separator else "\t"
    if not delimiter:
        raise UsageError("--separator must not be empty")
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if delimiter in line:
            term, definition = line.split(delimiter, 1)
            rows.append((number, [term, definition]))
        elif rows:
            rows[-1][1][1] += "\n" + line  # Quizlet keeps a definition's line breaks
        else:
            shown = "a tab" if delimiter == "\t" else repr(delimiter)
            raise DataError(
                f"{name}:{number}: no {shown} between term and definition "
                "(give the file's separator with --separator)"
            )
    return rows


def _html_converter() -> Any:
    from studyapp.formats.anki import field_markdown

    return field_markdown


def read_text_deck(
    path: Path, deck_id: str, title: str, *, separator: str | None = None
) -> TextImport:
    """Read a text export into deck data (nothing written)."""
    raw = read_input(path, MAX_FILE_BYTES, "a text export")
    cards, warnings = parse_text(_decode(raw, str(path)), str(path), separator=separator)
    return TextImport({"id": deck_id, "title": title, "cards": cards}, warnings)


def import_text(
    source: Path,
    output: Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    separator: str | None = None,
    force: bool = False,
) -> TextImport:
    """Turn an Anki text export or a two-column file into a deck file; what was written."""
    from studyapp.deck.writer import refuse_existing
    from studyapp.formats.files import write_data

    deck_id, title = deck_naming(source, output, deck_id, title)
    if separator is not None and not separator:
        raise UsageError("--separator must not be empty")
    refuse_existing(output, force=force)
    imported = read_text_deck(source, deck_id, title, separator=separator)
    write_data(imported.deck, output, "deck", force=force)
    return imported
