"""The review screen: renders the review engine's state and forwards the learner's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Label, Static

from studyapp.errors import StudyappError
from studyapp.export.markdown import rendered_text
from studyapp.review import (
    RATING_NAMES,
    ReviewEngine,
    ReviewEvent,
    ReviewSummary,
    ReviewView,
    review_items,
    saved_interval,
)
from studyapp.schedule import format_interval
from studyapp.session import Feedback
from studyapp.tui import bindings
from studyapp.tui.leave import LeaveGuard
from studyapp.tui.widgets.footer import KeyFooter
from studyapp.tui.widgets.markdown_text import MarkdownText
from studyapp.tui.widgets.session_view import SessionView

if TYPE_CHECKING:
    from studyapp.store import ReviewResult
    from studyapp.tui.app import StudyApp

NOTE_WIDTH = 74
"""The one-line note about the last action fits an 80-column screen: 76 columns inside
the body's padding, less 2 when the body shows its scroll bar (an exercise's history)."""

FIRST_NOTE = "each rating is saved as you make it · u undoes the last one"
"""The note's line before the first rating."""

#: Which engine action each key binding's action asks about (for the footer).
_ENGINE_ACTIONS = {
    "reveal": "reveal", "proceed": "proceed", "rate": "rate", "undo": "undo", "bury": "bury",
    "suspend": "suspend",
}


#: The actions whose keys the footer shows: dimmed, not hidden, when they do nothing now.
_IN_FOOTER = frozenset(
    b.action for b in bindings.REVIEW if isinstance(b, Binding) and b.show
)


