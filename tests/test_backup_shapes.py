"""Cause 10 of issue 13: odd things in the backups folder never stop reviewing, and copies
dated in the future never push today's copy out; a day's copy that could not be made is
said once (a warning line in the CLI, a notification in the TUI), never skipped silently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.errors import DataError
from studyapp.schedule import Rating
from studyapp.store import BACKUP_DIR_NAME, DAILY_BACKUPS_KEPT, Identity, ReviewStore
from tests.conftest import REPO, RunStudyapp

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
    backups = data_dir / BACKUP_DIR_NAME
    backups.write_text("someone's notes")
    done = run_studyapp("review", "--plain", "wavenet", input="\n3\n")
    assert done.returncode == 0, done.stderr
    assert "saved: good" in done.stdout
    # said once, in one line, instead of skipping the day's copy silently
    assert done.stderr == (
        f"studyapp: warning: {backups}: is not a folder, so today's backup copy of the "
        "review database was not made (move it away)\n"
    )
    assert backups.read_text() == "someone's notes"
    done = run_studyapp("stats")  # reads only: makes no copy, so has nothing to say
    assert done.returncode == 0 and done.stderr == ""


def test_why_the_day_s_copy_was_not_made_is_kept_for_the_interfaces(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_day(data_dir)
    later = T0 + timedelta(days=1)
    taken = data_dir / BACKUP_DIR_NAME / "reviews-2024-03-02.sqlite3"
    taken.mkdir(parents=True)
    with ReviewStore.open(data_dir, now=later, tz=UTC) as store:
        assert store.backup_problem == (
            f"{taken}: is not a backup copy, so today's backup copy of the review database "
            "was not made (move it away)"
        )
    taken.rmdir()

    def no_room(self: ReviewStore, target: Path) -> None:
        raise DataError(f"{target}: cannot write a backup copy: the disk is full")

    monkeypatch.setattr(ReviewStore, "_backup_to", no_room)
    with ReviewStore.open(data_dir, now=later, tz=UTC) as store:
        assert store.backup_problem is not None
        assert store.backup_problem.endswith(
            "the disk is full; reviewing goes on without today's copy")
        store.record_review(ITEM, "card", Rating.GOOD, later)
    monkeypatch.undo()
    with ReviewStore.open(data_dir, now=later, tz=UTC) as store:
        assert store.backup_problem is None
        assert store.review_count() == 2
    assert (data_dir / BACKUP_DIR_NAME / "reviews-2024-03-02.sqlite3").is_file()


async def test_the_tui_tells_once_that_the_day_s_copy_was_not_made(data_dir: Path) -> None:
    from studyapp.tui.app import create_app

    _first_day(data_dir)
    backups = data_dir / BACKUP_DIR_NAME
    backups.write_text("someone's notes")
    app = create_app(REPO, data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if app.library is not None or app.library_error is not None:
                break
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.store is not None and app.store is app.store  # opened once
        await pilot.pause()
        # Textual keeps the notifications on screen in App._notifications (no public list)
        shown = [n.message for n in app._notifications]
        assert shown.count(f"{backups}: is not a folder, so today's backup copy of the "
                           "review database was not made (move it away)") == 1


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
