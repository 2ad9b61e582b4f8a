"""Honest store errors on real file systems: a read-only folder or file, a full disk.

We run as root, for whom chmod stops nothing, so read-only is a real read-only mount
(tmpfs remounted ``ro``) and a full disk a tiny tmpfs filled up. Without the right to
mount, the read-only cases run the command as an unprivileged user instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.errors import DataError
from studyapp.paths import DATABASE_NAME
from studyapp.schedule import Rating
from studyapp.store import Identity, ReviewStore, create_database

from .conftest import assert_no_traceback, studyapp_command

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
WAVENET = "wavenet"
NOBODY = 65534


def ident(item_id: str) -> Identity:
    return Identity(WAVENET, item_id)


def _mount(target: Path, size: str) -> bool:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


class Mount:
    """A tmpfs of its own at `path`; `read_only()` remounts it ro."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)

    def fill(self) -> None:
        """Write a file until the disk refuses another byte."""
        fd = os.open(self.path / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            for chunk in (b"x" * 4096, b"x"):
                try:
                    while True:
                        os.write(fd, chunk)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def free(self) -> None:
        (self.path / "filler").unlink()


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Mount]:
    """A 2 MiB tmpfs of our own, unmounted afterwards."""
    target = tmp_path / "mnt"
    target.mkdir()
    if not _mount(target, "2m"):
        pytest.fail("cannot mount a tmpfs (needs root); the unprivileged tests still run")
    try:
        yield Mount(target)
    finally:
        subprocess.run(["umount", str(target)], check=False)
        if os.path.ismount(target):
            subprocess.run(["umount", "-l", str(target)], check=False)


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder that an unprivileged user can traverse (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="studyapp-test-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def can_mount(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    if not _mount(probe, "64k"):
        return False
    subprocess.run(["umount", str(probe)], check=True)
    return True


def run(
    data_dir: Path, *args: str, user: int | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`studyapp ARGS` with `data_dir`, as root or (setpriv) as uid/gid `user`."""
    prefix: list[str] = []
    if user is not None:
        prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
    env = {**os.environ, "STUDYAPP_DATA_DIR": str(data_dir), "NO_COLOR": "1", "HOME": "/tmp"}
    result = subprocess.run(
        [*prefix, *studyapp_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=120,
        check=False,
    )
    assert_no_traceback(result)
    return result


def reviewed(data_dir: Path, count: int = 2) -> None:
    """A data folder with `count` reviews of the built-in deck, closed cleanly."""
    with ReviewStore.open(data_dir, now=T0) as store:
        for item_id in ["flat-mlp-crude", "wavenet-core-idea", "wavenet-idea"][:count]:
            store.record_review(ident(item_id), "question", Rating.GOOD, T0)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def assert_cannot_write(result: subprocess.CompletedProcess[str], why: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith(f"reviews.sqlite3: cannot write the review database: {why}")
    assert "damaged" not in result.stderr


# ---------------------------------------------------------------- read-only folder


@pytest.fixture
def read_only_folder(tmp_path: Path, public_dir: Path) -> Iterator[tuple[Path, int | None]]:
    """A data folder with two reviews that cannot be written: on a read-only mount (as
    root), or, where mounting is not allowed, owned by root and used by `nobody`."""
    if can_mount(tmp_path):
        target = tmp_path / "ro"
        target.mkdir()
        assert _mount(target, "2m")
        try:
            reviewed(target / "data")
            subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
            yield target / "data", None
        finally:
            subprocess.run(["umount", str(target)], check=False)
        return
    data = public_dir / "data"
    reviewed(data)
    data.chmod(0o755)
    (data / DATABASE_NAME).chmod(0o644)
    yield data, NOBODY


def test_reviewing_in_a_read_only_folder_says_why_and_stats_still_answer(
    read_only_folder: tuple[Path, int | None],
) -> None:
    data, user = read_only_folder
    before = files_of(data)
    result = run(data, "review", WAVENET, "--plain", user=user, input="3\n")
    assert_cannot_write(result, "the data folder is read-only")
    stats = run(data, "stats", "--json", user=user)
    assert stats.returncode == 0, stats.stderr
    assert stats.stderr == ""
    assert json.loads(stats.stdout)["reviews"] == 2
    text = run(data, "stats", user=user)
    assert text.returncode == 0 and "reviews      2 " in text.stdout
    listing = run(data, "suspended", user=user)
    assert listing.returncode == 0 and listing.stdout == "nothing is suspended or buried\n"
    assert files_of(data) == before


def test_a_read_only_database_file_in_a_writable_folder(public_dir: Path) -> None:
    # root writes through chmod: the file is read-only for `nobody`, the folder writable
    data = public_dir / "data"
    reviewed(data)
    data.chmod(0o777)
    (data / DATABASE_NAME).chmod(0o444)
    before = files_of(data)
    result = run(data, "review", WAVENET, "--plain", user=NOBODY, input="3\n")
    assert_cannot_write(result, "the database file is read-only")
    stats = run(data, "stats", "--json", user=NOBODY)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["reviews"] == 2
    assert files_of(data) == before
    assert sorted(p.name for p in data.iterdir()) == [DATABASE_NAME]  # no -wal, no -shm


def test_read_only_open_of_a_crashed_wal_in_a_read_only_folder(mount: Mount) -> None:
    # A process died with reviews still in the WAL (no checkpoint); then the folder went
    # read-only. SQLite cannot make the -shm there; the reviews must still be counted.
    data = mount.path / "data"
    live = mount.path / "live"
    store = ReviewStore.open(live, now=T0)
    with closing(sqlite3.connect(live / DATABASE_NAME)) as other:
        other.execute("PRAGMA wal_autocheckpoint = 0")
        store._connection().execute("PRAGMA wal_autocheckpoint = 0")
        for n in range(3):
            store.record_review(ident(f"item-{n}"), "card", Rating.GOOD, T0)
        data.mkdir()
        for name in (DATABASE_NAME, DATABASE_NAME + "-wal"):
            shutil.copyfile(live / name, data / name)
    store.close()
    shutil.rmtree(live)
    assert (data / (DATABASE_NAME + "-wal")).stat().st_size > 0
    mount.read_only()
    with ReviewStore.open(data, readonly=True) as readonly:
        assert readonly.review_count() == 3
    stats = run(data, "stats", "--json")
    assert json.loads(stats.stdout)["reviews"] == 3


def test_read_only_open_without_a_database_is_empty_and_creates_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "never-used"
    with ReviewStore.open(data, readonly=True) as store:
        assert store.review_count() == 0
        assert store.due_count(T0) == 0
        assert store.holds(T0) == []
        assert store.next_due(WAVENET, [ident("a")], T0) is None
        with pytest.raises(ValueError, match="read-only"):
            store.record_review(ident("a"), "card", Rating.GOOD, T0)
    assert not data.exists()
    result = run(data, "stats", "--json")
    assert json.loads(result.stdout)["reviews"] == 0
    assert not data.exists()


def test_read_only_open_of_an_older_schema_neither_migrates_nor_backs_up(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    create_database(data / DATABASE_NAME, version=1)
    before = files_of(data)
    with ReviewStore.open(data, readonly=True) as store:
        assert store.holds(T0) == []  # the table v4 adds, empty
        assert store.review_count() == 0
    assert files_of(data) == before
    assert run(data, "suspended").stdout == "nothing is suspended or buried\n"
    assert files_of(data) == before


def test_a_damaged_database_is_still_called_damaged_read_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    reviewed(data)
    path = data / DATABASE_NAME
    raw = path.read_bytes()
    path.write_bytes(raw[:4096] + b"\xff" * (len(raw) - 4096))  # every page but the first
    with pytest.raises(DataError, match="damaged"), ReviewStore.open(data, readonly=True) as store:
        store.review_count()


# ---------------------------------------------------------------------- disk full


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Mount]:
    target = tmp_path / "tiny"
    target.mkdir()
    if not _mount(target, "256k"):
        pytest.fail("cannot mount a tmpfs (needs root)")
    try:
        yield Mount(target)
    finally:
        subprocess.run(["umount", str(target)], check=False)


def test_a_full_disk_loses_only_the_review_being_saved(tiny_disk: Mount) -> None:
    data = tiny_disk.path / "data"
    with ReviewStore.open(data, now=T0, tz=UTC, day_start_hour=0) as store:
        saved = [store.record_review(ident(f"a{n}"), "card", Rating.GOOD, T0) for n in range(3)]
        tiny_disk.fill()
        with pytest.raises(DataError) as caught:
            for n in range(500):  # the WAL has some room left in its last page or two
                store.record_review(ident(f"b{n}"), "card", Rating.GOOD, T0)
        message = str(caught.value)
        assert message.endswith("reviews.sqlite3: the disk is full; this review was not saved")
        assert "\n" not in message
        with pytest.raises(DataError, match="the disk is full; the bury was not saved"):
            store.hold(ident("a0"), "bury", T0)
        written = store.review_count()
    assert written >= 3
    # everything committed before is intact, read without writing a byte
    with ReviewStore.open(data, readonly=True, tz=UTC, day_start_hour=0) as readonly:
        assert readonly.review_count() == written
        assert readonly.state(ident("a0")) == saved[0].after
        assert readonly.holds(T0) == []
    # the next day's first open wants a backup copy: also "the disk is full" (closing the
    # store gave back the WAL's pages, so fill the disk again)
    tiny_disk.fill()
    with pytest.raises(DataError, match="the disk is full") as at_open:
        ReviewStore.open(data, now=T0 + timedelta(days=1), tz=UTC, day_start_hour=0)
    assert "damaged" not in str(at_open.value)
    assert not [p for p in (data / "backups").glob("*") if p.name.endswith(".partial")]
    tiny_disk.free()
    with ReviewStore.open(data, now=T0 + timedelta(days=1)) as store:
        assert store.review_count() == written
        assert store.path.with_name("backups").is_dir()


def test_review_plain_on_a_full_disk_exits_1_with_one_line(tiny_disk: Mount) -> None:
    data = tiny_disk.path / "data"
    reviewed(data, count=1)
    tiny_disk.fill()
    result = run(data, "review", WAVENET, "--plain", input="\n3\n" * 3)
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stderr.splitlines()
    assert len(last) == 1 and "the disk is full" in last[0], result.stderr
    assert "damaged" not in result.stderr
    tiny_disk.free()
    stats = run(data, "stats", "--json")
    assert json.loads(stats.stdout)["reviews"] >= 1


def test_errors_name_damage_only_for_damage(public_dir: Path) -> None:
    """A database we may not even read is not "damaged" either (as nobody)."""
    data = public_dir / "data"
    reviewed(data)
    data.chmod(0o755)
    (data / DATABASE_NAME).chmod(0o600)  # root's alone
    result = run(data, "stats", user=NOBODY)
    assert result.returncode == 1
    assert "damaged" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
