"""A light summary of a library (decks, item ids, failed files) for painting the home screen.

It is written next to the library cache and read back with nothing but `json`, so the home
screen can show every deck with its counts before pydantic, the models or the full library
are even imported. The full library still loads, in the background, right after.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from studyapp.deck.loader import Library

SUMMARY_FORMAT = 2
YAML_SUFFIXES = (".yaml", ".yml")


class DeckSummary(NamedTuple):
    """What the home screen needs of one deck."""

    id: str
    title: str
    description: str | None
    item_ids: tuple[str, ...]
    """Review item ids in deck order (questions, cards, whole exercises)."""
    siblings: tuple[str, ...]
    """The sibling key of each item in `item_ids` (items sharing one are buried together)."""


class FailedFile(NamedTuple):
    """A file that did not load, with its first error."""

    path: str
    line: int
    column: int
    message: str


class LibrarySummary(NamedTuple):
    """Every deck that loaded and every file that did not."""

    root: Path
    decks: tuple[DeckSummary, ...]
    failed: tuple[FailedFile, ...]


def signature(root: Path) -> list[list[Any]]:
    """Name, size, nanosecond modification time, inode and content hash of every deck and
    exercise file of a library: an edit that keeps the size and the mtime (or a file swapped
    for another) still changes it. Hashing is cheap next to parsing the YAML it spares."""
    rows: list[list[Any]] = []
    for folder in ("decks", "exercises"):
        directory = root / folder
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if not (entry.name.endswith(YAML_SUFFIXES) and entry.is_file()):
                    continue
                stat = entry.stat()
                digest = hashlib.blake2b(digest_size=16)
                with open(entry.path, "rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
            except OSError:  # a loop, a vanished file: it has no row, the loader says why
                continue
            rows.append([f"{folder}/{entry.name}", stat.st_size, stat.st_mtime_ns,
                         stat.st_ino, digest.hexdigest()])
    return rows


def cache_stem(cache_dir: Path, root: Path) -> Path:
    """Where one library's cache files live (without suffix)."""
    digest = hashlib.blake2b(str(root.resolve()).encode("utf-8"), digest_size=8).hexdigest()
    return cache_dir / f"library-{digest}"


def summary_path(cache_dir: Path, root: Path) -> Path:
    """The summary file of one library."""
    return cache_stem(cache_dir, root).with_suffix(".summary.json")


def summarize(library: Library) -> LibrarySummary:
    """The summary of a fully loaded library."""
    from studyapp.review import review_items

    decks = []
    for deck in library.decks.values():
        items = review_items(deck, library.exercises_of(deck))
        decks.append(DeckSummary(
            id=deck.id,
            title=deck.title,
            description=deck.description,
            item_ids=tuple(item.identity.item_id for item in items),
            siblings=tuple(item.sibling for item in items),
        ))
    failed = []
    for report in library.failed_reports:
        first = next((p for p in report.problems if p.severity == "error"), None)
        failed.append(
            FailedFile(
                str(report.path),
                first.line if first else 1,
                first.column if first else 1,
                first.message if first else "failed to load",
            )
        )
    return LibrarySummary(library.root, tuple(decks), tuple(failed))


