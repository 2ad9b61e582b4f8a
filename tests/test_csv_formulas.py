"""Cause 13 of issue 13: a CSV export never holds a cell a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`, tab, CR first): such a cell gets a leading `'`, which
`import csv` takes away again, so the round trip stays exact."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.deck.loader import load_deck_file
from studyapp.deck.models import Card, Deck, Question
from studyapp.formats.csvfile import (
    FORMULA_STARTS,
    neutralise_cell,
    read_csv_deck,
    restore_cell,
    write_csv,
)
from tests.conftest import RunStudyapp

DECK = """\
id: sheet
title: Sheet
questions:
  - id: sum
    prompt: "=1+1"
    answer: "-3"
    tags: ["@home"]
cards:
  - id: hyperlink
    front: '=HYPERLINK("http://example.com", "x")'
    back: "+41 22 000 00 00"
  - id: list
    front: "Two points?"
    back: "- one\\n- two"
  - id: tabbed
    front: "\\tindented"
    back: "'=already quoted"
  - id: apostrophe
    front: "'tis plain"
    back: "''-two quotes"
"""


def _data_cells(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[5:]  # after Anki's four header lines and #columns:


def test_exported_cells_are_not_formulas_and_import_gives_the_text_back(
    run_studyapp: RunStudyapp, tmp_path: Path,
) -> None:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    (library / "decks" / "sheet.yaml").write_text(DECK, encoding="utf-8")
    exported = tmp_path / "sheet.csv"
    done = run_studyapp("--library", str(library), "export", "csv", "sheet", "-o", str(exported))
    assert done.returncode == 0, done.stderr
    assert _data_cells(exported) == [
        ["question", "sum", "'=1+1", "'-3", "'@home"],
        ["card", "hyperlink", "'=HYPERLINK(\"http://example.com\", \"x\")", "'+41 22 000 00 00",
         ""],
        ["card", "list", "Two points?", "'- one\n- two", ""],
        ["card", "tabbed", "'\tindented", "''=already quoted", ""],
        ["card", "apostrophe", "'tis plain", "'''-two quotes", ""],
    ]
    imported = tmp_path / "again.yaml"
    done = run_studyapp("import", "csv", str(exported), "-o", str(imported), "--id", "sheet",
                        "--title", "Sheet")
    assert done.returncode == 0, done.stderr
    original = load_deck_file(library / "decks" / "sheet.yaml").model
    again = load_deck_file(imported).model
    assert original is not None and again is not None
    assert again.questions == original.questions
    assert again.cards == original.cards


def test_a_hand_made_sheet_keeps_its_apostrophes_unless_a_formula_follows(
    run_studyapp: RunStudyapp, tmp_path: Path,
) -> None:
    sheet = tmp_path / "hand.csv"
    sheet.write_text("kind,front,back\ncard,'tis,'\ncard,'=2,''+x\n", encoding="utf-8")
    output = tmp_path / "hand.yaml"
    done = run_studyapp("import", "csv", str(sheet), "-o", str(output))
    assert done.returncode == 0, done.stderr
    deck = load_deck_file(output).model
    assert deck is not None
    assert [(c.front, c.back) for c in deck.cards] == [("'tis", "'"), ("=2", "'+x")]


# -- properties ---------------------------------------------------------------------------

cell_start = st.text(st.sampled_from(["'", *FORMULA_STARTS]), max_size=4)
any_cell = st.builds(str.__add__, cell_start, st.text(max_size=20))


@given(any_cell)
def test_restore_undoes_neutralise_and_no_cell_starts_a_formula(cell: str) -> None:
    written = neutralise_cell(cell)
    assert restore_cell(written) == cell
    assert not written or written[0] not in FORMULA_STARTS


# Text a deck can hold: no control characters but tab and newline, not blank.
deck_text = st.builds(
    str.__add__, cell_start.map(lambda s: s.replace("\r", "")),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n"),
            max_size=20),
).filter(str.strip)
tag = st.builds(str.__add__, st.sampled_from(["", "'", "''", *"=+-@"]),
                st.text(st.characters(whitelist_categories=["L", "N"]), min_size=1, max_size=6))


@given(st.lists(st.tuples(deck_text, deck_text, st.lists(tag, max_size=2)), min_size=1,
                max_size=4, unique_by=lambda item: item[0]),
       st.booleans())
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_a_csv_file_round_trip_is_exact_for_cells_that_look_like_formulas(
    items: list[tuple[str, str, list[str]]], as_questions: bool,
) -> None:
    if as_questions:
        deck = Deck(id="d", title="D", questions=[
            Question(id=f"q{n}", prompt=front, answer=back, tags=tags)
            for n, (front, back, tags) in enumerate(items)])
    else:
        deck = Deck(id="d", title="D", cards=[
            Card(id=f"c{n}", front=front, back=back, tags=tags)
            for n, (front, back, tags) in enumerate(items)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.csv"
        write_csv(deck, path)
        for row in _data_cells(path):
            assert all(cell[:1] not in FORMULA_STARTS for cell in row if cell), row
        again = read_csv_deck(path, "d", "D")
    assert again.questions == deck.questions
    assert again.cards == deck.cards
