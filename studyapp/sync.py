"""`studyapp sync FOLDER`: exchange review history through any shared folder, no server.

Each data folder has a device id (``device-id``, made on first sync). In FOLDER, each
device owns one append-only file, ``studyapp-sync/<device>.events``, that no other device
ever writes; any file-syncing tool or a git repository can carry the folder.

A line of a device file is ``CRC32 JSON`` and ends with a newline; the JSON is one event:
a rating, the undo of a rating, a bury or suspend, its release, or a quiz answer, each
with an id that is the same on every device. A sync

1. names this device's new rows (`ReviewStore.sync_name_events`);
2. reads every device file, complete checked lines only: a torn tail (a kill -9 during an
   append, or a file still arriving) is left for the next sync; its own file's torn tail
   is cut off first, since only this device writes it;
3. appends, in one write followed by fsync, every event this device holds that no device
   file has yet;
4. merges the union into the database and replays every item's FSRS state from it
   (`ReviewStore.sync_merge`), in one transaction.

Every step can be repeated, in any order across devices: a kill at any point loses
nothing, and devices holding the same events compute the same schedule (fuzz, if on, is
derived from the item and the moment, never random) and print the same digest of the
history. The schedule is replayed with each device's own scheduler settings: devices
with different retention, steps or fitted parameters schedule the same history each in
its own way (the digest, which names the events, is still the same).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studyapp.errors import DataError

if TYPE_CHECKING:
    from studyapp.store import ReviewStore

__all__ = [
    "DEVICE_FILE",
    "SYNC_DIR",
    "SyncResult",
    "device_id",
    "history_digest",
    "read_device_file",
    "sync",
]

#: The file in the data folder that names this device.
DEVICE_FILE = "device-id"
#: The folder inside the sync folder that holds the device files.
SYNC_DIR = "studyapp-sync"
_SUFFIX = ".events"
_DEVICE_CHARS = set("0123456789abcdef")
#: The fields each kind of event must have.
_FIELDS: dict[str, set[str]] = {
    "review": {"deck", "item", "kind", "rating", "at", "duration_ms"},
    "undo": {"of"},
    "hold": {"deck", "item", "kind", "since", "until"},
    "release": {"of"},
    "quiz": {"session", "deck", "item", "correct", "at"},
}


@dataclass(frozen=True)
class SyncResult:
    """What a sync found: ratings not undone, devices in the folder, the history digest."""

    reviews: int
    devices: int
    digest: str
    appended: int
    received: int

    def line(self) -> str:
        """The contract's last line."""
        return f"synced: {self.reviews} reviews from {self.devices} devices, history {self.digest}"


def device_id(data_dir: Path) -> str:
    """This data folder's device id (16 hex digits), made and saved on first use."""
    path = Path(data_dir) / DEVICE_FILE
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot read the device id ({error})") from None
    if text:
        if len(text) != 16 or not set(text) <= _DEVICE_CHARS:
            raise DataError(f"{path}: not a device id (16 hex digits); delete it to make one")
        return text
    made = secrets.token_hex(8)
    partial = path.with_name(f".{DEVICE_FILE}.{os.getpid()}.partial")
    try:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with open(partial, "w", encoding="ascii") as out:
            out.write(made + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DataError(f"{path}: cannot save the device id ({error.strerror})") from None
    return made


def _canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _line(event: dict[str, Any]) -> bytes:
    body = _canonical(event).encode("utf-8")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def read_device_file(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The events of a device file, and how many bytes of it are whole checked lines (the
    rest is a torn tail: an append cut short, or a file still arriving)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    except OSError as error:
        raise DataError(f"{path}: cannot read the device file ({error.strerror})") from None
    events: list[dict[str, Any]] = []
    good = 0
    position = 0
    while True:
        end = data.find(b"\n", position)
        if end < 0:
            break
        line = data[position:end]
        position = end + 1
        event = _parse(line)
        if event is None:
            continue  # a damaged line in the middle: skipped, the rest still counts
        events.append(event)
        good = position
    return events, good


def _parse(line: bytes) -> dict[str, Any] | None:
    crc, _, body = line.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            return None
        event = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        return None
    needed = _FIELDS.get(event.get("type"))  # type: ignore[arg-type]
    if needed is None or not needed <= event.keys():
        return None  # a kind of event a newer version writes, or a damaged one: skipped
    return event


def history_digest(events: dict[str, dict[str, Any]]) -> str:
    """12 hex digits naming a set of events: the same set gives the same digest anywhere."""
    digest = hashlib.sha256()
    for event_id in sorted(events):
        digest.update(_canonical(events[event_id]).encode("utf-8") + b"\n")
    return digest.hexdigest()[:12]


def _append(path: Path, lines: list[bytes], keep: int) -> None:
    """Cut this device's own file to its `keep` whole lines, append `lines`, fsync."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size != keep:
                os.ftruncate(fd, keep)  # a torn tail of our own: only we ever write here
            os.lseek(fd, keep, os.SEEK_SET)
            payload = b"".join(lines)
            while payload:
                written = os.write(fd, payload)
                payload = payload[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise DataError(f"{path}: cannot write the device file ({error.strerror})") from None


def sync(store: ReviewStore, data_dir: Path, folder: Path, now: datetime | None = None
         ) -> SyncResult:
    """Exchange history with every device that syncs through `folder` (see the module)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: the sync folder does not exist (or is not a folder)")
    me = device_id(data_dir)
    store.sync_name_events(me)
    directory = folder / SYNC_DIR
    own = directory / f"{me}{_SUFFIX}"
    on_disk: dict[str, dict[str, Any]] = {}
    devices = {me}
    try:
        others = sorted(directory.glob(f"*{_SUFFIX}")) if directory.is_dir() else []
    except OSError as error:
        raise DataError(f"{directory}: cannot list the device files ({error.strerror})") from None
    keep = 0
    for path in others:
        events, good = read_device_file(path)
        if path.name == own.name:
            keep = good
        # Every device that has synced has its file, empty if it had nothing to send, so
        # each device counts the same devices.
        devices.add(path.name.removesuffix(_SUFFIX))
        for event in events:
            on_disk.setdefault(event["id"], event)
    mine = {event["id"]: event for event in store.sync_events()}
    missing = [mine[event_id] for event_id in sorted(mine) if event_id not in on_disk]
    if missing or not own.exists() or own.stat().st_size != keep:
        _append(own, [_line(event) for event in missing], keep)
    received = [event for event_id, event in on_disk.items() if event_id not in mine]
    merged = {**on_disk, **mine}
    store.sync_merge(merged.values())
    undone = {e["of"] for e in merged.values() if e.get("type") == "undo"}
    reviews = sum(
        1 for e in merged.values() if e.get("type") == "review" and e["id"] not in undone
    )
    result = SyncResult(reviews, len(devices), history_digest(merged), len(missing),
                        len(received))
    moment = now if now is not None else datetime.now(UTC)
    store.record_sync(moment, str(folder), result.reviews, result.devices, result.digest)
    return result
