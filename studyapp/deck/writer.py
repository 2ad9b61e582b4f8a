"""Writing a Deck back to readable YAML, atomically and checked by the loader; id helpers."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

# atomic_output is re-exported: the exporters import it from here.
from studyapp.atomicfile import atomic_output as atomic_output  # noqa: PLC0414
from studyapp.atomicfile import check_target
from studyapp.deck.models import SLUG_PATTERN, Card, Deck, Question
from studyapp.deck.yamlread import _ESCAPED_CONTROL
from studyapp.errors import DataError, UsageError

YAML_WIDTH = 1_000_000
"""Never fold long single-line text: a long front stays on one line, as a person writes it."""

LONG_TEXT = 60
"""Answers, backs and descriptions longer than this are block scalars."""
_CORE_SCHEMA_STARTS = frozenset("0123456789+-.~")
_CORE_SCHEMA_WORDS = frozenset({"true", "false", "null", "~"})
_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")


class _FlowList(list[str]):
    """A list of short scalars written on one line: `tags: [a, b]`."""


class _LongText(str):
    """An answer, back or description: a block scalar once it is long, even on one line."""

    __slots__ = ()


class _DeckDumper(yaml.SafeDumper):
    """SafeDumper with indented sequences, block scalars for multi-line text, flow tag lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # `cards:\n  - id: x` instead of PyYAML's indentless `cards:\n- id: x`.
        super().increase_indent(flow, False)


def _keeps_trailing_breaks(text: str) -> bool:
    """True for text a block scalar could only hold with `|+` (ends in a blank line).

    `|+` keeps the blank lines after it, so the blank line between items would join the
    text, and it ends a YAML document with `...`: such text goes in double quotes.
    """
    return text.endswith("\n") and (len(text) == 1 or text[-2] == "\n")


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if _UNICODE_BREAKS.search(text) or _keeps_trailing_breaks(text):
        # libyaml reads NEL and the Unicode line/paragraph separators as line breaks in
        # every style but double quotes, where PyYAML escapes them (\N, \L, \P).
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    if "\n" in text:
        # PyYAML falls back to a quoted style by itself when `|` cannot hold the text
        # exactly (trailing spaces before a line break, control characters).
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    if text and (text[0] in _CORE_SCHEMA_STARTS or text.lower() in _CORE_SCHEMA_WORDS):
        # Our reader resolves plain scalars by YAML 1.2 (`1e3`, `0o17` are numbers there),
        # PyYAML's emitter by YAML 1.1: quote anything that might read back as a non-string.
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


def _represent_long_text(dumper: yaml.SafeDumper, text: _LongText) -> yaml.ScalarNode:
    if len(text) > LONG_TEXT and not (
        _UNICODE_BREAKS.search(text) or _keeps_trailing_breaks(text)
    ):
        # `|-` holds a long sentence without quotes or doubled '' (PyYAML falls back to a
        # quoted style by itself when a block cannot hold the text exactly).
        return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style="|")
    return _represent_text(dumper, str(text))


def _represent_flow_list(dumper: yaml.SafeDumper, items: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_DeckDumper.add_representer(str, _represent_text)
_DeckDumper.add_representer(_LongText, _represent_long_text)
_DeckDumper.add_representer(_FlowList, _represent_flow_list)


def _item_data(item: Question | Card) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if item.id is not None:
        data["id"] = item.id
    if isinstance(item, Question):
        data["prompt"] = item.prompt
        data["answer"] = _LongText(item.answer)
    elif item.cloze is not None:
        data["cloze"] = _LongText(item.cloze)
    else:
        data["front"] = item.front
        data["back"] = _LongText(item.back or "")
        if item.reversed:
            data["reversed"] = True
    if item.fact is not None:
        data["fact"] = item.fact
    if item.tags:
        data["tags"] = _FlowList(item.tags)
    return data


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_DeckDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=YAML_WIDTH,
        indent=2,
    )


def _spaced(section: str) -> str:
    """A blank line before every item after the first, as people lay decks out by hand."""
    # Item starts are the only lines indented by exactly two spaces then `- `: block scalar
    # content sits deeper, and no scalar is folded (YAML_WIDTH).
    return re.sub(r"\n(?=  - )", "\n\n", section).replace(":\n\n  - ", ":\n  - ", 1)


