"""Tests for the PDF export: pages per layout, surviving text, positions, fitting, safe writes."""

from __future__ import annotations

import errno
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf.generic import ContentStream
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph

from studyapp.deck.loader import load_library
from studyapp.errors import DataError, UsageError
from studyapp.export import markdown as md
from studyapp.export import pdf
from studyapp.export.pdf import (
    BUILTIN_FONTS,
    CARD_PADDING,
    HEADER_SIZE,
    Box,
    ExportResult,
    FontSet,
    PdfOptions,
    font_set,
    paragraph_fragments,
    sheet_layout,
    substitute_for_builtin_fonts,
    write_pdf,
)
from studyapp.export.printable import (
    PrintItem,
    exercise_cards,
    parse_back_offset,
    parse_tags,
    printable_items,
)
from studyapp.mathtext import pieces

from .conftest import LIBRARY_1_1, REPO

SYMBOLS = "→ ² × − … “ ” é à ñ ü ≥ ≠ Ω"
LITERAL = "<b>x</b> & &amp; &lt; <font face='Courier'>f</font>"
HEADER_ASCENT = 0.93
"""DejaVu's ascent and descent in ems (Helvetica's are smaller): the glyph box of a line."""
DESCENT = 0.24
EPSILON = 0.05


# -- items -------------------------------------------------------------------------------


def item(number: int, front: str, back: str, kind: str = "card") -> PrintItem:
    return PrintItem(kind, "t", f"i{number}", front, back, (), f"t · C{number}")  # type: ignore[arg-type]


def short_items(count: int) -> list[PrintItem]:
    return [item(n, f"Front {n}", f"Back {n}") for n in range(1, count + 1)]


LONG_WORDS = [f"w{n:04d}" for n in range(1, 3001)]
LONG_ITEM = item(99, "Recite the long answer", " ".join(LONG_WORDS))


@pytest.fixture(scope="module")
def wavenet_items() -> list[PrintItem]:
    library = load_library(REPO)
    deck = library.deck("wavenet")
    return printable_items(deck, library.exercises_of(deck), with_exercises=True)


@pytest.fixture(scope="module")
def all_items(wavenet_items: list[PrintItem]) -> list[PrintItem]:
    """The built-in deck, symbols, literal markup, every Markdown feature, and a huge answer."""
    extra = [
        item(90, f"Symbols {SYMBOLS}", f"Literal {LITERAL} and {SYMBOLS}"),
        item(91, "Markdown *every* **kind** of `code`",
             "Intro with ***both***.\n\n```\ndef f(x):\n    return x * 2  # <b>&\n```\n\n"
             "1. first\n2. second\n   - nested *a*\n   - nested b\n\n    indented code\n\n"
             "- bullet\n- " + "unbreakable" * 12),
        LONG_ITEM,
    ]
    return [*wavenet_items, *extra]


# -- reading PDFs ------------------------------------------------------------------------


def _font_names() -> dict[str, str]:
    """PostScript name in the PDF -> reportlab font name, for measuring extracted text."""
    names = {name: name for name in (BUILTIN_FONTS.regular, BUILTIN_FONTS.bold,
                                     BUILTIN_FONTS.italic, BUILTIN_FONTS.bold_italic,
                                     BUILTIN_FONTS.mono, BUILTIN_FONTS.mono_bold)}
    fonts = font_set(PdfOptions())
    if fonts.embedded:
        for name in (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic, fonts.mono,
                     fonts.mono_bold):
            face = pdfmetrics.getFont(name).face.name
            names[face.decode() if isinstance(face, bytes) else str(face)] = name
    return names


@dataclass
class Chunk:
    """A run of text drawn in one font at one place, as pypdf's visitor reports it."""

    page: int
    text: str
    x: float
    y: float
    size: float
    font: str
    width: float


def read_chunks(path: Path) -> tuple[list[tuple[float, float]], list[Chunk]]:
    """Page sizes and every text chunk with its absolute position and measured width."""
    names = _font_names()
    reader = pypdf.PdfReader(path)
    sizes: list[tuple[float, float]] = []
    chunks: list[Chunk] = []
    for number, page in enumerate(reader.pages):
        sizes.append((float(page.mediabox.width), float(page.mediabox.height)))
        state: dict[str, Any] = {"key": None, "x": 0.0}

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float,
                  number: int = number, state: dict[str, Any] = state) -> None:
            text = text.replace("\n", "")
            if not text or font is None:
                return
            x0 = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y0 = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            key = (tuple(cm), tuple(tm))
            # pypdf gives the matrix at the start of the line: later runs follow the earlier.
            x = state["x"] if key == state["key"] else x0
            real_size = size * tm[3] * cm[3]
            base = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            width = pdfmetrics.stringWidth(text, names[base], real_size)
            chunks.append(Chunk(number, text, x, y0, real_size, base, width))
            state["key"], state["x"] = key, x + width

        page.extract_text(visitor_text=visit)
    return sizes, chunks


