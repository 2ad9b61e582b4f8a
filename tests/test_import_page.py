"""Importing a study page with `Q.` / `A.` cards: the source page's seven cards, and variations."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from studyapp.cli import cmd_import_page
from studyapp.deck.loader import load_deck_file
from studyapp.deck.models import Deck
from studyapp.errors import DataError, UsageError
from studyapp.formats.page import deck_from_page, parse_page

from .conftest import FIXTURES

PAGES = FIXTURES / "pages"
SOURCE_PAGE = PAGES / "wavenet-practice-page.txt"
VARIATION = PAGES / "crlf-no-heading.txt"

SOURCE_FRONTS = [
    "How does the flat MLP combine context, and what's wrong with it?",
    "What is the WaveNet idea?",
    "What does a single fusion compute?",
    "Why does the receptive field double per level, and what does k levels give?",
    "Why is 'context grows with depth, not width' important?",
    "What does the hierarchy buy you (three reasons)?",
    "How does this connect to modern AI?",
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
    assert not report.problems  # every card has an id: not even a warning
    assert isinstance(report.model, Deck)
    return report.model, output.read_text(encoding="utf-8")


def test_the_source_page_gives_its_seven_cards(tmp_path: Path) -> None:
    deck, text = import_to(tmp_path, SOURCE_PAGE)
    assert deck.id == "practice-a-wavenet-style-hierarchical-model"
    assert deck.title == "Practice: a WaveNet-style hierarchical model"
    assert [card.front for card in deck.cards] == SOURCE_FRONTS
    assert deck.questions == []
    assert deck.cards[0].back == (
        "It concatenates all context embeddings and crushes them through one hidden layer, "
        "fusing every position at once with no staged structure. To see more context you must "
        "widen the input. It does not scale."
    )
    assert deck.cards[6].back.startswith(
        "“Stack simple layers, build understanding with depth” is the core structural idea"
    )
    assert deck.cards[6].back.endswith("with attention as the per-layer operation.")
    ids = [card.id for card in deck.cards]
    assert len(set(ids)) == 7
    assert ids[1] == "what-is-the-wavenet-idea"
    assert "back: |" in text  # long answers are block scalars, not quoted strings
    assert text.startswith("id: practice-a-wavenet-style-hierarchical-model\n")


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


def test_page_refusals_name_their_lines() -> None:
    with pytest.raises(DataError, match=r"^p:2: this 'Q\.' has no 'A\.' answer$"):
        parse_page("Title\nQ. Question?\nno answer marker\n", "p")
    with pytest.raises(DataError, match=r"^p:1: an 'A\.' answer without a 'Q\.' question"):
        parse_page("A. stray answer\nQ. Question?\nA. Fine.\n", "p")
    with pytest.raises(DataError, match=r"^p:1: the answer after 'A\.' is empty$"):
        parse_page("Q. Question?\nA.\n\n", "p")
    with pytest.raises(DataError, match=r"^p: no cards found"):
        parse_page("Just a heading\n\nAnd a paragraph.\n", "p")


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.yaml"]


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