# -- one item of a section, written without PyYAML's emitter when that is exact ------------
#
# PyYAML's pure-Python emitter costs about 200 µs an item: 100 s for a 300,000-row import.
# An item of scalars is written here by the rules PyYAML's Emitter applies to a value of a
# block mapping or an entry of a flow list (its analyze_scalar and choose_scalar_style,
# mirrored below), in the style it would choose: plain, single- or double-quoted, literal
# (`|`). Anything else (nested data, numbers, empty text, text too long for one line or
# holding a control character) is written by PyYAML itself, one item at a time, which gives
# the same text as inside the whole section: the emitter starts every sequence item on a
# fresh line and carries nothing over to the next. tests/test_item_writer.py holds the two
# side by side.

_ITEM_INDENT = 4
"""Keys of a section item sit under `  - `; block scalar lines two columns deeper."""
_SHORT_SCALAR = YAML_WIDTH // 2
"""Plain and quoted text shorter than this is never folded at YAML_WIDTH."""
_STR_TAG = "tag:yaml.org,2002:str"
_SIMPLE_KEY = re.compile(r"[a-z][a-z_]*\Z")
_PLAIN_KEYS: set[str] = set()
"""Keys already found to be written plain (a deck has a dozen kinds)."""
_WHITESPACE = "\0 \t\r\n\x85\u2028\u2029"
_BREAK_CHARACTERS = "\n\x85\u2028\u2029"
_SPECIAL = re.compile(
    "[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]"
)
"""What PyYAML's emitter (allow_unicode) writes only in double quotes."""
_BREAK_SPACE = re.compile("[\n\x85\u2028\u2029] ")
_SPACE_BREAK = re.compile(" [\n\x85\u2028\u2029]")
_LEADING_INDICATORS = "#,[]{}&*!|>'\"%@`"
_BLOCK_INDICATOR_INSIDE = re.compile(
    "(?<=.):(?=[\0 \t\r\n\x85\u2028\u2029]|\\Z)|(?<=[\0 \t\r\n\x85\u2028\u2029])#", re.S
)
_FLOW_INDICATOR_INSIDE = re.compile(
    "(?<=.)[,?\\[\\]{}:]|(?<=[\0 \t\r\n\x85\u2028\u2029])#", re.S
)
_SAFE_UNICODE = "\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe"
"""Characters above ASCII that PyYAML writes as they are and that break no line."""
_PLAIN_FIRST = f"[$()/;<=A-Z\\\\^_a-z{_SAFE_UNICODE}]"
"""What plain text may start with: no indicator, space or _CORE_SCHEMA_STARTS."""
_PRINTABLE = re.compile(f"{_PLAIN_FIRST}[ -~{_SAFE_UNICODE}]*")
_FLOW_PRINTABLE = re.compile(f"{_PLAIN_FIRST}[ -\"$-+\\--9;->@-Z\\\\^-z|~{_SAFE_UNICODE}]*")
"""The same with no `,?[]{}:#` at all: an entry of a flow list (`tags: [a, b]`)."""
_DOUBLE_QUOTE_ESCAPES = re.compile(
    '["\\\\\x85\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd]'
)
"""What Emitter.write_double_quoted escapes (allow_unicode): astral characters included."""
_ESCAPE_REPLACEMENTS: dict[str, str] = yaml.emitter.Emitter.ESCAPE_REPLACEMENTS
_REFUSED_ESCAPES = _ESCAPED_CONTROL
_RESOLVER = _DeckDumper(io.StringIO())
"""Only its resolve() is used: PyYAML's own reading of plain text (`yes` is a bool)."""


def _may_resolve() -> dict[str, re.Pattern[str]] | None:
    """For each first character, one pattern that matches whenever one of PyYAML's implicit
    resolvers for it does (its patterns joined), so that most text needs one match; None
    when a resolver applies to any first character (then nothing here is used)."""
    resolvers = _DeckDumper.yaml_implicit_resolvers
    if resolvers.get(None):
        return None
    table: dict[str, re.Pattern[str]] = {}
    for first, found in resolvers.items():
        flags = {pattern.flags for _, pattern in found}
        joined = "|".join(f"(?:{pattern.pattern})" for _, pattern in found)
        table[first] = re.compile(joined, flags.pop()) if len(flags) == 1 else re.compile("")
    return table


