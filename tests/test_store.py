"""Tests for studyapp.store (the review database) and studyapp.paths, on real SQLite files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import pytest

import studyapp
from studyapp.errors import DataError
from studyapp.paths import DATA_DIR_ENV, DATABASE_NAME, resolve_data_dir
from studyapp.schedule import ItemState, Phase, Rating, Scheduler, format_timestamp
from studyapp.store import (
    APPLICATION_ID,
    BACKUP_DIR_NAME,
    DAILY_BACKUPS_KEPT,
    DUE_QUERY,
    MIGRATIONS,
    SCHEMA_VERSION,
    Identity,
    ItemCounts,
    QuizAnswer,
    ReviewStore,
    create_database,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DECK = "deck"


def ident(item_id: str, deck_id: str = DECK) -> Identity:
    return Identity(deck_id, item_id)


def open_store(data_dir: Path, now: datetime = T0, **options: object) -> ReviewStore:
    """Open with UTC study days starting at midnight, so expected values are easy to see."""
    settings: dict[str, object] = {"tz": UTC, "day_start_hour": 0}
    settings.update(options)
    return ReviewStore.open(data_dir, now=now, **settings)  # type: ignore[arg-type]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[ReviewStore]:
    with open_store(data_dir) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for looking at the file from outside the store."""
    return sqlite3.connect(path, isolation_level=None)


def pragma(path: Path, name: str) -> object:
    conn = raw(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def item_row(path: Path, identity: Identity) -> tuple[object, ...] | None:
    """Every column of the item's row, as SQLite has it."""
    conn = raw(path)
    try:
        row = conn.execute(
            "SELECT * FROM items WHERE deck_id = ? AND item_id = ?", identity
        ).fetchone()
        return None if row is None else tuple(row)
    finally:
        conn.close()


def schema_of(path: Path) -> list[tuple[str, str, str]]:
    conn = raw(path)
    try:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"
        ).fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------------------ paths


def test_data_dir_from_option_env_or_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.setenv(DATA_DIR_ENV, "")
    assert resolve_data_dir(None) == Path(platformdirs.user_data_dir("studyapp"))
    monkeypatch.delenv(DATA_DIR_ENV)
    assert resolve_data_dir(None) == Path(platformdirs.user_data_dir("studyapp"))
    assert resolve_data_dir("~/x") == Path.home() / "x"
    assert not (tmp_path / "cli").exists()
    assert not (tmp_path / "env").exists()
    assert DATABASE_NAME == "reviews.sqlite3"


# ---------------------------------------------------------------------- open / create


def test_first_open_creates_folder_and_database(data_dir: Path) -> None:
    with open_store(data_dir / "deeper") as store:
        path = data_dir / "deeper" / DATABASE_NAME
        assert store.path == path
        conn = store._connection()
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
        assert store.state(ident("a")) is None
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "journal_mode") == "wal"
    assert pragma(path, "integrity_check") == "ok"
    assert not (data_dir / "deeper" / BACKUP_DIR_NAME).exists()  # nothing to back up yet


def test_an_empty_file_is_initialised(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / DATABASE_NAME).touch()
    with open_store(data_dir) as store:
        store.record_review(ident("a"), "card", Rating.GOOD, T0)
    assert pragma(data_dir / DATABASE_NAME, "application_id") == APPLICATION_ID


def test_data_dir_that_is_a_file_is_a_data_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataError) as caught:
        ReviewStore.open(blocker)
    assert str(blocker) in str(caught.value)


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _short_garbage(path: Path) -> None:
    path.write_bytes(b"hello")


def _text_file(path: Path) -> None:
    path.write_text("deck: not a database\n" * 100)


