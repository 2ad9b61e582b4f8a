"""A hardened YAML reader: plain data plus the line and column of every key and value.

It builds Python data straight from libyaml's event stream (never PyYAML's constructors),
so it can refuse what a deck must never contain before anything walks the tree:
non-UTF-8 text, oversized files, duplicate keys, object-constructing tags, aliases that
expand past a budget ("billion laughs") and absurd nesting. Plain scalars follow the YAML
1.2 core schema, so `no` and `on` stay text and only `true`/`false` are booleans.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev

from studyapp.errors import quoted

try:  # libyaml's C parser is an order of magnitude faster; the pure one is a fallback
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Files above this size are refused before parsing (a 20,000-card deck is about 6 MiB)."""
MAX_DEPTH = 64
"""Decks nest five levels deep; anything past this is hostile or a mistake."""
MAX_ALIAS_NODES = 100_000
"""How many nodes alias references may add, in total, once expanded."""

_TAG_PREFIX = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NUMBER_START = frozenset("0123456789+-.")

#: The most digits a whole number in a deck may have. Python refuses to print integers over
#: 4,300 digits, and nothing a deck counts comes near this; a longer one is refused where it
#: is written, so it can never crash a later step (printing, grading, the cache).
MAX_INT_DIGITS = 1000
_WORD_START = frozenset("tTfFnN~")


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in a file."""

    line: int
    column: int


RawMark = Any
"""libyaml's own mark object (0-based `line` and `column`); converted only when asked for."""


def _mark(raw: RawMark) -> Mark:
    return Mark(raw.line + 1, raw.column + 1)


@dataclass(slots=True)
class MappingMarks:
    """Where a mapping starts, and where each of its keys and values is."""

    start: RawMark
    keys: dict[Hashable, tuple[RawMark, RawMark]] = field(default_factory=dict)


@dataclass(slots=True)
class SequenceMarks:
    """Where a sequence starts, and where each of its items is."""

    start: RawMark
    items: list[RawMark] = field(default_factory=list)


@dataclass(slots=True)
class YamlDocument:
    """Parsed plain data with the position of every container, key and value."""

    data: Any
    root: Mark
    marks: dict[int, MappingMarks | SequenceMarks]
    """Keyed by `id()` of each dict and list in `data` (kept alive by `data`)."""

    def mark_of(self, path: tuple[Any, ...], *, key: bool = False) -> Mark:
        """The closest known position of `path` (keys and indexes from the root).

        With `key=True` the last part's key is pointed at rather than its value (for
        unknown keys). Parts that do not exist in the data (pydantic adds type names to
        its locations) are skipped; a missing key points at its mapping.
        """
        node: Any = self.data
        mark: RawMark = None
        last = len(path) - 1
        for index, part in enumerate(path):
            marks = self.marks.get(id(node))
            if isinstance(node, dict) and isinstance(marks, MappingMarks):
                mark = marks.start
                if isinstance(part, Hashable) and part in marks.keys:
                    key_mark, value_mark = marks.keys[part]
                    mark = key_mark if key and index == last else value_mark
                    node = node[part]
                continue
            if isinstance(node, list) and isinstance(marks, SequenceMarks):
                mark = marks.start
                if isinstance(part, int) and 0 <= part < len(marks.items):
                    mark = marks.items[part]
                    node = node[part]
                continue
        return self.root if mark is None else _mark(mark)


class YamlProblem(Exception):
    """A file that cannot be read as deck YAML, with where and why."""

    def __init__(self, mark: Mark, reason: str) -> None:
        super().__init__(f"{mark.line}:{mark.column}: {reason}")
        self.mark = mark
        self.reason = reason


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


#: Control characters a double-quoted escape can produce ("\x1b[2J", "\r", "\0") but the YAML
#: reader refuses raw: printed by the plain modes they would drive the terminal. Tab and line
#: feed are text; NEL (U+0085) is allowed raw by YAML and so allowed here too.
_ESCAPED_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f]")


class _NumberTooLong(Exception):
    """A whole number over MAX_INT_DIGITS digits (the caller knows where it is)."""


