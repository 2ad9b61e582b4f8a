"""Leaving a screen with unsaved work: escape asks first, a second escape leaves."""

from __future__ import annotations

from textual.events import Key
from textual.screen import Screen


class LeaveGuard(Screen[None]):
    """A screen whose escape, in the middle of work that leaving would lose, asks first.

    The question stays until it is answered: a second escape leaves, and anything else
    (a key, typing into an answer box, whose keys never reach the screen, or an answer
    sent) means staying, and the question goes. Either way it does not linger over the
    screen that comes next.
    """

    _leave_armed = False
    """The question is showing: the next escape leaves."""

    def leave(self, question: str | None) -> None:
        """Escape was pressed: `question` is what leaving now would lose, None if nothing."""
        if question is not None and not self._leave_armed:
            self._leave_armed = True
            self.notify(f"{question} Press escape again to leave.", title="Leave?")
            return
        if self._leave_armed:
            self.app.clear_notifications()
        self.dismiss()

    def on_key(self, event: Key) -> None:
        if event.key != "escape":
            self._stay()

    def on_input_changed(self) -> None:
        self._stay()

    def on_input_submitted(self) -> None:
        self._stay()

    def _stay(self) -> None:
        if self._leave_armed:
            self._leave_armed = False
            self.app.clear_notifications()
