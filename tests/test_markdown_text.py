"""The TUI's deck Markdown: wrapped to the width given, list items hanging under their text."""

from __future__ import annotations

from rich.console import Console

from studyapp.tui.widgets.markdown_text import HangingText


def lines_at(source: str, width: int) -> list[str]:
    console = Console(width=width, file=None, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(HangingText(source))
    return [line.rstrip() for line in captured.get().split("\n")][:-1]


def test_a_wrapped_bullet_item_continues_under_its_text() -> None:
    source = "Two reasons:\n\n- **No stages.** Neighbouring characters are never merged first"
    assert lines_at(source, 30) == [
        "Two reasons:",
        "",
        "• No stages. Neighbouring",
        "  characters are never merged",
        "  first",
    ]


def test_numbered_and_nested_items_hang_at_their_own_depth() -> None:
    source = "1. one two three four five six\n   - seven eight nine ten eleven"
    assert lines_at(source, 20) == [
        "1. one two three",
        "   four five six",
        "   • seven eight",
        "     nine ten eleven",  # 20 columns exactly
    ]


def test_math_is_shown_as_math_and_code_spans_as_typed() -> None:
    assert lines_at("each level doubles: 2^k, but `2^k` is typed", 60) == [
        "each level doubles: 2ᵏ, but 2^k is typed",
    ]


def test_too_narrow_to_hang_wraps_at_the_full_width() -> None:
    lines = lines_at("- " + "word " * 6, 9)
    assert lines[0].startswith("word") and all(len(line) <= 9 for line in lines)
    assert " ".join(lines).split() == ["word"] * 6


def test_the_unwrapped_text_keeps_every_line_and_its_bullet() -> None:
    assert lines_at("a\n\n- b\n- c", 80) == ["a", "", "• b", "• c"]
    assert str(HangingText("a\n\n- b\n- c")) == "a\n\n• b\n• c"
