"""Anki export: a real .apkg whose notes match the deck, with stable GUIDs and escaped HTML."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from studyapp.cli import cmd_export_anki
from studyapp.deck.loader import load_library
from studyapp.deck.models import Card, Deck, Question
from studyapp.errors import DataError
from studyapp.formats.anki import (
    anki_deck_id,
    anki_tag,
    deck_notes,
    markdown_to_html,
    note_guid,
    note_type_id,
    write_anki,
)

from .conftest import LIBRARY_1_1, REPO


def wavenet() -> Deck:
    return load_library(REPO).deck("wavenet")


def read_package(path: Path, tmp_path: Path) -> dict[str, object]:
    """The notes, note types and decks of an .apkg, straight from its SQLite collection."""
    with zipfile.ZipFile(path) as package:
        assert "collection.anki2" in package.namelist()
        target = tmp_path / f"{path.stem}-collection.anki2"
        target.write_bytes(package.read("collection.anki2"))
    connection = sqlite3.connect(target)
    try:
        notes = connection.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
        card_decks = {row[0] for row in connection.execute("SELECT did FROM cards")}
    finally:
        connection.close()
    return {
        "notes": notes,
        "models": json.loads(models_json),
        "decks": json.loads(decks_json),
        "card_decks": card_decks,
    }


def test_package_notes_match_the_deck(tmp_path: Path) -> None:
    deck = wavenet()
    output = tmp_path / "wavenet.apkg"
    count = write_anki(deck, output)
    items: list[Question | Card] = [*deck.questions, *deck.cards]
    assert count == len(items) == 11
    package = read_package(output, tmp_path)
    notes = package["notes"]
    assert isinstance(notes, list)
    assert len(notes) == len(items)
    for (guid, mid, fields, tags), item in zip(notes, items, strict=True):
        front, back, kind = fields.split("\x1f")
        assert guid == note_guid(deck, item)
        assert mid == note_type_id()
        assert front == markdown_to_html(item.front)
        assert back == markdown_to_html(item.back)
        assert kind == item.kind
        assert tags.split() == [anki_tag(t) for t in dict.fromkeys([*deck.tags, *item.tags])]
    decks = package["decks"]
    assert isinstance(decks, dict)
    assert decks[str(anki_deck_id(deck))]["name"] == deck.title
    assert package["card_decks"] == {anki_deck_id(deck)}
    models = package["models"]
    assert isinstance(models, dict)
    assert [f["name"] for f in models[str(note_type_id())]["flds"]] == ["Front", "Back", "Kind"]


def test_guids_and_ids_are_stable_across_exports(tmp_path: Path) -> None:
    deck = wavenet()
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    write_anki(deck, first)
    write_anki(deck, second)
    notes_a = read_package(first, tmp_path)["notes"]
    notes_b = read_package(second, tmp_path)["notes"]
    assert isinstance(notes_a, list)
    assert isinstance(notes_b, list)
    guids = [row[0] for row in notes_a]
    assert guids == [row[0] for row in notes_b]
    assert len(set(guids)) == len(guids)
    # Identity is (deck id, item key): editing the text keeps the note, another deck does not.
    card = deck.cards[0]
    edited = deck.model_copy(update={"cards": [card.model_copy(update={"back": "new"})]})
    assert note_guid(edited, edited.cards[0]) == note_guid(deck, card)
    other = deck.model_copy(update={"id": "another"})
    assert note_guid(other, card) != note_guid(deck, card)
    assert anki_deck_id(other) != anki_deck_id(deck)
    assert (1 << 30) <= anki_deck_id(deck) < (1 << 31)
    assert (1 << 30) <= note_type_id() < (1 << 31)


def test_items_without_ids_get_guids_from_their_text() -> None:
    deck = Deck(id="d", title="D", cards=[Card(front="One", back="1"), Card(front="Two", back="2")])
    first, second = (note_guid(deck, card) for card in deck.cards)
    assert first != second
    again = Deck(id="d", title="D", cards=[Card(front="One", back="changed")])
    assert note_guid(again, again.cards[0]) == first


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("<b>x</b> & y", "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>"),
        (
            "*em* and **strong** and `a<b`",
            "<p><i>em</i> and <b>strong</b> and <code>a&lt;b</code></p>",
        ),
        ("one\n\ntwo", "<p>one</p><p>two</p>"),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("3. c\n4. d", '<ol start="3"><li>c</li><li>d</li></ol>'),
        ("```\nif a < b:\n    x = 1\n```", "<pre><code>if a &lt; b:\n    x = 1</code></pre>"),
        ("“curly” → ² café", "<p>“curly” → ² café</p>"),
    ],
)
def test_markdown_to_html(markdown: str, expected: str) -> None:
    assert markdown_to_html(markdown) == expected


def test_tags_lose_their_spaces() -> None:
    assert anki_tag("machine learning") == "machine_learning"
    deck = Deck(id="d", title="D", tags=["x y", "b"],
                cards=[Card(id="c", front="F", back="B", tags=["b", "z"])])
    (note,) = deck_notes(deck)
    assert note.tags == ("x_y", "b", "z")


def test_export_replaces_the_output_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    output.write_text("old", encoding="utf-8")
    write_anki(wavenet(), output)
    assert zipfile.is_zipfile(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]


def test_cmd_export_anki(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "w.apkg"
    args = argparse.Namespace(library=str(REPO), deck="wavenet", output=str(output))
    assert cmd_export_anki(args) == 0
    assert "11 notes" in capsys.readouterr().out
    assert zipfile.is_zipfile(output)
    with pytest.raises(DataError, match="unknown deck"):
        cmd_export_anki(argparse.Namespace(library=str(REPO), deck="nope", output=str(output)))
    with pytest.raises(DataError, match="does not exist"):
        cmd_export_anki(argparse.Namespace(library=str(REPO), deck="wavenet",
                                           output=str(tmp_path / "missing" / "w.apkg")))


def test_missing_genanki_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "genanki", None)  # makes `import genanki` fail
    args = argparse.Namespace(library=str(REPO), deck="wavenet", output=str(tmp_path / "w.apkg"))
    with pytest.raises(DataError) as caught:
        cmd_export_anki(args)
    message = str(caught.value)
    assert "install studyapp[anki]" in message
    assert "\n" not in message
    assert not (tmp_path / "w.apkg").exists()


def test_cloze_and_reversed_cards_get_their_own_note_types(tmp_path: Path) -> None:
    from studyapp.formats.anki import CLOZE_NOTE_TYPE_NAME, REVERSED_NOTE_TYPE_NAME

    deck = load_library(LIBRARY_1_1).deck("fusion")
    output = tmp_path / "fusion.apkg"
    assert write_anki(deck, output) == 5  # one note per question or card
    package = read_package(output, tmp_path)
    notes = package["notes"]
    models = package["models"]
    assert isinstance(notes, list)
    assert isinstance(models, dict)
    by_guid = {guid: (mid, fields.split("\x1f")) for guid, mid, fields, _ in notes}
    cards = {card.key: card for card in deck.cards}

    cloze_mid, (text, extra, kind) = by_guid[note_guid(deck, cards["fusion-cloze"])]
    assert cloze_mid == note_type_id(CLOZE_NOTE_TYPE_NAME)
    cloze_model = models[str(cloze_mid)]
    assert cloze_model["type"] == 1  # Anki's cloze note type
    assert [f["name"] for f in cloze_model["flds"]] == ["Text", "Back Extra", "Kind"]
    assert "{{cloze:Text}}" in cloze_model["tmpls"][0]["qfmt"]
    assert text == (
        "<p>One fusion is a {{c1::linear layer}} followed by "
        "{{c2::tanh::a squashing function}}.</p>"
    )
    assert (extra, kind) == ("", "cloze")

    reversed_mid, (front, back, kind) = by_guid[note_guid(deck, cards["wavenet-idea"])]
    assert reversed_mid == note_type_id(REVERSED_NOTE_TYPE_NAME)
    reversed_model = models[str(reversed_mid)]
    assert reversed_model["type"] == 0
    templates = reversed_model["tmpls"]
    assert len(templates) == 2
    assert "{{Back}}" in templates[1]["qfmt"] and "{{Front}}" in templates[1]["afmt"]
    assert (front, back, kind) == (
        "<p>What is the WaveNet idea?</p>",
        "<p>Fuse neighbours two at a time, level by level.</p>",
        "card",
    )

    plain_mid, _ = by_guid[note_guid(deck, cards["depth"])]
    assert plain_mid == note_type_id()
    assert len(models[str(plain_mid)]["tmpls"]) == 1
    # Anki makes a card per template (reversed) and per cloze number: 1 + 2 + 2 + 2 + 1.
    connection = sqlite3.connect(tmp_path / "fusion-collection.anki2")
    try:
        (card_count,) = connection.execute("SELECT count(*) FROM cards").fetchone()
    finally:
        connection.close()
    assert card_count == 8
