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

A spreadsheet runs a cell that begins with `=`, `+`, `-`, `@`, a tab or a CR as a formula,
so export writes such a cell with a `'` in front (`=1+1` becomes `'=1+1`, `- item`
becomes `'- item`). So that the rule can be undone exactly, a cell that already begins
with one or more `'` followed by one of those characters gets one more `'` (`'=x`
becomes `''=x`); no other cell changes (`'tis` stays `'tis`). Import removes one `'`
from a cell that begins with one or more `'` followed by one of those characters, and
from no other cell, so export then import gives back the text exactly.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from studyapp.deck.models import Card, Deck, Question
from studyapp.deck.yamlread import _ESCAPED_CONTROL, MAX_FILE_BYTES
from studyapp.errors import DataError, quoted
from studyapp.formats.files import (
    control_character,
    deck_naming,
    decode_text,
    read_input,
    text_stream,
)

if TYPE_CHECKING:
    from studyapp.deck.writer import WrittenItem

COLUMNS = ("kind", "id", "front", "back", "tags", "fact")
ANKI_HEADER = "#separator:comma\r\n#html:false\r\n#notetype:Basic\r\n#tags column:5\r\n"
COLUMNS_LINE = "#columns:"
ANKI_FIELD_NAMES = {"front": "Front", "back": "Back"}
"""Anki maps columns to the Basic note type's fields by name, and case matters there."""
REQUIRED_COLUMNS = ("kind", "front", "back")
KINDS = ("question", "card", "reversed", "cloze")
TAG_SEPARATOR = ";"
MAX_REPORTED_ERRORS = 20
FORMULA_STARTS = "=+-@\t\r"
"""What makes a spreadsheet read a cell as a formula (the OWASP CSV-injection list)."""
_TO_NEUTRALISE = re.compile(f"'*[{re.escape(FORMULA_STARTS)}]")
_NEUTRALISED = re.compile(f"'+[{re.escape(FORMULA_STARTS)}]")


def neutralise_cell(cell: str) -> str:
    """The cell as export writes it: a `'` before text a spreadsheet would run as a formula
    (and before `'`s that precede such text, so that `restore_cell` can undo it exactly)."""
    return "'" + cell if _TO_NEUTRALISE.match(cell) else cell


def restore_cell(cell: str) -> str:
    """The cell as import reads it: the inverse of `neutralise_cell`."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


# -- export ------------------------------------------------------------------------------


def _tags_cell(tags: Sequence[str], where: str) -> str:
    for tag in tags:
        if TAG_SEPARATOR in tag or tag != tag.strip():
            raise DataError(
                f"{where}: the tag {quoted(tag)} cannot go into CSV (tags there are separated by "
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
    # This file is also what Anki's File > Import reads (the header lines above), and Anki
    # shows a field's text as it is, so there such a field keeps the `'` in front. The
    # spreadsheet is the reader that could be attacked (Anki runs no formulas) and
    # `studyapp export anki` carries the text to Anki exactly, so the CSV is made safe.
    writer.writerows({column: neutralise_cell(cell) for column, cell in row.items()}
                     for row in rows)
    return buffer.getvalue()


def write_csv(deck: Deck, path: Path, *, force: bool = True) -> int:
    """Write the deck's questions and cards to `path` atomically; the number of rows."""
    from studyapp.deck.writer import atomic_output

    text = deck_to_csv(deck)
    with atomic_output(path, force=force) as temporary:
        temporary.write_bytes(text.encode("utf-8"))
    return len(deck.questions) + len(deck.cards)


# -- import ------------------------------------------------------------------------------


class CsvRow(NamedTuple):
    """One data row, with the line of the file where it starts (a tuple: made per row)."""

    line: int
    cells: dict[str, str]


def _reader(lines: Iterable[str]) -> Any:
    """A strict CSV reader of a text read with newline=""."""
    # The default limit (128 KiB a cell) is below what a deck file may hold.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    return csv.reader(lines, strict=True)


def _next_record(reader: Any) -> tuple[int, list[str]]:
    """(first line number, cells) of the next record; StopIteration at the end."""
    start = reader.line_num + 1
    try:
        return start, next(reader)
    except csv.Error as error:
        raise DataError(f"{start}: not valid CSV ({error})") from None


