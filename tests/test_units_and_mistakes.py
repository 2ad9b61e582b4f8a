"""The pieces under exercise grading: reading units, the calculator's mistake detectors,
`{step:ID}` in calc expressions, and counts that agree with their nouns."""

from __future__ import annotations

import pytest

from studyapp.deck.calcexpr import CalcExpressionError, StepRef, parse_calc
from studyapp.grade import AnswerError, read_answer, unit_key, unit_problem
from studyapp.mistakes import Call, detect
from studyapp.practice import fill

# -- reading an answer and its unit --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "written", "unit", "shown"),
    [
        ("16", 16, "16", None, "16"),
        ("1,024 characters", 1024, "1,024", "characters", "1024"),
        ("2^4", 16, "2^4", None, "2^4 = 16"),
        ("log2(16) Levels", 4, "log2(16)", "Levels", "log2(16) = 4"),
        ("6levels", 6, "6", "levels", "6"),
        ("-4", -4, "-4", None, "-4"),
        ("2 + 2 hidden units", 4, "2 + 2", "hidden units", "2 + 2 = 4"),
    ],
)
def test_read_answer_splits_the_number_from_its_unit(
    typed: str, value: int, written: str, unit: str | None, shown: str
) -> None:
    reading = read_answer(typed)
    assert (reading.value, reading.written, reading.unit, reading.shown) == (
        value, written, unit, shown)


def test_read_answer_refuses_what_parse_answer_refuses() -> None:
    for typed in ("", "banana", "4 or 5", "levels 4"):
        with pytest.raises(AnswerError):
            read_answer(typed)


@pytest.mark.parametrize(
    ("word", "key"),
    [("levels", "level"), ("Level", "level"), ("NUMBERS", "number"), ("bias", "bias"),
     ("biases", "bias"), ("hidden units", "hidden unit"), ("entries", "entry"),
     ("inputs", "input"), ("classes", "class")],
)
def test_unit_key_ignores_case_and_number(word: str, key: str) -> None:
    assert unit_key(word) == key


def test_unit_problem_names_the_unit_the_step_asks_for() -> None:
    assert unit_problem(None, "levels") is None
    assert unit_problem("Level", "levels") is None
    assert unit_problem("levels", "levels") is None
    assert unit_problem("numbers", "levels") == (
        "not graded: this step asks for levels, not numbers; answer again")
    assert unit_problem("widgets", "levels", ["widgets"]) == (
        "not graded: this step asks for levels, not widgets; answer again")
    assert unit_problem("bananas", "levels") == (
        'not graded: "bananas" is not a unit I know; this step asks for levels')
    # A step without a unit takes a known unit word, never an unknown one.
    assert unit_problem("levels", None) is None
    assert unit_problem("bananas", None) == (
        'not graded: "bananas" is not a unit I know; type just the number')


# -- the calculator's detectors ------------------------------------------------------------


def says(call: Call, value: int, related: tuple[Call, ...] = ()) -> str:
    found = {m.value: m.says for m in detect(call, related)}
    assert value in found, found
    return found[value]


def test_levels_detectors() -> None:
    exact = Call("levels_needed", (("context", 16),))
    assert says(exact, 16).startswith("16 is the context itself")
    assert says(exact, 3).startswith("One level too few: 3 levels reach only 2^3 = 8")
    assert says(exact, 5).startswith("One level too many: 4 levels already reach 2^4 = 16")
    wide = Call("flat_input_width", (("context", 16), ("embedding", 10)))
    assert says(exact, 160, (wide,)).startswith("160 is the flat model's input width")
    rounded = Call("levels_needed", (("context", 100),))
    assert says(rounded, 128).startswith("128 is 2^7, how far 7 levels reach")
    assert says(rounded, 6).startswith("That rounds log2(100) down: 6 levels reach only")


