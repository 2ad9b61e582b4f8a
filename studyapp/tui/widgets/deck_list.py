"""A light, keyboard-driven table of decks for the home screen (one line per deck)."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from studyapp.tui import bindings

HEADERS = ("Deck", "Due", "New", "Total", "Title")


class DeckRow(NamedTuple):
    """One deck as the home screen lists it."""

    deck_id: str
    due: str
    new: str
    total: str
    title: str

    def cells(self) -> tuple[str, str, str, str, str]:
        return (self.deck_id, self.due, self.new, self.total, self.title)


class DeckList(Widget, can_focus=True):
    """Decks with their counts; ↑/↓ move, enter opens, a click selects.

    The home screen is the first thing painted, so this draws plain text lines instead of
    a full DataTable (which costs a noticeable share of the start-up time).
    """

    BINDINGS = bindings.DECK_LIST

    index: reactive[int] = reactive(0)

    class Highlighted(Message):
        """The cursor moved to another deck."""

        def __init__(self, deck_id: str) -> None:
            super().__init__()
            self.deck_id = deck_id

    class Opened(Message):
        """Enter was pressed on a deck."""

        def __init__(self, deck_id: str) -> None:
            super().__init__()
            self.deck_id = deck_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[DeckRow] = []

    # -- data (a DataTable-like reading API, for the screen and the tests) ----------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, row: int) -> tuple[str, ...]:
        """The cells of one row."""
        return self._rows[row].cells()

    @property
    def selected(self) -> str | None:
        """The deck under the cursor."""
        return self._rows[self.index].deck_id if self._rows else None

    def set_rows(self, rows: list[DeckRow], keep: str | None = None) -> None:
        """Show these decks; the cursor stays on `keep` when it is still listed."""
        self._rows = rows
        ids = [row.deck_id for row in rows]
        self.index = ids.index(keep) if keep in ids else 0
        self.styles.height = len(rows) + 1
        self.refresh(layout=True)

    # -- drawing ---------------------------------------------------------------------------

    def render(self) -> Text:
        table = [HEADERS, *(row.cells() for row in self._rows)]
        widths = [max(len(cells[i]) for cells in table) for i in range(len(HEADERS))]
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, cells in enumerate(table):
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()
            line = f" {line} ".ljust(self.size.width)
            if number == 0:
                style = "bold"
            elif number - 1 == self.index:
                style = "reverse bold" if self.has_focus else "reverse"
            else:
                style = ""
            text.append(line, style=style)
            if number < len(table) - 1:
                text.append("\n")
        return text

    def watch_index(self, index: int) -> None:
        if self._rows:
            self.post_message(self.Highlighted(self._rows[index].deck_id))
            # Keep the cursor's line in view when the list is taller than the screen.
            parent = self.parent
            if isinstance(parent, Widget) and parent.is_scrollable:
                line = Region(0, self.virtual_region.y + 1 + index, 1, 1)
                parent.scroll_to_region(line, animate=False, immediate=True)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- keys and mouse --------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._rows:
            self.index = max(0, min(len(self._rows) - 1, self.index + step))

    def action_jump(self, where: int) -> None:
        if self._rows:
            self.index = where % len(self._rows)

    def action_open(self) -> None:
        if self._rows:
            self.post_message(self.Opened(self._rows[self.index].deck_id))

    def on_click(self, event: events.Click) -> None:
        row = event.y - 1  # the first line is the header
        if 0 <= row < len(self._rows):
            self.index = row
            if event.chain >= 2:  # a double click opens the deck
                self.action_open()
