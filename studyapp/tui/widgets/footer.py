"""The key footer every screen shows: Textual's Footer, rebuilt only when its keys change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """Textual's Footer, minus costs measured in the TUI benchmark.

    * Textual rebuilds every key each time the screen's bindings are refreshed: when a
      screen shows, when the focus moves, when a screen on top opens or closes; six
      rebuilds for one opening of the calculator, each restyling and redrawing the whole
      footer. This one rebuilds only when the keys it shows have changed.
    * Each key watches the footer's `compact`, and those watchers are only dropped when
      `compact` changes, which it never does: every key ever replaced stayed alive
      (Textual issue #6666), tens of thousands of objects in a session, and Python's
      garbage collector then paused for up to 100 ms in the middle of a key.
    * Each new key restyled itself as it mounted, to add its compact class (given it
      here before it mounts).
    * A key that only turns enabled or disabled (undo, once there is a rating to undo)
      is dimmed or lit where it is, instead of rebuilding the footer for it.
    """

    _ready = False
    """Bindings have been reported once (before that, the footer shows no keys)."""
    _pending = False
    """A rebuild is scheduled; it will read the bindings as they are by then."""
    _shown: Hashable = None
    """What the keys on screen were built from."""

    def _keys(self, screen: Screen[object]) -> Hashable:
        """What the footer's keys are built from."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, active.binding, active.enabled, active.tooltip)
            for key, active in screen.active_bindings.items()
            if active.binding.show or key == palette
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._ready = True
        # The case in which Textual's Footer schedules a rebuild.
        if self.app.app_focus and self.is_attached and screen is self.screen:
            if self._pending:
                return
            keys = self._keys(screen)
            if keys == self._shown or self._enabled_in_place(keys):
                return
            self._pending = True
        super().bindings_changed(screen)

    def _enabled_in_place(self, keys: Hashable) -> bool:
        """When the keys differ from those shown only in which are enabled, set each
        key's `disabled` and say so; otherwise change nothing."""
        shown = self._shown
        if not (isinstance(shown, tuple) and isinstance(keys, tuple)
                and len(shown) == len(keys)
                and all((a[0], a[1], a[3]) == (b[0], b[1], b[3])
                        for a, b in zip(shown, keys, strict=True))):
            return False
        enabled = {(binding.key, binding.action): on for _, binding, on, _ in keys}
        widgets = list(self.query(FooterKey))
        if {(w.key, w.action) for w in widgets} != set(enabled):
            return False
        for widget in widgets:
            widget.disabled = not enabled[(widget.key, widget.action)]
        self._shown = keys
        return True

    def compose(self) -> ComposeResult:
        self._pending = False
        self._shown = self._keys(self.screen) if self._ready else None
        for widget in super().compose():
            if self.compact and hasattr(type(widget), "compact"):  # a key
                # Each key is told `compact` as it mounts and then sets this class; with
                # the class already there that changes nothing, instead of restyling
                # every key one by one.
                widget.add_class("-compact")
            yield widget

    async def recompose(self) -> None:
        replaced = bool(self._shown)
        await super().recompose()
        if replaced:
            # Reporting a change of `compact` (to the value it has) drops the watchers of
            # the keys just removed; the new keys are told the value they already have.
            self.mutate_reactive(Footer.compact)
