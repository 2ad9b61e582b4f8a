"""Writing a Deck back to readable YAML, atomically and checked by the loader; id helpers."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

# atomic_output is re-exported: the exporters import it from here.
from studyapp.atomicfile import atomic_output as atomic_output  # noqa: PLC0414
from studyapp.atomicfile import check_target
from studyapp.deck.models import SLUG_PATTERN, Card, Deck, Question
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


def deck_to_yaml(deck: Deck) -> str:
    """The deck as YAML text in the documented key order, one blank line between sections."""
    head: dict[str, Any] = {"id": deck.id, "title": deck.title}
    if deck.description is not None:
        head["description"] = _LongText(deck.description)
    if deck.tags:
        head["tags"] = _FlowList(deck.tags)
    sections = [_dump(head)]
    if deck.questions:
        sections.append(_spaced(_dump({"questions": [_item_data(q) for q in deck.questions]})))
    if deck.cards:
        sections.append(_spaced(_dump({"cards": [_item_data(c) for c in deck.cards]})))
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
        elif value:
            sections.append(_spaced(_dump({key: _plain_value(key, value)})))
    if pending:
        sections.append(_dump(pending))
    return "\n".join(sections)
