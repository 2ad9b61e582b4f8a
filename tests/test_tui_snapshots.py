"""Snapshot tests of the TUI at 80×24: home, review, quiz and calculator.

Deterministic by construction: a fixed clock, an empty data dir, and a copy of the built-in
library in a folder named `library` inside a home folder made for the test (the screens name
a library from the home folder: `~/library`). Update with `pytest --snapshot-update` only
after looking at the new SVGs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from studyapp.tui.app import StudyApp
from tests.test_tui import SIZE, copy_library, make_app, wait_for_library

SnapCompare = Callable[..., bool]


@pytest.fixture
def app(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> StudyApp:
    monkeypatch.setenv("HOME", str(tmp_path))
    return make_app(copy_library(tmp_path / "library"), data_dir)


def snap(snap_compare: SnapCompare, app: StudyApp, press: Iterable[str] = ()) -> bool:
    return snap_compare(app, press=list(press), terminal_size=SIZE, run_before=wait_for_library)


def test_home(snap_compare: SnapCompare, app: StudyApp) -> None:
    assert snap(snap_compare, app)


def test_review_revealed(snap_compare: SnapCompare, app: StudyApp) -> None:
    assert snap(snap_compare, app, press=["r", "space"])


def test_exercise_quiz_after_a_wrong_answer(snap_compare: SnapCompare, app: StudyApp) -> None:
    assert snap(snap_compare, app, press=["w", "5", "enter"])


def test_calculator(snap_compare: SnapCompare, app: StudyApp) -> None:
    assert snap(snap_compare, app, press=["c"])


def test_calculator_refuses_a_zero_context(snap_compare: SnapCompare, app: StudyApp) -> None:
    assert snap(snap_compare, app, press=["c", "end", "backspace", "0"])
