"""Importing a practice page: the source page's questions, exercise and cards, in text,
Markdown and HTML; pages of other shapes; ids, warnings and refusals."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from studyapp.cli import cmd_import_page
from studyapp.deck.loader import load_deck_file, load_exercise_file, load_library
from studyapp.deck.models import Deck, Exercise
from studyapp.errors import DataError, UsageError
from studyapp.formats.page import deck_from_page, parse_page, propose_calc

from .conftest import FIXTURES, RunStudyapp, assert_no_traceback

PAGES = FIXTURES / "pages"
SOURCE_PAGE = PAGES / "wavenet-practice-page.txt"
MARKDOWN_PAGE = PAGES / "wavenet-practice-page.md"
HTML_PAGE = PAGES / "wavenet-practice-page.html"
"""The same page as Markdown (with <details>) and as Chromium's DOM of an HTML version."""
SERVED_HTML = PAGES / "wavenet-practice-page.source.html"
"""The HTML before the browser (make_pages.py writes it and the Markdown)."""
VARIATION = PAGES / "crlf-no-heading.txt"
EXERCISE_ID = "work-out-how-depth-buys-context-then-trace-one"

SOURCE_FRONTS = [
    "How does the flat MLP combine context, and what's wrong with it?",
    "What is the WaveNet idea?",
    "What does a single fusion compute?",
    "Why does the receptive field double per level, and what does k levels give?",
    "Why is 'context grows with depth, not width' important?",
    "What does the hierarchy buy you (three reasons)?",
    "How does this connect to modern AI?",
]
SOURCE_PROMPTS = [
    "How does the flat MLP combine its context, and why is that crude?",
    "What is the core WaveNet idea, and what does a single fusion actually do?",
    "Why does the receptive field double at every level?",
    "Why is “context grows with depth, not width” such a big deal?",
]


def page_args(source: Path, output: Path, **options: object) -> argparse.Namespace:
    values: dict[str, object] = {"force": False, "id": None, "title": None}
    values.update(options)
    return argparse.Namespace(file=str(source), output=str(output), **values)


def import_to(tmp_path: Path, source: Path) -> tuple[Deck, str]:
    output = tmp_path / "deck.yaml"
    assert cmd_import_page(page_args(source, output)) == 0
    report = load_deck_file(output)
    assert report.ok, report.problems
    assert not report.problems  # every item has an id: not even a warning
    assert isinstance(report.model, Deck)
    return report.model, output.read_text(encoding="utf-8")


def import_library(tmp_path: Path, source: Path) -> Path:
    """Import `source` into a fresh library LIB/decks/wavenet.yaml; the library folder."""
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    assert cmd_import_page(page_args(source, library / "decks" / "wavenet.yaml")) == 0
    return library


def test_the_source_page_gives_questions_cards_and_the_exercise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = import_library(tmp_path, SOURCE_PAGE)
    out, err = capsys.readouterr()
    assert "with 4 questions, 7 cards and 1 exercise (8 steps)" in out
    # The cards' introduction is the one paragraph with no place, and it is said so.
    assert err.splitlines() == [
        f"warning: {SOURCE_PAGE}:55: not imported (an introduction to the part after it): "
        "'Seven cards. Click any card to reveal the answer. Use the...'"
    ]
    loaded = load_library(library)
    deck = loaded.deck("practice-a-wavenet-style-hierarchical-model")
    assert deck.title == "Practice: a WaveNet-style hierarchical model"
    assert deck.description is not None and deck.description.startswith("Four short questions.")
    assert [q.prompt for q in deck.questions] == SOURCE_PROMPTS
    assert deck.questions[2].answer.startswith("Because each level fuses two neighboring groups")
    assert deck.questions[3].answer.endswith("paid for in a little depth.")
    assert [card.front for card in deck.cards] == SOURCE_FRONTS
    assert deck.cards[6].back.endswith("with attention as the per-layer operation.")
    assert deck.exercises == [EXERCISE_ID]
    report = load_exercise_file(library / "exercises" / f"{EXERCISE_ID}.yaml")
    assert report.ok and not report.problems, report.problems
    exercise = report.model
    assert isinstance(exercise, Exercise)
    assert exercise.title == "Work out how depth buys context, then trace one fusion by hand"
    assert exercise.setup is not None and exercise.setup.startswith("A WaveNet-style model")
    assert [step.answer for step in exercise.steps] == [4, 6, 10, 16, 64, 1024, 4, 3]
    assert [step.id for step in exercise.steps] == [
        "step-1", "step-2a", "step-2b", "step-3a", "step-3b", "step-3c", "step-4a", "step-4b"
    ]
    assert [step.unit for step in exercise.steps] == [
        "levels", "levels", "levels", None, None, None, "numbers", "numbers"
    ]
    assert [step.calc for step in exercise.steps] == [
        "levels_needed(context=16)", "levels_needed(context=64)", "levels_needed(context=1024)",
        None, None, None, "fusion_input(width=2)", "fusion_output(hidden=3)",
    ]
    first, second, third = exercise.steps[:3]
    assert first.prompt == ("You want the model to see 16 characters of context. "
                            "How many fusing levels does the tree need?")
    assert first.hint == "Find k with 2^k = 16."
    assert first.explain == "2^4 = 16 -> 4 levels"
    assert second.prompt == "How many levels for 64 characters?"
    assert third.prompt == "How many levels for 64 characters? For 1024?"
    assert third.explain == "2^10 = 1024 -> 10 levels"
    assert exercise.steps[3].explain is not None and "(tree: 4, 6, 10 levels" in (
        exercise.steps[3].explain
    )
    assert exercise.steps[7].explain == (
        "fusion output: 3 numbers (linear layer to 3, then tanh element-wise)"
    )
    assert exercise.outcome is not None and exercise.outcome.startswith("Ten layers reach 1024")


