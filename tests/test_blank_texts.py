"""Cause 4 of issue 13: texts that show nothing (only spaces, zero-width characters, a lone
Markdown bullet) are warned about by `check`, and such an item reviews and undoes cleanly."""

from __future__ import annotations

from pathlib import Path

from studyapp.deck.loader import blank_reason
from tests.conftest import RunStudyapp

DECK = (
    "id: ws\ntitle: WS\n"
    "questions:\n  - id: q\n    prompt: visible\n    answer: \"- \"\n"
    "cards:\n"
    "  - id: a\n    front: \"   \"\n    back: b\n"
    "  - id: b\n    front: \"\\u200b\\u2060\"\n    back: ok\n"
)


def _library(tmp_path: Path) -> Path:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "ws.yaml").write_text(DECK)
    return library


def test_check_warns_about_texts_that_show_nothing(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    done = run_studyapp("--library", str(_library(tmp_path)), "check")
    assert done.returncode == 0  # warnings, not errors
    warnings = [line.split("ws.yaml:", 1)[1] for line in done.stdout.splitlines()
                if "warning:" in line]
    assert warnings == [
        "6:13: warning: 'answer' is a lone '-', which prints as an empty list item",
        "9:12: warning: 'front' holds only spaces: it shows nothing",
        "12:12: warning: 'front' holds only zero-width or invisible characters: it shows nothing",
    ]


def test_a_blank_front_reviews_and_undoes_in_plain_mode(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = _library(tmp_path)
    done = run_studyapp("--library", str(library), "review", "--plain", "ws",
                        input="\n3\nu\n\n3\n\n3\n\n3\nq\n")
    assert done.returncode == 0, done.stderr
    assert "undone:" in done.stdout
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_blank_reason_leaves_real_text_alone() -> None:
    for text in ("a", " - x", "-1", "—", "\u200bword", "2 * 3"):
        assert blank_reason(text) is None, text
    assert blank_reason("\t\n ") is not None
    assert blank_reason("\ufeff") is not None
