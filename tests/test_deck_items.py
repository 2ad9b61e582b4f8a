"""Deck format 1.1 for questions and cards: the models, deck_items(), the writer and the quiz."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from studyapp.deck.items import DeckItem, deck_items
from studyapp.deck.loader import load_deck_file, load_library
from studyapp.deck.models import Card, Deck, Question, derived_id
from studyapp.deck.writer import deck_to_yaml, write_deck_file
from studyapp.session import items_for_quiz

from .conftest import LIBRARY_1_1, REPO, RunStudyapp


def fusion() -> Deck:
    return load_library(LIBRARY_1_1).deck("fusion")


# -- models --------------------------------------------------------------------------------


def test_a_card_is_front_and_back_or_cloze() -> None:
    assert Card(cloze="a {{c1::b}}").is_cloze
    assert not Card(front="F", back="B", reversed=True).is_cloze
    with pytest.raises(ValidationError, match="either front and back or cloze, not both"):
        Card(front="F", back="B", cloze="{{c1::x}}")
    with pytest.raises(ValidationError, match="either front and back or cloze, not both"):
        Card(back="B", cloze="{{c1::x}}")
    with pytest.raises(ValidationError, match="needs front and back, or cloze"):
        Card()
    with pytest.raises(ValidationError, match="missing required key 'back'"):
        Card(front="F")
    with pytest.raises(ValidationError, match="cannot be reversed"):
        Card(cloze="{{c1::x}}", reversed=True)
    with pytest.raises(ValidationError, match="at least one deletion"):
        Card(cloze="nothing hidden")
    with pytest.raises(ValidationError, match="start at 1"):
        Card(cloze="{{c0::x}}")


@pytest.mark.parametrize("bad", ["exercise:ex", "x#c1", "x#reverse", "Upper", " padded", "-a"])
def test_item_ids_and_facts_must_be_slugs(bad: str) -> None:
    with pytest.raises(ValidationError):
        Question(id=bad, prompt="P", answer="A")
    with pytest.raises(ValidationError):
        Card(id=bad, front="F", back="B")
    with pytest.raises(ValidationError):
        Card(front="F", back="B", fact=bad)


def test_a_cloze_without_id_takes_its_id_from_the_cloze_text() -> None:
    card = Card(cloze="The {{c1::tree}} fuses pairs.")
    assert card.key == derived_id("The {{c1::tree}} fuses pairs.")
    assert card.key.startswith("auto-")


def test_models_stay_frozen() -> None:
    card = Card(cloze="{{c1::x}}")
    with pytest.raises(ValidationError):
        card.cloze = "{{c2::y}}"  # type: ignore[misc]


# -- deck_items ----------------------------------------------------------------------------


def test_deck_items_order_ids_and_kinds() -> None:
    items = deck_items(fusion())
    assert [(i.item_id, i.kind) for i in items] == [
        ("what-is-a-fusion", "question"),
        ("fusion-cloze#c1", "cloze"),
        ("fusion-cloze#c2", "cloze"),
        ("levels-cloze#c1", "cloze"),
        ("levels-cloze#c2", "cloze"),
        ("wavenet-idea", "card"),
        ("wavenet-idea#reverse", "reverse"),
        ("depth", "card"),
    ]
    assert len({i.item_id for i in items}) == len(items)


def test_cloze_items_hide_their_deletion_and_reverse_items_swap_faces() -> None:
    by_id = {i.item_id: i for i in deck_items(fusion())}
    c1, c2 = by_id["fusion-cloze#c1"], by_id["fusion-cloze#c2"]
    assert c1.front == "One fusion is a [...] followed by tanh."
    assert c1.back == "One fusion is a **linear layer** followed by tanh."
    assert c2.front == "One fusion is a linear layer followed by [a squashing function]."
    assert by_id["levels-cloze#c1"].front == (
        "A tree of [...] levels sees 64 characters;\nwith [...] levels it sees 1024.\n"
    )
    assert by_id["levels-cloze#c2"].back == (
        "A tree of 6 levels sees **64** characters;\nwith 10 levels it sees **1024**.\n"
    )
    forward, reverse = by_id["wavenet-idea"], by_id["wavenet-idea#reverse"]
    assert (reverse.front, reverse.back) == (forward.back, forward.front)
    assert reverse.front == "Fuse neighbours two at a time, level by level."
    assert all(i.source_id == "fusion-cloze" for i in (c1, c2))
    assert c1.tags == ("fusion",)


def test_siblings_follow_fact_else_the_source() -> None:
    by_id = {i.item_id: i for i in deck_items(fusion())}
    # A fact joins a question and both deletions of a cloze.
    assert {by_id[k].sibling for k in ("what-is-a-fusion", "fusion-cloze#c1",
                                       "fusion-cloze#c2")} == {"fact:fusion"}
    # Without a fact, a cloze's deletions and a card's reverse are siblings of each other only.
    assert by_id["levels-cloze#c1"].sibling == by_id["levels-cloze#c2"].sibling == (
        "item:levels-cloze"
    )
    assert by_id["wavenet-idea"].sibling == by_id["wavenet-idea#reverse"].sibling == (
        "item:wavenet-idea"
    )
    assert by_id["depth"].sibling == "item:depth"


def test_a_reversed_card_with_a_fact_puts_both_items_in_the_fact_group() -> None:
    deck = Deck(id="d", title="D", cards=[Card(id="c", front="F", back="B", reversed=True,
                                                fact="shared")])
    assert [(i.item_id, i.sibling) for i in deck_items(deck)] == [
        ("c", "fact:shared"), ("c#reverse", "fact:shared"),
    ]


def test_builtin_deck_items_are_its_questions_and_cards_with_fact_siblings() -> None:
    deck = load_library(REPO).deck("wavenet")
    items = deck_items(deck)
    assert [i.item_id for i in items] == [q.key for q in deck.questions] + [
        c.key for c in deck.cards
    ]
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(item.sibling, []).append(item.item_id)
    assert groups["fact:flat-mlp"] == ["flat-mlp-crude", "flat-mlp-weakness"]
    assert groups["fact:wavenet-idea"] == ["wavenet-core-idea", "wavenet-idea"]
    assert groups["fact:receptive-field"] == ["receptive-field-doubling",
                                              "receptive-field-k-levels"]
    assert groups["fact:depth-not-width"] == ["depth-not-width", "depth-not-width-payoff"]
    assert groups["item:single-fusion"] == ["single-fusion"]


def test_quiz_shows_every_item_of_a_1_1_deck() -> None:
    items = items_for_quiz(fusion(), [])
    expected: list[DeckItem] = deck_items(fusion())
    assert [(i.item_id, i.text, i.back) for i in items] == [
        (d.item_id, d.front, d.back) for d in expected
    ]


# -- files -----------------------------------------------------------------------------------


def test_writer_round_trips_1_1_keys(tmp_path: Path) -> None:
    deck = fusion()
    text = deck_to_yaml(deck)
    assert "reversed: true" in text
    assert "fact: fusion" in text
    assert "cloze:" in text
    path = tmp_path / "fusion.yaml"
    write_deck_file(deck, path)
    assert load_deck_file(path).model == deck


def test_check_passes_on_the_builtin_and_the_1_1_libraries(run_studyapp: RunStudyapp) -> None:
    for library in (REPO, LIBRARY_1_1):
        result = run_studyapp("check", str(library))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "0 failed" in result.stdout


def test_a_cloze_without_id_is_warned_about_by_its_cloze_text(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("id: d\ntitle: D\ncards:\n  - cloze: 'a {{c1::b}}'\n", encoding="utf-8")
    report = load_deck_file(path)
    assert report.ok
    (warning,) = report.problems
    assert (warning.line, warning.severity) == (4, "warning")
    assert "its review history follows its cloze text" in warning.message


def test_duplicate_ids_across_cloze_and_plain_cards_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "id: d\ntitle: D\ncards:\n  - id: same\n    cloze: 'a {{c1::b}}'\n"
        "  - id: same\n    front: F\n    back: B\n",
        encoding="utf-8",
    )
    report = load_deck_file(path)
    assert not report.ok
    assert [(p.line, p.column, p.message) for p in report.problems] == [
        (6, 9, "duplicate id 'same' (first used at line 4)")
    ]


def test_the_library_cache_gives_back_the_same_1_1_deck(tmp_path: Path) -> None:
    from studyapp.deck.cache import cache_path, load_library_cached

    first = load_library_cached(LIBRARY_1_1, tmp_path)
    assert cache_path(tmp_path, LIBRARY_1_1).exists()
    second = load_library_cached(LIBRARY_1_1, tmp_path)
    assert second.deck("fusion") == first.deck("fusion") == fusion()
    assert deck_items(second.deck("fusion")) == deck_items(fusion())


def test_quiz_plain_asks_each_deletion_and_the_reverse(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("--library", str(LIBRARY_1_1), "quiz", "fusion", "--plain",
                          input="\ny\n" * 8)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "8 items." in out
    assert "2/8. One fusion is a [...] followed by tanh." in out
    assert "3/8. One fusion is a linear layer followed by [a squashing function]." in out
    assert "7/8. Fuse neighbours two at a time, level by level.\nanswer:\nWhat is the" in out
    assert "score: 8/8" in out