@pytest.mark.slow
def test_the_imported_library_passes_check(tmp_path: Path, run_studyapp: RunStudyapp) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    result = run_studyapp("import", "page", str(SOURCE_PAGE), "-o",
                          str(library / "decks" / "wavenet.yaml"))
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    result = run_studyapp("check", str(library))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 files: 2 ok, 0 failed" in result.stdout
    # And the exercise is one a learner can work through: the page's numbers are right.
    quiz = run_studyapp("--library", str(library), "quiz",
                        "practice-a-wavenet-style-hierarchical-model", "--plain",
                        "--exercise", EXERCISE_ID, input="4\n6 levels\n10\n16\n64\n1024\n4\n3\n")
    assert quiz.returncode == 0, quiz.stderr
    assert "exercise done: 8/8 steps right" in quiz.stdout


@pytest.mark.parametrize("page", [MARKDOWN_PAGE, HTML_PAGE, SERVED_HTML],
                         ids=["markdown", "html", "served-html"])
def test_markdown_and_html_give_the_same_files(tmp_path: Path, page: Path) -> None:
    text_library = import_library(tmp_path / "text", SOURCE_PAGE)
    other_library = import_library(tmp_path / "other", page)
    for relative in ("decks/wavenet.yaml", f"exercises/{EXERCISE_ID}.yaml"):
        assert (other_library / relative).read_text(encoding="utf-8") == (
            text_library / relative
        ).read_text(encoding="utf-8")


def test_the_html_fixture_is_a_browser_dom_with_details() -> None:
    html = HTML_PAGE.read_text(encoding="utf-8")
    assert html.count("<details>") == 5  # four answers and the folded expected outcome
    assert "<summary>Show answer</summary>" in html


def test_html_without_the_import_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bs4", None)  # as if beautifulsoup4 were not installed
    with pytest.raises(DataError, match=r"^Importing an HTML page needs the 'import' extra: "
                                        r"pip install 'studyapp\[import\]' \(missing bs4\)$"):
        cmd_import_page(page_args(HTML_PAGE, tmp_path / "deck.yaml"))


def test_reimport_keeps_ids_and_needs_force(tmp_path: Path) -> None:
    library = import_library(tmp_path, SOURCE_PAGE)
    deck_file = library / "decks" / "wavenet.yaml"
    exercise_file = library / "exercises" / f"{EXERCISE_ID}.yaml"
    before = deck_file.read_text(encoding="utf-8"), exercise_file.read_text(encoding="utf-8")
    with pytest.raises(DataError, match="already exists"):
        cmd_import_page(page_args(SOURCE_PAGE, deck_file))
    deck_file.unlink()
    with pytest.raises(DataError, match=f"{EXERCISE_ID}.yaml: already exists"):
        cmd_import_page(page_args(SOURCE_PAGE, deck_file))
    assert not deck_file.exists()
    # The page changes (one answer edited): with --force the ids stay, nothing is duplicated.
    edited = tmp_path / "edited.txt"
    edited.write_text(SOURCE_PAGE.read_text(encoding="utf-8").replace(
        "It does not scale.", "It scales badly."), encoding="utf-8")
    assert cmd_import_page(page_args(edited, deck_file, force=True)) == 0
    after = deck_file.read_text(encoding="utf-8")
    assert after == before[0].replace("It does not scale.", "It scales badly.")
    assert exercise_file.read_text(encoding="utf-8") == before[1]


