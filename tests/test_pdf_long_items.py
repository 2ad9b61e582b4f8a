"""Cause 7 of issue 13 (the PDF part): one very long item is cut into cards in work
proportional to its length, and every word still reaches the PDF in order."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from reportlab.platypus import Paragraph

from studyapp.export.pdf import write_pdf
from studyapp.export.printable import PrintItem


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