def _cells_as_written(record: list[str]) -> list[str]:
    """The cells without export's `'` before formula-like text (restore_cell), and with
    plain line breaks: spreadsheets write line breaks inside a cell as CRLF; deck text has
    plain ones (and refuses a lone CR), and our own export never writes a CR inside a cell.
    (restored first: export's `'` stands before the cell's own first character.)"""
    return [restore_cell(cell).replace("\r\n", "\n").replace("\r", "\n") for cell in record]


def _decode(raw: bytes, name: str) -> str:
    return decode_text(raw, name, "CSV", "save the file as UTF-8 CSV")


def read_csv_rows(text: str, name: str) -> list[CsvRow]:
    """The data rows of a CSV text, refusing a bad header (`NAME:1: missing column 'front'`)."""
    return list(iter_csv_rows(io.StringIO(text, newline=""), name))


def iter_csv_rows(lines: Iterable[str], name: str) -> Iterator[CsvRow]:
    """The data rows of a CSV text (read with newline=""), one by one as they are read: a bad
    header is refused at once, a bad row when it is reached."""
    reader, columns = _read_header(lines, name)
    return _data_rows(reader, columns, name)


def _read_header(lines: Iterable[str], name: str) -> tuple[Any, list[str]]:
    """A CSV reader past the header of a text (read with newline=""), and the header's
    columns; a bad header is refused."""
    reader = _reader(lines)
    try:
        header_line, header = _next_record(reader)
        header = _cells_as_written(header)
        # Anki's header lines (`#separator:comma`, ...) come first; `#columns:` names them.
        while header and header[0].startswith("#") and not header[0].startswith(COLUMNS_LINE):
            if header[0].lower().startswith("#separator:") and header[0].lower() not in (
                "#separator:comma", "#separator:,"
            ):
                raise DataError(f"{name}:{header_line}: {header[0]} is Anki's text export; "
                                "it is read by: studyapp import text")
            header_line, header = _next_record(reader)
            header = _cells_as_written(header)
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
            raise DataError(f"{name}:{header_line}: the column {quoted(column)} is given twice")
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise DataError(f"{name}:{header_line}: missing column {quoted(column)}")
    return reader, columns


def _records(reader: Any, width: int, name: str) -> Iterator[tuple[int, list[str], str]]:
    """Each data record that is not empty: its line, its cells as they were written (a
    neutralised formula restored), and those cells joined. Too many cells, or a record
    that is not CSV, is a DataError naming the line."""
    start = reader.line_num + 1
    """The line the next record starts on."""
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            joined = "".join(record)
            if not joined.strip():
                continue  # spreadsheets leave empty rows behind
            if len(record) > width:
                raise DataError(
                    f"{name}:{line}: {len(record)} cells, but the header has {width} columns"
                )
            if "'" in joined or "\r" in joined:  # else _cells_as_written changes nothing
                record = _cells_as_written(record)  # noqa: PLW2901 - the row's own cells
                joined = "".join(record)
            yield line, record, joined
    except csv.Error as error:
        raise DataError(f"{name}:{start}: not valid CSV ({error})") from None


def _data_rows(reader: Any, columns: list[str], name: str) -> Iterator[CsvRow]:
    empty = dict.fromkeys(COLUMNS, "")
    for line, record, _joined in _records(reader, len(columns), name):
        cells = empty.copy()
        cells.update(zip(columns, record, strict=False))
        yield CsvRow(line, cells)


def _split_tags(cell: str) -> list[str]:
    if TAG_SEPARATOR in cell:
        return [tag.strip() for tag in cell.split(TAG_SEPARATOR) if tag.strip()]
    return cell.split()