DIFFERENT_SHAPE = """\
# Attention, briefly

## Further reading

Vaswani et al., 2017.

1. What does attention compute?

Show answer

2. Why scale by the square root of the key size?

Show answer

Dot products grow with the dimension; scaling keeps softmax gradients usable.

A worked example.

Setup. Keys have 64 numbers each.

Steps.

1. How many levels does a tree need to see 8 characters?
2. How many numbers does a fusion of two 5-number vectors produce?
3. Name the function used.

Expected outcome.

1. 3 levels
2. ten numbers

Q. What is a query?
A. The vector a position uses to look for others.

Q. A card without its answer marker
"""


def test_a_page_of_another_shape_imports_what_it_can_and_warns(tmp_path: Path) -> None:
    source = tmp_path / "attention.md"
    source.write_text(DIFFERENT_SHAPE, encoding="utf-8")
    page = parse_page(DIFFERENT_SHAPE, "p")
    assert page.heading == "Attention, briefly"
    assert [q.prompt for q in page.questions] == [
        "Why scale by the square root of the key size?"
    ]
    assert [c.prompt for c in page.cards] == ["What is a query?"]
    (exercise,) = page.exercises
    assert exercise.title == "A worked example"
    assert [(s.id, s.answer, s.unit, s.calc) for s in exercise.steps] == [
        ("step-1", 3, "levels", "levels_needed(context=8)")
    ]
    assert page.warnings == [
        "p:3: heading not imported: 'Further reading'",
        "p:5: not imported (text under a heading, outside any question or card): "
        "'Vaswani et al., 2017.'",
        "p:7: this question has no answer after it; skipped",
        "p:30: expected outcome 2 names no number; step 2 skipped",
        "p:25: step 3 has no expected-outcome line; skipped",
        "p:35: this 'Q.' has no 'A.' answer; skipped",
    ]


def test_html_summaries_that_hold_the_question() -> None:
    html = (
        "<html><body><h1>Capitals</h1>\n"
        "<details><summary>What is the capital of <em>France</em>?</summary>\n"
        "<p>Paris, on the <strong>Seine</strong>.</p>\n<ul><li>since 508</li></ul></details>\n"
        "<!-- a comment --><details><summary>Show answer</summary><p>stray</p></details>\n"
        "</body></html>"
    )
    page = parse_page(html, "p.html", html=True)
    assert page.heading == "Capitals"
    assert [(q.prompt, q.answer) for q in page.questions] == [
        ("What is the capital of *France*?", "Paris, on the **Seine**.\n\n- since 508")
    ]
    # A collapsible with nothing before it to be its question: named, with its line.
    assert page.warnings == ["p.html:5: a 'Show answer' with no question before it; not imported"]


def test_a_calc_that_check_refuses_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import studyapp.formats.page as page_format

    # A proposer that always says levels_needed(context=8) = 3: right only for step 4b.
    monkeypatch.setattr(page_format, "propose_calc", lambda *_: "levels_needed(context=8)")
    imported = page_format.import_data(SOURCE_PAGE)
    steps = imported.exercises[EXERCISE_ID]["steps"]
    assert [step["id"] for step in steps if "calc" in step] == ["step-4b"]
    dropped = [w for w in imported.warnings if "did not pass check" in w]
    assert len(dropped) == 7
    assert dropped[0] == (f"{SOURCE_PAGE}: step step-1: the proposed calc "
                          "levels_needed(context=8) did not pass check; left out")


def test_propose_calc_needs_a_shared_word_and_one_clear_call() -> None:
    assert propose_calc("How many levels for 64 characters?", 6, "") == (
        "levels_needed(context=64)"
    )
    # The number fits, but nothing in the text is about levels: no guess.
    assert propose_calc("What is 64 minus 58?", 6, "") is None
    assert propose_calc("How many levels for 64 characters?", 7, "") is None
    assert propose_calc("A fraction of 64 levels?", 0.5, "") is None


def test_the_variation_crlf_blank_lines_no_heading(tmp_path: Path) -> None:
    assert b"\r\n" in VARIATION.read_bytes()
    deck, text = import_to(tmp_path, VARIATION)
    assert deck.id == "crlf-no-heading"
    assert deck.title == "Crlf no heading"
    assert [card.front for card in deck.cards] == [
        "What does “2^k” mean after k levels?",
        "A question on two lines,\ncontinued here?",
        "Do colon markers work too?",
    ]
    assert deck.cards[0].back == (
        "Each output sees 2^k characters → after 10 levels, 1,024.\n"
        "\n"
        "A second paragraph with <b>angle</b> & ampersand, ‘single’ and “double” quotes, "
        "x² and café."
    )
    assert deck.cards[1].back == (
        "An answer that starts on the A line\nand continues on the next one.\n"
        "\n- a list item\n- another item"
    )
    assert deck.cards[2].back == "Yes — \"straight\" quotes and 'apostrophes' as well."
    assert "\r" not in text
    assert "front: |-\n" in text  # the two-line front is a block scalar too


