"""The app factory and the Textual App: one library, one review store, many screens."""

from __future__ import annotations

import gc
import inspect
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast
from weakref import WeakKeyDictionary, ref

from textual import work
from textual.app import App, SystemCommand
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from studyapp import __version__
from studyapp.deck.summary import LibrarySummary, read_summary, summarize
from studyapp.errors import StudyappError
from studyapp.paths import library_label
from studyapp.settings import Settings
from studyapp.tui import bindings
from studyapp.tui.commands import StudyCommands

if TYPE_CHECKING:
    from studyapp.deck.loader import Library
    from studyapp.store import ReviewStore

StartScreen = Literal["home", "review", "quiz", "practice"]
Clock = Callable[[], datetime]
KeptScreen = TypeVar("KeptScreen", bound=Screen[Any])


def utc_now() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


class LibraryLoaded(Message):
    """The library finished loading in its worker."""

    def __init__(
        self, library: Library | None, summary: LibrarySummary | None, error: str | None
    ) -> None:
        super().__init__()
        self.library = library
        self.summary = summary
        self.error = error


class StudyApp(App[int]):
    """studyapp's terminal face. Build it with `create_app`."""

    TITLE = "studyapp"
    CSS_PATH = "app.tcss"
    BINDINGS = bindings.APP
    COMMANDS = App.COMMANDS | {StudyCommands}

    def __init__(
        self,
        library_root: Path,
        data_dir: Path,
        *,
        start: StartScreen = "home",
        deck_id: str | None = None,
        exercise_id: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.library_root = library_root
        self.data_dir = data_dir
        self.start = start
        self.start_deck = deck_id
        self.start_exercise = exercise_id
        self.clock = clock
        self.library: Library | None = None
        self.library_error: str | None = None
        self.summary: LibrarySummary | None = None
        """What the home screen shows: read from its cache at start, then from the library."""
        self._store: ReviewStore | None = None
        self._read_store: ReviewStore | None = None
        self._read_failed = False
        self.settings = Settings()
        """`settings.toml` of the data folder, read when the store opens."""
        self._loading = False
        self.store_error: str | None = None
        self._scroll_bodies: WeakKeyDictionary[Screen[Any], ref[Widget]] = WeakKeyDictionary()
        self.sub_title = library_label(library_root)
        self._apply_saved_theme()

    def _apply_saved_theme(self) -> None:
        """The theme saved last time (a broken settings file is reported when the store
        opens; here it only means the default theme)."""
        from studyapp.settings import load_settings

        try:
            theme = load_settings(self.data_dir).theme
        except StudyappError:
            return
        if theme in self.available_themes:
            self.theme = theme

    # -- shared services -------------------------------------------------------------

    @property
    def store(self) -> ReviewStore | None:
        """The review store, opened on first use; None (with `store_error`) if it is unusable."""
        if self._store is None and self.store_error is None:
            from studyapp.settings import load_settings
            from studyapp.store import ReviewStore

            try:
                self.settings = load_settings(self.data_dir)
                self._store = ReviewStore.open(
                    self.data_dir, now=self.clock(), scheduler=self.settings.scheduler()
                )
            except StudyappError as error:
                self.store_error = str(error)
            else:
                self._show_last_sync()
                if self._store.backup_problem is not None:
                    self.notify(self._store.backup_problem, severity="warning", timeout=10)
        return self._store

    @property
    def read_store(self) -> ReviewStore | None:
        """For counts and statistics: the review store, or, when it cannot be opened for
        writing (a read-only data folder), the same database opened read-only."""
        store = self.store
        if store is not None or self._read_store is not None or self._read_failed:
            return store or self._read_store
        from studyapp.store import ReviewStore

        try:
            self._read_store = ReviewStore.open(self.data_dir, now=self.clock(), readonly=True)
        except StudyappError:
            self._read_failed = True
        return self._read_store

    @property
    def cache_dir(self) -> Path:
        """Where the library cache and its summary live."""
        return self.data_dir / "cache"

    def get_default_screen(self) -> Screen[Any]:
        """The home screen is the app's base screen (no blank screen under it to lay out).

        The summary paints it at once (json only, no models); the whole library is then
        validated in a worker (see `start_loading`).
        """
        from studyapp.tui.screens.home import HomeScreen

        self.summary = read_summary(self.library_root, self.cache_dir, __version__)
        return HomeScreen()

    def start_loading(self) -> None:
        """Load the whole library in a worker (the home screen calls this once painted, so
        the worker's imports do not compete with the first paint)."""
        if self.library is None and not self._loading:
            self._loading = True
            self.load_library()

    @work(thread=True, exclusive=True, group="library")
    def load_library(self) -> None:
        """Parse (or read from the cache) the whole library off the UI thread; the cache
        also keeps the summary the next start paints from."""
        from studyapp.deck.cache import load_library_cached

        try:
            library = load_library_cached(self.library_root, self.cache_dir)
            summary = summarize(library)
        except StudyappError as error:
            self.post_message(LibraryLoaded(None, None, str(error)))
            return
        self.post_message(LibraryLoaded(library, summary, None))
        # Still off the UI thread: the screens opened from home are imported now rather
        # than when their key is pressed.
        prepared_screens()

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        if self.library is None and message.library is not None:
            self.call_after_refresh(self.read_screen_css)
        elif message.library is None:
            self.startup_done()
        self.library = message.library
        self.library_error = message.error
        changed = message.summary != self.summary or message.error is not None
        if message.summary is not None:
            self.summary = message.summary
        from studyapp.tui.screens.home import HomeScreen

        # The summary read at start describes the same files: redraw only if it did not.
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen) and changed:
                screen.show_library()
        if self.start != "home" and self.library is not None:
            start, self.start = self.start, "home"
            deck_id = self.start_deck or next(iter(self.library.decks), None)
            if deck_id is None:
                return
            if deck_id not in self.library.decks:
                self.notify(f"unknown deck {deck_id!r}", severity="error")
                return
            if start == "review":
                self.open_review(deck_id)
            elif start == "practice":
                self.open_practice(deck_id)
            else:
                self.open_quiz(deck_id, exercise_id=self.start_exercise)

    def read_screen_css(self) -> None:
        """Read the CSS of the screens opened from home, once the library is on screen.

        Textual reads a screen's CSS when the screen first opens, and then parses the whole
        stylesheet again and restyles every widget of the app: most of the time that first
        opening took. Done here, while the learner reads the home screen, it is not waited
        for (and it is the same stylesheet as after opening each screen once)."""
        changed = False
        for screen in prepared_screens():
            for name in [screen.CSS_PATH] if isinstance(screen.CSS_PATH, str | Path) else []:
                # The path as Textual makes it: next to the module defining the screen.
                path = (Path(inspect.getfile(screen)).parent / name).resolve()
                if not self.stylesheet.has_source(str(path)):
                    self.stylesheet.read(path)
                    changed = True
        if changed:
            self.stylesheet.reparse()
            self.stylesheet.update(self)
        self.startup_done()

    @staticmethod
    def startup_done() -> None:
        """The collector back on (importing this package turned it off), with what exists
        now (modules, the library, the stylesheet, the home screen) out of its reach: it
        lives as long as the app, and each full collection then walks only what came
        after (full collections of 50–70 ms used to fall in the middle of a key)."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_unmount(self) -> None:
        gc.enable()  # an app that ended before its library loaded
        for store in (self._store, self._read_store):
            if store is not None:
                store.close()

    # -- navigation (used by screens and the command palette) --------------------------

    def open_review(self, deck_id: str) -> None:
        """Spaced-repetition review of the deck's due items."""
        from studyapp.tui.screens.review import ReviewScreen

        if self.store is None:
            self.notify(self.store_error or "the review store is unavailable", severity="error")
            return
        self.push_screen(ReviewScreen(deck_id))

    def open_quiz(self, deck_id: str, *, exercise_id: str | None = None) -> None:
        """A quiz over every item of the deck (or one exercise); the schedule is untouched."""
        from studyapp.tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(deck_id, exercise_id=exercise_id))

    def open_practice(self, deck_id: str) -> None:
        """Fresh generated problems from the deck's practice templates."""
        from studyapp.tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(deck_id, practice=True))

    def kept_screen(self, name: str, make: Callable[[], KeptScreen]) -> KeptScreen:
        """The app's one instance of a screen opened again and again: built on first use
        and kept when it is closed (composing and styling its widgets anew was most of the
        time its key took). A fresh one when the kept one is already open below."""
        if not self.is_screen_installed(name):
            self.install_screen(make(), name)
        screen = cast("KeptScreen", self.get_screen(name))
        return make() if screen in self.screen_stack else screen

    def open_calculator(self) -> None:
        """The interactive tree calculator (it keeps the sizes typed while the app runs)."""
        from studyapp.tui.screens.calculator import CalculatorScreen

        self.push_screen(self.kept_screen("calculator", CalculatorScreen))

    def open_stats(self, deck_id: str | None = None) -> None:
        """Review statistics (computed afresh each time the screen shows)."""
        from studyapp.tui.screens.stats import StatsScreen

        screen = self.kept_screen("stats", StatsScreen)
        screen.reopen(deck_id)
        self.push_screen(screen)

    def open_held(self) -> None:
        """Suspended and buried items, to unsuspend."""
        from studyapp.tui.screens.held import HeldScreen

        self.push_screen(HeldScreen())

    def open_export(self, deck_id: str) -> None:
        """The PDF export dialog."""
        from studyapp.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(deck_id))

    # -- app-wide actions ------------------------------------------------------------

    def action_help(self) -> None:
        from studyapp.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def on_mount(self) -> None:
        # Every change of theme (ctrl+t, or the palette's theme picker) is kept.
        self.theme_changed_signal.subscribe(self, lambda _theme: self.save_theme())

    def save_theme(self) -> None:
        """Keep the theme for the next start (`theme` in settings.toml)."""
        from studyapp.settings import save_setting

        try:
            save_setting(self.data_dir, "theme", self.theme)
        except StudyappError as error:
            self.notify(f"theme not saved: {error}", severity="warning")

    def scroll_target(self) -> Widget | None:
        """The scrolling body of the current screen: the one the scroll keys move.

        A screen names it with the `scroll-body` class (the first one shown); a list that
        scrolls itself (the held items) has none, so the keys reach the list.
        """
        screen = self.screen
        # Asked for each scroll key whenever the footer is drawn or a key is pressed: the
        # body found is kept rather than searched for through the screen every time, as
        # long as it is still there and shown (review hides its body during an exercise).
        kept = self._scroll_bodies.get(screen)
        body = kept() if kept is not None else None
        if body is None or not body.is_attached or not _shown(body):
            body = next((found for found in screen.query(".scroll-body") if _shown(found)),
                        None)
            if body is None:
                return None
            # Weak both ways: a closed screen is not kept alive by its entry.
            self._scroll_bodies[screen] = ref(body)
        return body

    def scroll_tail(self) -> Widget | None:
        """A pinned part under the body that scrolls itself when it overflows (a session's
        current prompt): the scroll keys treat body and tail as one page. Searched only
        when a scroll key is pressed."""
        for found in self.screen.query(".scroll-tail"):
            if found.display and found.max_scroll_y > 0:
                return found
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scroll_body":
            # No body: the key goes on to the focused widget (a list pages itself).
            return self.scroll_target() is not None
        return True

    def action_scroll_body(self, how: str) -> None:
        """PageUp/PageDown, Home/End, arrows and j/k on the screen's body, no animation
        (a smooth scroll takes 150–250 ms to show the line the learner asked for).

        With a pinned tail that overflows, the two read as one page, the body above the
        tail: going up moves the tail to its top before the body, going down moves the
        body to its end before the tail.
        """
        target = self.scroll_target()
        if target is None:
            return
        tail = self.scroll_tail()
        if how in ("home", "end"):
            for part in (target, tail):
                if part is not None:
                    (part.scroll_home if how == "home" else part.scroll_end)(animate=False)
            return
        if tail is not None:
            going_up = how in ("page_up", "up")
            if tail.scroll_y > 0 if going_up else target.scroll_y >= target.max_scroll_y:
                target = tail
        if how == "page_up":
            target.scroll_page_up(animate=False)
        elif how == "page_down":
            target.scroll_page_down(animate=False)
        elif how == "up":
            target.scroll_up(animate=False)
        else:
            target.scroll_down(animate=False)

    async def action_quit(self) -> None:
        self.exit(0)

    crash: BaseException | None = None
    """The exception that stopped the app, for `run_app` to hand to the CLI."""

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # No screenful of traceback: the CLI prints one line and writes a report.
        self.bell()
        self._close_messages_no_wait()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Light/dark", "Switch between the light and dark theme",
                            self.action_toggle_theme)
        if self.store is not None and self.settings.sync_folder is not None:
            yield SystemCommand("Sync", f"Exchange reviews through {self.settings.sync_folder}",
                                self.action_sync)

    # -- sync (only with `sync_folder` in settings.toml) -----------------------------

    def _show_last_sync(self) -> None:
        """With a sync folder set, the header says when the last sync was."""
        if self.settings.sync_folder is None or self._store is None:
            return
        last = self._store.last_sync()
        when = "never synced" if last is None else (
            f"synced {last.astimezone().strftime('%Y-%m-%d %H:%M')}")
        self.sub_title = f"{library_label(self.library_root)} · {when}"

    def action_sync(self) -> None:
        """Sync through the folder of `settings.toml` (as `studyapp sync FOLDER` does)."""
        if self.store is None or self.settings.sync_folder is None:
            self.notify("no sync_folder is set in settings.toml", severity="warning")
            return
        self.run_sync()

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self) -> None:
        """The sync itself, off the UI thread (the store serialises access)."""
        from studyapp.sync import sync

        store, folder = self.store, self.settings.sync_folder
        assert store is not None and folder is not None
        try:
            result = sync(store, self.data_dir, folder, self.clock())
        except StudyappError as error:
            self.call_from_thread(self.notify, str(error), severity="error")
            return
        self.call_from_thread(self._synced, result.line())

    def _synced(self, line: str) -> None:
        from studyapp.tui.screens.home import HomeScreen

        self.notify(line)
        self._show_last_sync()
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.show_library()


