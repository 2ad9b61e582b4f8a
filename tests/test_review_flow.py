"""The review database under real use, through the installed command: crashes (kill -9),
two processes at once, files that are not ours, and history across deck edits.

Everything runs `studyapp` in subprocesses on real files; the database is then read with the
sqlite3 module as any other program would.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from studyapp.schedule import Rating
from studyapp.store import Identity, ReviewStore

from .conftest import RunStudyapp, assert_no_traceback, classic_library, studyapp_command
from .test_review_plain import (
    BOTH_EXERCISES,
    DATABASE,
    EXERCISE_ANSWERS,
    GRADED,
    HEADER,
    RATE,
    RATING_NUMBERS,
    REPO,
    SAVED,
    WAVENET_ITEMS,
    WAVENET_KINDS,
    WAVENET_ORDER,
    PlainReview,
    cards,
    classic_setup,  # noqa: F401  (an autouse fixture: see test_review_plain)
    kept_reviews,
    reviewed_ok,
    saved_words,
    study_env,
)

UNDONE = re.compile(r"^undone: ")
STATE = "phase, step, stability, difficulty, due, last_review"
AFTER = ", ".join(f"after_{c}" for c in STATE.split(", "))


def integrity_ok(data_dir: Path) -> None:
    """`PRAGMA integrity_check` says ok (opening it also replays what a crash left in the
    WAL, as SQLite does for any program)."""
    with closing(sqlite3.connect(data_dir / DATABASE)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def items_agree_with_the_log(data_dir: Path) -> None:
    """Every item's state is the outcome of its latest review not undone, and only items
    with such a review have a state: the schedule and the log were written together."""
    with closing(sqlite3.connect(data_dir / DATABASE)) as conn:
        states = {
            (row[0], row[1]): tuple(row[2:])
            for row in conn.execute(f"SELECT deck_id, item_id, {STATE} FROM items")
        }
        latest = {
            (row[0], row[1]): tuple(row[2:])
            for row in conn.execute(
                f"SELECT deck_id, item_id, {AFTER} FROM reviews WHERE id IN "
                "(SELECT max(id) FROM reviews WHERE undone = 0 GROUP BY deck_id, item_id)"
            )
        }
    assert states == latest


def stats_json(data_dir: Path, *args: str, cwd: Path) -> dict[str, Any]:
    result = subprocess.run(
        [*studyapp_command(), *args, "stats", "--json"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=study_env(data_dir),
        timeout=120,
        check=False,
    )
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def exercise_answers(
    rng: random.Random, item: str = "exercise:wavenet-depth"
) -> tuple[list[str], int]:
    """Input for each of the exercise's steps, some wrong (then wrong at both attempts, two
    lines), and the rating they earn."""
    right = EXERCISE_ANSWERS[item]
    steps = [a if rng.random() < 0.8 else str(int(a) + 1) for a in right]
    lines = [s if s == a else f"{s}\n{s}" for s, a in zip(steps, right, strict=True)]
    return lines, 3 if steps == right else 1


def copy_library(tmp_path: Path) -> Path:
    """A private copy of the built-in library (without siblings, see test_review_plain), to
    edit."""
    return classic_library(tmp_path / "library")


# ------------------------------------------------------------------------------ kill -9

KILL_TRIALS = 20
ENDINGS = ("after-saved", "on-the-front", "revealed", "rating-in-flight", "undo-in-flight")
#: How many `saved:` lines to wait for before the kill; 11 and 12 (an exercise is next) are
#: weighted up so that some trials kill in the middle of an exercise.
TARGETS = [*range(WAVENET_ITEMS + 1), 11, 11, 12]
InFlight = tuple[str, tuple[str, int] | None]


def kill_trial(
    data_dir: Path, cwd: Path, rng: random.Random
) -> tuple[list[tuple[str, int]], InFlight | None, str, int]:
    """Review the built-in deck with random ratings (and a few undos), then SIGKILL it at a
    random point. Returns the ratings whose `saved:` line was printed and not undone, what
    was in flight at the kill (its outcome may go either way), the ending, and the target
    count of saved lines."""
    target = rng.choice(TARGETS)
    ending = rng.choice(ENDINGS)
    saved: list[tuple[str, int]] = []
    in_flight: InFlight | None = None
    undos_left = 2
    session = PlainReview(data_dir, "review", "wavenet", "--plain", cwd=cwd)
    try:
        session.expect(HEADER)  # the first item is shown: the database is open
        while len(saved) < target:
            position = len(saved)
            assert session.transcript[-1].startswith(f"{position + 1}/{WAVENET_ITEMS}. ")
            if saved and undos_left and rng.random() < 0.2:
                undos_left -= 1
                session.send("u")  # on the next item's front: takes back the last rating
                session.expect(UNDONE)
                saved.pop()
                session.expect(HEADER)
                continue
            item, kind = WAVENET_ORDER[position], WAVENET_KINDS[position]
            if kind == "exercise":
                answers, rating = exercise_answers(rng, item)
                for answer in answers:
                    session.send(answer)
                    session.expect(GRADED)
                word = session.expect(SAVED).group(1)
            else:
                rating = rng.randint(1, 4)
                word = session.review_card(rating, shown=True)
            assert RATING_NUMBERS[word] == rating
            saved.append((item, rating))
            if len(saved) < WAVENET_ITEMS and (len(saved) < target or ending != "after-saved"):
                session.expect(HEADER)
        position = len(saved)
        if position < WAVENET_ITEMS and ending != "after-saved":
            item, kind = WAVENET_ORDER[position], WAVENET_KINDS[position]
            if ending == "revealed":  # mid-item: revealed, or some steps answered
                if kind == "exercise":
                    right = EXERCISE_ANSWERS[item]
                    for answer in right[: rng.randint(0, len(right) - 1)]:
                        session.send(answer)
                        session.expect(GRADED)
                else:
                    session.send("")
                    session.expect(RATE)
            elif ending == "rating-in-flight":  # the kill races the commit
                if kind == "exercise":
                    answers, rating = exercise_answers(rng, item)
                    session.send(*answers)
                else:
                    rating = rng.randint(1, 4)
                    session.send("")
                    session.expect(RATE)
                    session.send(str(rating))
                in_flight = ("rating", (item, rating))
            elif ending == "undo-in-flight" and saved:
                session.send("u")
                in_flight = ("undo", None)
        if in_flight is not None:  # sometimes the process gets a head start
            time.sleep(rng.choice([0, 0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05]))
        late = session.kill()
        # what it printed before it died counts: a `saved:` (`undone:`) line is a promise
        if in_flight is not None and in_flight[0] == "rating" and any(map(SAVED.match, late)):
            assert in_flight[1] is not None
            saved.append(in_flight[1])
            in_flight = None
        if in_flight is not None and in_flight[0] == "undo" and any(map(UNDONE.match, late)):
            saved.pop()
            in_flight = None
    finally:
        if session.proc.poll() is None:
            session.kill()
    return saved, in_flight, ending, target


@pytest.mark.parametrize("trial", range(KILL_TRIALS))
def test_kill_9_at_a_random_point_loses_no_saved_review(tmp_path: Path, trial: int) -> None:
    rng = random.Random(40_000 + trial)
    data_dir = tmp_path / "data"
    saved, in_flight, ending, target = kill_trial(data_dir, tmp_path, rng)

    integrity_ok(data_dir)
    kept = kept_reviews(data_dir)
    if in_flight is None:
        allowed = [saved]
    elif in_flight[0] == "undo":
        allowed = [saved, saved[:-1]]
    else:
        assert in_flight[1] is not None
        allowed = [saved, [*saved, in_flight[1]]]
    assert kept in allowed, (
        f"trial {trial} ({ending}, target {target}): saved {saved}, in flight {in_flight}, "
        f"kept {kept}"
    )
    items_agree_with_the_log(data_dir)
    print(  # shown with -s: which kill points the seeds chose
        f"kill trial {trial}: target {target}, {ending}, saved {len(saved)}, "
        f"in flight {in_flight and in_flight[0]}, kept {len(kept)}"
    )
    # studyapp itself carries on with the file and counts exactly what was kept
    stats = stats_json(data_dir, cwd=tmp_path)
    assert stats["reviews"] == len(kept)
    assert stats["items"] == WAVENET_ITEMS
    assert stats["item_states"]["new"] == WAVENET_ITEMS - len({item for item, _rating in kept})


# ------------------------------------------------------------------ two processes at once


def full_input(rng: random.Random) -> tuple[list[str], list[int]]:
    """Lines that rate every item of the built-in deck, and the ratings they give."""
    ratings = [rng.randint(1, 4) for _ in range(11)]
    depth, depth_rating = exercise_answers(rng, "exercise:wavenet-depth")
    chain, chain_rating = exercise_answers(rng, "exercise:wavenet-chain")
    lines = [line for r in ratings for line in ("", str(r))] + depth + chain
    return lines, [*ratings, depth_rating, chain_rating]


def run_together(
    data_dir: Path, cwd: Path, sessions: list[tuple[list[str], list[str]]]
) -> list[list[str]]:
    """Start every `(args, input lines)` session, wait until each shows its first item (each
    has its queue), then give them all their input at once; their transcripts."""
    running = [PlainReview(data_dir, *args, cwd=cwd) for args, _lines in sessions]
    try:
        for session in running:
            session.expect(HEADER)
        for session, (_args, lines) in zip(running, sessions, strict=True):
            session.send(*lines)
        transcripts = []
        for session in running:
            code, transcript, errors = session.finish()
            assert code == 0, errors
            assert errors == ""
            transcripts.append(transcript)
    finally:
        for session in running:
            if session.proc.poll() is None:
                session.kill()
    return transcripts


def test_two_decks_reviewed_at_once_lose_nothing(tmp_path: Path) -> None:
    library = copy_library(tmp_path)
    text = (library / "decks" / "wavenet.yaml").read_text(encoding="utf-8")
    assert text.startswith("id: wavenet\n")
    (library / "decks" / "wavenet-b.yaml").write_text(
        text.replace("id: wavenet\n", "id: wavenet-b\n", 1), encoding="utf-8"
    )
    data_dir = tmp_path / "data"
    rng = random.Random(7)
    (lines_a, ratings_a), (lines_b, ratings_b) = full_input(rng), full_input(rng)
    transcript_a, transcript_b = run_together(
        data_dir,
        tmp_path,
        [
            (["--library", str(library), "review", "wavenet", "--plain"], lines_a),
            (["--library", str(library), "review", "wavenet-b", "--plain"], lines_b),
        ],
    )
    for transcript, ratings, deck in (
        (transcript_a, ratings_a, "wavenet"),
        (transcript_b, ratings_b, "wavenet-b"),
    ):
        assert transcript[-1] == f"reviewed: {WAVENET_ITEMS}"
        words = saved_words("\n".join(transcript))
        assert [RATING_NUMBERS[w] for w in words] == ratings
        assert kept_reviews(data_dir, deck) == list(zip(WAVENET_ORDER, ratings, strict=True))
    integrity_ok(data_dir)
    items_agree_with_the_log(data_dir)
    stats = stats_json(data_dir, "--library", str(library), cwd=tmp_path)
    both = 2 * WAVENET_ITEMS
    assert stats["reviews"] == both
    assert stats["items"] == both
    learning = stats["item_states"]["learning"]
    assert stats["item_states"] == {"new": 0, "learning": learning, "review": both - learning}


def test_one_deck_reviewed_twice_at_once_keeps_every_saved_rating(tmp_path: Path) -> None:
    """Both sessions start with all 13 items new and rate each of them: every rating either
    one printed `saved:` for is in the log, so each item has two reviews."""
    data_dir = tmp_path / "data"
    rng = random.Random(11)
    (lines_a, ratings_a), (lines_b, ratings_b) = full_input(rng), full_input(rng)
    args = ["review", "wavenet", "--plain"]
    transcript_a, transcript_b = run_together(
        data_dir, tmp_path, [(args, lines_a), (args, lines_b)]
    )
    assert transcript_a[-1] == transcript_b[-1] == f"reviewed: {WAVENET_ITEMS}"
    printed: Counter[tuple[str, int]] = Counter()
    for transcript in (transcript_a, transcript_b):
        words = saved_words("\n".join(transcript))
        printed.update(zip(WAVENET_ORDER, (RATING_NUMBERS[w] for w in words), strict=True))
    assert printed == Counter(zip(WAVENET_ORDER, ratings_a, strict=True)) + Counter(
        zip(WAVENET_ORDER, ratings_b, strict=True)
    )
    kept = kept_reviews(data_dir)
    assert Counter(kept) == printed
    assert Counter(item for item, _rating in kept) == dict.fromkeys(WAVENET_ORDER, 2)
    integrity_ok(data_dir)
    items_agree_with_the_log(data_dir)
    assert stats_json(data_dir, cwd=tmp_path)["reviews"] == 2 * WAVENET_ITEMS


def test_undo_takes_back_only_this_session_s_own_rating(tmp_path: Path) -> None:
    """Two sessions on one deck: `u` in one never takes back a rating the other printed
    `saved:` for."""
    data_dir = tmp_path / "data"
    b = PlainReview(data_dir, "review", "wavenet", "--plain", cwd=tmp_path)
    a: PlainReview | None = None
    try:
        b.expect(HEADER)
        assert b.review_card(3, shown=True) == "good"  # B: the 1st item
        a = PlainReview(data_dir, "review", "wavenet", "--plain", cwd=tmp_path)
        a.expect(HEADER)
        assert a.transcript[0].startswith(f"wavenet: {WAVENET_ITEMS - 1} items to review.")
        assert a.review_card(4, shown=True) == "easy"  # A: the 2nd item, the deck's latest
        b.expect(HEADER)
        b.send("u")  # B takes back its own rating of the 1st item, not A's of the 2nd
        b.expect(re.compile(r"^undone: How does the flat MLP mix its context"))
        assert kept_reviews(data_dir) == [(WAVENET_ORDER[1], 4)]
        code_a, transcript_a, _ = a.finish()
        code_b, transcript_b, _ = b.finish()
    finally:
        for session in (a, b):
            if session is not None and session.proc.poll() is None:
                session.kill()
    assert code_a == code_b == 0
    assert transcript_a[-1] == "reviewed: 1"
    assert transcript_b[-1] == "reviewed: 0"
    items_agree_with_the_log(data_dir)


def test_undo_refuses_a_rating_another_session_has_built_on(tmp_path: Path) -> None:
    """Both sessions rate the 1st item; the first one's `u` would have to throw away the
    other's later review: it undoes nothing, and both ratings stay."""
    data_dir = tmp_path / "data"
    args = ("review", "wavenet", "--plain")
    a = PlainReview(data_dir, *args, cwd=tmp_path)
    b = PlainReview(data_dir, *args, cwd=tmp_path)
    try:
        a.expect(HEADER)
        b.expect(HEADER)
        assert a.review_card(3, shown=True) == "good"
        assert b.review_card(4, shown=True) == "easy"
        a.expect(HEADER)
        a.send("u")
        a.expect(re.compile(r"^cannot undo: that item was reviewed again elsewhere since$"))
        code_a, transcript_a, _ = a.finish()
        code_b, transcript_b, _ = b.finish()
    finally:
        for session in (a, b):
            if session.proc.poll() is None:
                session.kill()
    assert code_a == code_b == 0
    assert transcript_a[-1] == transcript_b[-1] == "reviewed: 1"
    assert kept_reviews(data_dir) == [(WAVENET_ORDER[0], 3), (WAVENET_ORDER[0], 4)]
    items_agree_with_the_log(data_dir)


