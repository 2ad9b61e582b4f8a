"""`studyapp review DECK --plain`, the contract in docs/cli.md, run as the installed command.

Every test runs the real `studyapp` in a subprocess on a fresh data directory and looks at
what a user (or a script) sees: the lines printed, the exit code, and the review database
file `reviews.sqlite3` itself, opened with the sqlite3 module.

These tests (and the durability suites that import these helpers) review the built-in
deck's content one item after another: `classic_setup` gives each test a copy of the
built-in library without its `fact:` keys and a `settings.toml` without learning steps, so
every item is shown exactly once, in deck order. Learning steps and siblings, the default,
are tested in test_review_session_plain.py and test_review_engine.py.
"""

from __future__ import annotations

import os
import queue
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunStudyapp, assert_no_traceback, classic_library, studyapp_command

REPO = Path(__file__).resolve().parent.parent
DATABASE = "reviews.sqlite3"

#: The built-in deck's review items in deck order: questions, cards, then the exercise.
WAVENET_ORDER = [
    "flat-mlp-crude",
    "wavenet-core-idea",
    "receptive-field-doubling",
    "depth-not-width",
    "flat-mlp-weakness",
    "wavenet-idea",
    "single-fusion",
    "receptive-field-k-levels",
    "depth-not-width-payoff",
    "hierarchy-benefits",
    "modern-ai-connection",
    "exercise:wavenet-depth",
    "exercise:wavenet-chain",
]
WAVENET_KINDS = ["question"] * 4 + ["card"] * 7 + ["exercise"] * 2
WAVENET_ITEMS = len(WAVENET_ORDER)
#: The right answers of the exercise `wavenet-depth`, step by step.
DEPTH_ANSWERS = ["4", "6", "10", "16", "64", "1024", "4", "3"]
#: The right answers of `wavenet-chain` as written (its params at their first values).
CHAIN_ANSWERS = ["7", "128", "1280", "20", "1428"]
EXERCISE_ANSWERS = {"exercise:wavenet-depth": DEPTH_ANSWERS,
                    "exercise:wavenet-chain": CHAIN_ANSWERS}
BOTH_EXERCISES = "\n".join(DEPTH_ANSWERS + CHAIN_ANSWERS) + "\n"
RATING_NUMBERS = {"again": 1, "hard": 2, "good": 3, "easy": 4}

HEADER = re.compile(r"^(\d+)/(\d+)\. (question|card|exercise)\b")
SAVED = re.compile(r"^saved: (again|hard|good|easy), due \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in .+\)$")
RATE = re.compile(r"^rate: 1 again \(")
REVIEWED = re.compile(r"^reviewed: (\d+)$")
STEP = re.compile(r"^(\d+)/8\. ")
GRADED = re.compile(r"^(correct|wrong, expected \S+|gave up, expected \S+)$")

#: Only a guard against a hung test: nothing is asserted about how long anything takes.
HANG_GUARD_S = 120.0


# --------------------------------------------------------------------------- helpers


CLASSIC_SETTINGS = "learning_steps = []\nrelearning_steps = []\n"


