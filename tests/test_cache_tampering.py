"""Cause 8 of issue 13: cache and summary files in the data folder that were edited by hand
([] or "x" or 200,000 nested lists, duplicate ids, a wrong answer, an edit that keeps size
and mtime) are never trusted: the library is rebuilt from its YAML."""

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
