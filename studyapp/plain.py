"""`quiz --plain` and `review --plain`: study as plain lines on stdin/stdout (docs/cli.md).

A thin face over the session engine (studyapp.session): it prints prompts, reads one line at a
time and forwards it as an event. No colour, no cursor control; every line is flushed at once;
any input (random bytes included) is answered with a line, never a traceback. The last line
printed is always exactly `score: K/N`.

Output, item by item (blank lines between items):

    Depth buys context: count the levels, then trace one fusion     <- before an exercise's
    In a WaveNet-style model every level merges ...                     first step: title, setup
    1/8. To give the model a 16-character context, how many ...? (unit: levels)
    hint: Look for the `k` with 2^k = 16.                            <- after `?`
    can't read "banana" as a number                                  <- not graded (unreadable,
    1/8. To give the model ...                                          or a unit that is not
                                                                        the step's): the reason,
                                                                        then the step again
    wrong: 2^4 = 16, try again (? for a hint)                        <- wrong, attempts left
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
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from studyapp.counts import DEFAULT_NEW_LIMIT
from studyapp.schedule import Rating
from studyapp.session import ExerciseSummary, Feedback, Item, Prompt, Session, SessionResult

if TYPE_CHECKING:
    from studyapp.deck.loader import Library
    from studyapp.review import ReviewItem, ReviewSession
    from studyapp.store import ReviewResult, ReviewStore

Clock = Callable[[], datetime]

OnFinish = Callable[[SessionResult], None]
"""Called once with the result when a session ends (the hook for keeping quiz history)."""

YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})


class _Lines:
    """One line at a time from a text stream; None at end of input (or if it can't be read)."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def read(self) -> str | None:
        if self.stream is None:
            return None
        try:
            line = self.stream.readline()
        except (OSError, ValueError):  # closed, unreadable or undecodable: end the session
            return None
        if not line:
            return None
        return line.rstrip("\r\n")


class _Output:
    """Plain lines, each flushed at once."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def say(self, text: str = "") -> None:
        for line in text.strip("\n").splitlines() or [""]:
            print(line.rstrip(), file=self.stream, flush=True)


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


def _prompt_line(prompt: Prompt) -> str:
    text = prompt.text.strip()
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
        out.say(feedback.verdict)
    if feedback.mistake:
        out.say(feedback.mistake)
    if feedback.done and feedback.explanation:
        out.say(feedback.explanation)
    summary = feedback.exercise
    if summary is not None:
        if summary.outcome:
            out.say()
            out.say(summary.outcome)
            out.say()
        out.say(_exercise_done(summary))


def _introduce(out: _Output, prompt: Prompt, *, spaced: bool) -> None:
    """Print a new prompt: an exercise's title and setup before its first step."""
    if spaced:
        out.say()
    if prompt.starts_exercise and prompt.exercise is not None:
        out.say(prompt.exercise.title)
        if prompt.exercise.setup:
            out.say(prompt.exercise.setup)
        if spaced:
            out.say()
    out.say(_prompt_line(prompt))


def _numeric_line(session: Session, prompt: Prompt, text: str, out: _Output) -> Feedback | None:
    """One line for a numeric step, as `Session.submit` reads it.

    Returns the feedback once the step is finished; None while it is still current (a hint,
    a line that was not graded, which is explained and asked again, or a wrong answer with
    attempts left).
    """
    feedback = session.submit(text)
    if feedback.status == "hint":
        out.say(feedback.verdict)
        return None
    if feedback.status in ("unreadable", "unit"):
        out.say(feedback.verdict)
        out.say(_prompt_line(prompt))
        return None
    _show_feedback(out, feedback)
    return feedback if feedback.done else None


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
            out.say(answer)
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
    """Run a session on these streams until it is over or input ends; returns 0."""
    out = _Output(stdout)
    lines = _Lines(stdin)
    if title:
        out.say(title)
    items = session.items
    out.say(_instructions(items) if items else "Nothing to ask.")
    try:
        _drive(session, lines, out)
    except KeyboardInterrupt:
        out.say()
    result = session.result()
    if on_finish is not None:
        on_finish(result)
    out.say()
    out.say(f"score: {result.score}")
    return 0


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


# -- review --plain ----------------------------------------------------------------------

RATING_WORDS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
UNDO = "u"


class _Undo(Exception):
    """The learner typed `u` in the middle of an item."""


def _saved_line(result: ReviewResult, now: datetime) -> str:
    from studyapp.schedule import format_interval

    due = result.due
    when = due.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"saved: {RATING_WORDS[int(result.rating)]}, due {when} "
        f"(in {format_interval(max(due - now, timedelta(0)))})"
    )