_MAY_RESOLVE = _may_resolve()
_FAST = _MAY_RESOLVE is not None
_CHECKED_STARTS = frozenset(_MAY_RESOLVE or ()) | {
    start for word in _CORE_SCHEMA_WORDS for start in (word[0], word[0].upper())
}
"""First characters of text that may need quotes although its analysis allows it plain."""
_LONGEST_CORE_WORD = max(len(word) for word in _CORE_SCHEMA_WORDS)


def _resolves_to_text(text: str) -> bool:
    """True when PyYAML reads non-empty `text`, written plain, back as a string (the
    serializer's `implicit[0]`); `yes`, `null`, `<<` and the like it does not."""
    may = (_MAY_RESOLVE or {}).get(text[0])
    if may is None or may.match(text) is None:
        return True
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == _STR_TAG)


def _plain_as_is(text: str) -> bool:
    """True when non-empty text that PyYAML's analysis allows plain is also left plain by
    _represent_text and by the resolver (not `True`, `no`, `null`, `<<`)."""
    if text[0] not in _CHECKED_STARTS:
        return True
    if len(text) <= _LONGEST_CORE_WORD and text.lower() in _CORE_SCHEMA_WORDS:
        return False
    return _resolves_to_text(text)


def _surely_plain(text: str, *, flow: bool) -> bool:
    """A shortcut for the commonest text (non-empty): True only when PyYAML's analysis allows
    it plain here and nothing it starts with is quoted by _represent_text."""
    if flow:
        return _FLOW_PRINTABLE.fullmatch(text) is not None and text[-1] != " "
    # Only printable characters: a space is the one whitespace that can touch `:` or `#`.
    return (_PRINTABLE.fullmatch(text) is not None and text[-1] not in " :"
            and ": " not in text and " #" not in text)


def _analysis(text: str, *, flow: bool) -> tuple[bool, bool, bool]:
    """PyYAML's Emitter.analyze_scalar (allow_unicode) of non-empty `text`, as (plain allowed
    in this context, single quotes allowed, a block scalar allowed)."""
    special = _SPECIAL.search(text) is not None
    space_break = _SPACE_BREAK.search(text) is not None
    break_space = _BREAK_SPACE.search(text) is not None
    line_breaks = any(c in text for c in _BREAK_CHARACTERS)
    first, last = text[0], text[-1]
    edge = first == " " or last == " " or first in _BREAK_CHARACTERS or last in _BREAK_CHARACTERS
    followed = len(text) == 1 or text[1] in _WHITESPACE
    indicators = text.startswith(("---", "...")) or first in _LEADING_INDICATORS or (
        first == "-" and followed
    )
    if flow:
        indicators = indicators or first in "?:" or (
            _FLOW_INDICATOR_INSIDE.search(text) is not None
        )
    else:
        indicators = indicators or (first in "?:" and followed) or (
            _BLOCK_INDICATOR_INSIDE.search(text) is not None
        )
    plain = not (edge or break_space or space_break or special or line_breaks or indicators)
    single = not (break_space or space_break or special)
    block = not (last == " " or space_break or special)
    return plain, single, block


def _requested_style(text: str, *, long_text: bool) -> str | None:
    """The style _represent_text (or _represent_long_text) asks the emitter for."""
    if _UNICODE_BREAKS.search(text) or _keeps_trailing_breaks(text):
        return '"'
    if (long_text and len(text) > LONG_TEXT) or "\n" in text:
        return "|"
    if text[0] in _CORE_SCHEMA_STARTS or text.lower() in _CORE_SCHEMA_WORDS:
        return "'"
    return None


def _double_quoted(text: str) -> str | None:
    """` "text"` with PyYAML's escapes (Emitter.write_double_quoted, never folded here);
    None for text the deck reader refuses once escaped (a control character: PyYAML then
    writes it, and the read-back check names its line) or too long to stay on one line."""
    if len(text) >= _SHORT_SCALAR // 10 or _REFUSED_ESCAPES.search(text) is not None:
        return None
    return f' "{_DOUBLE_QUOTE_ESCAPES.sub(_escape, text)}"'


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _ESCAPE_REPLACEMENTS:
        return "\\" + _ESCAPE_REPLACEMENTS[character]
    code = ord(character)
    return f"\\x{code:02X}" if code <= 0xFF else (
        f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    )


