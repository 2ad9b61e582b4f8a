"""The library cache: unchanged YAML is never parsed twice, and any change is noticed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from studyapp.deck import cache as cache_module
from studyapp.deck.cache import cache_path, load_library_cached
from studyapp.deck.summary import read_signed_json

from .conftest import FIXTURES, REPO


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    shutil.copytree(REPO / "decks", root / "decks")
    shutil.copytree(REPO / "exercises", root / "exercises")
    shutil.copy(FIXTURES / "refusals" / "decks" / "missing-back.yaml", root / "decks")
    return root


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = cache_module.load_library

    def spy(root: Path) -> object:
        calls.append(root)
        return real(root)

    monkeypatch.setattr(cache_module, "load_library", spy)
    return calls


def test_second_load_comes_from_the_cache(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_loads(monkeypatch)
    first = load_library_cached(library, tmp_path / "cache")
    second = load_library_cached(library, tmp_path / "cache")
    assert len(calls) == 1
    assert second.decks == first.decks
    assert second.exercises == first.exercises
    assert [str(p) for p in second.problems] == [str(p) for p in first.problems]
    assert [r.path.name for r in second.failed_reports] == ["missing-back.yaml"]


def test_an_edited_file_is_loaded_again(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_loads(monkeypatch)
    load_library_cached(library, tmp_path / "cache")
    deck = library / "decks" / "wavenet.yaml"
    text = deck.read_text(encoding="utf-8").replace('title: "', 'title: "Edited - ', 1)
    deck.write_text(text, encoding="utf-8")
    stat = deck.stat()
    os.utime(deck, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    reloaded = load_library_cached(library, tmp_path / "cache")
    assert len(calls) == 2
    assert reloaded.deck("wavenet").title.startswith("Edited -")
    (library / "decks" / "missing-back.yaml").unlink()
    assert not load_library_cached(library, tmp_path / "cache").failed_reports
    assert len(calls) == 3


def test_a_corrupt_cache_is_ignored_and_replaced(library: Path, tmp_path: Path) -> None:
    load_library_cached(library, tmp_path / "cache")
    path = cache_path(tmp_path / "cache", library)
    path.write_bytes(b"\x00garbage{")
    loaded = load_library_cached(library, tmp_path / "cache")
    assert "wavenet" in loaded.decks
    assert read_signed_json(path)["format"] == 1  # rewritten, signed


def test_a_tampered_cache_cannot_smuggle_invalid_data(library: Path, tmp_path: Path) -> None:
    load_library_cached(library, tmp_path / "cache")
    path = cache_path(tmp_path / "cache", library)
    text = path.read_text(encoding="utf-8").replace('"id":"wavenet"', '"id":"Not A Slug"')
    path.write_text(text, encoding="utf-8")
    loaded = load_library_cached(library, tmp_path / "cache")
    assert "wavenet" in loaded.decks  # validation failed, so it reloaded from YAML