def classic_settings(data_dir: Path) -> None:
    """No learning steps: a rated item is done for the session."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = data_dir / "settings.toml"
    if not settings.exists():
        settings.write_text(CLASSIC_SETTINGS, encoding="utf-8")


@pytest.fixture(autouse=True)
def classic_setup(tmp_path: Path, data_dir: Path) -> None:
    """Both places the tests run from get the sibling-free library; the data dir the
    settings (see the module docstring)."""
    classic_library(tmp_path)
    classic_library(tmp_path / "cwd")
    classic_settings(data_dir)


def study_env(data_dir: Path) -> dict[str, str]:
    classic_settings(data_dir)
    return {**os.environ, "STUDYAPP_DATA_DIR": str(data_dir), "NO_COLOR": "1"}


class PlainReview:
    """`studyapp review ... --plain` driven line by line through pipes, like a person (or a
    script) at a terminal: send a line, wait for the answer, decide what to send next."""

    def __init__(self, data_dir: Path, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*studyapp_command(), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            cwd=cwd,
            env=study_env(data_dir),
        )
        self.transcript: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        with suppress(OSError, ValueError):
            for line in self.proc.stdout:
                self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def send(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        with suppress(BrokenPipeError, OSError):
            for line in lines:
                self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()

    def expect(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """Read lines until one matches `pattern`; fail (with the transcript) at the end."""
        while True:
            try:
                line = self._lines.get(timeout=HANG_GUARD_S)
            except queue.Empty:
                self.kill()
                pytest.fail(f"no {pattern.pattern!r} line; transcript:\n" + self.text())
            if line is None:
                pytest.fail(f"output ended before {pattern.pattern!r}:\n" + self.text())
            self.transcript.append(line)
            match = pattern.search(line)
            if match:
                return match

    def kill(self) -> list[str]:
        """SIGKILL, as a crash would end it (nothing runs after it); the lines it printed
        that were not read yet."""
        with suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        rest = []
        with suppress(queue.Empty):
            while (line := self._lines.get(timeout=HANG_GUARD_S)) is not None:
                rest.append(line)
        self.transcript += rest
        self._close_pipes()
        return rest

    def finish(self) -> tuple[int, list[str], str]:
        """End of input; wait for the process; its exit code, every line and its stderr."""
        assert self.proc.stdin is not None
        with suppress(BrokenPipeError, OSError):
            self.proc.stdin.close()
        while (line := self._lines.get(timeout=HANG_GUARD_S)) is not None:
            self.transcript.append(line)
        code = self.proc.wait(timeout=HANG_GUARD_S)
        assert self.proc.stderr is not None
        errors = self.proc.stderr.read()
        self._close_pipes()
        return code, self.transcript, errors

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()

    def text(self) -> str:
        return "\n".join(self.transcript)

    def review_card(self, rating: int | str, *, shown: bool = False) -> str:
        """The next question or card (`shown`: its header was read already): reveal it,
        rate it, wait for its `saved:` line; returns the rating's word."""
        if not shown:
            self.expect(HEADER)
        self.send("")
        self.expect(RATE)
        self.send(str(rating))
        return self.expect(SAVED).group(1)


def database(data_dir: Path) -> sqlite3.Connection:
    """The review database as any other program would open it."""
    path = data_dir / DATABASE
    assert path.exists(), f"no {path}"
    return sqlite3.connect(path)


def items_row(data_dir: Path, item_id: str, deck_id: str = "wavenet") -> tuple[Any, ...] | None:
    """Every column of the item's row in `items` (None: the item is new)."""
    with closing(database(data_dir)) as conn:
        row = conn.execute(
            "SELECT * FROM items WHERE deck_id = ? AND item_id = ?", (deck_id, item_id)
        ).fetchone()
    return None if row is None else tuple(row)


def kept_reviews(data_dir: Path, deck_id: str = "wavenet") -> list[tuple[str, int]]:
    """(item id, rating) of every review logged and not undone, oldest first."""
    with closing(database(data_dir)) as conn:
        return [
            (row[0], int(row[1]))
            for row in conn.execute(
                "SELECT item_id, rating FROM reviews WHERE deck_id = ? AND undone = 0 "
                "ORDER BY id",
                (deck_id,),
            )
        ]


def all_reviews(data_dir: Path) -> list[tuple[str, int, int]]:
    """(item id, rating, undone) of every review logged, oldest first."""
    with closing(database(data_dir)) as conn:
        return [
            (row[0], int(row[1]), int(row[2]))
            for row in conn.execute("SELECT item_id, rating, undone FROM reviews ORDER BY id")
        ]


def reviewed_ok(result: subprocess.CompletedProcess[str]) -> int:
    """A finished session: exit 0, no traceback, last line `reviewed: N`; returns N."""
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    last = result.stdout.splitlines()[-1]
    match = REVIEWED.fullmatch(last)
    assert match, f"last line is not `reviewed: N`: {last!r}"
    return int(match.group(1))


def saved_words(stdout: str) -> list[str]:
    return [m.group(1) for line in stdout.splitlines() if (m := SAVED.match(line))]


def cards(*ratings: int) -> str:
    """Input that reveals and rates one question or card per rating."""
    return "".join(f"\n{r}\n" for r in ratings)


