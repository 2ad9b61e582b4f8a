"""The quiz screen: every item of a deck (or one worked exercise, or generated practice).

The last answer's feedback always stays on screen above the score: a practice set ends with
its score and waits for `f` before drawing fresh problems, and a worked exercise with params
offers `f` for a fresh version with new numbers.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Label, Static

from studyapp.errors import StudyappError
from studyapp.export.markdown import rendered_text
from studyapp.review import keep_quiz_history
from studyapp.session import (
    Item,
    Session,
    SessionResult,
    items_for_practice,
    items_for_quiz,
    variant_items,
)
from studyapp.tui import bindings
from studyapp.tui.leave import LeaveGuard
from studyapp.tui.widgets.footer import KeyFooter
from studyapp.tui.widgets.session_view import SessionView

if TYPE_CHECKING:
    from studyapp.tui.app import StudyApp

PRACTICE_BATCH = 10
"""Practice draws this many fresh problems at a time, again and again until you stop."""


class QuizScreen(LeaveGuard):
    """A quiz session; the review schedule is never touched. Ends with the score."""

    CSS_PATH = "study.tcss"

    BINDINGS = bindings.QUIZ

    def __init__(
        self,
        deck_id: str,
        *,
        exercise_id: str | None = None,
        practice: bool = False,
        items: list[Item] | None = None,
    ) -> None:
        super().__init__()
        self.deck_id = deck_id
        self.exercise_id = exercise_id
        self.practice = practice
        self._items = items
        self._given_items = items
        self._session: Session | None = None
        self._results: list[SessionResult] = []
        self._rng = random.Random()
        self._variants = False
        """The session is one exercise that has fresh versions."""

    @property
    def _finished(self) -> bool:
        """The session has asked everything. Read from the session itself, so that the
        keys of its end are offered from the moment its last answer is in (and the footer
        is rebuilt once for them)."""
        return self._session is not None and self._session.finished

    @property
    def _missed(self) -> list[Item]:
        """The finished session's items answered wrong, in the order asked."""
        session = self._session
        if session is None:
            return []
        by_identity = {item.identity: item for item in session.items}
        return [by_identity[o.identity] for o in session.result().outcomes
                if not o.correct and o.identity in by_identity]

    @property
    def study_app(self) -> StudyApp:
        return cast("StudyApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        # The progress counter is pinned above the session, whose answered items scroll
        # while its current prompt stays pinned under them.
        yield Static("", classes="progress-line study-pinned", id="sv-progress",
                     markup=False)
        yield Vertical(id="quiz-slot")
        yield KeyFooter(compact=True)

    async def on_mount(self) -> None:
        kind = "Practice" if self.practice else "Worked exercise" if self.exercise_id else "Quiz"
        self.sub_title = f"{kind} · {self.deck_id}"
        await self.start_session()

    def _build_items(self) -> list[Item]:
        if self._items is not None:
            return self._items
        library = self.study_app.library
        if library is None:
            raise StudyappError("the library is still loading")
        deck = library.deck(self.deck_id)
        exercises = library.exercises_of(deck)
        if self.practice:
            return items_for_practice(deck, exercises, PRACTICE_BATCH, rng=self._rng)
        return items_for_quiz(deck, exercises, exercise_id=self.exercise_id)

    async def start_session(self, banner: str | None = None) -> None:
        slot = self.query_one("#quiz-slot", Vertical)
        await slot.remove_children()
        self._session = None
        try:
            items = self._build_items()
        except StudyappError as error:
            await self._say(slot, Static(f"⚠ {error}", classes="feedback-wrong",
                                         markup=False))
            return
        if not items:
            await self._say(slot, Static("This deck has nothing to quiz.", markup=False))
            return
        self._session = session = Session(items)
        infos = {item.exercise for item in items}
        self._variants = (
            self.exercise_id is not None
            and len(infos) == 1
            and all(info is not None and info.variants for info in infos)
        )
        self.refresh_bindings()
        intro = [Static(banner, classes="section-title", markup=False)] if banner else []
        if not self._results and self.exercise_id is None:
            # The first session's history starts with what it is (an exercise opens with
            # its own title and setup instead).
            intro.append(Static(self._about(len(items)), classes="explain", markup=False))
        view = SessionView(session, id="session", intro=intro,
                           progress=self.query_one("#sv-progress", Static))
        await slot.mount(view)

    def _about(self, count: int) -> str:
        noun = "problem" if self.practice else "item"
        many = f"{count} {noun}{'s' if count != 1 else ''}"
        if self.practice:
            return (f"Practice: {many} made fresh from this deck's exercises, each answer "
                    "worked out by the calculator. Your review schedule is not touched.")
        return (f"Quiz: {many} of this deck, each once. Your review schedule is not "
                "touched.")

    @staticmethod
    async def _say(slot: Vertical, line: Static) -> None:
        """A screen with no session: one line in a body the scroll keys still move."""
        await slot.mount(VerticalScroll(line, classes="study scroll-body"))

    async def on_session_view_finished(self, message: SessionView.Finished) -> None:
        result = message.result
        self._results.append(result)
        self._save(result)
        view = self.query_one("#session", SessionView)
        if self.practice:
            # The set's last feedback stays in view above its score; f draws fresh problems.
            right = sum(r.correct for r in self._results)
            asked = sum(r.asked for r in self._results)
            await view.add_to_history([
                Label(f"Set score: {result.correct}/{result.asked} · so far {right}/{asked}",
                      classes="section-title entry-start"),
                Static("f fresh problems · escape to stop", classes="choices"),
            ])
            self.set_focus(None)
            self.refresh_bindings()
            return
        missed = self._missed
        fresh = "f try a fresh version · " if self._variants else ""
        lines: list[Static] = [
            Label(f"Score: {result.correct}/{result.asked}", classes="section-title entry-start")
        ]
        if missed:
            lines.append(Static("Missed:", classes="explain"))
            for item in missed:
                title = rendered_text(item.text).strip().split("\n")[0]
                lines.append(Static(f"  ✗ {title}", classes="missed-item", markup=False))
            lines.append(Static(f"m quiz just the missed ones again · {fresh}a start over · "
                                "escape back", classes="choices"))
        else:
            lines.append(Static(f"Everything right. {fresh}a start over · escape back",
                                classes="choices"))
        await view.add_to_history(lines)
        self.set_focus(None)
        self.refresh_bindings()

    def _save(self, result: SessionResult) -> None:
        """Keep the quiz's answers for history (never the schedule)."""
        store = self.study_app.store
        if store is None:
            return
        try:
            keep_quiz_history(store, result, self.study_app.clock())
        except StudyappError as error:
            self.notify(f"could not save the quiz: {error}", severity="error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`m` and `a` appear once the score is shown (`m` only when something was missed)."""
        if action == "retry_missed":
            return self._finished and bool(self._missed) and not self.practice
        if action == "again":
            return self._finished and not self.practice
        if action == "fresh":
            return self._finished and (self.practice or self._variants)
        return True

    async def action_retry_missed(self) -> None:
        if not self._finished or not self._missed:
            return
        self._items = list(self._missed)
        await self.start_session()

    async def action_again(self) -> None:
        if not self._finished:
            return
        self._items = self._given_items  # practice (None) draws fresh problems
        await self.start_session()

    async def action_fresh(self) -> None:
        """Practice: the next set of fresh problems. An exercise with params: a fresh
        version of it, every number drawn again and every answer from the calculator."""
        if not self._finished:
            return
        if self.practice:
            right = sum(r.correct for r in self._results)
            asked = sum(r.asked for r in self._results)
            self._items = None
            await self.start_session(
                f"Last set {self._results[-1].correct}/{self._results[-1].asked} · "
                f"so far {right}/{asked} · fresh problems below (escape to stop)"
            )
            return
        if not self._variants or self.exercise_id is None:
            return
        library = self.study_app.library
        if library is None:
            return
        deck = library.deck(self.deck_id)
        exercise = next(e for e in library.exercises_of(deck) if e.id == self.exercise_id)
        self._items = variant_items(deck.id, exercise, self._rng)
        info = self._items[0].exercise if self._items else None
        drawn = ", ".join(f"{k}={v}" for k, v in (info.variant or ())) if info else ""
        await self.start_session(f"Fresh version: {drawn}" if drawn else None)

    def _work_in_progress(self) -> int:
        """How many items of the running session are answered (0 when none, or finished)."""
        if self._finished:
            return 0
        views = self.query(SessionView)
        prompt = views.first().session.current() if views else None
        return 0 if prompt is None else prompt.position - 1

    def action_back(self) -> None:
        """Leave; in the middle of a session, only after a second escape (nothing of an
        unfinished quiz is kept, so leaving by accident would lose the answers)."""
        done = self._work_in_progress()
        what = "exercise" if self.exercise_id else "set" if self.practice else "quiz"
        self.leave(f"Leave this {what}? {done} answered so far, not kept unless you finish."
                   if done else None)