def row_item(row: CsvRow, name: str) -> Question | Card | str:
    """The question or card of one data row, or why the row is refused (`NAME:LINE: ...`)."""
    cells = row.cells
    kind = cells["kind"]
    if kind not in KINDS:
        kind = kind.strip().lower()
    front, back = cells["front"], cells["back"]
    text = "".join(cells.values())
    # (printable text holds no control character: one quick test for nearly every row)
    if (kind not in KINDS or not front or (bool(back) if kind == "cloze" else not back)
            or (not text.isprintable() and _ESCAPED_CONTROL.search(text) is not None)):
        return f"{name}:{row.line}: {_row_problems(kind, cells)}"
    item_id = cells["id"].strip() or None
    fact = cells["fact"].strip() or None
    tags = _split_tags(cells["tags"])
    try:
        if kind == "question":
            return Question(id=item_id, prompt=front, answer=back, fact=fact, tags=tags)
        if kind == "cloze":
            return Card(id=item_id, cloze=front, fact=fact, tags=tags)
        return Card(id=item_id, front=front, back=back, reversed=kind == "reversed", fact=fact,
                    tags=tags)
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
        return f"{name}:{row.line}: {reasons}"


def _row_problems(kind: str, cells: dict[str, str]) -> str:
    """Why row_item refuses a row, every reason in one line."""
    front, back = cells["front"], cells["back"]
    problems = []
    if kind not in KINDS:
        problems.append(
            f"kind must be 'question', 'card', 'reversed' or 'cloze', not {quoted(cells['kind'])}"
        )
    if not front:
        problems.append("the front is empty")
    if kind == "cloze" and back:
        problems.append("a cloze row keeps its text in front; its back must be empty")
    elif kind != "cloze" and not back:
        problems.append("the back is empty")
    for column, cell in cells.items():
        control = control_character(cell)
        if control is not None:  # refused here, at the file's line, not in the YAML made
            problems.append(f"the {column} holds the control character {control}; remove it")
    return "; ".join(problems)


def checked_items(rows: Iterable[CsvRow], name: str) -> Iterator[Question | Card]:
    """The rows' questions and cards in order, while every row is good; each refused row
    (and each id used twice) is reported with its line number in one DataError at the end,
    after reading every row."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    """The line of each item's id (explicit or derived): one dict, so the check is linear."""
    any_rows = False
    for row in rows:
        any_rows = True
        item = row_item(row, name)
        if isinstance(item, str):
            errors.append(item)
            continue
        key = item.key
        first = seen.setdefault(key, row.line)
        if first != row.line:
            what = f"the id {quoted(key)}" if item.id is not None else "the same front (and no id)"
            errors.append(f"{name}:{row.line}: {what} is already used on line {first}")
        elif not errors:
            yield item  # once a row is refused nothing is written: no need to go on
    _refuse_if_any(errors, any_rows, name)


def _refuse_if_any(errors: list[str], any_rows: bool, name: str) -> None:
    """After the last row: one DataError with the rows' errors (the first twenty), if any."""
    if not any_rows:
        errors.append(f"{name}: no rows: a deck needs at least one question or card")
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > len(shown):
            shown.append(f"... and {len(errors) - len(shown)} more")
        raise DataError("\n".join(shown))


_SLUG = re.compile("[a-z0-9][a-z0-9-]*")
"""models.SLUG_PATTERN as a full match (its `$` would also pass a final line break)."""
_MAX_ID, _MAX_FACT, _MAX_TAG = 200, 100, 100
"""The lengths models.ItemId, Slug and Tag allow."""
_SURE_CLOZE = re.compile(r"[^{}]*(?:\{\{c[1-9][0-9]{0,8}::\s*[^{}:\s][^{}:]*\}\}[^{}]*)+")
"""Cloze text that parse_cloze surely reads as one or more good deletions: braces only in
`{{cN::text}}` (N from 1 and short: int() refuses a number of over 4,300 digits; text with
something but space and no `:`, `{`, `}`). Each part is followed by something it cannot
match, so a match takes linear time."""


def _row(line: int, cells: tuple[str, ...]) -> CsvRow:
    return CsvRow(line, dict(zip(COLUMNS, cells, strict=True)))


