"""How the TUI names a library: by its place from the home folder, never a bare folder name."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.paths import LABEL_WIDTH, builtin_library, library_label, shorten_path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home" / "ada"
    folder.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    return folder


def test_the_built_in_library_is_named_so() -> None:
    assert library_label(builtin_library()) == "built-in library"


def test_a_library_under_home_is_named_from_it(home: Path) -> None:
    assert library_label(home / "notes" / "ml") == "~/notes/ml"
    assert library_label(home / "src") == "~/src"
    assert library_label(home) == "~"


def test_a_library_elsewhere_is_named_in_full(home: Path) -> None:
    assert library_label(Path("/nonexistent-studyapp/decks")) == "/nonexistent-studyapp/decks"


def test_a_relative_or_symlinked_path_names_the_folder_itself(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home / "notes" / "ml").mkdir(parents=True)
    (home / "ml-link").symlink_to(home / "notes" / "ml")
    monkeypatch.chdir(home / "notes")
    assert library_label(Path("ml")) == "~/notes/ml"
    assert library_label(home / "ml-link") == "~/notes/ml"


def test_a_long_name_keeps_its_end(home: Path) -> None:
    deep = home.joinpath(*[f"folder{n}" for n in range(12)], "ml")
    label = library_label(deep)
    assert len(label) <= LABEL_WIDTH
    assert label.startswith("…/") and label.endswith("/folder11/ml")
    assert shorten_path("/" + "x" * 60, 10) == "…" + "x" * 9
    assert shorten_path("~/a/b", 10) == "~/a/b"