def test_store_undo_review_refuses_what_a_later_review_builds_on(tmp_path: Path) -> None:
    """The store call behind session undo (`ReviewStore.undo_review`)."""
    now = datetime(2025, 6, 1, 12, tzinfo=UTC)
    first, other = Identity("d", "first"), Identity("d", "other")
    with ReviewStore.open(tmp_path, now=now) as store:
        a = store.record_review(first, "card", Rating.GOOD, now)
        b = store.record_review(first, "card", Rating.EASY, now + timedelta(minutes=11))
        c = store.record_review(other, "card", Rating.HARD, now + timedelta(minutes=12))
        assert store.undo_review(a.review_id) is None  # b builds on it: nothing changes
        assert store.state(first) == b.after
        assert store.undo_review(b.review_id) == first  # not the deck's latest (c): fine
        assert store.state(first) == a.after
        assert store.state(other) == c.after
        assert store.undo_review(b.review_id) is None  # undone already
        assert store.undo_review(a.review_id) == first
        assert store.state(first) is None  # new again
        assert store.undo_review(10_000) is None
        assert store.review_count() == 1


# ------------------------------------------------- a crash while the database is created

#: Runs in a child process that then dies (os._exit: no commit, no rollback, like kill -9)
#: in the middle of a rollback-journal transaction, with pages already spilled to the file:
#: the state a crash leaves while the database is first created or switched to WAL.
CRASH_MID_TRANSACTION = """
import os, sqlite3, sys
from studyapp.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

path, when = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(path, isolation_level=None)
if when == "switching-to-wal":  # the schema was committed; the switch to WAL was not
    conn.execute("BEGIN IMMEDIATE")
    for migration in MIGRATIONS:
        migration.apply(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
conn.execute("PRAGMA cache_size = 2")  # spill pages to the file before the commit
conn.execute("BEGIN IMMEDIATE")
if when == "creating":
    for migration in MIGRATIONS:
        migration.apply(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
conn.execute("CREATE TABLE spill (x)")
conn.executemany("INSERT INTO spill VALUES (?)", [("x" * 1000,)] * 200)
os._exit(0)
"""