def _streamed_items(
    reader: Any, columns: list[str], name: str
) -> Iterator[Question | Card | WrittenItem]:
    """What checked_items(_data_rows(...)) gives for the same rows, with the same errors
    in the same order, for write_deck_items: a row the models would surely accept (every
    test below is one they make, or implies theirs) comes as the writer's WrittenItem, its
    text made with no model; any other row, or one only PyYAML can write, goes through
    row_item."""
    from studyapp.deck.models import derived_id
    from studyapp.deck.writer import card_text, question_text

    width = len(columns)
    # Each row's cells in COLUMNS order: a missing column reads the "" padded at the end.
    cells_of = operator.itemgetter(*(columns.index(c) if c in columns else width
                                     for c in COLUMNS))
    padding = [[""] * (width + 1 - count) for count in range(width + 1)]
    errors: list[str] = []
    seen: dict[str, int] = {}
    any_rows = False
    for line, record, joined in _records(reader, width, name):
        record += padding[len(record)]  # noqa: PLW2901
        any_rows = True
        cells = cells_of(record)
        kind, item_id, front, back, tags, fact = cells
        item: Question | Card | str | None = None
        if (kind in KINDS and front and (not back if kind == "cloze" else back)
                and (joined.isprintable() or _ESCAPED_CONTROL.search(joined) is None)):
            item_id = item_id.strip() if item_id else item_id
            fact = fact.strip() if fact else fact
            tag_list = _split_tags(tags) if tags else []
            if not (
                (not item_id or (len(item_id) <= _MAX_ID and _SLUG.fullmatch(item_id)))
                and (not fact or (len(fact) <= _MAX_FACT and _SLUG.fullmatch(fact)))
                and (len(tags) <= _MAX_TAG or max(map(len, tag_list), default=0) <= _MAX_TAG)
                and (kind != "cloze" or _SURE_CLOZE.fullmatch(front))
            ):
                item = row_item(_row(line, cells), name)
        else:
            item = row_item(_row(line, cells), name)
        if item is None:  # the models would take it as it is
            key = item_id or derived_id(front)
            explicit = bool(item_id)
        elif isinstance(item, str):
            errors.append(item)
            continue
        else:
            key, explicit = item.key, item.id is not None
        first = seen.setdefault(key, line)
        if first != line:
            what = f"the id {quoted(key)}" if explicit else "the same front (and no id)"
            errors.append(f"{name}:{line}: {what} is already used on line {first}")
        elif errors:
            continue  # once a row is refused nothing is written: no need to go on
        elif item is not None:
            yield item
        else:
            text = (
                question_text(item_id or None, front, back, fact or None, tag_list)
                if kind == "question" else
                card_text(item_id or None, front, back, cloze=kind == "cloze",
                          reversed_too=kind == "reversed", fact=fact or None, tags=tag_list)
            )
            if text is not None:
                yield kind == "question", text
                continue
            # Only PyYAML writes it: the model goes, for the writer to read it back.
            model = row_item(_row(line, cells), name)
            if isinstance(model, str):  # pragma: no cover - the row passed its tests
                raise DataError(model)
            yield model
    _refuse_if_any(errors, any_rows, name)


def rows_to_deck(rows: Sequence[CsvRow], name: str, deck_id: str, title: str) -> Deck:
    """A deck from CSV rows; every bad row is reported with its line number."""
    questions: list[Question] = []
    cards: list[Card] = []
    for item in checked_items(rows, name):
        if isinstance(item, Question):
            questions.append(item)
        else:
            cards.append(item)
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


@dataclass(frozen=True, slots=True)
class CsvImport:
    """What `import csv` wrote: the deck's id and how many questions and cards it holds."""

    deck_id: str
    questions: int
    cards: int


def import_csv(
    source: Path,
    output: Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    force: bool = False,
) -> CsvImport:
    """Turn a CSV file into a deck file; returns what was written.

    The id defaults to the output file's name, the title to the CSV file's. An existing
    output is refused unless `force`. Rows are read, checked and written one at a time (a
    300,000-row file never becomes 300,000 models at once); the file is moved into place
    only once every row passed and the written text reads back the same.
    """
    from studyapp.deck.writer import refuse_existing, write_deck_items

    deck_id, title = deck_naming(source, output, deck_id, title)
    refuse_existing(output, force=force)
    raw = read_input(source, MAX_FILE_BYTES, "a CSV file")
    name = str(source)
    text = text_stream(raw, name, "CSV", "save the file as UTF-8 CSV")
    reader, columns = _read_header(text, name)
    items = _streamed_items(reader, columns, name)
    questions, cards = write_deck_items(output, deck_id, title, items, force=force)
    return CsvImport(deck_id, questions, cards)
