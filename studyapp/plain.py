"""`quiz --plain` and `review --plain`: study as plain lines on stdin/stdout (docs/cli.md).

A thin face over the session engine (studyapp.session): it prints prompts, reads one line at a
time and forwards it as an event. No colour, no cursor control; every line is flushed at once;
any input (random bytes included) is answered with a line, never a traceback. The last line
printed is always exactly `score: K/N`.

Output, item by item (blank lines between items):

    Depth buys context: count the levels, then trace one fusion     <- before an exercise's
    In a WaveNet-style model every level merges ...                     first step: title, setup
    1/8. To give the model a 16-character context, how many ...? (unit: levels)
    hint: Look for the k with 2ᵏ = 16.                              <- after `?`
    can't read "banana" as a number                                  <- not graded (unreadable,
    1/8. To give the model ...                                          or a unit that is not
                                                                        the step's): the reason,
                                                                        then the step again
    wrong: 2^4 = 16, try again (? for a hint)                        <- wrong, attempts left
                                                                        (as typed)
    16 is the context itself: ...                                    <- a known mistake's text
    correct | wrong, expected 4 | gave up, expected 4               <- graded / empty line
    correct (carried forward from your answer to levels)             <- follows from your number
    Each level doubles the span ...                                  <- the explanation
    What you should have found: ...                                  <- after the last step:
    exercise done: 7/8 steps right, 1 hint, 0 given up                  outcome and summary

Every line for a numeric item comes from the engine: `Session.submit` decides what the line
means and `Feedback.verdict` is what is printed, the same words as in the TUI.

Questions and cards: the prompt (`2/19. ...`); any line reveals `answer:` and the answer
(an empty line is the usual way; a typed attempt is not graded), then `did you know it? (y/n)`
until a `y` or `n` line (`answer y or n` otherwise).
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from studyapp.export.markdown import parse, plain_text, rendered_text
from studyapp.session import ExerciseSummary, Feedback, Item, Prompt, Session, SessionResult

Clock = Callable[[], datetime]

OnFinish = Callable[[SessionResult], None]
"""Called once with the result when a session ends (the hook for keeping quiz history)."""

YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})


class _Lines:
    """One line at a time from a text stream; None at end of input (or if it can't be read)."""

    def __init__(self, stream: TextIO | None, prompt_to: TextIO | None = None) -> None:
        self.stream = stream
        self.prompt_to = prompt_to if stream is not None and _is_terminal(stream) else None
        """Where to write a `> ` prompt before each line: only when a person types them."""

    def read(self) -> str | None:
        if self.stream is None:
            return None
        if self.prompt_to is not None:
            with contextlib.suppress(OSError, ValueError):
                self.prompt_to.write("> ")
                self.prompt_to.flush()
        try:
            line = self.stream.readline()
        except (OSError, ValueError):  # closed, unreadable or undecodable: end the session
            return None
        if not line:
            return None
        return line.rstrip("\r\n")


class _Output:
    """Plain lines, each flushed at once; wrapped to the terminal's width when there is one."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.width = _terminal_width(stream)
        """None when the output is not a terminal: lines stay whole for programs."""
        self.math = _can_encode(stream, "ᵏ₂⁽⁾")
        """Math in Unicode superscripts only where the stream can write them."""

    def say(self, text: str = "") -> None:
        for raw in text.strip("\n").splitlines() or [""]:
            line = raw.rstrip()
            if self.width is not None and len(line) > self.width:
                # Whole words only: never "fusio" / "n". A list item's lines hang under
                # its text, not under its marker.
                indent = line[: len(line) - len(line.lstrip())]
                marker = _LIST_MARKER.match(line, len(indent))
                if marker:
                    indent += " " * len(marker.group())
                for part in textwrap.wrap(line, self.width, subsequent_indent=indent,
                                          break_long_words=False, break_on_hyphens=False):
                    print(part, file=self.stream, flush=True)
                continue
            print(line, file=self.stream, flush=True)

    def show(self, markdown: str) -> None:
        """The material's own text: Markdown as readable plain text, math as math."""
        self.say(self.text(markdown))

    def text(self, markdown: str) -> str:
        return rendered_text(markdown) if self.math else plain_text(parse(markdown))


_LIST_MARKER = re.compile(r"(?:[-*•]|\d{1,3}[.)]) ")
"""How a list item begins in rendered text: `- `, `• `, `1. `."""


def _terminal_width(stream: TextIO) -> int | None:
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError, OSError):
        return None
    return max(shutil.get_terminal_size().columns - 1, 20)


