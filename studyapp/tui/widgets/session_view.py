"""A widget that drives one quiz-engine Session: prompts, reveal, self-grade, typed answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from studyapp.export.markdown import rendered_text
from studyapp.session import Feedback, Prompt, Session, SessionResult
from studyapp.tui import bindings
from studyapp.tui.widgets.markdown_text import MarkdownText


class SessionView(Widget, can_focus=True):
    """Shows the session's current item and forwards the learner's keys to the engine.

    Two parts: the history of answered items (and the exercise's title and setup) scrolls;
    below it the current prompt, its answer box and its note are pinned, so a long history
    never pushes the question off the screen. The pinned part grows with its prompt up to
    most of the view and scrolls itself beyond that; the scroll keys treat the two as one
    page (`scroll-body` above, `scroll-tail` below), so every line can be reached. All
    grading, hints and scoring happen in `Session`; this widget only renders its prompts and
    feedback.
    """

    DEFAULT_CSS = """
    SessionView {
        height: 1fr;
    }
    SessionView .feedback-mistake {
        color: $warning;
        height: auto;
    }
    """

    BINDINGS = bindings.SESSION

    class Finished(Message):
        """Every item of the session has been asked."""

        def __init__(self, result: SessionResult) -> None:
            super().__init__()
            self.result = result

    def __init__(
        self,
        session: Session,
        *,
        id: str | None = None,
        submit: Callable[[str], Feedback] | None = None,
        progress: Static | None = None,
        intro: Sequence[Widget] = (),
    ) -> None:
        super().__init__(id=id)
        self._intro = list(intro)
        """Lines the screen puts at the top of the history (a banner, the item's tags)."""
        self._progress = progress
        """A line outside the scrolling body (pinned) for the progress counter; without
        one the view shows the counter above its own history."""
        self.session = session
        self._line = submit if submit is not None else session.submit
        """Where a typed line for a numeric step goes (review sends it through its engine,
        which commits the exercise when its last step is done)."""
        self._shown: Prompt | None = None

    def compose(self) -> ComposeResult:
        if self._progress is None:
            yield Static("", classes="progress-line", id="sv-progress")
        yield VerticalScroll(*self._intro, id="sv-history", classes="study scroll-body")
        yield VerticalScroll(id="sv-current", classes="study scroll-tail")

    async def on_mount(self) -> None:
        await self.show_current()

    async def add_to_history(self, widgets: Sequence[Widget]) -> None:
        """Lines after the session (its score): at the end of the history, in view."""
        await self.query_one("#sv-history", VerticalScroll).mount_all(widgets)
        self._scroll_end()

    # -- rendering ---------------------------------------------------------------------

    async def show_current(self) -> None:
        """Render the engine's current prompt (or post Finished)."""
        prompt = self.session.current()
        self._shown = prompt
        current = self.query_one("#sv-current", VerticalScroll)
        if prompt is not None and self._reuse_numeric(prompt, current):
            return
        if prompt is None and self.screen.focused is not None:
            # The answer box goes: nothing has the focus after the session, and it moves
            # once (through the emptied prompt it rebuilt the footer twice).
            self.screen.set_focus(None)
        await current.remove_children()
        if prompt is None:
            current.display = False
            self._progress_line().update("")
            self._scroll_end()  # the history now has the whole view: its end shows
            self.post_message(self.Finished(self.session.result()))
            return
        current.display = True
        self._progress_line().update(self._progress_text(prompt))
        if prompt.starts_exercise and prompt.exercise is not None:
            # The exercise's title and setup are read once: they head the history, and the
            # pinned part keeps only the step being answered.
            opening: list[Widget] = [
                Label(prompt.exercise.title, classes="section-title entry-start")]
            if prompt.exercise.setup:
                opening.append(MarkdownText(prompt.exercise.setup, classes="explain"))
            await self.query_one("#sv-history", VerticalScroll).mount_all(opening)
        widgets: list[Widget] = [MarkdownText(prompt.text, classes="front")]
        if prompt.kind == "numeric":
            row = Horizontal(
                Input(placeholder="a number · ? hint · empty gives up",
                      id="sv-answer"),
                Label(prompt.unit or "", classes="unit"),
                classes="numeric-row",
            )
            widgets.append(row)
            widgets.append(Static("", id="sv-note", classes="feedback-note", markup=False))
        elif prompt.kind == "open":
            widgets.append(Label("Write your answer first, then ctrl+r to reveal:",
                                 classes="prompt-note"))
            widgets.append(TextArea(id="answer-area"))
        else:
            widgets.append(Label("space or ctrl+r to flip the card", classes="prompt-note"))
        await current.mount_all(widgets)
        if prompt.kind == "numeric":
            self.query_one("#sv-answer", Input).focus()
        elif prompt.kind == "open":
            self.query_one("#answer-area", TextArea).focus()
        else:
            self.focus()
        self._refresh_keys()
        self._scroll_end()

    def _reuse_numeric(self, prompt: Prompt, current: VerticalScroll) -> bool:
        """One numeric step after another: update the prompt, unit and note in place and
        keep the answer box (removing and mounting it again cost a frame or two)."""
        if prompt.kind != "numeric" or prompt.starts_exercise:
            return False
        children = list(current.children)
        if len(children) != 3 or not isinstance(children[0], MarkdownText):
            return False
        boxes = current.query("#sv-answer")
        if not boxes:
            return False
        self._progress_line().update(self._progress_text(prompt))
        children[0].show(prompt.text)
        current.query_one(".unit", Label).update(prompt.unit or "")
        self._note("")
        box = boxes.first(Input)
        box.value = ""
        box.focus()
        self._refresh_keys()
        self._scroll_end()
        return True

    _KEYS = ("reveal", "knew", "hint", "give_up")
    """The actions `check_action` decides on (the footer shows those it allows)."""
    _offered: tuple[bool | None, ...] | None = None

    def _refresh_keys(self) -> None:
        """Redraw the footer only when the keys on offer changed: one numeric step after
        another offers the same ones, and rebuilding the footer cost a frame per step."""
        offered = tuple(self.check_action(action, ()) for action in self._KEYS)
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    @staticmethod
    def _progress_text(prompt: Prompt) -> str:
        progress = f"{prompt.position} of {prompt.total}"
        if prompt.exercise is not None and prompt.item.step_number is not None:
            step = f"step {prompt.item.step_number} of {prompt.exercise.step_count}"
            # A session of one whole exercise: "1 of 8 · step 1 of 8" would say it twice.
            whole = prompt.total == prompt.exercise.step_count
            # The title goes last so a narrow terminal cuts the title, not the step count.
            progress = f"{step if whole else progress + ' · ' + step} · {prompt.exercise.title}"
        return progress

    def _progress_line(self) -> Static:
        return self._progress or self.query_one("#sv-progress", Static)

    def _scroll_end(self) -> None:
        """Bring the newest history and the whole current prompt into view once laid out."""
        self.query_one("#sv-history", VerticalScroll).scroll_end(animate=False, immediate=False)
        self.query_one("#sv-current", VerticalScroll).scroll_end(animate=False,
                                                                 immediate=False)

    async def _record(self, prompt: Prompt, feedback: Feedback) -> None:
        """Move the finished item into the history, then show the next one.

        A numeric item's lines are the ones `quiz --plain` prints, in its order: the
        verdict, the known mistake's text, the explanation, then (after an exercise's last
        step) the exercise's summary and outcome. The summary never comes without them.
        """
        history = self.query_one("#sv-history", VerticalScroll)
        mark = "✓" if feedback.correct else "✗"
        # History lines are plain text: Markdown rendered (no backticks), math as math.
        title = rendered_text(prompt.text).strip().split("\n")[0]
        lines: list[Widget] = [Static(f"{mark} {title}", classes="done-step entry-start",
                                      markup=False)]
        if prompt.kind == "numeric":
            style = "feedback-correct" if feedback.correct else "feedback-wrong"
            lines.append(Static(feedback.verdict, classes=style, markup=False))
            if feedback.mistake:
                lines.append(Static(rendered_text(feedback.mistake),
                                    classes="feedback-mistake", markup=False))
            if feedback.explanation:
                lines.append(MarkdownText(feedback.explanation, classes="explain"))
        summary = feedback.exercise
        if summary is not None:
            carried = f" · carried forward {summary.carried}" if summary.carried else ""
            lines.append(Static(
                f"{summary.title}: {summary.right} of {summary.step_count} steps right"
                f" · hints {summary.hints} · gave up {summary.gave_up}{carried}",
                classes="section-title", markup=False,
            ))
            if summary.outcome:
                lines.append(MarkdownText(summary.outcome, classes="explain"))
        # One frame for the whole move: the history's new lines, the next prompt (or, after
        # the last, none), and the focus moved. Unbatched, a frame drawn between two of the
        # awaits showed half of it.
        with self.app.batch_update():
            await history.mount_all(lines)
            await self.show_current()

    # -- events from the learner -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer (and show in the footer) only the keys that fit the current prompt."""
        prompt = self.session.current()
        if action == "reveal":
            return prompt is not None and prompt.kind != "numeric" and not prompt.revealed
        if action == "knew":
            return prompt is not None and prompt.kind != "numeric" and prompt.revealed
        if action == "hint":
            return prompt is not None and prompt.kind == "numeric" and prompt.has_hint
        if action == "give_up":
            return prompt is not None
        return True

    async def action_reveal(self) -> None:
        prompt = self.session.current()
        if prompt is None or prompt.kind == "numeric" or prompt.revealed:
            return
        answer = self.session.reveal()
        current = self.query_one("#sv-current", VerticalScroll)
        await current.mount_all([
            MarkdownText(answer, classes="back"),
            Label("Did you know it?  y yes · n no", classes="choices"),
        ])
        self.focus()
        self._refresh_keys()
        self._scroll_end()

    async def action_knew(self, knew: bool) -> None:
        prompt = self.session.current()
        if prompt is None or prompt.kind == "numeric":
            return
        if not prompt.revealed:
            self.notify("Reveal the answer first (space or ctrl+r).")
            return
        feedback = self.session.self_grade(knew)
        await self._record(prompt, feedback)

    async def action_hint(self) -> None:
        prompt = self.session.current()
        if prompt is None or prompt.kind != "numeric":
            return
        await self._submit(prompt, "?")

    async def action_give_up(self) -> None:
        prompt = self.session.current()
        if prompt is None:
            return
        if prompt.kind == "numeric":
            await self._submit(prompt, "")
            return
        feedback = self.session.give_up()
        await self._record(prompt, feedback)

    async def _submit(self, prompt: Prompt, text: str) -> None:
        """Hand a line to `Session.submit` (the one place that reads it) and show the result."""
        feedback = self._line(text)
        if feedback.status == "hint":
            # Hints are Markdown; the note line shows them as plain text (no stray backticks).
            shown = rendered_text(feedback.hint) if feedback.hint else ""
            self._note(f"hint: {shown}" if shown else "This step has no hint.")
            if text.strip() == "?":
                self._clear_answer()
            return
        if feedback.status in ("unreadable", "unit"):
            self._note(f"⚠ {feedback.verdict}")
            return
        if not feedback.done:
            self._clear_answer()
            note = f"✗ {feedback.verdict}"
            if feedback.mistake:
                note += f"\n{rendered_text(feedback.mistake)}"
            self._note(note)
            return
        await self._record(prompt, feedback)

    def _clear_answer(self) -> None:
        boxes = self.query("#sv-answer")
        if boxes:
            boxes.first(Input).value = ""

    def _note(self, text: str) -> None:
        notes = self.query("#sv-note")
        if notes:
            notes.first(Static).update(text)

    @on(Input.Submitted, "#sv-answer")
    async def _answer(self, event: Input.Submitted) -> None:
        event.stop()
        prompt = self.session.current()
        if prompt is None or prompt.kind != "numeric":
            return
        await self._submit(prompt, event.value)
