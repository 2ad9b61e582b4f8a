"""Tests for the card-text Markdown reader: emphasis, code, lists; everything else literal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.export.markdown import (
    CodeBlock,
    ListBlock,
    ParagraphBlock,
    Span,
    escape_markdown,
    parse,
    parse_inline,
    plain_text,
)


def styled(text: str) -> list[tuple[str, str]]:
    """Spans as (text, flags) with flags from "b", "i", "c": compact to compare."""
    return [
        (s.text, ("b" if s.bold else "") + ("i" if s.italic else "") + ("c" if s.code else ""))
        for s in parse_inline(text)
    ]


# -- inline ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("plain words", [("plain words", "")]),
        ("*a*", [("a", "i")]),
        ("_a_", [("a", "i")]),
        ("**a**", [("a", "b")]),
        ("__a__", [("a", "b")]),
        ("***a***", [("a", "bi")]),
        ("*a **b** c*", [("a ", "i"), ("b", "bi"), (" c", "i")]),
        ("**a *b* c**", [("a ", "b"), ("b", "bi"), (" c", "b")]),
        ("x *y* z", [("x ", ""), ("y", "i"), (" z", "")]),
        ("a*b*c", [("a", ""), ("b", "i"), ("c", "")]),
        ("**No stages.** Then", [("No stages.", "b"), (" Then", "")]),
        ("**foo*", [("*", ""), ("foo", "i")]),
    ],
)
def test_emphasis(source: str, expected: list[tuple[str, str]]) -> None:
    assert styled(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "2 * 3 * 4",  # spaced stars are arithmetic, not emphasis
        "snake_case_name and levels_needed",  # intraword underscores
        "*unclosed",
        "**unclosed too",
        "a ** b",
        "2^k and 2^4 = 16",
        "x_1 + y_2",
        "*",
        "***",
    ],
)
def test_things_that_are_not_emphasis_stay_literal(source: str) -> None:
    assert styled(source) == [(source, "")]


@pytest.mark.parametrize(
    "source",
    [
        "<b>x</b>",
        "a & b &amp; c &lt; d",
        '<font face="Courier">x</font> <br/> <para>',
        "[link](http://example.com) ![img](x.png)",
        "# not a heading here",
        "<!-- comment --> <?xml?> <![CDATA[x]]>",
        "&nbsp; &#169; &copy;",
    ],
)
def test_markup_and_entities_are_plain_text(source: str) -> None:
    assert styled(source) == [(source, "")]


def test_unicode_survives() -> None:
    text = "level 1 → 2 characters; 2² × 3 − 1 … “quoted” naïve café Ωμέγα"
    assert styled(text) == [(text, "")]


def test_inline_code_is_literal_and_keeps_its_markers() -> None:
    assert styled("run `a*b*c` and `<b>`") == [
        ("run ", ""), ("a*b*c", "c"), (" and ", ""), ("<b>", "c"),
    ]
    assert styled("``a ` b``") == [("a ` b", "c")]
    assert styled("`` `x` ``") == [("`x`", "c")]
    assert styled("**bold `code`**") == [("bold ", "b"), ("code", "bc")]


def test_unmatched_backticks_are_literal() -> None:
    assert styled("a ` b") == [("a ` b", "")]
    assert styled("``a`") == [("``a`", "")]


def test_backslash_escapes() -> None:
    assert styled(r"\*not\* \_this\_ \`either\` \\") == [("*not* _this_ `either` \\", "")]
    assert styled(r"a\b") == [(r"a\b", "")]  # only punctuation can be escaped


def test_line_breaks() -> None:
    assert styled("one\ntwo") == [("one two", "")]
    assert styled("one  \ntwo") == [("one\ntwo", "")]
    assert styled("one\\\ntwo") == [("one\ntwo", "")]
    assert styled("*one\ntwo*") == [("one two", "i")]


def test_escape_markdown_reads_back_literally() -> None:
    for text in ("a*b*c", "**x**", "`code`", "snake_case", r"back\slash"):
        assert styled(escape_markdown(text)) == [(text, "")]


@given(st.text(alphabet=st.sampled_from(list("ab *_`\\<&>\n →")), max_size=40))
def test_inline_never_loses_or_invents_letters(text: str) -> None:
    letters = [c for c in text if c in "ab<&>→"]
    out = [c for span in parse_inline(text) for c in span.text if c in "ab<&>→"]
    assert out == letters


@given(st.text(max_size=200))
def test_any_text_parses(text: str) -> None:
    blocks = parse(text)
    plain_text(blocks)
    for block in blocks:
        assert isinstance(block, ParagraphBlock | CodeBlock | ListBlock)


def test_many_unmatched_closers_stay_literal() -> None:
    # Every closer would search back through all earlier ones (quadratic: minutes at this
    # size) without the lower bound the pairing keeps per kind of closer.
    text = "a* " * 20_000
    assert styled(text) == [(text.strip(), "")]


# -- blocks ------------------------------------------------------------------------------


def test_paragraphs_are_separated_by_blank_lines() -> None:
    blocks = parse("First line\nsame paragraph.\n\nSecond *one*.\n")
    assert blocks == (
        ParagraphBlock((Span("First line same paragraph."),)),
        ParagraphBlock((Span("Second "), Span("one", italic=True), Span("."))),
    )


def test_bullet_list_tight() -> None:
    (block,) = parse("- one\n- two **b**\n- three\n")
    assert isinstance(block, ListBlock)
    assert (block.ordered, block.tight, len(block.items)) == (False, True, 3)
    assert block.items[1] == (ParagraphBlock((Span("two "), Span("b", bold=True))),)


def test_numbered_list_with_start_and_continuation_lines() -> None:
    (block,) = parse("3. take two\n   adjacent vectors;\n4. concatenate them;\n")
    assert isinstance(block, ListBlock)
    assert (block.ordered, block.start) == (True, 3)
    assert block.items[0] == (ParagraphBlock((Span("take two adjacent vectors;"),)),)


def test_lazy_continuation_line_stays_in_the_item() -> None:
    (block,) = parse("- item text\ncontinues here\n- next")
    assert isinstance(block, ListBlock)
    assert block.items[0] == (ParagraphBlock((Span("item text continues here"),)),)


def test_loose_list_and_item_with_two_paragraphs() -> None:
    (block,) = parse("- one\n\n  more of one\n- two\n")
    assert isinstance(block, ListBlock)
    assert not block.tight
    assert len(block.items[0]) == 2


def test_nested_list() -> None:
    (block,) = parse("1. first\n2. second\n   - inner a\n   - inner b\n")
    assert isinstance(block, ListBlock)
    inner = block.items[1][1]
    assert isinstance(inner, ListBlock)
    assert not inner.ordered
    assert [item[0] for item in inner.items] == [
        ParagraphBlock((Span("inner a"),)), ParagraphBlock((Span("inner b"),)),
    ]


def test_list_interrupts_a_paragraph_but_only_from_one() -> None:
    blocks = parse("Reasons:\n- a\n- b")
    assert [type(b) for b in blocks] == [ParagraphBlock, ListBlock]
    blocks = parse("The year was\n1984. Then")
    assert blocks == (ParagraphBlock((Span("The year was 1984. Then"),)),)


def test_a_different_marker_starts_a_new_list() -> None:
    blocks = parse("- a\n+ b\n1. c\n")
    assert [type(b) for b in blocks] == [ListBlock, ListBlock, ListBlock]


def test_fenced_code_is_literal_and_keeps_indentation() -> None:
    blocks = parse("Before\n```python\ndef f(x):\n    return x * 2  # <b>&</b> **no**\n```\nAfter")
    assert blocks[1] == CodeBlock("def f(x):\n    return x * 2  # <b>&</b> **no**")
    assert blocks[2] == ParagraphBlock((Span("After"),))


def test_tilde_fence_and_unclosed_fence() -> None:
    assert parse("~~~\na\n~~~") == (CodeBlock("a"),)
    assert parse("```\na\nb") == (CodeBlock("a\nb"),)


def test_indented_code_block() -> None:
    blocks = parse("Text:\n\n    x = 1\n      y = 2\n\n    z\n\nEnd")
    assert blocks[1] == CodeBlock("x = 1\n  y = 2\n\nz")


def test_indented_line_inside_a_paragraph_is_not_code() -> None:
    assert parse("one\n    two") == (ParagraphBlock((Span("one two"),)),)


def test_code_inside_a_list_item() -> None:
    (block,) = parse("- run this:\n\n  ```\n  make all\n  ```\n")
    assert isinstance(block, ListBlock)
    assert block.items[0][1] == CodeBlock("make all")


def test_tabs_and_windows_line_endings() -> None:
    assert parse("-\tone\r\n-\ttwo\r\n") == parse("- one\n- two\n")


def test_headings_quotes_and_rules_are_literal_text() -> None:
    assert plain_text(parse("# Title\n\n> quoted\n\n---")) == "# Title\n\n> quoted\n\n---"


def test_deeply_nested_lists_do_not_recurse_forever() -> None:
    text = "\n".join("  " * depth + "- x" for depth in range(500))
    assert parse(text)


def test_plain_text_of_the_builtin_deck_style() -> None:
    text = (
        "That is crude for two reasons:\n\n"
        "- **No stages.** Neighbouring characters are never merged first and\n"
        "  far-away ones later.\n"
        "- **Poor scaling.** Wider input.\n"
    )
    assert plain_text(parse(text)) == (
        "That is crude for two reasons:\n\n"
        "- No stages. Neighbouring characters are never merged first and far-away ones later.\n"
        "- Poor scaling. Wider input."
    )