def exercise_library(tmp_path: Path) -> Path:
    """A library whose deck `ex` has only the exercise `wavenet-depth`."""
    root = tmp_path / "exlib"
    (root / "decks").mkdir(parents=True)
    (root / "exercises").mkdir()
    shutil.copy(REPO / "exercises" / "wavenet-depth.yaml", root / "exercises")
    (root / "decks" / "ex.yaml").write_text(
        "id: ex\ntitle: Only the exercise\nexercises: [wavenet-depth]\n", encoding="utf-8"
    )
    return root


# ------------------------------------------------------------------ the saved: line


def test_saved_is_printed_only_once_the_rating_is_in_the_database(
    tmp_path: Path, data_dir: Path
) -> None:
    """Another program reading the file sees each rating the moment `saved:` is printed,
    and not while the learner is still deciding."""
    session = PlainReview(data_dir, "review", "wavenet", "--plain", cwd=tmp_path)
    try:
        for n, rating in enumerate([3, 1, 4, 2]):
            item = WAVENET_ORDER[n]
            session.expect(HEADER)
            session.send("")
            session.expect(RATE)
            assert items_row(data_dir, item) is None  # shown and revealed: nothing saved
            session.send(str(rating))
            word = session.expect(SAVED).group(1)
            assert RATING_NUMBERS[word] == rating
            assert kept_reviews(data_dir)[-1] == (item, rating)
            assert items_row(data_dir, item) is not None
        code, transcript, errors = session.finish()
    finally:
        if session.proc.poll() is None:
            session.kill()
    assert code == 0, errors
    assert transcript[-1] == "reviewed: 4"
    assert kept_reviews(data_dir) == list(zip(WAVENET_ORDER, [3, 1, 4, 2], strict=False))


def test_a_whole_deck_in_deck_order_then_nothing_is_due(run_studyapp: RunStudyapp) -> None:
    out = run_studyapp(
        "review", "wavenet", "--plain", input=cards(3, 3, 4, 2, 4, 3, 3, 4, 3, 2, 3)
        + BOTH_EXERCISES
    )
    assert reviewed_ok(out) == 13
    lines = out.stdout.splitlines()
    assert lines[0].startswith("wavenet: 13 items to review.")
    headers = [m for line in lines if (m := HEADER.match(line))]
    assert [m.group(3) for m in headers] == WAVENET_KINDS
    assert [int(m.group(1)) for m in headers] == list(range(1, 14))
    assert saved_words(out.stdout) == [
        "good", "good", "easy", "hard", "easy", "good", "good", "easy", "good", "hard",
        "good", "good", "good",
    ]
    assert lines[-5:-3] == ["", "nothing more is due"]
    assert re.fullmatch(
        r"session: 13 reviews of 13 items \(again 0 · hard 2 · good 8 · easy 3\) in \d+s; "
        r"13 graduated, 0 still learning, 0 buried", lines[-3]
    ), lines[-3]
    assert lines[-2].startswith("next due: ") and lines[-1] == "reviewed: 13"
    # the next session finds nothing due: every item was just reviewed (and none rated
    # again, which would be due in a minute)
    again = run_studyapp("review", "wavenet", "--plain", input="")
    assert reviewed_ok(again) == 0
    assert again.stdout.splitlines()[0].startswith("wavenet: 0 items to review.")


