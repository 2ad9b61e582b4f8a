"""The deck writer's own item writer gives byte for byte the text PyYAML's emitter gave.

Decks are kept in git and compared by people: a faster writer (issue 13 cause 17) must not
change one byte of what `import` and the deck writer produce. The reference is PyYAML with
the writer's dumper, dumping whole sections as the writer did before.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.deck import writer
from studyapp.deck.loader import load_library
from studyapp.deck.models import Deck
from studyapp.deck.writer import _FlowList, _LongText, data_to_yaml, deck_to_yaml
from studyapp.formats.page import import_data

from .conftest import FIXTURES, LIBRARY_1_1, REPO
from .test_csv import decks

# Text that stresses YAML most: indicators, document markers, words YAML 1.1 reads as
# booleans or nulls, numbers, every kind of line break and space, controls, astral
# characters, BOMs; and plain sentences, which the fast path has to take.
_PIECES = [
    " ", "  ", "\n", "\n\n", "\t", "\r", "\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f",
    "\xa0", "\u2028", "\u2029", "\ufeff", "\ufffe", "\U0001f600", "é", "“", "→",
    '"', "'", ",", ";", ":", ": ", "#", " #", "-", "- ", "--- ", "...", "|", ">", "*", "&",
    "!", "%", "@", "`", "{", "}", "[", "]", "?", "~", "=", "<<", "+", ".", "/", "\\",
    "yes", "No", "ON", "off", "y", "n", "null", "Null", "~", "true", "False", "1", "0x1f",
    "1e3", "2001-12-14", ".inf", "the", "tree", "level", "Why", "word",
]
nasty_text = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)
printable_nasty = st.lists(
    st.sampled_from([p for p in _PIECES if p.isprintable() and p.isascii()]),
    min_size=1, max_size=8,
).map("".join)
"""The same without what forces double quotes, so the plain and quoted styles are tried."""
any_text = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30)
sentence = st.lists(
    st.sampled_from(["What", "is", "the", "tree", "level", "yes", "of", "x:y", "(a)", "2^4",
                     "é", "→", "c#d", "16", "a,", "b.", "it's", "'quoted'", "[x]"]),
    min_size=1, max_size=12,
).map(" ".join)
texts = nasty_text | printable_nasty | any_text | sentence
EDGES = ["a #b", "a#b", "a: b", "a:b", "a:", "a :", "#x", "- x", "-x", "? x", "?x", ":x", "x ",
         " x", "--- x", "...x", "..", "yes", "Yes", "y", "NO", "~", "null", "<<", "=", "1x",
         "tRUE", "nULL", "fAlSe",
         "x\n", "x\n\n", "\nx", " x\ny", "x \ny", "x\n y", "x\u2028y", "\ufeffx", "x\x85"]
PAGES = FIXTURES / "pages"


def _emitter_analysis(text: str) -> Any:
    return yaml.emitter.Emitter(io.StringIO(), allow_unicode=True).analyze_scalar(text)


@given(st.sampled_from(EDGES) | texts)
@settings(max_examples=400)
def test_the_scalar_analysis_is_pyyamls(text: str) -> None:
    theirs = _emitter_analysis(text)
    assert writer._analysis(text, flow=False) == (
        theirs.allow_block_plain, theirs.allow_single_quoted, theirs.allow_block
    )
    assert writer._analysis(text, flow=True) == (
        theirs.allow_flow_plain, theirs.allow_single_quoted, theirs.allow_block
    )


@given(st.sampled_from(EDGES) | texts)
@settings(max_examples=400)
def test_the_shortcut_only_passes_text_pyyaml_writes_plain(text: str) -> None:
    theirs = _emitter_analysis(text)
    if writer._surely_plain(text, flow=False):
        assert theirs.allow_block_plain
        assert writer._requested_style(text, long_text=False) in (None, "'")
    if writer._surely_plain(text, flow=True):
        assert theirs.allow_flow_plain


def _pyyaml_section(section: str, items: list[dict[str, Any]]) -> str:
    """How the writer wrote a section before it had its own item writer."""
    return writer._spaced(writer._dump({section: items}))


values = (
    st.sampled_from(EDGES)
    | texts
    | texts.map(_LongText)
    | st.booleans()
    | st.lists(texts, max_size=3).map(_FlowList)
    | st.integers(-3, 3)
)
item_keys = st.sampled_from(["id", "prompt", "answer", "front", "back", "cloze", "fact",
                             "reversed", "tags", "hint", "yes", "on"])
items = st.dictionaries(item_keys, values, min_size=1, max_size=6)


@given(st.lists(items, min_size=1, max_size=4))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_a_section_is_written_as_pyyaml_wrote_it(section_items: list[dict[str, Any]]) -> None:
    assert writer._section_text("cards", section_items) == _pyyaml_section(
        "cards", section_items
    )


def test_the_everyday_items_take_the_fast_path() -> None:
    # Otherwise the comparison above would only compare PyYAML with itself.
    everyday: list[dict[str, Any]] = [
        {"id": "row-1", "front": "What is the tree level?", "back": _LongText("Four."),
         "tags": _FlowList(["tree", "yes", "has space", "2024"])},
        {"prompt": "Why: because?", "answer": _LongText(("A longer answer. " * 6).strip())},
        {"front": "1e3 looks like a number", "back": _LongText("line one\n\n  indented\n"),
         "reversed": True},
        {"cloze": _LongText("The {{c1::tree}} fuses pairs"), "fact": "true"},
        {"front": " leading space", "back": _LongText("\nstarts with a break")},
        {"front": "a\ttab", "back": _LongText("a space before \na break"),
         "tags": _FlowList(["\U0001f600", "e\u2028f"])},
    ]
    for data in everyday:
        text = writer._fast_item_text(data)
        assert text is not None, data
        assert text == _pyyaml_section("cards", [data]).removeprefix("cards:\n")


def test_text_too_wide_to_stay_on_one_line_is_left_to_pyyaml() -> None:
    wide = "word " * (writer.YAML_WIDTH // 5) + "end"
    for data in ({"front": wide}, {"back": _LongText(wide)}, {"tags": _FlowList([wide])}):
        assert writer._section_text("cards", [data]) == _pyyaml_section("cards", [data])


def _pyyaml_deck(deck: Deck) -> str:
    """deck_to_yaml as it was before the item writer: PyYAML for every section."""
    head: dict[str, Any] = {"id": deck.id, "title": deck.title}
    if deck.description is not None:
        head["description"] = _LongText(deck.description)
    if deck.tags:
        head["tags"] = _FlowList(deck.tags)
    sections = [writer._dump(head)]
    for name, entries in (("questions", deck.questions), ("cards", deck.cards)):
        if entries:
            sections.append(_pyyaml_section(name, [writer._item_data(e) for e in entries]))
    if deck.exercises:
        sections.append(writer._dump({"exercises": _FlowList(deck.exercises)}))
    return "\n".join(sections)


@given(decks())
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_any_deck_is_written_as_before(deck: Deck) -> None:
    assert deck_to_yaml(deck) == _pyyaml_deck(deck)


def test_the_libraries_decks_are_written_as_before() -> None:
    for library in (REPO, LIBRARY_1_1):
        for deck in load_library(library).decks.values():
            assert deck_to_yaml(deck) == _pyyaml_deck(deck)


def _pyyaml_data(data: dict[str, Any]) -> str:
    """data_to_yaml as it was before the item writer."""
    sections: list[str] = []
    pending: dict[str, Any] = {}
    for key, value in data.items():
        if key not in writer._SPACED_SECTIONS and key != "exercises":
            pending[key] = writer._plain_value(key, value)
            continue
        if pending:
            sections.append(writer._dump(pending))
            pending = {}
        if key == "exercises" and value:
            sections.append(writer._dump({key: _FlowList(value)}))
        elif value:
            sections.append(_pyyaml_section(key, writer._plain_value(key, value)))
    if pending:
        sections.append(writer._dump(pending))
    return "\n".join(sections)


def test_imported_decks_and_exercises_are_written_as_before() -> None:
    plain: list[dict[str, Any]] = []
    for library in (REPO, LIBRARY_1_1):
        loaded = load_library(library)
        plain += [d.model_dump(mode="json", exclude_defaults=True) for d in loaded.decks.values()]
        plain += [e.model_dump(mode="json", exclude_defaults=True)
                  for e in loaded.exercises.values()]
    for page in sorted(PAGES.glob("wavenet-practice-page.*")):
        imported = import_data(page)
        plain += [imported.deck, *imported.exercises.values()]
    assert len(plain) > 10
    for data in plain:
        assert data_to_yaml(data) == _pyyaml_data(data)


slugs = st.sampled_from(["row-1", "a", "1x", "true", "yes", "null", "on", "no-2", "tree",
                         "n", "y", "f-1", "x" * 200])
optional_slug = st.none() | slugs
tag_lists = st.lists(st.sampled_from(EDGES) | texts, max_size=3)
row_texts = st.sampled_from(EDGES) | texts | st.lists(
    st.sampled_from(["What", "is", "the", "tree", "level", "of"]), min_size=10, max_size=16
).map(" ".join)
"""With plain sentences longer than LONG_TEXT (a block scalar as an answer, plain as a front)."""


def _import_data(item_id: str | None, shape: dict[str, Any], fact: str | None,
                 tags: list[str]) -> dict[str, Any]:
    """_item_data of the item of these fields."""
    data: dict[str, Any] = {"id": item_id} if item_id is not None else {}
    data.update(shape)
    if fact is not None:
        data["fact"] = fact
    if tags:
        data["tags"] = _FlowList(tags)
    return data


def _as_pyyaml(text: str | None, data: dict[str, Any]) -> str | None:
    """The text, checked against PyYAML's when there is one."""
    if text is not None:
        assert text == _pyyaml_section("cards", [data]).removeprefix("cards:\n")
    return text


