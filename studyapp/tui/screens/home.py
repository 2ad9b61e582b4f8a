"""The home screen: every deck with due, new and total counts, and what failed to load."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Static

from studyapp.counts import deck_counts
from studyapp.paths import library_label
from studyapp.tui import bindings
from studyapp.tui.widgets.deck_list import DeckList, DeckRow
from studyapp.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp

TITLE_WIDTH = 44
"""Longer deck titles are cut so the table fits 80 columns; the description shows in full."""


def _relative(path: Path, root: Path) -> str:
    """`decks/x.yaml` rather than the full path, when the file is inside the library."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class HomeScreen(Screen[None]):
    """Pick a deck, then review, quiz, practice, export; or open the calculator or stats."""

    BINDINGS = bindings.HOME

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        # A one-line title bar rather than Header: this screen is the app's first paint.
        yield Static(f"studyapp — {library_label(self.study_app.library_root)}",
                     id="home-title")
        with VerticalScroll(id="home", classes="scroll-body", can_focus=False):
            yield Static("Loading the library…", id="home-status")
            yield DeckList(id="decks")
            yield Static("", id="home-about")
            yield Static("", id="home-problems")
            yield Static(
                "r review · q quiz · w worked exercise · p practice · e export · "
                "c calculator · s stats · ? help · ctrl+p commands · ctrl+q quit",
                id="home-hint",
            )
        # Every home key fits in 80 columns only without the palette's own entry (the
        # line above names ctrl+p).
        yield KeyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.show_library()
        self._shown = True
        # Twice: the first refresh lays the screen out, the second paints it.
        self.call_after_refresh(self.call_after_refresh, self.study_app.start_loading)

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Counts change after a review session: recount when we come back (the first
        # resume is the screen's own start, already counted in on_mount).
        if self._shown:
            self._shown = False
            # Every widget was styled as it mounted, a moment ago: styling them all again
            # (Textual's default on resuming) was a seventh of the time to first paint.
            event.refresh_styles = False
            return
        self.show_library()

    _shown = False
    """True between the first paint and the first resume (which needs no recount)."""

    def show_library(self) -> None:
        """Fill the deck table and the list of files that failed to load."""
        app = self.study_app
        status = self.query_one("#home-status", Static)
        summary = app.summary
        if summary is None:
            status.update(f"⚠ {app.library_error}" if app.library_error else "Loading…")
            return
        table = self.query_one("#decks", DeckList)
        selected = self.selected_deck()
        rows: list[DeckRow] = []
        store = app.read_store
        now = app.clock()
        for deck in summary.decks:
            if store is not None:
                counts = deck_counts(
                    store, deck.id, deck.item_ids, deck.siblings, now,
                    app.settings.new_items_per_day,
                )
                due, new = str(counts.due), str(counts.new)
            else:
                due = new = "–"
            title = deck.title if len(deck.title) <= TITLE_WIDTH else (
                deck.title[: TITLE_WIDTH - 1] + "…"
            )
            rows.append(DeckRow(deck.id, due, new, str(len(deck.item_ids)), title))
        table.set_rows(rows, keep=selected)
        count = len(summary.decks)
        lines = [f"{count} deck{'s' if count != 1 else ''} in {library_label(summary.root)}"]
        if app.store_error:
            lines.append(f"⚠ review store: {app.store_error}")
        status.update("\n".join(lines))
        problems = self.query_one("#home-problems", Static)
        if summary.failed:
            n = len(summary.failed)
            failures = [f"⚠ {n} file{'s' if n != 1 else ''} did not load:"]
            failures += [
                f"  {_relative(Path(f.path), summary.root)}:{f.line}:{f.column}: {f.message}"
                for f in summary.failed
            ]
            problems.update("\n".join(failures))
            problems.add_class("shown")
        else:
            problems.update("")
            problems.remove_class("shown")
        self._show_about()
        table.focus()

    def _show_about(self) -> None:
        """The highlighted deck's description, under the table (the table has no room)."""
        summary = self.study_app.summary
        deck_id = self.selected_deck()
        about = self.query_one("#home-about", Static)
        deck = next((d for d in summary.decks if d.id == deck_id), None) if summary else None
        if deck is None:
            about.update("")
            return
        about.update(Text(" ".join((deck.description or deck.title).split())))

    def on_deck_list_highlighted(self, event: DeckList.Highlighted) -> None:
        self._show_about()

    def selected_deck(self) -> str | None:
        """The deck under the cursor, if any."""
        return self.query_one("#decks", DeckList).selected

    def _with_deck(self) -> str | None:
        deck_id = self.selected_deck()
        if deck_id is None:
            self.notify("No deck to open yet.", severity="warning")
        elif self.study_app.library is None:
            self.notify("The library is still loading; one moment.")
            return None
        return deck_id

    def on_deck_list_opened(self, event: DeckList.Opened) -> None:
        if self.study_app.library is None:
            self.notify("The library is still loading; one moment.")
            return
        self.study_app.open_review(event.deck_id)

    def action_review(self) -> None:
        if (deck_id := self._with_deck()) is not None:
            self.study_app.open_review(deck_id)

    def action_quiz(self) -> None:
        if (deck_id := self._with_deck()) is not None:
            self.study_app.open_quiz(deck_id)

    def action_exercise(self) -> None:
        deck_id = self._with_deck()
        library = self.study_app.library
        if deck_id is None or library is None:
            return
        exercises = library.decks[deck_id].exercises
        if not exercises:
            self.notify("This deck has no worked exercise.", severity="warning")
            return
        self.study_app.open_quiz(deck_id, exercise_id=exercises[0])

    def action_practice(self) -> None:
        if (deck_id := self._with_deck()) is not None:
            self.study_app.open_practice(deck_id)

    def action_export(self) -> None:
        if (deck_id := self._with_deck()) is not None:
            self.study_app.open_export(deck_id)

    _quit_armed = False
    """Escape was pressed once: a second escape quits."""

    def on_key(self, event: object) -> None:
        from textual.events import Key

        if isinstance(event, Key) and event.key != "escape":
            self._quit_armed = False

    def action_ask_quit(self) -> None:
        """Escape on home asks first; escape again (or ctrl+q) quits."""
        if self._quit_armed:
            self.app.exit(0)
            return
        self._quit_armed = True
        self.notify("Quit studyapp? Press escape again (or ctrl+q) to quit.")

    def action_calculator(self) -> None:
        self.study_app.open_calculator()

    def action_stats(self) -> None:
        self.study_app.open_stats(self.selected_deck())
