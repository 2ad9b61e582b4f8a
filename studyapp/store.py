"""The review database: the only module in studyapp that speaks SQL.

One SQLite file, ``reviews.sqlite3`` in the data directory, holds the FSRS state of every
reviewed item, the review log (with the full state before and after each review, so that
undo is exact), holds (bury until the next study day, suspend until released) and quiz
results. `ReviewStore` is the whole interface; it never prints.

Durability and sharing
    WAL journal, ``synchronous=FULL``, a 10 s busy timeout (two processes on one database
    wait for each other instead of failing) and one ``BEGIN IMMEDIATE`` transaction per
    write, committed before the call returns.

Schema and migrations
    The schema version lives in ``PRAGMA user_version`` and the file is marked as ours with
    ``PRAGMA application_id`` (`APPLICATION_ID`). `MIGRATIONS` is an append-only list: a
    database at version *n* is brought to the newest version by running migrations
    *n+1, n+2, ...* in one transaction, after a backup. Never edit a released migration;
    add a new one. `create_database` builds a database at any version (tests use it to
    make every older version and migrate it forward).

Refusing files that are not ours
    Before SQLite touches an existing file, its first 100 bytes are read: the SQLite magic
    string and our application id must be there, and the schema version must not be newer
    than this program knows. Then a read-only connection checks the tables. Anything else
    raises `DataError` naming the file, and the file is left exactly as it was. Only a
    missing or empty (0-byte) file is initialised; a first initialisation that a crash cut
    short (a hot rollback journal next to it) is rolled back first, as SQLite does.

Read-only use and honest errors
    ``ReviewStore.open(..., readonly=True)`` (stats, listings) creates, migrates, backs up
    and writes nothing, works in a read-only folder, and without a database is an empty
    store. Opening for reviewing checks first that the folder and file can be written and
    says why not ("cannot write the review database: the data folder is read-only"). A
    full disk is "the disk is full" (a write that fails says what was not saved; earlier
    commits are untouched). Only what SQLite or our checks find broken is "damaged".

Backups
    Before a migration, and on the first open of each study day, a copy is made with the
    SQLite online backup API into ``backups/`` next to the database:
    ``reviews-YYYY-MM-DD.sqlite3`` (the last `DAILY_BACKUPS_KEPT` are kept) and
    ``reviews-YYYY-MM-DD-schema-vN.sqlite3`` before a migration from version N (kept).
    The daily copy is only made after ``PRAGMA quick_check`` passes, so a damaged database
    never pushes good copies out of the rotation.

Time
    Every call that depends on "now" takes it as an argument (a timezone-aware datetime;
    stored as UTC text, see `studyapp.schedule.format_timestamp`). A *study day* runs from
    `day_start_hour` (default 4, like Anki) local time to the same hour the next day, in
    the time zone given to `ReviewStore.open` (default: the computer's). It is used for the
    daily new-item limit, reviews per day, the due forecast, the streak and backup names.

Identity
    An item is known by its `Identity` (deck id, item id) and nothing else, so its history
    follows it across edits of the deck file. Items whose identity left every deck are
    *orphans*: counted by `ReviewStore.orphans`, never deleted.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NamedTuple

from studyapp.errors import DataError
from studyapp.paths import DATABASE_NAME
from studyapp.schedule import (
    ItemState,
    Phase,
    Rating,
    Scheduler,
    format_timestamp,
    parse_timestamp,
    to_utc,
)

__all__ = [
    "APPLICATION_ID",
    "BACKUP_DIR_NAME",
    "DAILY_BACKUPS_KEPT",
    "DEFAULT_DAY_START_HOUR",
    "DUE_QUERY",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Hold",
    "HoldKind",
    "Identity",
    "ItemCounts",
    "Migration",
    "QuizAnswer",
    "ReviewPlan",
    "ReviewResult",
    "ReviewStore",
    "create_database",
]

#: ``PRAGMA application_id`` of every studyapp review database ("Stud" in ASCII).
APPLICATION_ID = 0x53747564
#: Folder under the data directory that holds the backup copies.
BACKUP_DIR_NAME = "backups"
#: How many daily backup copies are kept.
DAILY_BACKUPS_KEPT = 7
#: Default hour (local time) at which a new study day starts.
DEFAULT_DAY_START_HOUR = 4
#: How long a connection waits for another process's write lock, in seconds.
BUSY_TIMEOUT_S = 10.0

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
_JOURNAL_HEADER_SIZE = 28
_DAILY_BACKUP = re.compile(r"reviews-\d{4}-\d{2}-\d{2}\.sqlite3")


class Identity(NamedTuple):
    """What the store knows an item by: its deck's id and its id within the deck."""

    deck_id: str
    item_id: str


# --------------------------------------------------------------------------- migrations


class Migration(NamedTuple):
    """One step of the schema: `apply` brings a database from ``version - 1`` to `version`.

    It runs inside the caller's transaction and must not commit.
    """

    version: int
    description: str
    tables: tuple[str, ...]
    apply: Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, *statements: str) -> None:
    for statement in statements:
        conn.execute(statement)


def _v1_items_and_reviews(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE items (
            id             INTEGER PRIMARY KEY,
            deck_id        TEXT    NOT NULL,
            item_id        TEXT    NOT NULL,
            kind           TEXT    NOT NULL,
            phase          INTEGER NOT NULL CHECK (phase IN (1, 2, 3)),
            step           INTEGER,
            stability      REAL,
            difficulty     REAL,
            due            TEXT    NOT NULL,
            last_review    TEXT,
            introduced_at  TEXT    NOT NULL,
            introduced_seq INTEGER NOT NULL,
            UNIQUE (deck_id, item_id)
        )
        """,
        """
        CREATE TABLE reviews (
            id                 INTEGER PRIMARY KEY,
            deck_id            TEXT    NOT NULL,
            item_id            TEXT    NOT NULL,
            kind               TEXT    NOT NULL,
            rating             INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            reviewed_at        TEXT    NOT NULL,
            duration_ms        INTEGER,
            before_phase       INTEGER,
            before_step        INTEGER,
            before_stability   REAL,
            before_difficulty  REAL,
            before_due         TEXT,
            before_last_review TEXT,
            after_phase        INTEGER NOT NULL,
            after_step         INTEGER,
            after_stability    REAL,
            after_difficulty   REAL,
            after_due          TEXT    NOT NULL,
            after_last_review  TEXT,
            undone             INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
        )
        """,
    )


def _v2_quiz_results(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE quiz_results (
            id          INTEGER PRIMARY KEY,
            session_id  TEXT    NOT NULL,
            deck_id     TEXT    NOT NULL,
            item_id     TEXT    NOT NULL,
            correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
            answered_at TEXT    NOT NULL
        )
        """,
    )


def _v3_indexes(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        "CREATE INDEX items_deck_due ON items (deck_id, due)",
        "CREATE INDEX items_due ON items (due)",
        "CREATE INDEX items_deck_introduced ON items (deck_id, introduced_at)",
        "CREATE INDEX reviews_time ON reviews (reviewed_at)",
        "CREATE INDEX reviews_deck_time ON reviews (deck_id, reviewed_at)",
        "CREATE INDEX reviews_item ON reviews (deck_id, item_id)",
        "CREATE INDEX quiz_results_session ON quiz_results (session_id)",
    )


def _v4_holds(conn: sqlite3.Connection) -> None:
    # A hold takes an item out of the queue: a bury until the next study day (`until` set),
    # a suspend until it is released (`until` NULL). Rows are kept when released, so an
    # undo can put exactly that hold back out of force.
    _run(
        conn,
        """
        CREATE TABLE holds (
            id       INTEGER PRIMARY KEY,
            deck_id  TEXT    NOT NULL,
            item_id  TEXT    NOT NULL,
            kind     TEXT    NOT NULL CHECK (kind IN ('bury', 'suspend')),
            since    TEXT    NOT NULL,
            until    TEXT,
            released INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1)),
            CHECK ((kind = 'bury') = (until IS NOT NULL))
        )
        """,
        "CREATE INDEX holds_item ON holds (deck_id, item_id)",
    )


def _v5_sync(conn: sqlite3.Connection) -> None:
    # Sync (studyapp.sync): every review, hold and quiz answer gets an event id that is the
    # same on every device (NULL until the first sync names this device's rows), and each
    # sync is logged so the TUI can say when the last one was.
    _run(
        conn,
        "ALTER TABLE reviews ADD COLUMN event_id TEXT",
        "ALTER TABLE holds ADD COLUMN event_id TEXT",
        "ALTER TABLE quiz_results ADD COLUMN event_id TEXT",
        "CREATE UNIQUE INDEX reviews_event ON reviews (event_id) WHERE event_id IS NOT NULL",
        "CREATE UNIQUE INDEX holds_event ON holds (event_id) WHERE event_id IS NOT NULL",
        "CREATE UNIQUE INDEX quiz_results_event ON quiz_results (event_id) "
        "WHERE event_id IS NOT NULL",
        """
        CREATE TABLE sync_log (
            id        INTEGER PRIMARY KEY,
            synced_at TEXT    NOT NULL,
            folder    TEXT    NOT NULL,
            reviews   INTEGER NOT NULL,
            devices   INTEGER NOT NULL,
            digest    TEXT    NOT NULL
        )
        """,
    )


