"""The review screen: due items one by one, reveal, rate 1–4 with the next intervals, undo."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Label, Markdown, Static

from studyapp.errors import StudyappError
from studyapp.review import ReviewItem, ReviewSession, review_items
from studyapp.schedule import Rating
from studyapp.session import ExerciseSummary
from studyapp.tui import bindings
from studyapp.tui.widgets.session_view import SessionView

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp

RATING_NAMES = {Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good",
                Rating.EASY: "easy"}


class ReviewScreen(Screen[None]):
    """Spaced-repetition review of one deck; every rating is on disk before the next item."""

    CSS_PATH = "study.tcss"

    BINDINGS = bindings.REVIEW

    def __init__(self, deck_id: str) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.review: ReviewSession | None = None
        self.revealed = False
        self._shown_at = time.monotonic()
        self._last_saved = ""
        self._awaiting_continue = False

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="review-body", classes="study")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.sub_title = f"Review · {self.deck_id}"
        app = self.study_app
        store = app.store
        try:
            if app.library is None or store is None:
                raise StudyappError(app.store_error or "the library is still loading")
            deck = app.library.deck(self.deck_id)
            items = review_items(deck, app.library.exercises_of(deck))
            self.review = ReviewSession(
                store, self.deck_id, items, app.clock, new_limit=app.settings.new_items_per_day
            )
        except StudyappError as error:
            await self.query_one("#review-body").mount(
                Static(f"⚠ {error}", classes="feedback-wrong", markup=False)
            )
            return
        await self.show_item()

    async def show_item(self) -> None:
        """Render the current due item (or the end of the session)."""
        assert self.review is not None
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        self.revealed = False
        self._awaiting_continue = False
        self._shown_at = time.monotonic()
        item = self.review.current()
        widgets: list[Widget] = []
        if self._last_saved:
            widgets.append(Static(self._last_saved, classes="explain", id="review-saved",
                                  markup=False))
        if item is None:
            done = self.review.reviewed
            widgets.append(Label(
                f"Nothing more due in {self.deck_id}. Reviewed {done} item"
                f"{'s' if done != 1 else ''} this session.",
                classes="section-title",
            ))
            widgets.append(Static("u undo the last rating · escape back to the decks",
                                  classes="choices"))
            await body.mount_all(widgets)
            self.refresh_bindings()
            return
        widgets.append(Static(
            f"{self.review.position} of {self.review.reviewed + self.review.remaining}"
            f" · {item.kind}", classes="progress-line", id="review-progress",
        ))
        if item.tags:
            widgets.append(Static(" ".join(f"#{t}" for t in item.tags), classes="tags",
                                  markup=False))
        if item.kind == "exercise":
            widgets.append(SessionView(self.review.exercise_session(), id="review-exercise"))
            await body.mount_all(widgets)
            self.refresh_bindings()
            return
        widgets.append(Markdown(item.front, classes="front"))
        widgets.append(Static("space to reveal", classes="choices", id="review-choices"))
        await body.mount_all(widgets)
        self.set_focus(None)
        self.refresh_bindings()

    def _choices_text(self) -> str:
        assert self.review is not None
        previews = self.review.previews()
        return "   ".join(
            f"{int(rating)} {RATING_NAMES[rating]} ({previews[rating]})" for rating in Rating
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show (and allow) only the keys that fit: reveal before, ratings after."""
        if self.review is None:
            return action == "back"
        item = self.review.current()
        flashcard = item is not None and item.kind != "exercise"
        if action == "reveal":
            return self._awaiting_continue or (flashcard and not self.revealed)
        if action == "rate":
            return flashcard and self.revealed
        return True

    async def action_reveal(self) -> None:
        if self._awaiting_continue:
            await self.show_item()
            return
        if self.review is None or self.revealed:
            return
        item = self.review.current()
        if item is None or item.kind == "exercise":
            return
        self.revealed = True
        body = self.query_one("#review-body", VerticalScroll)
        choices = self.query_one("#review-choices", Static)
        await body.mount(Markdown(item.back or "", classes="back"), before=choices)
        choices.update(self._choices_text())
        self.refresh_bindings()
        body.scroll_end(animate=False)

    async def action_rate(self, rating: int) -> None:
        if self.review is None or not self.revealed:
            return
        item = self.review.current()
        if item is None or item.kind == "exercise":
            return
        await self._commit(item, Rating(rating))

    async def _commit(self, item: ReviewItem, rating: Rating) -> None:
        assert self.review is not None
        elapsed = int((time.monotonic() - self._shown_at) * 1000)
        try:
            if item.kind == "exercise":
                summary = self._exercise_summary()
                result = self.review.rate_exercise(summary, elapsed)
            else:
                result = self.review.rate(rating, elapsed)
        except StudyappError as error:
            self.notify(f"not saved: {error}", severity="error")
            return
        due = result.due.astimezone().strftime("%Y-%m-%d %H:%M")
        # One line at 80 columns: the rating and due date first, the item's start after.
        self._last_saved = (
            f"saved {RATING_NAMES[result.rating]} · due {due} · “{_short(item.front, 34)}”"
        )
        if item.kind == "exercise":
            # Leave the worked steps and the outcome on screen until the learner moves on.
            self._awaiting_continue = True
            body = self.query_one("#review-body", VerticalScroll)
            await body.mount_all([
                Static(self._last_saved, classes="feedback-correct entry-start", markup=False),
                Static("space to continue", classes="choices"),
            ])
            self.set_focus(None)
            self.refresh_bindings()
            body.scroll_end(animate=False)
            return
        await self.show_item()

    def _exercise_summary(self) -> ExerciseSummary:
        view = self.query_one("#review-exercise", SessionView)
        (summary,) = view.session.result().exercises
        return summary

    async def on_session_view_finished(self, message: SessionView.Finished) -> None:
        message.stop()
        if self.review is None:
            return
        item = self.review.current()
        if item is None or item.kind != "exercise" or not message.result.exercises:
            return
        await self._commit(item, Rating.AGAIN)

    async def action_undo(self) -> None:
        if self.review is None:
            return
        item = self.review.undo()
        if item is None:
            self.notify("Nothing to undo.")
            return
        self._last_saved = f"undone · “{_short(item.front, 56)}” is back as it was"
        await self.show_item()

    def action_back(self) -> None:
        self.dismiss()


def _short(text: str, width: int = 50) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"