def test_end_of_input_before_the_rating_saves_nothing(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_studyapp("review", "wavenet", "--plain", input=cards(4) + "\n")  # 2nd revealed
    assert reviewed_ok(out) == 1
    assert kept_reviews(data_dir) == [("flat-mlp-crude", 4)]


def test_anything_but_1_to_4_on_the_rating_line_is_asked_again(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_studyapp(
        "review", "wavenet", "--plain", input="\n5\n0\ngood\n 3 \n"
    )
    assert reviewed_ok(out) == 1
    assert out.stdout.count(
        "answer 1, 2, 3 or 4 (u undoes the last rating, b buries, s suspends)"
    ) == 3
    assert kept_reviews(data_dir) == [("flat-mlp-crude", 3)]


# ----------------------------------------------------------------------------- undo


def test_undo_keeps_the_count_and_the_log_right(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    # rate 1st good, 2nd hard; `u` on the 3rd item's front takes back the hard; the 2nd
    # comes back and is rated easy.
    out = run_studyapp("review", "wavenet", "--plain", input=cards(3, 2) + "u\n" + cards(4))
    assert reviewed_ok(out) == 2
    lines = out.stdout.splitlines()
    assert (
        "undone: What is the central idea of WaveNet, and what exactly happens inside one "
        "fusion?" in lines
    )
    assert saved_words(out.stdout) == ["good", "hard", "easy"]
    assert all_reviews(data_dir) == [
        ("flat-mlp-crude", 3, 0),
        ("wavenet-core-idea", 2, 1),
        ("wavenet-core-idea", 4, 0),
    ]
    headers = [m.group(1) for line in lines if (m := HEADER.match(line))]
    assert headers == ["1", "2", "3", "2", "3"]


def test_undo_of_a_later_review_restores_every_column(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    first = run_studyapp("review", "wavenet", "--plain", input=cards(3))
    assert reviewed_ok(first) == 1
    with closing(database(data_dir)) as conn, conn:  # time passes: the item falls due
        conn.execute(
            "UPDATE items SET due = '2000-01-01T00:00:00.000000Z' WHERE item_id = ?",
            ("flat-mlp-crude",),
        )
    before = items_row(data_dir, "flat-mlp-crude")
    assert before is not None

    session = PlainReview(data_dir, "review", "wavenet", "--plain", cwd=tmp_path)
    try:
        header = session.expect(HEADER)
        assert header.group(1) == "1"
        session.expect(re.compile(r"^How does the flat MLP mix its context"))
        assert session.review_card(4, shown=True) == "easy"
        during = items_row(data_dir, "flat-mlp-crude")
        assert during is not None and during != before
        session.expect(HEADER)  # the 2nd item is shown; undo from its front
        session.send("u")
        session.expect(re.compile(r"^undone: How does the flat MLP mix its context"))
        assert items_row(data_dir, "flat-mlp-crude") == before
        assert session.expect(HEADER).group(1) == "1"  # the undone item is shown again
        code, transcript, errors = session.finish()
    finally:
        if session.proc.poll() is None:
            session.kill()
    assert code == 0, errors
    assert transcript[-1] == "reviewed: 0"
    assert items_row(data_dir, "flat-mlp-crude") == before
    assert all_reviews(data_dir) == [("flat-mlp-crude", 3, 0), ("flat-mlp-crude", 4, 1)]


def test_undo_of_a_first_review_makes_the_item_new_again(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    # `u` on the rating line of the 2nd item undoes the 1st item's first review.
    out = run_studyapp("review", "wavenet", "--plain", input=cards(4) + "\nu\n")
    assert reviewed_ok(out) == 0
    assert items_row(data_dir, "flat-mlp-crude") is None
    assert all_reviews(data_dir) == [("flat-mlp-crude", 4, 1)]
    # a new session starts with it again, as a new item, with all 13 to review
    nxt = run_studyapp("review", "wavenet", "--plain", input=cards(2))
    assert reviewed_ok(nxt) == 1
    assert nxt.stdout.splitlines()[0].startswith("wavenet: 13 items to review.")
    assert kept_reviews(data_dir) == [("flat-mlp-crude", 2)]


def test_undo_with_nothing_to_undo_says_so(run_studyapp: RunStudyapp, data_dir: Path) -> None:
    out = run_studyapp("review", "wavenet", "--plain", input="u\n\nu\nU\n" + cards(3) + "u\nu\n")
    assert reviewed_ok(out) == 0
    lines = out.stdout.splitlines()
    # on the front, on the rating line, upper case; then after one rating and its undo
    assert lines.count("nothing to undo") == 4
    assert "undone: How does the flat MLP mix its context characters together, and what " \
        "makes that approach crude?" in lines
    assert all_reviews(data_dir) == [("flat-mlp-crude", 3, 1)]


def test_undo_in_the_middle_of_an_exercise_takes_back_the_card_before_it(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    library = exercise_library(tmp_path)
    (library / "decks" / "ex.yaml").write_text(
        "id: ex\ntitle: A card and the exercise\n"
        "cards:\n  - id: two\n    front: Two plus two?\n    back: Four.\n"
        "exercises: [wavenet-depth]\n",
        encoding="utf-8",
    )
    out = run_studyapp(
        "--library", str(library), "review", "ex", "--plain",
        input=cards(3) + "4\n6\nu\n" + cards(4) + "\n".join(DEPTH_ANSWERS[2:]) + "\n",
    )
    assert reviewed_ok(out) == 2
    lines = out.stdout.splitlines()
    assert "undone: Two plus two?" in lines
    # the exercise resumes at the step it was at: steps 1 and 2 are asked once each
    assert sum(1 for line in lines if line.startswith("1/8. ")) == 1
    assert sum(1 for line in lines if line.startswith("3/8. ")) == 2
    assert saved_words(out.stdout) == ["good", "easy", "good"]
    assert all_reviews(data_dir) == [
        ("two", 3, 1), ("two", 4, 0), ("exercise:wavenet-depth", 3, 0),
    ]


def test_undo_in_an_exercise_with_nothing_to_undo_keeps_its_progress(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    library = exercise_library(tmp_path)
    out = run_studyapp(
        "--library", str(library), "review", "ex", "--plain",
        input="4\n6\nu\n" + "\n".join(DEPTH_ANSWERS[2:]) + "\n",
    )
    assert reviewed_ok(out) == 1
    lines = out.stdout.splitlines()
    assert lines.count("nothing to undo") == 1
    assert sum(1 for line in lines if line.startswith("1/8. ")) == 1  # not started over
    assert saved_words(out.stdout) == ["good"]
    assert kept_reviews(data_dir, "ex") == [("exercise:wavenet-depth", 3)]


# ------------------------------------------------------------------------ exercises


def run_exercise(
    tmp_path: Path, run_studyapp: RunStudyapp, answers: list[str]
) -> subprocess.CompletedProcess[str]:
    library = exercise_library(tmp_path)
    return run_studyapp(
        "--library", str(library), "review", "ex", "--plain", input="\n".join(answers) + "\n"
    )


def exercise_reviews(data_dir: Path) -> list[tuple[str, int]]:
    return kept_reviews(data_dir, "ex")


def test_exercise_all_right_first_try_is_rated_good_without_a_rating_line(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_exercise(tmp_path, run_studyapp, ["4", "6 levels", "2^3+2", "16", "64", "1,024",
                                                "2+2", "3"])
    assert reviewed_ok(out) == 1
    lines = out.stdout.splitlines()
    assert lines.count("correct") == 8
    assert "exercise done: 8/8 steps right, 0 hints, 0 given up" in lines
    assert not any(RATE.match(line) for line in lines)
    assert saved_words(out.stdout) == ["good"]
    assert exercise_reviews(data_dir) == [("exercise:wavenet-depth", 3)]


def test_exercise_shows_its_title_and_setup_before_the_first_step(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    out = run_exercise(tmp_path, run_studyapp, DEPTH_ANSWERS)
    lines = out.stdout.splitlines()
    first_step = next(n for n, line in enumerate(lines) if STEP.match(line))
    title = "Depth buys context: count the levels, then trace one fusion"
    assert title in lines[:first_step]
    # The setup's paragraph is one line (its Markdown soft breaks read as spaces).
    (setup,) = [line for line in lines if line.startswith("In a WaveNet-style model every ")]
    assert "merges neighbouring pairs, so each extra level doubles" in setup
    assert setup in lines[:first_step]


def test_exercise_with_a_wrong_step_is_rated_again(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    answers = list(DEPTH_ANSWERS)
    answers[1] = "7\n7"  # wrong at both attempts
    out = run_exercise(tmp_path, run_studyapp, answers)
    assert reviewed_ok(out) == 1
    lines = out.stdout.splitlines()
    assert "wrong, expected 6" in lines  # after the last attempt, with the expected value
    assert lines.count("correct") == 7
    assert saved_words(out.stdout) == ["again"]
    assert exercise_reviews(data_dir) == [("exercise:wavenet-depth", 1)]


def test_exercise_given_up_step_is_rated_again(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    answers = list(DEPTH_ANSWERS)
    answers[0] = ""  # an empty line gives up
    out = run_exercise(tmp_path, run_studyapp, answers)
    assert reviewed_ok(out) == 1
    assert "gave up, expected 4" in out.stdout.splitlines()
    assert saved_words(out.stdout) == ["again"]
    assert exercise_reviews(data_dir) == [("exercise:wavenet-depth", 1)]


def test_exercise_hint_then_all_right_is_rated_hard(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_exercise(tmp_path, run_studyapp, ["?", *DEPTH_ANSWERS])
    assert reviewed_ok(out) == 1
    lines = out.stdout.splitlines()
    assert "hint: Look for the k with 2ᵏ = 16." in lines
    assert "exercise done: 8/8 steps right, 1 hint, 0 given up" in lines
    assert saved_words(out.stdout) == ["hard"]
    assert exercise_reviews(data_dir) == [("exercise:wavenet-depth", 2)]


def test_exercise_unreadable_answer_is_asked_again_not_graded(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_exercise(tmp_path, run_studyapp, ["banana", *DEPTH_ANSWERS])
    assert reviewed_ok(out) == 1
    assert 'can\'t read "banana" as a number' in out.stdout.splitlines()
    assert exercise_reviews(data_dir) == [("exercise:wavenet-depth", 3)]


def test_end_of_input_in_the_middle_of_an_exercise_rates_nothing(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_exercise(tmp_path, run_studyapp, DEPTH_ANSWERS[:3])
    assert reviewed_ok(out) == 0
    assert out.stdout.splitlines().count("correct") == 3
    assert saved_words(out.stdout) == []
    assert all_reviews(data_dir) == []
    assert items_row(data_dir, "exercise:wavenet-depth", "ex") is None


# --------------------------------------------------------------- command-line errors


def test_unknown_deck_is_exit_1_and_touches_no_database(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_studyapp("review", "no-such-deck", "--plain", input=cards(3))
    assert_no_traceback(out)
    assert out.returncode == 1
    errors = out.stderr.strip().splitlines()
    assert len(errors) == 1 and "no-such-deck" in errors[0], out.stderr
    assert out.stdout == ""
    assert not (data_dir / DATABASE).exists()


def test_review_plain_without_a_deck_is_exit_2(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    out = run_studyapp("review", "--plain", input=cards(3))
    assert_no_traceback(out)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "DECK" in out.stderr
    assert not (data_dir / DATABASE).exists()


# ------------------------------------------------------------------ garbage in, no crash

NASTY_LINES = [
    "", "", "", "1", "2", "3", "4", "u", "U", "?", "0", "5", "-1", "3.0", "1e309", "nan",
    "banana", "4 or 5", "2^99999", "9^9^9^9", "((((1", "log2(0)", "1/0", "\t", "  3  ",
    "\x00", "\x1b[2J", "🙂", "ü" * 300, "x" * 10_000, "u u", "y", "n", "quit", "\\", "'",
    "%s%s%n", "DROP TABLE reviews;", "\r",
]


@pytest.mark.parametrize("seed", range(4))
def test_random_garbage_lines_never_crash(tmp_path: Path, seed: int) -> None:
    """Random lines and raw bytes: exit 0, no traceback, the last line `reviewed: N`, and
    N is the number of ratings the database keeps."""
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    if seed % 2 == 0:
        text = "\n".join(rng.choice(NASTY_LINES) for _ in range(rng.randint(50, 400)))
        payload = text.encode("utf-8", "surrogatepass") + b"\n"
    else:  # bytes that are not UTF-8 at all, with some newlines
        payload = bytes(rng.choice([10, 10, 49, 51, 117, rng.randrange(256)])
                        for _ in range(rng.randint(500, 5000)))
    result = subprocess.run(
        [*studyapp_command(), "review", "wavenet", "--plain"],
        input=payload,
        capture_output=True,
        cwd=tmp_path,
        env=study_env(data_dir),
        timeout=HANG_GUARD_S,
        check=False,
    )
    out = subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"),
        result.stderr.decode("utf-8"),
    )
    reviewed = reviewed_ok(out)
    assert out.stderr == ""
    assert reviewed == len(kept_reviews(data_dir))
    undone = sum(1 for line in out.stdout.splitlines() if line.startswith("undone: "))
    assert reviewed == len(saved_words(out.stdout)) - undone


@pytest.mark.parametrize("command", ["review", "quiz"])
def test_unknown_deck_is_refused_before_the_tui_starts(
    run_studyapp: RunStudyapp, command: str
) -> None:
    result = run_studyapp(command, "no-such-deck")
    assert result.returncode == 1
    assert_no_traceback(result)
    (line,) = result.stderr.strip().splitlines()
    # The built-in library's folder differs between a checkout and an installed wheel.
    assert line.startswith("studyapp: unknown deck 'no-such-deck' in ")
    assert line.endswith("(decks: wavenet)")
