"""`import text`: Anki's "Notes in Plain Text" (made by the real Anki library) and two-column
term/definition files such as Quizlet's; and what the real Anki importer makes of our CSV."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from studyapp.cli import cmd_import_text
from studyapp.deck.loader import load_deck_file, load_library
from studyapp.deck.models import Card, Deck
from studyapp.errors import DataError, UsageError
from studyapp.formats.anki import import_anki
from studyapp.formats.csvfile import deck_to_csv, read_csv_deck

from .conftest import FIXTURES, RunStudyapp, assert_no_traceback

ANKI = FIXTURES / "anki"
ANKI_TEXT = ANKI / "notes-in-plain-text.txt"
CSV_CHECK = ANKI / "csv-check"


def text_args(source: Path, output: Path, **options: object) -> argparse.Namespace:
    values: dict[str, object] = {"force": False, "id": None, "title": None, "separator": None}
    values.update(options)
    return argparse.Namespace(file=str(source), output=str(output), **values)


def imported(source: Path, output: Path, **options: object) -> Deck:
    assert cmd_import_text(text_args(source, output, **options)) == 0
    report = load_deck_file(output)
    assert report.ok and not report.problems, report.problems
    assert isinstance(report.model, Deck)
    return report.model


def test_anki_plain_text_gives_the_same_cards_as_the_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = imported(ANKI_TEXT, tmp_path / "anki-notes.yaml")
    assert deck.id == "anki-notes"
    from_package = tmp_path / "lib"
    import_anki(ANKI / "new-format.apkg", from_package)
    package_cards = [card for d in load_library(from_package).decks.values() for card in d.cards]
    assert sorted(deck.cards, key=lambda c: c.key) == sorted(package_cards, key=lambda c: c.key)
    by_id = {card.key: card for card in deck.cards}
    assert by_id["receptive-field"].reversed is True  # "Basic (and reversed card)"
    assert by_id["one-fusion-is-a-linear-layer-followed-by-tanh"].cloze is not None
    assert by_id["what-is-the-wavenet-idea"].front == "What is the **WaveNet** idea?"  # #html:true
    assert by_id["what-is-the-wavenet-idea"].tags == ["lecture5", "wavenet"]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"warning: {ANKI_TEXT}:12: only the first two fields come across (3 given)",
        f"warning: {ANKI_TEXT}: 3 Anki decks (Lectures::Basics, Lectures::WaveNet, "
        "Vocabulary) go into one deck file",
    ]


def test_plain_text_headers_without_html(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(
        "#separator:Semicolon\n#html:false\n#columns:Front;Back;Tags\n#tags column:3\n"
        "2^4?;16 <b>not bold</b>;maths powers\n\"A; quoted\";\"two\nlines\";\n",
        encoding="utf-8",
    )
    deck = imported(source, tmp_path / "d.yaml", title="Notes")
    assert [(c.front, c.back, c.tags) for c in deck.cards] == [
        ("2^4?", "16 <b>not bold</b>", ["maths", "powers"]),
        ("A; quoted", "two\nlines", []),
    ]
    assert deck.title == "Notes"


def test_quizlet_tab_and_custom_separators(tmp_path: Path) -> None:
    tabbed = tmp_path / "quizlet.txt"
    tabbed.write_text("tanh\thyperbolic tangent\nReLU\tmax(0, x)\nsoftmax\tturns scores\n"
                      "into probabilities\n", encoding="utf-8")
    deck = imported(tabbed, tmp_path / "quizlet.yaml")
    assert [(c.id, c.front, c.back) for c in deck.cards] == [
        ("tanh", "tanh", "hyperbolic tangent"),
        ("relu", "ReLU", "max(0, x)"),
        ("softmax", "softmax", "turns scores\ninto probabilities"),
    ]
    custom = tmp_path / "custom.txt"
    custom.write_text("tanh - hyperbolic tangent\nReLU - max(0, x) - clipped\n", encoding="utf-8")
    deck = imported(custom, tmp_path / "custom.yaml", separator=" - ")
    assert [(c.front, c.back) for c in deck.cards] == [
        ("tanh", "hyperbolic tangent"), ("ReLU", "max(0, x) - clipped")
    ]
    comma = tmp_path / "comma.txt"
    comma.write_text("tanh,hyperbolic tangent\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"comma\.txt:1: no a tab between term and definition "
                                        r"\(give the file's separator with --separator\)"):
        cmd_import_text(text_args(comma, tmp_path / "comma.yaml"))
    assert imported(comma, tmp_path / "comma.yaml", separator="comma").cards[0].back == (
        "hyperbolic tangent"
    )


def test_reimport_keeps_ids_and_needs_force(tmp_path: Path) -> None:
    source = tmp_path / "q.txt"
    source.write_text("tanh\thyperbolic tangent\nReLU\tmax(0, x)\n", encoding="utf-8")
    output = tmp_path / "q.yaml"
    first = imported(source, output)
    with pytest.raises(DataError, match="already exists"):
        cmd_import_text(text_args(source, output))
    source.write_text("tanh\tsquashes to (-1, 1)\nReLU\tmax(0, x)\n", encoding="utf-8")
    second = imported(source, output, force=True)
    assert [c.id for c in second.cards] == [c.id for c in first.cards]
    assert second.cards[0].back == "squashes to (-1, 1)"


def test_text_refusals(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        cmd_import_text(text_args(tmp_path / "missing.txt", tmp_path / "d.yaml"))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9\tcoffee\n")
    with pytest.raises(DataError, match=r"latin\.txt:1: the text is not UTF-8"):
        cmd_import_text(text_args(latin, tmp_path / "d.yaml"))
    empty = tmp_path / "empty.txt"
    empty.write_text("#separator:tab\n#html:false\n", encoding="utf-8")
    with pytest.raises(DataError, match="no cards found"):
        cmd_import_text(text_args(empty, tmp_path / "d.yaml"))
    bad_column = tmp_path / "bad.txt"
    bad_column.write_text("#separator:tab\n#tags column:x\na\tb\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"#tags column:x is not a column number"):
        cmd_import_text(text_args(bad_column, tmp_path / "d.yaml"))
    with pytest.raises(UsageError, match="--separator must not be empty"):
        cmd_import_text(text_args(bad_column, tmp_path / "d.yaml", separator=""))
    assert not (tmp_path / "d.yaml").exists()


@pytest.mark.slow
def test_the_command_line(tmp_path: Path, run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("import", "text", str(ANKI_TEXT), "-o", str(tmp_path / "n.yaml"))
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert result.stdout.strip() == f"wrote {tmp_path / 'n.yaml'}: deck 'n' with 6 cards"


def test_our_csv_export_is_the_file_the_real_anki_importer_was_checked_with() -> None:
    """make_packages.py imported csv-check.csv with Anki's own importer (anki-import.txt).

    Our export of the deck must still be that very file, and what Anki made of it must be
    one Basic note per item, front and back in place and the tags right (a tag holding a
    space cannot survive Anki's space-separated tags: that row keeps `;`, Anki splits it).
    """
    library = load_library(CSV_CHECK)
    deck = library.deck("csv-check")
    exported = deck_to_csv(deck)
    assert exported.encode("utf-8") == (CSV_CHECK / "csv-check.csv").read_bytes()
    notes = [json.loads(line) for line in
             (CSV_CHECK / "anki-import.txt").read_text(encoding="utf-8").splitlines()]
    items: list[Card | object] = [*deck.questions, *deck.cards]
    assert len(notes) == len(items) == 5
    assert {note["notetype"] for note in notes} == {"Basic"}
    assert [note["fields"][0] for note in notes[:4]] == [
        'How does the flat MLP combine its context, and why is that &quot;crude&quot;?',
        "What is the WaveNet idea?",
        "receptive field",
        "One fusion is a {{c1::linear layer}} followed by {{c2::tanh::a squashing function}}.",
    ]
    assert [sorted(note["tags"]) for note in notes] == [
        ["basics", "wavenet"], ["wavenet"], ["basics"], ["learning;", "machine", "wavenet"], [],
    ]
    # The exact round trip holds all the same.
    again = read_csv_deck(CSV_CHECK / "csv-check.csv", deck.id, deck.title)
    assert again.questions == deck.questions and again.cards == deck.cards


def test_the_wrong_import_names_the_right_one(tmp_path: Path) -> None:
    from studyapp.formats.csvfile import import_csv

    with pytest.raises(DataError, match=r"new-format\.apkg: a zip file, not CSV; an Anki package "
                                        r"\(\.apkg, \.colpkg\) is read by: studyapp import anki$"):
        import_csv(ANKI / "new-format.apkg", tmp_path / "d.yaml")
    with pytest.raises(DataError, match=r"a zip file, not text; .* studyapp import anki$"):
        cmd_import_text(text_args(ANKI / "new-format.apkg", tmp_path / "d.yaml"))
    with pytest.raises(DataError, match=r"notes-in-plain-text\.txt:1: #separator:tab is Anki's "
                                        r"text export; it is read by: studyapp import text$"):
        import_csv(ANKI_TEXT, tmp_path / "d.yaml")
