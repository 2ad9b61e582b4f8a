"""Large imports (issue 13 causes 7 and 17): linear work, streamed CSV, the same files.

`import csv` reads, checks and writes one row at a time instead of building the whole
deck, its YAML text and a second deck read back from it; `import page` gives repeated
questions their `-2`, `-3` ids without trying every number again for each copy. Neither
may change a byte of what is written, nor any error message.
"""

from __future__ import annotations

import csv
import io
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studyapp.deck import yamlread
from studyapp.deck.loader import load_deck_file
from studyapp.deck.models import Card, Deck, Question, derived_id
from studyapp.deck.writer import deck_to_yaml, write_deck_file, write_deck_items
from studyapp.errors import DataError
from studyapp.formats.csvfile import deck_to_csv, import_csv, read_csv_deck
from studyapp.formats.files import TakenIds, unique_id
from studyapp.formats.page import import_page

from .test_csv import decks

HEADER = "kind,id,front,back,tags,fact\n"


def _rows(count: int) -> str:
    """Every kind of row, with multi-line and quoted text, tags and facts."""
    lines = [HEADER]
    for n in range(count):
        shape = n % 6
        ident = f"row-{n}" if n % 2 else ""
        tags = "tree level" if n % 3 == 0 else ("my tag; other" if n % 3 == 1 else "")
        fact = f"fact-{n // 2}" if shape in (1, 2) else ""
        if shape == 0:
            lines.append(f"question,{ident},Why is {n}: the answer?,Because {n}.,{tags},\n")
        elif shape == 3:
            lines.append(f'cloze,{ident},"The {{{{c1::tree {n}}}}}, or ""not""",,{tags},\n')
        elif shape == 4:
            lines.append(f'card,{ident},"{n} starts with a digit","line one\r\n\r\n  two",'
                         f"{tags},\n")
        else:
            kind = "reversed" if shape == 2 else "card"
            lines.append(f"{kind},{ident},Front {n} → é,Back {n} #{n},{tags},{fact}\n")
    return "".join(lines)