def _scalar_text(text: str, indent: int, *, long_text: bool, flow: bool) -> str | None:
    """What PyYAML writes for `text` after `key:` (or in a flow list): ` value`, or ` |-`
    and the lines indented under a key at `indent`, ending in a line break. None when it
    would fold the text at YAML_WIDTH, or quote a character the deck reader refuses."""
    if not text:
        return None
    style = _requested_style(text, long_text=long_text)
    if style == "|":
        # No NEL or Unicode separators here (style '"'): " \n" is the only space before a
        # break, which (like a last space or a special character) leaves PyYAML only double
        # quotes, as does a flow list.
        if flow or text[-1] == " " or " \n" in text or _SPECIAL.search(text) is not None:
            return _double_quoted(text)
        hints = ("2" if text[0] in " \n" else "") + ("" if text.endswith("\n") else "-")
        pad = " " * (indent + 2)
        lines = text.removesuffix("\n").split("\n")
        return f" |{hints}\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
    if style == '"':
        return _double_quoted(text)
    if len(text) >= _SHORT_SCALAR:
        return None
    plain, single, _ = _analysis(text, flow=flow)
    if style is None and plain and _resolves_to_text(text):
        return f" {text}"
    if not single:
        return _double_quoted(text)
    if any(c in text for c in _BREAK_CHARACTERS):  # pragma: no cover - styled '|' or '"'
        return None
    quoted = text.replace("'", "''")
    return f" '{quoted}'"


def _plain_key(key: Any) -> bool:
    """True for a key PyYAML writes plain (`front`, `reversed`; not `yes` or `on`)."""
    if isinstance(key, str) and _SIMPLE_KEY.match(key) and _resolves_to_text(key):
        _PLAIN_KEYS.add(key)
        return True
    return False


_FLOW_ENTRIES: dict[str, str | None] = {}
"""_flow_entry_text of the tags seen lately: a deck uses a few tags on many items."""
_FLOW_ENTRIES_KEPT = 10_000


def _flow_entry_text(entry: Any) -> str | None:
    if type(entry) is not str:
        return None
    if entry in _FLOW_ENTRIES:
        return _FLOW_ENTRIES[entry]
    if entry and len(entry) < _SHORT_SCALAR and _surely_plain(entry, flow=True) and (
        _plain_as_is(entry)
    ):
        written: str | None = f" {entry}"
    else:
        written = _scalar_text(entry, 0, long_text=False, flow=True)
    if len(_FLOW_ENTRIES) >= _FLOW_ENTRIES_KEPT:
        _FLOW_ENTRIES.clear()
    if len(entry) <= 100:
        _FLOW_ENTRIES[entry] = written
    return written


def _fast_item_text(data: dict[str, Any]) -> str | None:
    """A section item as PyYAML writes it (`  - key: value` lines, ending in a line break),
    or None when it holds anything but text, true/false and short flow lists of text."""
    if not _FAST:
        return None
    # The hot loop of a large import: the commonest value (short plain text) is decided
    # inline, the rest by _scalar_text.
    parts: list[str] = []
    lead = "  - "
    printable = _PRINTABLE.fullmatch
    checked_starts = _CHECKED_STARTS
    for key, value in data.items():
        if key not in _PLAIN_KEYS and not _plain_key(key):
            return None
        kind = type(value)
        if kind is str or kind is _LongText:
            if (
                len(value) <= (LONG_TEXT if kind is _LongText else _SHORT_SCALAR - 1)
                and printable(value)
                and value[-1] not in " :"
                and ": " not in value
                and " #" not in value
                and (value[0] not in checked_starts or _plain_as_is(value))
            ):
                parts.append(f"{lead}{key}: {value}\n")
            else:
                written = _scalar_text(value, _ITEM_INDENT, long_text=kind is _LongText,
                                       flow=False)
                if written is None:
                    return None
                parts.append(f"{lead}{key}:{written}" if written[-1] == "\n"
                             else f"{lead}{key}:{written}\n")
        elif kind is bool:
            parts.append(f"{lead}{key}: true\n" if value else f"{lead}{key}: false\n")
        elif kind is _FlowList and value:
            entries = [_flow_entry_text(entry) for entry in value]
            if None in entries:
                return None
            written = ",".join(entries)[1:]  # type: ignore[arg-type]
            if len(written) >= _SHORT_SCALAR:
                return None
            parts.append(f"{lead}{key}: [{written}]\n")
        else:
            return None
        lead = "    "
    return "".join(parts) if parts else None


