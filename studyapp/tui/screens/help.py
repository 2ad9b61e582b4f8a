"""The help screen: every key, in one place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from studyapp.tui import bindings


class HelpScreen(ModalScreen[None]):
    """Keys for every screen; any of escape, q or ? closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS = bindings.HELP

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="scroll-body") as help_box:
            help_box.border_title = "studyapp keys"
            help_box.border_subtitle = "↑/↓ scroll · escape, q or ? closes"
            yield Markdown(bindings.HELP_TEXT)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