class ReviewScreen(LeaveGuard):
    """Spaced-repetition review of one deck; every rating is on disk before the next item."""

    CSS_PATH = "study.tcss"

    BINDINGS = bindings.REVIEW

    # Nothing takes the focus when the screen shows ("", as None means the app's "*"): a
    # card needs no focus (the app's scroll keys find the body), and the body losing it
    # at the first rating cost a frame. An exercise focuses its own answer box.
    AUTO_FOCUS = ""

    def __init__(self, deck_id: str) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.engine: ReviewEngine | None = None
        self._last = FIRST_NOTE
        """One line about what the last action did (saved, undone, buried); before the
        first, what a rating does. Always one line, so that the card under it stays put."""

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", classes="progress-line study-pinned", id="review-progress")
        # An exercise's step counter, pinned under the review's own (empty otherwise).
        yield Static("", classes="progress-line study-pinned", id="sv-progress", markup=False)
        yield VerticalScroll(id="review-body", classes="study scroll-body")
        yield Static("", classes="choices study-pinned", id="review-choices", markup=False)
        yield KeyFooter(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Review · {self.deck_id}"
        app = self.study_app
        store = app.store
        try:
            if app.library is None or store is None:
                raise StudyappError(app.store_error or "the library is still loading")
            deck = app.library.deck(self.deck_id)
            items = review_items(deck, app.library.exercises_of(deck))
            self.engine = ReviewEngine(
                store, self.deck_id, items, app.clock,
                new_limit=app.settings.new_items_per_day,
                learn_ahead=app.settings.learn_ahead,
            )
        except StudyappError as error:
            await self.query_one("#review-body").mount(
                Static(f"⚠ {error}", classes="feedback-wrong", markup=False)
            )
            return
        await self.render_engine()

    # -- rendering ---------------------------------------------------------------------

    async def render_engine(self) -> None:
        """Show the engine's current state from scratch."""
        assert self.engine is not None
        view = self.engine.view()
        body = self.query_one("#review-body", VerticalScroll)
        if await self._card_in_place(view, body):
            return
        await body.remove_children()
        # An exercise is a session of its own (history scrolling, step pinned) in place of
        # the card body; anything else shows in the body.
        await self.query("#review-exercise").remove()
        body.display = view.phase not in ("step", "exercise_done")
        step_line = self.query_one("#sv-progress", Static)
        step_line.update("")
        step_line.display = view.phase in ("step", "exercise_done")
        # Always there, so that the first rating, like every later one, shows the next
        # card in the same widgets.
        saved = Static(self._last, classes="explain", id="review-saved", markup=False)
        widgets: list[Widget] = [saved]
        progress = self.query_one("#review-progress", Static)
        if view.item is None:
            progress.update("")
            widgets += _summary_widgets(self.deck_id, self.engine.summary(),
                                        self.study_app.clock())
            self._set_choices("u undo the last rating · escape back to the decks")
            await body.mount_all(widgets)
            self.set_focus(None)
            self.refresh_bindings()
            return
        item = view.item
        again = " · again" if view.again else ""
        progress.update(f"{view.position} of {view.total} · {item.kind}{again}")
        tags = Static(" ".join(f"#{t}" for t in item.tags), classes="tags", markup=False)
        tags.display = bool(item.tags)
        widgets.append(tags)
        if view.phase in ("step", "exercise_done") and view.exercise is not None:
            exercise = SessionView(view.exercise, id="review-exercise", intro=widgets,
                                   submit=self._submit_step,
                                   progress=self.query_one("#sv-progress", Static))
            self._set_choices(self._exercise_note(view))
            await self.mount(exercise, before="#review-choices")
            self.refresh_bindings()
            return
        widgets.append(MarkdownText(item.front, classes="front"))
        if view.phase == "back":
            widgets.append(MarkdownText(item.back or "", classes="back"))
        self._set_choices(self._choices_text(view))
        await body.mount_all(widgets)
        self.set_focus(None)
        self.refresh_bindings()
        if view.phase == "back":
            body.scroll_end(animate=False)

    async def _card_in_place(self, view: ReviewView, body: VerticalScroll) -> bool:
        """A card's front after another card: the same widgets with new text (removing
        and mounting them all again cost a frame or two per rating)."""
        item = view.item
        if item is None or view.phase != "front":
            return False
        kids = list(body.children)
        backs = [w for w in kids if w.has_class("back")]
        rest = [w for w in kids if not w.has_class("back")]
        if not (len(rest) == 3 and rest[0].id == "review-saved" and rest[1].has_class("tags")
                and isinstance(rest[2], MarkdownText)):
            return False
        saved, tags, front = rest[0], rest[1], rest[2]
        assert isinstance(saved, Static) and isinstance(tags, Static)
        for back in backs:
            await back.remove()
        saved.update(self._last)
        tags.update(" ".join(f"#{t}" for t in item.tags))
        tags.display = bool(item.tags)
        front.show(item.front)
        again = " · again" if view.again else ""
        self.query_one("#review-progress", Static).update(
            f"{view.position} of {view.total} · {item.kind}{again}")
        self._set_choices(self._choices_text(view))
        body.scroll_home(animate=False)
        self.set_focus(None)
        self.refresh_bindings()
        return True

    def _set_choices(self, text: str) -> None:
        self.query_one("#review-choices", Static).update(text)

    @staticmethod
    def _choices_text(view: ReviewView) -> str:
        if view.phase == "back":
            return "   ".join(f"{int(c.rating)} {c.name} ({c.interval})" for c in view.choices)
        return "space reveal · b bury · s suspend · u undo"

    @staticmethod
    def _exercise_note(view: ReviewView) -> str:
        if view.phase == "exercise_done" and view.saved is not None:
            return f"{_saved_text(view.saved)} · space to continue"
        return "ctrl+z undo the last rating · escape back"

    def _submit_step(self, text: str) -> Feedback:
        """The exercise's answer box sends its lines through the engine (which commits the
        exercise when its last step is done)."""
        assert self.engine is not None
        try:
            event = self.engine.answer(text)
        except StudyappError as error:
            self.notify(f"not saved: {error}", severity="error")
            return Feedback("unreadable", done=False, reason=f"not saved: {error}")
        assert event.feedback is not None or event.what == "ignored"
        if event.result is not None:
            self._last = _saved_text(event.result)
        return event.feedback or Feedback("unreadable", done=False, reason="")

    async def on_session_view_finished(self, message: SessionView.Finished) -> None:
        """The exercise's last step is done (and its rating saved by the engine)."""
        message.stop()
        if self.engine is None:
            return
        view = self.engine.view()
        self._set_choices(self._exercise_note(view))
        self.set_focus(None)
        self.refresh_bindings()

    # -- keys --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show (and allow) only the keys the engine says fit now."""
        if self.engine is None:
            return action == "back"
        wanted = _ENGINE_ACTIONS.get(action)
        if wanted is None or self.engine.allowed(wanted):
            return True
        # The footer's keys stay where they are, dimmed while they do nothing (so that
        # it is not rebuilt when the first rating makes undo possible).
        return None if action in _IN_FOOTER else False

    async def _after(self, event: ReviewEvent) -> None:
        if event.what == "saved" and event.result is not None and event.item is not None:
            saved = _saved_text(event.result)
            room = NOTE_WIDTH - len(saved) - 5
            self._last = saved + (f" · “{_short(event.item.front, room)}”" if room > 8 else "")
        elif event.what == "undone" and event.item is not None:
            self._last = f"undone · “{_short(event.item.front, NOTE_WIDTH - 30)}” is back as it was"
        elif event.what == "held" and event.item is not None:
            room = NOTE_WIDTH - len(event.message or "") - 5
            self._last = f"{event.message} · “{_short(event.item.front, room)}”"
        elif event.what == "nothing_to_undo":
            self.notify(event.message or "Nothing to undo.")
            return
        elif event.what in ("ignored", "invalid"):
            return
        elif event.what == "revealed" and event.item is not None:
            body = self.query_one("#review-body", VerticalScroll)
            await body.mount(MarkdownText(event.item.back or "", classes="back"))
            self._set_choices(self._choices_text(self.engine.view()) if self.engine else "")
            self.refresh_bindings()
            body.scroll_end(animate=False)
            return
        await self.render_engine()

    async def _run(self, action: str, rating: int = 0) -> None:
        if self.engine is None:
            return
        engine = self.engine
        try:
            if action == "primary":
                event = engine.primary()
            elif action == "rate":
                event = engine.rate(rating)
            elif action == "undo":
                event = engine.undo()
            else:
                event = engine.hold("bury" if action == "bury" else "suspend")
        except StudyappError as error:
            self.notify(f"not saved: {error}", severity="error")
            return
        await self._after(event)

    async def action_reveal(self) -> None:
        await self._run("primary")

    async def action_proceed(self) -> None:
        await self._run("primary")

    async def action_rate(self, rating: int) -> None:
        await self._run("rate", rating)

    async def action_undo(self) -> None:
        await self._run("undo")

    async def action_bury(self) -> None:
        await self._run("bury")

    async def action_suspend(self) -> None:
        await self._run("suspend")

    def action_back(self) -> None:
        """Leave; halfway through an exercise, only after a second escape."""
        unsaved = self.engine.unsaved_steps() if self.engine is not None else 0
        self.leave(f"Leave review? This exercise's {unsaved} answered step"
                   f"{'s are' if unsaved != 1 else ' is'} not saved until its last step."
                   if unsaved else None)


def _saved_text(result: ReviewResult) -> str:
    due = result.due.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"saved {RATING_NAMES[result.rating]} · due {due} (in {saved_interval(result)})"


def _summary_widgets(deck_id: str, summary: ReviewSummary, now: object) -> list[Widget]:
    from datetime import datetime, timedelta

    assert isinstance(now, datetime)
    ratings = " · ".join(f"{RATING_NAMES[r]} {n}" for r, n in summary.by_rating.items())
    minutes, seconds = divmod(round(summary.time_spent.total_seconds()), 60)
    if summary.next_due is None:
        next_due = "nothing is scheduled"
    else:
        wait = format_interval(max(summary.next_due - now, timedelta(0)))
        next_due = f"{summary.next_due.astimezone().strftime('%Y-%m-%d %H:%M')} (in {wait})"
    lines = [
        f"Reviewed {summary.items} item{'s' if summary.items != 1 else ''} "
        f"({summary.reviewed} review{'s' if summary.reviewed != 1 else ''}) "
        f"in {minutes}m {seconds:02d}s",
        f"Ratings: {ratings}",
        f"Graduated: {summary.graduated} · still learning: {summary.learning} · "
        f"buried: {summary.buried}",
        f"Next due: {next_due}",
    ]
    return [
        Label(f"Nothing more due in {deck_id}.", classes="section-title"),
        Static("\n".join(lines), classes="summary", id="review-summary", markup=False),
    ]


def _short(text: str, width: int = 50) -> str:
    line = rendered_text(text).strip().split("\n")[0]
    return line if len(line) <= width else line[: width - 1] + "…"