def item_text(section: str, data: dict[str, Any]) -> str:
    """One item of a section (`questions`, `cards`, `steps`...) exactly as PyYAML writes it
    in the writer's layout: `  - key: value` lines, ending in a line break."""
    text = _fast_item_text(data)
    if text is None:
        text = _spaced(_dump({section: [data]})).removeprefix(f"{section}:\n")
    return text


def _section_text(section: str, items: list[dict[str, Any]]) -> str:
    """`section:` and its items, a blank line between them: what _spaced(_dump(...)) gives."""
    return f"{section}:\n" + "\n".join(item_text(section, data) for data in items)


def deck_to_yaml(deck: Deck) -> str:
    """The deck as YAML text in the documented key order, one blank line between sections."""
    head: dict[str, Any] = {"id": deck.id, "title": deck.title}
    if deck.description is not None:
        head["description"] = _LongText(deck.description)
    if deck.tags:
        head["tags"] = _FlowList(deck.tags)
    sections = [_dump(head)]
    if deck.questions:
        sections.append(_section_text("questions", [_item_data(q) for q in deck.questions]))
    if deck.cards:
        sections.append(_section_text("cards", [_item_data(c) for c in deck.cards]))
    if deck.exercises:
        sections.append(_dump({"exercises": _FlowList(deck.exercises)}))
    return "\n".join(sections)


def refuse_existing(path: Path, *, force: bool) -> None:
    """An existing output file is replaced only with `force`, and never anything that is not
    a regular file (imports check this before reading their input, so a refusal costs nothing)."""
    check_target(path, force=force)


def write_deck_file(deck: Deck, path: Path, *, force: bool = False) -> None:
    """Write `deck` to `path` as YAML; the file is loaded back first and must give `deck` again.

    Nothing is written when the file would not pass the loader (DataError with its problems).
    """
    from studyapp.deck.loader import load_deck_file

    text = deck_to_yaml(deck)
    with atomic_output(path, force=force) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        report = load_deck_file(temporary)
        errors = [p for p in report.problems if p.severity == "error"]
        if errors or report.model is None:
            lines = [f"{path}:{p.line}:{p.column}: {p.message}" for p in errors]
            raise DataError("the deck would not load, nothing written:\n" + "\n".join(lines))
        if report.model != deck:  # pragma: no cover - a bug in the writer, not in the data
            raise DataError(f"{path}: the written deck does not read back the same (a bug)")


def _reads_back(section: str, text: str, item: Question | Card) -> tuple[int, int, str] | None:
    """Read one item's text back as the deck loader reads files; None when it gives `item`
    again, else (line within the text, column, reason) of the first problem."""
    from pydantic import ValidationError

    from studyapp.deck.yamlread import YamlProblem, parse_yaml

    try:
        document = parse_yaml(f"{section}:\n{text}")
    except YamlProblem as problem:
        return problem.mark.line - 1, problem.mark.column, problem.reason
    model = Question if section == "questions" else Card
    try:
        again = model.model_validate(document.data[section][0])
    except (ValidationError, KeyError, IndexError, TypeError):  # pragma: no cover - a bug
        again = None
    if again != item:  # pragma: no cover - a bug in the writer, not in the data
        return 1, 1, "the written item does not read back the same (a bug)"
    return None


