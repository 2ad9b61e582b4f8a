"""The held-items screen: what is suspended or buried, and unsuspending it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from studyapp.errors import StudyappError
from studyapp.review import HeldItem, held_items
from studyapp.tui import bindings
from studyapp.tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp


class HeldScreen(Screen[None]):
    """Every suspended and buried item of the library; enter unsuspends the one chosen."""

    CSS_PATH = "stats.tcss"
    BINDINGS = bindings.HELD

    def __init__(self) -> None:
        super().__init__()
        self._held: list[HeldItem] = []

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="held-status", classes="held-line", markup=False)
        yield OptionList(id="held-list")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Suspended and buried"
        self.show_holds()

    def show_holds(self) -> None:
        """List the holds in force now, each with the first line of its item."""
        app = self.study_app
        status = self.query_one("#held-status", Static)
        listing = self.query_one("#held-list", OptionList)
        listing.clear_options()
        store = app.read_store
        if store is None or app.library is None:
            status.update(f"⚠ {app.store_error or 'the library is still loading'}")
            return
        try:
            self._held = held_items(store, app.library, app.clock())
        except StudyappError as error:
            status.update(f"⚠ {error}")
            return
        if not self._held:
            status.update("Nothing is suspended or buried.")
            return
        suspended = sum(1 for h in self._held if h.kind == "suspend")
        status.update(
            f"{suspended} suspended, {len(self._held) - suspended} buried until tomorrow · "
            "enter brings back the item chosen"
        )
        for number, held in enumerate(self._held):
            if held.until is None:
                when = "suspended"
            else:
                when = "buried until " + held.until.astimezone().strftime("%a %H:%M")
                if held.kind == "sibling":
                    when += " (sibling reviewed)"
            front = held.front or "(not in any deck now)"
            listing.add_option(Option(f"{held.identity.deck_id} · {when} · {front}",
                                      id=str(number)))
        listing.highlighted = 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        held = self._held[int(event.option.id or 0)]
        store = self.study_app.store
        if held.hold_id is None:
            self.notify("Buried because a sibling was reviewed today: it is back tomorrow.")
            return
        if store is None:
            self.notify(self.study_app.store_error or "the review store cannot be written",
                        severity="error")
            return
        try:
            done = store.release_hold(held.hold_id, self.study_app.clock())
        except StudyappError as error:
            self.notify(f"not changed: {error}", severity="error")
            return
        what = "unburied" if held.kind == "bury" else "unsuspended"
        self.notify(f"{what}: {held.identity.item_id}" if done else "that hold had ended")
        self.show_holds()

    def action_back(self) -> None:
        self.dismiss()
