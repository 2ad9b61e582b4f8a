"""Cause 11 of issue 13: a hand-edited database with malformed timestamps (due='1999-99-99')
is reported row by row while review and stats keep working on the rest."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.schedule import Rating
from studyapp.store import Identity, ReviewStore
from tests.conftest import RunStudyapp


def _reviewed(data_dir: Path, items: list[str]) -> None:
    now = datetime.now(UTC) - timedelta(days=3)
    with ReviewStore.open(data_dir, now=now) as store:
        for item in items:
            store.record_review(Identity("wavenet", item), "card", Rating.AGAIN, now)


def _tamper(data_dir: Path, sql: str) -> None:
    conn = sqlite3.connect(data_dir / "reviews.sqlite3")
    with conn:
        conn.execute(sql)
    conn.close()


def test_review_and_stats_report_a_malformed_due_and_go_on(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    _reviewed(data_dir, ["flat-mlp-crude", "wavenet-core-idea"])
    _tamper(data_dir, "UPDATE items SET due = '1999-99-99' WHERE item_id = 'flat-mlp-crude'")
    done = run_studyapp("stats")
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    assert "item wavenet/flat-mlp-crude" not in done.stdout
    assert "'1999-99-99' is malformed" in done.stderr
    done = run_studyapp("review", "--plain", "wavenet", input="\n3\n" * 3 + "q\n")
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    assert "item wavenet/flat-mlp-crude: skipped" in done.stderr
    # the item is treated as new, and its next rating wrote a good state over the bad one
    with ReviewStore.open(data_dir, readonly=True) as store:
        store.state(Identity("wavenet", "flat-mlp-crude"))
        assert store.bad_rows == []


def test_malformed_review_and_hold_times_do_not_break_stats(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    _reviewed(data_dir, ["flat-mlp-crude", "wavenet-core-idea"])
    _tamper(data_dir, "UPDATE reviews SET reviewed_at = 'yesterday' WHERE id = 1")
    _tamper(data_dir, "INSERT INTO holds (deck_id, item_id, kind, since, until) "
                      "VALUES ('wavenet', 'wavenet-core-idea', 'bury', 'x', '2999-13-01')")
    done = run_studyapp("stats", "--json")
    assert done.returncode == 0, done.stderr
    assert '"reviews": 2' in done.stdout
    done = run_studyapp("suspended")
    assert "internal error" not in done.stderr
    assert done.returncode in (0, 1)


def test_optimize_and_sync_report_a_malformed_review_time_and_go_on(
    run_studyapp: RunStudyapp, data_dir: Path, tmp_path: Path
) -> None:
    _reviewed(data_dir, ["flat-mlp-crude", "wavenet-core-idea"])
    _tamper(data_dir, "UPDATE reviews SET reviewed_at = '2026-13-45T99:00:00Z' WHERE id = 1")
    done = run_studyapp("optimize")
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "'2026-13-45T99:00:00Z' is malformed" in done.stderr
    folder = tmp_path / "shared"
    folder.mkdir()
    done = run_studyapp("sync", str(folder))
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert "'2026-13-45T99:00:00Z' is malformed" in done.stderr
    # the good rating was sent and replayed; the malformed one is neither
    assert done.stdout.splitlines()[-1].startswith("synced: 1 reviews from 1 devices")
    with ReviewStore.open(data_dir, readonly=True) as store:
        assert store.state(Identity("wavenet", "wavenet-core-idea")) is not None