class _Section:
    """The questions or the cards of a deck being written: text waiting to be written, how
    many items and line breaks came before, and the first item that did not read back."""

    __slots__ = ("count", "first", "name", "newlines", "pieces", "problem", "stream")

    def __init__(self, name: str, stream: Any, newlines: int, first: str) -> None:
        self.name = name
        self.stream = stream
        self.newlines = newlines
        self.first = first
        """What goes before the first item (`questions:`); a blank line before the others."""
        self.pieces: list[str] = []
        self.count = 0
        self.problem: tuple[int, int, str] | None = None

    def add_text(self, text: str) -> None:
        """An item already written (a WrittenItem's text): exact by construction."""
        pieces = self.pieces
        pieces.append("\n" if self.count else self.first)
        pieces.append(text)
        self.count += 1
        if len(pieces) >= _PIECES_A_WRITE:
            self.flush()

    def add(self, item: Question | Card) -> None:
        pieces = self.pieces
        pieces.append("\n" if self.count else self.first)
        self.count += 1
        data = _item_data(item)
        text = _fast_item_text(data)
        if text is None:
            text = item_text(self.name, data)
            problem = _reads_back(self.name, text, item) if self.problem is None else None
            if problem is not None:
                line, column, reason = problem
                before = self.newlines + sum(piece.count("\n") for piece in pieces)
                self.problem = (before + line, column, reason)
        pieces.append(text)
        if len(pieces) >= _PIECES_A_WRITE:
            self.flush()

    def flush(self) -> None:
        text = "".join(self.pieces)
        self.stream.write(text)
        self.newlines += text.count("\n")
        self.pieces.clear()


# -- an imported row's item, written from its fields ----------------------------------------
#
# What _fast_item_text writes for the _item_data of a question or card, made without the
# dict and its walk (an import writes 300,000 of them). The commonest item, whose text is
# all short printable ASCII that needs no quotes, is tested with a few tests on its text
# run together; any other goes value by value through _fast_item_text's own tests and
# _scalar_text.

_ROW_KEYS = ("id", "prompt", "answer", "front", "back", "cloze", "reversed", "fact", "tags")
_DIRECT = _FAST and all(_plain_key(key) for key in _ROW_KEYS)
"""The keys are written plain (as _fast_item_text finds them), so lines can be made here;
otherwise (a PyYAML that resolves differently) every item goes by its model."""
_ASCII_FIRST = frozenset(c for c in map(chr, range(0x20, 0x7F)) if re.fullmatch(_PLAIN_FIRST, c))
"""The ASCII characters _PRINTABLE lets plain text start with."""
_TAG_LINES: dict[tuple[str, ...], str | None] = {}
"""` [a, b]` (or None) of the tag lists seen lately."""


def _value_line(head: str, value: str, *, long_text: bool) -> str | None:
    """`head` (`  - key:` or `    key:`) and `value` as _fast_item_text writes them (a
    _LongText with `long_text`); None when it leaves the item to PyYAML."""
    if (
        len(value) <= (LONG_TEXT if long_text else _SHORT_SCALAR - 1)
        and _PRINTABLE.fullmatch(value) is not None
        and value[-1] not in " :"
        and ": " not in value
        and " #" not in value
        and (value[0] not in _CHECKED_STARTS or _plain_as_is(value))
    ):
        return f"{head} {value}\n"
    written = _scalar_text(value, _ITEM_INDENT, long_text=long_text, flow=False)
    if written is None:
        return None
    return f"{head}{written}" if written[-1] == "\n" else f"{head}{written}\n"


def _plain_edges(value: str) -> bool:
    """For non-empty printable ASCII text with no `: ` or ` #`: True when _fast_item_text
    writes it plain (its first and last character allow it, and it reads back as text)."""
    first = value[0]
    return (first in _ASCII_FIRST and value[-1] not in " :"
            and (first not in _CHECKED_STARTS or _plain_as_is(value)))


