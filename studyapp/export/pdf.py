"""Printable PDF cards: write_pdf lays PrintItems out on paper; the one module using reportlab."""

from __future__ import annotations

import copy
import functools
import itertools
import re
import shutil
import subprocess
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus.paraparser import ParaFrag
from reportlab.rl_config import paraFontSizeHeightOffset

from studyapp.errors import DataError
from studyapp.export import markdown as md
from studyapp.export.printable import (
    DUPLEX_MODES,
    LAYOUTS,
    PAPERS,
    Paper,
    PdfOptions,
    PrintItem,
    parse_back_offset,
)

__all__ = [
    "DUPLEX_MODES",
    "LAYOUTS",
    "PAGE_SIZES",
    "PAPERS",
    "Box",
    "ExportResult",
    "FontSet",
    "PdfOptions",
    "Progress",
    "SheetLayout",
    "font_set",
    "is_right_to_left",
    "paragraph_fragments",
    "parse_back_offset",
    "shape_arabic",
    "sheet_layout",
    "substitute_for_builtin_fonts",
    "visual_order",
    "write_pdf",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with items laid out; ``done == total`` once the file
is in place."""

PAGE_SIZES: dict[Paper, tuple[float, float]] = {
    "a4": (210 * mm, 297 * mm),
    "letter": (8.5 * inch, 11 * inch),
    "a6": (105 * mm, 148 * mm),
    "index-3x5": (5 * inch, 3 * inch),  # an index card, landscape
}
MIN_FONT_SIZE = 7.0
"""Text is shrunk down to this size before it continues on another card."""
FONT_STEP = 0.5
HEADER_SIZE = 6.5
HEADER_GAP = 1.5 * mm
FRONT_SCALE = 1.25
"""Fronts (a question, a card's cue) start larger than backs."""
CARD_PADDING = 3.5 * mm
CUT_MARK_GAP = 1 * mm
"""Crop marks start this far outside the card corner ..."""
CUT_MARK_LENGTH = 3 * mm
"""... and run this far outward, so they stay in the gutter and never touch a card."""

_BLACK = Color(0, 0, 0)
_GREY_TEXT = Color(0.42, 0.42, 0.42)
_GREY_LINE = Color(0.72, 0.72, 0.72)
_CODE_BACKGROUND = Color(0.94, 0.94, 0.94)
_SIDE_NAMES = {
    "question": ("question", "answer"),
    "card": ("front", "back"),
    "cloze": ("cloze", "answer"),
    "exercise": ("exercise", "answer"),
}


# -- results -----------------------------------------------------------------------------


@dataclass(slots=True)
class ExportResult:
    """What write_pdf produced."""

    path: Path
    pages: int
    cards: int
    """Cards printed (a front and its back), continuation cards included."""
    items: int
    warnings: list[str] = field(default_factory=list)
    """One line per item that did not fit one card and continued on more."""


# -- geometry ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page, in points, origin at the bottom left."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def shifted(self, dx: float, dy: float) -> Box:
        """The same box moved by (dx, dy)."""
        return Box(self.x + dx, self.y + dy, self.width, self.height)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Where the cards of one sheet go: slot ``i`` holds a front at ``fronts[i]`` and its back
    at ``backs[i]``, on the same page or (duplex) on the page after."""

    page_size: tuple[float, float]
    fronts: tuple[Box, ...]
    backs: tuple[Box, ...]
    backs_on_next_page: bool
    fold: tuple[float, float, float, float] | None
    """A dashed fold line (x1, y1, x2, y2) between fronts and backs on the same page."""
    body_size: float
    """The text size tried first; smaller sizes down to MIN_FONT_SIZE when text is long."""
    borders: bool
    """Thin card outlines (to cut along) when there are no crop marks."""

    @property
    def capacity(self) -> int:
        return len(self.fronts)


def sheet_layout(options: PdfOptions) -> SheetLayout:
    """The card boxes for ``options`` (layout, paper, duplex)."""
    width, height = PAGE_SIZES[options.paper]
    large = options.paper in ("a4", "letter")
    if options.layout == "page":
        margin, gap = (15 * mm, 16 * mm) if large else (6 * mm, 8 * mm)
        box_height = (height - 2 * margin - gap) / 2
        front = Box(margin, height - margin - box_height, width - 2 * margin, box_height)
        back = Box(margin, margin, width - 2 * margin, box_height)
        fold = (margin, height / 2, width - margin, height / 2)
        return SheetLayout((width, height), (front,), (back,), False, fold,
                           _body_size(front), borders=False)
    margin, gutter = (10 * mm, 8 * mm) if large else (6 * mm, 8 * mm)
    if large:
        columns, rows = 2, 4
    elif options.duplex == "none":
        columns, rows = (2, 1) if width > height else (1, 2)
    else:
        columns, rows = 1, 1
    cell_w = (width - 2 * margin - (columns - 1) * gutter) / columns
    cell_h = (height - 2 * margin - (rows - 1) * gutter) / rows
    grid = [
        [
            Box(margin + c * (cell_w + gutter), height - margin - (r + 1) * cell_h - r * gutter,
                cell_w, cell_h)
            for c in range(columns)
        ]
        for r in range(rows)
    ]
    borders = not options.cut_marks
    if options.duplex == "none":
        if columns == 2:  # fronts on the left, backs on the right: fold on the vertical
            fronts = tuple(row[0] for row in grid)
            backs = tuple(row[1] for row in grid)
            fold = (width / 2, margin, width / 2, height - margin)
        else:  # a portrait single card: front above, back below
            fronts, backs = (grid[0][0],), (grid[1][0],)
            fold = (margin, height / 2, width - margin, height / 2)
        return SheetLayout((width, height), fronts, backs, False, fold,
                           _body_size(fronts[0]), borders)
    fronts = tuple(grid[r][c] for r in range(rows) for c in range(columns))
    if options.duplex == "long":  # flipped about the vertical axis: columns swap
        backs = tuple(grid[r][columns - 1 - c] for r in range(rows) for c in range(columns))
    else:  # flipped about the horizontal axis: rows swap
        backs = tuple(grid[rows - 1 - r][c] for r in range(rows) for c in range(columns))
    return SheetLayout((width, height), fronts, backs, True, None, _body_size(fronts[0]), borders)


def _body_size(box: Box) -> float:
    size = min(box.width, box.height) / 17
    return max(9.0, min(13.0, round(size / FONT_STEP) * FONT_STEP))


# -- fonts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontSet:
    """Registered reportlab font names for the card text."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str
    mono_bold: str
    embedded: bool
    """True for embedded TrueType fonts; False for the viewer's built-in Helvetica/Courier."""


BUILTIN_FONTS = FontSet(
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Courier", "Courier-Bold", embedded=False,
)
_DEJAVU_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono_bold": "DejaVuSansMono-Bold.ttf",
}
_FONT_FOLDERS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/dejavu-sans-mono-fonts",
    "/usr/local/share/fonts",
    "/opt/homebrew/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "C:/Windows/Fonts",
)
_FAMILY = "StudyappSans"
_MONO_FAMILY = "StudyappMono"


