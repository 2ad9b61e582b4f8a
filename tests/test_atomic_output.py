"""Cause 1 and 15 of issue 13: outputs never replace a device, a pipe or a folder; odd names,
a full stdout and SIGTERM end in one line and leave nothing behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from studyapp.atomicfile import atomic_output, write_bytes_atomically
from studyapp.errors import DataError
from tests.conftest import FIXTURES, REPO, RunStudyapp, studyapp_command


def _device(tmp_path: Path) -> Path:
    """A character device of our own: a copy of /dev/null's node when we may make one
    (root), else /dev/null itself (an unprivileged rename over it fails anyway)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return node


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("kind", ["csv", "pdf", "anki"])
def test_export_refuses_a_fifo_and_a_device_and_leaves_them_as_they_were(
    run_studyapp: RunStudyapp, tmp_path: Path, kind: str
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    device = _device(tmp_path)
    for target in (fifo, device):
        done = run_studyapp("export", kind, "wavenet", "-o", str(target), "--force")
        if done.returncode == 2 and "--force" in done.stderr:  # exporters without --force
            done = run_studyapp("export", kind, "wavenet", "-o", str(target))
        assert done.returncode == 1, done.stderr
        assert "not a regular file" in done.stderr
        assert "Traceback" not in done.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert _leftovers(tmp_path) == []


def test_the_helper_refuses_non_files_and_existing_files_without_force(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="pipe, not a regular file"):
        write_bytes_atomically(fifo, b"x", force=True)
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataError, match="is a folder"):
        write_bytes_atomically(tmp_path / "folder", b"x", force=True)
    link = tmp_path / "to-null"
    link.symlink_to(_device(tmp_path))
    with pytest.raises(DataError, match="device, not a regular file"):
        write_bytes_atomically(link, b"x", force=True)
    existing = tmp_path / "out.txt"
    existing.write_text("old")
    with pytest.raises(DataError, match="already exists"):
        write_bytes_atomically(existing, b"new", force=False)
    write_bytes_atomically(existing, b"new", force=True)
    assert existing.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_a_failing_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target, force=True) as temporary:
        temporary.write_text("half")
        raise RuntimeError("stop")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_a_long_name_is_written_or_refused_in_one_line(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    near_limit = tmp_path / ("a" * 251 + ".pdf")  # 255 bytes: the temporary name must be shorter
    done = run_studyapp("export", "pdf", "wavenet", "-o", str(near_limit))
    assert done.returncode == 0, done.stderr
    assert near_limit.is_file()
    too_long = tmp_path / ("b" * 300)
    done = run_studyapp("export", "csv", "wavenet", "-o", str(too_long))
    assert done.returncode == 1
    assert "File name too long" in done.stderr
    assert "internal error" not in done.stderr


def test_an_unknown_user_s_home_in_data_dir_is_one_line(run_studyapp: RunStudyapp) -> None:
    done = run_studyapp("--data-dir", "~nosuchuser-studyapp", "stats")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "studyapp: ~nosuchuser-studyapp: cannot expand '~' (no such user or home folder)"
    )


def test_import_anki_refuses_a_pipe_where_a_media_file_goes(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    # The existing media file was read to compare it with the package's: a FIFO blocked
    # the import for ever.
    library = tmp_path / "lib"
    (library / "media").mkdir(parents=True)
    pipe = library / "media" / "tree.png"
    os.mkfifo(pipe)
    done = run_studyapp("import", "anki", str(FIXTURES / "anki" / "new-format.apkg"),
                        "-o", str(library), timeout=60)
    assert done.returncode == 1
    assert done.stderr == (f"studyapp: {pipe}: is a pipe, not a regular file; studyapp only "
                           "writes files\n")
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert not (library / "decks").exists()


def test_pdf_fonts_are_found_without_a_home_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # No HOME and no passwd entry (a container run under a bare uid): pathlib's expanduser
    # raised RuntimeError for the ~/.fonts folders, so every PDF export crashed.
    import pwd

    from studyapp.export.pdf import find_dejavu

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(RuntimeError):
        Path("~/.fonts").expanduser()
    assert find_dejavu.__wrapped__() == find_dejavu()


@pytest.mark.parametrize("args", [["check"], ["schema", "deck"], ["calc", "levels", "27"],
                                  ["--help"], ["--version"], ["export", "pdf", "--help"]])
def test_stdout_on_a_full_device_is_one_line(tmp_path: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*studyapp_command(), *args], stdout=full, stderr=subprocess.PIPE, text=True,
            cwd=REPO, env={**os.environ, "STUDYAPP_DATA_DIR": str(tmp_path)}, check=False,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == "studyapp: cannot write the output (No space left on device)"


# SIGHUP is what a closed terminal (a dropped ssh session) sends.
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_during_an_export_leaves_no_temporary_file(
    tmp_path: Path, stop: signal.Signals
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    cards = "".join(
        f"  - id: c{i}\n    front: card number {i} {'word ' * 40}\n    back: back {i}\n"
        for i in range(3000)
    )
    (library / "decks" / "big.yaml").write_text(f"id: big\ntitle: Big\ncards:\n{cards}")
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [*studyapp_command(), "--library", str(library), "export", "pdf", "big",
         "-o", str(out / "big.pdf")],
        stderr=subprocess.PIPE, text=True,
        env={**os.environ, "STUDYAPP_DATA_DIR": str(tmp_path / "data")},
    )
    # Wait until the temporary file exists (the export is under way), then stop it.
    while not _leftovers(out) and process.poll() is None:
        os.sched_yield()
    assert process.poll() is None, "the export finished before it could be stopped"
    process.send_signal(stop)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + stop, err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


def test_the_crash_report_never_writes_through_a_planted_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile
    import time

    from studyapp import cli

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(time, "strftime", lambda _format: "20260101-000000")
    planted = tmp_path / f"studyapp-crash-20260101-000000-{os.getpid()}.txt"
    planted.symlink_to(victim)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        assert cli._report_crash() == "(could not write a report)"
    assert victim.read_text() == "precious"
    planted.unlink()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        written = Path(cli._report_crash())
    assert "RuntimeError: boom" in written.read_text()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