def _item_text(item_id: str | None, key: str | None, text: str, long_key: str,
               long_text: str, flag: str | None, fact: str | None,
               tags: list[str]) -> str | None:
    """The lines of an item: `id` when given, `key: text` when `key` is, `long_key:
    long_text` (a _LongText), `flag: true` when given, `fact` when given, `tags` when any;
    None when PyYAML has to write it."""
    run = f"{item_id or ''}{text}{long_text}{fact or ''}"
    if (
        # Text of these characters only is plain once its ends allow it: a test of each
        # value's characters, `: ` and ` #` (run together, a value's text can only make
        # more of them, never fewer) and then of each value's ends.
        len(long_text) <= LONG_TEXT and len(run) < _SHORT_SCALAR
        and run.isascii() and run.isprintable() and ": " not in run and " #" not in run
        and long_text and _plain_edges(long_text)
        and (key is None or (text and _plain_edges(text)))
        and (item_id is None or (item_id and _plain_edges(item_id)))
        and (fact is None or (fact and _plain_edges(fact)))
    ):
        if item_id is None:
            lines = f"  - {key}: {text}\n    {long_key}: {long_text}\n" if key else (
                f"  - {long_key}: {long_text}\n")
        else:
            lines = f"  - id: {item_id}\n    {key}: {text}\n    {long_key}: {long_text}\n" if (
                key) else f"  - id: {item_id}\n    {long_key}: {long_text}\n"
        if flag is not None:
            lines += f"    {flag}: true\n"
        if fact is not None:
            lines += f"    fact: {fact}\n"
    else:
        parts = []
        lead = "  - "
        for name, value, long in (("id", item_id, False), (key, text, False),
                                  (long_key, long_text, True), (flag, "", False),
                                  ("fact", fact, False)):
            if name is None or value is None:
                continue
            line = f"{lead}{name}: true\n" if name == flag else _value_line(
                f"{lead}{name}:", value, long_text=long)
            if line is None:
                return None
            parts.append(line)
            lead = "    "
        lines = "".join(parts)
    if tags:
        written = _tags_text(tags)
        if written is None:
            return None
        lines += f"    tags:{written}\n"
    return lines


def _tags_text(tags: list[str]) -> str | None:
    """` [a, b]` as _fast_item_text writes a non-empty _FlowList after `tags:`, or None."""
    key = tuple(tags)
    if key in _TAG_LINES:
        return _TAG_LINES[key]
    entries = [_flow_entry_text(entry) for entry in tags]
    if None in entries:
        text = None
    else:
        written = ",".join(entries)[1:]  # type: ignore[arg-type]
        text = f" [{written}]" if len(written) < _SHORT_SCALAR else None
    if len(_TAG_LINES) >= _FLOW_ENTRIES_KEPT:
        _TAG_LINES.clear()
    if sum(map(len, tags)) <= 200:
        _TAG_LINES[key] = text
    return text


WrittenItem = tuple[bool, str]
"""A question (true) or card already checked by its importer as its model would check it,
and its text as _fast_item_text writes it for that model's _item_data: what
write_deck_items takes in place of the model (a plain tuple: one is made a row)."""


def question_text(
    item_id: str | None, prompt: str, answer: str, fact: str | None, tags: list[str]
) -> str | None:
    """The lines of the valid question of these fields (str, a list of str) as
    _fast_item_text writes its model's _item_data; None when only PyYAML can write it
    (then the importer hands write_deck_items the model, which it reads back)."""
    if not _DIRECT:
        return None
    return _item_text(item_id, "prompt", prompt, "answer", answer, None, fact, tags)


def card_text(
    item_id: str | None,
    front: str,
    back: str,
    *,
    cloze: bool,
    reversed_too: bool,
    fact: str | None,
    tags: list[str],
) -> str | None:
    """The same for a valid card: `front` and `back`, or with `cloze` its cloze text in
    `front` (and `back` unused)."""
    if not _DIRECT:
        return None
    if cloze:
        return _item_text(item_id, None, "", "cloze", front, None, fact, tags)
    return _item_text(item_id, "front", front, "back", back,
                      "reversed" if reversed_too else None, fact, tags)


_PIECES_A_WRITE = 4000
"""Pieces of text (items and the blank lines between them) joined into one write: a write
per item would cost more than the item's text."""
_COPY_CHUNK = 1 << 20


