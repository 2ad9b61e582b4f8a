"""Issue 13's property suite: deck YAML values of every type and size, raw YAML text, cache
and summary JSON, settings.toml and typed answers never raise anything but the documented
refusals, and every message stays one short line."""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp import __version__
from studyapp.deck.cache import cache_path, load_library_cached
from studyapp.deck.loader import load_deck_file, load_exercise_file
from studyapp.deck.summary import read_summary, summary_path
from studyapp.errors import DataError
from studyapp.grade import AnswerError, format_number, grade
from studyapp.settings import load_settings
from tests.conftest import REPO

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

big_ints = st.integers(min_value=-(10**4200), max_value=10**4200) | st.sampled_from(
    [10**999, 10**1000, -(10**4200), 2**64, 0, -1])
texts = st.text(max_size=60) | st.sampled_from(
    ["", " ", "\u200b", "-", "\x1b[2J", "0x" + "f" * 1200, "9" * 5000, ".inf", "~", "null",
     "{{c1::x}}", "{step:zz}", "a" * 3000])
scalars = (st.none() | st.booleans() | big_ints
           | st.floats(allow_nan=True, allow_infinity=True) | texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)

DECK: dict[str, Any] = {
    "id": "fuzz", "title": "Fuzz", "tags": ["t"],
    "questions": [{"id": "q", "prompt": "p", "answer": "a"}],
    "cards": [{"id": "c", "front": "f", "back": "b"}],
}
EXERCISE: dict[str, Any] = {
    "id": "fuzz", "title": "Fuzz", "params": {"context": [8, 16]},
    "steps": [{"id": "s", "prompt": "p", "answer": 3, "calc": "levels_needed(context={context})",
               "tolerance": 0}],
}
DECK_PLACES = [("id",), ("title",), ("tags", 0), ("questions", 0, "answer"),
               ("questions", 0, "id"), ("cards", 0, "front"), ("cards", 0, "back"),
               ("cards", 0), ("questions",)]
EXERCISE_PLACES = [("steps", 0, "answer"), ("steps", 0, "tolerance"), ("params", "context"),
                   ("params", "context", 0), ("steps", 0, "calc"), ("title",)]


def _with(template: dict[str, Any], place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data: Any = yaml.safe_load(yaml.safe_dump(template))
    node = data
    for part in place[:-1]:
        node = node[part]
    node[place[-1]] = value
    return data  # type: ignore[no-any-return]


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, width=10**6)
    except (ValueError, yaml.YAMLError):  # PyYAML cannot print ints over 4,300 digits
        return yaml.safe_dump({"id": "fuzz", "title": str(type(data))})


def _short_messages(problems: list[Any]) -> None:
    for problem in problems:
        assert "\n" not in problem.message
        assert len(problem.message) < 600, problem.message[:200]


@FUZZ
@given(st.sampled_from(DECK_PLACES), values)
def test_any_value_anywhere_in_a_deck_is_a_report(place: tuple[Any, ...], value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(_dump(_with(DECK, place, value)), encoding="utf-8")
        report = load_deck_file(path)
        _short_messages(report.problems)


@FUZZ
@given(st.sampled_from(EXERCISE_PLACES), values)
def test_any_value_anywhere_in_an_exercise_is_a_report(place: tuple[Any, ...], value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(_dump(_with(EXERCISE, place, value)), encoding="utf-8")
        report = load_exercise_file(path)
        _short_messages(report.problems)


@FUZZ
@given(st.text(max_size=400) | st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
def test_any_yaml_text_is_a_report(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        _short_messages(load_deck_file(path).problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)


@FUZZ
@given(json_values.map(repr) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_cache_or_summary_content_is_rebuilt_from_the_yaml(body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "lib"
        (root / "decks").mkdir(parents=True)
        shutil.copy(REPO / "decks" / "wavenet.yaml", root / "decks")
        shutil.copytree(REPO / "exercises", root / "exercises")
        cache_dir = Path(folder) / "cache"
        load_library_cached(root, cache_dir)
        for path in (cache_path(cache_dir, root), summary_path(cache_dir, root)):
            path.write_text(body, encoding="utf-8", errors="surrogatepass")
        assert read_summary(root, cache_dir, __version__) is None
        assert "wavenet" in load_library_cached(root, cache_dir).decks


settings_values = (st.integers(min_value=-(10**4200), max_value=10**4200) | st.floats()
                   | st.text(max_size=20) | st.lists(st.text(max_size=5) | st.integers(),
                                                    max_size=12) | st.booleans())
SETTINGS_KEYS = ["new_items_per_day", "desired_retention", "learning_steps",
                 "relearning_steps", "learn_ahead_minutes", "nonsense"]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return format(value, "d") if abs(value) < 10**4000 else "9" * 5000  # too long for TOML
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml(v) for v in value) + "]"


@FUZZ
@given(st.sampled_from(SETTINGS_KEYS), settings_values, st.booleans())
def test_any_settings_value_loads_or_is_one_data_error(key: str, value: Any, raw: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        text = f"{key} = {_toml(value)}\n" if not raw else str(value)
        (Path(folder) / "settings.toml").write_text(text, encoding="utf-8",
                                                    errors="surrogatepass")
        try:
            load_settings(Path(folder))
        except DataError as error:
            assert "\n" not in str(error) and len(str(error)) < 600


@FUZZ
@given(st.text(max_size=80) | st.sampled_from(["9" * 5000, "1e999999", "2^99999999", "0x1f",
                                                "10**10**10", "sqrt(-1)", "log(0)"]),
       st.integers(min_value=-(10**300), max_value=10**300) | st.floats(allow_nan=False,
                                                                         allow_infinity=False),
       st.floats(min_value=0, max_value=1e300))
def test_any_typed_answer_grades_or_is_an_answer_error(
    text: str, expected: int | float, tolerance: float
) -> None:
    try:
        result = grade(text, expected, tolerance)
    except AnswerError as error:
        assert "\n" not in str(error)
        return
    assert len(format_number(result.value)) < 5000
