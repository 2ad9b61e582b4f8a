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
from studyapp.inputfile import UnreadableFile, read_regular_file
from studyapp.schedule import parse_timestamp

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
#: The most bytes of one device file read: far beyond years of reviews, and a bound on
#: what a file that is not ours can make a sync hold in memory.
MAX_DEVICE_FILE_BYTES = 1024 * 1024 * 1024
#: The longest text field of an event (ids, deck and item ids, kinds) that is taken.
_MAX_FIELD = 1000


def _is_text(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_FIELD


def _is_moment(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


def _is_whole(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _well_formed(event: dict[str, Any]) -> bool:
    """Whether each field of a known event has the type and range studyapp writes: a file
    edited by hand, damaged in a way its CRC does not catch, or written by something else
    must not reach the database (a rating of 9, a time that does not parse)."""
    kind = event["type"]
    if kind in ("undo", "release"):
        return _is_text(event["of"])
    if not (_is_text(event["deck"]) and _is_text(event["item"])):
        return False
    if kind == "review":
        duration = event["duration_ms"]
        return (_is_text(event["kind"]) and _is_whole(event["rating"], 1, 4)
                and _is_moment(event["at"])
                and (duration is None or _is_whole(duration, 0, 2**62)))
    if kind == "hold":
        until = event["until"]
        return (event["kind"] in ("bury", "suspend") and _is_moment(event["since"])
                and (until is None) == (event["kind"] == "suspend")
                and (until is None or _is_moment(until)))
    return (_is_text(event["session"]) and isinstance(event["correct"], bool)
            and _is_moment(event["at"]))


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
    text = ""
    if os.path.lexists(path):
        try:
            text = read_regular_file(path, 4096, what="a device id").decode("ascii").strip()
        except (UnreadableFile, UnicodeDecodeError) as error:
            raise DataError(f"{path}: cannot read the device id ({error})") from None
    if text:
        if len(text) != 16 or not set(text) <= _DEVICE_CHARS:
            raise DataError(f"{path}: not a device id (16 hex digits); delete it to make one")
        return text
    made = secrets.token_hex(8)
    from studyapp.atomicfile import write_bytes_atomically

    try:
        write_bytes_atomically(path, (made + "\n").encode("ascii"), force=True,
                               make_folder=True)
    except DataError as error:
        raise DataError(f"cannot save the device id: {error}") from None
    return made


def _canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _line(event: dict[str, Any]) -> bytes:
    body = _canonical(event).encode("utf-8")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def read_device_file(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The events of a device file, and how many bytes of it are whole checked lines (the
    rest is a torn tail: an append cut short, or a file still arriving)."""
    if not os.path.lexists(path):
        return [], 0
    try:
        # Any file in a shared folder can be there: a FIFO would block, /dev/zero never ends.
        data = read_regular_file(path, MAX_DEVICE_FILE_BYTES, what="a device file")
    except UnreadableFile as error:
        raise DataError(f"{path}: {error}") from None
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
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(event, dict) or not _is_text(event.get("id")):
        return None
    kind = event.get("type")
    needed = _FIELDS.get(kind) if isinstance(kind, str) else None
    if needed is None or not needed <= event.keys():
        return None  # a kind of event a newer version writes, or a damaged one: skipped
    return event if _well_formed(event) else None


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
    # Rows edited by hand into something no device would take are not sent (the store
    # reports the rows whose times do not parse).
    mine = {event["id"]: event for event in store.sync_events() if _well_formed(event)}
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
