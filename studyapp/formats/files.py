"""Writing imported decks and exercises: plain data to YAML, checked by the loader first."""

from __future__ import annotations

import codecs
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from studyapp.errors import DataError

ZIP_MAGIC = b"PK\x03\x04"
"""How a zip file (an Anki package) starts."""
_CHECK_CHUNK = 1 << 20
MISSING_EXTRA = "{what} needs the 'import' extra: pip install 'studyapp[import]' (missing {module})"


def read_input(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of an input file to import, refused in one line (DataError) when it is
    missing, a folder, a FIFO or device, or over `max_bytes` — checked before reading."""
    import os

    from studyapp.inputfile import UnreadableFile, read_regular_file

    if not os.path.lexists(path):
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not {what}")
    try:
        return read_regular_file(path, max_bytes, what=what)
    except UnreadableFile as error:
        raise DataError(f"{path}: {error}") from None


def require_regular(path: Path, what: str) -> None:
    """Refuse (DataError) a missing path, a folder or anything but a regular file before a
    library that opens it by name (zipfile, sqlite3) could block on a FIFO."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{path}: is a folder, not {what}")
    if not stat.S_ISREG(mode):
        raise DataError(f"{path}: is not a regular file, so it cannot be {what}")


def deck_naming(source: Path, output: Path, deck_id: str | None, title: str | None
                ) -> tuple[str, str]:
    """The id and title of an imported deck: `--id`/`--title` when given (checked), else
    from the output's or the source's file name."""
    from studyapp.deck.writer import check_deck_id, slugify
    from studyapp.errors import UsageError

    if deck_id is not None:
        deck_id = check_deck_id(deck_id)
    else:
        deck_id = slugify(output.stem) or slugify(source.stem) or "imported"
    title = title if title is not None else source.stem
    if not title.strip():
        raise UsageError("--title must not be empty")
    return deck_id, title


@dataclass(slots=True)
class TakenIds:
    """The ids given out so far in one namespace (a deck's items, an import's decks)."""

    ids: set[str] = field(default_factory=set)
    next_number: dict[str, int] = field(default_factory=dict)
    """For each base given out more than once, the number to try next: every lower one was
    taken when it was tried, and ids stay taken."""


def unique_id(base: str, taken: TakenIds) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first not in `taken` (which it joins).

    Linear over a whole import: 20,000 copies of one base try each number once in all,
    not once for every copy before it.
    """
    ids = taken.ids
    if base not in ids:
        ids.add(base)
        return base
    number = taken.next_number.get(base, 2)
    candidate = f"{base}-{number}"
    while candidate in ids:
        number += 1
        candidate = f"{base}-{number}"
    ids.add(candidate)
    taken.next_number[base] = number + 1
    return candidate


def _is_utf8(raw: bytes) -> bool:
    """True when `raw` decodes as UTF-8, found a chunk at a time (no copy of the whole text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(view), _CHECK_CHUNK):
            decoder.decode(view[start : start + _CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_stream(raw: bytes, name: str, what: str, advice: str) -> io.TextIOWrapper:
    """The text of an imported file as a stream read with newline="" (a large file is never
    decoded into one string), after decode_text's refusals, made before anything is read."""
    if raw.startswith(ZIP_MAGIC) or not _is_utf8(raw):
        decode_text(raw, name, what, advice)  # refuses it in one line, naming the line
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")


def decode_text(raw: bytes, name: str, what: str, advice: str) -> str:
    """UTF-8 text (a BOM allowed) of an imported file; a zip file (an Anki package) or bytes
    that are not UTF-8 are refused in one line naming the line of the bad byte."""
    if raw.startswith(ZIP_MAGIC):
        raise DataError(f"{name}: a zip file, not {what}; an Anki package (.apkg, .colpkg) is "
                        "read by: studyapp import anki")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"{name}:{line}: the text is not UTF-8 (byte 0x{raw[error.start]:02x}); {advice}"
        ) from None


def control_character(text: str) -> str | None:
    """`U+001F` for the first control character in `text` that a deck may not hold (the
    deck loader refuses them: they would drive a terminal, or split an Anki field), or None.
    Tab and line feed are text."""
    from studyapp.deck.yamlread import _ESCAPED_CONTROL  # the loader's own list, not a copy

    found = _ESCAPED_CONTROL.search(text)
    return None if found is None else f"U+{ord(found[0]):04X}"


def drop_control_characters(text: str) -> str:
    """`text` without the control characters `control_character` finds."""
    from studyapp.deck.yamlread import _ESCAPED_CONTROL

    return _ESCAPED_CONTROL.sub("", text)


def require(module: str, what: str) -> Any:
    """Import an optional dependency, or a one-line DataError naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DataError(MISSING_EXTRA.format(what=what, module=module)) from None


def check_text(text: str, path: Path, kind: Literal["deck", "exercise"]) -> None:
    """Load `text` as if it were the file `path`; DataError listing its errors, if any.

    The probe sits in a private folder under the real file name, since an exercise's id
    must equal its file name.
    """
    from studyapp.deck.loader import load_deck_file, load_exercise_file

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8", newline="\n")
        report = load_deck_file(probe) if kind == "deck" else load_exercise_file(probe)
    errors = [p for p in report.problems if p.severity == "error"]
    if errors or report.model is None:
        lines = [f"{path}:{p.line}:{p.column}: {p.message}" for p in errors]
        raise DataError(f"the {kind} would not load, nothing written:\n" + "\n".join(lines))


def write_data(
    data: dict[str, Any], path: Path, kind: Literal["deck", "exercise"], *, force: bool
) -> None:
    """Write a deck or exercise given as plain data to `path`, atomically, once it loads."""
    from studyapp.deck.writer import atomic_output, data_to_yaml, refuse_existing

    refuse_existing(path, force=force)
    text = data_to_yaml(data)
    check_text(text, path, kind)
    with atomic_output(path, force=force) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