def test_a_large_import_writes_exactly_what_the_deck_writer_writes(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_text(_rows(3000), encoding="utf-8", newline="")
    output = tmp_path / "big.yaml"
    done = import_csv(source, output)
    whole = read_csv_deck(source, "big", "big")
    assert (done.deck_id, done.questions, done.cards) == ("big", 500, 2500)
    assert output.read_text(encoding="utf-8") == deck_to_yaml(whole)
    report = load_deck_file(output)
    assert report.ok
    assert report.model == whole


@given(decks())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_any_deck_imports_to_the_file_write_deck_file_writes(deck: Deck) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "deck.csv"
        source.write_text(deck_to_csv(deck), encoding="utf-8", newline="")
        streamed, whole = Path(folder) / "streamed.yaml", Path(folder) / "whole.yaml"
        import_csv(source, streamed, deck_id=deck.id, title=deck.title)
        write_deck_file(read_csv_deck(source, deck.id, deck.title), whole)
        assert streamed.read_bytes() == whole.read_bytes()


def _loader_problem(deck: Deck, output: Path) -> str:
    """The first error the whole-file loader finds in `deck` written out, as the import says it."""
    output.write_text(deck_to_yaml(deck), encoding="utf-8")
    problem = next(p for p in load_deck_file(output).problems if p.severity == "error")
    output.unlink()
    return f"{output}:{problem.line}:{problem.column}: {problem.message}"


@pytest.mark.parametrize("bad", [
    Question(prompt="Q\x1b[2J", answer="A"),  # in the questions, written first
    Card(front="F\x07x", back="B"),  # in the cards, which wait in a spool until the end
])
def test_text_that_would_not_load_is_refused_where_the_loader_points(
    tmp_path: Path, bad: Question | Card
) -> None:
    # `import csv` refuses control characters at the row; the writer still reads back what
    # PyYAML wrote for it (double quotes with escapes) as the deck loader would.
    items = [Card(front="ok", back="fine"), Question(id="q", prompt="Q", answer="A"), bad,
             Question(prompt="last", answer="A")]
    output = tmp_path / "deck.yaml"
    deck = Deck(id="deck", title="T", questions=[i for i in items if isinstance(i, Question)],
                cards=[i for i in items if isinstance(i, Card)])
    with pytest.raises(DataError) as refused:
        write_deck_items(output, "deck", "T", iter(items))
    assert str(refused.value) == (
        "the deck would not load, nothing written:\n" + _loader_problem(deck, output)
    )
    assert "control character" in str(refused.value)
    assert list(tmp_path.iterdir()) == []  # nor a temporary file left behind


def test_the_items_errors_come_before_text_that_would_not_load(tmp_path: Path) -> None:
    def items() -> Iterator[Card]:
        yield Card(front="F\x07x", back="B")
        raise DataError("in.csv:3: the back is empty")

    with pytest.raises(DataError, match=r"^in\.csv:3: the back is empty$"):
        write_deck_items(tmp_path / "deck.yaml", "deck", "T", items())
    assert list(tmp_path.iterdir()) == []


def test_a_control_character_in_a_row_is_refused_at_its_line(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "card,,F\x07x,B,,\ncarx,,F,B,,\n", encoding="utf-8")
    with pytest.raises(DataError) as refused:
        import_csv(source, tmp_path / "deck.yaml")
    assert str(refused.value).splitlines() == [
        f"{source}:2: the front holds the control character U+0007; remove it",
        f"{source}:3: kind must be 'question', 'card', 'reversed' or 'cloze', not 'carx'",
    ]
    assert list(tmp_path.iterdir()) == [source]


def test_a_deck_over_the_readers_size_limit_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_rows(40), encoding="utf-8", newline="")
    output = tmp_path / "deck.yaml"
    size = len(deck_to_yaml(read_csv_deck(source, "deck", "in")).encode())
    monkeypatch.setattr(yamlread, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(DataError) as refused:
        import_csv(source, output)
    assert str(refused.value) == (
        f"the deck would not load, nothing written:\n{output}:1:1: the file is {size} bytes, "
        f"over the {size - 1} bytes limit for a deck file"
    )
    assert list(tmp_path.iterdir()) == [source]
    monkeypatch.setattr(yamlread, "MAX_FILE_BYTES", size)
    import_csv(source, output)
    assert output.stat().st_size == size


def _peak_bytes(run: object) -> int:
    assert callable(run)
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_import_keeps_a_few_hundred_bytes_a_row_not_the_rows(tmp_path: Path) -> None:
    # Memory, not time: the import holds the file's bytes and the set of ids, while the
    # deck as models (what the import built before, twice, with its YAML text) grows by
    # about 2 KB a row. Both slopes are measured here, on the same files.
    sources = {}
    for count in (2000, 8000):
        sources[count] = tmp_path / f"rows-{count}.csv"
        sources[count].write_text(_rows(count), encoding="utf-8", newline="")
    output = tmp_path / "deck.yaml"
    import_csv(sources[2000], output, force=True)  # modules and caches warmed up
    streamed = {n: _peak_bytes(lambda n=n: import_csv(sources[n], output, force=True))
                for n in sources}
    as_models = {n: _peak_bytes(lambda n=n: read_csv_deck(sources[n], "d", "D"))
                 for n in sources}
    streamed_slope = (streamed[8000] - streamed[2000]) / 6000
    models_slope = (as_models[8000] - as_models[2000]) / 6000
    assert models_slope > 1000
    assert streamed_slope < models_slope / 3, (streamed_slope, models_slope)


def test_twenty_thousand_identical_questions_get_distinct_ids(tmp_path: Path) -> None:
    page = tmp_path / "same.md"
    block = "Why is the sky blue?\n\nShow answer\n\nRayleigh scattering.\n\n"
    page.write_text("# Same question\n\n" + block * 20_000, encoding="utf-8")
    output = tmp_path / "decks" / "same.yaml"
    output.parent.mkdir()
    import_page(page, output)
    report = load_deck_file(output)
    assert report.ok
    assert isinstance(report.model, Deck)
    ids = [question.id for question in report.model.questions]
    assert len(ids) == 20_000
    assert ids[:3] == ["why-is-the-sky-blue", "why-is-the-sky-blue-2", "why-is-the-sky-blue-3"]
    assert ids[-1] == "why-is-the-sky-blue-20000"


class _CountingSet(set[str]):
    """A set that counts the membership tests made on it."""

    tests = 0

    def __contains__(self, item: object) -> bool:
        type(self).tests += 1
        return super().__contains__(item)


def test_giving_out_one_base_many_times_tests_each_number_once() -> None:
    _CountingSet.tests = 0
    taken = TakenIds(ids=_CountingSet({"same-3"}))  # one id taken by someone else
    given_out = [unique_id("same", taken) for _ in range(20_000)]
    assert given_out[:4] == ["same", "same-2", "same-4", "same-5"]
    assert len(set(given_out)) == 20_000
    # Two tests a call (the base, then its next number) and one for the skipped "same-3":
    # the old loop tried every number again on each call, 200 million tests in all.
    assert _CountingSet.tests <= 2 * 20_000 + 1


def _first_free(base: str, taken: set[str]) -> str:
    """unique_id's definition: `base`, or `base-2`, `base-3`, ...: the first not taken."""
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


@given(st.lists(st.sampled_from(["a", "a-2", "a-3", "b", "a-2-2", "c", "c-10"]), max_size=40))
def test_unique_ids_are_the_first_free_ones(bases: list[str]) -> None:
    reference: set[str] = set()
    taken = TakenIds()
    assert [unique_id(b, taken) for b in bases] == [_first_free(b, reference) for b in bases]


def test_the_streamed_import_refuses_every_bad_row_as_before(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "card,Not A Slug,F,B,,\n" + "card,,G,B," + "x" * 101 + ",\n"
                      + "cloze,,no deletion,,,\n" + "question,,ok,fine,,\n"
                      + "card,,ok,again,,\n", encoding="utf-8")
    with pytest.raises(DataError) as refused:
        import_csv(source, tmp_path / "deck.yaml")
    assert str(refused.value).splitlines() == [
        f"{source}:2: id: 'Not A Slug' is not a slug (lowercase letters, digits and hyphens, "
        "starting with a letter or digit)",
        f"{source}:3: tags.0: String should have at most 100 characters",
        f"{source}:4: a cloze needs at least one deletion such as {{{{c1::hidden text}}}}",
        f"{source}:6: the same front (and no id) is already used on line 5",
    ]
    assert list(tmp_path.iterdir()) == [source]


# Cells at the edges of what the streamed import takes without a model (a slug of 200
# characters or 201, a tag of 100 or 101, cloze text it can tell apart or not, a derived id
# given as an explicit one, cells export marks with `'`) and what the models refuse.
_SAME_FRONT_ID = derived_id("F")
_CELLS = {
    "kind": ["question", "card", "reversed", "cloze", "Card", " cloze ", "carx", ""],
    "id": ["", "", " ", "a-1", " a-2 ", "1x", "true", "Not A Slug", "a\n", "-x", "é", "x" * 200,
           "x" * 201, _SAME_FRONT_ID],
    "text": ["F", "G", "", "=1+1", "'=x", "'tis", "a\r\nb", "x" * 61, "yes", "a: b", " ", "\x07",
             "\u2028x", "x \ny", "é", "{{c1::a}}", "x" * 50_001 + "\t"],
    "cloze": ["no deletion", "{{c1::a}}", "{{c01::a}}", "{{c1:: }}", "{{c1::{x}}}",
              "{{c1::a::hint}}", "{{c0::a}}", "{{c1::a", "{{c1::a}} {{c2::b}}", "}} {{c1::a}}",
              "{{c1::a{{c2::b}}}}", "{{c1::a}}\r\n'=", "{{C1::a}}", "{{c1:: \u3000b}}",
              "{{c123456789::a}}", "{{c" + "1" * 4301 + "::a}}"],
    "tags": ["", " ", "a b", "a;", "my tag; other", "t" * 100, "t" * 101, " " * 101, "; " * 60,
             "x" * 50 + " " + "y" * 50, "yes null"],
    "fact": ["", "f-1", " f-2 ", "Bad", "y" * 100, "y" * 101],
}
_HEADERS = [["kind", "id", "front", "back", "tags", "fact"], ["kind", "front", "back"],
            ["back", "fact", "front", "tags", "kind", "id"]]


@st.composite
def _row_cells(draw: st.DrawFn) -> dict[str, str]:
    row = {column: draw(st.sampled_from(_CELLS["text" if column in ("front", "back") else column]))
           for column in ("kind", "id", "front", "back", "tags", "fact")}
    if row["kind"].strip().lower() == "cloze" and draw(st.booleans()):
        # A cloze row good but for its text, so that the text is what is tested.
        row["front"], row["back"] = draw(st.sampled_from(_CELLS["cloze"])), ""
    return row


def _written_or_refused(run: Any) -> str:
    try:
        return f"written:\n{run()}"
    except DataError as error:
        return f"refused:\n{error}"


def _edge_rows() -> list[dict[str, str]]:
    """One row for each edge of the streamed import's own tests, all good but for that."""
    good = {"kind": "card", "id": "", "front": "F", "back": "B", "tags": "", "fact": ""}
    rows = [{**good, "kind": "cloze", "front": text, "back": ""} for text in _CELLS["cloze"]]
    rows += [{**good, "front": f"F{n}", column: value} for n, (column, value) in enumerate(
        (column, value) for column in ("id", "tags", "fact") for value in _CELLS[column])]
    return rows


@given(st.sampled_from(_HEADERS), st.lists(_row_cells(), min_size=1, max_size=6))
@example(_HEADERS[0], _edge_rows())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_the_streamed_import_writes_or_refuses_as_the_models_do(
    header: list[str], rows: list[dict[str, str]]
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([row[column] for column in header] for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        source, output = Path(folder) / "in.csv", Path(folder) / "deck.yaml"
        source.write_text(buffer.getvalue(), encoding="utf-8", newline="")

        def streamed() -> str:
            import_csv(source, output, deck_id="d", title="T", force=True)
            return output.read_text(encoding="utf-8")

        def as_models() -> str:
            return deck_to_yaml(read_csv_deck(source, "d", "T"))

        assert _written_or_refused(streamed) == _written_or_refused(as_models)


def test_a_tags_cell_of_separators_alone_is_no_tags(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + f"card,,F,B,{'; ' * 60},\n", encoding="utf-8")
    import_csv(source, tmp_path / "deck.yaml")
    assert (tmp_path / "deck.yaml").read_text(encoding="utf-8") == (
        "id: deck\ntitle: in\n\ncards:\n  - front: F\n    back: B\n"
    )
