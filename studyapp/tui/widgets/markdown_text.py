"""Deck text (the small Markdown of deck-format.md) as one Static: fast to mount, math as math.

Textual's Markdown widget builds a widget per block and parses on mount, which made every
review card and exercise step take a frame or more; deck text only ever has paragraphs,
lists, code blocks and emphasis, which one Rich Text holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from studyapp.export.markdown import Block, CodeBlock, ListBlock, ParagraphBlock, parse, with_math

_CODE = Style(bold=True)
_BOLD = Style(bold=True)
_ITALIC = Style(italic=True)


def markdown_text(source: str) -> Text:
    """`source` as styled text: emphasis kept, code spans bold, math in Unicode."""
    text = Text()
    _blocks(with_math(parse(source)), text, "")
    return text


def _blocks(blocks: Sequence[Block], text: Text, indent: str, tight: bool = False) -> None:
    for index, block in enumerate(blocks):
        if index:
            text.append("\n" if tight else "\n\n")
        if isinstance(block, ParagraphBlock):
            text.append(indent)
            for span in block.spans:
                style = _CODE if span.code else Style.combine(
                    [s for s, on in ((_BOLD, span.bold), (_ITALIC, span.italic)) if on]
                ) if span.bold or span.italic else None
                text.append(span.text.replace("\n", "\n" + indent), style)
        elif isinstance(block, CodeBlock):
            text.append("\n".join(indent + "  " + line for line in block.text.split("\n")),
                        _CODE)
        else:
            _list(block, text, indent)


def _list(block: ListBlock, text: Text, indent: str) -> None:
    for number, item in enumerate(block.items, start=block.start):
        if number != block.start:
            text.append("\n" if block.tight else "\n\n")
        marker = f"{number}. " if block.ordered else "• "
        item_text = Text()
        _blocks(item, item_text, "", tight=True)
        pad = indent + " " * len(marker)
        lines = item_text.split("\n", allow_blank=True)
        for line_number, line in enumerate(lines):
            if line_number:
                text.append("\n")
            text.append(indent + marker if line_number == 0 else pad)
            text.append_text(line)


class MarkdownText(Static):
    """A Static showing deck Markdown; `source` keeps the text it was given."""

    def __init__(self, source: str, *, classes: str | None = None, id: str | None = None
                 ) -> None:
        super().__init__(markdown_text(source), classes=classes, id=id)
        self.source = source

    def show(self, source: str) -> None:
        """Show other text in the same widget."""
        self.source = source
        self.update(markdown_text(source))
