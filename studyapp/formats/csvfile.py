"""CSV export and import of a deck's questions and cards: an exact spreadsheet round trip.

The file is UTF-8 (a byte-order mark is accepted on import, none is written). It opens
with the header lines Anki's importer reads (`#separator:comma`, `#html:false`,
`#notetype:Basic`, `#tags column:5`, then `#columns:kind,id,Front,Back,tags`, with
`,fact` when an item has one), so Anki takes it as comma-separated Basic notes with the
front, back and tags in place and no header note; a spreadsheet shows the header lines as
rows above the data. A plain header row `kind,id,front,back,tags` (older exports,
hand-made sheets) is read as well.

`kind` is `question`, `card`, `reversed` (a card also reviewed back to front) or `cloze`
(a cloze card: its text in `front`, `back` empty); for a question, `front` is its prompt
and `back` its answer. `fact` (optional on import) is the sibling key. `tags` are
separated by spaces, as in Anki; when one of a row's tags holds a space the row's tags
are separated by semicolons instead (`my tag; other`, with a final `;` when there is one
tag), which every import of ours reads back. An empty `id` means "derived from the front
text". Text is kept exactly: newlines, quotes, commas and symbols included.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studyapp.deck.models import Card, Deck, Question
from studyapp.deck.yamlread import MAX_FILE_BYTES
from studyapp.errors import DataError, quoted
from studyapp.formats.files import deck_naming, decode_text, read_input

COLUMNS = ("kind", "id", "front", "back", "tags", "fact")
ANKI_HEADER = "#separator:comma\r\n#html:false\r\n#notetype:Basic\r\n#tags column:5\r\n"
COLUMNS_LINE = "#columns:"
ANKI_FIELD_NAMES = {"front": "Front", "back": "Back"}
"""Anki maps columns to the Basic note type's fields by name, and case matters there."""
REQUIRED_COLUMNS = ("kind", "front", "back")
KINDS = ("question", "card", "reversed", "cloze")
TAG_SEPARATOR = ";"
MAX_REPORTED_ERRORS = 20


# -- export ------------------------------------------------------------------------------


def _tags_cell(tags: Sequence[str], where: str) -> str:
    for tag in tags:
        if TAG_SEPARATOR in tag or tag != tag.strip():
            raise DataError(
                f"{where}: the tag {tag!r} cannot go into CSV (tags there are separated by "
                f"spaces or '{TAG_SEPARATOR}' and trimmed)"
            )
    if not any(len(tag.split()) > 1 for tag in tags):
        return " ".join(tags)  # Anki's way
    return f"{TAG_SEPARATOR} ".join(tags) + (TAG_SEPARATOR if len(tags) == 1 else "")


def deck_rows(deck: Deck) -> list[dict[str, str]]:
    """The deck's questions then cards as CSV rows (column name → cell)."""
    rows: list[dict[str, str]] = []
    items: list[Question | Card] = [*deck.questions, *deck.cards]
    for item in items:
        kind, front, back = item.kind, item.front or "", item.back or ""
        if isinstance(item, Card) and item.cloze is not None:
            kind, front, back = "cloze", item.cloze, ""
        elif isinstance(item, Card) and item.reversed:
            kind = "reversed"
        rows.append(
            {
                "kind": kind,
                "id": item.id or "",
                "front": front,
                "back": back,
                "tags": _tags_cell(item.tags, f"{deck.id}/{item.key}"),
                "fact": item.fact or "",
            }
        )
    return rows


def deck_to_csv(deck: Deck) -> str:
    """The CSV text of the deck's questions and cards (exercises are not part of it)."""
    buffer = io.StringIO(newline="")
    rows = deck_rows(deck)
    # Version-1 decks (no facts) keep the five columns older files and spreadsheets have.
    columns = COLUMNS if any(row["fact"] for row in rows) else COLUMNS[:-1]
    buffer.write(ANKI_HEADER)
    buffer.write(COLUMNS_LINE + ",".join(ANKI_FIELD_NAMES.get(c, c) for c in columns) + "\r\n")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n",
                            extrasaction="ignore")
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(deck: Deck, path: Path, *, force: bool = True) -> int:
    """Write the deck's questions and cards to `path` atomically; the number of rows."""
    from studyapp.deck.writer import atomic_output

    text = deck_to_csv(deck)
    with atomic_output(path, force=force) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
    return len(deck.questions) + len(deck.cards)


