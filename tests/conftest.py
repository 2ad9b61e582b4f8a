"""Shared test helpers: running the installed `studyapp` command in a subprocess."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIBRARY_1_1 = FIXTURES / "library-1-1"
"""A library using deck-format 1.1 cards: cloze, reversed and fact keys."""


def studyapp_command() -> list[str]:
    """The installed console script next to this interpreter (as a user would run it)."""
    script = Path(sys.executable).parent / ("studyapp.exe" if os.name == "nt" else "studyapp")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "studyapp"]


RunStudyapp = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def _collector_on() -> None:
    """Importing studyapp.tui turns the garbage collector off until an app has loaded its
    library (a start-up saving). Collecting the tests imports it; the tests themselves
    run with the collector on, as any program does."""
    gc.enable()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for the review database."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def run_studyapp(tmp_path: Path, data_dir: Path) -> RunStudyapp:
    """Run `studyapp ARGS...` in a subprocess, from an empty folder, with a private data dir."""
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)

    def run(
        *args: str, input: str | None = None, cwd: Path | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "STUDYAPP_DATA_DIR": str(data_dir), "NO_COLOR": "1"}
        return subprocess.run(
            [*studyapp_command(), *args],
            input=input,
            capture_output=True,
            text=True,
            cwd=cwd or workdir,
            env=env,
            timeout=timeout,
            check=False,
        )

    return run


def classic_library(target: Path) -> Path:
    """The built-in decks and exercises in `target`, without `fact:` keys (no siblings)."""
    for folder in ("decks", "exercises"):
        (target / folder).mkdir(parents=True, exist_ok=True)
        for source in (REPO / folder).glob("*.yaml"):
            lines = source.read_text("utf-8").splitlines(keepends=True)
            kept = [line for line in lines if not line.lstrip().startswith("fact:")]
            (target / folder / source.name).write_text("".join(kept), encoding="utf-8")
    return target



@pytest.fixture
def sibling_free_library(tmp_path: Path) -> None:
    """Both places the tests run from get the built-in library without `fact:` keys."""
    classic_library(tmp_path)
    classic_library(tmp_path / "cwd")


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    """User mistakes get one plain line, never a Python traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


# Shared machines are noisy: hypothesis must never fail a test for being slow.
from hypothesis import settings  # noqa: E402

settings.register_profile("studyapp", deadline=None, print_blob=True)
settings.load_profile("studyapp")