def _foreign_sqlite(path: Path) -> None:
    conn = raw(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()


def _foreign_with_our_table_names(path: Path) -> None:
    conn = raw(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE items (x)")
    conn.execute("CREATE TABLE reviews (y)")
    conn.execute("PRAGMA user_version = 1")
    conn.close()


def _other_application_id(path: Path) -> None:
    conn = raw(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t (x)")
    conn.close()


def _empty_sqlite_database(path: Path) -> None:
    conn = raw(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # writes a valid one-page database with no tables
    conn.close()


def _newer_schema(path: Path) -> None:
    create_database(path)
    conn = raw(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


def _corrupt_schema_page(path: Path) -> None:
    create_database(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes((i * 37) % 251 for i in range(100, 4096))  # page 1 after the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_garbage, "not an SQLite file"),
        (_short_garbage, "not an SQLite file"),
        (_text_file, "not an SQLite file"),
        (_foreign_sqlite, "another program"),
        (_foreign_with_our_table_names, "another program"),
        (_other_application_id, "another program"),
        (_empty_sqlite_database, "another program"),
        (_newer_schema, "newer studyapp"),
        (_corrupt_schema_page, "damaged"),
    ],
)
def test_files_that_are_not_ours_are_refused_and_untouched(
    data_dir: Path, make: object, reason: str
) -> None:
    data_dir.mkdir()
    path = data_dir / DATABASE_NAME
    make(path)  # type: ignore[operator]
    before = path.read_bytes()
    files_before = sorted(os.listdir(data_dir))
    with pytest.raises(DataError) as caught:
        ReviewStore.open(data_dir, now=T0)
    message = str(caught.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message
    assert path.read_bytes() == before
    if reason != "damaged":  # only our own (damaged) file is ever opened by SQLite, read-only
        assert sorted(os.listdir(data_dir)) == files_before
    assert not (data_dir / BACKUP_DIR_NAME).exists()


def test_newer_schema_still_in_the_wal_is_refused(data_dir: Path) -> None:
    """The header can lag behind the WAL; the read-only look inside catches it."""
    with open_store(data_dir):
        pass
    path = data_dir / DATABASE_NAME
    other = raw(path)  # another (newer) program has the database open
    try:
        other.execute("PRAGMA wal_autocheckpoint = 0")
        other.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        before = path.read_bytes()
        assert int.from_bytes(before[60:64], "big") == SCHEMA_VERSION
        with pytest.raises(DataError, match="newer studyapp") as caught:
            open_store(data_dir, now=T0 + timedelta(days=1))
        assert str(path) in str(caught.value)
        assert path.read_bytes() == before
    finally:
        other.close()


def test_damage_inside_is_found_before_the_daily_backup(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        for n in range(400):
            store.record_review(ident(f"item-{n:04}" + "x" * 60), "card", Rating.GOOD, T0)
    path = data_dir / DATABASE_NAME
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) >= 6 * page_size
    data[3 * page_size : 5 * page_size] = b"\xa5" * (2 * page_size)  # two interior pages
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="damaged") as caught:
        open_store(data_dir, now=T0 + timedelta(days=1))
    assert str(path) in str(caught.value)
    assert path.read_bytes() == bytes(data)
    assert not (data_dir / BACKUP_DIR_NAME / "reviews-2024-03-02.sqlite3").exists()


def test_create_database_refuses_content_and_bad_versions(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"keep me")
    with pytest.raises(DataError, match="not empty"):
        create_database(path)
    assert path.read_bytes() == b"keep me"
    for version in (0, SCHEMA_VERSION + 1):
        with pytest.raises(ValueError):
            create_database(tmp_path / "y.sqlite3", version)


# ------------------------------------------------------------------------- migrations


def test_migrations_are_a_consecutive_chain() -> None:
    assert SCHEMA_VERSION >= 2
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def _write_old_history(path: Path) -> ItemState:
    """What an older studyapp would have left: one item reviewed once (v1 columns only)."""
    state = Scheduler().apply(None, Rating.GOOD, T0 - timedelta(days=1))
    conn = raw(path)
    conn.execute(
        "INSERT INTO items (deck_id, item_id, kind, phase, step, stability, difficulty, due, "
        "last_review, introduced_at, introduced_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        (DECK, "old", "card", *state.to_columns(), format_timestamp(T0 - timedelta(days=1))),
    )
    conn.execute(
        "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, duration_ms, "
        "after_phase, after_step, after_stability, after_difficulty, after_due, "
        "after_last_review) VALUES (?, ?, ?, 3, ?, 900, ?, ?, ?, ?, ?, ?)",
        (DECK, "old", "card", format_timestamp(T0 - timedelta(days=1)), *state.to_columns()),
    )
    conn.close()
    return state


@pytest.mark.parametrize("old_version", range(1, SCHEMA_VERSION))
def test_every_older_version_migrates_forward(tmp_path: Path, old_version: int) -> None:
    fresh = tmp_path / "fresh"
    with open_store(fresh):
        pass
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    path = data_dir / DATABASE_NAME
    create_database(path, old_version)
    assert pragma(path, "user_version") == old_version
    old_state = _write_old_history(path)

    with open_store(data_dir) as store:
        assert store.state(ident("old")) == old_state
        assert store.review_count() == 1
        store.record_review(ident("new"), "card", Rating.GOOD, T0)
        store.record_quiz("s1", [QuizAnswer(ident("old"), True, T0)])
        assert store.due_items(DECK, T0, [ident("old"), ident("new")]) == [ident("old")]

    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "integrity_check") == "ok"
    assert schema_of(path) == schema_of(fresh / DATABASE_NAME)
    backup = data_dir / BACKUP_DIR_NAME / f"reviews-2024-03-01-schema-v{old_version}.sqlite3"
    assert pragma(backup, "user_version") == old_version
    assert pragma(backup, "application_id") == APPLICATION_ID
    conn = raw(backup)
    assert conn.execute("SELECT item_id FROM items").fetchall() == [("old",)]
    conn.close()
    # a second open has nothing to migrate
    with open_store(data_dir, now=T0 + timedelta(hours=1)) as store:
        assert store.review_count() == 2


def test_migration_backups_are_not_pruned(data_dir: Path) -> None:
    data_dir.mkdir()
    create_database(data_dir / DATABASE_NAME, 1)
    for day in range(DAILY_BACKUPS_KEPT + 3):
        with open_store(data_dir, now=T0 + timedelta(days=day)):
            pass
    names = sorted(p.name for p in (data_dir / BACKUP_DIR_NAME).iterdir())
    assert "reviews-2024-03-01-schema-v1.sqlite3" in names
    assert len(names) == DAILY_BACKUPS_KEPT + 1


# ------------------------------------------------------------------------------- undo


def test_undo_of_a_first_review_makes_the_item_new_again(store: ReviewStore) -> None:
    a = ident("a")
    result = store.record_review(a, "card", Rating.EASY, T0, 1200)
    assert result.before is None
    assert store.due_items(DECK, T0, [a, ident("b")], new_limit=1) == []
    assert store.undo_review(result.review_id) == a
    assert store.state(a) is None
    assert item_row(store.path, a) is None
    assert store.review_count() == 0
    assert store.item_counts([a]) == ItemCounts(new=1)
    # it counts as not introduced today any more
    assert store.due_items(DECK, T0, [a, ident("b")], new_limit=1) == [a]
    assert store.undo_review(result.review_id) is None  # undone already


def test_undo_of_later_reviews_restores_the_exact_state(store: ReviewStore) -> None:
    a = ident("a")
    moment = T0
    rows = [item_row(store.path, a)]
    states: list[ItemState | None] = [None]
    ids: list[int] = []
    for rating in [Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.HARD, Rating.EASY]:
        result = store.record_review(a, "card", rating, moment, 500)
        ids.append(result.review_id)
        assert result.before == states[-1]
        assert store.state(a) == result.after
        states.append(result.after)
        rows.append(item_row(store.path, a))
        moment = result.due + timedelta(hours=3)
    assert len(set(rows)) == len(rows)  # every review changed the row
    # an earlier review cannot be undone while a later one builds on it
    assert store.undo_review(ids[0]) is None
    assert store.state(a) == states[-1]
    for back in range(len(states) - 1, 0, -1):
        assert store.undo_review(ids[back - 1]) == a
        assert store.state(a) == states[back - 1]
        assert item_row(store.path, a) == rows[back - 1]  # every column, byte for byte
    assert store.undo_review(ids[0]) is None


def test_undo_is_per_deck_and_survives_reopening(data_dir: Path) -> None:
    a, b = ident("a"), ident("b", "other")
    with open_store(data_dir) as store:
        first = store.record_review(a, "card", Rating.GOOD, T0)
        second = store.record_review(a, "card", Rating.GOOD, first.due)
        store.record_review(b, "question", Rating.AGAIN, first.due)
    with open_store(data_dir) as store:
        assert store.undo_review(second.review_id) == a
        assert store.state(a) == first.after
        assert store.state(b) is not None
        assert store.review_count(DECK) == 1
        assert store.review_count("other") == 1
    conn = raw(data_dir / DATABASE_NAME)
    assert conn.execute("SELECT count(*), sum(undone) FROM reviews").fetchone() == (3, 1)
    conn.close()


# -------------------------------------------------------------------------- due queue


def test_due_queue_order_and_new_limit(store: ReviewStore) -> None:
    deck = [ident(name) for name in ["n1", "r1", "n2", "r2", "n3", "r3", "n4", "n5"]]
    day0 = T0 - timedelta(days=20)
    # r1, r2, r3 become review items with different due dates (all due by T0)
    due_at = {}
    for offset, name in [(2, "r2"), (0, "r3"), (1, "r1")]:
        moment = day0 + timedelta(hours=offset)
        result = store.record_review(ident(name), "card", Rating.EASY, moment)
        due_at[name] = result.due
    assert due_at["r3"] < due_at["r1"] < due_at["r2"] <= T0
    # yesterday: an item not yet due, and an orphan that is due
    store.record_review(ident("later"), "card", Rating.EASY, T0 - timedelta(days=1))
    store.record_review(ident("gone"), "card", Rating.AGAIN, T0 - timedelta(days=1))
    deck.insert(0, ident("later"))

    queue = store.due_items(DECK, T0, deck, new_limit=3)
    assert queue == [ident(n) for n in ["r3", "r1", "r2", "n1", "n2", "n3"]]
    # introduce two today: one slot left today
    store.record_review(ident("n1"), "card", Rating.GOOD, T0)
    store.record_review(ident("n2"), "card", Rating.GOOD, T0)
    assert store.due_items(DECK, T0, deck, new_limit=3) == [
        ident(n) for n in ["r3", "r1", "r2", "n3"]
    ]
    assert store.due_items(DECK, T0, deck, new_limit=2) == [ident(n) for n in ["r3", "r1", "r2"]]
    # learning items come back when due; the queue honours learn_ahead
    soon = T0 + timedelta(minutes=10)
    assert store.due_items(DECK, soon, deck, new_limit=0)[-2:] == [ident("n1"), ident("n2")]
    ahead = store.due_items(DECK, T0, deck, new_limit=0, learn_ahead=timedelta(minutes=20))
    assert ahead == [ident(n) for n in ["r3", "r1", "r2", "n1", "n2"]]
    # a new study day has room for three new items again
    tomorrow = T0 + timedelta(days=1)
    assert store.due_items(DECK, tomorrow, deck, new_limit=3)[-3:] == [
        ident(n) for n in ["n3", "n4", "n5"]
    ]
    # duplicates are ignored; an identity from another deck is a mistake
    assert store.due_items(DECK, T0, [ident("n3"), ident("n3")], new_limit=5) == [ident("n3")]
    with pytest.raises(ValueError, match="not in deck"):
        store.due_items(DECK, T0, [ident("x", "elsewhere")])


def test_study_day_boundary_and_time_zone(tmp_path: Path) -> None:
    with open_store(tmp_path / "a", day_start_hour=4) as store:
        assert store.study_day(datetime(2024, 3, 2, 3, 59, tzinfo=UTC)) == date(2024, 3, 1)
        assert store.study_day(datetime(2024, 3, 2, 4, 0, tzinfo=UTC)) == date(2024, 3, 2)
        assert store.day_start(date(2024, 3, 2)) == datetime(2024, 3, 2, 4, tzinfo=UTC)
        # new items introduced at 01:00 count towards the previous study day
        late = datetime(2024, 3, 2, 1, 0, tzinfo=UTC)
        store.record_review(ident("a"), "card", Rating.GOOD, late)
        deck = [ident("a"), ident("b"), ident("c")]
        assert store.due_items(DECK, late, deck, new_limit=1) == []
        morning = datetime(2024, 3, 2, 5, 0, tzinfo=UTC)
        assert store.due_items(DECK, morning, deck, new_limit=1) == [ident("a"), ident("b")]
    eastern = timezone(timedelta(hours=-5))
    with open_store(tmp_path / "b", tz=eastern) as store:
        assert store.study_day(datetime(2024, 3, 2, 2, 0, tzinfo=UTC)) == date(2024, 3, 1)
        assert store.day_start(date(2024, 3, 2)) == datetime(2024, 3, 2, 5, tzinfo=UTC)


def test_due_query_uses_an_index_over_100000_items(store: ReviewStore) -> None:
    state = Scheduler().apply(None, Rating.EASY, T0)
    columns = state.to_columns()
    conn = raw(store.path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO items (deck_id, item_id, kind, phase, step, stability, difficulty, due, "
        "last_review, introduced_at, introduced_seq) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                f"deck-{n % 10}",
                f"item-{n}",
                *columns[:4],
                format_timestamp(T0 + timedelta(minutes=n)),
                columns[5],
                format_timestamp(T0),
                n,
            )
            for n in range(100_000)
        ),
    )
    conn.execute("COMMIT")
    for analyse in (False, True):
        if analyse:
            conn.execute("ANALYZE")
        plan = " | ".join(
            row[3]
            for row in conn.execute(
                f"EXPLAIN QUERY PLAN {DUE_QUERY}", ("deck-3", format_timestamp(T0))
            )
        )
        assert "INDEX items_deck_due" in plan, plan
        assert "SCAN" not in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    conn.close()
    deck = [ident(f"item-{n}", "deck-3") for n in range(3, 100_000, 10)]
    due = store.due_items("deck-3", T0 + timedelta(minutes=40), deck, new_limit=0)
    assert due == [ident(f"item-{n}", "deck-3") for n in range(3, 41, 10)]


# ------------------------------------------------------------------ identity, orphans


def test_history_follows_identity_across_reopening(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        results = {
            name: store.record_review(ident(name), "card", rating, T0)
            for name, rating in [("x", Rating.GOOD), ("y", Rating.EASY), ("z", Rating.AGAIN)]
        }
        store.record_review(ident("x", "other-deck"), "card", Rating.EASY, T0)
    # the deck file was reordered and an item added: only the ids matter
    with open_store(data_dir, now=T0 + timedelta(days=1)) as store:
        for name, result in results.items():
            assert store.state(ident(name)) == result.after
        assert store.state(ident("x", "other-deck")) != store.state(ident("x"))
        assert store.state(ident("new")) is None
        assert store.item_counts([ident(n) for n in ["z", "new", "y", "x"]]) == ItemCounts(
            new=1, learning=2, review=1
        )


def test_orphans_are_counted_not_deleted(store: ReviewStore) -> None:
    for name in ["keep", "gone1", "gone2"]:
        store.record_review(ident(name), "card", Rating.GOOD, T0)
    store.record_review(ident("gone1", "old-deck"), "card", Rating.GOOD, T0)
    known = [ident("keep"), ident("never-reviewed")]
    assert store.orphans(known) == 3
    assert store.state(ident("gone1")) is not None
    assert store.review_count() == 4
    assert store.orphans([*known, ident("gone1"), ident("gone2"), ident("gone1", "old-deck")]) == 0


# --------------------------------------------------------------------- reviews, quiz


def test_record_review_is_on_disk_when_it_returns(store: ReviewStore) -> None:
    result = store.record_review(ident("a"), "exercise", 2, T0, 4321)
    assert result.rating is Rating.HARD
    assert result.due == result.after.due == T0 + timedelta(minutes=5, seconds=30)
    assert result.reviewed_at == T0
    conn = raw(store.path)  # another connection, while the store is still open
    row = conn.execute(
        "SELECT deck_id, item_id, kind, rating, reviewed_at, duration_ms, before_phase, "
        "after_due, undone FROM reviews"
    ).fetchone()
    conn.close()
    assert row == (
        DECK,
        "a",
        "exercise",
        2,
        format_timestamp(T0),
        4321,
        None,
        format_timestamp(result.due),
        0,
    )


def test_bad_arguments_are_refused(store: ReviewStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_review(ident("a"), "card", Rating.GOOD, datetime(2024, 3, 1))
    with pytest.raises(ValueError):
        store.record_review(ident("a"), "card", 5, T0)
    with pytest.raises(ValueError):
        store.record_review(ident("a"), "card", Rating.GOOD, T0, -1)
    with pytest.raises(ValueError):
        store.record_review(Identity("", "a"), "card", Rating.GOOD, T0)
    assert store.review_count() == 0
    store.close()
    store.close()
    with pytest.raises(ValueError, match="closed"):
        store.state(ident("a"))


def test_preview_uses_the_stored_state(store: ReviewStore) -> None:
    assert store.preview(ident("a"), T0)[Rating.GOOD] == timedelta(minutes=10)
    store.record_review(ident("a"), "card", Rating.GOOD, T0)
    assert store.preview(ident("a"), T0 + timedelta(minutes=10))[Rating.HARD] == timedelta(
        minutes=10
    )


def test_quiz_results_are_kept_and_leave_the_schedule_alone(store: ReviewStore) -> None:
    answers = [
        QuizAnswer(ident("a"), True, T0),
        QuizAnswer(ident("b"), False, T0 + timedelta(seconds=30)),
        QuizAnswer(ident("a", "d2"), True, T0 + timedelta(minutes=1)),
    ]
    assert store.record_quiz("session-1", answers) == 3
    store.record_quiz("session-2", answers[:1])
    assert store.quiz_answers("session-1") == answers
    assert store.quiz_answers("nope") == []
    assert store.state(ident("a")) is None
    assert store.review_count() == 0


# ---------------------------------------------------------------------------- backups


def test_daily_backups_are_made_once_a_day_and_pruned_to_seven(data_dir: Path) -> None:
    with open_store(data_dir) as store:
        store.record_review(ident("day-0"), "card", Rating.GOOD, T0)
    backups = data_dir / BACKUP_DIR_NAME
    for day in range(1, 11):
        now = T0 + timedelta(days=day)
        with open_store(data_dir, now=now) as store:
            store.record_review(ident(f"day-{day}"), "card", Rating.GOOD, now)
        with open_store(data_dir, now=now + timedelta(hours=1)):
            pass  # a second open the same day makes no second copy
    names = sorted(p.name for p in backups.iterdir())
    assert names == [f"reviews-2024-03-{d:02}.sqlite3" for d in range(5, 12)]
    assert len(names) == DAILY_BACKUPS_KEPT
    # each copy is a whole, valid studyapp database as of that day's first open
    newest = backups / names[-1]
    assert pragma(newest, "application_id") == APPLICATION_ID
    assert pragma(newest, "integrity_check") == "ok"
    conn = raw(newest)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 10
    conn.close()
    # and it can be put back in place of the database
    restored = data_dir.parent / "restored"
    restored.mkdir()
    (restored / DATABASE_NAME).write_bytes(newest.read_bytes())
    with open_store(restored, now=T0 + timedelta(days=30)) as store:
        assert store.review_count() == 10


# -------------------------------------------------------------------------- statistics


def test_statistics_on_a_hand_built_history(data_dir: Path) -> None:
    a, b, c, d, e, f, g, h = (ident(n) for n in "abcdefgh")
    g = ident("g", "second")
    at = datetime  # shorthand
    with open_store(data_dir) as store:
        # 1 March: a again (due +1m), b good (due +10m), c easy (due +8d)
        store.record_review(a, "card", Rating.AGAIN, at(2024, 3, 1, 10, 0, tzinfo=UTC))
        store.record_review(b, "card", Rating.GOOD, at(2024, 3, 1, 10, 5, tzinfo=UTC))
        store.record_review(c, "card", Rating.EASY, at(2024, 3, 1, 10, 10, tzinfo=UTC))
        # 2 March: nothing. 3 March: a good (step 1, due 09:10), d again (09:31),
        # f easy (due 11 March)
        store.record_review(a, "card", Rating.GOOD, at(2024, 3, 3, 9, 0, tzinfo=UTC))
        store.record_review(d, "card", Rating.AGAIN, at(2024, 3, 3, 9, 30, tzinfo=UTC))
        store.record_review(f, "card", Rating.EASY, at(2024, 3, 3, 9, 40, tzinfo=UTC))
        # 4 March: e hard, undone; b hard at step 1 (due 08:20); g easy (due 12 March)
        undone = store.record_review(e, "card", Rating.HARD, at(2024, 3, 4, 8, 0, tzinfo=UTC))
        assert store.undo_review(undone.review_id) == e
        store.record_review(b, "card", Rating.HARD, at(2024, 3, 4, 8, 10, tzinfo=UTC))
        store.record_review(g, "card", Rating.EASY, at(2024, 3, 4, 8, 30, tzinfo=UTC))

        now = at(2024, 3, 4, 20, 0, tzinfo=UTC)
        assert store.review_count() == 8
        assert store.review_count(DECK) == 7
        assert store.review_count("second") == 1
        assert store.reviews_per_day(now, days=5) == {
            date(2024, 2, 29): 0,
            date(2024, 3, 1): 3,
            date(2024, 3, 2): 0,
            date(2024, 3, 3): 3,
            date(2024, 3, 4): 2,
        }
        assert store.reviews_per_day(now, days=1, deck_id="second") == {date(2024, 3, 4): 1}
        assert store.retention(now) == 6 / 8
        assert store.retention(now, days=1) == 1.0  # only b hard and g easy
        assert store.retention(now, deck_id="second") == 1.0
        assert store.retention(at(2024, 6, 1, tzinfo=UTC)) is None
        assert store.streak(now) == 2  # 3 and 4 March
        assert store.streak(at(2024, 3, 5, 12, tzinfo=UTC)) == 2  # nothing yet today
        assert store.streak(at(2024, 3, 6, 12, tzinfo=UTC)) == 0
        assert store.streak(at(2024, 3, 1, 15, tzinfo=UTC)) == 1
        assert store.streak(now, deck_id="second") == 1
        assert store.due_count(now) == 3  # a, b, d
        assert store.due_count(now, deck_id="second") == 0
        assert store.due_count(now, identities=[a, c, d]) == 2
        assert store.due_count(at(2024, 3, 3, 9, 20, tzinfo=UTC)) == 1  # a (b is due 4 March)
        forecast = store.due_forecast(now, days=10)
        assert list(forecast) == [date(2024, 3, 4) + timedelta(days=i) for i in range(10)]
        assert {day: n for day, n in forecast.items() if n} == {
            date(2024, 3, 4): 3,  # a, b, d (overdue or due today)
            date(2024, 3, 9): 1,  # c
            date(2024, 3, 11): 1,  # f
            date(2024, 3, 12): 1,  # g
        }
        assert sum(store.due_forecast(now, days=7).values()) == 4
        assert store.due_forecast(now, days=10, deck_id="second")[date(2024, 3, 12)] == 1
        assert store.item_counts([a, b, c, d, e, f, g, h]) == ItemCounts(
            new=2, learning=3, review=3
        )
        assert store.item_counts([a, b, c, d, e, f, g, h]).total == 8
        assert store.orphans([a, b, c]) == 3  # d, f, g; e has no history left


# ------------------------------------------------------------------------ concurrency

WORKER = """
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.store import Identity, ReviewStore

data_dir, name, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
start = datetime(2024, 3, 1, 12, tzinfo=UTC)
with ReviewStore.open(data_dir, now=start, tz=UTC) as store:
    (go.parent / f"ready-{name}").touch()
    while not go.exists():
        time.sleep(0.001)
    for n in range(count):
        moment = start + timedelta(seconds=n)
        store.record_review(Identity("deck", f"{name}-{n % 7}"), "card", 1 + n % 4, moment, n)
        store.record_review(Identity("deck", "shared"), "card", 3, moment, n)
print("done", name)
"""


@pytest.mark.slow
@pytest.mark.parametrize("existing", [True, False], ids=["existing-db", "fresh-db"])
def test_two_processes_recording_at_once_lose_nothing(data_dir: Path, existing: bool) -> None:
    if existing:
        with open_store(data_dir):
            pass
    else:
        data_dir.mkdir()
    go = data_dir.parent / "go"
    count = 60
    env = {**os.environ, "PYTHONPATH": str(Path(studyapp.__file__).parents[1])}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(data_dir), name, str(count), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2")
    ]
    # both have opened the database (racing to create it, when fresh); now both write
    while not all((go.parent / f"ready-{name}").exists() for name in ("p1", "p2")):
        assert all(worker.poll() is None for worker in workers), "a worker died early"
        time.sleep(0.005)
    go.touch()
    for worker, name in zip(workers, ("p1", "p2"), strict=True):
        out, err = worker.communicate()
        assert worker.returncode == 0, err
        assert out.strip() == f"done {name}"
    path = data_dir / DATABASE_NAME
    assert pragma(path, "integrity_check") == "ok"
    with open_store(data_dir) as store:
        assert store.review_count() == 4 * count
        conn = raw(path)
        per_item = dict(
            conn.execute("SELECT item_id, count(*) FROM reviews GROUP BY item_id").fetchall()
        )
        conn.close()
        assert per_item.pop("shared") == 2 * count
        assert sum(per_item.values()) == 2 * count
        assert len(per_item) == 14
        assert all(store.state(ident(item)) is not None for item in per_item)
        assert store.state(ident("shared")) is not None
        shared = store.state(ident("shared"))
        assert shared is not None
        assert shared.phase is Phase.REVIEW


def test_statistics_count_the_review_log_from_indexes_alone(data_dir: Path) -> None:
    # Issue 13 cause 17: `stats` over 2,000,000 reviews read every row of the table (undone
    # and rating were not in the time indexes). Every count stats makes over the review log
    # must be answered from an index without a lookup per row; benchmarks/bench_stats.py
    # measures the time.
    from studyapp.deck.loader import load_library
    from studyapp.stats import compute_stats
    from tests.conftest import REPO

    now = T0 + timedelta(days=40)
    with ReviewStore.open(data_dir, now=now, tz=UTC) as store:
        for day in range(40):
            moment = T0 + timedelta(days=day)
            last = store.record_review(Identity("wavenet", "flat-mlp-crude"), "question",
                                       Rating.AGAIN if day % 3 else Rating.GOOD, moment)
        store.undo_review(last.review_id)
        statements: list[str] = []
        connection = store._connection()
        connection.set_trace_callback(statements.append)
        for deck in (None, "wavenet"):
            stats = compute_stats(store, load_library(REPO), now, deck)
            assert stats.reviews == 39
        connection.set_trace_callback(None)
        counting = {s for s in statements if "FROM reviews" in s
                    and ("count(" in s or "EXISTS" in s or "sum(" in s)}
        assert len(counting) > 3
        for statement in counting:
            steps = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}")]
            on_reviews = [step for step in steps if step.split()[1:2] == ["reviews"]]
            assert on_reviews and all("COVERING INDEX" in step for step in on_reviews), (
                statement, steps)