def _fc_match(pattern: str) -> Path | None:
    """The file fontconfig picks for ``pattern``, if fontconfig is installed and answers."""
    executable = shutil.which("fc-match")
    if executable is None:
        return None
    try:
        found = subprocess.run(
            [executable, "-f", "%{file}", pattern],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = found.stdout.strip()
    return Path(text) if found.returncode == 0 and text else None


@functools.cache
def find_dejavu() -> dict[str, Path] | None:
    """DejaVu Sans (and Mono) font files by role, or None when the regular face is missing."""
    folders: list[Path] = []
    for pattern in ("DejaVu Sans", "DejaVu Sans Mono"):
        found = _fc_match(pattern)
        # fc-match always answers with *some* font; only a DejaVu answer tells us a folder.
        if found is not None and found.name.startswith("DejaVuSans"):
            folders.append(found.parent)
    from studyapp.paths import expand_user

    for known in _FONT_FOLDERS:
        try:
            folders.append(expand_user(known))
        except DataError:  # no home folder to expand '~' in: those folders are not looked in
            continue
    files: dict[str, Path] = {}
    for role, name in _DEJAVU_FILES.items():
        for folder in folders:
            candidate = folder / name
            if candidate.is_file():
                files[role] = candidate
                break
    return files if "regular" in files else None


@functools.cache
def embedded_fonts() -> FontSet | None:
    """DejaVu registered with reportlab as two families (done once), or None if unavailable."""
    files = find_dejavu()
    if files is None:
        return None
    names = {
        "regular": _FAMILY, "bold": f"{_FAMILY}-Bold", "italic": f"{_FAMILY}-Italic",
        "bold_italic": f"{_FAMILY}-BoldItalic", "mono": _MONO_FAMILY,
        "mono_bold": f"{_MONO_FAMILY}-Bold",
    }
    # A missing style falls back to the nearest face we have rather than to no fonts at all.
    nearest = {"bold": "regular", "italic": "regular", "bold_italic": "bold",
               "mono": "regular", "mono_bold": "mono"}
    chosen: dict[str, str] = {}
    try:
        for role in ("regular", "bold", "italic", "bold_italic", "mono", "mono_bold"):
            if role in files:
                pdfmetrics.registerFont(TTFont(names[role], str(files[role])))
                chosen[role] = names[role]
            else:
                chosen[role] = chosen[nearest[role]]
    except Exception:  # a broken font file: print with the built-in fonts instead
        return None
    pdfmetrics.registerFontFamily(
        _FAMILY, normal=chosen["regular"], bold=chosen["bold"], italic=chosen["italic"],
        boldItalic=chosen["bold_italic"],
    )
    pdfmetrics.registerFontFamily(
        _MONO_FAMILY, normal=chosen["mono"], bold=chosen["mono_bold"], italic=chosen["mono"],
        boldItalic=chosen["mono_bold"],
    )
    return FontSet(chosen["regular"], chosen["bold"], chosen["italic"], chosen["bold_italic"],
                   chosen["mono"], chosen["mono_bold"], embedded=True)


def font_set(options: PdfOptions) -> FontSet:
    """The fonts ``options`` print with: embedded DejaVu unless built-ins are asked for or
    no DejaVu is installed."""
    if options.builtin_fonts:
        return BUILTIN_FONTS
    return embedded_fonts() or BUILTIN_FONTS


# -- text --------------------------------------------------------------------------------

_ASCII_SUBSTITUTES = {
    "→": "->", "←": "<-", "↔": "<->", "⇒": "=>", "⇐": "<=", "⇔": "<=>", "↑": "^", "↓": "v",
    "⟶": "->", "⟵": "<-", "↦": "|->",
    "−": "-", "‐": "-", "‑": "-", "‒": "-", "―": "--", "⁃": "-",
    "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "∼": "~", "≃": "~=", "≅": "~=", "≡": "==",
    "∝": "~", "⋅": "·", "∙": "·", "∗": "*", "∕": "/", "∞": "inf", "√": "sqrt", "∑": "sum",
    "∏": "prod", "∫": "int", "∂": "d", "∇": "nabla", "∈": " in ", "∉": " not in ",
    "∀": "for all ", "∃": "exists ", "∧": "and", "∨": "or", "¬": "not ", "∅": "{}",
    "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")", "⟨": "<", "⟩": ">",
    "⁰": "^0", "⁴": "^4", "⁵": "^5", "⁶": "^6", "⁷": "^7", "⁸": "^8", "⁹": "^9",
    "⁺": "^+", "⁻": "^-", "ⁿ": "^n", "ᵏ": "^k", "ⁱ": "^i",
    "₀": "_0", "₁": "_1", "₂": "_2", "₃": "_3", "₄": "_4", "₅": "_5", "₆": "_6", "₇": "_7",
    "₈": "_8", "₉": "_9", "ₖ": "_k", "ᵢ": "_i", "ⱼ": "_j", "ₙ": "_n",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta",
    "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    "✓": "v", "✔": "v", "✗": "x", "✘": "x", "★": "*", "☆": "*", "▪": "-", "◦": "-",
    "′": "'", "″": '"', "‴": "'''", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"',
    "„": '"', "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ", "\u200b": "",
    "\u2060": "", "\ufeff": "",
}
"""Readable ASCII for characters the built-in PDF fonts cannot show (Windows-1252 is what
they can). Curly quotes, dashes, …, ×, ², ³, é and the like are shown as themselves."""

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _in_builtin_encoding(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _builtin_substitute(ch: str) -> str:
    if _in_builtin_encoding(ch):
        return ch
    if ch in _ASCII_SUBSTITUTES:
        return _ASCII_SUBSTITUTES[ch]
    decomposed = "".join(
        c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
    )
    if decomposed and all(_in_builtin_encoding(c) for c in decomposed):
        return decomposed
    return "?"


def substitute_for_builtin_fonts(text: str) -> str:
    """``text`` with every character Helvetica/Courier lack replaced by readable ASCII
    (``→`` becomes ``->``, ``≥`` ``>=``, ``ő`` ``o``; anything else ``?``)."""
    if text.isascii():
        return text
    return "".join(ch if ch < "\x80" else _builtin_substitute(ch) for ch in text)


def _clean(text: str, fonts: FontSet) -> str:
    """Text safe for reportlab: no control characters; built-in fonts get their substitutes."""
    if not text.isascii() or not text.isprintable():
        text = _UNPRINTABLE.sub("", text)
        if not fonts.embedded:
            text = substitute_for_builtin_fonts(text)
    return text


def _face(fonts: FontSet, *, bold: bool, italic: bool, code: bool) -> str:
    if code:
        return fonts.mono_bold if bold else fonts.mono
    if bold:
        return fonts.bold_italic if italic else fonts.bold
    return fonts.italic if italic else fonts.regular


# -- glyph coverage: every character is drawn in a font that has it, or visibly replaced ---

MISSING_GLYPH = "\u25a1"
"""Printed (□) for a character no installed font has, instead of an empty box that copies
out as NUL; `write_pdf` warns naming the item and the character."""


@functools.cache
def _glyphs(font_name: str) -> frozenset[int] | None:
    """The code points an embedded font has; None for a built-in font (Windows-1252)."""
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    mapping = getattr(face, "charToGlyph", None)
    return frozenset(mapping) if isinstance(mapping, dict) and isinstance(font, TTFont) else None


def covers(font_name: str, ch: str) -> bool:
    """Whether `font_name` can draw `ch`."""
    glyphs = _glyphs(font_name)
    if glyphs is None:
        return _in_builtin_encoding(ch)
    return ord(ch) in glyphs


_fallbacks: list[str] = []
"""Fallback fonts registered so far (each a TrueType file fontconfig found for some
character the main fonts lack); tried before asking fontconfig again."""


@functools.cache
def fallback_font(ch: str) -> str | None:
    """A registered font that has `ch`: one already registered, else the file fontconfig
    matches for the character (``fc-match :charset=HEX``), checked for real coverage."""
    code = ord(ch)
    for name in _fallbacks:
        if covers(name, ch):
            return name
    found = _fc_match(f":charset={code:x}")
    if found is None or found.suffix.lower() != ".ttf" or not found.is_file():
        return None  # reportlab embeds TrueType outlines only (no .otf/.ttc here)
    name = f"StudyappFallback-{found.stem}"
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(found)))
    except Exception:  # an unreadable font file: no fallback from it
        return None
    if not covers(name, ch):
        return None
    if name not in _fallbacks:
        _fallbacks.append(name)
    return name


