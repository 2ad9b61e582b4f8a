"""A small Markdown reader: paragraphs, lists, code blocks and emphasis as plain data."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# The subset of CommonMark that deck text uses (deck-format.md, "Text"): paragraphs,
# bullet and numbered lists, fenced and indented code blocks, *emphasis*, **strong** and
# `inline code`. Everything else (headings, links, HTML, entities) is literal text: the
# result never carries markup of its own, so a renderer only has to escape span text.


@dataclass(frozen=True, slots=True)
class Span:
    """A run of literal text with one style."""

    text: str
    """The characters exactly as they are to be shown; a hard line break is ``"\\n"``."""
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass(frozen=True, slots=True)
class ParagraphBlock:
    """A paragraph: styled spans, soft line breaks already turned into spaces."""

    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced or indented code block: literal lines, indentation kept."""

    text: str
    """The lines joined by ``"\\n"``, without a trailing newline."""


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bullet or numbered list; each item is a sequence of blocks."""

    ordered: bool
    start: int
    """The first item's number (1 for bullet lists)."""
    items: tuple[tuple[Block, ...], ...]
    tight: bool
    """True when no blank line separates the items (rendered with less space)."""


Block = ParagraphBlock | CodeBlock | ListBlock

ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_MARKER = re.compile(r"^( {0,3})([-+*]|\d{1,9}[.)])( +|$)")
_INLINE_SPECIAL = re.compile(r"[*_`\\]|  \n")
_MAX_NESTING = 16
"""Deeper lists are read as text: bounds recursion on hostile input."""


def parse(text: str) -> tuple[Block, ...]:
    """The blocks of one Markdown text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_expand_tabs(line) for line in text.split("\n")]
    return tuple(_parse_blocks(lines, 0))


def parse_inline(text: str) -> tuple[Span, ...]:
    """The styled spans of one paragraph's text (line breaks inside it included)."""
    if not _INLINE_SPECIAL.search(text):
        # Fast path: most card text has no inline markup at all.
        plain = " ".join(part.strip() for part in text.split("\n"))
        return (Span(plain),) if plain else ()
    return _merge(_to_spans(_pair_delimiters(_scan_inline(text))))


def escape_markdown(text: str) -> str:
    """``text`` with Markdown's inline markers escaped, so it reads back literally."""
    return re.sub(r"([\\`*_])", r"\\\1", text)


def with_math(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """``blocks`` with the math of their text in Unicode (`2^k` → 2ᵏ); code is untouched."""
    from studyapp.mathtext import render

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            out.append(ParagraphBlock(tuple(
                span if span.code else Span(render(span.text), span.bold, span.italic)
                for span in block.spans
            )))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, block.start,
                                 tuple(with_math(item) for item in block.items), block.tight))
        else:
            out.append(block)
    return tuple(out)


def rendered_text(text: str) -> str:
    """Markdown source as readable plain text: no asterisks or backticks, math as math."""
    return plain_text(with_math(parse(text)))


