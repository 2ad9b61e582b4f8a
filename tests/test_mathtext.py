"""The math renderer: what becomes a superscript or subscript, and what is left alone."""

from __future__ import annotations

import pytest

from studyapp.mathtext import pieces, render

CASES = [
    ("2^k", "2ᵏ"),
    ("2^10", "2¹⁰"),
    ("2^(n+1)", "2⁽ⁿ⁺¹⁾"),
    ("x_i", "xᵢ"),
    ("log2(N)", "log₂(N)"),
    ("log_2(1024) = 10", "log₂(1024) = 10"),
    ("log10(x)", "log₁₀(x)"),
    ("the depth rises with log2 of the context", "the depth rises with log₂ of the context"),
    ("log2 1024 = 10", "log₂ 1024 = 10"),
    ("ends in log2.", "ends in log2."),
    ("2^-1 is a half", "2⁻¹ is a half"),
    ("h_12 and x_{t-1}", "h₁₂ and xₜ₋₁"),
    ("so 2^10 = 1,024.", "so 2¹⁰ = 1,024."),
    ("(2^k) levels", "(2ᵏ) levels"),
    ("n^2 + n", "n² + n"),
    # No Unicode superscript q / subscript b: left as typed, still readable.
    ("2^(q+1)", "2^(q+1)"),
    ("x_b", "x_b"),
    # Not math: names with underscores, a word after ^, a caret alone, decimals.
    ("new_items_per_day", "new_items_per_day"),
    ("2^levels", "2^levels"),
    ("press ^ then", "press ^ then"),
    ("2^1.5", "2^1.5"),
    ("catalog2(x)", "catalog2(x)"),
    # Code spans and fenced blocks are never touched; math beside them is.
    ("`2^k` is 2^k", "`2^k` is 2ᵏ"),
    ("``a `2^k` b`` and x_i", "``a `2^k` b`` and xᵢ"),
    ("```\nx = 2^10\n```\n2^10", "```\nx = 2^10\n```\n2¹⁰"),
    ("no math here", "no math here"),
]


@pytest.mark.parametrize(("typed", "shown"), CASES)
def test_render(typed: str, shown: str) -> None:
    assert render(typed) == shown


def test_pieces_mark_superscripts_and_subscripts_for_the_pdf() -> None:
    assert pieces("2^(n+1) and x_i, `y_j`") == [
        ("2", "text"), ("(n+1)", "sup"), (" and x", "text"), ("i", "sub"),
        (", `y_j`", "text"),
    ]


def test_the_pdf_sets_superscripts_and_subscripts_raised_and_smaller() -> None:
    from studyapp.export.markdown import parse_inline
    from studyapp.export.pdf import BUILTIN_FONTS, paragraph_fragments

    frags = paragraph_fragments(parse_inline("2^k and x_i, `2^k`"), BUILTIN_FONTS, 10)
    shown = [(f.text, round(f.rise, 2), round(f.fontSize, 2)) for f in frags]
    assert shown == [
        ("2", 0, 10), ("k", 3.8, 7.0), (" and x", 0, 10), ("i", -1.8, 7.0), (", ", 0, 10),
        ("2^k", 0, 10),
    ]


def test_rendered_markdown_has_no_markers_and_shows_math() -> None:
    from studyapp.export.markdown import rendered_text

    assert rendered_text("**Depth** needs `k` levels: 2^k = N, so k = log2(N).") == (
        "Depth needs k levels: 2ᵏ = N, so k = log₂(N)."
    )