def boxes_for_page(options: PdfOptions, page: int) -> list[Box]:
    layout = sheet_layout(options)
    if not layout.backs_on_next_page:
        return [*layout.fronts, *layout.backs]
    if page % 2 == 0:
        return list(layout.fronts)
    dx, dy = (v * mm for v in options.back_offset)
    return [box.shifted(dx, dy) for box in layout.backs]


def box_of(chunk: Chunk, boxes: list[Box]) -> int | None:
    """Index of the box that holds the whole chunk, or None."""
    for index, box in enumerate(boxes):
        inside = (
            chunk.x >= box.x - EPSILON
            and chunk.x + chunk.width <= box.right + EPSILON
            and chunk.y - DESCENT * chunk.size >= box.y - EPSILON
            and chunk.y + HEADER_ASCENT * chunk.size <= box.top + EPSILON
        )
        if inside:
            return index
    return None


@dataclass
class CardText:
    """What one card face shows: its header and its body text, in drawing order."""

    page: int
    box: int
    header: list[Chunk] = field(default_factory=list)
    body: list[Chunk] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.header[0].text

    @property
    def side(self) -> str:
        return self.header[1].text

    @property
    def text(self) -> str:
        # Helvetica's bullet is code 0x7F in reportlab's WinAnsi (the PDF spec shows any
        # unused code there as a bullet); pypdf reports the code itself.
        return " ".join(chunk.text for chunk in self.body).replace("\x7f", "•")

    @property
    def x(self) -> float:
        return self.header[0].x

    @property
    def y(self) -> float:
        return self.header[0].y


def read_cards(path: Path, options: PdfOptions) -> list[CardText]:
    """Every card face in the PDF; fails if any text lies outside every card box."""
    _, chunks = read_chunks(path)
    faces: dict[tuple[int, int], CardText] = {}
    for chunk in chunks:
        index = box_of(chunk, boxes_for_page(options, chunk.page))
        assert index is not None, f"text outside every card: {chunk}"
        face = faces.setdefault((chunk.page, index), CardText(chunk.page, index))
        if math.isclose(chunk.size, HEADER_SIZE):
            face.header.append(chunk)
        else:
            face.body.append(chunk)
    return list(faces.values())


def squeeze(text: str) -> str:
    """Text without any whitespace: line breaks may fall anywhere, order must not change."""
    return "".join(text.split())


def expected_text(markdown: str, builtin: bool = False) -> str:
    """What a face should print for ``markdown``, bullets and numbers as drawn."""

    def walk(blocks: tuple[md.Block, ...], depth: int) -> list[str]:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, md.ParagraphBlock):
                # Math is printed raised or lowered, without its ^ and _ (`2^k` → 2 k).
                out.append("".join(
                    span.text if span.code else "".join(p for p, _ in pieces(span.text))
                    for span in block.spans
                ))
            elif isinstance(block, md.CodeBlock):
                out.append(block.text)
            else:
                for number, entry in enumerate(block.items, start=block.start):
                    mark = f"{number}." if block.ordered else ("•" if depth % 2 == 0 else "–")
                    out.append(mark)
                    out.extend(walk(entry, depth + 1))
        return out

    text = " ".join(walk(md.parse(markdown), 0))
    return substitute_for_builtin_fonts(text) if builtin else text


def faces_by_item(cards: list[CardText]) -> dict[tuple[str, bool], str]:
    """(label, is_front) -> the body text of all its parts, in part order."""
    parts: dict[tuple[str, bool], list[tuple[int, str]]] = {}
    for card in cards:
        # Narrow cards shorten the header: "wavenet · E1.9 (continu…" is a continuation too.
        label = re.sub(r" \((c[a-z]*…|continued\))$", "", card.label)
        front = card.side.split(" ")[0] in ("front", "question", "exercise", "cloze")
        match = re.search(r"(\d+)/(\d+)$", card.side)
        part = int(match.group(1)) if match else 1
        parts.setdefault((label, front), []).append((part, card.text))
    return {key: " ".join(text for _, text in sorted(found)) for key, found in parts.items()}


CONFIGS = [
    ("grid", "a4", "long"),
    ("grid", "a4", "short"),
    ("grid", "a4", "none"),
    ("grid", "letter", "long"),
    ("grid", "letter", "none"),
    ("grid", "a6", "long"),
    ("grid", "a6", "short"),
    ("grid", "a6", "none"),
    ("grid", "index-3x5", "long"),
    ("grid", "index-3x5", "none"),
    ("page", "a4", "long"),
    ("page", "letter", "long"),
    ("page", "a6", "long"),
    ("page", "index-3x5", "long"),
]


def options_for(config: tuple[str, str, str], **extra: Any) -> PdfOptions:
    layout, paper, duplex = config
    return PdfOptions(layout=layout, paper=paper, duplex=duplex, **extra)  # type: ignore[arg-type]