def _runs(text: str, font: str, fonts: FontSet) -> list[tuple[str, str]]:
    """`text` cut into (text, font) runs: each character in `font` when it has it, else in a
    fallback font that has it, else replaced by MISSING_GLYPH (or "?" in fonts without □)."""
    if text.isascii() or not fonts.embedded:
        return [(text, font)]
    text = _bidi_controls(shape_arabic(text, font), font)
    # Characters are collected in lists and joined once: adding them to a string one at a
    # time copied the run each time (a 250 KB Hebrew answer took seconds here).
    runs: list[tuple[list[str], str]] = []
    for original in text:
        ch, chosen = original, font
        if ch >= "\x80" and not ch.isspace() and not covers(font, ch):
            other = fallback_font(ch)
            if other is not None:
                chosen = other
            else:
                ch = MISSING_GLYPH if covers(font, MISSING_GLYPH) else "?"
        if runs and runs[-1][1] == chosen:
            runs[-1][0].append(ch)
        else:
            runs.append(([ch], chosen))
    return [("".join(chars), face) for chars, face in runs] or [(text, font)]


def missing_characters(text: str, fonts: FontSet) -> list[str]:
    """The distinct characters of `text` no font can draw, in order of appearance (the
    faces of one family share their coverage closely enough to check the regular one)."""
    if text.isascii() or not fonts.embedded:
        return []
    seen: dict[str, None] = {}
    for ch in _UNPRINTABLE.sub("", text):
        if ch >= "\x80" and ch not in seen and not ch.isspace() and ch not in _ISOLATES \
                and not covers(fonts.regular, ch) \
                and not covers(fonts.mono, ch) and fallback_font(ch) is None:
            seen[ch] = None
    return list(seen)


# -- right-to-left scripts: joined Arabic letters, and every line in visual order ----------
#
# reportlab lays text out left to right in the order it is given. Hebrew and Arabic are
# stored first letter first, so printed as given they read backwards. reportlab's own
# right-to-left support needs `rlbidi`, which is not on PyPI; python-bidi (the Unicode
# Bidirectional Algorithm, UAX #9) gives the embedding levels instead, and each line is
# put in visual order here, after reportlab has broken the paragraph into lines in logical
# order (as UAX #9 asks: reordering the whole paragraph first would put its last words on
# the first line). Arabic letters also change shape with their neighbours: arabic-reshaper
# turns them into the joined presentation forms DejaVu Sans has, before wrapping, so the
# widths are the drawn ones.

_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
"""Characters that can make a run right-to-left (Hebrew, Arabic, Syriac, Thaana, N'Ko and
the like, their presentation forms, and the explicit RLM/RLE/RLO/RLI marks): text without
any is printed as it comes, without running the algorithm."""
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

_MIRRORS = dict(zip("()<>[]{}«»‹›⁅⁆⁽⁾₍₎≤≥≦≧≪≫∈∋⊂⊃⊆⊇⌈⌉⌊⌋〈〉⟨⟩⟦⟧⟪⟫⦃⦄「」『』【】〔〕〖〗〘〙〚〛",
                    ")(><][}{»«›‹⁆⁅⁾⁽₎₍≥≤≧≦≫≪∋∈⊃⊂⊇⊆⌉⌈⌋⌊〉〈⟩⟨⟧⟦⟫⟪⦄⦃」「』『】【〕〔〗〖〙〘〛〚",
                    strict=True))
"""A bracket in right-to-left text is drawn as its mirror image (UAX #9 rule L4): the "("
that opens a Hebrew aside sits on its right, so it is drawn as ")"."""

_ISOLATES = {"\u2066": "\u202a", "\u2067": "\u202b", "\u2068": "", "\u2069": "\u202c",
             "\u061c": "\u200f"}