# -- import ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row, with the line of the file where it starts."""

    line: int
    cells: dict[str, str]


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of every CSV record."""
    # The default limit (128 KiB a cell) is below what a deck file may hold.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise DataError(f"{start}: not valid CSV ({error})") from None
        # Spreadsheets write line breaks inside a cell as CRLF; deck text has plain ones
        # (and refuses a lone CR), and our own export never writes a CR inside a cell.
        yield start, [cell.replace("\r\n", "\n").replace("\r", "\n") for cell in record]




def _decode(raw: bytes, name: str) -> str:
    return decode_text(raw, name, "CSV", "save the file as UTF-8 CSV")


def read_csv_rows(text: str, name: str) -> list[CsvRow]:
    """The data rows of a CSV text, refusing a bad header (`NAME:1: missing column 'front'`)."""
    records = _records(text)
    try:
        header_line, header = next(records)
        # Anki's header lines (`#separator:comma`, ...) come first; `#columns:` names them.
        while header and header[0].startswith("#") and not header[0].startswith(COLUMNS_LINE):
            if header[0].lower().startswith("#separator:") and header[0].lower() not in (
                "#separator:comma", "#separator:,"
            ):
                raise DataError(f"{name}:{header_line}: {header[0]} is Anki's text export; "
                                "it is read by: studyapp import text")
            header_line, header = next(records)
    except StopIteration:
        raise DataError(
            f"{name}:1: the file is empty (expected the header {','.join(COLUMNS)})"
        ) from None
    except DataError as error:
        raise DataError(f"{name}:{error}") from None
    if header and header[0].startswith(COLUMNS_LINE):
        header = [header[0].removeprefix(COLUMNS_LINE), *header[1:]]
    columns = [cell.strip().lower() for cell in header]
    for position, column in enumerate(columns):
        if column not in COLUMNS:
            raise DataError(
                f"{name}:{header_line}: unknown column {quoted(header[position])} "
                f"(the columns are {', '.join(COLUMNS)})"
            )
        if column in columns[:position]:
            raise DataError(f"{name}:{header_line}: the column {column!r} is given twice")
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise DataError(f"{name}:{header_line}: missing column {column!r}")
    rows: list[CsvRow] = []
    try:
        for line, record in records:
            if not any(cell.strip() for cell in record):
                continue  # spreadsheets leave empty rows behind
            if len(record) > len(columns):
                raise DataError(
                    f"{line}: {len(record)} cells, but the header has {len(columns)} columns"
                )
            cells = dict.fromkeys(COLUMNS, "")
            cells.update(zip(columns, record, strict=False))
            rows.append(CsvRow(line, cells))
    except DataError as error:
        raise DataError(f"{name}:{error}") from None
    return rows


def _split_tags(cell: str) -> list[str]:
    if TAG_SEPARATOR in cell:
        return [tag.strip() for tag in cell.split(TAG_SEPARATOR) if tag.strip()]
    return cell.split()


def rows_to_deck(rows: Sequence[CsvRow], name: str, deck_id: str, title: str) -> Deck:
    """A deck from CSV rows; every bad row is reported with its line number."""
    from pydantic import ValidationError

    errors: list[str] = []
    questions: list[Question] = []
    cards: list[Card] = []
    lines_of: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for row in rows:
        where = f"{name}:{row.line}"
        kind = row.cells["kind"].strip().lower()
        item_id = row.cells["id"].strip() or None
        front, back = row.cells["front"], row.cells["back"]
        fact = row.cells["fact"].strip() or None
        problems = []
        if kind not in KINDS:
            problems.append(
                "kind must be 'question', 'card', 'reversed' or 'cloze', "
                f"not {quoted(row.cells['kind'])}"
            )
        if not front:
            problems.append("the front is empty")
        if kind == "cloze" and back:
            problems.append("a cloze row keeps its text in front; its back must be empty")
        elif kind != "cloze" and not back:
            problems.append("the back is empty")
        if problems:
            errors.append(f"{where}: {'; '.join(problems)}")
            continue
        tags = _split_tags(row.cells["tags"])
        try:
            item: Question | Card
            if kind == "question":
                item = Question(id=item_id, prompt=front, answer=back, fact=fact, tags=tags)
                lines_of["questions", len(questions)] = row.line
                questions.append(item)
            else:
                item = (
                    Card(id=item_id, cloze=front, fact=fact, tags=tags)
                    if kind == "cloze"
                    else Card(id=item_id, front=front, back=back, reversed=kind == "reversed",
                              fact=fact, tags=tags)
                )
                lines_of["cards", len(cards)] = row.line
                cards.append(item)
        except ValidationError as error:
            reasons = "; ".join(
                ": ".join(
                    part for part in (
                        ".".join(str(loc) for loc in e["loc"]),
                        _plain_message(e),
                    ) if part
                )
                for e in error.errors()
            )
            errors.append(f"{where}: {reasons}")
            continue
        if item.key in seen:
            what = f"the id {item.key!r}" if item_id else "the same front (and no id)"
            errors.append(f"{where}: {what} is already used on line {seen[item.key]}")
        else:
            seen[item.key] = row.line
    if not rows:
        errors.append(f"{name}: no rows: a deck needs at least one question or card")
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > len(shown):
            shown.append(f"... and {len(errors) - len(shown)} more")
        raise DataError("\n".join(shown))
    try:
        return Deck(id=deck_id, title=title, questions=questions, cards=cards)
    except ValidationError as error:  # pragma: no cover - items were validated one by one
        raise DataError(f"{name}: {error.errors()[0]['msg']}") from None


def _plain_message(error: Any) -> str:
    if error["type"] == "string_pattern_mismatch":
        return (
            f"{quoted(error['input'])} is not a slug (lowercase letters, digits and hyphens, "
            "starting with a letter or digit)"
        )
    return str(error["msg"]).removeprefix("Value error, ")


def read_csv_deck(path: Path, deck_id: str, title: str) -> Deck:
    """Read a CSV file into a deck (not written anywhere)."""
    raw = read_input(path, MAX_FILE_BYTES, "a CSV file")
    name = str(path)
    return rows_to_deck(read_csv_rows(_decode(raw, name), name), name, deck_id, title)


def import_csv(
    source: Path,
    output: Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    force: bool = False,
) -> Deck:
    """Turn a CSV file into a deck file; returns the deck written.

    The id defaults to the output file's name, the title to the CSV file's. An existing
    output is refused unless `force`; the deck is loaded back and checked before it is
    moved into place.
    """
    from studyapp.deck.writer import refuse_existing, write_deck_file

    deck_id, title = deck_naming(source, output, deck_id, title)
    refuse_existing(output, force=force)
    deck = read_csv_deck(source, deck_id, title)
    write_deck_file(deck, output, force=force)
    return deck
