"""Cause 14 of issue 13: control characters written as YAML escapes ("\\x1b[2J", "\\r") are
refused like raw ones, so no deck text can drive the terminal of the plain modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunStudyapp


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\x1b[2J", "001B"), ("\\r", "000D"), ("\\0", "0000"), ("\\x9b", "009B"),
     ("\\u007f", "007F"), ("\\b", "0008")],
)
def test_an_escaped_control_character_is_refused_where_it_is_written(
    run_studyapp: RunStudyapp, tmp_path: Path, escape: str, code: str
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "esc.yaml").write_text(
        f'id: esc\ntitle: Escapes\ncards:\n  - id: a\n    front: plain\n    back: "x{escape}y"\n'
    )
    done = run_studyapp("--library", str(library), "check")
    assert done.returncode == 1
    assert f"esc.yaml:6:11: the text holds the control character U+{code}" in done.stdout
    done = run_studyapp("--library", str(library), "quiz", "--plain", "esc", input="\n\n")
    assert "\x1b" not in done.stdout and "\r" not in done.stdout
    assert "internal error" not in done.stderr


def test_tabs_newlines_and_ordinary_escapes_are_still_text(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "ok.yaml").write_text(
        'id: ok\ntitle: OK\ncards:\n  - id: a\n    front: "tab\\there"\n'
        '    back: "line\\nbreak \\u00e9 \\"quoted\\""\n'
    )
    done = run_studyapp("--library", str(library), "check")
    assert done.returncode == 0, done.stdout