def write_deck_items(
    path: Path,
    deck_id: str,
    title: str,
    items: Iterable[Question | Card | WrittenItem],
    *,
    force: bool = False,
) -> tuple[int, int]:
    """Write a deck of `items` (questions and cards, in any order) to `path` while they come,
    never holding them all: the text deck_to_yaml gives for the same deck. Returns how many
    questions and cards were written. An item may come as its model or as a WrittenItem
    (from an importer that checked it and had question_text or card_text write it).

    What write_deck_file learns by loading the whole file back is checked here item by item:
    an item _fast_item_text wrote is exact by construction; one PyYAML wrote (double quotes,
    say) is read back by the deck reader and must give the item again; the file must stay
    under the reader's size limit. A DataError from `items` or from a check leaves nothing
    written (the errors of `items` come first: every item is read before a check fails).
    """
    from pydantic import ValidationError

    from studyapp.deck.yamlread import MAX_FILE_BYTES
    from studyapp.inputfile import size_text

    try:  # the head alone; the items are checked one by one
        Deck(id=deck_id, title=title, exercises=["items-follow"])
    except ValidationError as error:
        raise DataError(f"{path}: {error.errors()[0]['msg']}") from None
    head = _dump({"id": deck_id, "title": title})
    with (
        atomic_output(path, force=force) as temporary,
        temporary.open("w", encoding="utf-8", newline="\n") as out,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=path.parent) as spool,
    ):
        # The questions go straight into the file, after the head; the cards wait in a spool
        # file (with `cards:` as its line 1) until the questions end.
        out.write(head)
        questions = _Section("questions", out, head.count("\n"), "\nquestions:\n")
        cards = _Section("cards", spool, 0, "cards:\n")
        for item in items:
            if isinstance(item, tuple):  # a WrittenItem
                (questions if item[0] else cards).add_text(item[1])
            else:
                (questions if isinstance(item, Question) else cards).add(item)
        questions.flush()
        cards.flush()
        if not questions.count and not cards.count:
            raise DataError(f"{path}: a deck needs at least one question, card or exercise")
        if cards.count:
            out.write("\n")
            spool.seek(0)
            shutil.copyfileobj(spool, out, _COPY_CHUNK)
        out.flush()
        size = os.fstat(out.fileno()).st_size
        failure = None
        if size > MAX_FILE_BYTES:
            failure = 1, 1, (f"the file is {size_text(size)}, over the "
                             f"{size_text(MAX_FILE_BYTES)} limit for a deck file")
        elif questions.problem is not None:
            failure = questions.problem
        elif cards.problem is not None:
            line, column, reason = cards.problem
            failure = questions.newlines + 1 + line, column, reason  # after the blank line
        if failure is not None:
            line, column, reason = failure
            raise DataError(f"the deck would not load, nothing written:\n{path}:{line}:{column}: "
                            f"{reason}")
    return questions.count, cards.count


def slugify(text: str, *, max_length: int = 60) -> str:
    """A deck or item id from any text: ASCII letters and digits joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"['’]", "", folded.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug


def check_deck_id(deck_id: str) -> str:
    """`--id` as given, or a UsageError saying what a deck id looks like."""
    if not re.match(SLUG_PATTERN, deck_id) or len(deck_id) > 100:
        raise UsageError(
            f"--id {deck_id!r} is not a deck id (lowercase letters, digits and hyphens, "
            "starting with a letter or digit)"
        )
    return deck_id


_LONG_KEYS = frozenset({"answer", "back", "description", "setup", "outcome", "explain", "cloze"})
_SPACED_SECTIONS = frozenset({"questions", "cards", "steps", "practice"})


def _plain_value(key: str, value: Any) -> Any:
    if key in _LONG_KEYS and isinstance(value, str):
        return _LongText(value)
    if key in ("tags", "exercises") and isinstance(value, list):
        return _FlowList(value)
    if isinstance(value, list):
        return [_plain_value(key, entry) for entry in value]
    if isinstance(value, dict):
        return {name: _plain_value(name, entry) for name, entry in value.items()}
    return value


def data_to_yaml(data: dict[str, Any]) -> str:
    """A deck or exercise given as plain data, in the writer's layout (keys in the given order).

    For files the models may not describe yet (deck-format 1.1 cards): long text as block
    scalars, tags on one line, a blank line between items and between sections.
    """
    sections: list[str] = []
    pending: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _SPACED_SECTIONS and key != "exercises":
            pending[key] = _plain_value(key, value)
            continue
        if pending:
            sections.append(_dump(pending))
            pending = {}
        if key == "exercises" and value:
            sections.append(_dump({key: _FlowList(value)}))
        elif value and isinstance(value, list) and all(isinstance(e, dict) for e in value):
            sections.append(_section_text(key, [_plain_value(key, entry) for entry in value]))
        elif value:
            sections.append(_spaced(_dump({key: _plain_value(key, value)})))
    if pending:
        sections.append(_dump(pending))
    return "\n".join(sections)
