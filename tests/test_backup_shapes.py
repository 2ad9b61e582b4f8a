"""Cause 10 of issue 13: odd things in the backups folder never stop reviewing, and copies
dated in the future never push today's copy out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.schedule import Rating
from studyapp.store import BACKUP_DIR_NAME, DAILY_BACKUPS_KEPT, Identity, ReviewStore
from tests.conftest import RunStudyapp

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
ITEM = Identity("deck", "item")


def _first_day(data_dir: Path) -> None:
    with ReviewStore.open(data_dir, now=T0, tz=UTC) as store:
        store.record_review(ITEM, "card", Rating.GOOD, T0)


def test_a_folder_named_like_today_s_backup_does_not_stop_reviewing(data_dir: Path) -> None:
    _first_day(data_dir)
    backups = data_dir / BACKUP_DIR_NAME
    later = T0 + timedelta(days=1)
    (backups / "reviews-2024-03-02.sqlite3").mkdir(parents=True)
    for day in range(DAILY_BACKUPS_KEPT + 2):  # older folders named like backups, too
        (backups / f"reviews-2023-01-{day + 1:02}.sqlite3").mkdir()
    for moment in (later, later + timedelta(days=1)):  # skipped, then made and pruned
        with ReviewStore.open(data_dir, now=moment, tz=UTC) as store:
            store.record_review(ITEM, "card", Rating.GOOD, moment)
    with ReviewStore.open(data_dir, now=later, tz=UTC, readonly=True) as store:
        assert store.review_count() == 3
    assert (backups / "reviews-2024-03-03.sqlite3").is_file()
    assert (backups / "reviews-2023-01-01.sqlite3").is_dir()  # not ours: never removed


def test_backups_being_a_file_does_not_stop_reviewing(
    data_dir: Path, run_studyapp: RunStudyapp
) -> None:
    _first_day(data_dir)
    (data_dir / BACKUP_DIR_NAME).write_text("someone's notes")
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 0, done.stderr
    assert (data_dir / BACKUP_DIR_NAME).read_text() == "someone's notes"


def test_future_dated_backups_do_not_prune_today_s_copy(data_dir: Path) -> None:
    _first_day(data_dir)
    backups = data_dir / BACKUP_DIR_NAME
    backups.mkdir(exist_ok=True)
    future = [f"reviews-2099-01-{d:02}.sqlite3" for d in range(1, DAILY_BACKUPS_KEPT + 3)]
    for name in future:
        (backups / name).write_bytes(b"")
    later = T0 + timedelta(days=1)
    with ReviewStore.open(data_dir, now=later, tz=UTC):
        pass
    names = {p.name for p in backups.iterdir()}
    assert "reviews-2024-03-02.sqlite3" in names
    assert set(future) <= names
