"""Cause 8 of issue 13: cache and summary files in the data folder that were edited by hand
([] or "x" or 200,000 nested lists, duplicate ids, a wrong answer, an edit that keeps size
and mtime) are never trusted: the library is rebuilt from its YAML. Sync's device files,
the other JSON studyapp reads back, skip lines whose fields no studyapp writes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from studyapp import __version__
from studyapp.deck.cache import cache_path, load_library_cached
from studyapp.deck.summary import read_summary, summary_path
from tests.conftest import REPO, RunStudyapp


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    (root / "decks").mkdir(parents=True)
    shutil.copy(REPO / "decks" / "wavenet.yaml", root / "decks")
    shutil.copytree(REPO / "exercises", root / "exercises")
    return root


HOSTILE = [b"[]", b'"x"', b"[" * 200_000 + b"]" * 200_000, b"{}", b"null"]


@pytest.mark.parametrize("body", HOSTILE, ids=["list", "string", "deep", "empty", "null"])
def test_hostile_cache_and_summary_files_are_rebuilt(
    library: Path, tmp_path: Path, body: bytes
) -> None:
    cache_dir = tmp_path / "cache"
    load_library_cached(library, cache_dir)
    for path in (cache_path(cache_dir, library), summary_path(cache_dir, library)):
        path.write_bytes(body)
    assert read_summary(library, cache_dir, __version__) is None
    loaded = load_library_cached(library, cache_dir)
    assert "wavenet" in loaded.decks
    summary = read_summary(library, cache_dir, __version__)
    assert summary is not None and [d.id for d in summary.decks] == ["wavenet"]


def test_an_edited_cache_holding_a_wrong_answer_or_duplicate_ids_is_not_trusted(
    library: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    load_library_cached(library, cache_dir)
    path = cache_path(cache_dir, library)
    text = path.read_text(encoding="utf-8")
    # keep the signature line, change the data after it: an answer and a duplicated id
    edited = text.replace('"answer":128', '"answer":129').replace(
        '"id":"wavenet-core-idea"', '"id":"flat-mlp-crude"')
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    loaded = load_library_cached(library, cache_dir)
    ids = [q.id for q in loaded.deck("wavenet").questions]
    assert len(ids) == len(set(ids))
    assert "wavenet-core-idea" in ids


def test_an_edit_keeping_size_and_mtime_is_not_served_stale(
    library: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    deck = library / "decks" / "wavenet.yaml"
    assert load_library_cached(library, cache_dir).deck("wavenet").title.startswith("Practice")
    before = deck.stat()
    text = deck.read_text(encoding="utf-8")
    deck.write_text(text.replace("Practice:", "Practise:", 1), encoding="utf-8")
    os.utime(deck, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert deck.stat().st_size == before.st_size
    assert load_library_cached(library, cache_dir).deck("wavenet").title.startswith("Practise")


def test_the_tui_s_deck_check_reads_a_hostile_summary_as_missing(
    run_studyapp: RunStudyapp, data_dir: Path, library: Path
) -> None:
    # `studyapp review DECK` checks DECK against the cached summary before the TUI starts
    load_library_cached(library, data_dir / "cache")
    for path in (data_dir / "cache").glob("library-*.json"):
        path.write_bytes(b"[" * 200_000)
    done = run_studyapp("--library", str(library), "review", "no-such-deck")
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("studyapp: unknown deck 'no-such-deck'")
    assert "(decks: wavenet)" in done.stderr


GOOD_REVIEW = {"id": "r:x", "type": "review", "deck": "wavenet", "item": "flat-mlp-crude",
               "kind": "question", "rating": 3, "at": "2026-01-05T10:00:00.000000Z",
               "duration_ms": 900}
NONSENSE = {
    "rating as text": {**GOOD_REVIEW, "rating": "x"},
    "rating out of range": {**GOOD_REVIEW, "rating": 9},
    "rating as float": {**GOOD_REVIEW, "rating": 3.7},
    "time that does not parse": {**GOOD_REVIEW, "at": "2026-13-45T99:00:00Z"},
    "deck as a list": {**GOOD_REVIEW, "deck": ["wavenet"]},
    "duration infinite": {**GOOD_REVIEW, "duration_ms": float("inf")},
    "hold of no kind": {"id": "h:x", "type": "hold", "deck": "wavenet", "item": "a",
                        "kind": "zzz", "since": "2026-01-05T10:00:00.000000Z", "until": None},
    "quiz answer at no time": {"id": "q:x", "type": "quiz", "session": "s", "deck": "wavenet",
                               "item": "a", "correct": True, "at": "zz"},
}


def _device_line(event: object) -> bytes:
    """One line of a device file with a right CRC: `event` as JSON, or bytes as they are."""
    import json
    import zlib

    raw = event if isinstance(event, bytes) else json.dumps(event).encode("utf-8")
    return b"%08x " % zlib.crc32(raw) + raw + b"\n"


@pytest.mark.parametrize("name", [*sorted(NONSENSE), "nested 200,000 deep"])
def test_device_file_lines_edited_into_nonsense_are_skipped_by_sync(
    run_studyapp: RunStudyapp, data_dir: Path, tmp_path: Path, name: str
) -> None:
    # A line with a right CRC but fields no studyapp writes (edited by hand, or written by
    # something else) is skipped like a damaged line; the good line beside it is taken.
    from studyapp.sync import SYNC_DIR

    folder = tmp_path / "shared" / SYNC_DIR
    folder.mkdir(parents=True)
    bad = b"[" * 200_000 + b"]" * 200_000 if name.startswith("nested") else NONSENSE[name]
    (folder / "0123456789abcdef.events").write_bytes(_device_line(bad)
                                                      + _device_line(GOOD_REVIEW))
    done = run_studyapp("sync", str(folder.parent))
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("synced: 1 reviews from 2 devices")
    done = run_studyapp("stats", "--json")
    assert '"reviews": 1' in done.stdout
