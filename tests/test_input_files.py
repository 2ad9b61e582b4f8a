"""Cause 6 of issue 13: inputs that are not regular files (a FIFO, /dev/zero) or are over the
size limit are refused before reading, in one line, by `check`, for settings.toml, for the
fitted FSRS parameters and for sync's device id and device files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studyapp.inputfile import UnreadableFile, read_regular_file
from studyapp.parameters import MAX_PARAMETERS_BYTES, PARAMETERS_NAME
from studyapp.settings import MAX_SETTINGS_BYTES
from studyapp.sync import DEVICE_FILE, SYNC_DIR
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


def _not_a_small_file(path: Path, shape: str, limit: int) -> None:
    if shape == "fifo":
        os.mkfifo(path)
    elif shape == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        with path.open("wb") as out:
            out.truncate(limit + 1)


@pytest.mark.parametrize("shape", ["fifo", "dev-zero", "oversize"])
def test_fsrs_parameters_that_are_not_a_small_regular_file_are_one_line(
    run_studyapp: RunStudyapp, data_dir: Path, shape: str
) -> None:
    parameters = data_dir / PARAMETERS_NAME
    _not_a_small_file(parameters, shape, MAX_PARAMETERS_BYTES)
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 1
    assert done.stderr.startswith(f"studyapp: {parameters}: ")
    expected = "over the 65536 bytes limit" if shape == "oversize" else "not a regular file"
    assert expected in done.stderr
    assert done.stderr.count("\n") == 1


def test_fsrs_parameters_nested_too_deeply_are_refused_as_not_ours(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    (data_dir / PARAMETERS_NAME).write_text("[" * 30_000 + "]" * 30_000)
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 1
    assert "not a parameters file written by 'studyapp optimize'" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("shape", ["fifo", "dev-zero"])
@pytest.mark.parametrize("which", ["device id", "device file"])
def test_sync_refuses_a_device_id_or_device_file_that_is_not_a_regular_file(
    run_studyapp: RunStudyapp, data_dir: Path, tmp_path: Path, shape: str, which: str
) -> None:
    folder = tmp_path / "shared"
    (folder / SYNC_DIR).mkdir(parents=True)
    target = (data_dir / DEVICE_FILE if which == "device id"
              else folder / SYNC_DIR / "0123456789abcdef.events")
    _not_a_small_file(target, shape, 0)
    done = run_studyapp("sync", str(folder))
    assert done.returncode == 1
    assert done.stderr.startswith(f"studyapp: {target}: ")
    assert "not a regular file" in done.stderr
    assert done.stderr.count("\n") == 1


def test_settings_nested_too_deeply_are_one_line(
    run_studyapp: RunStudyapp, data_dir: Path
) -> None:
    # tomllib parses nested arrays recursively: 5,000 levels were an internal error.
    settings = data_dir / "settings.toml"
    settings.write_text("learning_steps = " + "[" * 5000 + "]" * 5000 + "\n")
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 1
    assert done.stderr == f"studyapp: {settings}: the settings are nested too deeply\n"


def test_saving_the_theme_reads_the_old_settings_only_from_a_regular_file(
    tmp_path: Path,
) -> None:
    # Keeping the other lines meant reading settings.toml with no check: a FIFO there
    # blocked the TUI for ever, /dev/zero never ended. (A link to /dev/null shows it
    # without hanging the test: it used to be read, then refused only as an output.)
    from studyapp.errors import DataError
    from studyapp.settings import save_setting

    settings = tmp_path / "settings.toml"
    settings.symlink_to("/dev/null")
    with pytest.raises(DataError, match="cannot read the settings") as caught:
        save_setting(tmp_path, "theme", "textual-light")
    assert "it is a device, not a regular file" in str(caught.value)
    assert settings.is_symlink() and Path(os.readlink(settings)) == Path("/dev/null")


@pytest.mark.parametrize("end", ["", "-journal", "-wal", "-shm"])
def test_a_pipe_named_like_the_database_or_its_journal_is_one_line(
    run_studyapp: RunStudyapp, data_dir: Path, end: str
) -> None:
    # SQLite opened a FIFO named reviews.sqlite3-journal and blocked for ever (SIGTERM
    # could not end it either); every command that opens the database now refuses it.
    if end:
        assert run_studyapp("review", "--plain", "wavenet", input="\n3\n").returncode == 0
    pipe = data_dir / f"reviews.sqlite3{end}"
    pipe.unlink(missing_ok=True)
    os.mkfifo(pipe)
    for args in (["stats"], ["review", "--plain", "wavenet"]):
        done = run_studyapp(*args, input="q\n", timeout=60)
        assert done.returncode == 1
        assert done.stderr == (f"studyapp: {pipe}: is not a regular file, where studyapp "
                               "keeps its review database (move it away)\n")