def plain_text(blocks: Sequence[Block]) -> str:
    """The text of ``blocks`` without styling (paragraphs separated by blank lines)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            parts.append("".join(span.text for span in block.spans))
        elif isinstance(block, CodeBlock):
            parts.append(block.text)
        else:
            lines = []
            for number, item in enumerate(block.items, start=block.start):
                marker = f"{number}." if block.ordered else "-"
                pad = " " * (len(marker) + 1)
                body = "\n".join((pad + line).rstrip() for line in plain_text(item).split("\n"))
                lines.append(marker + body[len(marker) :])
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


# -- blocks ------------------------------------------------------------------------------


def _expand_tabs(line: str) -> str:
    return line.expandtabs(4) if "\t" in line else line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank(line: str) -> bool:
    return not line.strip()


def _parse_blocks(lines: list[str], depth: int) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            spans = parse_inline("\n".join(paragraph))
            if spans:
                blocks.append(ParagraphBlock(spans))
            paragraph.clear()

    i = 0
    count = len(lines)
    while i < count:
        line = lines[i]
        if _is_blank(line):
            flush()
            i += 1
            continue
        indent = _indent(line)
        if indent >= 4 and not paragraph:
            i = _indented_code(lines, i, blocks)
            continue
        fence = _FENCE.match(line)
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            flush()
            i = _fenced_code(lines, i, fence, blocks)
            continue
        marker = _LIST_MARKER.match(line) if depth < _MAX_NESTING else None
        if marker and (not paragraph or _can_interrupt_paragraph(marker, line)):
            flush()
            i = _list(lines, i, depth, blocks)
            continue
        paragraph.append(line)
        i += 1
    flush()
    return blocks


def _indented_code(lines: list[str], i: int, blocks: list[Block]) -> int:
    body: list[str] = []
    while i < len(lines) and (_is_blank(lines[i]) or _indent(lines[i]) >= 4):
        body.append(lines[i][4:])
        i += 1
    while body and _is_blank(body[-1]):
        body.pop()
    blocks.append(CodeBlock("\n".join(body)))
    return i


def _fenced_code(lines: list[str], i: int, fence: re.Match[str], blocks: list[Block]) -> int:
    indent = len(fence.group(1))
    marker = fence.group(2)
    closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    body: list[str] = []
    i += 1
    while i < len(lines) and not closing.match(lines[i]):
        line = lines[i]
        body.append(line[min(indent, _indent(line)):])
        i += 1
    blocks.append(CodeBlock("\n".join(body)))
    return i + 1


def _can_interrupt_paragraph(marker: re.Match[str], line: str) -> bool:
    """CommonMark: an empty item, or a numbered one not starting at 1, continues the paragraph."""
    if _is_blank(line[marker.end():]):
        return False
    symbol = marker.group(2)
    return symbol in "-+*" or int(symbol[:-1]) == 1


def _marker_kind(marker: re.Match[str]) -> str:
    symbol = marker.group(2)
    return symbol if symbol in "-+*" else symbol[-1]


def _list(lines: list[str], i: int, depth: int, blocks: list[Block]) -> int:
    first = _LIST_MARKER.match(lines[i])
    assert first is not None
    kind = _marker_kind(first)
    ordered = kind in ".)"
    start = int(first.group(2)[:-1]) if ordered else 1
    items: list[tuple[Block, ...]] = []
    tight = True
    blank_before_item = False
    while i < len(lines):
        marker = _LIST_MARKER.match(lines[i])
        if marker is None or _marker_kind(marker) != kind:
            break
        if items and blank_before_item:
            tight = False
        line = lines[i]
        width = marker.end(2)
        spaces = len(marker.group(3))
        rest_blank = _is_blank(line[marker.end():])
        offset = width + 1 if rest_blank or spaces > 4 else width + spaces
        body = [line[offset:] if len(line) > offset else ""]
        i += 1
        while i < len(lines):
            line = lines[i]
            if _is_blank(line):
                body.append("")
                i += 1
                continue
            if _indent(line) >= offset:
                body.append(line[offset:])
                i += 1
                continue
            lazy = (
                body[-1].strip()
                and not _LIST_MARKER.match(line)
                and not _FENCE.match(line)
                and _indent(body[-1]) < 4
            )
            if lazy:
                body.append(line.strip())
                i += 1
                continue
            break
        trailing = 0
        while body and _is_blank(body[-1]):
            body.pop()
            trailing += 1
        item = tuple(_parse_blocks(body, depth + 1))
        if len(item) > 1 and any(_is_blank(b) for b in body):
            tight = False
        blank_before_item = trailing > 0
        items.append(item)
    blocks.append(ListBlock(ordered, start, tuple(items), tight))
    return i


# -- inline ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Delimiter:
    char: str
    run_length: int
    can_open: bool
    can_close: bool
    partner: int = -1
    """Index (in the token list) of the matching delimiter, -1 while unmatched."""
    role: str = ""
    """After pairing: "em+", "em-", "strong+", "strong-" or "skip" (half of a strong pair)."""


@dataclass(slots=True)
class _Code:
    text: str


_Token = str | _Code | _Delimiter


def _is_punctuation(ch: str) -> bool:
    return ch in ASCII_PUNCTUATION or unicodedata.category(ch)[0] in "PS"


def _scan_inline(text: str) -> list[_Token]:
    """Text, code spans and single-character delimiter tokens."""
    tokens: list[_Token] = []
    buffer: list[str] = []
    n = len(text)
    i = 0

    def flush() -> None:
        if buffer:
            tokens.append("".join(buffer))
            buffer.clear()

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in ASCII_PUNCTUATION:
            buffer.append(text[i + 1])
            i += 2
        elif ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            buffer.append("\n")
            i = _skip_spaces(text, i + 2)
        elif ch == "\n":
            hard = len(buffer) >= 2 and buffer[-1] == " " and buffer[-2] == " "
            while buffer and buffer[-1] == " ":
                buffer.pop()
            buffer.append("\n" if hard else " ")
            i = _skip_spaces(text, i + 1)
        elif ch == "`":
            run_end = i
            while run_end < n and text[run_end] == "`":
                run_end += 1
            run = run_end - i
            close = _closing_backticks(text, run_end, run)
            if close < 0:
                buffer.append(text[i:run_end])
                i = run_end
                continue
            content = text[run_end:close].replace("\n", " ")
            if len(content) > 2 and content[0] == " " and content[-1] == " " and content.strip():
                content = content[1:-1]
            flush()
            tokens.append(_Code(content))
            i = close + run
        elif ch in "*_":
            run_end = i
            while run_end < n and text[run_end] == ch:
                run_end += 1
            before = text[i - 1] if i > 0 else " "
            after = text[run_end] if run_end < n else " "
            left = not after.isspace() and (
                not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
            )
            right = not before.isspace() and (
                not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
            )
            if ch == "*":
                can_open, can_close = left, right
            else:
                can_open = left and (not right or _is_punctuation(before))
                can_close = right and (not left or _is_punctuation(after))
            flush()
            run = run_end - i
            tokens.extend(_Delimiter(ch, run, can_open, can_close) for _ in range(run))
            i = run_end
        else:
            buffer.append(ch)
            i += 1
    flush()
    if tokens and isinstance(tokens[0], str):
        tokens[0] = tokens[0].lstrip(" ")
    if tokens and isinstance(tokens[-1], str):
        tokens[-1] = tokens[-1].rstrip(" \n")
    return tokens


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _closing_backticks(text: str, start: int, run: int) -> int:
    """Where a backtick run of exactly ``run`` characters starts after ``start``, or -1."""
    for match in re.finditer(r"`+", text[start:]):
        if len(match.group()) == run:
            return start + match.start()
    return -1


def _pair_delimiters(tokens: list[_Token]) -> list[_Token]:
    """Match openers with closers (CommonMark's rules, as markdown-it applies them)."""
    delimiters = [k for k, token in enumerate(tokens) if isinstance(token, _Delimiter)]
    # Lowest delimiter position worth searching for an opener, per kind of closer: keeps
    # runs of unmatched markers linear instead of quadratic.
    bottom: dict[tuple[str, bool, int], int] = {}
    for position, index in enumerate(delimiters):
        closer = tokens[index]
        assert isinstance(closer, _Delimiter)
        if not closer.can_close:
            continue
        key = (closer.char, closer.can_open, closer.run_length % 3)
        floor = bottom.get(key, -1)
        found = -1
        for back in range(position - 1, floor, -1):
            opener = tokens[delimiters[back]]
            assert isinstance(opener, _Delimiter)
            if opener.char != closer.char or not opener.can_open or opener.partner >= 0:
                continue
            odd_match = (opener.can_close or closer.can_open) and (
                (opener.run_length + closer.run_length) % 3 == 0
                and (opener.run_length % 3 != 0 or closer.run_length % 3 != 0)
            )
            if odd_match:
                continue
            found = back
            break
        if found < 0:
            bottom[key] = position - 1
            continue
        opener_index = delimiters[found]
        opener = tokens[opener_index]
        assert isinstance(opener, _Delimiter)
        opener.partner = index
        closer.partner = opener_index
        closer.can_open = False
        # Unmatched delimiters between the pair can no longer match across it.
        for between in delimiters[found + 1 : position]:
            inner = tokens[between]
            assert isinstance(inner, _Delimiter)
            if inner.partner < 0:
                inner.can_open = inner.can_close = False
    _assign_roles(tokens, delimiters)
    return tokens


def _assign_roles(tokens: list[_Token], delimiters: list[int]) -> None:
    k = len(delimiters) - 1
    while k >= 0:
        index = delimiters[k]
        opener = tokens[index]
        assert isinstance(opener, _Delimiter)
        k -= 1
        if opener.partner <= index:  # unmatched, or a closer
            continue
        closer = tokens[opener.partner]
        assert isinstance(closer, _Delimiter)
        outer = tokens[index - 1] if index > 0 else None
        strong = (
            isinstance(outer, _Delimiter)
            and outer.char == opener.char
            and outer.partner == opener.partner + 1
        )
        if strong:
            assert isinstance(outer, _Delimiter)
            opener.role, closer.role = "strong+", "strong-"
            outer.role = "skip"
            outer_closer = tokens[outer.partner]
            assert isinstance(outer_closer, _Delimiter)
            outer_closer.role = "skip"
            k -= 1
        else:
            opener.role, closer.role = "em+", "em-"


def _to_spans(tokens: list[_Token]) -> list[Span]:
    spans: list[Span] = []
    bold = italic = 0
    for token in tokens:
        if isinstance(token, str):
            if token:
                spans.append(Span(token, bold > 0, italic > 0))
        elif isinstance(token, _Code):
            spans.append(Span(token.text, bold > 0, italic > 0, code=True))
        elif token.partner < 0:
            spans.append(Span(token.char, bold > 0, italic > 0))
        elif token.role == "strong+":
            bold += 1
        elif token.role == "strong-":
            bold -= 1
        elif token.role == "em+":
            italic += 1
        elif token.role == "em-":
            italic -= 1
    return spans


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.code) == (span.bold, span.italic, span.code):
            merged[-1] = Span(last.text + span.text, span.bold, span.italic, span.code)
        else:
            merged.append(span)
    return tuple(merged)
