"""The floors of the architecture hold: the core never pulls in the TUI or PDF libraries."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO


def core_modules() -> list[str]:
    """Every studyapp module below the faces (cli, tui) and outside the exporters."""
    import pkgutil

    import studyapp

    faces = ("studyapp.tui", "studyapp.cli", "studyapp.__main__", "studyapp.export")
    return sorted(
        m.name
        for m in pkgutil.walk_packages(studyapp.__path__, "studyapp.")
        if not m.name.startswith(faces)
    )


CORE_MODULES = core_modules()


def test_the_core_is_where_we_think() -> None:
    assert {"studyapp.calc", "studyapp.deck.loader", "studyapp.grade"} <= set(CORE_MODULES)


def loaded_after(code: str) -> set[str]:
    """Top-level package names in sys.modules after running `code` in a fresh interpreter."""
    script = (
        "import sys, json\n"
        f"{code}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_do_not_import_ui_or_pdf(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert "textual" not in loaded
    assert "reportlab" not in loaded


def test_calc_command_starts_light() -> None:
    loaded = loaded_after(
        "import contextlib, io\n"
        "from studyapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['calc', 'levels', '16']) == 0\n"
    )
    # The calculator needs nothing beyond the standard library.
    assert not loaded & {"textual", "reportlab", "pydantic", "yaml", "fsrs", "rich"}


def test_check_command_never_imports_textual_or_reportlab() -> None:
    loaded = loaded_after(
        "import contextlib, io\n"
        "from studyapp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['check']) == 0\n"
    )
    assert "pydantic" in loaded  # it did validate
    assert not loaded & {"textual", "reportlab"}


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(
        __import__("pathlib").Path(sys.executable).parent / "lint-imports"
    )
    result = subprocess.run([lint], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