def _plain_scalar(value: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if not value:
        return None
    first = value[0]
    if first in _NUMBER_START:
        if len(value) > MAX_INT_DIGITS and (
            _INT.match(value) or _INT_OCT.match(value) or _INT_HEX.match(value)
        ):
            raise _NumberTooLong(value)
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            return float(value)
        if _INF.match(value):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
        if _INT_OCT.match(value):
            return int(value[2:], 8)
        if _INT_HEX.match(value):
            return int(value[2:], 16)
        return value
    if first in _WORD_START:
        if value in _NULLS:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    return value


def _tagged_scalar(value: str, tag: str, mark: Mark) -> Any:
    """Resolve a scalar with an explicit standard tag; refuse every other tag."""
    if tag == "!":
        return value
    if tag == _TAG_PREFIX + "str":
        return value
    if tag in (_TAG_PREFIX + "int", _TAG_PREFIX + "float", _TAG_PREFIX + "bool",
               _TAG_PREFIX + "null"):
        resolved = _plain_scalar(value)
        expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
        kind = tag[len(_TAG_PREFIX) :]
        if isinstance(resolved, bool) and kind != "bool":
            resolved = value
        if not isinstance(resolved, expected[kind]):  # type: ignore[arg-type]
            raise YamlProblem(mark, f"{quoted(value)} is not a valid {_tag_name(tag)} value")
        return float(resolved) if kind == "float" else resolved
    raise YamlProblem(mark, _refused_tag(tag))


def _refused_tag(tag: str) -> str:
    return (
        f"the YAML tag {_tag_name(tag)} is not allowed: decks hold only text, numbers, "
        "true/false, lists and mappings"
    )


class _Frame:
    """A container under construction."""

    __slots__ = ("anchor", "container", "is_map", "key", "key_mark", "marks", "size")

    def __init__(
        self,
        container: dict[Any, Any] | list[Any],
        marks: MappingMarks | SequenceMarks,
        anchor: str | None,
    ) -> None:
        self.container = container
        self.marks = marks
        self.anchor = anchor
        self.is_map = isinstance(container, dict)
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_mark: RawMark = None


_NO_KEY = object()


def read_bytes_limited(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file, refusing one over `max_bytes` (or a pipe, a device) before reading."""
    from studyapp.inputfile import UnreadableFile, read_regular_file

    try:
        return read_regular_file(path, max_bytes, what="a deck file")
    except UnreadableFile as error:
        raise YamlProblem(Mark(1, 1), str(error)) from None


def check_utf8(raw: bytes) -> None:
    """Refuse text that is not UTF-8, naming the line and column of the bad byte."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start
        line = raw.count(b"\n", 0, start) + 1
        line_start = raw.rfind(b"\n", 0, start) + 1
        column = len(raw[line_start:start].decode("utf-8", errors="replace")) + 1
        raise YamlProblem(
            Mark(line, column),
            f"the text is not UTF-8 (byte 0x{raw[start]:02x} cannot start or continue a "
            "character); save the file as UTF-8",
        ) from None


def parse_yaml(
    text: str | bytes, *, max_depth: int = MAX_DEPTH, max_alias_nodes: int = MAX_ALIAS_NODES
) -> YamlDocument:
    """Build plain data and marks from YAML text; raise YamlProblem for anything refused."""
    parser = _Parser(text)
    try:
        return _build(parser, max_depth, max_alias_nodes)
    except yaml.MarkedYAMLError as error:
        problem_mark = error.problem_mark or error.context_mark
        mark = (
            Mark(problem_mark.line + 1, problem_mark.column + 1) if problem_mark else Mark(1, 1)
        )
        reason = " ".join(part for part in (error.context, error.problem) if part)
        raise YamlProblem(mark, f"YAML syntax error: {reason or 'cannot parse'}") from None
    except yaml.reader.ReaderError as error:
        decoded = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
        before = decoded[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        character = error.character
        code = ord(character) if isinstance(character, str) else int(character)
        raise YamlProblem(
            Mark(line, column),
            f"the character U+{code:04X} is not allowed in YAML (a control character); "
            "remove it",
        ) from None
    except yaml.YAMLError as error:
        reason = " ".join(str(error).split())
        raise YamlProblem(Mark(1, 1), f"YAML error: {reason}") from None
    finally:
        parser.dispose()


def _build(parser: Any, max_depth: int, max_alias_nodes: int) -> YamlDocument:
    """Turn parser events into plain data; the hot loop of every deck load."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    marks: dict[int, MappingMarks | SequenceMarks] = {}
    alias_nodes = 0
    documents = 0
    root: list[tuple[Any, RawMark]] = []
    frame: _Frame | None = None
    get_event = parser.get_event
    scalar_event = ev.ScalarEvent
    mapping_start = ev.MappingStartEvent
    mapping_end = ev.MappingEndEvent
    sequence_start = ev.SequenceStartEvent
    sequence_end = ev.SequenceEndEvent
    alias_event = ev.AliasEvent
    no_key = _NO_KEY

    def add(value: Any, mark: RawMark, size: int) -> None:
        """Put a finished node into the container being built (slow path: aliases, ends)."""
        if frame is None:
            root.append((value, mark))
            return
        frame.size += size
        if not frame.is_map:
            frame.container.append(value)  # type: ignore[union-attr]
            frame.marks.items.append(mark)  # type: ignore[union-attr]
        elif frame.key is no_key:
            set_key(frame, value, mark)
        else:
            frame.container[frame.key] = value
            frame.marks.keys[frame.key] = (frame.key_mark, mark)  # type: ignore[union-attr]
            frame.key = no_key

    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            mark = event.start_mark
            tag = event.tag
            try:
                if tag is None:
                    value = _plain_scalar(event.value) if event.implicit[0] else event.value
                else:
                    value = _tagged_scalar(event.value, tag, _mark(mark))
                if event.style == '"' and isinstance(value, str):
                    bad = _ESCAPED_CONTROL.search(value)
                    if bad is not None:
                        raise YamlProblem(
                            _mark(mark),
                            f"the text holds the control character U+{ord(bad[0]):04X} "
                            "(written as an escape such as \\x1b); remove it",
                        )
            except _NumberTooLong:
                raise YamlProblem(
                    _mark(mark),
                    f"a whole number of {len(event.value):,} characters: at most "
                    f"{MAX_INT_DIGITS:,} digits (quote it if it is text)",
                ) from None
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            # Inlined `add` for the common case: a scalar key or value in a mapping.
            if frame is not None and frame.is_map:
                frame.size += 1
                if frame.key is no_key:
                    if value == "<<" and event.implicit[0]:
                        raise YamlProblem(
                            _mark(mark), "merge keys (<<) are not supported: write the keys out"
                        )
                    set_key(frame, value, mark)
                else:
                    frame.container[frame.key] = value
                    frame.marks.keys[frame.key] = (frame.key_mark, mark)  # type: ignore[union-attr]
                    frame.key = no_key
            else:
                add(value, mark, 1)
        elif kind is mapping_start or kind is sequence_start:
            mark = event.start_mark
            tag = event.tag
            if tag is not None and tag not in ("!", _TAG_PREFIX + "map", _TAG_PREFIX + "seq"):
                raise YamlProblem(_mark(mark), _refused_tag(tag))
            if len(stack) >= max_depth:
                raise YamlProblem(
                    _mark(mark), f"the data is nested more than {max_depth} levels deep"
                )
            if kind is mapping_start:
                container: dict[Any, Any] | list[Any] = {}
                container_marks: MappingMarks | SequenceMarks = MappingMarks(mark)
            else:
                container = []
                container_marks = SequenceMarks(mark)
            marks[id(container)] = container_marks
            frame = _Frame(container, container_marks, event.anchor)
            stack.append(frame)
        elif kind is mapping_end or kind is sequence_end:
            done = stack.pop()
            frame = stack[-1] if stack else None
            if done.anchor is not None:
                anchors[done.anchor] = (done.container, done.size)
            add(done.container, done.marks.start, done.size)
        elif kind is alias_event:
            mark = event.start_mark
            if event.anchor not in anchors:
                raise YamlProblem(
                    _mark(mark),
                    f"the alias *{event.anchor} refers to no anchor defined before it",
                )
            value, size = anchors[event.anchor]
            alias_nodes += size
            if alias_nodes > max_alias_nodes:
                raise YamlProblem(
                    _mark(mark),
                    f"aliases expand to more than {max_alias_nodes:,} nodes; refusing a file "
                    "built to exhaust memory",
                )
            add(value, mark, size)
        elif kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    _mark(event.start_mark), "a deck file holds one YAML document, not several"
                )
        elif kind is ev.StreamEndEvent:
            break
    if not root:
        return YamlDocument(None, Mark(1, 1), marks)
    value, mark = root[0]
    return YamlDocument(value, _mark(mark), marks)


def set_key(frame: _Frame, key: Any, mark: RawMark) -> None:
    """Start a key/value pair, refusing complex and duplicate keys."""
    if isinstance(key, (dict, list)):
        raise YamlProblem(_mark(mark), "a mapping key must be plain text, not a list or mapping")
    if key in frame.container:
        first = frame.marks.keys[key][0]  # type: ignore[union-attr]
        raise YamlProblem(
            _mark(mark),
            f"the key {quoted(key)} is given twice in one mapping "
            f"(first at line {first.line + 1}); "
            "YAML would silently keep only the last",
        )
    frame.key = key
    frame.key_mark = mark


def read_yaml_file(
    path: Path,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
) -> YamlDocument:
    """Read, decode and parse one YAML file with every refusal of the deck format."""
    raw = read_bytes_limited(path, max_bytes)
    check_utf8(raw)
    # libyaml reads the UTF-8 bytes itself (and drops a BOM): no decoded copy is kept.
    # The tree is built of fresh containers with no cycles: the cyclic collector would only
    # rescan them again and again while they are being built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return parse_yaml(raw, max_depth=max_depth, max_alias_nodes=max_alias_nodes)
    finally:
        if collecting:
            gc.enable()
