"""`--library` and `--data-dir` work before the command (the contract) and after it."""

from __future__ import annotations

from pathlib import Path

from .conftest import RunStudyapp, assert_no_traceback


def test_data_dir_after_the_command_is_where_the_review_is_saved(
    run_studyapp: RunStudyapp, tmp_path: Path, data_dir: Path
) -> None:
    after, before = tmp_path / "after", tmp_path / "before"
    result = run_studyapp("--data-dir", str(before), "review", "wavenet", "--plain",
                          "--data-dir", str(after), input="\n3\n")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "reviewed: 1" in result.stdout
    # The one typed after the command wins; neither the one before it nor the
    # environment's folder gets a database.
    assert (after / "reviews.sqlite3").is_file()
    assert not before.exists()
    assert not (data_dir / "reviews.sqlite3").exists()


def test_library_after_the_command_is_the_library_checked(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "tiny.yaml").write_text(
        "id: tiny\ntitle: Tiny\ncards:\n  - {id: one, front: One?, back: Uno.}\n",
        encoding="utf-8")
    result = run_studyapp("check", "--library", str(library))
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "decks/tiny.yaml: deck ok (0 questions, 1 card, 0 exercises)" in result.stdout
    assert "wavenet" not in result.stdout
