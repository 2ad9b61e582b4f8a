"""The export dialog: layout, paper, duplex, cut marks and path; the PDF is written in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from studyapp.errors import StudyappError
from studyapp.export.printable import DUPLEX_MODES, LAYOUTS, PAPERS, PdfOptions, printable_items
from studyapp.paths import expand_user
from studyapp.tui import bindings

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp


class ExportProgress(Message):
    """Cards drawn so far (posted from the export worker)."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ExportDone(Message):
    """The export finished: where the file went, or why it failed."""

    def __init__(self, path: Path | None, summary: str) -> None:
        super().__init__()
        self.path = path
        self.summary = summary


class ExportScreen(ModalScreen[Path | None]):
    """Choose how to print a deck; returns the written file's path (or None)."""

    CSS_PATH = "export.tcss"

    BINDINGS = bindings.EXPORT

    def __init__(self, deck_id: str) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        default = Path.cwd() / f"{self.deck_id}-cards.pdf"
        with VerticalScroll(id="export-dialog", classes="scroll-body"):
            yield Label(f"Export {self.deck_id} to PDF", classes="section-title")
            # Label and control on one row each, so the dialog fits in 24 lines.
            with Horizontal(classes="form-row"):
                yield Label("Layout", classes="form-label")
                yield Select([(name, name) for name in LAYOUTS], value="grid",
                             allow_blank=False, id="export-layout", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Paper", classes="form-label")
                yield Select([(name, name) for name in PAPERS], value="a4", allow_blank=False,
                             id="export-paper", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Duplex", classes="form-label")
                yield Select([(name, name) for name in DUPLEX_MODES], value="long",
                             allow_blank=False, id="export-duplex", compact=True)
            yield Checkbox("Cut marks", id="export-cut-marks", compact=True)
            yield Checkbox("With worked exercises", id="export-exercises", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Save as", classes="form-label")
                yield Input(str(default), id="export-path", compact=True)
            yield ProgressBar(id="export-progress", show_eta=False)
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-go", compact=True)
                yield Button("Close", id="export-cancel", compact=True)
            yield Static("", id="export-status", markup=False)
            yield Static("tab next field · enter on a button or in Save as · escape closes · "
                         "ctrl+q quit",
                         classes="explain")

    def options(self) -> PdfOptions:
        """The choices made so far."""
        return PdfOptions(
            layout=str(self.query_one("#export-layout", Select).value),  # type: ignore[arg-type]
            paper=str(self.query_one("#export-paper", Select).value),  # type: ignore[arg-type]
            duplex=str(self.query_one("#export-duplex", Select).value),  # type: ignore[arg-type]
            cut_marks=self.query_one("#export-cut-marks", Checkbox).value,
            title=self.deck_id,
        )

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-path")
    def start_export(self) -> None:
        app = cast("StudyApp", self.app)
        status = self.query_one("#export-status", Static)
        status.add_class("shown")
        if self.query_one("#export-go", Button).disabled:
            return  # already writing
        if app.library is None:
            status.update("⚠ the library is still loading")
            return
        try:
            deck = app.library.deck(self.deck_id)
            items = printable_items(
                deck,
                app.library.exercises_of(deck),
                with_exercises=self.query_one("#export-exercises", Checkbox).value,
            )
            options = self.options()
            path = expand_user(self.query_one("#export-path", Input).value.strip())
        except StudyappError as error:
            status.update(f"⚠ {error}")
            return
        self.query_one("#export-go", Button).disabled = True
        self.query_one("#export-progress", ProgressBar).add_class("running")
        status.update(f"Writing {len(items)} items…")
        self.write(items, path, options)

    @work(thread=True, exclusive=True, group="export")
    def write(self, items: list[object], path: Path, options: PdfOptions) -> None:
        """Draw the PDF off the UI thread; progress and the outcome come back as messages."""
        from studyapp.export.pdf import write_pdf

        def progress(done: int, total: int) -> None:
            self.post_message(ExportProgress(done, total))

        try:
            result = write_pdf(items, path, options, progress)  # type: ignore[arg-type]
        except StudyappError as error:
            self.post_message(ExportDone(None, f"⚠ {error}"))
            return
        warnings = "".join(f"\n⚠ {w}" for w in result.warnings)
        self.post_message(ExportDone(
            result.path,
            f"Saved {result.items} items on {result.pages} pages to {result.path}{warnings}",
        ))

    def on_export_progress(self, message: ExportProgress) -> None:
        self.query_one("#export-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_export_done(self, message: ExportDone) -> None:
        self.written = message.path
        self.query_one("#export-status", Static).update(message.summary)
        self.query_one("#export-go", Button).disabled = False


    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        # The toast waits until the dialog closes (over the dialog it covered the status),
        # and goes soon: the dialog already said where the file went.
        if self.written is not None:
            self.app.notify(f"PDF saved to {self.written}", timeout=3)
        self.dismiss(self.written)
