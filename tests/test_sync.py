"""`studyapp sync`: three data folders exchanging history through one folder, in random
orders, with random reviews, undos, holds, quiz answers, torn files and kill -9, all end
with the same events, the same schedule and the same digest."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from studyapp.schedule import Scheduler, SchedulerConfig
from studyapp.store import Identity, QuizAnswer, ReviewResult, ReviewStore
from studyapp.sync import SYNC_DIR, SyncResult, device_id, read_device_file, sync
from tests.conftest import RunStudyapp, studyapp_command

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ITEMS = [Identity("d", f"i{n}") for n in range(8)]


class Device:
    """One data folder with its store open, as one computer would have it."""

    def __init__(self, root: Path, name: str, scheduler: Scheduler | None = None) -> None:
        self.data = root / name
        self.store = ReviewStore.open(self.data, now=T0, tz=UTC, scheduler=scheduler)
        self.last: ReviewResult | None = None
        self.holds: list[int] = []

    def sync(self, folder: Path, now: datetime) -> SyncResult:
        return sync(self.store, self.data, folder, now)

    def close(self) -> None:
        self.store.close()


def _kill_a_sync(device: Device, folder: Path, rng: random.Random) -> None:
    """`studyapp sync` in another process, killed with SIGKILL at a random moment."""
    process = subprocess.Popen(
        [*studyapp_command(), "--data-dir", str(device.data), "sync", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(0.0, 1.2))  # where the kill lands varies; every point must be safe
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _tear(device: Device, folder: Path, rng: random.Random) -> None:
    """What a kill -9 in the middle of an append leaves: part of a line at the end."""
    path = folder / SYNC_DIR / f"{device_id(device.data)}.events"
    if path.exists():
        with open(path, "ab") as out:
            out.write(b'0badc0de {"id": "r:torn", "type": "revi'[: rng.randint(3, 30)])


def _converge(devices: list[Device], folder: Path, now: datetime) -> list[SyncResult]:
    results = []
    for device in devices + devices:
        results.append(device.sync(folder, now))
    return results[-len(devices):]


def _snapshot(device: Device) -> tuple[object, ...]:
    events = sorted(e["id"] for e in device.store.sync_events())
    return (events, device.store.sync_schedule(), device.store.review_count())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_three_devices_in_random_orders_end_with_the_same_history(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    folder = tmp_path / "shared"
    folder.mkdir()
    devices = [Device(tmp_path, name) for name in ("laptop", "desktop", "phone")]
    now = T0
    kills = 0
    try:
        for _step in range(90):
            now += timedelta(minutes=rng.choice((1, 7, 30, 300, 1440)))
            device = rng.choice(devices)
            action = rng.choices(
                ("review", "undo", "hold", "release", "quiz", "sync", "tear", "kill"),
                weights=(10, 3, 1, 1, 1, 4, 1, 1 if kills < 2 else 0),
            )[0]
            if action == "review":
                device.last = device.store.record_review(
                    rng.choice(ITEMS), "card", rng.randint(1, 4), now
                )
            elif action == "undo" and device.last is not None:
                device.store.undo_review(device.last.review_id)
                device.last = None
            elif action == "hold":
                kind = rng.choice(("bury", "suspend"))
                device.holds.append(device.store.hold(rng.choice(ITEMS), kind, now))
            elif action == "release" and device.holds:
                device.store.release_hold(device.holds.pop())
            elif action == "quiz":
                device.store.record_quiz(
                    f"s{seed}-{now.isoformat()}",
                    [QuizAnswer(rng.choice(ITEMS), rng.random() < 0.5, now)],
                )
            elif action == "sync":
                device.sync(folder, now)
            elif action == "tear":
                _tear(device, folder, rng)
            elif action == "kill":
                kills += 1
                _kill_a_sync(device, folder, rng)
        results = _converge(devices, folder, now)
        first = _snapshot(devices[0])
        assert first[2] > 0
        for device in devices[1:]:
            assert _snapshot(device) == first
        assert len({r.digest for r in results}) == 1
        assert {r.devices for r in results} == {3}
        assert {r.reviews for r in results} == {first[2]}

        # A second sync with nothing new changes nothing, on any device or in the folder.
        files = {p.name: p.read_bytes() for p in (folder / SYNC_DIR).iterdir()}
        again = [device.sync(folder, now) for device in devices]
        assert {r.appended for r in again} == {0} and {r.received for r in again} == {0}
        assert [r.digest for r in again] == [r.digest for r in results]
        assert {p.name: p.read_bytes() for p in (folder / SYNC_DIR).iterdir()} == files
        for device in devices:
            assert _snapshot(device) == first
        # Every device file ends in a whole line: torn tails were repaired by their owner.
        for content in files.values():
            assert content.endswith(b"\n")
    finally:
        for device in devices:
            device.close()


def test_an_undo_on_one_device_is_undone_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    a, b = Device(tmp_path, "a"), Device(tmp_path, "b")
    try:
        item = ITEMS[0]
        a.store.record_review(item, "card", 3, T0)
        kept = a.store.record_review(ITEMS[1], "card", 3, T0)
        a.sync(folder, T0)
        b.sync(folder, T0)
        assert b.store.state(item) is not None
        # b rates the item again on top of a's rating; a then takes back its own rating.
        b.store.record_review(item, "card", 1, T0 + timedelta(days=2))
        review = next(r for r in a.store.sync_events()
                      if r["type"] == "review" and r["item"] == item.item_id)
        assert a.store.undo_review(int(review["id"].split(":")[2])) == item
        a.sync(folder, T0)
        b.sync(folder, T0)
        result = a.sync(folder, T0)
        for device in (a, b):
            # only b's "again" is left for the item, replayed as a first rating
            assert device.store.state(item) == b.store.state(item)
            assert device.store.review_count() == 2
        assert a.store.state(ITEMS[1]) == kept.after
        assert result.reviews == 2
    finally:
        a.close()
        b.close()


def test_with_fuzzing_on_every_device_computes_the_same_schedule(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    fuzzy = SchedulerConfig(enable_fuzzing=True)
    a = Device(tmp_path, "a", Scheduler(fuzzy))
    b = Device(tmp_path, "b", Scheduler(fuzzy))
    try:
        for item in ITEMS:
            moment = T0
            for rating in (4, 3, 3, 4):
                moment = a.store.record_review(item, "card", rating, moment).due
        a.sync(folder, T0)
        b.sync(folder, T0)
        schedule = b.store.sync_schedule()
        assert schedule == a.store.sync_schedule()
        assert len({row[-2] for row in schedule}) > 1  # same ratings, yet fuzz spread the dues
    finally:
        a.close()
        b.close()


def test_a_truncated_device_file_is_read_up_to_its_last_whole_line(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    a, b = Device(tmp_path, "a"), Device(tmp_path, "b")
    try:
        for n, item in enumerate(ITEMS[:4]):
            a.store.record_review(item, "card", 3, T0 + timedelta(minutes=n))
        a.sync(folder, T0)
        path = folder / SYNC_DIR / f"{device_id(a.data)}.events"
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) - 10])  # the last line cut in the middle
        events, good = read_device_file(path)
        assert len(events) == 3 and good == whole.rindex(b"\n", 0, len(whole) - 1) + 1
        partial = b.sync(folder, T0)
        assert partial.reviews == 3  # what arrived whole; the rest comes next time
        a.sync(folder, T0)  # its owner cuts the torn tail and writes the line again
        assert path.read_bytes().endswith(b"\n")
        complete = b.sync(folder, T0)
        assert complete.reviews == 4
        assert complete.digest == a.sync(folder, T0).digest
        assert a.store.sync_schedule() == b.store.sync_schedule()
        # A kill during an append of a's own leaves a torn tail: a's next sync, with nothing
        # new to send, cuts it off and leaves the file as it was.
        repaired = path.read_bytes()
        with open(path, "ab") as out:
            out.write(b"0badc0de {\"id\": \"r:")
        assert a.sync(folder, T0).appended == 0
        assert path.read_bytes() == repaired
    finally:
        a.close()
        b.close()


def test_a_database_made_afresh_under_the_same_device_id_loses_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    a = Device(tmp_path, "a")
    a.store.record_review(ITEMS[0], "card", 3, T0)
    a.sync(folder, T0)
    a.close()
    for path in a.data.glob("reviews.sqlite3*"):
        path.unlink()  # the database is gone; device-id stays
    fresh = Device(tmp_path, "a")
    try:
        fresh.store.record_review(ITEMS[1], "card", 1, T0 + timedelta(hours=1))
        result = fresh.sync(folder, T0)
        assert result.reviews == 2
        assert fresh.store.state(ITEMS[0]) is not None and fresh.store.state(ITEMS[1]) is not None
    finally:
        fresh.close()


def test_a_damaged_line_in_the_middle_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "shared" / SYNC_DIR
    folder.mkdir(parents=True)
    path = folder / "0123456789abcdef.events"
    path.write_bytes(b"garbage\n00000000 {}\n")
    assert read_device_file(path) == ([], 0)


def test_sync_command_prints_the_contract_line(
    run_studyapp: RunStudyapp, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    with ReviewStore.open(data_dir, now=T0) as store:
        store.record_review(ITEMS[0], "card", 3, T0)
        store.record_review(ITEMS[1], "card", 1, T0)
    result = run_studyapp("sync", str(folder))
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"synced: 2 reviews from 1 devices, history [0-9a-f]{12}", last)
    again = run_studyapp("sync", str(folder))
    assert again.stdout.splitlines()[-1] == last
    with ReviewStore.open(data_dir, readonly=True) as store:
        assert store.last_sync() is not None


def test_a_missing_sync_folder_is_one_line(run_studyapp: RunStudyapp, tmp_path: Path) -> None:
    result = run_studyapp("sync", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert result.stderr.strip().endswith("the sync folder does not exist (or is not a folder)")


def test_a_device_with_nothing_to_send_is_counted_by_every_device(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    a, b = Device(tmp_path, "a"), Device(tmp_path, "b")
    try:
        a.store.record_review(ITEMS[0], "card", 3, T0)
        assert a.sync(folder, T0).devices == 1
        assert b.sync(folder, T0).devices == 2  # b has no review of its own
        # a sees b too: b's (empty) device file says it syncs through this folder
        assert a.sync(folder, T0).devices == 2
        assert (folder / SYNC_DIR / f"{device_id(b.data)}.events").stat().st_size == 0
    finally:
        a.close()
        b.close()