# -- page counts -------------------------------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS, ids="-".join)
def test_page_counts(config: tuple[str, str, str], tmp_path: Path) -> None:
    layout, paper, duplex = config
    count = 11
    result = write_pdf(short_items(count), tmp_path / "out.pdf", options_for(config))
    if layout == "page":
        expected = count  # exactly one page per item
    elif paper in ("a4", "letter"):
        expected = math.ceil(count / 4) if duplex == "none" else 2 * math.ceil(count / 8)
    else:
        expected = count if duplex == "none" else 2 * count
    assert result.pages == expected
    assert len(pypdf.PdfReader(tmp_path / "out.pdf").pages) == expected
    assert (result.cards, result.items, result.warnings) == (count, count, [])


@pytest.mark.parametrize(("paper", "size"), [
    ("a4", (595.28, 841.89)), ("letter", (612, 792)), ("a6", (297.64, 419.53)),
    ("index-3x5", (360, 216)),
])
def test_paper_sizes(paper: str, size: tuple[float, float], tmp_path: Path) -> None:
    write_pdf(short_items(1), tmp_path / "out.pdf", PdfOptions(paper=paper))  # type: ignore[arg-type]
    box = pypdf.PdfReader(tmp_path / "out.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.01)


def test_grid_is_two_by_four_on_a4_and_letter() -> None:
    for paper in ("a4", "letter"):
        layout = sheet_layout(PdfOptions(paper=paper))  # type: ignore[arg-type]
        assert layout.capacity == 8
        assert len({round(b.x) for b in layout.fronts}) == 2
        assert len({round(b.y) for b in layout.fronts}) == 4
    for paper in ("a6", "index-3x5"):
        assert sheet_layout(PdfOptions(paper=paper)).capacity == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("config", CONFIGS, ids="-".join)
def test_boxes_lie_on_the_page_and_do_not_overlap(config: tuple[str, str, str]) -> None:
    layout = sheet_layout(options_for(config, cut_marks=True))
    width, height = layout.page_size
    boxes = set(layout.fronts) | set(layout.backs) if not layout.backs_on_next_page else set(
        layout.fronts)
    for box in boxes:
        assert box.x > 0 and box.y > 0 and box.right < width and box.top < height
        for other in boxes - {box}:
            assert (box.right <= other.x or other.right <= box.x or box.top <= other.y
                    or other.top <= box.y)


# -- text --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(all_items: list[PrintItem], tmp_path_factory: pytest.TempPathFactory,
             ) -> Iterator[dict[tuple[str, str, str, bool], tuple[Path, ExportResult]]]:
    """Every configuration exported once (embedded and built-in fonts), on demand."""
    folder = tmp_path_factory.mktemp("exports")
    cache: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]] = {}

    class Exports(dict):  # type: ignore[type-arg]
        def __missing__(self, key: tuple[str, str, str, bool]) -> tuple[Path, ExportResult]:
            layout, paper, duplex, builtin = key
            path = folder / f"{layout}-{paper}-{duplex}-{builtin}.pdf"
            result = write_pdf(all_items, path, options_for((layout, paper, duplex),
                                                            builtin_fonts=builtin))
            self[key] = (path, result)
            return self[key]

    yield Exports(cache)


