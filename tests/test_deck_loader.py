"""Deck and exercise loading: the built-in library, every refusal, hostile files."""

from __future__ import annotations

import json
import re
import shutil
import tracemalloc
from pathlib import Path

import pytest

from studyapp.deck.calcexpr import CalcExpressionError, Placeholder, parse_calc
from studyapp.deck.loader import load_deck_file, load_library
from studyapp.deck.models import derived_id
from studyapp.deck.yamlread import YamlProblem, parse_yaml, read_yaml_file
from studyapp.errors import DataError
from studyapp.paths import find_library

from .conftest import FIXTURES, REPO, RunStudyapp, assert_no_traceback

REFUSALS = FIXTURES / "refusals"
REFUSAL_FILES = sorted((REFUSALS / "decks").glob("*.yaml")) + sorted(
    (REFUSALS / "exercises").glob("*.yaml")
)


def expected_problem(path: Path) -> str:
    """Each refusal fixture states, on its first line, the LINE:COLUMN: reason it must get."""
    first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


# -- the built-in library ------------------------------------------------------------------


def test_builtin_library_matches_the_contract() -> None:
    library = load_library(REPO)
    assert not [p for p in library.problems if p.severity == "error"], library.problems
    deck = library.deck("wavenet")
    assert len(deck.questions) == 4
    assert len(deck.cards) == 7
    assert deck.exercises == ["wavenet-depth", "wavenet-chain"]  # wavenet-depth first
    # Every item has an explicit id, so editing wording keeps review history.
    assert all(item.id for item in [*deck.questions, *deck.cards])
    exercise = library.exercise("wavenet-depth")
    answers = [(step.id, step.answer) for step in exercise.steps]
    assert answers == [
        ("levels-16", 4),
        ("levels-64", 6),
        ("levels-1024", 10),
        ("flat-width-16", 16),
        ("flat-width-64", 64),
        ("flat-width-1024", 1024),
        ("fusion-in", 4),
        ("fusion-out", 3),
    ]
    for step in exercise.steps:
        assert step.calc and step.hint and step.explain, step.id
        assert parse_calc(step.calc).evaluate() == step.answer
    assert exercise.setup and exercise.outcome
    assert {t.id for t in exercise.practice} >= {
        "levels-for-context",
        "context-for-levels",
        "flat-width",
        "tree-params",
    }


def test_builtin_cards_follow_the_page_order() -> None:
    deck = load_library(REPO).deck("wavenet")
    # The page's questions: flat MLP, the WaveNet idea, doubling, depth not width.
    assert "flat" in deck.questions[0].prompt.lower()
    assert "doubl" in deck.questions[2].prompt.lower()
    assert "depth" in deck.questions[3].prompt.lower()
    # The page's last card links the idea to modern models.
    assert "modern" in deck.cards[6].front.lower() or "today" in deck.cards[6].front.lower()


# -- every refusal, with FILE:LINE:COLUMN ------------------------------------------------


@pytest.mark.parametrize("path", REFUSAL_FILES, ids=lambda p: p.name)
def test_each_refusal_points_at_the_offending_place(path: Path) -> None:
    library = load_library(REFUSALS)
    report = next(r for r in library.reports if r.path == path)
    assert not report.ok
    lines = [f"{p.line}:{p.column}: {p.message}" for p in report.problems]
    assert any(line.startswith(expected_problem(path)) for line in lines), lines


def test_one_bad_deck_does_not_stop_the_others(tmp_path: Path) -> None:
    library_root = tmp_path / "lib"
    shutil.copytree(REPO / "decks", library_root / "decks")
    shutil.copytree(REPO / "exercises", library_root / "exercises")
    shutil.copy(REFUSALS / "decks" / "unknown-key-backk.yaml", library_root / "decks")
    library = load_library(library_root)
    assert "wavenet" in library.decks
    assert "wavenet-depth" in library.exercises
    failed = [r.path.name for r in library.failed_reports]
    assert failed == ["unknown-key-backk.yaml"]


def test_duplicate_deck_ids_across_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    body = "id: same\ntitle: T\ncards:\n  - id: c\n    front: F\n    back: B\n"
    (tmp_path / "decks" / "a.yaml").write_text(body, encoding="utf-8")
    (tmp_path / "decks" / "b.yaml").write_text(body, encoding="utf-8")
    library = load_library(tmp_path)
    assert list(library.decks) == ["same"]
    (problem,) = library.failed_reports[0].problems
    assert (problem.path.name, problem.line, problem.column) == ("b.yaml", 1, 5)
    assert "already used by a.yaml" in problem.message


