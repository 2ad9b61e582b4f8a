"""`studyapp suspended`, `studyapp unsuspend` and the hold counts of `stats`, in subprocesses.

The holds are made through the store, as the review engine's bury and suspend keys do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from studyapp.schedule import Rating
from studyapp.store import Identity, ReviewStore

from .conftest import RunStudyapp, assert_no_traceback

FLAT = Identity("wavenet", "flat-mlp-crude")
IDEA = Identity("wavenet", "wavenet-idea")
EXERCISE = Identity("wavenet", "exercise:wavenet-depth")


def hold(data_dir: Path, identity: Identity, kind: str) -> datetime:
    now = datetime.now(UTC)
    with ReviewStore.open(data_dir) as store:
        store.hold(identity, kind, now)  # type: ignore[arg-type]
        return store.day_start(store.study_day(now) + timedelta(days=1))


def ok(run_studyapp: RunStudyapp, *args: str) -> str:
    result = run_studyapp(*args)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(run_studyapp: RunStudyapp, code: int, *args: str) -> str:
    result = run_studyapp(*args)
    assert_no_traceback(result)
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def stats(run_studyapp: RunStudyapp) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run_studyapp, "stats", "--json"))
    return data


def test_nothing_held_in_a_fresh_data_folder(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    assert ok(run_studyapp, "suspended") == "nothing is suspended or buried\n"
    assert ok(run_studyapp, "suspended", "wavenet") == "nothing is suspended or buried in wavenet\n"
    assert json.loads(ok(run_studyapp, "suspended", "--json")) == []
    data = stats(run_studyapp)
    assert (data["buried"], data["suspended"]) == (0, 0)
    assert list(data_dir.iterdir()) == []  # read-only commands created no database


def test_held_items_are_listed_counted_and_not_due(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    with ReviewStore.open(data_dir) as store:  # both reviewed long ago: due now
        for identity in (FLAT, IDEA):
            store.record_review(
                identity, "question", Rating.AGAIN, datetime(2020, 1, 1, tzinfo=UTC)
            )
    assert stats(run_studyapp)["due"] == 2
    hold(data_dir, FLAT, "suspend")
    tomorrow = hold(data_dir, IDEA, "bury")
    hold(data_dir, EXERCISE, "suspend")  # never reviewed: can be held all the same

    data = stats(run_studyapp)
    assert data["due"] == 0
    assert (data["buried"], data["suspended"]) == (1, 2)
    assert "held         2 suspended, 1 buried until tomorrow\n" in ok(run_studyapp, "stats")

    until = tomorrow.astimezone().strftime("%Y-%m-%d %H:%M")
    assert ok(run_studyapp, "suspended").splitlines() == [
        "wavenet  exercise:wavenet-depth  suspended  Depth buys context: count the levels, "
        "then trace one fusion",
        "wavenet  flat-mlp-crude  suspended  How does the flat MLP mix its context characters "
        "together, and what makes that approach crude?",
        f"wavenet  wavenet-idea  buried until {until}  Sum up the WaveNet idea.",
    ]
    listed = json.loads(ok(run_studyapp, "suspended", "wavenet", "--json"))
    assert [(h["item"], h["kind"]) for h in listed] == [
        ("exercise:wavenet-depth", "suspend"),
        ("flat-mlp-crude", "suspend"),
        ("wavenet-idea", "bury"),
    ]
    assert listed[2]["until"] == tomorrow.isoformat()
    assert listed[0]["until"] is None
    assert listed[2]["front"] == "Sum up the WaveNet idea."


def test_unsuspend_items_or_a_whole_deck(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    hold(data_dir, FLAT, "suspend")
    hold(data_dir, EXERCISE, "suspend")
    hold(data_dir, IDEA, "bury")
    assert ok(run_studyapp, "unsuspend", "wavenet", "flat-mlp-crude") == (
        "unsuspended wavenet flat-mlp-crude\n"
    )
    assert ok(run_studyapp, "unsuspend", "wavenet", "flat-mlp-crude") == (
        "wavenet flat-mlp-crude was not suspended\n"
    )
    assert [line.split("  ")[1] for line in ok(run_studyapp, "suspended").splitlines()] == [
        "exercise:wavenet-depth",
        "wavenet-idea",
    ]
    assert ok(run_studyapp, "unsuspend", "wavenet", "--all") == "unsuspended 1 item in wavenet\n"
    # a bury is not a suspend: it ends by itself with the study day
    assert stats(run_studyapp)["buried"] == 1
    assert stats(run_studyapp)["suspended"] == 0


def test_unsuspend_refuses_in_one_line(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    hold(data_dir, FLAT, "suspend")
    line = refused(run_studyapp, 2, "unsuspend", "wavenet")
    assert "name the items to unsuspend, or give --all" in line
    assert "not both" in refused(run_studyapp, 2, "unsuspend", "wavenet", "flat-mlp-crude", "--all")
    line = refused(run_studyapp, 1, "unsuspend", "wavenet", "flat-mlp-crude", "no-such-item")
    assert line == "studyapp: deck 'wavenet' has no item 'no-such-item'"
    assert "nope" in refused(run_studyapp, 1, "unsuspend", "nope", "--all")
    assert "nope" in refused(run_studyapp, 1, "suspended", "nope")
    # nothing was changed by the refusals
    assert stats(run_studyapp)["suspended"] == 1
