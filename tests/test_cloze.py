"""Anki cloze syntax: the parser, its refusals with offsets, and rendering one deletion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp.deck.cloze import ClozeError, cloze_numbers, parse_cloze, render_cloze

TEXT = "One fusion is a {{c1::linear layer}} followed by {{c2::tanh::a squashing function}}."


def test_numbers_are_distinct_and_ascending() -> None:
    assert cloze_numbers("{{c3::a}} {{c1::b}} {{c3::c}} {{c10::d}}") == [1, 3, 10]
    assert cloze_numbers("no deletion here") == []


def test_render_hides_one_number_and_shows_the_others() -> None:
    assert render_cloze(TEXT, 1, reveal=False) == (
        "One fusion is a [...] followed by tanh."
    )
    assert render_cloze(TEXT, 2, reveal=False) == (
        "One fusion is a linear layer followed by [a squashing function]."
    )
    assert render_cloze(TEXT, 2, reveal=True) == (
        "One fusion is a linear layer followed by **tanh**."
    )


def test_several_deletions_with_the_same_number_are_hidden_together() -> None:
    text = "{{c1::6}} levels see {{c2::64}}; {{c1::10}} levels see {{c2::1024}}."
    assert render_cloze(text, 1, reveal=False) == "[...] levels see 64; [...] levels see 1024."
    assert render_cloze(text, 1, reveal=True) == "**6** levels see 64; **10** levels see 1024."


def test_single_braces_and_colons_inside_a_deletion() -> None:
    assert render_cloze("set {{c1::{x: 1}}} here", 1, reveal=True) == "set **{x: 1}** here"
    assert render_cloze("a {{c1::b: c}} d", 1, reveal=True) == "a **b: c** d"
    # `}}}` closes at the first `}}` when the braces inside are balanced.
    assert render_cloze("{{c1::a}}}", 1, reveal=False) == "[...]}"
    assert render_cloze("f{{c1::{a}}}}", 1, reveal=True) == "f**{a}**}"


def test_a_hint_may_hold_colons_and_an_empty_hint_is_no_hint() -> None:
    (deletion,) = parse_cloze("{{c1::x::see: the::docs}}")
    assert (deletion.text, deletion.hint) == ("x", "see: the::docs")
    assert render_cloze("{{c1::x::}}", 1, reveal=False) == "[...]"


def test_text_that_only_looks_like_a_template_is_plain() -> None:
    assert parse_cloze("{{config}} and {{ c1::x }} and {c1::x}") == []


@pytest.mark.parametrize(
    ("text", "offset", "reason"),
    [
        ("ab {{c1::never closed", 3, "never closed"),
        ("ab {{c1::unbalanced { brace}}", 3, "never closed"),
        ("{{c0::x}}", 0, "start at 1, not 0"),
        ("x {{c::x}}", 2, "with a number N"),
        ("x {{c1:x}}", 2, "with a number N"),
        ("{{c1::}}", 0, "hides nothing"),
        ("{{c1::  ::hint}}", 0, "hides nothing"),
        ("{{c1::a {{c2::b}} c}}", 8, "cannot contain another deletion"),
    ],
)
def test_malformed_cloze_is_refused_with_its_offset(text: str, offset: int, reason: str) -> None:
    with pytest.raises(ClozeError) as caught:
        cloze_numbers(text)
    assert caught.value.offset == offset
    assert reason in str(caught.value)


# -- properties ------------------------------------------------------------------------------

# Plain text and hidden text use separate letters, so hidden text can only turn up in a
# rendering through a deletion (or be given away by text outside it).
plain = st.text(st.sampled_from(list("ab ,:;{}*\n")), max_size=8).filter(
    lambda t: "{{" not in t and not t.endswith("{") and not t.startswith("}")
)
hidden = st.text(st.sampled_from(list("xyzXYZ")), min_size=1, max_size=6)
hint = st.none() | st.sampled_from(["hint", "a clue"])
Part = str | tuple[int, str, str | None]


@st.composite
def cloze_parts(draw: st.DrawFn) -> list[Part]:
    parts: list[Part] = [draw(plain)]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        parts.append((draw(st.integers(min_value=1, max_value=3)), draw(hidden), draw(hint)))
        parts.append(draw(plain))
    return parts


def source(parts: list[Part]) -> str:
    return "".join(
        part if isinstance(part, str)
        else f"{{{{c{part[0]}::{part[1]}{f'::{part[2]}' if part[2] else ''}}}}}"
        for part in parts
    )


def outside(parts: list[Part], number: int) -> list[str]:
    """The runs of text a learner sees around the deletions numbered `number`."""
    runs = [""]
    for part in parts:
        if isinstance(part, str):
            runs[-1] += part
        elif part[0] != number:
            runs[-1] += part[1]
        else:
            runs.append("")
    return runs


@given(cloze_parts())
def test_revealed_text_holds_every_deletion(parts: list[Part]) -> None:
    text = source(parts)
    deletions = [part for part in parts if not isinstance(part, str)]
    assert cloze_numbers(text) == sorted({number for number, _, _ in deletions})
    for number in cloze_numbers(text):
        shown = render_cloze(text, number, reveal=True)
        for _, deleted, _ in deletions:
            assert deleted in shown


@given(cloze_parts())
def test_hidden_text_never_shows_unless_it_also_stands_outside(parts: list[Part]) -> None:
    text = source(parts)
    for number in cloze_numbers(text):
        front = render_cloze(text, number, reveal=False)
        runs = outside(parts, number)
        for part in parts:
            if isinstance(part, str) or part[0] != number:
                continue
            if not any(part[1] in run for run in runs):
                assert part[1] not in front, (text, number, front)
            assert (f"[{part[2]}]" if part[2] else "[...]") in front