@pytest.mark.parametrize("when", ["creating", "switching-to-wal"])
def test_a_crash_while_the_database_is_first_created_does_not_lock_the_user_out(
    tmp_path: Path, run_studyapp: RunStudyapp, data_dir: Path, when: str
) -> None:
    path = data_dir / DATABASE
    crash = subprocess.run(
        [sys.executable, "-c", CRASH_MID_TRANSACTION, str(path), when],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert crash.returncode == 0, crash.stderr
    journal = data_dir / f"{DATABASE}-journal"
    assert journal.exists() and path.stat().st_size > 0  # a hot journal, pages in the file

    out = run_studyapp("review", "wavenet", "--plain", input=cards(3))
    assert reviewed_ok(out) == 1, out.stderr
    assert not journal.exists()
    integrity_ok(data_dir)
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
    assert "spill" not in tables  # the interrupted transaction was rolled back
    assert kept_reviews(data_dir) == [(WAVENET_ORDER[0], 3)]


STARTUP_KILLS = 6


def test_kill_9_during_the_first_start_never_locks_the_user_out(tmp_path: Path) -> None:
    """Kill the very first `review --plain` at staggered moments around the creation of the
    database; whatever was left, the next start works."""
    for trial in range(STARTUP_KILLS):
        data_dir = tmp_path / f"data-{trial}"
        env = study_env(data_dir)
        first = subprocess.Popen(
            [*studyapp_command(), "review", "wavenet", "--plain"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=tmp_path, env=env,
        )
        try:
            while not data_dir.exists() and first.poll() is None:
                time.sleep(0.0002)
            time.sleep(trial * 0.0005)
        finally:
            first.kill()
            first.wait()
            assert first.stdin is not None
            first.stdin.close()
        result = subprocess.run(
            [*studyapp_command(), "review", "wavenet", "--plain"],
            input=cards(2), capture_output=True, text=True, cwd=tmp_path, env=env,
            timeout=120, check=False,
        )
        assert reviewed_ok(result) == 1, (trial, result.stderr)
        integrity_ok(data_dir)


# ---------------------------------------------------------------- files that are not ours


@pytest.fixture(scope="module")
def real_database(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a real review database with the whole built-in deck reviewed once."""
    root = tmp_path_factory.mktemp("real")
    classic_library(root)
    data_dir = root / "data"
    result = subprocess.run(
        [*studyapp_command(), "review", "wavenet", "--plain"],
        input=cards(3, 1, 4, 2, 3, 3, 1, 4, 2, 3, 3) + BOTH_EXERCISES,
        capture_output=True,
        text=True,
        cwd=root,
        env=study_env(data_dir),
        timeout=120,
        check=False,
    )
    assert reviewed_ok(result) == WAVENET_ITEMS
    assert not (data_dir / f"{DATABASE}-wal").exists()  # closed cleanly: all in the file
    return (data_dir / DATABASE).read_bytes()


def _random_bytes(path: Path, real: bytes) -> None:
    path.write_bytes(random.Random(1).randbytes(64 * 1024))


def _sqlite_magic_then_random_bytes(path: Path, real: bytes) -> None:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(2).randbytes(32 * 1024))


def _empty_database_of_another_program(path: Path, real: bytes) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE scratch (x)")
        conn.execute("DROP TABLE scratch")  # a valid database, no tables, not ours
    assert path.stat().st_size > 0


def _ours_with_a_newer_schema(path: Path, real: bytes) -> None:
    path.write_bytes(real)
    with closing(sqlite3.connect(path)) as conn:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        conn.execute(f"PRAGMA user_version = {version + 1}")
    assert not path.with_name(f"{DATABASE}-wal").exists()


def _truncated_copy(path: Path, real: bytes) -> None:
    path.write_bytes(real[: len(real) // 2])


def _truncated_to_the_header(path: Path, real: bytes) -> None:
    path.write_bytes(real[:100])


NOT_OURS: list[Callable[[Path, bytes], None]] = [
    _random_bytes,
    _sqlite_magic_then_random_bytes,
    _empty_database_of_another_program,
    _ours_with_a_newer_schema,
    _truncated_copy,
    _truncated_to_the_header,
]
COMMANDS = {
    "review": (["review", "wavenet", "--plain"], cards(3, 3)),
    "stats": (["stats"], None),
    "stats-json": (["stats", "--json"], None),
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("make", NOT_OURS, ids=lambda make: make.__name__.strip("_"))
def test_a_file_that_is_not_our_database_is_refused_and_left_untouched(
    run_studyapp: RunStudyapp,
    data_dir: Path,
    real_database: bytes,
    make: Callable[[Path, bytes], None],
    command: str,
) -> None:
    path = data_dir / DATABASE
    make(path, real_database)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    args, stdin = COMMANDS[command]
    result = run_studyapp(*args, input=stdin)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert str(path) in errors[0]
    assert result.stdout == ""
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (data_dir / "backups").exists()


# ------------------------------------------------------------- history across deck edits


def test_editing_text_keeps_the_history_of_an_item_with_an_id(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    library = copy_library(tmp_path)
    lib = ("--library", str(library))
    first = run_studyapp(*lib, "review", "wavenet", "--plain", input=cards(3, 4, 3, 3, 4))
    assert reviewed_ok(first) == 5  # the 4 questions and the first card
    deck = library / "decks" / "wavenet.yaml"
    text = deck.read_text(encoding="utf-8")
    edited = text.replace(
        "prompt: How does the flat MLP mix its context characters together, and what makes "
        "that approach crude?",
        "prompt: In what way does the flat MLP combine its context, and why is that crude?",
    ).replace(
        "front: How does the flat MLP merge its context, and what is the problem with that?",
        "front: What is wrong with how the flat MLP merges its context?",
    ).replace("so all positions get mixed in one step", "so every position is mixed at once")
    assert edited.count("In what way does the flat MLP") == 1
    assert "What is wrong with how the flat MLP" in edited
    assert "every position is mixed at once" in edited
    deck.write_text(edited, encoding="utf-8")

    stats = json.loads(run_studyapp(*lib, "stats", "wavenet", "--json").stdout)
    assert stats["reviews"] == 5
    assert stats["items"] == WAVENET_ITEMS
    assert stats["item_states"]["new"] == WAVENET_ITEMS - 5
    assert stats["orphans"] == 0
    again = run_studyapp(*lib, "review", "wavenet", "--plain", input=cards(3))
    assert reviewed_ok(again) == 1
    out = again.stdout.splitlines()
    # the edited items are not new
    assert out[0].startswith(f"wavenet: {WAVENET_ITEMS - 5} items to review.")
    assert "In what way does the flat MLP combine its context, and why is that crude?" not in out
    assert "Sum up the WaveNet idea." in out  # the first item never reviewed comes first


def test_an_item_removed_from_the_deck_is_an_orphan_and_comes_back(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    library = copy_library(tmp_path)
    lib = ("--library", str(library))
    first = run_studyapp(*lib, "review", "wavenet", "--plain", input=cards(3, 3, 3, 3, 2))
    assert reviewed_ok(first) == 5
    deck = library / "decks" / "wavenet.yaml"
    text = deck.read_text(encoding="utf-8")
    card = re.search(r"  - id: flat-mlp-weakness\n(?:    .*\n|\n)*?(?=  - id: )", text)
    assert card is not None
    deck.write_text(text.replace(card.group(0), ""), encoding="utf-8")

    stats = json.loads(run_studyapp(*lib, "stats", "--json").stdout)
    assert stats["orphans"] == 1
    assert stats["items"] == WAVENET_ITEMS - 1
    # no learning steps here (see test_review_plain): rated items are in review
    assert stats["item_states"] == {"new": WAVENET_ITEMS - 5, "learning": 0, "review": 4}
    assert stats["reviews"] == 5  # the orphan's history is kept

    deck.write_text(text, encoding="utf-8")  # the card comes back, with its history
    stats = json.loads(run_studyapp(*lib, "stats", "--json").stdout)
    assert stats["orphans"] == 0
    assert stats["items"] == WAVENET_ITEMS
    assert stats["item_states"] == {"new": WAVENET_ITEMS - 5, "learning": 0, "review": 5}


def test_an_item_without_an_id_starts_anew_when_its_front_changes(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    library = tmp_path / "small"
    (library / "decks").mkdir(parents=True)
    deck = library / "decks" / "small.yaml"

    def write(front: str, back: str) -> None:
        deck.write_text(
            "id: small\ntitle: Small\ncards:\n"
            f"  - front: {front}\n    back: {back}\n"
            "  - id: kept\n    front: A card with an id\n    back: Yes.\n",
            encoding="utf-8",
        )

    lib = ("--library", str(library))
    write("What is two plus two?", "Four.")
    first = run_studyapp(*lib, "review", "small", "--plain", input=cards(3, 3))
    assert reviewed_ok(first) == 2

    write("What is two plus two?", "Four (4).")  # only the back: still the same item
    stats = json.loads(run_studyapp(*lib, "stats", "--json").stdout)
    assert stats["item_states"]["new"] == 0 and stats["orphans"] == 0

    write("How much is two plus two?", "Four (4).")  # the front: a new item
    stats = json.loads(run_studyapp(*lib, "stats", "--json").stdout)
    assert stats["items"] == 2
    assert stats["item_states"] == {"new": 1, "learning": 0, "review": 1}
    assert stats["orphans"] == 1
    assert stats["reviews"] == 2
    again = run_studyapp(*lib, "review", "small", "--plain", input=cards(4))
    assert reviewed_ok(again) == 1
    out = again.stdout.splitlines()
    assert out[0].startswith("small: 1 item to review.")
    assert "How much is two plus two?" in out
