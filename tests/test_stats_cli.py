"""`studyapp stats [DECK] [--json]` against histories made by hand through `review --plain`.

The expected numbers are worked out in each test from the ratings it typed; the contract
(docs/cli.md) is that `--json` has at least `reviews` (ratings logged and not undone; an
exercise counts once), `due` (due now) and `items`.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunStudyapp, assert_no_traceback
from .test_review_flow import copy_library
from .test_review_plain import (
    CHAIN_ANSWERS,
    DEPTH_ANSWERS,
    WAVENET_ORDER,
    cards,
    database,
    exercise_library,
    reviewed_ok,
)

# The built-in content without siblings (see test_review_plain), with the default learning
# steps.
pytestmark = pytest.mark.usefixtures("sibling_free_library")


LONG_AGO = "2000-01-01T00:00:00.000000Z"


def stats(run_studyapp: RunStudyapp, *args: str) -> dict[str, Any]:
    """`studyapp ARGS --json` (default ARGS: `stats`), parsed."""
    result = run_studyapp(*(args or ("stats",)), "--json")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def make_due(data_dir: Path, item_id: str) -> None:
    """Let time pass for one item: it falls due (as it would days later)."""
    with closing(database(data_dir)) as conn, conn:
        changed = conn.execute("UPDATE items SET due = ? WHERE item_id = ?", (LONG_AGO, item_id))
        assert changed.rowcount == 1


def test_a_fresh_data_dir_has_no_history(run_studyapp: RunStudyapp) -> None:
    data = stats(run_studyapp)
    assert data["reviews"] == 0
    assert data["due"] == 0
    assert data["items"] == 13
    assert data["item_states"] == {"new": 13, "learning": 0, "review": 0}
    assert data["orphans"] == 0
    assert data["retention"] is None
    assert data["streak"] == 0


def test_three_ratings_with_one_undo_are_two_reviews(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    # good, easy, hard; `u` takes back the hard.
    out = run_studyapp("review", "wavenet", "--plain", input=cards(3, 4, 2) + "u\n")
    assert reviewed_ok(out) == 2
    data = stats(run_studyapp)
    assert data["reviews"] == 2
    assert data["items"] == 13
    assert data["item_states"] == {"new": 11, "learning": 1, "review": 1}
    assert data["due"] == 0  # good: due in minutes; easy: in days
    assert sum(data["reviews_per_day"].values()) == 2
    assert data["retention"] == 1.0  # nothing rated again
    assert data["streak"] == 1


def test_hand_made_history_with_an_undo_and_an_item_falling_due(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    # 1st good, 2nd easy, 3rd hard; `u` on the 4th front takes back the hard; 3rd good.
    out = run_studyapp("review", "wavenet", "--plain", input=cards(3, 4, 2) + "u\n" + cards(3))
    assert reviewed_ok(out) == 3
    data = stats(run_studyapp)
    assert data["reviews"] == 3  # 4 ratings logged, 1 undone
    # new: 13 - 3 reviewed; learning: the two rated good; review: the one rated easy
    assert data["items"] == 13
    assert data["item_states"] == {"new": 10, "learning": 2, "review": 1}
    assert data["due"] == 0
    assert sum(data["forecast"].values()) == 3  # all three fall due within 30 days
    assert data["retention"] == 1.0

    make_due(data_dir, WAVENET_ORDER[1])  # days later: the easy one is due
    data = stats(run_studyapp)
    assert data["due"] == 1
    assert data["reviews"] == 3
    assert data["items"] == 13
    assert data["item_states"] == {"new": 10, "learning": 2, "review": 1}
    # the next review session starts with it, then the 10 new items
    nxt = run_studyapp("review", "wavenet", "--plain", input=cards(1))
    assert reviewed_ok(nxt) == 1
    lines = nxt.stdout.splitlines()
    assert lines[0].startswith("wavenet: 11 items to review.")
    assert "What is the central idea of WaveNet, and what exactly happens inside one fusion?" \
        in lines[:5]
    data = stats(run_studyapp)
    assert data["reviews"] == 4
    assert data["due"] in (0, 1)  # rated again: due again within minutes
    assert data["items"] == 13
    assert data["item_states"] == {"new": 10, "learning": 3, "review": 0}
    assert data["retention"] == 0.75  # 3 of 4 reviews not rated again


def test_undo_of_a_first_review_leaves_no_trace_in_stats(run_studyapp: RunStudyapp) -> None:
    out = run_studyapp("review", "wavenet", "--plain", input=cards(3) + "u\n")
    assert reviewed_ok(out) == 0
    data = stats(run_studyapp)
    assert data["reviews"] == 0
    assert data["items"] == 13
    assert data["item_states"] == {"new": 13, "learning": 0, "review": 0}
    assert data["orphans"] == 0


def test_an_exercise_counts_as_one_review(run_studyapp: RunStudyapp) -> None:
    answers = list(DEPTH_ANSWERS)
    answers[-1] = "5\n5"  # one step wrong at both attempts: the exercise is rated again
    out = run_studyapp(
        "review", "wavenet", "--plain",
        input=cards(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1) + "\n".join(answers + CHAIN_ANSWERS) + "\n",
    )
    assert reviewed_ok(out) == 13
    data = stats(run_studyapp)
    assert data["reviews"] == 13  # 11 questions and cards + 2 exercises (not 13 steps)
    assert data["item_states"]["new"] == 0
    assert data["items"] == 13
    # the last card and the first exercise: again
    assert data["retention"] == round(11 / 13, 4)


def test_exercise_only_deck(tmp_path: Path, run_studyapp: RunStudyapp) -> None:
    library = exercise_library(tmp_path)
    out = run_studyapp(
        "--library", str(library), "review", "ex", "--plain",
        input="\n".join(DEPTH_ANSWERS) + "\n",
    )
    assert reviewed_ok(out) == 1
    data = stats(run_studyapp, "--library", str(library), "stats", "ex")
    assert data["deck"] == "ex"
    assert data["reviews"] == 1
    assert data["items"] == 1
    assert data["item_states"] == {"new": 0, "learning": 1, "review": 0}


def test_stats_of_one_deck_and_of_all_decks(tmp_path: Path, run_studyapp: RunStudyapp) -> None:
    library = copy_library(tmp_path)
    text = (library / "decks" / "wavenet.yaml").read_text(encoding="utf-8")
    (library / "decks" / "other.yaml").write_text(
        text.replace("id: wavenet\n", "id: other\n", 1), encoding="utf-8"
    )
    lib = ("--library", str(library))
    assert reviewed_ok(run_studyapp(*lib, "review", "wavenet", "--plain",
                                    input=cards(3, 4))) == 2
    assert reviewed_ok(run_studyapp(*lib, "review", "other", "--plain", input=cards(2))) == 1
    everything = stats(run_studyapp, *lib, "stats")
    assert everything["deck"] is None
    assert everything["reviews"] == 3
    assert everything["items"] == 26
    assert everything["item_states"] == {"new": 23, "learning": 2, "review": 1}
    one = stats(run_studyapp, *lib, "stats", "wavenet")
    assert one["deck"] == "wavenet"
    assert one["reviews"] == 2
    assert one["items"] == 13
    assert one["item_states"] == {"new": 11, "learning": 1, "review": 1}
    other = stats(run_studyapp, *lib, "stats", "other")
    assert other["reviews"] == 1
    assert other["items"] == 13
    assert other["item_states"] == {"new": 12, "learning": 1, "review": 0}


def test_plain_stats_shows_the_same_numbers(run_studyapp: RunStudyapp) -> None:
    out = run_studyapp("review", "wavenet", "--plain", input=cards(3, 4, 2) + "u\n")
    assert reviewed_ok(out) == 2
    result = run_studyapp("stats", "wavenet")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    rows = {line[:12].strip(): line[13:] for line in result.stdout.splitlines()}
    assert rows["deck"] == "wavenet"
    assert rows["reviews"].startswith("2 (")
    assert rows["due now"] == "0"
    assert rows["items"] == "13: 11 new, 1 learning, 1 review"
    assert rows["orphans"].startswith("0 ")


def test_stats_of_an_unknown_deck_is_exit_1(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("stats", "no-such-deck", "--json")
    assert_no_traceback(result)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "no-such-deck" in errors[0], result.stderr
    assert result.stdout == ""


def test_stats_with_a_bad_option_is_exit_2(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("stats", "--jsn")
    assert_no_traceback(result)
    assert result.returncode == 2
