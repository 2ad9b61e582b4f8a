"""A cache of loaded libraries, so unchanged YAML is never parsed twice.

The cache is plain JSON in the data directory (no pickle: a cache file must never be able
to run code). It stores each file's validated data and problems, keyed by the size,
nanosecond mtime, inode and content hash of every file in the library; any change reloads
the whole library. Each cache file is signed with a key kept in the cache folder, so a file
edited by hand (a wrong answer, duplicate ids, 200,000 nested lists) is never trusted or
even parsed: it is rebuilt from the YAML. Reading it back still validates through the same
pydantic models, which costs a fraction of parsing YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studyapp import __version__
from studyapp.deck.loader import FileReport, Library, load_library
from studyapp.deck.models import Deck, Exercise
from studyapp.deck.problems import Problem
from studyapp.deck.summary import (
    cache_stem,
    read_signed_json,
    signature,
    summarize,
    summary_path,
    write_json_atomically,
    write_summary,
)

CACHE_FORMAT = 1


def cache_path(cache_dir: Path, root: Path) -> Path:
    """One cache file per library folder."""
    return cache_stem(cache_dir, root).with_suffix(".json")


def _encode(library: Library, files: list[list[Any]]) -> dict[str, Any]:
    reports = []
    for report in library.reports:
        model = report.model
        reports.append(
            {
                "path": str(report.path),
                "kind": report.kind,
                "data": model.model_dump(mode="json", exclude_none=True) if model else None,
                "problems": [p.as_json() for p in report.problems],
            }
        )
    return {
        "format": CACHE_FORMAT,
        "version": __version__,
        "root": str(library.root),
        "signature": files,
        "reports": reports,
    }


def _decode(payload: dict[str, Any], root: Path) -> Library:
    library = Library(root)
    for entry in payload["reports"]:
        path = Path(entry["path"])
        report = FileReport(path, entry["kind"])
        report.problems = [
            Problem(Path(p["path"]), p["line"], p["column"], p["message"], p["severity"])
            for p in entry["problems"]
        ]
        data = entry["data"]
        if data is not None:
            model_class = Deck if report.kind == "deck" else Exercise
            report.model = model_class.model_validate(data)
        library.reports.append(report)
        if not report.ok:
            continue
        if isinstance(report.model, Deck):
            library.decks[report.model.id] = report.model
            library.deck_paths[report.model.id] = path
        elif isinstance(report.model, Exercise):
            library.exercises[report.model.id] = report.model
    return library


def load_library_cached(root: Path, cache_dir: Path | None) -> Library:
    """Load a library, from the cache when no file changed since it was written.

    The home screen's summary (deck/summary.py) is kept beside the cache: written with it,
    and again whenever it is missing.
    """
    if cache_dir is None:
        return load_library(root)
    files = signature(root)
    path = cache_path(cache_dir, root)
    try:
        payload = read_signed_json(path)
        if (
            isinstance(payload, dict)
            and payload.get("format") == CACHE_FORMAT
            and payload.get("version") == __version__
            and payload.get("root") == str(root)
            and payload.get("signature") == files
        ):
            library = _decode(payload, root)
            if not summary_path(cache_dir, root).exists():
                write_summary(summarize(library), cache_dir, __version__, files)
            return library
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
        pass  # no cache, or an unreadable one: load from YAML and write a fresh one
    library = load_library(root)
    write_json_atomically(path, _encode(library, files))
    write_summary(summarize(library), cache_dir, __version__, files)
    return library