def prepared_screens() -> list[type[Screen[Any]]]:
    """The screens opened from home (imported once the library has loaded, their CSS read
    soon after, so their first opening does not wait for either)."""
    from studyapp.tui.screens.calculator import CalculatorScreen
    from studyapp.tui.screens.quiz import QuizScreen
    from studyapp.tui.screens.review import ReviewScreen
    from studyapp.tui.screens.stats import StatsScreen

    return [ReviewScreen, QuizScreen, CalculatorScreen, StatsScreen]


def create_app(
    library_root: Path,
    data_dir: Path,
    *,
    start: StartScreen = "home",
    deck_id: str | None = None,
    exercise_id: str | None = None,
    clock: Clock = utc_now,
) -> StudyApp:
    """The one way to build the app: used by the CLI, the pilot tests and the snapshots."""
    return StudyApp(
        library_root, data_dir, start=start, deck_id=deck_id, exercise_id=exercise_id,
        clock=clock,
    )


def run_app(
    library_root: Path,
    data_dir: Path,
    *,
    start: StartScreen = "home",
    deck_id: str | None = None,
    exercise_id: str | None = None,
) -> int:
    """Run the TUI until the learner quits; returns the exit code."""
    app = create_app(library_root, data_dir, start=start, deck_id=deck_id,
                     exercise_id=exercise_id)
    result = app.run()
    if app.crash is not None:
        # The CLI turns any exception into its one-line internal error and a report file.
        raise app.crash
    return result if isinstance(result, int) else 0


def _shown(widget: Widget) -> bool:
    """The widget and its parent are displayed (not hidden with `display: none`)."""
    parent = widget.parent
    return widget.display and (not isinstance(parent, Widget) or parent.display)