def test_heading_skips_boilerplate_and_sentences() -> None:
    page = "Skip to content\n\nAttention, briefly\n\nQ. What?\nA. That.\n"
    assert parse_page(page).heading == "Attention, briefly"
    assert parse_page("# Capitals\n\nQ. France?\nA. Paris.\n").heading == "Capitals"
    assert parse_page("An intro sentence.\nQ. What?\nA. That.\n").heading is None
    assert parse_page("Q. What?\nA. That.\n").heading is None


def test_card_ids_are_unique_slugs(tmp_path: Path) -> None:
    source = tmp_path / "注意.txt"
    source.write_text("注意力\n\nQ. Same?\nA. One.\n\nQ. Same?\nA. Two.\n\nQ. 你好?\nA. Three.\n",
                      encoding="utf-8")
    deck = deck_from_page(source)
    assert deck.id == "imported"  # neither the heading nor the file name has a Latin letter
    assert deck.title == "注意力"
    assert [card.id for card in deck.cards] == ["same", "same-2", "card"]


def test_pages_with_nothing_to_import_are_refused() -> None:
    with pytest.raises(DataError, match=r"^p: no questions, cards or exercises found"):
        parse_page("Just a heading\n\nAnd a paragraph.\n", "p")
    with pytest.raises(DataError, match=r"(?m)^p:1: the answer after 'A\.' is empty; skipped$"):
        parse_page("Q. Question?\nA.\n\n", "p")


def test_import_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    output = tmp_path / "deck.yaml"
    output.write_text("keep me", encoding="utf-8")
    with pytest.raises(DataError, match="already exists"):
        cmd_import_page(page_args(SOURCE_PAGE, output))
    assert output.read_text(encoding="utf-8") == "keep me"
    assert cmd_import_page(page_args(SOURCE_PAGE, output, force=True, id="mine", title="T")) == 0
    report = load_deck_file(output)
    assert isinstance(report.model, Deck)
    assert (report.model.id, report.model.title) == ("mine", "T")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml", "exercises"]


def test_import_refusals(tmp_path: Path) -> None:
    output = tmp_path / "deck.yaml"
    with pytest.raises(DataError, match="no such file"):
        cmd_import_page(page_args(tmp_path / "missing.txt", output))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"Title\nQ. Caf\xe9?\nA. Yes.\n")
    with pytest.raises(DataError, match=r"latin\.txt:2: the text is not UTF-8"):
        cmd_import_page(page_args(latin, output))
    with pytest.raises(UsageError, match="not a deck id"):
        cmd_import_page(page_args(SOURCE_PAGE, output, id="Bad Id"))
    with pytest.raises(DataError, match="does not exist"):
        cmd_import_page(page_args(SOURCE_PAGE, tmp_path / "no" / "deck.yaml"))
    assert not output.exists()


def test_control_characters_in_a_page_are_dropped_with_a_warning_naming_the_line(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    page = tmp_path / "controls.md"
    page.write_bytes(b"Q. What is one?\nA. One\x1b[2J is \x07one.\n\nQ. Two?\nA. Two.\x0c\n")
    output = tmp_path / "controls.yaml"
    result = run_studyapp("import", "page", str(page), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert f"{page}:2: dropped the control character U+001B" in result.stderr
    assert ":5:" not in result.stderr  # a form feed (a PDF's page break) goes quietly
    text = output.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\x0c" not in text
    assert "back: One[2J is one." in text and "back: Two." in text
    checked = run_studyapp("check", str(output))
    assert checked.returncode == 0, checked.stdout


def test_a_heading_left_open_is_quoted_short_in_its_warning() -> None:
    """An HTML heading never closed swallows the rest of the page into its text; the
    warning quotes the start of it, not the page."""
    body = "word " * 5000
    page = parse_page(f"# Title\n\n## Cards {body}\n\nQ. What?\n\nA. This.\n", "p")
    (warning,) = [w for w in page.warnings if "heading not imported" in w]
    assert warning == "p:3: heading not imported: 'Cards word word word word word word word " \
        "word word word w...'"