@given(optional_slug, row_texts, row_texts, optional_slug, tag_lists)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_an_imported_rows_item_is_written_as_its_data_is(
    item_id: str | None, front: str, back: str, fact: str | None, tags: list[str]
) -> None:
    question = _import_data(item_id, {"prompt": front, "answer": _LongText(back)}, fact, tags)
    assert _as_pyyaml(writer.question_text(item_id, front, back, fact, tags), question) == (
        writer._fast_item_text(question)
    )
    for reversed_too in (False, True):
        card = _import_data(item_id, {"front": front, "back": _LongText(back),
                                      **({"reversed": True} if reversed_too else {})},
                            fact, tags)
        assert _as_pyyaml(writer.card_text(item_id, front, back, cloze=False,
                                           reversed_too=reversed_too, fact=fact, tags=tags),
                          card) == writer._fast_item_text(card)
    cloze = _import_data(item_id, {"cloze": _LongText(front)}, fact, tags)
    assert _as_pyyaml(writer.card_text(item_id, front, "", cloze=True, reversed_too=False,
                                       fact=fact, tags=tags), cloze) == (
        writer._fast_item_text(cloze)
    )


def test_an_everyday_row_is_written_without_the_item_dict(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shortcut must be taken (else the test above compares _fast_item_text with itself).
    def refuse(*args: object, **options: object) -> None:
        raise AssertionError("the value-by-value writer was used")

    monkeypatch.setattr(writer, "_value_line", refuse)
    monkeypatch.setattr(writer, "_fast_item_text", refuse)
    assert writer.card_text("row-1", "What is the tree level?", "tree level 5.", cloze=False,
                            reversed_too=True, fact="f-1", tags=["tree", "level"]) == (
        "  - id: row-1\n    front: What is the tree level?\n    back: tree level 5.\n"
        "    reversed: true\n    fact: f-1\n    tags: [tree, level]\n"
    )
    assert writer.question_text(None, "Why?", "Because.", None, []) == (
        "  - prompt: Why?\n    answer: Because.\n"
    )
    assert writer.card_text(None, "The {{c1::tree}} fuses", "", cloze=True,
                            reversed_too=False, fact=None, tags=[]) == (
        "  - cloze: The {{c1::tree}} fuses\n"
    )