def _v6_statistics_indexes(conn: sqlite3.Connection) -> None:
    # Statistics count reviews by time, undone and rating (per day, streak, retention):
    # with those columns in the time indexes SQLite answers from the index alone instead of
    # looking up each of 2,000,000 rows in the table. The few undone ratings get a small
    # index of their own, so the number of reviews is count(*) minus them.
    _run(
        conn,
        "DROP INDEX reviews_time",
        "DROP INDEX reviews_deck_time",
        "CREATE INDEX reviews_time ON reviews (reviewed_at, undone, rating)",
        "CREATE INDEX reviews_deck_time ON reviews (deck_id, reviewed_at, undone, rating)",
        "CREATE INDEX reviews_undone ON reviews (undone, deck_id) WHERE undone = 1",
    )


#: Every schema step, oldest first. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "item states and the review log", ("items", "reviews"), _v1_items_and_reviews),
    Migration(2, "quiz results", ("quiz_results",), _v2_quiz_results),
    Migration(3, "indexes for the due queue and statistics", (), _v3_indexes),
    Migration(4, "bury and suspend holds", ("holds",), _v4_holds),
    Migration(5, "event ids for sync and the sync log", ("sync_log",), _v5_sync),
    Migration(6, "covering indexes for statistics", (), _v6_statistics_indexes),
)
#: The schema version this program writes.
SCHEMA_VERSION = MIGRATIONS[-1].version
assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))

#: The due-queue query (deck id, due limit); indexed by ``items_deck_due``.
DUE_QUERY = "SELECT item_id FROM items WHERE deck_id = ? AND due <= ? ORDER BY due, id"

#: The condition for a hold in force at a time (the one parameter).
_ACTIVE = "released = 0 AND (until IS NULL OR until > ?)"
#: New items are looked for in chunks of the deck order, this many identities first...
_FIRST_CHUNK = 256
#: ... doubling, until this many were looked at; then the deck's reviewed ids in one go.
_CHUNKED_UP_TO = 4096

_STATE_COLUMNS = "phase, step, stability, difficulty, due, last_review"
_BEFORE = ", ".join(f"before_{c}" for c in _STATE_COLUMNS.split(", "))
_AFTER = ", ".join(f"after_{c}" for c in _STATE_COLUMNS.split(", "))


def _tables_at(version: int) -> set[str]:
    return {table for m in MIGRATIONS[:version] for table in m.tables}