def _can_encode(stream: TextIO, sample: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        sample.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _robust(stream: TextIO | None) -> TextIO | None:
    """Make a real console stream replace undecodable/unencodable characters, not raise."""
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError):
            stream.reconfigure(errors="replace")
    return stream


def _instructions(items: tuple[Item, ...]) -> str:
    count = len(items)
    kinds = {item.kind for item in items}
    noun = "generated problem" if kinds == {"practice"} else "step" if kinds == {"step"} else "item"
    parts = [f"{count} {noun}{'' if count == 1 else 's'}."]
    if kinds & {"question", "card"}:
        parts.append("Questions and cards: Enter shows the answer, then y or n.")
    if kinds & {"step", "practice"}:
        parts.append("Numbers: type your answer, ? for a hint, Enter to give up.")
    return " ".join(parts)


def _prompt_line(prompt: Prompt, out: _Output) -> str:
    text = out.text(prompt.text).strip()
    if prompt.kind == "numeric" and prompt.unit:
        text += f" (unit: {prompt.unit})"
    return f"{prompt.position}/{prompt.total}. {text}"


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _exercise_done(summary: ExerciseSummary) -> str:
    carried = f", {summary.carried} carried forward" if summary.carried else ""
    return (
        f"exercise done: {summary.right}/{summary.step_count} steps right, "
        f"{_counted(summary.hints, 'hint')}, {summary.gave_up} given up{carried}"
    )


def _show_feedback(out: _Output, feedback: Feedback) -> None:
    """The verdict, the known mistake's text, then (when finished) the explanation and, after
    an exercise's last step, its outcome and summary: never the summary without the rest."""
    if feedback.status in ("correct", "wrong", "gave_up"):
        out.say(feedback.verdict)  # may quote what the learner typed: printed as it is
    if feedback.mistake:
        out.show(feedback.mistake)
    if feedback.done and feedback.explanation:
        out.show(feedback.explanation)
    summary = feedback.exercise
    if summary is not None:
        if summary.outcome:
            out.say()
            out.show(summary.outcome)
            out.say()
        out.say(_exercise_done(summary))


def _introduce(out: _Output, prompt: Prompt, *, spaced: bool) -> None:
    """Print a new prompt: an exercise's title and setup before its first step."""
    if spaced:
        out.say()
    if prompt.starts_exercise and prompt.exercise is not None:
        out.say(prompt.exercise.title)
        if prompt.exercise.setup:
            out.show(prompt.exercise.setup)
        if spaced:
            out.say()
    out.say(_prompt_line(prompt, out))


def _numeric_line(session: Session, prompt: Prompt, text: str, out: _Output) -> Feedback | None:
    """One line for a numeric step, as `Session.submit` reads it.

    Returns the feedback once the step is finished; None while it is still current (a hint,
    a line that was not graded, which is explained and asked again, or a wrong answer with
    attempts left).
    """
    feedback = session.submit(text)
    return feedback if show_step_feedback(out, prompt, feedback) else None


def show_step_feedback(out: _Output, prompt: Prompt | None, feedback: Feedback) -> bool:
    """Print what a line for the numeric step `prompt` (still current) got; True when the
    step is finished (a hint, a line that was not graded and a wrong answer with attempts
    left keep it; a line that was not graded is followed by the prompt again)."""
    if feedback.status == "hint":
        out.show(feedback.verdict)  # `hint: ` and the material's Markdown
        return False
    if feedback.status in ("unreadable", "unit"):
        out.say(feedback.verdict)
        if prompt is not None:
            out.say(_prompt_line(prompt, out))
        return False
    _show_feedback(out, feedback)
    return feedback.done


