"""Cause 16 of issue 13 (parts done): every character is drawn in a font that has it (a
fontconfig fallback when the main font lacks it), or printed as a visible □ with a warning
naming the item and the character; no page names an unembedded font."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from studyapp.export.pdf import MISSING_GLYPH, covers, embedded_fonts, fallback_font, write_pdf
from studyapp.export.printable import PrintItem
from tests.conftest import RunStudyapp


def _card(front: str, back: str) -> PrintItem:
    return PrintItem("card", "u", "a", front, back, (), "u · C1")


def _fonts(path: Path) -> set[tuple[str, bool]]:
    """(base font, embedded) of every font any page uses."""
    found = set()
    for page in pypdf.PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            embedded = "/DescendantFonts" in font or "/FontDescriptor" in font
            found.add((str(font["/BaseFont"]), embedded))
    return found


@pytest.fixture
def fonts() -> object:
    chosen = embedded_fonts()
    assert chosen is not None, "the test machine has DejaVu Sans"
    return chosen


def test_no_page_names_an_unembedded_font(tmp_path: Path, fonts: object) -> None:
    path = tmp_path / "out.pdf"
    write_pdf([_card("front", "back")], path)
    used = _fonts(path)
    assert used and all(embedded for _, embedded in used), used
    assert not any("Helvetica" in name for name, _ in used)


def test_a_character_no_font_has_is_a_visible_substitute_with_a_warning(
    tmp_path: Path, fonts: object
) -> None:
    path = tmp_path / "cjk.pdf"
    # U+E000 is a private-use code point: no installed font draws it
    result = write_pdf([_card("before \ue000 after", "back")], path)
    assert result.warnings == [
        "u · C1 (a): no installed font has the character '\\ue000' (U+E000): printed as □"
    ]
    text = pypdf.PdfReader(path).pages[0].extract_text()
    assert f"before {MISSING_GLYPH} after" in text
    assert "\x00" not in text


def test_a_character_the_main_font_lacks_comes_from_a_fallback_font(
    tmp_path: Path, fonts: object
) -> None:
    ch = "\u20d2"  # a combining mark DejaVu Sans lacks and DejaVu Math TeX Gyre has
    assert not covers(embedded_fonts().regular, ch)  # type: ignore[union-attr]
    fallback = fallback_font(ch)
    assert fallback is not None
    path = tmp_path / "math.pdf"
    result = write_pdf([_card(f"x{ch}", "back")], path)
    assert result.warnings == []
    assert any(fallback.split("-", 1)[1] in name for name, _ in _fonts(path))
    assert all(embedded for _, embedded in _fonts(path))


def test_the_export_command_prints_the_warning(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "u.yaml").write_text(
        'id: u\ntitle: U\ncards:\n  - id: a\n    front: "x \\ue000"\n    back: b\n')
    done = run_studyapp("--library", str(library), "export", "pdf", "u",
                        "-o", str(tmp_path / "u.pdf"))
    assert done.returncode == 0, done.stderr
    assert "no installed font has the character '\\ue000' (U+E000)" in done.stderr
