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
    """Name, size and modification time of every deck and exercise file of a library."""
    rows: list[list[Any]] = []
    for folder in ("decks", "exercises"):
        directory = root / folder
        if not directory.is_dir():
            continue
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            if entry.name.endswith(YAML_SUFFIXES) and entry.is_file():
                stat = entry.stat()
                rows.append([f"{folder}/{entry.name}", stat.st_size, stat.st_mtime_ns])
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
        payload = json.loads(path.read_bytes())
        if (
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
            tuple(FailedFile(f["path"], f["line"], f["column"], f["message"])
                  for f in payload["failed"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _deck_summary(data: dict[str, Any]) -> DeckSummary:
    item_ids, siblings = tuple(data["item_ids"]), tuple(data["siblings"])
    if len(item_ids) != len(siblings):
        raise ValueError("every item needs its sibling key")
    return DeckSummary(data["id"], data["title"], data["description"], item_ids, siblings)


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

    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        with atomic_output(path, force=True, make_folder=True) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except DataError:
        pass
