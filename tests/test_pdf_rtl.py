"""Cause 16 of issue 13 (right-to-left scripts): Hebrew and Arabic lines are drawn in the
order they are read on paper, right-to-left paragraphs keep to the right edge, Arabic
letters are joined, and every font stays embedded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import ContentStream
from reportlab.pdfbase import pdfmetrics

from studyapp.export.pdf import (
    CARD_PADDING,
    HEADER_SIZE,
    PdfOptions,
    embedded_fonts,
    is_right_to_left,
    sheet_layout,
    write_pdf,
)
from studyapp.export.printable import PrintItem

OPTIONS = PdfOptions(duplex="none")  # each front beside its back, on one page
HEBREW_LETTERS = "אבגדהוזחטיכלמנסעפצקרשת"


def _card(front: str, back: str = "x") -> PrintItem:
    return PrintItem("card", "rtl", "a", front, back, (), "rtl · C1")


def _unicode_maps(page: pypdf.PageObject) -> dict[str, dict[int, str]]:
    """Font resource name -> {code: text} from each font's ToUnicode CMap."""
    maps: dict[str, dict[int, str]] = {}
    for name, ref in page["/Resources"]["/Font"].items():
        cmap = ref.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
        pairs: dict[int, str] = {}
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
            for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                pairs[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
        maps[str(name)] = pairs
    return maps


@dataclass
class DrawnLine:
    """One line of body text as the content stream draws it."""

    text: str
    """Its characters in drawing order: left to right on paper."""
    x: float
    """Where its first glyph starts."""
    width: float


def read_lines(path: Path, page: int = 0) -> list[DrawnLine]:
    """The body text of one page, line by line, decoded straight from the content stream
    (so no PDF reader's own right-to-left guessing is involved); card headers left out.
    Follows the only moves reportlab makes here: `cm` and `Tm` translations and `Td`."""
    reader = pypdf.PdfReader(path)
    sheet = reader.pages[page]
    maps = _unicode_maps(sheet)
    names = {str(name): str(ref.get_object()["/BaseFont"]).split("+")[-1]
             for name, ref in sheet["/Resources"]["/Font"].items()}
    by_face: dict[str, str] = {}  # PostScript name -> a reportlab font with its metrics
    for name in pdfmetrics.getRegisteredFontNames():
        face = getattr(pdfmetrics.getFont(name), "face", None)
        if face is not None:
            ps_name = face.name.decode() if isinstance(face.name, bytes) else str(face.name)
            by_face.setdefault(ps_name, name)
    lines: list[DrawnLine] = []
    stack: list[tuple[float, float]] = []
    origin = (0.0, 0.0)
    x = width = 0.0
    current, font, face, size = "", {}, "", 0.0
    for operands, operator in ContentStream(sheet.get_contents(), reader).operations:
        if operator == b"q":
            stack.append(origin)
        elif operator == b"Q":
            origin = stack.pop()
        elif operator == b"cm":
            origin = (origin[0] + float(operands[4]), origin[1] + float(operands[5]))
        elif operator == b"Tm":
            x = origin[0] + float(operands[4])
        elif operator == b"Td":
            x += float(operands[0])
        elif operator == b"Tf":
            key = str(operands[0])
            font, face, size = maps[key], by_face[names[key]], float(operands[1])
        elif operator in (b"Tj", b"TJ") and size != HEADER_SIZE:
            strings = operands[0] if operator == b"TJ" else [operands[0]]
            for string in strings:
                if isinstance(string, (int, float)):
                    continue
                text = "".join(font[code] for code in bytes(string.original_bytes))
                current += text
                width += pdfmetrics.stringWidth(text, face, size)
        elif operator in (b"T*", b"ET") and current:
            lines.append(DrawnLine(current, x, width))
            current, width = "", 0.0
    return lines


def drawn_lines(path: Path, page: int = 0) -> list[str]:
    """The text of each body line in drawing order."""
    return [line.text for line in read_lines(path, page)]


@pytest.fixture(autouse=True)
def _dejavu() -> None:
    assert embedded_fonts() is not None, "the test machine has DejaVu Sans"


def test_a_hebrew_sentence_is_drawn_right_to_left_against_the_right_edge(
    tmp_path: Path,
) -> None:
    question = "מה פירוש המילה שלום?"
    path = tmp_path / "he.pdf"
    assert write_pdf([_card(question)], path, OPTIONS).warnings == []
    # Drawn left to right, a right-to-left sentence is its characters in reverse: the
    # question mark that ends it is drawn first, at the left.
    assert drawn_lines(path) == [question[::-1], "x"]
    front = sheet_layout(OPTIONS).fronts[0]
    line = read_lines(path)[0]
    assert line.x + line.width == pytest.approx(front.right - CARD_PADDING, abs=0.01)
    assert line.x > front.x + front.width / 3


def test_a_hebrew_phrase_inside_english_keeps_its_place(tmp_path: Path) -> None:
    path = tmp_path / "mixed.pdf"
    write_pdf([_card("What is **שלום עולם** in English?")], path, OPTIONS)
    assert drawn_lines(path)[0] == "What is " + "שלום עולם"[::-1] + " in English?"
    front = sheet_layout(OPTIONS).fronts[0]
    # an English paragraph: it starts at the left edge
    assert read_lines(path)[0].x == pytest.approx(front.x + CARD_PADDING, abs=0.01)


def test_numbers_stay_left_to_right_and_brackets_face_the_right_way(tmp_path: Path) -> None:
    path = tmp_path / "numbers.pdf"
    write_pdf([_card("המחיר (בערך) 100 שקל")], path, OPTIONS)
    # "100" still reads 1-0-0; the "(" that opens the aside sits on its right, so it is
    # drawn as ")", and the closing one as "(".
    assert drawn_lines(path)[0] == "שקל"[::-1] + " 100 (" + "בערך"[::-1] + ") " + "המחיר"[::-1]


def test_a_long_hebrew_paragraph_starts_on_the_first_line(tmp_path: Path) -> None:
    words = [a + b + "ים" for a in HEBREW_LETTERS[:6] for b in HEBREW_LETTERS]  # 132 words
    path = tmp_path / "long.pdf"
    result = write_pdf([_card("פסקה", " ".join(words))], path, OPTIONS)
    assert result.warnings == []
    lines = drawn_lines(path)[1:]  # the front's one line, then the back's
    assert len(lines) > 5
    read = []
    for line in lines:
        in_line = [word[::-1] for word in line.split(" ")][::-1]  # right to left
        assert len(in_line) > 1
        read += in_line
    # Lines are broken in reading order: reordering the paragraph before breaking it
    # would have put its last words on the first line.
    assert read == words


def test_vowel_points_are_drawn_just_before_their_letter(tmp_path: Path) -> None:
    word = "שָׁלוֹם"  # shin, qamats, shin dot, lamed, vav, holam, final mem
    path = tmp_path / "points.pdf"
    write_pdf([_card(word)], path, OPTIONS)
    assert drawn_lines(path)[0] == word[::-1]
    # The points take no room: DejaVu draws them over the letter drawn next.
    fonts = embedded_fonts()
    assert fonts is not None
    assert all(pdfmetrics.stringWidth(mark, fonts.regular, 10) == 0 for mark in "ָֹׁ")


def test_arabic_letters_are_joined_and_drawn_right_to_left(tmp_path: Path) -> None:
    path = tmp_path / "ar.pdf"
    result = write_pdf([_card("سلام", "ما معنى كلمة سلام؟")], path, OPTIONS)
    assert result.warnings == []
    lines = drawn_lines(path)
    # Left to right: an isolated meem, the lam-alef ligature, an initial seen.
    assert lines[0] == "\ufee1\ufefc\ufeb3"
    assert lines[1][0] == "؟"  # the question mark ends the sentence: drawn at the left
    assert not any("\u0600" <= ch <= "\u06ff" for ch in lines[1].replace("؟", ""))


def test_direction_marks_steer_the_order_and_print_nothing(tmp_path: Path) -> None:
    # An isolate (RLI ... PDI) keeps "abc" inside the Hebrew aside; DejaVu has no glyph for
    # it, nor for the Arabic letter mark, yet neither may print a box or a warning.
    text = "see \u2067שלום abc\u2069 now \u200fok\u061c"
    path = tmp_path / "marks.pdf"
    result = write_pdf([_card(text)], path, OPTIONS)
    assert result.warnings == []
    line = drawn_lines(path)[0]
    assert line.startswith("see abc " + "שלום"[::-1] + " now ")
    assert not any(ch in line for ch in "\u200e\u200f\u061c\u202a\u202b\u202c\u2067\u2069□")


def test_every_font_is_embedded_with_right_to_left_text(tmp_path: Path) -> None:
    path = tmp_path / "fonts.pdf"
    # Italic Arabic and Hebrew code come from other faces than the main one.
    write_pdf([_card("*عربي مائل* and *כתוב נטוי*", "`x = 'שלום'`\n\n**سلام**")], path)
    used: set[tuple[str, bool]] = set()
    for page in pypdf.PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            used.add((str(font["/BaseFont"]), "/FontDescriptor" in font
                      and "/FontFile2" in font["/FontDescriptor"]))
    assert used and all(embedded for _, embedded in used), used
    assert not any("Helvetica" in name for name, _ in used)


def test_a_hebrew_list_hangs_its_bullets_and_indent_on_the_right(tmp_path: Path) -> None:
    long_item = "שלום עולם זה פריט ראשון ברשימה ארוכה מספיק כדי לגלוש לשורה נוספת " * 2
    back = f"- {long_item.strip()}\n- פריט שני\n  - פריט מקונן\n\n- one English item"
    path = tmp_path / "list.pdf"
    assert write_pdf([_card("רשימה", back)], path, OPTIONS).warnings == []
    layout = sheet_layout(OPTIONS)
    size, right = layout.body_size, layout.backs[0].right - CARD_PADDING
    lines = read_lines(path)[1:]  # the front's line, then the back's
    bullets = [line for line in lines if line.text in ("•", "–")]
    text = [line for line in lines if line.text not in ("•", "–")]
    # Each Hebrew item's bullet ends at the right edge; its lines, the wrapped ones too,
    # end one indent further in; the nested item's bullet and lines one more indent in.
    assert [round(b.x + b.width, 2) for b in bullets[:3]] == [
        round(right, 2), round(right, 2), round(right - size * 1.6, 2)]
    assert all(b.x > layout.backs[0].x + layout.backs[0].width / 2 for b in bullets[:3])
    hebrew = [line for line in text if is_right_to_left(line.text[::-1])]
    assert len(hebrew) >= 4  # the first item wraps
    # (within half a point: reportlab may shrink the spaces of a line a little to fit it,
    # which the widths measured here leave out)
    ends = [line.x + line.width for line in hebrew]
    assert ends == pytest.approx([right - size * 1.6] * (len(hebrew) - 1) + [
        right - size * 3.2], abs=0.5)
    # an English item keeps its bullet on the left
    english = next(line for line in text if line.text == "one English item")
    assert bullets[3].x == pytest.approx(layout.backs[0].x + CARD_PADDING, abs=0.01)
    assert english.x > bullets[3].x + bullets[3].width


def test_a_numbered_hebrew_list_reads_its_numbers_from_the_right(tmp_path: Path) -> None:
    back = "\n".join(f"{n}. פריט" for n in range(9, 11))
    path = tmp_path / "numbers.pdf"
    write_pdf([_card("רשימה", back)], path, OPTIONS)
    right = sheet_layout(OPTIONS).backs[0].right - CARD_PADDING
    lines = read_lines(path)[1:]
    marks = [line for line in lines if line.text.startswith(".")]
    items = [line for line in lines if not line.text.startswith(".")]
    # "9." is drawn as ".9" (the full stop on its left, as in right-to-left lists)
    assert [mark.text for mark in marks] == [".9", ".10"]
    assert all(mark.x + mark.width == pytest.approx(right, abs=0.01) for mark in marks)
    # a number wider than the indent pushes its item's line to the left, clear of it
    for mark, item in zip(marks, items, strict=True):
        assert item.x + item.width < mark.x


def test_arabic_vowel_marks_are_kept_and_drawn_just_before_their_letter(
    tmp_path: Path,
) -> None:
    word = "كِتَابٌ"  # kaf, kasra, teh, fatha, alef, beh, dammatan
    path = tmp_path / "harakat.pdf"
    assert write_pdf([_card(f"- {word}")], path, OPTIONS).warnings == []
    line = next(line.text for line in read_lines(path) if line.text not in ("•",))
    # Joined forms (initial kaf, medial teh, final alef, isolated beh), drawn left to
    # right: each mark comes just before the letter it belongs to, and takes no room.
    assert line == "\u064c\ufe8f\ufe8e\u064e\ufe98\u0650\ufedb"
    fonts = embedded_fonts()
    assert fonts is not None
    assert all(pdfmetrics.stringWidth(mark, fonts.regular, 10) == 0
               for mark in "\u064c\u064e\u0650")
