"""Imports refuse what is not a regular file, before reading it: a FIFO would block for
ever and /dev/zero never ends (issue 13, cause 6, for the import commands)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studyapp.deck.loader import load_deck_file

from .conftest import RunStudyapp, assert_no_traceback

IMPORTS = [
    ("csv", "deck.csv"),
    ("page", "page.txt"),
    ("text", "notes.txt"),
    ("anki", "deck.apkg"),
]


@pytest.mark.parametrize(("kind", "name"), IMPORTS)
def test_a_fifo_is_refused_in_one_line_without_waiting(
    run_studyapp: RunStudyapp, tmp_path: Path, kind: str, name: str
) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    target = tmp_path / "lib" if kind == "anki" else tmp_path / "out.yaml"
    result = run_studyapp("import", kind, str(fifo), "-o", str(target), timeout=60)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "not a regular file" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize(("kind", "name"), IMPORTS[:3])
def test_dev_zero_is_refused_before_it_is_read(
    run_studyapp: RunStudyapp, tmp_path: Path, kind: str, name: str
) -> None:
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    result = run_studyapp("import", kind, str(link), "-o", str(tmp_path / "out.yaml"),
                          timeout=60)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "not a regular file" in result.stderr


def test_a_spreadsheet_s_crlf_inside_a_cell_becomes_a_line_break(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes(b'kind,id,front,back,tags\r\ncard,a,"line one\r\nline two",back,\r\n')
    target = tmp_path / "deck.yaml"
    result = run_studyapp("import", "csv", str(source), "-o", str(target))
    assert result.returncode == 0, result.stderr
    deck = load_deck_file(target).model
    assert deck is not None and deck.cards[0].front == "line one\nline two"
