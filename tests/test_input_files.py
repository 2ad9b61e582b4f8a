"""Cause 6 of issue 13: inputs that are not regular files (a FIFO, /dev/zero) or are over the
size limit are refused before reading, in one line, by `check` and for settings.toml."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studyapp.inputfile import UnreadableFile, read_regular_file
from studyapp.settings import MAX_SETTINGS_BYTES
from tests.conftest import RunStudyapp


def test_check_refuses_a_fifo_and_dev_zero_without_waiting_or_reading(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    fifo = tmp_path / "deck.yaml"
    os.mkfifo(fifo)  # nobody writes to it: opening it for reading would block for ever
    for source in (fifo, Path("/dev/zero")):
        done = run_studyapp("check", str(source))
        assert done.returncode == 1
        assert f"{source}:1:1: cannot read the file: it is a" in done.stdout
        assert "not a regular file" in done.stdout


def test_a_fifo_among_a_library_s_decks_does_not_hang_check(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "ok.yaml").write_text(
        "id: ok\ntitle: OK\ncards:\n  - id: a\n    front: f\n    back: b\n")
    os.mkfifo(library / "decks" / "pipe.yaml")
    done = run_studyapp("--library", str(library), "check")
    assert "ok.yaml: deck ok" in done.stdout
    assert "internal error" not in done.stderr


@pytest.mark.parametrize("shape", ["fifo", "dev-zero", "oversize"])
def test_settings_toml_that_is_not_a_small_regular_file_is_one_line(
    run_studyapp: RunStudyapp, data_dir: Path, shape: str
) -> None:
    settings = data_dir / "settings.toml"
    if shape == "fifo":
        os.mkfifo(settings)
    elif shape == "dev-zero":
        settings.symlink_to("/dev/zero")
    else:
        settings.write_text("# padding\n" * (MAX_SETTINGS_BYTES // 10 + 1))
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 1
    assert done.stderr.startswith(f"studyapp: {settings}: ")
    expected = "over the 65536 bytes limit" if shape == "oversize" else "not a regular file"
    assert expected in done.stderr
    assert done.stderr.count("\n") == 1


def test_the_reader_refuses_growth_past_the_limit_and_reads_small_files(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    assert read_regular_file(small, 3) == b"abc"
    with pytest.raises(UnreadableFile, match="over the 2 bytes limit for an input file"):
        read_regular_file(small, 2)
    with pytest.raises(UnreadableFile, match="it is a folder"):
        read_regular_file(tmp_path, 100)
