"""Cause 7 of issue 13 (the PDF part): one very long item is cut into cards in work
proportional to its length, and every word still reaches the PDF in order."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from reportlab.platypus import Paragraph

from studyapp.export import pdf
from studyapp.export.pdf import PdfOptions, write_pdf
from studyapp.export.printable import PrintItem

from .test_pdf_rtl import read_lines


def _long_item(words: int) -> PrintItem:
    back = " ".join(f"w{n}" for n in range(words))
    return PrintItem("card", "long", "a", "front", back, (), "long · C1")


def _wrapped_lines(monkeypatch: pytest.MonkeyPatch, words: int, tmp_path: Path) -> int:
    total = 0
    original = Paragraph.wrap

    def counting(self: Paragraph, width: float, height: float) -> tuple[float, float]:
        nonlocal total
        size = original(self, width, height)
        total += len(self.blPara.lines)  # the lines this call laid out
        return size  # type: ignore[no-any-return]

    monkeypatch.setattr(Paragraph, "wrap", counting)
    write_pdf([_long_item(words)], tmp_path / f"long-{words}.pdf")
    monkeypatch.setattr(Paragraph, "wrap", original)
    return total


def test_wrapping_work_grows_linearly_with_one_item_s_length(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small = _wrapped_lines(monkeypatch, 4_000, tmp_path)
    large = _wrapped_lines(monkeypatch, 32_000, tmp_path)
    # eight times the text: about eight times the wrapping (quadratic would be ~64 times)
    assert large < small * 12, (small, large)


def test_every_word_of_a_long_item_is_printed_once_in_order(tmp_path: Path) -> None:
    words = 6_000
    path = tmp_path / "long.pdf"
    result = write_pdf([_long_item(words)], path)
    assert result.cards > 10
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    found = [int(token[1:]) for token in text.split() if token[:1] == "w" and token[1:].isdigit()]
    assert found == list(range(words))


# -- what reportlab is asked to break into lines ------------------------------------------


def _text_length(frags: list[Any]) -> int:
    """Characters in a Paragraph's fragments, in any of the forms reportlab keeps them."""
    total = 0
    for frag in frags:
        if isinstance(frag, list):  # a "frag word": a width, then (fragment, text) pairs
            total += sum(len(text) for _, text in frag[1:])
        elif hasattr(frag, "text"):
            total += len(frag.text)
        else:  # a one-font fragment holding its words
            total += sum(len(word) + 1 for word in frag.words)
    return total


def _breaking_work(monkeypatch: pytest.MonkeyPatch, item: PrintItem,
                   path: Path) -> tuple[int, int]:
    """(longest text reportlab broke into lines at once, the sum of the squares of those
    lengths): its line breaking takes time quadratic in the text it breaks at once."""
    lengths: list[int] = []
    original = Paragraph.breakLines

    def counting(self: Paragraph, width: Any) -> Any:
        lengths.append(_text_length(self.frags))
        return original(self, width)

    monkeypatch.setattr(Paragraph, "breakLines", counting)
    write_pdf([item], path)
    monkeypatch.setattr(Paragraph, "breakLines", original)
    return max(lengths), sum(n * n for n in lengths)


def _prose(words: int, seed: int = 3) -> str:
    """One paragraph of ``words`` words, some bold, italic or code, and a hard line break
    now and then: more than one font, as card text has."""
    rng = random.Random(seed)
    out = []
    for n in range(words):
        word = f"w{n}"
        roll = rng.random()
        if roll < 0.05:
            word = f"**{word}**"
        elif roll < 0.1:
            word = f"*{word}*"
        elif roll < 0.12:
            word = f"`{word}`"
        elif roll < 0.13:
            word += "  \n"
        out.append(word)
    return " ".join(out).replace("  \n ", "  \n")


@pytest.mark.parametrize("markup", [False, True], ids=["plain", "markup"])
def test_no_paragraph_reaches_reportlab_whole_however_long(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, markup: bool
) -> None:
    def item(words: int) -> PrintItem:
        back = _prose(words) if markup else " ".join(f"w{n}" for n in range(words))
        return PrintItem("card", "long", "a", "front", back, (), "long · C1")

    small_longest, small_work = _breaking_work(monkeypatch, item(5_000), tmp_path / "s.pdf")
    large_longest, large_work = _breaking_work(monkeypatch, item(40_000), tmp_path / "l.pdf")
    # reportlab never breaks much more than a chunk at once (a chunk and the line carried
    # into it), so eight times the text is about eight times the work, not 64 times.
    assert large_longest <= pdf.LONG_PARAGRAPH + 200, large_longest
    assert small_longest <= pdf.LONG_PARAGRAPH + 200, small_longest
    assert large_work < small_work * 12, (small_work, large_work)


def _drawn(path: Path) -> list[list[tuple[str, float]]]:
    """Each page's body lines as drawn: their text in drawing order and where they start."""
    return [[(line.text, round(line.x, 3)) for line in read_lines(path, page)]
            for page in range(len(pypdf.PdfReader(path).pages))]


@pytest.mark.parametrize("kind", ["plain", "markup", "hebrew", "list"])
def test_a_paragraph_cut_into_chunks_breaks_into_the_same_lines_as_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str
) -> None:
    words = 2_500
    if kind == "plain":
        back = " ".join(f"w{n}" for n in range(words))
    elif kind == "markup":
        back = _prose(words)
    elif kind == "hebrew":
        letters = "אבגדהוזחטיכלמנסעפצקרשת"
        back = " ".join(letters[n % 22] + letters[n // 22 % 22] + str(n) for n in range(words))
    else:  # a long list item: its bullet, then its lines under the indent
        back = "- first\n- " + " ".join(f"w{n}" for n in range(words)) + "\n- last"
    item = PrintItem("card", "long", "a", "front", back, (), "long · C1")
    chunked = tmp_path / "chunked.pdf"
    result = write_pdf([item], chunked)
    monkeypatch.setattr(pdf, "LONG_PARAGRAPH", 10**9)  # every paragraph in one piece
    whole = tmp_path / "whole.pdf"
    assert write_pdf([item], whole).cards == result.cards > 3
    assert _drawn(chunked) == _drawn(whole)


def _pdftotext(path: Path) -> str:
    found = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                           capture_output=True, text=True, check=True)
    return found.stdout


def test_every_word_of_a_long_item_with_markup_reaches_the_pdf(tmp_path: Path) -> None:
    words = 20_000
    item = PrintItem("card", "long", "a", "front", _prose(words), (), "long · C1")
    path = tmp_path / "markup.pdf"
    # one card a page, front above back: pdftotext reads it top to bottom
    write_pdf([item], path, PdfOptions(layout="page", duplex="none"))
    found = [int(token[1:]) for token in _pdftotext(path).split()
             if token[:1] == "w" and token[1:].isdigit()]
    assert found == list(range(words))
