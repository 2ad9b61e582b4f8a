"""Cause 12 of issue 13: an Anki export that cannot be written (a full disk, `ulimit -f`)
is one line and exit 1, leaves the old output as it was and no temporary file anywhere
(genanki's own writer left a collection file in TMPDIR after every export); a U+001F, Anki's
field separator, never splits a field."""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import zipfile
from pathlib import Path

import pytest

from studyapp.deck.models import Card, Deck
from studyapp.errors import DataError
from studyapp.formats import anki
from studyapp.formats.anki import write_anki
from tests.conftest import REPO, RunStudyapp, studyapp_command

FILE_SIZE_LIMIT = 20_000
"""Bytes: below the wavenet package (about 60 KB), above anything else the command writes."""


def _export(output: Path, tmpdir: Path, *, file_size_limit: int | None = None
            ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONDONTWRITEBYTECODE": "1",
           "STUDYAPP_DATA_DIR": str(tmpdir.parent / "data")}
    return subprocess.run(
        [*studyapp_command(), "--library", str(REPO), "export", "anki", "wavenet",
         "-o", str(output)],
        capture_output=True, text=True, cwd=tmpdir.parent, env=env, check=False,
        preexec_fn=limit,
    )


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    tmpdir, out = tmp_path / "tmp", tmp_path / "out"
    tmpdir.mkdir()
    out.mkdir()
    return tmpdir, out


def test_an_export_over_the_file_size_limit_is_one_line_and_leaves_no_file(
    folders: tuple[Path, Path],
) -> None:
    tmpdir, out = folders
    output = out / "wavenet.apkg"
    output.write_bytes(b"the previous export")
    done = _export(output, tmpdir, file_size_limit=FILE_SIZE_LIMIT)
    # Killed by SIGXFSZ it would be -25; an internal error 70 (it was: sqlite3 disk I/O error).
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"studyapp: {output}: cannot write (the file would exceed the file size limit)\n"
    )
    assert output.read_bytes() == b"the previous export"
    assert sorted(p.name for p in out.iterdir()) == ["wavenet.apkg"]
    assert list(tmpdir.iterdir()) == []


def test_an_export_writes_nothing_into_tmpdir(folders: tuple[Path, Path]) -> None:
    tmpdir, out = folders
    output = out / "wavenet.apkg"
    done = _export(output, tmpdir)
    assert done.returncode == 0, done.stderr
    assert list(tmpdir.iterdir()) == []  # genanki's collection file stayed here every time
    assert sorted(p.name for p in out.iterdir()) == ["wavenet.apkg"]
    with zipfile.ZipFile(output) as package:
        assert package.namelist() == ["collection.anki2", "media"]
    notes = anki.read_anki(output).notes
    assert len(notes) == 11
    assert all(len(note.fields) == 3 for note in notes)


def test_a_full_disk_is_one_line_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"the previous export")
    real_writestr = zipfile.ZipFile.writestr

    def fill_the_disk(self: zipfile.ZipFile, name: str, data: bytes | str) -> None:
        real_writestr(self, name, data)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(zipfile.ZipFile, "writestr", fill_the_disk)
    deck = Deck(id="d", title="D", cards=[Card(id="c", front="F", back="B")])
    with pytest.raises(DataError) as caught:
        write_anki(deck, target)
    assert str(caught.value) == f"{target}: cannot write (the disk is full)"
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]


def test_a_field_separator_in_a_deck_file_never_reaches_the_package(
    run_studyapp: RunStudyapp, tmp_path: Path,
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "sep.yaml").write_text(
        'id: sep\ntitle: Sep\ncards:\n  - id: a\n    front: "one\\x1ftwo"\n    back: b\n'
    )
    output = tmp_path / "sep.apkg"
    done = run_studyapp("--library", str(library), "export", "anki", "sep", "-o", str(output))
    assert done.returncode == 1
    assert "files that failed to load: sep.yaml" in done.stderr
    assert not output.exists()
    done = run_studyapp("--library", str(library), "check")
    assert "sep.yaml:5:12: the text holds the control character U+001F" in done.stdout


def test_a_deck_built_in_code_with_a_field_separator_is_refused(tmp_path: Path) -> None:
    deck = Deck(id="d", title="D", cards=[Card(id="c", front="one\x1ftwo", back="B")])
    with pytest.raises(DataError) as caught:
        write_anki(deck, tmp_path / "d.apkg")
    assert str(caught.value) == "d/c: the text holds U+001F, Anki's field separator; remove it"
    assert list(tmp_path.iterdir()) == []


def test_importers_name_a_control_character_where_the_source_holds_it(
    run_studyapp: RunStudyapp, tmp_path: Path,
) -> None:
    # They used to refuse it at a line of the deck YAML they had not written.
    source = tmp_path / "in.csv"
    source.write_bytes(b'kind,front,back\ncard,plain,fine\ncard,"a\x1fb",c\n')
    done = run_studyapp("import", "csv", str(source), "-o", str(tmp_path / "c.yaml"))
    assert done.returncode == 1
    assert done.stderr == (
        f"studyapp: {source}:3: the front holds the control character U+001F; remove it\n"
    )
    text = tmp_path / "in.txt"
    text.write_bytes(b"#separator:tab\n#html:true\nfront\tback\nx &#31; y\tz\n")
    done = run_studyapp("import", "text", str(text), "-o", str(tmp_path / "t.yaml"))
    assert done.returncode == 1
    assert done.stderr == (
        f"studyapp: {text}:4: the text holds the control character U+001F; remove it\n"
    )
    assert not (tmp_path / "c.yaml").exists() and not (tmp_path / "t.yaml").exists()


def test_an_anki_note_with_a_control_character_is_skipped_and_named(
    run_studyapp: RunStudyapp, tmp_path: Path,
) -> None:
    package = tmp_path / "ctl.apkg"
    write_anki(Deck(id="ctl", title="Ctl", cards=[
        Card(id="v", front="pasted from Word\x0bsecond line", back="b"),
        Card(id="ok", front="ok", back="fine"),
    ]), package)
    library = tmp_path / "lib"
    done = run_studyapp("import", "anki", str(package), "-o", str(library), "--no-history")
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "U+000B" in line]
    assert len(warning) == 1
    assert warning[0].endswith("holds the control character U+000B (in a field or tag); skipped")
    written = (library / "decks" / "ctl.yaml").read_text(encoding="utf-8")
    assert "front: ok" in written and "Word" not in written