def _drive(session: Session, lines: _Lines, out: _Output) -> None:
    shown = 0  # position of the last prompt printed
    while (prompt := session.current()) is not None:
        if prompt.position != shown:
            shown = prompt.position
            _introduce(out, prompt, spaced=True)
        line = lines.read()
        if line is None:
            return
        text = line.strip()
        if prompt.kind == "numeric":
            _numeric_line(session, prompt, text, out)
        elif not prompt.revealed:
            answer = session.reveal()
            out.say("answer:")
            out.show(answer)
            out.say("did you know it? (y/n)")
        elif text.lower() in YES or text.lower() in NO:
            session.self_grade(text.lower() in YES)
        else:
            out.say("answer y or n")


def run_quiz(
    session: Session,
    stdin: TextIO | None,
    stdout: TextIO,
    *,
    title: str | None = None,
    on_finish: OnFinish | None = None,
) -> int:
    """Run a session on these streams until it is over or input ends; returns 0, or 130
    after ctrl+c (having said what was kept)."""
    out = _Output(stdout)
    lines = _Lines(stdin, stdout)
    if title:
        out.say(title)
    items = session.items
    out.say(_instructions(items) if items else "Nothing to ask.")
    interrupted = False
    try:
        _drive(session, lines, out)
    except KeyboardInterrupt:
        interrupted = True
        out.say()
    result = session.result()
    if on_finish is not None:
        on_finish(result)
    if interrupted:
        out.say()
        out.say("interrupted: the answers so far are kept in the quiz history "
                "(a quiz never changes the review schedule)" if on_finish is not None else
                "interrupted: nothing to save (a quiz never changes the review schedule)")
    out.say()
    out.say(f"score: {result.score}")
    return 130 if interrupted else 0


def quiz(
    library_root: Path,
    deck_id: str,
    *,
    exercise_id: str | None = None,
    practice: int | None = None,
    seed: int | None = None,
    shuffle: bool = False,
    variant: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    on_finish: OnFinish | None = None,
) -> int:
    """`studyapp quiz DECK --plain`: load the deck, build the session, run it on the streams.

    Defaults to sys.stdin/stdout/stderr. An unknown deck or exercise raises DataError (exit 1
    in the CLI). With `variant` (and `exercise_id`), a fresh version of that exercise with
    numbers drawn from its params (`seed` reproduces it); DataError when it has no params.
    `on_finish(result)` is called once when the session ends.
    """
    from studyapp.deck.loader import load_library
    from studyapp.errors import DataError
    from studyapp.session import items_for_practice, items_for_quiz, variant_items

    library = load_library(library_root)
    deck = library.deck(deck_id)
    exercises = library.exercises_of(deck)
    errors = stderr if stderr is not None else sys.stderr
    missing = [ref for ref in deck.exercises if ref not in library.exercises]
    if exercise_id is not None and exercise_id in missing:
        raise DataError(
            f"the exercise {exercise_id!r} did not load (see: studyapp check {library_root})"
        )
    for ref in missing:
        print(
            f"studyapp: warning: exercise {ref!r} of deck {deck.id!r} did not load "
            "(see: studyapp check); it is left out",
            file=errors,
            flush=True,
        )
    rng = random.Random(seed) if seed is not None else random.Random()
    title = deck.title
    if variant:
        if exercise_id is None:
            raise DataError("a fresh version (--variant) needs --exercise ID")
        exercise = next((e for e in exercises if e.id == exercise_id), None)
        if exercise is None:
            items_for_quiz(deck, exercises, exercise_id=exercise_id)  # names the known ones
            raise DataError(f"deck {deck.id!r} has no exercise {exercise_id!r}")
        items = variant_items(deck.id, exercise, rng)
        drawn = items[0].exercise.variant if items and items[0].exercise else None
        if drawn:
            title += "\nfresh version: " + ", ".join(f"{k}={v}" for k, v in drawn)
    elif practice is not None:
        items = items_for_practice(deck, exercises, practice, exercise_id=exercise_id, rng=rng)
    else:
        items = items_for_quiz(deck, exercises, exercise_id=exercise_id, shuffle=shuffle, rng=rng)
    session = Session(items)
    source = _robust(stdin if stdin is not None else sys.stdin)
    target = _robust(stdout if stdout is not None else sys.stdout)
    if target is None:  # no stdout at all: nothing can be shown
        return 0
    return run_quiz(session, source, target, title=title, on_finish=on_finish)
