"""`review --plain` as a serious spaced-repetition session (docs/cli.md, issue 10): learning
steps inside the session, the summary, siblings, bury and suspend — through the installed
command on real files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import RunStudyapp
from .test_review_plain import HEADER, SAVED, kept_reviews, reviewed_ok, saved_words

NEXT_DUE = re.compile(r"^next due: (\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in .+\)|nothing is scheduled)$")
CARD_DECK = """\
id: words
title: Three words
cards:
  - {id: uno, front: one, back: uno}
  - {id: dos, front: two, back: dos}
  - {id: tres, front: three, back: tres}
"""
SIBLING_DECK = """\
id: words
title: Siblings
questions:
  - {id: ask-flat, prompt: How does the flat model mix its context?, answer: All at once.,
     fact: flat}
cards:
  - {id: card-flat, front: The flat model's weakness?, back: One layer mixes everything.,
     fact: flat}
  - {id: other, front: Something else?, back: Yes.}
"""


def library(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "lib"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "words.yaml").write_text(text, encoding="utf-8")
    return root


def headers(stdout: str) -> list[str]:
    """The item shown under each header, in order (the line after it)."""
    lines = stdout.splitlines()
    return [lines[n + 1] for n, line in enumerate(lines) if HEADER.match(line)]


def test_a_new_card_rated_again_comes_back_in_the_same_session(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    root = library(tmp_path, CARD_DECK)
    # one: again · two: good · three: good; then one comes back (learn-ahead) and is good,
    # then two and three come back from their 10-minute step...
    out = run_studyapp("--library", str(root), "review", "words", "--plain",
                       input="\n1\n\n3\n\n3\n\n3\n")
    shown = headers(out.stdout)
    assert shown[:4] == ["one", "two", "three", "one"]
    assert "again" in [line for line in out.stdout.splitlines() if HEADER.match(line)][3]
    assert saved_words(out.stdout)[:4] == ["again", "good", "good", "good"]


def test_new_cards_rated_good_are_shown_twice_then_graduate(
    run_studyapp: RunStudyapp, tmp_path: Path, data_dir: Path
) -> None:
    root = library(tmp_path, CARD_DECK)
    out = run_studyapp("--library", str(root), "review", "words", "--plain",
                       input="\n3\n" * 6 + "\n3\n" * 3)  # more input than needed
    n = reviewed_ok(out)
    assert n == 6
    assert headers(out.stdout) == ["one", "two", "three", "one", "two", "three"]
    saved = [line for line in out.stdout.splitlines() if SAVED.match(line)]
    assert len(saved) == 6
    assert all("(in 10m)" in line for line in saved[:3])  # the learning step
    assert all(re.search(r"\(in \d+(\.\d)?d\)$", line) for line in saved[3:])  # graduated
    lines = out.stdout.splitlines()
    assert NEXT_DUE.match(lines[-2]), lines[-2]
    assert "(in 10m)" not in lines[-2]
    assert lines[-1] == "reviewed: 6"
    summary = next(line for line in lines if line.startswith("session: "))
    assert "6 reviews of 3 items" in summary and "good 6" in summary and "3 graduated" in summary
    stats = run_studyapp("--library", str(root), "stats", "--json")
    assert json.loads(stats.stdout)["reviews"] == 6 == len(kept_reviews(data_dir, "words"))


def test_end_of_input_still_ends_with_next_due_and_reviewed(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    root = library(tmp_path, CARD_DECK)
    out = run_studyapp("--library", str(root), "review", "words", "--plain", input="\n3\n")
    assert reviewed_ok(out) == 1
    lines = out.stdout.splitlines()
    assert NEXT_DUE.match(lines[-2]) and lines[-1] == "reviewed: 1"


def test_the_rate_line_is_what_the_saved_line_says(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    root = library(tmp_path, CARD_DECK)
    out = run_studyapp("--library", str(root), "review", "words", "--plain",
                       input="\n1\n\n2\n\n3\n\n4\n")
    lines = out.stdout.splitlines()
    rate_lines = [line for line in lines if line.startswith("rate: ")]
    saved = [line for line in lines if SAVED.match(line)]
    for rate, save in zip(rate_lines, saved, strict=False):
        word = SAVED.match(save).group(1)  # type: ignore[union-attr]
        interval = re.search(rf"\d {word} \(([^)]+)\)", rate).group(1)  # type: ignore[union-attr]
        assert save.endswith(f"(in {interval})"), (rate, save)


def test_a_reviewed_item_buries_its_sibling_for_the_day(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    root = library(tmp_path, SIBLING_DECK)
    out = run_studyapp("--library", str(root), "review", "words", "--plain",
                       input="\n4\n\n4\n")
    assert reviewed_ok(out) == 2
    assert headers(out.stdout) == [
        "How does the flat model mix its context?", "Something else?",
    ]
    assert "1 buried" in next(
        line for line in out.stdout.splitlines() if line.startswith("session: ")
    )
    again = run_studyapp("--library", str(root), "review", "words", "--plain", input="")
    assert reviewed_ok(again) == 0  # still buried in a new session the same day
    stats = json.loads(run_studyapp("--library", str(root), "stats", "--json").stdout)
    assert (stats["buried"], stats["suspended"], stats["due"]) == (1, 0, 0)
    listed = run_studyapp("--library", str(root), "suspended").stdout
    assert "card-flat" in listed and "(a sibling was reviewed today)" in listed


def test_bury_and_suspend_survive_a_restart_and_undo(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    root = library(tmp_path, CARD_DECK)
    args = ("--library", str(root), "review", "words", "--plain")
    # Undo takes a hold back: bury one, undo, and it is shown again.
    undone = run_studyapp(*args, input="b\nu\n")
    assert "buried until tomorrow" in undone.stdout and "undone: one" in undone.stdout
    assert headers(undone.stdout) == ["one", "two", "one"]
    out = run_studyapp(*args, input="b\ns\n")
    assert "buried until tomorrow" in out.stdout and "suspended until unsuspended" in out.stdout
    assert headers(out.stdout) == ["one", "two", "three"]
    listed = run_studyapp("--library", str(root), "suspended", "words")
    assert listed.returncode == 0, listed.stderr
    assert "uno" in listed.stdout and "dos" in listed.stdout
    restarted = run_studyapp(*args, input="")
    assert headers(restarted.stdout) == ["three"]  # one buried, two suspended
    stats = json.loads(run_studyapp("--library", str(root), "stats", "--json").stdout)
    assert (stats["buried"], stats["suspended"]) == (1, 1)
    unsuspend = run_studyapp("--library", str(root), "unsuspend", "words", "dos")
    assert unsuspend.returncode == 0, unsuspend.stderr
    after = run_studyapp(*args, input="")
    assert after.stdout.startswith("words: 2 items to review.")  # two is back, one buried
    assert headers(after.stdout) == ["two"]