def _walk_exercise(session: Session, lines: _Lines, out: _Output) -> ExerciseSummary | None:
    """Ask an exercise's steps as `quiz --plain` does; None if input ends first.

    Raises _Undo when the learner types `u` on a step.
    """
    shown = 0
    while (prompt := session.current()) is not None:
        if prompt.position != shown:
            shown = prompt.position
            _introduce(out, prompt, spaced=False)
        line = lines.read()
        if line is None:
            return None
        text = line.strip()
        if text.lower() == UNDO:
            raise _Undo
        feedback = _numeric_line(session, prompt, text, out)
        if feedback is not None and feedback.exercise is not None:
            return feedback.exercise
    return None


def _review_item(
    review: ReviewSession, item: ReviewItem, lines: _Lines, out: _Output, clock: Clock
) -> ReviewResult | None:
    """Show one item, take its rating and commit it. None when input ends first.

    Raises _Undo when the learner types `u`.
    """
    started = clock()
    if item.kind == "exercise":
        summary = _walk_exercise(review.exercise_session(), lines, out)
        if summary is None:
            return None
        return review.rate_exercise(summary, _elapsed_ms(started, clock()))
    out.say(item.front)
    line = lines.read()
    if line is None:
        return None
    if line.strip().lower() == UNDO:
        raise _Undo
    out.say("answer:")
    out.say(item.back or "")
    previews = review.previews()
    out.say(
        "rate: "
        + " · ".join(f"{n} {RATING_WORDS[n]} ({previews[Rating(n)]})" for n in RATING_WORDS)
    )
    while True:
        line = lines.read()
        if line is None:
            return None
        text = line.strip().lower()
        if text == UNDO:
            raise _Undo
        if text in ("1", "2", "3", "4"):
            return review.rate(int(text), _elapsed_ms(started, clock()))
        out.say("answer 1, 2, 3 or 4 (or u to undo the last rating)")


def _elapsed_ms(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() * 1000))


def run_review(
    review: ReviewSession, stdin: TextIO | None, stdout: TextIO, clock: Clock
) -> int:
    """Review until nothing is due or input ends; the last line is `reviewed: N`."""
    out = _Output(stdout)
    lines = _Lines(stdin)
    due = review.remaining
    out.say(
        f"{review.deck_id}: {_counted(due, 'item')} to review. Enter shows the answer, then "
        "1 again, 2 hard, 3 good, 4 easy; u undoes the last rating."
    )
    try:
        while (item := review.current()) is not None:
            out.say()
            out.say(f"{review.position}/{review.reviewed + review.remaining}. {item.kind}"
                    + (f" [{' '.join(item.tags)}]" if item.tags else ""))
            try:
                result = _review_item(review, item, lines, out, clock)
            except _Undo:
                undone = review.undo()
                if undone is None:
                    out.say("nothing to undo")
                else:
                    out.say(f"undone: {undone.front.strip().splitlines()[0]}")
                continue
            if result is None:
                break
            out.say(_saved_line(result, clock()))
    except KeyboardInterrupt:
        out.say()
    if review.current() is None:
        out.say()
        out.say("nothing more is due")
    out.say(f"reviewed: {review.reviewed}")
    return 0


def review(
    library: Library,
    store: ReviewStore,
    deck_id: str,
    *,
    clock: Clock | None = None,
    new_limit: int = DEFAULT_NEW_LIMIT,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """`studyapp review DECK --plain`: the deck's due items on the streams."""
    from studyapp.review import ReviewSession, review_items

    now = clock if clock is not None else _utc_now
    deck = library.deck(deck_id)
    items = review_items(deck, library.exercises_of(deck))
    session = ReviewSession(store, deck_id, items, now, new_limit=new_limit)
    source = _robust(stdin if stdin is not None else sys.stdin)
    target = _robust(stdout if stdout is not None else sys.stdout)
    if target is None:
        return 0
    return run_review(session, source, target, now)


def _utc_now() -> datetime:
    return datetime.now(UTC)