def _connect(target: str | Path, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_S, isolation_level=None, uri=uri, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def _initialise(path: Path, version: int) -> bool:
    """Give a missing or empty file the schema at `version`. False if it was not empty.

    The schema, application id and version are written in one transaction in rollback
    journal mode, so the file is either still empty or wholly ours; WAL comes after.
    """
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Under the write lock: did another process initialise it meanwhile?
            if path.stat().st_size != 0:
                conn.execute("ROLLBACK")
                return False
            for migration in MIGRATIONS[:version]:
                migration.apply(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return True


def create_database(path: Path, version: int = SCHEMA_VERSION) -> None:
    """Create a new, empty studyapp database file at schema `version`.

    `ReviewStore.open` does this itself; an older `version` is for migration tests and
    tools. Refuses (DataError) if `path` already has content.
    """
    if not 1 <= version <= SCHEMA_VERSION:
        raise ValueError(f"schema version must be 1..{SCHEMA_VERSION}, got {version}")
    if path.exists() and path.stat().st_size > 0:
        raise DataError(f"{path}: already exists and is not empty")
    try:
        created = _initialise(path, version)
    except sqlite3.Error as exc:
        raise DataError(f"{path}: cannot create the review database ({exc})") from exc
    if not created:
        raise DataError(f"{path}: already exists and is not empty")


def _check_companions(path: Path) -> None:
    """Refuse (DataError) a database whose file, journal, WAL or shared-memory file is there
    but is not a regular file: SQLite opening a FIFO under one of those names blocks for
    ever (and SIGTERM cannot end a process blocked in SQLite's open)."""
    for name in (path, *(path.with_name(path.name + end) for end in ("-journal", "-wal", "-shm"))):
        try:
            mode = os.stat(name).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise DataError(f"{name}: cannot read the review database ({exc.strerror})") from exc
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise DataError(f"{name}: is {kind}, where studyapp keeps its review database "
                            "(move it away)")


def _roll_back_interrupted_creation(path: Path) -> None:
    """Undo a first `_initialise` (or its switch to WAL) that a crash cut short.

    Those are the only writes in rollback-journal mode. A kill -9 or power loss while they
    commit leaves a hot ``-journal`` next to the file, and the file holding part of the new
    schema (possibly not even its header yet) or a half-switched first page; unrolled, it
    would be refused on every later start. SQLite rolls a hot journal back on the first
    read of a read-write connection (respecting the locks of a process that is still
    initialising). That is only let happen when the journal says the file was empty before
    (nothing earlier is at stake), or when the file's header says it is ours.
    """
    journal = path.with_name(path.name + "-journal")
    try:
        with journal.open("rb") as handle:
            header = handle.read(_JOURNAL_HEADER_SIZE)
        with path.open("rb") as handle:
            ours = handle.read(_HEADER_SIZE)
    except OSError:
        return
    if len(header) < _JOURNAL_HEADER_SIZE or not header.startswith(_JOURNAL_MAGIC):
        return
    was_empty = int.from_bytes(header[16:20], "big") == 0  # the file's size before, in pages
    is_ours = (
        len(ours) == _HEADER_SIZE
        and ours.startswith(_SQLITE_MAGIC)
        and int.from_bytes(ours[68:72], "big", signed=True) == APPLICATION_ID
    )
    if not (was_empty or is_ours):
        return
    try:
        conn = _connect(path)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # the checks that follow refuse the file with a proper message


def _error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", ""))


def _is_damage(exc: BaseException) -> bool:
    """Whether SQLite found the file itself broken (the only case called "damaged")."""
    return _error_name(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _readonly_connection(path: Path) -> sqlite3.Connection:
    """A connection that can only read `path` and creates nothing next to it.

    Without a ``-wal`` file no connection has the database open (the last one to close
    removes it), and everything is in the main file: it is read alone (``immutable=1``),
    since even a ``mode=ro`` connection would create ``-wal`` and ``-shm`` files. (A writer
    starting meanwhile appends to its new WAL and leaves the main file alone until it
    checkpoints.) With a ``-wal``, another process is at work, or one died: ``mode=ro``
    reads through its WAL; where that fails (a read-only folder without the ``-shm``),
    the WAL is folded into an in-memory copy.
    """
    uri = path.resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        return _connect(uri + "?immutable=1", uri=True)
    conn = _connect(uri + "?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if not _error_name(exc).startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_IOERR")):
            raise
    if wal.exists() and wal.stat().st_size > 0:
        return _snapshot_with_wal(path, wal)
    return _connect(uri + "?immutable=1", uri=True)


def _snapshot_with_wal(path: Path, wal: Path) -> sqlite3.Connection:
    """An in-memory copy of `path` with the changes still in its `wal` (left by a crash in
    a folder now read-only, where ``immutable=1`` would not see them)."""
    with tempfile.TemporaryDirectory(prefix="studyapp-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        scratch = _connect(copy)
        try:
            scratch.execute("PRAGMA journal_mode = DELETE")  # folds the WAL into the copy
        finally:
            scratch.close()
        data = copy.read_bytes()
    conn = _connect(":memory:")
    conn.deserialize(data)
    return conn


def _write_problem(path: Path) -> str | None:
    """Why the database at `path` cannot be written, when the file system can tell."""
    # access() answers for read-only mounts even for root (EROFS), and for permissions.
    if not os.access(path.parent, os.W_OK):
        return "the data folder is read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return "the database file is read-only"
    return None


#: Less free space than this, after a failed write, is taken to be why it failed.
_NEARLY_FULL_BYTES = 64 * 1024


def _disk_full(folder: Path) -> bool:
    try:
        fs = os.statvfs(folder)
    except OSError:
        return False
    blocks = fs.f_bfree if os.geteuid() == 0 else fs.f_bavail  # root may use the reserve
    return blocks * fs.f_frsize < _NEARLY_FULL_BYTES


def _os_reason(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or _disk_full(folder):
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the data folder is read-only"
    return str(exc.strerror or exc)


def _open_failure(path: Path, exc: BaseException) -> str:
    """One line on why opening `path` for reviewing failed."""
    if isinstance(exc, OSError):
        reason = _os_reason(exc, path.parent)
        if reason == "the disk is full":
            return reason
        problem = _write_problem(path)
        if problem is not None:
            return f"cannot write the review database: {problem}"
        return f"cannot open the review database ({reason})"
    if _is_damage(exc):
        return f"the review database is damaged ({exc})"
    if _error_name(exc).startswith("SQLITE_FULL") or _disk_full(path.parent):
        return "the disk is full"
    problem = _write_problem(path)
    if problem is not None:
        return f"cannot write the review database: {problem}"
    return f"cannot open the review database ({exc})"


def _read_failure(path: Path, exc: sqlite3.Error) -> str:
    if _error_name(exc).startswith(("SQLITE_FULL", "SQLITE_IOERR")) and _disk_full(path.parent):
        return "the disk is full"
    return f"cannot read the review database ({exc})"


def _refuse(path: Path, why: str) -> DataError:
    return DataError(f"{path}: {why}; the file was left untouched")


def _check_version(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise _refuse(
            path,
            f"written by a newer studyapp (schema version {version}, this version reads up "
            f"to {SCHEMA_VERSION}); upgrade studyapp",
        )


def _check_existing(path: Path) -> None:
    """Refuse (DataError) a non-empty file that is not a usable studyapp database.

    The header is read as plain bytes first, so garbage and other programs' databases are
    never opened by SQLite; our own file is then looked at through a read-only connection.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        raise DataError(f"{path}: cannot read the review database ({exc.strerror})") from exc
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        raise _refuse(path, "not a studyapp review database (not an SQLite file)")
    application_id = int.from_bytes(header[68:72], "big", signed=True)
    if application_id != APPLICATION_ID:
        raise _refuse(
            path,
            f"an SQLite database of another program (application id {application_id}), "
            "not a studyapp review database",
        )
    # The header's version can only lag behind (a WAL not yet checkpointed), never lead.
    _check_version(path, int.from_bytes(header[60:64], "big", signed=True))
    try:
        conn = _readonly_connection(path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise _refuse(path, f"the review database is damaged ({exc})") from exc
        raise DataError(f"{path}: {_read_failure(path, exc)}") from exc
    _check_version(path, version)
    missing = sorted(_tables_at(version) - tables) if version >= 1 else ["all"]
    if missing:
        raise _refuse(
            path,
            f"the review database is damaged (schema v{version}, missing tables: "
            f"{', '.join(missing)})",
        )


def _open_readonly(path: Path) -> sqlite3.Connection:
    """The connection of a read-only store (see `ReviewStore.open`); writes nothing at all.

    No database yet: an empty one in memory. An older schema: the tables it lacks are
    added as empty TEMP tables (in memory), since it cannot be migrated here.
    """
    try:
        if not path.exists() or path.stat().st_size == 0:
            conn = _connect(":memory:")
            for migration in MIGRATIONS:
                migration.apply(conn)
            return conn
        _check_existing(path)
        conn = _readonly_connection(path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            _check_version(path, version)
            if version < SCHEMA_VERSION:
                scratch = _connect(":memory:")
                try:
                    for migration in MIGRATIONS:
                        migration.apply(scratch)
                    for table in sorted(_tables_at(SCHEMA_VERSION) - _tables_at(version)):
                        (sql,) = scratch.execute(
                            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                            (table,),
                        ).fetchone()
                        conn.execute(sql.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
                finally:
                    scratch.close()
        except BaseException:
            conn.close()
            raise
        return conn
    except sqlite3.Error as exc:
        if _is_damage(exc):
            raise _refuse(path, f"the review database is damaged ({exc})") from exc
        raise DataError(f"{path}: {_read_failure(path, exc)}") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot read the review database ({exc.strerror})") from exc


# ------------------------------------------------------------------------ result types


@dataclass(frozen=True)
class ReviewResult:
    """What `ReviewStore.record_review` saved (already committed to disk)."""

    review_id: int
    identity: Identity
    rating: Rating
    reviewed_at: datetime
    before: ItemState | None
    after: ItemState

    @property
    def due(self) -> datetime:
        """When the item is due next."""
        return self.after.due


#: What a hold does: ``bury`` until the next study day, ``suspend`` until released.
HoldKind = Literal["bury", "suspend"]


class Hold(NamedTuple):
    """An active bury or suspend of one item (`until` is None for a suspend)."""

    hold_id: int
    identity: Identity
    kind: str
    since: datetime
    until: datetime | None


class ReviewPlan(NamedTuple):
    """What rating an item would save, computed at `at` from its state `before` (None: new).

    Passed back to `ReviewStore.record_review`, it is what gets saved (shifted to the time
    of the rating), so the interval a learner was shown is the interval saved.
    """

    before: ItemState | None
    after: ItemState
    at: datetime


class QuizAnswer(NamedTuple):
    """One answer of a quiz session (quizzes never touch the schedule)."""

    identity: Identity
    correct: bool
    answered_at: datetime


class ItemCounts(NamedTuple):
    """How many of some items are new (never reviewed), learning (incl. relearning), review."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        """All items counted."""
        return self.new + self.learning + self.review


def _card_id(identity: Identity) -> int:
    """A stable 56-bit integer for `fsrs.Card` (the same identity always gives the same id)."""
    digest = hashlib.blake2b(
        f"{identity.deck_id}\x1f{identity.item_id}".encode(), digest_size=7
    ).digest()
    return int.from_bytes(digest, "big")


def _identity(identity: Identity) -> Identity:
    # The common case, an Identity of two non-empty strings, is returned as it is: the due
    # queue checks every identity of a deck, and rebuilding 100,000 tuples shows.
    if (
        type(identity) is Identity
        and type(identity.deck_id) is str
        and type(identity.item_id) is str
        and identity.deck_id
        and identity.item_id
    ):
        return identity
    deck_id, item_id = identity
    if not isinstance(deck_id, str) or not isinstance(item_id, str) or not deck_id or not item_id:
        raise ValueError(f"an identity is two non-empty strings, got {identity!r}")
    return Identity(deck_id, item_id)


class BadRow(ValueError):
    """A row whose timestamps or state columns are not ones studyapp writes (a hand edit)."""


def _state_or_none(columns: Sequence[Any]) -> ItemState | None:
    """The state in `columns`, None for no state; BadRow for columns that do not parse."""
    if columns[0] is None:
        return None
    phase, step, stability, difficulty, due, last_review = columns
    try:
        return ItemState.from_columns((phase, step, stability, difficulty, due, last_review))
    except (ValueError, TypeError) as error:
        raise BadRow(f"due {_cut(due)}, last review {_cut(last_review)} ({error})") from None


def _cut(value: object) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _moment_or_none(text: object) -> datetime | None:
    """A stored timestamp, or None when it is not one studyapp wrote."""
    try:
        return parse_timestamp(text)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None


_NO_STATE: tuple[None, ...] = (None,) * 6


def _shifted(state: ItemState, delta: timedelta) -> ItemState:
    """`state` with its due and last review moved by `delta` (the memory state unchanged)."""
    last = None if state.last_review is None else state.last_review + delta
    return replace(state, due=state.due + delta, last_review=last)


class _DeckOrder(NamedTuple):
    """A deck order as given (`given`), checked, and indexed by item id (first wins)."""

    given: list[Identity]
    order: list[Identity]
    by_id: dict[str, Identity]


# --------------------------------------------------------------------------- the store


class ReviewStore:
    """The open review database. Use `ReviewStore.open`; close it (or use ``with``)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        scheduler: Scheduler,
        day_start_hour: int,
        tz: tzinfo | None,
        readonly: bool = False,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self.path = path
        self.scheduler = scheduler
        self.day_start_hour = day_start_hour
        self.tz = tz
        self.readonly = readonly
        self._orders: dict[str, _DeckOrder] = {}
        self.bad_rows: list[str] = []
        """One line per database row skipped because it does not parse (e.g. a hand-edited
        due of '1999-99-99'): reported by the CLI, the rest keeps working."""
        self.backup_problem: str | None = None
        """Why the day's backup copy was not made when opening (``backups`` is a file, say),
        or None: reviewing goes on without it, and the CLI and the TUI say so once."""

    def _report(self, line: str) -> None:
        if line not in self.bad_rows:
            self.bad_rows.append(line)

    def _state_of_row(self, columns: Sequence[Any], where: str) -> ItemState | None:
        """`_state_or_none`, with a row that does not parse reported and taken as no state
        (the item is then treated as new, and its next rating writes a good state)."""
        try:
            return _state_or_none(columns)
        except BadRow as error:
            self._report(f"{self.path}: {where}: skipped, {error}")
            return None

    def _when(self, text: object, where: str) -> datetime | None:
        moment = _moment_or_none(text)
        if moment is None:
            self._report(f"{self.path}: {where}: skipped, the time {_cut(text)} is malformed")
        return moment

    # ------------------------------------------------------------------ open / close

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        now: datetime | None = None,
        scheduler: Scheduler | None = None,
        day_start_hour: int = DEFAULT_DAY_START_HOUR,
        tz: tzinfo | None = None,
        readonly: bool = False,
    ) -> ReviewStore:
        """Open (creating the folder and database on first use) ``data_dir/reviews.sqlite3``.

        Migrates an older schema (after a backup) and makes the day's backup copy. `now`
        (default: the clock) only names the backups. `tz` is the time zone of study days
        (default: the computer's). Raises `DataError` for a file that is not ours, and for
        one that cannot be written (saying why: a read-only folder or file, a full disk).

        With `readonly`, for commands that only read: nothing is created, migrated, backed
        up or written, a read-only folder or file is fine, and without a database yet the
        store is empty (every count 0). Writing through it is a ValueError.
        """
        if not 0 <= day_start_hour <= 23:
            raise ValueError(f"day_start_hour must be 0..23, got {day_start_hour}")
        chosen = scheduler if scheduler is not None else Scheduler()
        data_dir = Path(data_dir)
        if readonly:
            path = data_dir / DATABASE_NAME
            _check_companions(path)
            conn = _open_readonly(path)
            return cls(
                conn,
                path,
                scheduler=chosen,
                day_start_hour=day_start_hour,
                tz=tz,
                readonly=True,
            )
        moment = to_utc(now) if now is not None else datetime.now(UTC)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"{data_dir}: cannot create the data folder ({exc.strerror})") from exc
        path = data_dir / DATABASE_NAME
        created = False
        _check_companions(path)
        try:
            _roll_back_interrupted_creation(path)
            fresh = not path.exists() or path.stat().st_size == 0
            if not fresh:
                _check_existing(path)  # a file that is not ours is named so, even read-only
            problem = _write_problem(path)
            if problem is not None:
                raise DataError(f"{path}: cannot write the review database: {problem}")
            if fresh:
                created = _initialise(path, SCHEMA_VERSION)
                if not created:
                    _check_existing(path)
            conn = _connect(path)
        except (sqlite3.Error, OSError) as exc:
            raise DataError(f"{path}: {_open_failure(path, exc)}") from exc
        store = cls(conn, path, scheduler=chosen, day_start_hour=day_start_hour, tz=tz)
        try:
            with store._guard():
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
            store._upgrade(moment)
            if not created:
                store._daily_backup(moment)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection (idempotent). Everything was committed already."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def backup_dir(self) -> Path:
        """The folder with the backup copies."""
        return self.path.parent / BACKUP_DIR_NAME

    # ----------------------------------------------------------------- plumbing

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("the review store is closed")
        return self._conn

    @contextmanager
    def _guard(self, unsaved: str | None = None) -> Iterator[None]:
        """Turn SQLite failures about the file (busy, damaged, disk full, read-only) into
        DataError; `unsaved` (e.g. "this review was not saved") is added to the line."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if type(exc) not in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise  # IntegrityError, ProgrammingError, ...: a bug here, not bad data
            name = _error_name(exc)
            if _is_damage(exc):
                why = f"the review database is damaged ({exc}); copies are in {self.backup_dir}"
            elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                why = f"the review database is busy: another program holds it ({exc})"
            elif name.startswith("SQLITE_FULL") or (
                # a WAL or -shm write that hit ENOSPC can come back as an I/O error
                name.startswith("SQLITE_IOERR") and _disk_full(self.path.parent)
            ):
                why = "the disk is full"
            elif name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")) or (
                name.startswith("SQLITE_IOERR") and _write_problem(self.path) is not None
            ):
                problem = _write_problem(self.path)
                why = f"cannot write the review database: {problem or exc}"
            else:
                why = f"review database error ({exc})"
            if unsaved is not None:
                why += f"; {unsaved}"
            raise DataError(f"{self.path}: {why}") from exc

    @contextmanager
    def _transaction(self, begin: str, unsaved: str | None = None) -> Iterator[sqlite3.Connection]:
        with self._lock, self._guard(unsaved):
            conn = self._connection()
            conn.execute(begin)
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _write(self, unsaved: str | None = None) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction: takes the write lock at once (waiting up to the timeout)."""
        if self.readonly:
            raise ValueError("the review store was opened read-only")
        return self._transaction("BEGIN IMMEDIATE", unsaved)

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        """A read transaction: one consistent snapshot for several queries."""
        return self._transaction("BEGIN")

    # ------------------------------------------------------------------- study days

    def study_day(self, moment: datetime) -> date:
        """The study day `moment` falls in (local date, shifted by `day_start_hour`)."""
        local = to_utc(moment).astimezone(self.tz)
        return (local - timedelta(hours=self.day_start_hour)).date()

    def day_start(self, day: date) -> datetime:
        """The UTC instant at which study day `day` begins."""
        naive = datetime.combine(day, time(self.day_start_hour))
        if self.tz is None:
            return naive.astimezone(UTC)  # a naive time is read as the computer's local time
        return naive.replace(tzinfo=self.tz).astimezone(UTC)

    # --------------------------------------------------------- migrations and backups

    def _upgrade(self, moment: datetime) -> None:
        with self._lock, self._guard():
            version = int(self._connection().execute("PRAGMA user_version").fetchone()[0])
        _check_version(self.path, version)
        if version >= SCHEMA_VERSION:
            return
        day = self.study_day(moment).isoformat()
        self._backup_to(self.backup_dir / f"reviews-{day}-schema-v{version}.sqlite3")
        with self._write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            _check_version(self.path, version)  # another process may have migrated meanwhile
            for migration in MIGRATIONS[version:]:
                migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _daily_backup(self, moment: datetime) -> None:
        today = self.study_day(moment).isoformat()
        target = self.backup_dir / f"reviews-{today}.sqlite3"
        # The day's copy is a convenience: when `backups` is not a folder, today's name is
        # taken by something that is not a file, or the copy cannot be written, reviewing
        # goes on without it and `backup_problem` says why (the migration backup in
        # _upgrade, which guards data, still refuses).
        skipped = "so today's backup copy of the review database was not made"
        if self.backup_dir.exists() and not self.backup_dir.is_dir():
            self.backup_problem = f"{self.backup_dir}: is not a folder, {skipped} (move it away)"
            return
        if target.is_symlink() or (target.exists() and not target.is_file()):
            self.backup_problem = f"{target}: is not a backup copy, {skipped} (move it away)"
            return
        if target.exists():
            return
        with self._lock, self._guard():
            problems = [row[0] for row in self._connection().execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise DataError(
                f"{self.path}: the review database is damaged ({'; '.join(problems)}); "
                f"copies are in {self.backup_dir}"
            )
        try:
            self._backup_to(target)
        except DataError as error:
            self.backup_problem = f"{error}; reviewing goes on without today's copy"
            return
        # Only regular files dated up to today are pruned: copies dated in the future (a
        # clock set back) must not push today's copy out, and are never deleted.
        daily = sorted(
            p for p in self.backup_dir.iterdir()
            if _DAILY_BACKUP.fullmatch(p.name) and p.name[8:18] <= today
            and p.is_file() and not p.is_symlink()
        )
        for old in daily[:-DAILY_BACKUPS_KEPT]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _backup_to(self, target: Path) -> None:
        """Copy the database to `target` with the online backup API (atomically renamed)."""
        from studyapp.atomicfile import atomic_output

        if self.backup_dir.exists() and not self.backup_dir.is_dir():
            raise DataError(
                f"{self.backup_dir}: is not a folder; studyapp keeps its backup copies there "
                "(move it away)"
            )
        with atomic_output(target, force=True, make_folder=True) as partial:
            try:
                with self._lock, self._guard():
                    copy = sqlite3.connect(partial)
                    try:
                        self._connection().backup(copy)
                    finally:
                        copy.close()
            except OSError as exc:
                why = _os_reason(exc, target.parent)
                raise DataError(f"{target}: cannot write a backup copy: {why}") from exc

    # ---------------------------------------------------------------------- reviews

    def state(self, identity: Identity) -> ItemState | None:
        """The item's scheduling state, or None if it was never reviewed (or undone back)."""
        deck_id, item_id = _identity(identity)
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_STATE_COLUMNS} FROM items WHERE deck_id = ? AND item_id = ?",
                (deck_id, item_id),
            ).fetchone()
        if row is None:
            return None
        return self._state_of_row(row, f"item {deck_id}/{item_id}")

    def plan(self, identity: Identity, now: datetime) -> dict[Rating, ReviewPlan]:
        """For each rating, the state rating the item so at `now` would save.

        Hand the chosen plan to `record_review` and exactly that interval is saved, even
        with fuzzing on (the scheduler is asked once per item shown, not again on rating).
        """
        ident = _identity(identity)
        moment = to_utc(now)
        before = self.state(ident)
        card_id = _card_id(ident)
        return {
            rating: ReviewPlan(
                before, self.scheduler.apply(before, rating, moment, card_id=card_id), moment
            )
            for rating in Rating
        }

    def preview(self, identity: Identity, now: datetime) -> dict[Rating, timedelta]:
        """For each rating, the interval the item would get if rated so at `now`."""
        return {rating: p.after.due - p.at for rating, p in self.plan(identity, now).items()}

    def _deck_order(self, deck_id: str, identities: Sequence[Identity]) -> _DeckOrder:
        """The deck order checked and deduplicated, remembered per deck: callers pass the
        same 100,000 identities on every call, and a list comparison (identical elements
        compare by identity) costs far less than checking and indexing them again."""
        given = identities if type(identities) is list else list(identities)
        cached = self._orders.get(deck_id)
        if cached is not None and cached.given == given:
            return cached
        if set(map(type, given)) <= {Identity}:
            # The usual case, checked with C-level loops: one deck, string ids, no repeats.
            item_ids = list(map(itemgetter(1), given))
            by_id = dict(zip(item_ids, given, strict=True))
            if (
                len(by_id) == len(given)
                and set(map(itemgetter(0), given)) <= {deck_id}
                and set(map(type, item_ids)) <= {str}
                and "" not in by_id
            ):
                order = _DeckOrder(list(given), list(given), by_id)
                self._orders[deck_id] = order
                return order
        by_id = {}
        for identity in given:
            ident = _identity(identity)
            if ident.deck_id != deck_id:
                raise ValueError(f"{ident!r} is not in deck {deck_id!r}")
            by_id.setdefault(ident.item_id, ident)
        order = _DeckOrder(list(given), list(by_id.values()), by_id)
        self._orders[deck_id] = order
        return order

    @staticmethod
    def _held_ids(conn: sqlite3.Connection, deck_id: str, moment: datetime) -> set[str]:
        """Item ids of the deck with a hold in force at `moment`."""
        return {
            row[0]
            for row in conn.execute(
                f"SELECT item_id FROM holds WHERE deck_id = ? AND {_ACTIVE}",
                (deck_id, format_timestamp(moment)),
            )
        }

    def due_items(
        self,
        deck_id: str,
        now: datetime,
        identities_in_deck_order: Sequence[Identity],
        new_limit: int = 20,
        *,
        learn_ahead: timedelta = timedelta(0),
        exclude: Collection[str] = (),
    ) -> list[Identity]:
        """The review queue of a deck at `now`.

        First the deck's reviewed items that are due (due <= now + learn_ahead), oldest due
        first; then never-reviewed items in the given deck order, at most `new_limit` minus
        the items of this deck already introduced this study day. Items with a bury or
        suspend in force and item ids in `exclude` are left out (before the new-item limit
        is applied, so it counts only items returned). Items with history that are not in
        `identities_in_deck_order` (orphans) are left out.
        """
        moment = to_utc(now)
        deck = self._deck_order(deck_id, identities_in_deck_order)
        by_id = deck.by_id
        day = self.study_day(moment)
        start, end = self.day_start(day), self.day_start(day + timedelta(days=1))
        with self._read() as conn:
            skip = self._held_ids(conn, deck_id, moment)
            skip.update(exclude)
            due = conn.execute(DUE_QUERY, (deck_id, format_timestamp(moment + learn_ahead)))
            queue = [
                ident
                for (item_id,) in due
                if (ident := by_id.get(item_id)) is not None and item_id not in skip
            ]
            introduced = conn.execute(
                "SELECT count(*) FROM items WHERE deck_id = ? AND introduced_at >= ? "
                "AND introduced_at < ?",
                (deck_id, format_timestamp(start), format_timestamp(end)),
            ).fetchone()[0]
            room = max(0, new_limit - int(introduced))
            if room:
                queue += self._new_items(conn, deck_id, deck.order, room, skip)
        return queue

    @staticmethod
    def _new_items(
        conn: sqlite3.Connection,
        deck_id: str,
        order: Sequence[Identity],
        room: int,
        skip: Collection[str],
    ) -> list[Identity]:
        """The first `room` never-reviewed items of `order` not in `skip`.

        New items usually sit near the front of what is left, so the deck order is asked
        about in growing chunks (the UNIQUE (deck_id, item_id) index answers each); past
        `_CHUNKED_UP_TO` identities, one pass over the deck's reviewed ids is cheaper.
        """
        found: list[Identity] = []
        position, size = 0, _FIRST_CHUNK
        while position < len(order):
            if position >= _CHUNKED_UP_TO:
                chunk = order[position:]
                reviewed = {
                    row[0]
                    for row in conn.execute(
                        "SELECT item_id FROM items WHERE deck_id = ?", (deck_id,)
                    )
                }
            else:
                chunk = order[position : position + size]
                marks = ", ".join("?" * len(chunk))
                reviewed = {
                    row[0]
                    for row in conn.execute(
                        f"SELECT item_id FROM items WHERE deck_id = ? AND item_id IN ({marks})",
                        (deck_id, *(i.item_id for i in chunk)),
                    )
                }
            for ident in chunk:
                if ident.item_id not in reviewed and ident.item_id not in skip:
                    found.append(ident)
                    if len(found) == room:
                        return found
            position += len(chunk)
            size *= 2
        return found

    def learning_items(
        self, deck_id: str, after: datetime, until: datetime
    ) -> list[tuple[Identity, datetime]]:
        """The deck's items in learning or relearning with `after` < due <= `until`, oldest
        due first, leaving out items with a hold in force at `after`."""
        with self._read() as conn:
            held = self._held_ids(conn, deck_id, to_utc(after))
            rows = conn.execute(
                "SELECT item_id, due FROM items WHERE deck_id = ? AND due > ? AND due <= ? "
                "AND phase IN (?, ?) ORDER BY due, id",
                (
                    deck_id,
                    format_timestamp(after),
                    format_timestamp(until),
                    int(Phase.LEARNING),
                    int(Phase.RELEARNING),
                ),
            ).fetchall()
        return [
            (Identity(deck_id, item_id), when)
            for item_id, due in rows
            if item_id not in held
            and (when := self._when(due, f"item {deck_id}/{item_id}")) is not None
        ]

    def reviewed_on_day(self, deck_id: str, now: datetime) -> set[str]:
        """Item ids of the deck with a review (not undone) in the study day of `now`."""
        day = self.study_day(now)
        start, end = self.day_start(day), self.day_start(day + timedelta(days=1))
        with self._read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT item_id FROM reviews WHERE deck_id = ? AND undone = 0 "
                "AND reviewed_at >= ? AND reviewed_at < ?",
                (deck_id, format_timestamp(start), format_timestamp(end)),
            ).fetchall()
        return {row[0] for row in rows}

    def next_due(
        self, deck_id: str, identities: Collection[Identity], now: datetime
    ) -> datetime | None:
        """The earliest due among `identities` that have a state and are not suspended at
        `now`; a buried item counts from the end of its bury at the earliest. None if none."""
        wanted = {ident.item_id for ident in map(_identity, identities) if ident.deck_id == deck_id}
        moment = format_timestamp(now)
        best: str | None = None
        with self._read() as conn:
            suspended: set[str] = set()
            buried_until: dict[str, str] = {}
            for item_id, until in conn.execute(
                f"SELECT item_id, until FROM holds WHERE deck_id = ? AND {_ACTIVE}",
                (deck_id, moment),
            ):
                if until is None:
                    suspended.add(item_id)
                else:
                    buried_until[item_id] = max(until, buried_until.get(item_id, until))
            for item_id, due in conn.execute(
                "SELECT item_id, due FROM items WHERE deck_id = ? ORDER BY due, id", (deck_id,)
            ):
                if best is not None and due >= best:
                    break  # rows come oldest due first: nothing later can be earlier
                if item_id not in wanted or item_id in suspended:
                    continue
                if self._when(due, f"item {deck_id}/{item_id}") is None:
                    continue
                start = max(due, buried_until[item_id]) if item_id in buried_until else due
                if _moment_or_none(start) is None:
                    start = due  # a malformed bury end: the due alone
                if best is None or start < best:
                    best = start
        return None if best is None else parse_timestamp(best)

    def record_review(
        self,
        identity: Identity,
        kind: str,
        rating: Rating | int,
        now: datetime,
        duration_ms: int | None = None,
        *,
        plan: ReviewPlan | None = None,
    ) -> ReviewResult:
        """Rate an item at `now`: compute its next state and commit it with a log entry.

        With `plan` (from `plan`, for this `rating`) and the item's state unchanged since,
        the state saved is ``plan.after`` moved in time by ``now - plan.at``: the interval
        previewed is the interval saved. If the state changed meanwhile (another session
        rated the item), the next state is computed afresh. When this returns, the review is
        on disk (WAL, synchronous=FULL). `kind` (question, card, exercise, ...) is logged;
        the item keeps the kind it was introduced with. A failure (disk full, ...) is a
        DataError saying the review was not saved; earlier reviews are untouched.
        """
        ident = _identity(identity)
        grade = Rating(rating)
        moment = to_utc(now)
        if duration_ms is not None and duration_ms < 0:
            raise ValueError(f"duration_ms cannot be negative, got {duration_ms}")
        if not kind:
            raise ValueError("kind must be a non-empty string")
        with self._write(unsaved="this review was not saved") as conn:
            row = conn.execute(
                f"SELECT id, {_STATE_COLUMNS} FROM items WHERE deck_id = ? AND item_id = ?",
                ident,
            ).fetchone()
            where = f"item {ident[0]}/{ident[1]}"
            before = None if row is None else self._state_of_row(row[1:], where)
            if plan is not None and plan.before == before:
                after = _shifted(plan.after, moment - to_utc(plan.at))
            else:
                after = self.scheduler.apply(before, grade, moment, card_id=_card_id(ident))
            if row is None:
                conn.execute(
                    f"INSERT INTO items (deck_id, item_id, kind, {_STATE_COLUMNS}, "
                    "introduced_at, introduced_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "(SELECT coalesce(max(introduced_seq), 0) + 1 FROM items))",
                    (*ident, kind, *after.to_columns(), format_timestamp(moment)),
                )
            else:
                conn.execute(
                    "UPDATE items SET phase = ?, step = ?, stability = ?, difficulty = ?, "
                    "due = ?, last_review = ? WHERE id = ?",
                    (*after.to_columns(), row[0]),
                )
            cursor = conn.execute(
                "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, duration_ms, "
                f"{_BEFORE}, {_AFTER}) VALUES ({', '.join('?' * 18)})",
                (
                    *ident,
                    kind,
                    int(grade),
                    format_timestamp(moment),
                    duration_ms,
                    *(before.to_columns() if before is not None else _NO_STATE),
                    *after.to_columns(),
                ),
            )
            review_id = cursor.lastrowid
        assert review_id is not None
        return ReviewResult(review_id, ident, grade, moment, before, after)

    # ------------------------------------------------------------------------ holds

    def hold(self, identity: Identity, kind: HoldKind, now: datetime) -> int:
        """Bury (until the start of the next study day) or suspend (until released) an item,
        reviewed or not. Returns the hold's id (for `release_hold`). Committed on return."""
        ident = _identity(identity)
        if kind not in ("bury", "suspend"):
            raise ValueError(f"a hold is 'bury' or 'suspend', got {kind!r}")
        moment = to_utc(now)
        until = (
            format_timestamp(self.day_start(self.study_day(moment) + timedelta(days=1)))
            if kind == "bury"
            else None
        )
        with self._write(unsaved=f"the {kind} was not saved") as conn:
            cursor = conn.execute(
                "INSERT INTO holds (deck_id, item_id, kind, since, until) VALUES (?, ?, ?, ?, ?)",
                (*ident, kind, format_timestamp(moment), until),
            )
            hold_id = cursor.lastrowid
        assert hold_id is not None
        return hold_id

    def release_hold(self, hold_id: int, now: datetime | None = None) -> bool:
        """Take back one hold (undo of a bury or suspend). False if it was released
        already, does not exist, or (with `now`) is a bury that had ended by then."""
        extra: str = ""
        args: tuple[str, ...] = ()
        if now is not None:
            extra, args = " AND (until IS NULL OR until > ?)", (format_timestamp(now),)
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE holds SET released = 1 WHERE id = ? AND released = 0{extra}",
                (hold_id, *args),
            )
            return cursor.rowcount > 0

    def unsuspend(self, identity: Identity) -> bool:
        """Release every suspend of an item; False if it was not suspended."""
        ident = _identity(identity)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE holds SET released = 1 WHERE deck_id = ? AND item_id = ? "
                "AND kind = 'suspend' AND released = 0",
                ident,
            )
            return cursor.rowcount > 0

    def unsuspend_deck(self, deck_id: str) -> int:
        """Release every suspend in a deck; returns how many items were suspended."""
        with self._write() as conn:
            count = conn.execute(
                "SELECT count(DISTINCT item_id) FROM holds WHERE deck_id = ? "
                "AND kind = 'suspend' AND released = 0",
                (deck_id,),
            ).fetchone()[0]
            conn.execute(
                "UPDATE holds SET released = 1 WHERE deck_id = ? AND kind = 'suspend' "
                "AND released = 0",
                (deck_id,),
            )
        return int(count)

    def holds(self, now: datetime, deck_id: str | None = None) -> list[Hold]:
        """The holds in force at `now` (buries that ended are not), by deck, item, id."""
        extra, args = self._deck_filter(deck_id)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT id, deck_id, item_id, kind, since, until FROM holds WHERE {_ACTIVE}"
                f"{extra} ORDER BY deck_id, item_id, id",
                (format_timestamp(now), *args),
            ).fetchall()
        holds: list[Hold] = []
        for r in rows:
            where = f"hold {r[0]} of {r[1]}/{r[2]}"
            since = self._when(r[4], where)
            until = None if r[5] is None else self._when(r[5], where)
            if since is None or (r[5] is not None and until is None):
                continue
            holds.append(Hold(int(r[0]), Identity(r[1], r[2]), r[3], since, until))
        return holds

    def _held(
        self, conn: sqlite3.Connection, moment: datetime, deck_id: str | None
    ) -> set[Identity]:
        extra, args = self._deck_filter(deck_id)
        return {
            Identity(r[0], r[1])
            for r in conn.execute(
                f"SELECT deck_id, item_id FROM holds WHERE {_ACTIVE}{extra}",
                (format_timestamp(moment), *args),
            )
        }

    def hold_counts(
        self,
        now: datetime,
        deck_id: str | None = None,
        identities: Collection[Identity] | None = None,
    ) -> tuple[int, int]:
        """How many items (optionally only among `identities`) are buried and suspended at
        `now`; a suspended item that is also buried counts as suspended."""
        kinds: dict[Identity, str] = {}
        for hold in self.holds(now, deck_id):
            if kinds.get(hold.identity) != "suspend":
                kinds[hold.identity] = hold.kind
        if identities is not None:
            wanted = {_identity(i) for i in identities}
            kinds = {i: k for i, k in kinds.items() if i in wanted}
        suspended = sum(1 for k in kinds.values() if k == "suspend")
        return len(kinds) - suspended, suspended

    # ------------------------------------------------------------------------- undo

    def undo_review(self, review_id: int) -> Identity | None:
        """Undo one review (by `ReviewResult.review_id`) if it is still its item's latest
        review not undone: the item gets back exactly its state before that review ("never
        reviewed" for a first review); the log entry is kept, marked undone. One
        transaction. Returns the item; None, changing nothing, if it was undone already or
        a later review of the item (another session's) builds on it."""
        with self._write() as conn:
            row = conn.execute(
                f"SELECT id, deck_id, item_id, {_BEFORE} FROM reviews WHERE id = ? AND undone = 0",
                (review_id,),
            ).fetchone()
            if row is None:
                return None
            later = conn.execute(
                "SELECT 1 FROM reviews WHERE deck_id = ? AND item_id = ? AND undone = 0 "
                "AND id > ? LIMIT 1",
                (row[1], row[2], review_id),
            ).fetchone()
            if later is not None:
                return None
            return self._undo_row(conn, row)

    @staticmethod
    def _undo_row(conn: sqlite3.Connection, row: Sequence[Any]) -> Identity:
        """Inside a write transaction: give the item of review `row` (id, deck_id, item_id,
        before_*) its state before it, and mark the review undone."""
        review_id, ident = row[0], Identity(row[1], row[2])
        try:
            before = _state_or_none(row[3:])
        except BadRow:  # a hand-edited "before": the item goes back to new
            before = None
        if before is None:
            conn.execute("DELETE FROM items WHERE deck_id = ? AND item_id = ?", ident)
        else:
            conn.execute(
                "UPDATE items SET phase = ?, step = ?, stability = ?, difficulty = ?, "
                "due = ?, last_review = ? WHERE deck_id = ? AND item_id = ?",
                (*before.to_columns(), *ident),
            )
        conn.execute("UPDATE reviews SET undone = 1 WHERE id = ?", (review_id,))
        return ident

    # ------------------------------------------------------------------------- quiz

    def record_quiz(self, session_id: str, results: Iterable[QuizAnswer]) -> int:
        """Save a quiz session's answers in one transaction; returns how many were saved."""
        if not session_id:
            raise ValueError("session_id must be a non-empty string")
        rows = [
            (
                session_id,
                *_identity(r.identity),
                int(bool(r.correct)),
                format_timestamp(r.answered_at),
            )
            for r in results
        ]
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO quiz_results (session_id, deck_id, item_id, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def quiz_answers(self, session_id: str) -> list[QuizAnswer]:
        """The answers of one quiz session, in the order they were saved."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT deck_id, item_id, correct, answered_at FROM quiz_results "
                "WHERE session_id = ? ORDER BY id",
                (session_id,),
            ).fetchall()
        return [
            QuizAnswer(Identity(r[0], r[1]), bool(r[2]), when)
            for r in rows
            if (when := self._when(r[3], f"quiz answer of {r[0]}/{r[1]}")) is not None
        ]

    # ------------------------------------------------------------------------ stats

    @staticmethod
    def _deck_filter(deck_id: str | None) -> tuple[str, tuple[str, ...]]:
        return ("", ()) if deck_id is None else (" AND deck_id = ?", (deck_id,))

    def review_count(self, deck_id: str | None = None) -> int:
        """Reviews logged and not undone (an exercise is one review)."""
        extra, args = self._deck_filter(deck_id)
        # All rows (counted from the smallest index) minus the undone ones (their own small
        # index): `undone = 0` alone would read every row.
        every = extra.replace(" AND ", " WHERE ", 1)
        query = (f"SELECT (SELECT count(*) FROM reviews{every}) - "
                 f"(SELECT count(*) FROM reviews WHERE undone = 1{extra})")
        with self._read() as conn:
            return int(conn.execute(query, (*args, *args)).fetchone()[0])

    def _reviews_between(
        self, conn: sqlite3.Connection, deck_id: str | None, start: datetime, end: datetime,
        *, any_at_all: bool = False,
    ) -> int:
        """Reviews (not undone) from `start` to before `end`, counted by SQLite over the
        time index (an index range per study day: 2,000,000 reviews never reach Python).
        With `any_at_all`, 1 or 0: whether there is one."""
        extra, args = self._deck_filter(deck_id)
        query = (
            f"SELECT count(*) FROM reviews WHERE undone = 0{extra} "
            "AND reviewed_at >= ? AND reviewed_at < ?"
        )
        if any_at_all:
            query = f"SELECT EXISTS ({query.replace('count(*)', '1', 1)})"
        row = conn.execute(query, (*args, format_timestamp(start), format_timestamp(end)))
        return int(row.fetchone()[0])

    def reviews_per_day(
        self, now: datetime, days: int = 30, deck_id: str | None = None
    ) -> dict[date, int]:
        """Reviews (not undone) on each of the last `days` study days, oldest first,
        ending with today; days without reviews are 0."""
        if days < 1:
            raise ValueError("days must be at least 1")
        today = self.study_day(now)
        first = today - timedelta(days=days - 1)
        counts: dict[date, int] = {}
        with self._read() as conn:
            start = self.day_start(first)
            for offset in range(days):
                day = first + timedelta(days=offset)
                end = self.day_start(day + timedelta(days=1))
                counts[day] = self._reviews_between(conn, deck_id, start, end)
                start = end
        return counts

    def due_count(
        self,
        now: datetime,
        deck_id: str | None = None,
        identities: Collection[Identity] | None = None,
        *,
        exclude: Collection[str] = (),
    ) -> int:
        """Reviewed items due at `now` (optionally only those among `identities`), leaving
        out items with a hold in force and item ids in `exclude` (as `due_items` does)."""
        extra, args = self._deck_filter(deck_id)
        moment = to_utc(now)
        limit = format_timestamp(moment)
        with self._read() as conn:
            held = self._held(conn, moment, deck_id)
            rows = conn.execute(
                f"SELECT deck_id, item_id FROM items WHERE due <= ?{extra}", (limit, *args)
            ).fetchall()
        wanted = None if identities is None else {_identity(i) for i in identities}
        skip = set(exclude)
        count = 0
        for deck, item_id in rows:
            ident = Identity(deck, item_id)
            if ident in held or item_id in skip or (wanted is not None and ident not in wanted):
                continue
            count += 1
        return count

    def due_forecast(
        self, now: datetime, days: int = 7, deck_id: str | None = None
    ) -> dict[date, int]:
        """Reviewed items falling due on each of the next `days` study days, starting today;
        today's count includes everything already overdue."""
        if days < 1:
            raise ValueError("days must be at least 1")
        today = self.study_day(now)
        counts = {today + timedelta(days=i): 0 for i in range(days)}
        end = self.day_start(today + timedelta(days=days))
        extra, args = self._deck_filter(deck_id)
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT due FROM items WHERE due < ?{extra}", (format_timestamp(end), *args)
            ).fetchall()
        for (due,) in rows:
            when = _moment_or_none(due)
            if when is None:
                self._when(due, "an item's due")
                continue
            day = max(today, self.study_day(when))
            if day in counts:
                counts[day] += 1
        return counts

    def retention(self, now: datetime, days: int = 30, deck_id: str | None = None) -> float | None:
        """Share of the reviews in the `days` before `now` not rated again (None: no reviews)."""
        moment = to_utc(now)
        extra, args = self._deck_filter(deck_id)
        with self._read() as conn:
            total, kept = conn.execute(
                "SELECT count(*), coalesce(sum(rating != ?), 0) FROM reviews "
                f"WHERE undone = 0{extra} AND reviewed_at >= ? AND reviewed_at <= ?",
                (int(Rating.AGAIN), *args, format_timestamp(moment - timedelta(days=days)),
                 format_timestamp(moment)),
            ).fetchone()
        if not total:
            return None
        return int(kept) / int(total)

    def streak(self, now: datetime, deck_id: str | None = None) -> int:
        """Consecutive study days with at least one review, ending today (or yesterday,
        when there has been no review yet today)."""
        day = self.study_day(now)
        count = 0
        with self._read() as conn:

            def reviewed(on: date) -> bool:
                start, end = self.day_start(on), self.day_start(on + timedelta(days=1))
                return bool(self._reviews_between(conn, deck_id, start, end, any_at_all=True))

            if not reviewed(day):
                day -= timedelta(days=1)
            while day > date.min + timedelta(days=1) and reviewed(day):
                count += 1
                day -= timedelta(days=1)
        return count

    def item_counts(self, identities: Iterable[Identity]) -> ItemCounts:
        """How many of `identities` are new, learning (or relearning) and in review."""
        wanted = {_identity(i) for i in identities}
        phases: dict[Identity, int] = {}
        with self._read() as conn:
            for deck_id in sorted({i.deck_id for i in wanted}):
                for item_id, phase in conn.execute(
                    "SELECT item_id, phase FROM items WHERE deck_id = ?", (deck_id,)
                ):
                    phases[Identity(deck_id, item_id)] = int(phase)
        new = learning = review = 0
        for ident in wanted:
            phase = phases.get(ident)
            if phase is None:
                new += 1
            elif phase == Phase.REVIEW:
                review += 1
            else:
                learning += 1
        return ItemCounts(new=new, learning=learning, review=review)

    def orphans(self, known_identities: Iterable[Identity]) -> int:
        """Items with a review history whose identity is in no deck any more (kept, not
        deleted: the history comes back if the item does)."""
        known = {_identity(i) for i in known_identities}
        with self._read() as conn:
            rows = conn.execute("SELECT deck_id, item_id FROM items").fetchall()
        return sum(1 for r in rows if Identity(r[0], r[1]) not in known)

    def import_history(
        self,
        histories: Iterable[
            tuple[Identity, str, Sequence[tuple[Rating, datetime, int | None, ItemState]]]
        ],
    ) -> list[Identity]:
        """Write review history made elsewhere (an Anki revlog replayed through FSRS).

        Each entry is (identity, kind, reviews in time order), a review being (rating, time,
        duration_ms or None, the state after it); the state before each review is the one
        after the previous (none before the first). Items that already have a history here
        are left alone, so importing the same history again adds nothing. One transaction;
        returns the identities whose history was written.
        """
        written: list[Identity] = []
        with self._write() as conn:
            for identity, kind, reviews in histories:
                ident = _identity(identity)
                if not kind:
                    raise ValueError("kind must be a non-empty string")
                if not reviews:
                    continue
                known = conn.execute(
                    "SELECT 1 FROM items WHERE deck_id = ? AND item_id = ? UNION ALL "
                    "SELECT 1 FROM reviews WHERE deck_id = ? AND item_id = ? LIMIT 1",
                    (*ident, *ident),
                ).fetchone()
                if known is not None:
                    continue
                before: ItemState | None = None
                for rating, moment, duration_ms, after in reviews:
                    conn.execute(
                        "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, "
                        f"duration_ms, {_BEFORE}, {_AFTER}) VALUES ({', '.join('?' * 18)})",
                        (
                            *ident,
                            kind,
                            int(Rating(rating)),
                            format_timestamp(moment),
                            duration_ms,
                            *(before.to_columns() if before is not None else _NO_STATE),
                            *after.to_columns(),
                        ),
                    )
                    before = after
                assert before is not None
                conn.execute(
                    f"INSERT INTO items (deck_id, item_id, kind, {_STATE_COLUMNS}, "
                    "introduced_at, introduced_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "(SELECT coalesce(max(introduced_seq), 0) + 1 FROM items))",
                    (*ident, kind, *before.to_columns(), format_timestamp(reviews[0][1])),
                )
                written.append(ident)
        return written

    # ------------------------------------------------------------ optimizer history

    def rating_history(self) -> list[tuple[Identity, datetime, Rating]]:
        """Every rating not undone, item by item (deck id, item id), oldest first within an
        item: what `studyapp optimize` fits the FSRS parameters to."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT deck_id, item_id, reviewed_at, rating FROM reviews WHERE undone = 0 "
                "ORDER BY deck_id, item_id, reviewed_at, id"
            ).fetchall()
        return [
            (Identity(r[0], r[1]), when, Rating(r[3]))
            for r in rows
            if (when := self._when(r[2], f"review of {r[0]}/{r[1]}")) is not None
        ]

    # ------------------------------------------------------------------------- sync

    def sync_name_events(self, device: str) -> None:
        """Give this device's reviews, holds and quiz answers that have no event id yet one
        that no other device can give: ``r:``/``h:``/``q:``, the device id, the row id and
        a hash of the row (so a database made afresh under the same device id cannot reuse
        an id for another event)."""
        queries = (
            ("reviews", "r", "deck_id, item_id, rating, reviewed_at"),
            ("holds", "h", "deck_id, item_id, kind, since"),
            ("quiz_results", "q", "session_id, deck_id, item_id, answered_at"),
        )
        with self._write() as conn:
            for table, prefix, columns in queries:
                rows = conn.execute(
                    f"SELECT id, {columns} FROM {table} WHERE event_id IS NULL"
                ).fetchall()
                names = []
                for row in rows:
                    content = "\x1f".join(str(value) for value in row)
                    tag = hashlib.blake2b(content.encode(), digest_size=4).hexdigest()
                    names.append((f"{prefix}:{device}:{row[0]}:{tag}", row[0]))
                conn.executemany(f"UPDATE {table} SET event_id = ? WHERE id = ?", names)

    def sync_events(self) -> list[dict[str, Any]]:
        """Every event this store holds, as plain dicts (see `studyapp.sync`): ratings,
        undos, holds, releases and quiz answers. Rows without an event id are left out
        (`sync_name_events` first)."""
        events: list[dict[str, Any]] = []
        with self._read() as conn:
            for row in conn.execute(
                "SELECT event_id, deck_id, item_id, kind, rating, reviewed_at, duration_ms, "
                "undone FROM reviews WHERE event_id IS NOT NULL"
            ):
                events.append({
                    "id": row[0], "type": "review", "deck": row[1], "item": row[2],
                    "kind": row[3], "rating": int(row[4]), "at": row[5], "duration_ms": row[6],
                })
                if row[7]:
                    events.append({"id": f"undo:{row[0]}", "type": "undo", "of": row[0]})
            for row in conn.execute(
                "SELECT event_id, deck_id, item_id, kind, since, until, released FROM holds "
                "WHERE event_id IS NOT NULL"
            ):
                events.append({
                    "id": row[0], "type": "hold", "deck": row[1], "item": row[2],
                    "kind": row[3], "since": row[4], "until": row[5],
                })
                if row[6]:
                    events.append({"id": f"release:{row[0]}", "type": "release", "of": row[0]})
            for row in conn.execute(
                "SELECT event_id, session_id, deck_id, item_id, correct, answered_at "
                "FROM quiz_results WHERE event_id IS NOT NULL"
            ):
                events.append({
                    "id": row[0], "type": "quiz", "session": row[1], "deck": row[2],
                    "item": row[3], "correct": bool(row[4]), "at": row[5],
                })
        return events

    def sync_merge(self, events: Iterable[dict[str, Any]]) -> None:
        """Add the `events` this store lacks, then replay every item's FSRS state from its
        ratings not undone (oldest first, ties by event id) with this store's scheduler:
        the same events give the same schedule on every device. One transaction: a kill
        leaves the store as it was before or as it is after."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_type.setdefault(str(event["type"]), []).append(event)
        with self._write(unsaved="the sync was not saved") as conn:
            for e in by_type.get("review", []):
                conn.execute(
                    "INSERT OR IGNORE INTO reviews (event_id, deck_id, item_id, kind, rating, "
                    "reviewed_at, duration_ms, after_phase, after_due) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                    (e["id"], e["deck"], e["item"], e["kind"], int(e["rating"]), e["at"],
                     e["duration_ms"], e["at"]),
                )
            for e in by_type.get("hold", []):
                conn.execute(
                    "INSERT OR IGNORE INTO holds (event_id, deck_id, item_id, kind, since, until) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (e["id"], e["deck"], e["item"], e["kind"], e["since"], e["until"]),
                )
            for e in by_type.get("quiz", []):
                conn.execute(
                    "INSERT OR IGNORE INTO quiz_results (event_id, session_id, deck_id, item_id, "
                    "correct, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (e["id"], e["session"], e["deck"], e["item"], int(bool(e["correct"])),
                     e["at"]),
                )
            conn.executemany(
                "UPDATE reviews SET undone = 1 WHERE event_id = ?",
                [(e["of"],) for e in by_type.get("undo", [])],
            )
            conn.executemany(
                "UPDATE holds SET released = 1 WHERE event_id = ?",
                [(e["of"],) for e in by_type.get("release", [])],
            )
            self._replay(conn)

    def _replay(self, conn: sqlite3.Connection) -> None:
        """Inside a write transaction: rebuild `items` (and each rating's before and after
        state) from the ratings not undone."""
        rows = conn.execute(
            "SELECT id, deck_id, item_id, kind, rating, reviewed_at FROM reviews "
            "WHERE undone = 0 ORDER BY deck_id, item_id, reviewed_at, coalesce(event_id, ''), id"
        ).fetchall()
        conn.execute("DELETE FROM items")
        firsts: list[tuple[str, str, str, str, ItemState]] = []
        state: ItemState | None = None
        current: Identity | None = None
        first: tuple[str, str] | None = None
        updates: list[tuple[Any, ...]] = []
        for review_id, deck_id, item_id, kind, rating, reviewed_at in rows:
            moment = self._when(reviewed_at, f"review of {deck_id}/{item_id}")
            if moment is None:
                continue  # a hand-edited time: the rating is left out of the replay
            ident = Identity(deck_id, item_id)
            if ident != current:
                if current is not None and state is not None and first is not None:
                    firsts.append((first[1], *current, first[0], state))
                current, state, first = ident, None, (kind, reviewed_at)
            after = self.scheduler.apply(
                state, Rating(rating), moment, card_id=_card_id(ident)
            )
            before = state.to_columns() if state is not None else _NO_STATE
            updates.append((*before, *after.to_columns(), review_id))
            state = after
        if current is not None and state is not None and first is not None:
            firsts.append((first[1], *current, first[0], state))
        conn.executemany(
            "UPDATE reviews SET " + ", ".join(f"{c} = ?" for c in _BEFORE.split(", ")) + ", "
            + ", ".join(f"{c} = ?" for c in _AFTER.split(", ")) + " WHERE id = ?",
            updates,
        )
        firsts.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
        conn.executemany(
            f"INSERT INTO items (deck_id, item_id, kind, {_STATE_COLUMNS}, introduced_at, "
            "introduced_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (deck_id, item_id, kind, *final.to_columns(), introduced_at, seq)
                for seq, (introduced_at, deck_id, item_id, kind, final) in enumerate(firsts, 1)
            ],
        )

    def sync_schedule(self) -> list[tuple[Any, ...]]:
        """Every item's schedule (deck, item, phase, step, stability, difficulty, due, last
        review), by deck and item: what must be the same on every synced device."""
        with self._read() as conn:
            return conn.execute(
                f"SELECT deck_id, item_id, {_STATE_COLUMNS} FROM items ORDER BY deck_id, item_id"
            ).fetchall()

    def record_sync(
        self, moment: datetime, folder: str, reviews: int, devices: int, digest: str
    ) -> None:
        """Log one finished sync (`last_sync` reads it back)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_log (synced_at, folder, reviews, devices, digest) "
                "VALUES (?, ?, ?, ?, ?)",
                (format_timestamp(moment), folder, reviews, devices, digest),
            )

    def last_sync(self) -> datetime | None:
        """When the last sync finished, or None if this data folder never synced."""
        with self._read() as conn:
            row = conn.execute("SELECT max(synced_at) FROM sync_log").fetchone()
        return None if row is None or row[0] is None else self._when(row[0], "the last sync")
