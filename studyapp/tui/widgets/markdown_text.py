"""Deck text (the small Markdown of deck-format.md) as one Static: fast to mount, math as math.

Textual's Markdown widget builds a widget per block and parses on mount, which made every
review card and exercise step take a frame or more; deck text only ever has paragraphs,
lists, code blocks and emphasis, which one renderable holds (wrapped to the width it gets).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from studyapp.export.markdown import Block, CodeBlock, ListBlock, ParagraphBlock, parse, with_math

_CODE = Style(bold=True)
_BOLD = Style(bold=True)
_ITALIC = Style(italic=True)


Row = tuple[str, str, Text]
"""One line of the source: its prefix, the prefix of the lines it wraps onto, its text."""


class HangingText:
    """Deck Markdown wrapped to the width it is given, a list item's wrapped lines under
    its text rather than under its bullet (a Rich renderable)."""

    def __init__(self, source: str) -> None:
        self.rows = _rows(source)

    def __str__(self) -> str:
        return "\n".join(first + body.plain for first, _rest, body in self.rows)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width)
        out = Text(no_wrap=True, overflow="fold")
        for index, (first, rest, body) in enumerate(self.rows):
            if index:
                out.append("\n")
            lead, hang = (first, rest) if width - len(first) >= 8 else ("", "")
            # (too narrow to hang: wrapped at the full width instead)
            lines = body.wrap(console, width - len(lead), overflow="fold") if body else [body]
            for number, line in enumerate(lines):
                if number:
                    out.append("\n")
                out.append(lead if number == 0 else hang)
                line.rstrip()
                out.append_text(line)
        yield out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((len(first) + body.cell_len for first, _rest, body in self.rows),
                     default=0)
        return Measurement(min(8, widest), min(widest, options.max_width))


def _rows(source: str) -> list[Row]:
    rows: list[Row] = []
    _blocks(with_math(parse(source)), rows, "")
    return rows


def _blocks(blocks: Sequence[Block], rows: list[Row], indent: str, tight: bool = False
            ) -> None:
    for index, block in enumerate(blocks):
        if index and not tight:
            rows.append(("", "", Text()))
        if isinstance(block, ParagraphBlock):
            text = Text()
            for span in block.spans:
                style = _CODE if span.code else Style.combine(
                    [s for s, on in ((_BOLD, span.bold), (_ITALIC, span.italic)) if on]
                ) if span.bold or span.italic else None
                text.append(span.text, style)
            # A hard line break starts a row of its own, at the same indent.
            rows += [(indent, indent, line) for line in text.split("\n", allow_blank=True)]
        elif isinstance(block, CodeBlock):
            code = indent + "  "
            rows += [(code, code, Text(line, _CODE)) for line in block.text.split("\n")]
        else:
            _list(block, rows, indent)


def _list(block: ListBlock, rows: list[Row], indent: str) -> None:
    for number, item in enumerate(block.items, start=block.start):
        if number != block.start and not block.tight:
            rows.append(("", "", Text()))
        marker = f"{number}. " if block.ordered else "• "
        pad = indent + " " * len(marker)
        inner: list[Row] = []
        _blocks(item, inner, "", tight=True)
        for index, (first, rest, body) in enumerate(inner):
            lead = indent + marker if index == 0 else pad
            rows.append((lead + first, pad + rest, body))


class MarkdownText(Static):
    """A Static showing deck Markdown; `source` keeps the text it was given."""

    def __init__(self, source: str, *, classes: str | None = None, id: str | None = None
                 ) -> None:
        super().__init__(HangingText(source), classes=classes, id=id)
        self.source = source

    def show(self, source: str) -> None:
        """Show other text in the same widget."""
        self.source = source
        self.update(HangingText(source))