"""The isolates (LRI, RLI, FSI, PDI) and the Arabic letter mark, which DejaVu Sans lacks,
and the invisible, zero-width controls it has that reorder nearly alike: the embeddings
(LRE, RLE, PDF) and the right-to-left mark. FSI becomes LRE or RLE by the text it isolates."""
_INVISIBLE = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Direction marks and controls: they steer the reordering and are not drawn."""

_TRAILING_RESET = frozenset({"WS", "BN", "FSI", "LRI", "RLI", "PDI", "LRE", "RLE", "LRO",
                             "RLO", "PDF"})


@functools.cache
def _reshaper() -> Callable[[str], str] | None:
    """arabic-reshaper's reshape, keeping every diacritic; None when it cannot start (its
    configuration file, named by an environment variable, is missing or broken)."""
    from arabic_reshaper import ArabicReshaper

    try:
        reshaper = ArabicReshaper(configuration={
            "delete_harakat": False,  # vowel marks are part of the text: never dropped
            "shift_harakat_position": False,  # marks are placed after reordering, below
            "delete_tatweel": False,
        })
    except Exception:
        return None
    return reshaper.reshape  # type: ignore[no-any-return]


def shape_arabic(text: str, font: str) -> str:
    """`text` with its Arabic letters in their joined (initial, medial, final) forms, when
    `font` or a fallback font has every form needed; else `text` unchanged (unjoined but
    complete letters read better than boxes)."""
    if not _ARABIC.search(text):
        return text
    reshape = _reshaper()
    if reshape is None:
        return text
    shaped = reshape(text)
    drawable = all(covers(font, ch) or fallback_font(ch) is not None
                   for ch in set(shaped) - set(text))
    return shaped if drawable else text


def _bidi_controls(text: str, font: str) -> str:
    """`text` with each isolate or Arabic letter mark `font` lacks replaced by its nearest
    control the font has (see _ISOLATES): no box is printed for an invisible character."""
    if not any(ch in text for ch in _ISOLATES):
        return text
    out: list[str] = []
    for index, ch in enumerate(text):
        if ch not in _ISOLATES or covers(font, ch):
            out.append(ch)
        elif ch == "\u2068":  # first-strong isolate: the direction of what it holds
            rest = text[index + 1:]
            held = rest[:rest.find("\u2069")] if "\u2069" in rest else rest
            out.append("\u202b" if is_right_to_left(held) else "\u202a")
        else:
            out.append(_ISOLATES[ch])
    return "".join(out)


def is_right_to_left(text: str) -> bool:
    """Whether a paragraph of `text` runs right to left: its first strong character is
    Hebrew or Arabic (UAX #9 rules P2, P3)."""
    if not _RTL.search(text):
        return False
    from bidi import get_base_level

    return bool(get_base_level(text) == 1)


_DEBUG_LEVELS = re.compile(r"\n {4}levels: \[(.*?)\]", re.DOTALL)
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


def _embedding_levels(text: str, rtl: bool) -> list[int]:
    """The resolved embedding level of each character of `text`, as one paragraph with the
    given direction (even: left to right, odd: right to left).

    python-bidi returns them only with `debug=True` (documented as returning the levels),
    as the Rust crate's pretty-printed BidiInfo, one level per UTF-8 byte.
    """
    from bidi import get_display

    info = str(get_display(text, base_dir="R" if rtl else "L", debug=True))
    section = _DEBUG_LEVELS.search(info)
    per_byte = [int(level) for level in _LEVEL.findall(section.group(1))] if section else []
    levels: list[int] = []
    offset = 0
    for ch in text:
        if offset >= len(per_byte):
            break
        levels.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    if len(levels) != len(text) or offset != len(per_byte):
        # A python-bidi whose debug output reads differently: say so rather than print
        # right-to-left text backwards without a word.
        raise RuntimeError("python-bidi returned embedding levels in an unknown form")
    return levels


def visual_order(text: str, rtl: bool) -> list[tuple[int, str]]:
    """One line of `text` in the order it is drawn, left to right: for each position, the
    index of the character in `text` and the character to draw (a mirrored bracket in
    right-to-left runs). `rtl` is the direction of the paragraph the line belongs to."""
    if not _RTL.search(text) and not rtl:
        return list(enumerate(text))
    levels = _embedding_levels(text, rtl)
    base = 1 if rtl else 0
    # L1: separators, and whitespace before them or at the end of the line, take the
    # paragraph's level (a trailing space of a Hebrew run does not jump to its left).
    reset = True
    for index in range(len(text) - 1, -1, -1):
        kind = unicodedata.bidirectional(text[index])
        if kind in ("S", "B"):
            levels[index], reset = base, True
        elif reset and kind in _TRAILING_RESET:
            levels[index] = base
        else:
            reset = False
    # L2: from the highest level down to the lowest odd one, reverse every run at that
    # level or above.
    order = list(range(len(text)))
    at = list(levels)
    odd = [level for level in levels if level % 2]
    for level in range(max(levels, default=0), min(odd, default=1) - 1, -1):
        start = 0
        while start < len(order):
            if at[start] < level:
                start += 1
                continue
            stop = start
            while stop < len(order) and at[stop] >= level:
                stop += 1
            order[start:stop] = order[start:stop][::-1]
            at[start:stop] = at[start:stop][::-1]
            start = stop
    # No L3: a combining mark (niqqud, harakat) stays just before its letter in a reversed
    # run. Fonts for these scripts draw such marks with no advance and to the right of
    # where they start (DejaVu Sans's qamats spans 355..955 of a 1451-wide shin), so a mark
    # drawn just before its letter lands on it; moved after it, it would hang over the
    # letter to its left.
    # L4: mirrored glyphs in right-to-left runs. Direction marks and controls have done
    # their work and take no room: they are left out.
    return [
        (index, _MIRRORS.get(text[index], text[index]) if levels[index] % 2 else text[index])
        for index in order if text[index] not in _INVISIBLE
    ]


def _visual_words(words: list[ParaFrag], rtl: bool) -> list[ParaFrag]:
    """A wrapped line's fragments in drawing order: each fragment keeps its font, size and
    rise, cut where the reordering interleaves it with another."""
    if any(hasattr(frag, "cbDefn") for frag in words):
        return words  # images and anchors: none in card text
    texts = [frag.text for frag in words]
    text = "".join(texts)
    if not text or (not rtl and not _RTL.search(text)):
        return words
    owner = [number for number, part in enumerate(texts) for _ in part]
    out: list[ParaFrag] = []
    last = -1
    for index, ch in visual_order(text, rtl):
        if owner[index] == last:
            out[-1].text += ch
            continue
        last = owner[index]
        piece = copy.copy(words[last])
        piece.text = ch
        out.append(piece)
    return out


def _visual_lines(flow: Paragraph) -> Any:
    """A copy of `flow`'s wrapped lines in visual order, or None when it has no
    right-to-left text (the lines are drawn as they are)."""
    para = getattr(flow, "blPara", None)
    if para is None:
        return None
    rtl = flow.style.alignment == TA_RIGHT
    if para.kind == 0:  # one font throughout: each line is (spare width, words)
        if not rtl and not any(_RTL.search(word) for _, words in para.lines
                               for word in words):
            return None
        visual = copy.copy(para)
        visual.lines = [
            (spare, "".join(ch for _, ch in visual_order(" ".join(words), rtl)).split(" "))
            for spare, words in para.lines
        ]
        return visual
    if not rtl and not any(_RTL.search(frag.text) for line in para.lines
                           for frag in line.words):
        return None
    visual = copy.copy(para)
    visual.lines = []
    for logical in para.lines:
        line = copy.copy(logical)
        line.words = _visual_words(logical.words, rtl)
        visual.lines.append(line)
    return visual


def _draw(flow: Paragraph, canvas: Canvas, x: float, y: float) -> None:
    """Draw a wrapped paragraph, each line in visual order. Only drawing sees the reordered
    lines: measuring and splitting a paragraph work on its text in logical order."""
    visual = _visual_lines(flow)
    if visual is None:
        flow.drawOn(canvas, x, y)
        return
    logical = flow.blPara
    flow.blPara = visual
    try:
        flow.drawOn(canvas, x, y)
    finally:
        flow.blPara = logical


def _fragments(text: str, font: str, size: float, bold: bool, italic: bool,
               fonts: FontSet) -> list[ParaFrag]:
    return [_fragment(part, face, size, bold, italic) for part, face in _runs(text, font, fonts)]


def _fragment(text: str, font: str, size: float, bold: bool, italic: bool) -> ParaFrag:
    # The attributes reportlab's own markup parser gives every fragment it makes.
    return ParaFrag(text=text, fontName=font, fontSize=size, bold=int(bold), italic=int(italic),
                    textColor=_BLACK, rise=0, greek=0, link=[], us_lines=[])


def paragraph_fragments(spans: Sequence[md.Span], fonts: FontSet, size: float) -> list[ParaFrag]:
    """reportlab Paragraph fragments for ``spans``.

    Card text never passes through reportlab's XML-like paragraph markup: it is handed over
    as ready-made fragments, so ``<b>``, ``&amp;`` or ``<font>`` typed on a card are printed
    as typed; there is no markup to escape from. (Fragments also skip the markup parser,
    which is a good part of the cost of a Paragraph.)
    """
    frags: list[ParaFrag] = []
    for span in spans:
        font = _face(fonts, bold=span.bold, italic=span.italic, code=span.code)
        text = _clean(span.text, fonts)
        if not span.code and ("^" in text or "_" in text or "log" in text):
            frags += _math_fragments(text, font, size, span.bold, span.italic, fonts)
            continue
        if "\n" not in text:
            frags.extend(_fragments(text, font, size, span.bold, span.italic, fonts))
            continue
        for index, line in enumerate(text.split("\n")):
            if index:
                frags.append(_line_break(font, size))
            if line:
                frags.extend(_fragments(line, font, size, span.bold, span.italic, fonts))
    return frags or [_fragment("", fonts.regular, size, False, False)]


SCRIPT_SCALE = 0.7
"""Superscripts and subscripts are set this much smaller than their line."""


def _math_fragments(text: str, font: str, size: float, bold: bool, italic: bool,
                    fonts: FontSet) -> list[ParaFrag]:
    """Real superscripts and subscripts (`2^k`, `x_i`, `log2(N)`): smaller text, raised or
    lowered, rather than the Unicode characters (which fonts draw unevenly). Every piece goes
    through `_fragments`, so a character the font lacks gets a fallback font or □ here too."""
    from studyapp.mathtext import pieces

    frags: list[ParaFrag] = []
    for piece, kind in pieces(text):
        if kind == "text":
            for index, line in enumerate(piece.split("\n")):
                if index:
                    frags.append(_line_break(font, size))
                if line:
                    frags.extend(_fragments(line, font, size, bold, italic, fonts))
            continue
        for frag in _fragments(piece, font, size * SCRIPT_SCALE, bold, italic, fonts):
            frag.rise = size * 0.38 if kind == "sup" else -size * 0.18
            frags.append(frag)
    return frags


def _line_break(font: str, size: float) -> ParaFrag:
    frag = _fragment("", font, size, False, False)
    frag.lineBreak = True
    return frag


_SPACE_RUN = re.compile(r"^ +| {2,}")


def _code_fragments(text: str, fonts: FontSet, size: float) -> list[ParaFrag]:
    frags: list[ParaFrag] = []
    for index, line in enumerate(_clean(text, fonts).split("\n")):
        if index:
            frags.append(_line_break(fonts.mono, size))
        # Indentation and aligned columns keep their width; single spaces may still wrap.
        kept = _SPACE_RUN.sub(lambda m: "\xa0" * len(m.group()), line)
        frags.extend(_fragments(kept or "\xa0", fonts.mono, size, False, False, fonts))
    return frags


# -- paragraphs and fitting --------------------------------------------------------------

_Flow = tuple[Paragraph, float]
"""A paragraph and the space above it (ignored at the top of a card)."""
CODE_SCALE = 0.9
"""Monospaced text runs wide: code blocks are set a little smaller than the text around them."""


LONG_PARAGRAPH = 2_000
"""Paragraphs longer than this (in characters) reach reportlab in pieces of about this size:
its line breaking takes time quadratic in the length of what it breaks (it takes each word
off the front of a list), which made one 1 MB paragraph take ten seconds."""


class _Paragraph(Paragraph):  # type: ignore[misc]
    """A reportlab Paragraph whose bullet, when the paragraph runs right to left, hangs in
    the indent on its right. (reportlab puts bullets on the right only through its own bidi
    support, which needs `rlbidi`; see the right-to-left notes above.)"""

    def _right_bullet(self) -> str | None:
        bullet = self.bulletText
        return bullet if isinstance(bullet, str) and bullet and \
            self.style.alignment == TA_RIGHT else None

    def breakLines(self, width: Any) -> Any:
        bullet = self._right_bullet()
        if bullet is None:
            return super().breakLines(width)
        style = self.style
        widths = list(width) if isinstance(width, (list, tuple)) else [width]
        # As on the left: a bullet wider than the indent pushes the first line inwards.
        reach = style.bulletIndent + pdfmetrics.stringWidth(
            bullet, style.bulletFontName, style.bulletFontSize) + 0.6 * style.bulletFontSize
        widths[0] -= max(0.0, reach - style.rightIndent)
        self.bulletText = None  # reportlab would make room for it on the left
        try:
            return super().breakLines(widths)
        finally:
            self.bulletText = bullet

    def draw(self) -> None:
        bullet = self._right_bullet()
        if bullet is None:
            super().draw()
            return
        self.bulletText = None
        try:
            super().draw()
        finally:
            self.bulletText = bullet
        lines = self.blPara.lines
        if not lines:
            return
        first = lines[0] if self.blPara.kind == 1 else self.blPara
        # The first line's baseline, found as reportlab finds it.
        baseline = self.height - (first.fontSize if paraFontSizeHeightOffset
                                  else getattr(first, "ascent", first.fontSize))
        style = self.style
        shown = "".join(ch for _, ch in visual_order(bullet, True))  # "1." reads ".1"
        size = style.bulletFontSize
        right = self.width - style.bulletIndent
        self.canv.setFillColor(getattr(style, "bulletColor", style.textColor))
        self.canv.setFont(style.bulletFontName, size)
        self.canv.drawString(right - pdfmetrics.stringWidth(shown, style.bulletFontName, size),
                             baseline + getattr(style, "bulletOffsetY", 0), shown)


def _text_groups(frags: list[ParaFrag], limit: int) -> list[list[ParaFrag]]:
    """``frags`` cut into consecutive runs of about ``limit`` characters, at a space where
    there is one (a word without spaces longer than ``limit`` is cut anywhere)."""
    groups: list[list[ParaFrag]] = [[]]
    count = 0
    for frag in frags:
        text: str = frag.text
        start = 0
        while len(text) - start > limit - count:
            room = limit - count
            # the last space with text before it that still fits, else the first after it
            cut = text.rfind(" ", start + 1, start + room + 1) if room > 0 else -1
            if cut < 0 and count:
                groups.append([])  # end the run before this fragment and look again
                count = 0
                continue
            if cut < 0:
                cut = text.find(" ", start + room)
                cut = start + room if cut < 0 else cut
            left = copy.copy(frag)
            left.text = text[start:cut]
            groups[-1].append(left)
            groups.append([])
            count = 0
            start = cut
        if start == 0:
            groups[-1].append(frag)
        else:
            rest = copy.copy(frag)
            rest.text = text[start:]
            groups[-1].append(rest)
        count += len(text) - start
    return [group for group in groups if group]


def _line_frags(flow: Paragraph, start: int, stop: int) -> list[ParaFrag]:
    """Lines ``start`` to ``stop`` of a wrapped paragraph as plain fragments of text, as
    they would break again: words of one line joined by spaces, no space after the last."""
    para = flow.blPara
    if para.kind == 0:  # one font: each line is (spare width, words)
        frag = copy.copy(flow.frags[0])
        frag.text = " ".join(word for _, words in para.lines[start:stop] for word in words)
        return [frag]
    # Any other: each line holds its words as fragments of text. (reportlab's own split
    # of such a paragraph moves a hard line break to the start of the next piece.)
    out: list[ParaFrag] = []
    for number, line in enumerate(para.lines[start:stop]):
        if number and out and not hasattr(out[-1], "lineBreak"):
            out[-1].text += " "
        for frag in line.words:
            piece = copy.copy(frag)
            out.append(piece)
    return out


def _joined(frags: list[ParaFrag]) -> list[ParaFrag]:
    """``frags`` with neighbours that differ only in their text made one: a paragraph of one
    fragment takes reportlab's much quicker one-font path."""
    out: list[ParaFrag] = []
    last: dict[str, Any] | None = None
    for frag in frags:
        attributes = {k: v for k, v in vars(frag).items() if k not in ("text", "_fkind")}
        if out and attributes == last and "lineBreak" not in attributes:
            joined = copy.copy(out[-1])
            joined.text = out[-1].text + frag.text
            out[-1] = joined
        else:
            out.append(frag)
        last = attributes
    return out


def _paragraphs(frags: list[ParaFrag], style: ParagraphStyle, bullet: str | None,
                width: float, budget: float) -> list[Paragraph]:
    """One paragraph of card text as reportlab Paragraphs to stack without space between.

    A paragraph of more than LONG_PARAGRAPH characters is handed over in runs of about that
    size, each wrapped to ``width`` with its last line carried over into the next run: all
    but the last piece end with a full line, so the pieces break into exactly the lines the
    whole paragraph would. Once the pieces are taller than ``budget``, the rest of the runs
    come as they are (the paragraph does not fit there; only its height matters, roughly).
    """
    if sum(len(frag.text) for frag in frags) <= LONG_PARAGRAPH:
        return [_Paragraph(None, style, bulletText=bullet, frags=frags)]
    groups = _text_groups(frags, LONG_PARAGRAPH)
    pieces: list[Paragraph] = []
    carry: list[ParaFrag] = []
    used = 0.0
    for index, group in enumerate(groups):
        head = None if pieces else bullet
        piece = _Paragraph(None, style, bulletText=head, frags=_joined(carry + group))
        if index == len(groups) - 1 or used > budget:
            pieces.append(piece)
            carry = []
            continue
        piece.wrap(width, 1e6)
        lines = piece.blPara.lines
        if len(lines) < 2:
            carry = carry + group
            continue
        pieces.append(_Paragraph(None, style, bulletText=head,
                                 frags=_joined(_line_frags(piece, 0, len(lines) - 1))))
        used += (len(lines) - 1) * float(style.leading)
        carry = _line_frags(piece, len(lines) - 1, len(lines))
        if group[-1].text.endswith(" ") and carry and not hasattr(carry[-1], "lineBreak"):
            carry[-1].text += " "  # the space the run ended with (reportlab drops it)
    return pieces


@functools.lru_cache(maxsize=1024)
def _style(fonts: FontSet, role: str, size: float, depth: int,
           rtl: bool = False) -> ParagraphStyle:
    indent = min(depth, 4) * size * 1.6
    code = role == "code"
    font_size = size * CODE_SCALE if code else size
    return ParagraphStyle(
        f"{role}-{size}-{depth}-{fonts.regular}{'-rtl' if rtl else ''}",
        # A right-to-left paragraph keeps to the right edge; drawing tells it by this.
        alignment=TA_RIGHT if rtl else TA_LEFT,
        fontName=fonts.mono if code else fonts.regular,
        fontSize=font_size,
        leading=font_size * 1.22,
        # The hanging indent, and the bullet in it, are on the side the paragraph starts.
        leftIndent=0.0 if rtl else indent,
        rightIndent=indent if rtl else 0.0,
        bulletIndent=max(0.0, indent - size * 1.6),
        bulletFontName=fonts.regular,
        bulletFontSize=size,
        backColor=_CODE_BACKGROUND if code else None,
        splitLongWords=1,
        allowWidows=1,
        allowOrphans=1,
    )


def _flows(blocks: Sequence[md.Block], fonts: FontSet, size: float, width: float,
           budget: float = float("inf"), depth: int = 0, bullet: str | None = None,
           first_gap: float | None = None) -> list[_Flow]:
    """Paragraph flowables for ``blocks`` wrapped to ``width``; the first one carries
    ``bullet`` when given. A long paragraph comes as several flowables with no space between
    them (see _paragraphs); only its height up to ``budget`` is laid out line for line."""
    out: list[_Flow] = []
    gap = size * 0.5

    def add(frags: list[ParaFrag], role: str) -> None:
        nonlocal bullet
        space = first_gap if first_gap is not None and not out else gap
        text = "".join(frag.text for frag in frags)
        style = _style(fonts, role, size, depth, is_right_to_left(text))
        for index, piece in enumerate(_paragraphs(frags, style, bullet, width, budget)):
            out.append((piece, 0.0 if index else space))
        bullet = None

    for block in blocks:
        if isinstance(block, md.ParagraphBlock):
            add(paragraph_fragments(block.spans, fonts, size), "body")
        elif isinstance(block, md.CodeBlock):
            if bullet is not None:
                add(paragraph_fragments((), fonts, size), "body")
            add(_code_fragments(block.text, fonts, size * CODE_SCALE), "code")
        else:
            if bullet is not None:
                add(paragraph_fragments((), fonts, size), "body")
            item_gap = size * 0.15 if block.tight else gap
            for number, item in enumerate(block.items, start=block.start):
                mark = f"{number}." if block.ordered else ("•" if depth % 2 == 0 else "–")
                inner = _flows(item or (md.ParagraphBlock(()),), fonts, size, width, budget,
                               depth + 1, mark,
                               first_gap=item_gap if number > block.start else gap)
                if not out and first_gap is not None:
                    inner[0] = (inner[0][0], first_gap)
                out.extend(inner)
    return out


def _height(flows: Sequence[_Flow], width: float, limit: float) -> float:
    """Total height of ``flows`` wrapped to ``width``; stops counting once past ``limit``."""
    total = 0.0
    for index, (flow, gap) in enumerate(flows):
        _, height = flow.wrap(width, 1e6)
        total += height + (gap if index else 0.0)
        if total > limit:
            break
    return total


def _fit(text: str, fonts: FontSet, width: float, height: float,
         default_size: float) -> tuple[list[list[_Flow]], float]:
    """``text`` as the contents of one card (or, when too long even at the minimum size,
    of several), with the size used. Flowables come back wrapped, ready to draw."""
    blocks = md.parse(text)
    # Only the smallest size may continue on more cards: a larger one that is taller than
    # the card is not used, so its long paragraphs are laid out no further than that.
    flows = _flows(blocks, fonts, default_size, width, height)
    if _height(flows, width, height) <= height:
        return [flows], default_size
    steps = round((default_size - MIN_FONT_SIZE) / FONT_STEP)
    sizes = [default_size - FONT_STEP * k for k in range(1, steps + 1)]
    smallest = _flows(blocks, fonts, MIN_FONT_SIZE, width)
    if not sizes or _height(smallest, width, height) > height:
        return _continue(smallest, width, height), MIN_FONT_SIZE
    # Largest size that fits: sizes[high] fits, everything above sizes[low] does not.
    low, high, best = 0, len(sizes) - 1, smallest
    while low < high:
        middle = (low + high) // 2
        candidate = _flows(blocks, fonts, sizes[middle], width, height)
        if _height(candidate, width, height) <= height:
            high, best = middle, candidate
        else:
            low = middle + 1
    return [best], sizes[high]


def _cut_by_lines(flow: Paragraph, first: float, height: float) -> list[Paragraph]:
    """A wrapped paragraph as pieces of its lines: what fits in `first`, then what fits in
    each further `height` (the same split reportlab's Paragraph.split makes, all at once)."""
    lines = flow.blPara.lines
    leading = float(flow.style.leading)
    head, per_card = int(first / leading), max(1, int(height / leading))
    if head < 1:
        return [flow]
    bounds = [0, head]
    while bounds[-1] < len(lines):
        bounds.append(min(len(lines), bounds[-1] + per_card))
    return [
        _Paragraph(None, flow.style, bulletText=flow.bulletText if start == 0 else None,
                   frags=_joined(_line_frags(flow, start, stop)))
        for start, stop in itertools.pairwise(bounds)
    ]


def _continue(flows: list[_Flow], width: float, height: float) -> list[list[_Flow]]:
    """Share ``flows`` among as many cards as they need, splitting paragraphs between lines."""
    cards: list[list[_Flow]] = []
    current: list[_Flow] = []
    used = 0.0
    queue = deque(flows)
    while queue:
        flow, gap = queue.popleft()
        gap = gap if current else 0.0
        _, need = flow.wrap(width, 1e6)
        if used + gap + need <= height:
            current.append((flow, gap))
            used += gap + need
            continue
        room = height - used - gap
        if need > height and room > 0:
            # Taller than a whole card: cut it into card-sized pieces in one pass over its
            # lines. Splitting off one card at a time re-wraps the whole rest each time,
            # which made one 1 MB item take minutes.
            cut = _cut_by_lines(flow, room, height)
            if len(cut) >= 2:
                queue.extendleft((piece, 0.0) for piece in reversed(cut[1:]))
                flow, need = cut[0], cut[0].wrap(width, 1e6)[1]
                if used + gap + need <= height:
                    current.append((flow, gap))
                    cards.append(current)
                    current, used = [], 0.0
                    continue
        pieces = flow.split(width, room) if room > 0 else []
        if len(pieces) >= 2:
            head = pieces[0]
            head.wrap(width, room)
            current.append((head, gap))
            queue.extendleft((piece, 0.0) for piece in reversed(pieces[1:]))
        elif not current:
            # Taller than a whole card and unsplittable (cannot happen with paragraphs of
            # text at 7 pt); placed alone so the loop always ends.
            current.append((flow, 0.0))
        else:
            queue.appendleft((flow, gap))
        cards.append(current)
        current, used = [], 0.0
    if current or not cards:
        cards.append(current)
    return cards


# -- drawing -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Card:
    """One physical card: a part of an item's front and the same part of its back."""

    item: PrintItem
    front: list[_Flow]
    back: list[_Flow]
    part: int
    parts: int


@dataclass(slots=True)
class _Painter:
    """Draws sheets of cards on a canvas, page after page."""

    canvas: Canvas
    layout: SheetLayout
    options: PdfOptions
    fonts: FontSet
    pages: int = 0

    def sheet(self, cards: Sequence[_Card]) -> None:
        layout = self.layout
        if layout.backs_on_next_page:
            for card, box in zip(cards, layout.fronts, strict=False):
                self._face(card, box, front=True)
            self._decorate(layout.fronts[: len(cards)])
            self._next_page()
            dx, dy = (v * mm for v in self.options.back_offset)
            if dx or dy:
                self.canvas.translate(dx, dy)
            for card, box in zip(cards, layout.backs, strict=False):
                self._face(card, box, front=False)
            if layout.borders:
                self._borders(layout.backs[: len(cards)])
            self._next_page()
        else:
            for card, front, back in zip(cards, layout.fronts, layout.backs, strict=False):
                self._face(card, front, front=True)
                self._face(card, back, front=False)
            used = len(cards)
            self._decorate(layout.fronts[:used] + layout.backs[:used])
            if layout.fold is not None:
                self._fold(layout.fold)
            self._next_page()

    def _next_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1

    def _face(self, card: _Card, box: Box, *, front: bool) -> None:
        canvas = self.canvas
        flows = card.front if front else card.back
        left = card.item.label + (" (continued)" if card.part > 1 else "")
        right = _SIDE_NAMES[card.item.kind][0 if front else 1]
        if card.parts > 1:
            right += f" {card.part}/{card.parts}"
        inner_width = box.width - 2 * CARD_PADDING
        top = box.top - CARD_PADDING
        canvas.setFillColor(_GREY_TEXT)
        canvas.setFont(self.fonts.regular, HEADER_SIZE)
        right = _clean(right, self.fonts)
        right_width = pdfmetrics.stringWidth(right, self.fonts.regular, HEADER_SIZE)
        baseline = top - HEADER_SIZE * 0.8
        left = _truncate(_clean(left, self.fonts), self.fonts.regular,
                         inner_width - right_width - 2 * mm)
        canvas.drawString(box.x + CARD_PADDING, baseline, left)
        canvas.drawRightString(box.right - CARD_PADDING, baseline, right)
        y = top - HEADER_SIZE * 1.2 - HEADER_GAP
        x = box.x + CARD_PADDING
        if front and card.parts == 1 and flows:
            # A lone front reads like a flashcard: centred in the space below the header.
            used = sum(flow.height + (gap if index else 0.0)
                       for index, (flow, gap) in enumerate(flows))
            y -= max(0.0, (y - (box.y + CARD_PADDING) - used) / 2)
        for index, (flow, gap) in enumerate(flows):
            if index:
                y -= gap
            y -= flow.height
            _draw(flow, canvas, x, y)

    def _decorate(self, boxes: Sequence[Box]) -> None:
        if self.options.cut_marks:
            self._cut_marks(boxes)
        elif self.layout.borders:
            self._borders(boxes)

    def _borders(self, boxes: Iterable[Box]) -> None:
        canvas = self.canvas
        canvas.setStrokeColor(_GREY_LINE)
        canvas.setLineWidth(0.4)
        for box in boxes:
            canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)

    def _cut_marks(self, boxes: Iterable[Box]) -> None:
        canvas = self.canvas
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.3)
        near, far = CUT_MARK_GAP, CUT_MARK_GAP + CUT_MARK_LENGTH
        lines = []
        for box in boxes:
            for x, sx in ((box.x, -1), (box.right, 1)):
                for y, sy in ((box.y, -1), (box.top, 1)):
                    lines.append((x + sx * near, y, x + sx * far, y))  # along the edge
                    lines.append((x, y + sy * near, x, y + sy * far))
        canvas.lines(lines)

    def _fold(self, fold: tuple[float, float, float, float]) -> None:
        canvas = self.canvas
        canvas.saveState()
        canvas.setStrokeColor(_GREY_LINE)
        canvas.setLineWidth(0.5)
        canvas.setDash(4, 3)
        canvas.line(*fold)
        canvas.restoreState()