@pytest.mark.parametrize("builtin", [False, True], ids=["dejavu", "builtin"])
@pytest.mark.parametrize("config", CONFIGS, ids="-".join)
def test_every_front_and_back_is_printed_in_full_inside_its_card(
    config: tuple[str, str, str], builtin: bool, all_items: list[PrintItem],
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    path, _ = exported[(*config, builtin)]
    cards = read_cards(path, options_for(config))  # asserts every chunk is inside a card
    faces = faces_by_item(cards)
    assert len(faces) == 2 * len(all_items)
    for entry in all_items:
        for front, text in ((True, entry.front), (False, entry.back)):
            printed = faces[(entry.label, front)]
            assert squeeze(printed) == squeeze(expected_text(text, builtin)), entry.label


@pytest.mark.parametrize("config", CONFIGS, ids="-".join)
def test_every_character_is_on_its_page(
    config: tuple[str, str, str],
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    path, _ = exported[(*config, False)]
    sizes, chunks = read_chunks(path)
    for chunk in chunks:
        width, height = sizes[chunk.page]
        assert chunk.x >= 0 and chunk.x + chunk.width <= width, chunk
        assert chunk.y - DESCENT * chunk.size >= 0 and chunk.y + chunk.size <= height, chunk


@pytest.mark.parametrize("paper", ["a4", "letter", "a6", "index-3x5"])
@pytest.mark.parametrize("offset", [(5.0, -5.0), (-5.0, 5.0)])
def test_the_largest_back_offset_keeps_text_on_the_page(
    paper: str, offset: tuple[float, float], tmp_path: Path,
) -> None:
    options = PdfOptions(paper=paper, back_offset=offset, cut_marks=True)  # type: ignore[arg-type]
    write_pdf([item(1, "front", " ".join(LONG_WORDS[:400]))], tmp_path / "out.pdf", options)
    read_cards(tmp_path / "out.pdf", options)  # inside the shifted cards
    sizes, chunks = read_chunks(tmp_path / "out.pdf")
    for chunk in chunks:
        width, height = sizes[chunk.page]
        assert chunk.x >= 0 and chunk.x + chunk.width <= width, chunk
        assert chunk.y - DESCENT * chunk.size >= 0 and chunk.y + chunk.size <= height, chunk


def test_symbols_and_markup_print_as_typed(
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    path, _ = exported[("grid", "a4", "long", False)]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    squeezed = squeeze(text)  # line breaks fall anywhere
    assert squeeze(f"Literal {LITERAL} and {SYMBOLS}") in squeezed
    assert squeeze(f"Symbols {SYMBOLS}") in squeezed
    assert squeeze("“context grows with depth, not width”") in squeezed  # from the deck
    assert squeeze("level 1 → 2 characters") in squeezed
    assert squeeze("return x * 2  # <b>&") in squeezed  # inside a code block too


def test_builtin_fonts_substitute_readable_ascii(
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    path, _ = exported[("grid", "a4", "long", True)]
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    squeezed = squeeze(text)
    assert squeeze("Symbols -> ² × - … “ ” é à ñ ü >= != Omega") in squeezed
    assert squeeze("level 1 -> 2 characters") in squeezed
    assert squeeze(f"Literal {LITERAL}") in squeezed
    assert not set("→−≥≠Ω") & set(text)
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique",
                     "/Helvetica-BoldOblique", "/Courier", "/Courier-Bold"}
    assert b"/FontFile2" not in path.read_bytes()


def test_substitution_table() -> None:
    assert substitute_for_builtin_fonts("a → b ← c ⇒ d") == "a -> b <- c => d"
    assert substitute_for_builtin_fonts("x − 1 ≤ 2 ≥ 0 ≠ 3 ≈ 4") == "x - 1 <= 2 >= 0 != 3 ~ 4"
    assert substitute_for_builtin_fonts("2⁴ x₁ α λ ∞") == "2^4 x_1 alpha lambda inf"
    assert substitute_for_builtin_fonts("ő ł Ş ﬁ") == "o ? S fi"
    # Characters in the built-in fonts' encoding stay themselves.
    kept = "² × … “ ” ‘ ’ – — é à ñ ü ß · • € ½"
    assert substitute_for_builtin_fonts(kept) == kept
    assert substitute_for_builtin_fonts("plain ascii <&>") == "plain ascii <&>"


@given(st.text(max_size=60))
def test_substitutes_always_fit_the_builtin_encoding(text: str) -> None:
    substitute_for_builtin_fonts(text).encode("cp1252")


def test_missing_dejavu_falls_back_to_builtin_fonts(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "embedded_fonts", lambda: None)
    assert font_set(PdfOptions()) == BUILTIN_FONTS
    result = write_pdf([item(1, "a → b", "x ≥ y")], tmp_path / "out.pdf")
    pages = pypdf.PdfReader(tmp_path / "out.pdf").pages
    assert "a -> b" in pages[0].extract_text()
    assert "x >= y" in pages[1].extract_text()
    assert result.pages == 2


def test_font_search_without_fontconfig_or_font_folders(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "_fc_match", lambda pattern: None)
    monkeypatch.setattr(pdf, "_FONT_FOLDERS", (str(tmp_path),))
    assert pdf.find_dejavu.__wrapped__() is None
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"")
    assert pdf.find_dejavu.__wrapped__() == {"regular": tmp_path / "DejaVuSans.ttf"}


def test_fc_match_failures_are_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(*args: Any, **kwargs: Any) -> Any:
        raise subprocess.TimeoutExpired("fc-match", 5)

    monkeypatch.setattr(pdf.shutil, "which", lambda name: "/usr/bin/fc-match")
    monkeypatch.setattr(pdf.subprocess, "run", hang)
    assert pdf._fc_match("DejaVu Sans") is None
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert pdf._fc_match("DejaVu Sans") is None


def test_truetype_fonts_are_embedded_as_subsets(
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    # The machine image ships fonts-dejavu-core; without it this export could not embed.
    assert font_set(PdfOptions()).embedded, "DejaVu Sans not found: install fonts-dejavu-core"
    path, _ = exported[("grid", "a4", "long", False)]
    reader = pypdf.PdfReader(path)
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    truetype = [f for f in fonts if f["/Subtype"] == "/TrueType"]
    assert truetype
    for font in truetype:
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVuSans.*", str(font["/BaseFont"]))
        assert "/FontFile2" in font["/FontDescriptor"]
        assert "/ToUnicode" in font


@given(st.text(max_size=80))
def test_fragments_carry_any_text_unchanged(text: str) -> None:
    fonts = font_set(PdfOptions())
    spans = [md.Span(text), md.Span(text, bold=True, code=True)]
    frags = paragraph_fragments(spans, fonts, 10)
    cleaned = pdf._clean(text, fonts).replace("\n", "")

    def drawn(face: str, source: str) -> str:  # a character no font has is □ (issue 13)
        return "".join(
            ch if ch < "\x80" or ch.isspace() or pdf.covers(face, ch)
            or pdf.fallback_font(ch) is not None
            else pdf.MISSING_GLYPH
            for ch in source
        )

    # Outside code, `2^k` and `x_i` are set as raised or lowered text: the `^` and `_` go.
    as_math = "".join(piece for piece, _kind in pieces(cleaned)) if (
        "^" in cleaned or "_" in cleaned or "log" in cleaned) else cleaned
    # Arabic letters are set in their joined forms (the same letters, shaped to join), and
    # a direction isolate the font lacks becomes the embedding control it has (invisible
    # either way; a box for an invisible character would be wrong).
    def shaped(source: str, face: str) -> str:
        return pdf._bidi_controls(pdf.shape_arabic(source, face), face)

    assert "".join(f.text for f in frags) == (
        drawn(fonts.regular, shaped(as_math, fonts.regular))
        + drawn(fonts.mono_bold, shaped(cleaned, fonts.mono_bold))
    )
    assert all(pdf.covers(f.fontName, ch) for f in frags for ch in f.text
               if ch >= "\x80" and not ch.isspace())
    paragraph = Paragraph("", pdf._style(fonts, "body", 10.0, 0), frags=frags)
    paragraph.wrap(200, 1000)


# -- positions ---------------------------------------------------------------------------


def headers(path: Path, options: PdfOptions) -> dict[tuple[str, bool], CardText]:
    cards = read_cards(path, options)
    return {(c.label, c.side in ("front", "question")): c for c in cards}


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_edge_backs_are_mirrored_left_to_right(paper: str, tmp_path: Path) -> None:
    options = PdfOptions(paper=paper, duplex="long")  # type: ignore[arg-type]
    write_pdf(short_items(11), tmp_path / "out.pdf", options)
    width, _ = sheet_layout(options).page_size
    card_width = sheet_layout(options).fronts[0].width
    found = headers(tmp_path / "out.pdf", options)
    for number in range(1, 12):
        front, back = found[(f"t · C{number}", True)], found[(f"t · C{number}", False)]
        assert back.page == front.page + 1
        assert front.page % 2 == 0
        assert back.y == pytest.approx(front.y)  # same row
        # Card edges from the label (drawn at the card's left edge + padding).
        front_left = front.x - CARD_PADDING
        back_left = back.x - CARD_PADDING
        assert back_left == pytest.approx(width - (front_left + card_width), abs=0.01)
        assert (front.x < width / 2) != (back.x < width / 2)  # the other column
        assert back.text == f"Back {number}" and front.text == f"Front {number}"


def test_short_edge_backs_are_mirrored_top_to_bottom(tmp_path: Path) -> None:
    options = PdfOptions(paper="a4", duplex="short")
    write_pdf(short_items(8), tmp_path / "out.pdf", options)
    _, height = sheet_layout(options).page_size
    card_height = sheet_layout(options).fronts[0].height
    found = headers(tmp_path / "out.pdf", options)
    lift = CARD_PADDING + HEADER_SIZE * 0.8  # card top to label baseline
    for number in range(1, 9):
        front, back = found[(f"t · C{number}", True)], found[(f"t · C{number}", False)]
        assert back.page == front.page + 1
        assert back.x == pytest.approx(front.x)  # same column
        front_bottom = front.y + lift - card_height
        assert back.y + lift == pytest.approx(height - front_bottom, abs=0.01)


def test_duplex_none_puts_each_back_beside_its_front(tmp_path: Path) -> None:
    options = PdfOptions(paper="a4", duplex="none")
    write_pdf(short_items(4), tmp_path / "out.pdf", options)
    width, _ = sheet_layout(options).page_size
    found = headers(tmp_path / "out.pdf", options)
    for number in range(1, 5):
        front, back = found[(f"t · C{number}", True)], found[(f"t · C{number}", False)]
        assert (front.page, front.y) == (back.page, pytest.approx(back.y))
        assert front.x < width / 2 < back.x


def test_page_layout_puts_the_back_below_the_fold(tmp_path: Path) -> None:
    options = PdfOptions(layout="page")
    write_pdf(short_items(3), tmp_path / "out.pdf", options)
    _, height = sheet_layout(options).page_size
    found = headers(tmp_path / "out.pdf", options)
    for number in range(1, 4):
        front, back = found[(f"t · C{number}", True)], found[(f"t · C{number}", False)]
        assert front.page == back.page == number - 1
        assert back.y < height / 2 < front.y


def test_back_offset_moves_only_the_backs(tmp_path: Path) -> None:
    plain, shifted = PdfOptions(), PdfOptions(back_offset=(2.0, -1.5))
    write_pdf(short_items(9), tmp_path / "plain.pdf", plain)
    write_pdf(short_items(9), tmp_path / "shifted.pdf", shifted)
    before = headers(tmp_path / "plain.pdf", plain)
    after = headers(tmp_path / "shifted.pdf", shifted)
    for key, card in before.items():
        dx, dy = (2 * mm, -1.5 * mm) if not key[1] else (0.0, 0.0)
        assert after[key].x - card.x == pytest.approx(dx, abs=0.01)
        assert after[key].y - card.y == pytest.approx(dy, abs=0.01)


def _segments(path: Path, page: int) -> list[tuple[float, float, float, float]]:
    """Straight lines (moveto + lineto) drawn on one page."""
    reader = pypdf.PdfReader(path)
    content = ContentStream(reader.pages[page].get_contents(), reader)
    segments, start = [], (0.0, 0.0)
    for operands, operator in content.operations:
        if operator == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif operator == b"l":
            end = (float(operands[0]), float(operands[1]))
            segments.append((*start, *end))
            start = end
    return segments


@pytest.mark.parametrize("paper", ["a4", "letter", "a6", "index-3x5"])
def test_cut_marks_sit_outside_every_card(paper: str, tmp_path: Path) -> None:
    options = PdfOptions(paper=paper, cut_marks=True)  # type: ignore[arg-type]
    write_pdf(short_items(8), tmp_path / "out.pdf", options)
    layout = sheet_layout(options)
    width, height = layout.page_size
    marks = _segments(tmp_path / "out.pdf", 0)
    assert len(marks) == 8 * layout.capacity
    for x1, y1, x2, y2 in marks:
        assert min(x1, x2) >= 0 and max(x1, x2) <= width
        assert min(y1, y2) >= 0 and max(y1, y2) <= height
        for box in layout.fronts:
            inside = (box.x < max(x1, x2) and min(x1, x2) < box.right
                      and box.y < max(y1, y2) and min(y1, y2) < box.top)
            assert not inside, ((x1, y1, x2, y2), box)
        # ... and each mark lines up with a card edge.
        if math.isclose(x1, x2):
            edges = [v for b in layout.fronts for v in (b.x, b.right)]
            assert any(math.isclose(x1, edge, abs_tol=0.01) for edge in edges)
        else:
            edges = [v for b in layout.fronts for v in (b.y, b.top)]
            assert any(math.isclose(y1, edge, abs_tol=0.01) for edge in edges)
    assert _segments(tmp_path / "out.pdf", 1) == []  # none on the backs


# -- fitting -----------------------------------------------------------------------------


@pytest.mark.parametrize("config", [("grid", "a4", "long"), ("grid", "index-3x5", "none"),
                                    ("page", "a4", "long")], ids="-".join)
def test_a_huge_answer_continues_in_order_and_is_named(
    config: tuple[str, str, str],
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    path, result = exported[(*config, False)]
    named = [w for w in result.warnings if w.startswith(LONG_ITEM.label + " ")]
    assert len(named) == 1 and "continued on" in named[0]
    cards = read_cards(path, options_for(config))
    parts = [c for c in cards if c.label.startswith(LONG_ITEM.label) and "back" in c.side]
    assert len(parts) > 1
    assert [c.label.endswith("(continued)") for c in parts] == [False] + [True] * (len(parts) - 1)
    words = faces_by_item(cards)[(LONG_ITEM.label, False)].split()
    assert words == LONG_WORDS


def test_long_text_is_shrunk_before_it_continues(tmp_path: Path) -> None:
    layout = sheet_layout(PdfOptions())
    text = " ".join(["word"] * 150)  # too much for 10.5 pt, enough room at a smaller size
    result = write_pdf([item(1, "f", text)], tmp_path / "out.pdf")
    assert result.warnings == [] and result.cards == 1
    _, chunks = read_chunks(tmp_path / "out.pdf")
    sizes = {c.size for c in chunks if c.page == 1 and not math.isclose(c.size, HEADER_SIZE)}
    assert len(sizes) == 1
    assert pdf.MIN_FONT_SIZE <= sizes.pop() < layout.body_size


def test_short_items_keep_the_default_sizes(tmp_path: Path) -> None:
    layout = sheet_layout(PdfOptions())
    write_pdf(short_items(1), tmp_path / "out.pdf")
    _, chunks = read_chunks(tmp_path / "out.pdf")
    by_page = {c.page: c.size for c in chunks if not math.isclose(c.size, HEADER_SIZE)}
    assert by_page[1] == layout.body_size
    assert by_page[0] == pytest.approx(layout.body_size * pdf.FRONT_SCALE, abs=0.5)


def test_wavenet_cards_fit_on_a4_cards_without_continuation(
    exported: dict[tuple[str, str, str, bool], tuple[Path, ExportResult]],
) -> None:
    _, result = exported[("grid", "a4", "long", False)]
    continued = {w.split(" (")[0] for w in result.warnings}
    # only the huge answer, and the first exercise's outcome (three paragraphs and a list)
    assert continued == {"wavenet · E1.9", LONG_ITEM.label}, continued


# -- writing -----------------------------------------------------------------------------


def test_missing_folder_is_a_data_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.pdf"
    with pytest.raises(DataError) as caught:
        write_pdf(short_items(1), target)
    assert "\n" not in str(caught.value) and str(target) in str(caught.value)
    assert not (tmp_path / "no").exists()


def test_a_folder_as_target_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        write_pdf(short_items(1), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_as_folder_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError):
        write_pdf(short_items(1), tmp_path / "file" / "out.pdf")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_write_errors_midway_are_data_errors_and_leave_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"previous export")

    def disk_full(self: Any, *args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pdf.Canvas, "save", disk_full)
    with pytest.raises(DataError, match="cannot write \\(the disk is full\\)"):
        write_pdf(short_items(3), target)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_bugs_midway_still_remove_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Any, cards: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf._Painter, "sheet", broken)
    with pytest.raises(RuntimeError):
        write_pdf(short_items(3), tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


def test_output_replaces_an_existing_file_with_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    write_pdf(short_items(2), target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_nothing_to_print_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nothing to print"):
        write_pdf([], tmp_path / "out.pdf")
    assert list(tmp_path.iterdir()) == []


def test_progress_counts_items_and_ends_once_the_file_exists(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    calls: list[tuple[int, int, bool]] = []
    write_pdf(short_items(20), target,
              progress=lambda done, total: calls.append((done, total, target.exists())))
    assert [c[:2] for c in calls] == [(n, 20) for n in range(1, 21)]
    assert [c[2] for c in calls] == [False] * 19 + [True]


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    write_pdf(short_items(3), tmp_path / "a.pdf")
    write_pdf(short_items(3), tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


# -- options and items -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1.5,-0.5", (1.5, -0.5)), (" 0 , 0 ", (0.0, 0.0)), ("2mm,-1 mm", (2.0, -1.0)),
    ("-5,5", (-5.0, 5.0)),
])
def test_parse_back_offset(text: str, expected: tuple[float, float]) -> None:
    assert parse_back_offset(text) == expected


@pytest.mark.parametrize("text", ["", "1", "1,2,3", "a,b", "1;2", "nan,0", "inf,0", "6,0",
                                  "0,-5.5"])
def test_bad_back_offsets_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_back_offset(text)
    assert "\n" not in str(caught.value)


def test_bad_options_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="paper"):
        PdfOptions(paper="a5")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="layout"):
        PdfOptions(layout="poster")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="duplex"):
        PdfOptions(duplex="both")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        PdfOptions(back_offset=(20.0, 0.0))


def test_parse_tags() -> None:
    assert parse_tags("basics, fusion,,") == {"basics", "fusion"}
    with pytest.raises(UsageError):
        parse_tags(" , ")


def test_printable_items_of_the_builtin_deck(wavenet_items: list[PrintItem]) -> None:
    library = load_library(REPO)
    deck = library.deck("wavenet")
    plain = printable_items(deck, library.exercises_of(deck))
    assert [i.label for i in plain] == [f"wavenet · Q{n}" for n in range(1, 5)] + [
        f"wavenet · C{n}" for n in range(1, 8)]
    assert plain[0] == PrintItem("question", "wavenet", "flat-mlp-crude",
                                 deck.questions[0].prompt, deck.questions[0].answer,
                                 ("flat-mlp", "basics"), "wavenet · Q1")
    assert wavenet_items[:len(plain)] == plain
    worked = wavenet_items[len(plain):]
    depth, chain = library.exercise("wavenet-depth"), library.exercise("wavenet-chain")
    # One card per step, then one for the outcome: E1.1 is step 1 of the first exercise.
    assert [(i.kind, i.item_id, i.label) for i in worked] == [
        *(("exercise", f"wavenet-depth#s{n}", f"wavenet · E1.{n}")
          for n in range(1, len(depth.steps) + 1)),
        ("exercise", "wavenet-depth#outcome", f"wavenet · E1.{len(depth.steps) + 1}"),
        *(("exercise", f"wavenet-chain#s{n}", f"wavenet · E2.{n}")
          for n in range(1, len(chain.steps) + 1)),
        ("exercise", "wavenet-chain#outcome", f"wavenet · E2.{len(chain.steps) + 1}"),
    ]
    chained = [i for i in worked if i.item_id.startswith("wavenet-chain#")]
    # An exercise with params prints as written: its first numbers, no placeholders.
    assert all("{" not in i.front + i.back for i in chained)
    assert "100 characters" in chained[0].front


def test_tags_filter_keeps_labels(wavenet_items: list[PrintItem]) -> None:
    library = load_library(REPO)
    deck = library.deck("wavenet")
    chosen = printable_items(deck, library.exercises_of(deck), with_exercises=True,
                             tags={"receptive-field"})
    assert [i.label for i in chosen] == ["wavenet · Q3", "wavenet · Q4", "wavenet · C4"]
    assert printable_items(deck, [], tags={"no-such-tag"}) == []


def test_each_exercise_card_has_one_step_and_that_step_s_answer() -> None:
    library = load_library(REPO)
    exercise = library.exercise("wavenet-depth")
    cards = exercise_cards(exercise)
    total = len(exercise.steps)
    assert [c.number for c in cards] == list(range(1, total + 2))
    for card, step in zip(cards, exercise.steps, strict=False):
        front = " ".join(md.plain_text(md.parse(card.front)).split())
        back = " ".join(md.plain_text(md.parse(card.back)).split())
        assert front.startswith(exercise.title)
        # The setup is read once, before the first step.
        assert ("every level merges neighbouring pairs" in front) == (card.number == 1)
        prompt = " ".join(md.plain_text(md.parse(step.prompt)).split())
        assert front.endswith(f"Step {card.number} of {total} {prompt}")
        assert back.startswith(f"Step {card.number} of {total}: {step.answer} {step.unit}")
        others = [s for s in exercise.steps if s is not step]
        assert not any(" ".join(md.plain_text(md.parse(s.prompt)).split()) in front
                       for s in others)
    assert cards[0].back.endswith("so 4 levels are enough.")
    outcome = cards[-1]
    assert "what should you have found" in outcome.front
    assert md.plain_text(md.parse(outcome.back)).startswith("What you should have found")


def test_printable_and_markdown_need_neither_reportlab_nor_pydantic() -> None:
    code = (
        "import sys, studyapp.export.printable, studyapp.export.markdown\n"
        "print(sorted({'reportlab', 'pydantic'} & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_fontset_is_hashable_for_style_caching() -> None:
    fonts = FontSet("a", "b", "c", "d", "e", "f", embedded=True)
    assert hash(fonts) == hash(FontSet("a", "b", "c", "d", "e", "f", embedded=True))


# -- deck format 1.1 -----------------------------------------------------------------------


@pytest.mark.parametrize("config", [("grid", "a4", "long"), ("page", "a4", "long")], ids="-".join)
def test_a_cloze_card_prints_one_card_per_deletion_with_it_hidden_on_the_front(
    config: tuple[str, str, str], tmp_path: Path
) -> None:
    deck = load_library(LIBRARY_1_1).deck("fusion")
    items = printable_items(deck, [])
    assert [(i.label, i.item_id) for i in items] == [
        ("fusion · Q1", "what-is-a-fusion"),
        ("fusion · C1.1", "fusion-cloze#c1"),
        ("fusion · C1.2", "fusion-cloze#c2"),
        ("fusion · C2.1", "levels-cloze#c1"),
        ("fusion · C2.2", "levels-cloze#c2"),
        ("fusion · C3", "wavenet-idea"),  # reversed: printed once, paper turns either way
        ("fusion · C4", "depth"),
    ]
    options = options_for(config)
    path = tmp_path / "fusion.pdf"
    write_pdf(items, path, options)
    faces = faces_by_item(read_cards(path, options))
    first_front = squeeze(faces["fusion · C1.1", True])
    assert first_front == squeeze("One fusion is a [...] followed by tanh.")
    assert "linear" not in first_front
    assert squeeze(faces["fusion · C1.1", False]) == squeeze(
        "One fusion is a linear layer followed by tanh."
    )
    second_front = squeeze(faces["fusion · C1.2", True])
    assert "tanh" not in second_front
    assert squeeze("[a squashing function]") in second_front
    levels_front = squeeze(faces["fusion · C2.1", True])
    assert "6levels" not in levels_front and "10levels" not in levels_front
    assert squeeze(faces["fusion · C2.1", False]).startswith(squeeze("A tree of 6 levels"))


def test_a_direction_isolate_the_font_lacks_is_drawn_as_a_control_it_has() -> None:
    """Found by the property test above: U+2066 (left-to-right isolate) is not in DejaVu;
    it is drawn as U+202A (left-to-right embedding), which is, never as a box."""
    fonts = font_set(PdfOptions())
    assert not pdf.covers(fonts.regular, "\u2066")
    frags = paragraph_fragments([md.Span("a\u2066b")], fonts, 10)
    assert "".join(f.text for f in frags) == "a\u202ab"
