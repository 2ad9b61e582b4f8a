"""Anki cloze syntax (`{{c1::text}}`, `{{c2::text::hint}}`): parsing and rendering one deletion."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENER = re.compile(r"\{\{c(\d+)::")
_ATTEMPT = re.compile(r"\{\{c(?=[\d:])")
"""`{{c` then a digit or a colon is meant as a deletion; `{{config}}` is plain text."""
HIDDEN = "[...]"


class ClozeError(ValueError):
    """Malformed cloze syntax; `offset` is the 0-based character where the trouble starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Deletion:
    """One `{{cN::text::hint}}`: its number, text, hint and where it sits in the source."""

    number: int
    text: str
    hint: str | None
    start: int
    end: int
    """Offsets in the source: `source[start:end]` is the whole `{{...}}`."""


def _close(text: str, start: int) -> tuple[int, int | None]:
    """From `start` (just after `{{cN::`): the offset of the closing `}}` and of a `::` hint
    separator, if any. Single braces pair up inside a deletion, so `{{c1::{x}}}` holds `{x}`."""
    depth = 0
    hint_at: int | None = None
    position = start
    while position < len(text):
        if text.startswith("{{", position) and _ATTEMPT.match(text, position):
            raise ClozeError("a cloze deletion cannot contain another deletion", position)
        char = text[position]
        if depth == 0 and text.startswith("}}", position):
            return position, hint_at
        if depth == 0 and hint_at is None and text.startswith("::", position):
            hint_at = position
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        position += 1
    raise ClozeError("this cloze deletion is never closed with }}", -1)


def parse_cloze(text: str) -> list[Deletion]:
    """Every deletion of `text` in order; ClozeError for malformed syntax."""
    deletions: list[Deletion] = []
    position = 0
    while True:
        found = _ATTEMPT.search(text, position)
        if found is None:
            return deletions
        start = found.start()
        opener = _OPENER.match(text, start)
        if opener is None:
            raise ClozeError("a cloze deletion starts {{cN:: with a number N, e.g. {{c1::", start)
        number = int(opener.group(1))
        if number < 1:
            raise ClozeError(f"cloze numbers start at 1, not {opener.group(1)}", start)
        try:
            close, hint_at = _close(text, opener.end())
        except ClozeError as error:
            raise ClozeError(error.message, start if error.offset < 0 else error.offset) from None
        body_end = close if hint_at is None else hint_at
        body = text[opener.end():body_end]
        if not body.strip():
            raise ClozeError("this cloze deletion hides nothing (its text is empty)", start)
        hint = text[hint_at + 2:close] if hint_at is not None else None
        deletions.append(Deletion(number, body, hint.strip() or None if hint else None,
                                  start, close + 2))
        position = close + 2


def cloze_numbers(text: str) -> list[int]:
    """The distinct deletion numbers of `text`, ascending (each is one review item)."""
    return sorted({deletion.number for deletion in parse_cloze(text)})


def render_cloze(text: str, number: int, *, reveal: bool) -> str:
    """`text` as Markdown for deletion `number`: hidden (`[hint]` or `[...]`) or, with
    `reveal`, shown in bold; deletions with other numbers are shown as their plain text."""
    parts: list[str] = []
    position = 0
    for deletion in parse_cloze(text):
        parts.append(text[position:deletion.start])
        if deletion.number != number:
            parts.append(deletion.text)
        elif reveal:
            parts.append(f"**{deletion.text.strip()}**")
        else:
            parts.append(f"[{deletion.hint}]" if deletion.hint else HIDDEN)
        position = deletion.end
    parts.append(text[position:])
    return "".join(parts)