def _truncate(text: str, font: str, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, HEADER_SIZE) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, HEADER_SIZE) > width:
        text = text[:-1]
    return text + "…"


# -- the export --------------------------------------------------------------------------


def write_pdf(
    items: Iterable[PrintItem],
    path: Path | str,
    options: PdfOptions | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Print ``items`` to a PDF at ``path``, replacing it only once complete.

    Raises DataError (one line, nothing left behind) when there is nothing to print or
    the file cannot be written.
    """
    options = options or PdfOptions()
    items = list(items)
    target = Path(path)
    if not items:
        raise DataError(f"nothing to print to {target}: no questions, cards or exercises matched")
    from studyapp.atomicfile import atomic_output

    with atomic_output(target, force=True) as temp, temp.open("wb") as handle:
        result = _render(items, handle, target, options, progress)
    if progress is not None:
        progress(len(items), len(items))
    return result


def _render(items: list[PrintItem], handle: IO[bytes], target: Path, options: PdfOptions,
            progress: Progress | None) -> ExportResult:
    layout = sheet_layout(options)
    fonts = font_set(options)
    # The initial font is ours, not reportlab's Helvetica: otherwise every page names an
    # unembedded Helvetica it never uses.
    canvas = Canvas(handle, pagesize=layout.page_size, invariant=1, pageCompression=1,
                    initialFontName=fonts.regular)
    canvas.setTitle(options.title or items[0].deck_id)
    canvas.setCreator("studyapp")
    painter = _Painter(canvas, layout, options, fonts)
    box = layout.fronts[0]
    width = box.width - 2 * CARD_PADDING
    height = box.height - 2 * CARD_PADDING - HEADER_SIZE * 1.2 - HEADER_GAP
    front_size = min(16.0, round(layout.body_size * FRONT_SCALE / FONT_STEP) * FONT_STEP)
    unit = "pages" if options.layout == "page" else "cards"
    warnings: list[str] = []
    sheet: list[_Card] = []
    cards = 0
    total = len(items)
    for done, item in enumerate(items, start=1):
        for ch in missing_characters(item.front + "\n" + item.back, fonts):
            warnings.append(
                f"{item.label} ({item.item_id}): no installed font has the character "
                f"{ch!r} (U+{ord(ch):04X}): printed as {MISSING_GLYPH}"
            )
        fronts, _ = _fit(item.front, fonts, width, height, front_size)
        backs, _ = _fit(item.back, fonts, width, height, layout.body_size)
        parts = max(len(fronts), len(backs))
        if parts > 1:
            warnings.append(
                f"{item.label} ({item.item_id}) is too long for one card even at "
                f"{MIN_FONT_SIZE:g} pt: continued on {parts} {unit}"
            )
        for part in range(parts):
            sheet.append(_Card(
                item,
                fronts[part] if part < len(fronts) else [],
                backs[part] if part < len(backs) else [],
                part + 1, parts,
            ))
            if len(sheet) == layout.capacity:
                painter.sheet(sheet)
                cards += len(sheet)
                sheet = []
        if progress is not None and done < total:
            progress(done, total)
    if sheet:
        painter.sheet(sheet)
        cards += len(sheet)
    canvas.save()
    return ExportResult(target, painter.pages, cards, total, warnings)