@pytest.mark.parametrize("path", REFUSAL_FILES, ids=lambda p: p.name)
def test_check_command_reports_file_line_column(path: Path, run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("check", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert_no_traceback(result)
    expected = expected_problem(path)
    assert any(
        line.endswith(expected) or f":{expected}" in line for line in result.stdout.splitlines()
    ), result.stdout


# -- hostile files ---------------------------------------------------------------------------


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "decks" / "huge.yaml"
    path.parent.mkdir()
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    tracemalloc.start()
    report = load_deck_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok
    (problem,) = report.problems
    assert (problem.line, problem.column) == (1, 1)
    assert "over the 32.0 MiB limit" in problem.message
    assert peak < 1024 * 1024


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\ntitle: T\ncards:\n" + "- " * 5000 + "x\n", encoding="utf-8")
    tracemalloc.start()
    with pytest.raises(YamlProblem) as caught:
        read_yaml_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "nested more than 64 levels" in caught.value.reason
    assert peak < 20 * 1024 * 1024
    flow = "[" * 5000 + "]" * 5000
    with pytest.raises(YamlProblem):
        parse_yaml(flow)
    indented = "".join("  " * depth + "-\n" for depth in range(5000))
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(indented)
    assert caught.value.mark.line == 65


def test_alias_bomb_is_refused_before_expansion() -> None:
    tracemalloc.start()
    report = load_deck_file(REFUSALS / "decks" / "alias-bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok
    assert peak < 20 * 1024 * 1024


def test_small_aliases_are_fine() -> None:
    document = parse_yaml("common: &t [a, b]\nother: *t\n")
    assert document.data == {"common": ["a", "b"], "other": ["a", "b"]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: !!binary aGVsbG8=\n", "!!binary is not allowed"),
        ("a: !!set {x}\n", "!!set is not allowed"),
        ("a: !custom 1\n", "!custom is not allowed"),
        ("a: !!int x\n", "not a valid !!int"),
        ("---\na: 1\n---\nb: 2\n", "one YAML document"),
        ("a: *nowhere\n", "refers to no anchor"),
        ("base: &b {x: 1}\nitem:\n  <<: *b\n", "merge keys"),
    ],
)
def test_other_hostile_yaml_is_refused(text: str, reason: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    assert reason in caught.value.reason


def test_plain_scalars_follow_yaml_1_2() -> None:
    data = parse_yaml(
        "a: no\nb: on\nc: true\nd: 12\ne: 1.5\nf: ~\ng: '12'\nh: 0x1F\ni: 2024-01-01\n"
    ).data
    assert data == {
        "a": "no",
        "b": "on",
        "c": True,
        "d": 12,
        "e": 1.5,
        "f": None,
        "g": "12",
        "h": 31,
        "i": "2024-01-01",
    }


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: bom\n")
    assert read_yaml_file(path).data == {"id": "bom"}


# -- identity --------------------------------------------------------------------------------


def test_derived_ids_are_stable_and_ignore_reflowing() -> None:
    # Checked independently: printf 'What is the WaveNet idea?' | b2sum -l 48
    assert derived_id("What is the WaveNet idea?") == "auto-e1dd7ab51d84"
    assert derived_id("  What is   the WaveNet\n idea? ") == "auto-e1dd7ab51d84"
    assert derived_id("What is the WaveNet idea") != derived_id("What is the WaveNet idea?")


def test_items_without_id_get_a_warning_with_position(
    tmp_path: Path, run_studyapp: RunStudyapp
) -> None:
    path = tmp_path / "noid.yaml"
    path.write_text(
        "id: noid\ntitle: T\ncards:\n  - front: What is the WaveNet idea?\n    back: B\n",
        encoding="utf-8",
    )
    result = run_studyapp("check", str(path))
    assert result.returncode == 0, result.stdout
    assert f"{path}:4:5: warning: card without an id" in result.stdout
    assert "auto-e1dd7ab51d84" in result.stdout


def test_same_text_without_ids_is_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text(
        "id: twice\ntitle: T\ncards:\n  - front: Same\n    back: B\n  - front: Same\n    back: C\n",
        encoding="utf-8",
    )
    report = load_deck_file(path)
    assert not report.ok
    errors = [p for p in report.problems if p.severity == "error"]
    assert errors[0].line == 6
    assert "same front as the item at line 4" in errors[0].message


# -- calc expressions ------------------------------------------------------------------------


def test_calc_expressions_parse_into_allowed_calls() -> None:
    call = parse_calc("levels_needed(context=16)")
    assert call.evaluate() == 4
    assert parse_calc("fusion_params(width=2, hidden=3, bias=false)").evaluate() == 12
    template = parse_calc("levels_needed(context={context}, arity=2)")
    assert template.placeholders == {"context"}
    assert dict(template.arguments)["context"] == Placeholder("context")
    assert template.evaluate({"context": 1024}) == 10


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("levels_needed(16)", "by name"),
        ("levels_needed(context=16.0)", "whole number"),
        ("levels_needed(context='16')", "whole number"),
        ("levels_needed(context=2**4)", "whole number"),
        ("levels_needed(context=levels_needed(context=4))", "whole number"),
        ("calc.levels_needed(context=16)", "not one calculator call"),
        ("__import__('os').system('ls')", "not one calculator call"),
        ("levels_needed(**{'context': 16})", "not allowed"),
        ("levels_needed()", "needs context="),
        ("open(file=1)", "unknown calculator function"),
        ("levels_needed(context=16", "cannot read"),
        ("x" * 600, "longer than"),
    ],
)
def test_calc_expressions_refuse_everything_else(text: str, reason: str) -> None:
    with pytest.raises(CalcExpressionError) as caught:
        parse_calc(text)
    assert reason in str(caught.value)


# -- library location ------------------------------------------------------------------------


def test_library_location_rules(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    assert find_library(None, cwd=tmp_path) == tmp_path
    builtin = find_library(None, cwd=tmp_path / "decks")
    assert (builtin / "decks" / "wavenet.yaml").is_file()
    with pytest.raises(DataError):
        find_library(str(tmp_path / "missing"))


def test_check_json_and_builtin_from_an_empty_folder(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wavenet.yaml: deck ok (4 questions, 7 cards, 2 exercises)" in result.stdout
    assert "wavenet-depth.yaml: exercise ok (8 steps" in result.stdout
    assert "wavenet-chain.yaml: exercise ok (5 steps" in result.stdout
    result = run_studyapp("check", "--json")
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert {Path(f["path"]).name for f in data["files"]} == {
        "wavenet.yaml", "wavenet-depth.yaml", "wavenet-chain.yaml"}


def test_check_json_lists_problems(run_studyapp: RunStudyapp) -> None:
    path = REFUSALS / "decks" / "unknown-key-backk.yaml"
    result = run_studyapp("check", "--json", str(path))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    (problem,) = data["files"][0]["problems"]
    assert (problem["line"], problem["column"], problem["severity"]) == (7, 5, "error")
    assert "backk" in problem["message"]


def test_check_of_a_missing_path_is_one_line(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("check", "no/such/file.yaml")
    assert result.returncode == 1
    assert_no_traceback(result)
    assert result.stderr.strip().count("\n") == 0


# -- fuzzing: whatever the file holds, a report and never an exception -----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

YAMLISH = st.lists(
    st.sampled_from(
        [
            "id: x\n", "title: T\n", "cards:\n", "  - front: F\n", "    back: B\n", "- ", "  ",
            "questions:\n", "exercises: [", "]", "{", "}", "&a ", "*a ", "!!python/object ",
            "? ", ": ", "|\n", ">-\n", "'", '"', "#", "\t", "\n", "---\n", "...\n", "<<: ",
            "calc: levels_needed(context=16)\n", "answer: 4\n", "steps:\n", "é", "\x00", "\ufeff",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=400), YAMLISH.map(lambda t: t.encode("utf-8"))))
def test_any_bytes_give_a_report_not_an_exception(tmp_path: Path, body: bytes) -> None:
    for folder, loader in (("decks", load_deck_file), ("exercises", None)):
        path = tmp_path / folder / "fuzz.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(body)
        if loader is not None:
            report = loader(path)
        else:
            from studyapp.deck.loader import load_exercise_file

            report = load_exercise_file(path)
        for problem in report.problems:
            assert problem.line >= 1 and problem.column >= 1
            assert "\n" not in problem.message
        assert report.ok == (report.model is not None and not [
            p for p in report.problems if p.severity == "error"
        ])


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)
DECK_KEYS = ["id", "title", "description", "tags", "questions", "cards", "exercises", "cardz"]
ITEM_KEYS = ["id", "front", "back", "prompt", "answer", "tags", "backk", "calc", "steps"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    deck=st.dictionaries(st.sampled_from(DECK_KEYS), JSONISH, max_size=6),
    items=st.lists(st.dictionaries(st.sampled_from(ITEM_KEYS), JSONISH, max_size=5),
                   max_size=3),
    section=st.sampled_from(["cards", "questions", "steps", "practice"]),
)
def test_wrong_shapes_are_reported_with_positions(
    tmp_path: Path, deck: dict[str, object], items: list[dict[str, object]], section: str
) -> None:
    import yaml

    deck = {**deck, section: items}
    text = yaml.safe_dump(deck, allow_unicode=True)
    for folder in ("decks", "exercises"):
        path = tmp_path / folder / "shape.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        from studyapp.deck.loader import load_exercise_file

        report = load_deck_file(path) if folder == "decks" else load_exercise_file(path)
        # YAML also breaks lines at NEL, LS and PS (and a lone CR).
        lines = len(re.split("\r\n|[\n\r\x85\u2028\u2029]", text))
        for problem in report.problems:
            assert 1 <= problem.line <= lines
            assert "\n" not in problem.message