def read_summary(root: Path, cache_dir: Path, version: str) -> LibrarySummary | None:
    """The cached summary, if no file of the library changed since it was written."""
    path = summary_path(cache_dir, root)
    try:
        payload = read_signed_json(path)
        if not isinstance(payload, dict) or (
            payload.get("format") != SUMMARY_FORMAT
            or payload.get("version") != version
            or payload.get("root") != str(root)
            or payload.get("signature") != signature(root)
        ):
            return None
        return LibrarySummary(
            root,
            tuple(
                _deck_summary(d) for d in payload["decks"]
            ),
            tuple(_failed_file(f) for f in payload["failed"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _text(value: Any, *, optional: bool = False) -> Any:
    if (optional and value is None) or isinstance(value, str):
        return value
    raise TypeError("not text")


def _deck_summary(data: dict[str, Any]) -> DeckSummary:
    item_ids = tuple(_text(i) for i in data["item_ids"])
    siblings = tuple(_text(i) for i in data["siblings"])
    if len(item_ids) != len(siblings) or len(set(item_ids)) != len(item_ids):
        raise ValueError("every item needs one sibling key and its own id")
    return DeckSummary(_text(data["id"]), _text(data["title"]),
                       _text(data["description"], optional=True), item_ids, siblings)


def _failed_file(data: dict[str, Any]) -> FailedFile:
    line, column = data["line"], data["column"]
    if type(line) is not int or type(column) is not int:
        raise TypeError("line and column are whole numbers")
    return FailedFile(_text(data["path"]), line, column, _text(data["message"]))


#: The key that signs this data folder's cache files, kept in the cache folder (0600). A
#: cache file that was edited by hand, or copied from elsewhere, fails its check and is
#: rebuilt from the YAML instead of being trusted.
KEY_NAME = "cache.key"
_MAX_CACHE_BYTES = 512 * 1024 * 1024


def _cache_key(cache_dir: Path, *, create: bool) -> bytes | None:
    from studyapp.inputfile import UnreadableFile, read_regular_file

    path = cache_dir / KEY_NAME
    try:
        key = read_regular_file(path, 64, what="a cache key")
        if len(key) == 32:
            return key
    except UnreadableFile:
        pass
    if not create:
        return None
    import secrets

    from studyapp.atomicfile import atomic_output
    from studyapp.errors import DataError

    key = secrets.token_bytes(32)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_output(path, force=True) as temporary:
            os.chmod(temporary, 0o600)
            temporary.write_bytes(key)
    except (DataError, OSError):
        return None
    return key


def _mac(key: bytes, body: bytes) -> bytes:
    import hmac

    return hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")


def read_signed_json(path: Path) -> Any:
    """The JSON in a cache file written by `write_json_atomically`; ValueError when it is not
    signed by this data folder's key (so it is never parsed), or is not JSON."""
    from studyapp.inputfile import UnreadableFile, read_regular_file

    key = _cache_key(path.parent, create=False)
    if key is None:
        raise ValueError("no cache key")
    try:
        raw = read_regular_file(path, _MAX_CACHE_BYTES, what="a cache file")
    except UnreadableFile as error:
        raise ValueError(str(error)) from None
    mac, newline, body = raw.partition(b"\n")
    import hmac

    if not newline or not hmac.compare_digest(mac, _mac(key, body)):
        raise ValueError("the cache file is not signed by this data folder")
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def write_summary(
    summary: LibrarySummary, cache_dir: Path, version: str, files: list[list[Any]]
) -> None:
    """Store the summary (atomically; a cache that cannot be written is skipped)."""
    payload = {
        "format": SUMMARY_FORMAT,
        "version": version,
        "root": str(summary.root),
        "signature": files,
        "decks": [
            {"id": d.id, "title": d.title, "description": d.description,
             "item_ids": list(d.item_ids), "siblings": list(d.siblings)}
            for d in summary.decks
        ],
        "failed": [
            {"path": f.path, "line": f.line, "column": f.column, "message": f.message}
            for f in summary.failed
        ],
    }
    write_json_atomically(summary_path(cache_dir, summary.root), payload)


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON through the project's atomic writer; skip on any failure (it is a cache)."""
    from studyapp.atomicfile import atomic_output  # only writers need it
    from studyapp.errors import DataError

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    key = _cache_key(path.parent, create=True)
    if key is None:
        return  # no key can be kept: no cache, everything loads from YAML
    try:
        with atomic_output(path, force=True, make_folder=True) as temporary:
            temporary.write_bytes(_mac(key, body) + b"\n" + body)
    except DataError:
        pass