def test_other_detectors() -> None:
    field = Call("receptive_field", (("levels", 5),))
    assert says(field, 5).startswith("5 is the number of levels")
    assert says(field, 10).startswith("10 is 2 × 5")
    assert says(field, 16).startswith("That is 2^4, one level too few")
    flat = Call("flat_input_width", (("context", 8), ("embedding", 10)))
    assert says(flat, 3).startswith("3 is the tree's depth for 8 characters")
    assert says(flat, 8).startswith("8 counts characters, not numbers")
    fusion = Call("fusion_input", (("width", 10),))
    assert says(fusion, 10).startswith("10 is one vector")
    out = Call("fusion_output", (("hidden", 68),))
    assert says(out, 20, (fusion,)).startswith("20 is what goes into the fusion")
    params = Call("fusion_params", (("width", 10), ("hidden", 68)))
    assert says(params, 1360).startswith("1360 counts only the weights")


@pytest.mark.parametrize(
    "call",
    [
        Call("levels_needed", (("context", c),)) for c in (1, 2, 3, 8, 100, 1024, 4096)
    ] + [
        Call("receptive_field", (("levels", n),)) for n in (0, 1, 4, 12)
    ] + [
        Call("fusion_params", (("width", 2), ("hidden", 3), ("bias", False))),
        Call("flat_input_width", (("context", 1), ("embedding", 1))),
        Call("fusion_input", (("width", 2),)),
        Call("tree_params", (("vocab", 27), ("context", 8), ("embedding", 2), ("hidden", 3))),
    ],
)
def test_detected_mistakes_are_wrong_distinct_and_one_sentence(call: Call) -> None:
    right = call.value()
    found = detect(call)
    values = [m.value for m in found]
    assert right not in values
    assert len(values) == len(set(values))
    for mistake in found:
        assert "\n" not in mistake.says and mistake.says.endswith(".")
        assert mistake.says.count(". ") == 0, mistake.says  # one sentence


def test_no_detectors_for_refused_arguments() -> None:
    assert detect(Call("levels_needed", (("context", 0),))) == []


# -- {step:ID} -----------------------------------------------------------------------------


def test_step_references_are_read_and_filled() -> None:
    call = parse_calc("flat_input_width(context={step:field}, embedding={embedding})")
    assert call.references == ("field",)
    assert dict(call.arguments)["context"] == StepRef("field")
    assert call.evaluate({"embedding": 10}, {"field": 128}) == 1280
    assert str(call) == "flat_input_width(context={step:field}, embedding={embedding})"
    # Hyphens and Python keywords are fine in step ids.
    assert parse_calc("fusion_output(hidden={ step : fusion-in })").references == ("fusion-in",)
    with pytest.raises(CalcExpressionError, match="no value for \\{step:field\\}"):
        call.evaluate({"embedding": 10}, {})
    with pytest.raises(CalcExpressionError, match="needs a step id"):
        parse_calc("receptive_field(levels={step:})")


# -- counts and nouns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "params", "filled"),
    [
        ("each embedded as {e} numbers", {"e": 1}, "each embedded as 1 number"),
        ("each embedded as {e} numbers", {"e": 2}, "each embedded as 2 numbers"),
        ("a tree with {n} level", {"n": 3}, "a tree with 3 levels"),
        ("{n} fusing levels", {"n": 1}, "1 fusing level"),
        ("{h} hidden units", {"h": 1}, "1 hidden unit"),
        ("Weights: 2 × {e} numbers", {"e": 1}, "Weights: 2 × 1 numbers"),  # arithmetic
        ("2^{n} characters", {"n": 1}, "2^1 characters"),
        ("{n} Levels", {"n": 1}, "1 Level"),
        ("{n} biases", {"n": 1}, "1 bias"),
        ("{n} apples", {"n": 1}, "1 apples"),  # not a noun we count
    ],
)
def test_fill_makes_counted_nouns_agree(text: str, params: dict[str, int], filled: str) -> None:
    assert fill(text, params) == filled
