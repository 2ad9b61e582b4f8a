"""Cause 9 of issue 13: library files that are symbolic links are read only when they stay
inside the library; loops and dangling links are one line each; a file that is not a deck
is never echoed back beyond a short excerpt."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, RunStudyapp

SECRET = "root:$6$averylongsecrethashthatmustneverbeprintedanywhere:19000:0:99999:7:::"


def test_links_outside_the_library_loops_and_dangling_links_are_not_read(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    outside = tmp_path / "shadow"
    outside.write_text(f"{SECRET}: x\n")
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "ok.yaml").write_text(
        "id: ok\ntitle: OK\ncards:\n  - id: a\n    front: f\n    back: b\n")
    (library / "shared").mkdir()
    (library / "shared" / "inner.yaml").write_text(
        "id: inner\ntitle: Inner\ncards:\n  - id: a\n    front: f\n    back: b\n")
    (library / "decks" / "inner.yaml").symlink_to("../shared/inner.yaml")
    (library / "decks" / "shadow.yaml").symlink_to(outside)
    (library / "decks" / "loop.yaml").symlink_to("loop.yaml")
    (library / "decks" / "gone.yaml").symlink_to("nowhere.yaml")
    done = run_studyapp("--library", str(library), "check")
    assert done.returncode == 1
    assert "internal error" not in done.stderr
    assert "root:$6$" not in done.stdout + done.stderr
    out = done.stdout
    assert "shadow.yaml:1:1: a symbolic link to a file outside the library: not read" in out
    assert "loop.yaml:1:1: a symbolic link that cannot be followed (a loop?): not read" in out
    assert "gone.yaml:1:1: a symbolic link to nothing" in out
    assert "inner.yaml: deck ok" in out and "ok.yaml: deck ok" in out
    # the other decks still review
    done = run_studyapp("--library", str(library), "review", "--plain", "ok", input="q\n")
    assert done.returncode == 0, done.stderr


def test_a_non_deck_file_is_quoted_only_in_short_excerpts(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    text = "".join(f"{SECRET}{n}: value\n" for n in range(5))
    passwd = tmp_path / "passwd.yaml"
    passwd.write_text(text)
    done = run_studyapp("check", str(passwd))
    assert done.returncode == 1
    assert "averylongsecrethashthatmustneverbeprinted" not in done.stdout
    for line in done.stdout.splitlines():
        message = line.split(": ", 1)[-1]
        assert len(message) < 200, line


def test_the_builtin_library_still_loads(run_studyapp: RunStudyapp) -> None:
    done = run_studyapp("--library", str(REPO), "check")
    assert done.returncode == 0, done.stdout
