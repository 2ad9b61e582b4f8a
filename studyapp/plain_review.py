"""`review --plain`: spaced-repetition review as plain lines (docs/cli.md), over ReviewEngine.

A thin face: it prints what `ReviewEngine.view()` shows and forwards every line to
`ReviewEngine.line()`, which decides what the line means. Output, item by item:

    3/12. card [tags]                      <- position/total and kind (`· again` when a
    What is the WaveNet idea?                 learning card comes back)
    answer:                                <- after any line
    Fuse neighbours two at a time ...
    rate: 1 again (1m) · 2 hard (6m) · 3 good (10m) · 4 easy (8d)
    saved: good, due 2026-12-01 20:40 UTC (in 10m)

An exercise is answered step by step as in `quiz --plain` and rated from its score. At the
end: a summary line, `next due: ...` and, last, `reviewed: N`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from studyapp.plain import _introduce, _Lines, _Output, _robust, show_step_feedback
from studyapp.schedule import format_interval

if TYPE_CHECKING:
    from studyapp.deck.loader import Library
    from studyapp.review import ReviewEngine, ReviewEvent, ReviewSummary, ReviewView
    from studyapp.settings import Settings
    from studyapp.store import ReviewResult, ReviewStore

Clock = Callable[[], datetime]


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def saved_line(result: ReviewResult) -> str:
    """`saved: good, due 2026-12-01 20:40 UTC (in 10m)`: the interval as the `rate:` line."""
    from studyapp.review import RATING_NAMES, saved_interval

    return (
        f"saved: {RATING_NAMES[result.rating]}, due {_when(result.due)} "
        f"(in {saved_interval(result)})"
    )


def _header(view: ReviewView) -> str:
    assert view.item is not None
    item = view.item
    text = f"{view.position}/{view.total}. {item.kind}"
    if view.again:
        text += " · again"
    if item.tags:
        text += f" [{' '.join(item.tags)}]"
    return text


def _duration(spent: timedelta) -> str:
    seconds = round(spent.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def summary_lines(summary: ReviewSummary, now: datetime) -> list[str]:
    """The end of a session: what was done, then `next due: ...`."""
    from studyapp.review import RATING_NAMES

    ratings = " · ".join(f"{RATING_NAMES[r]} {n}" for r, n in summary.by_rating.items())
    lines = [
        f"session: {summary.reviewed} review{'' if summary.reviewed == 1 else 's'} of "
        f"{summary.items} item{'' if summary.items == 1 else 's'} ({ratings}) in "
        f"{_duration(summary.time_spent)}; {summary.graduated} graduated, "
        f"{summary.learning} still learning, {summary.buried} buried",
    ]
    if summary.next_due is None:
        lines.append("next due: nothing is scheduled")
    else:
        wait = max(summary.next_due - now, timedelta(0))
        lines.append(f"next due: {_when(summary.next_due)} (in {format_interval(wait)})")
    return lines


def _show(engine: ReviewEngine, out: _Output) -> None:
    """Print the current item as it now is (front, or an exercise's current step)."""
    view = engine.view()
    if view.item is None:
        return
    out.say()
    out.say(_header(view))
    if view.phase == "step" and view.step is not None:
        _introduce(out, view.step, spaced=False)
    elif view.phase == "front":
        out.show(view.item.front)


def _after(engine: ReviewEngine, event: ReviewEvent, out: _Output) -> bool:
    """Print what an input did; True when a new item (or a new step) is now current."""
    view = engine.view()
    if event.what == "revealed":
        assert event.item is not None
        out.say("answer:")
        out.show(event.item.back or "")
        out.say("rate: " + " · ".join(
            f"{int(c.rating)} {c.name} ({c.interval})" for c in view.choices
        ))
        return False
    if event.what == "saved":
        assert event.result is not None
        out.say(saved_line(event.result))
        return True
    if event.what == "step":
        feedback = event.feedback
        assert feedback is not None
        finished = show_step_feedback(out, view.step if not feedback.done else None, feedback)
        if event.result is not None:
            out.say(saved_line(event.result))
            engine.proceed()
            return True
        if finished and view.step is not None:
            _introduce(out, view.step, spaced=False)  # the next step
        return False
    if event.what == "undone":
        assert event.item is not None
        first = out.text(event.item.front).strip().splitlines()
        out.say(f"undone: {first[0] if first else event.item.kind}")
        return True
    if event.what == "held":
        assert event.item is not None
        out.say(f"{event.message}")
        return True
    if event.message:
        out.say(event.message)
    return False


def run_review(engine: ReviewEngine, stdin: TextIO | None, stdout: TextIO, clock: Clock) -> int:
    """Review until nothing is due within the learn-ahead limit or input ends."""
    out = _Output(stdout)
    lines = _Lines(stdin, stdout)
    count = engine.due_now()
    out.say(
        f"{engine.deck_id}: {count} item{'' if count == 1 else 's'} to review. Enter shows "
        "the answer, then 1 again, 2 hard, 3 good, 4 easy; u undoes the last rating, "
        "b buries an item until tomorrow, s suspends it."
    )
    interrupted = False
    try:
        _show(engine, out)
        while not engine.finished:
            line = lines.read()
            if line is None:
                break
            event = engine.line(line)  # a store error (disk full, ...) ends the run: exit 1
            if _after(engine, event, out):
                _show(engine, out)
    except KeyboardInterrupt:
        interrupted = True
        out.say()
        out.say(f"interrupted: {engine.reviewed} rating{'' if engine.reviewed == 1 else 's'} "
                "saved; the item on screen is still due")
    if engine.finished:
        out.say()
        out.say("nothing more is due")
    for text in summary_lines(engine.summary(), clock()):
        out.say(text)
    out.say(f"reviewed: {engine.reviewed}")
    return 130 if interrupted else 0


def review(
    library: Library,
    store: ReviewStore,
    deck_id: str,
    settings: Settings,
    *,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """`studyapp review DECK --plain`: the deck's due items on the streams."""
    from studyapp.review import ReviewEngine, review_items

    now = clock if clock is not None else _utc_now
    deck = library.deck(deck_id)
    items = review_items(deck, library.exercises_of(deck))
    engine = ReviewEngine(
        store, deck_id, items, now, new_limit=settings.new_items_per_day,
        learn_ahead=settings.learn_ahead,
    )
    source = _robust(stdin if stdin is not None else sys.stdin)
    target = _robust(stdout if stdout is not None else sys.stdout)
    if target is None:
        return 0
    return run_review(engine, source, target, now)


def _utc_now() -> datetime:
    return datetime.now(UTC)
