"""Tests for studyapp.grade: what a learner may type as a numeric answer, and how it is graded."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.errors import StudyappError
from studyapp.grade import (
    MAX_ANSWER_LENGTH,
    AnswerError,
    Grade,
    format_number,
    grade,
    parse_answer,
)


def _refusal(text: str) -> str:
    """The one-line reason given for `text`, asserting it is refused with AnswerError."""
    with pytest.raises(AnswerError) as caught:
        parse_answer(text)
    message = str(caught.value)
    assert message.strip(), f"empty reason for {text!r}"
    assert len(message.splitlines()) == 1, f"reason for {text!r} is not one line: {message!r}"
    return message


# --- accepted forms ---------------------------------------------------------------------------

ACCEPTED = [
    ("4", 4),
    ("4 levels", 4),
    ("  10 ", 10),
    ("1,024", 1024),
    ("1 024", 1024),
    ("1,000,000", 1_000_000),
    ("10 000 000", 10_000_000),
    ("1e3", 1000),
    ("2^10", 1024),
    ("2**10", 1024),
    ("2^3+2", 10),
    ("68*68*2", 9248),
    ("log2(1024)", 10),
    ("16/2", 8),
    ("3.0", 3),
    ("-2^2", -4),
    ("2^3^2", 512),
    ("3^4", 81),
    ("6 levels", 6),
    ("16 numbers wide", 16),
    ("4 characters", 4),
    ("(2 + 3) * 4", 20),
    ("2 + 3 * 4", 14),
    ("10 - 4 - 3", 3),
    ("100 / 10 / 5", 2),
    ("−3 + 10", 7),
    ("6 × 7", 42),
    ("84 ÷ 2", 42),
    ("2^-1 * 8", 4),
    ("--5", 5),
    ("+5", 5),
    ("log2(1024) levels", 10),
    ("LOG2(8)", 3),
    ("log2 (8)", 3),
    ("sqrt(144)", 12),
    ("8^(1/3)", 2),
    ("log10(1000)", 3),
    ("1,024.0", 1024),
    ("2.5e2", 250),
    ("1E3", 1000),
    ("4.", 4),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_every_accepted_form_grades_correct(text: str, expected: int) -> None:
    result = grade(text, expected)
    assert result.correct, f"{text!r} should be read as {expected}, got {result.value!r}"
    assert result.shown == str(expected)


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_every_accepted_form_is_wrong_against_another_number(text: str, expected: int) -> None:
    assert not grade(text, expected + 1).correct


def test_exact_values_stay_exact() -> None:
    assert parse_answer("log2(1024)") == 10
    assert isinstance(parse_answer("log2(1024)"), Fraction)
    assert parse_answer("log2(1/8)") == -3
    assert parse_answer("sqrt(16)") == 4
    assert isinstance(parse_answer("sqrt(16)"), Fraction)
    assert parse_answer("1/3") == Fraction(1, 3)
    assert parse_answer(".5") == Fraction(1, 2)
    assert parse_answer("0.1 + 0.2") == Fraction(3, 10)


def test_decimal_answers() -> None:
    assert grade("2.5", 2.5).correct
    assert grade("5/2", 2.5).correct
    assert grade("0.1", 0.1).correct
    assert grade("0.1+0.2", 0.3).correct
    assert not grade("2.4", 2.5).correct


def test_float_results_are_not_failed_by_rounding() -> None:
    assert isinstance(parse_answer("sqrt(2)"), float)
    assert grade("sqrt(2)^2", 2).correct
    assert grade("ln(8)/ln(2)", 3).correct
    assert grade("log(1000)/log(10)", 3).correct
    assert grade("sqrt(2)", math.sqrt(2)).correct
    assert not grade("sqrt(2)", 1.4142).correct


def test_fractional_powers_of_huge_exact_numbers_still_work() -> None:
    assert grade("(3^6000)^(1/64)", 3**93.75).correct
    assert grade("(2^9999)^(1/9999)", 2).correct
    assert parse_answer("8^(2/3)") == 4


def test_whole_numbers_compare_exactly() -> None:
    big = 2**200
    assert grade(str(big), big).correct
    assert not grade(str(big + 1), big).correct
    assert not grade("1000000001/1000000000", 1).correct


def test_tolerance() -> None:
    assert grade("3.14", 3.14159, tolerance=0.01).correct
    assert not grade("3.14", 3.14159, tolerance=0.001).correct
    assert grade("98", 100, tolerance=2).correct
    assert not grade("97", 100, tolerance=2).correct
    assert grade("102 levels", 100, tolerance=2).correct


def test_grade_fields() -> None:
    result = grade("2^10", 1024)
    assert result == Grade(correct=True, value=Fraction(1024), expected=1024, shown="1024")
    wrong = grade("5/2", 3)
    assert not wrong.correct
    assert wrong.value == Fraction(5, 2)
    assert wrong.expected == 3
    assert wrong.shown == "2.5"
    with pytest.raises(AttributeError):
        result.correct = False  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "\t", " \r\n"])
def test_empty_answer_is_not_graded(text: str) -> None:
    with pytest.raises(AnswerError, match="empty answer"):
        grade(text, 4)


def test_programming_errors_are_not_answer_errors() -> None:
    with pytest.raises(ValueError):
        grade("4", 4, tolerance=-1)
    with pytest.raises(ValueError):
        grade("4", math.nan)


# --- refused forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("banana", 'can\'t read "banana" as a number'),
        ("4 or 5", '"4 or 5" is more than one answer: give one number'),
        ("4, 5", "more than one answer"),
        ("4 6", '"4 6" has two numbers: give one (use 1,024 or 1024 for thousands)'),
        ("levels 6", "give the number first"),
        ("1,02", "misplaced comma"),
        ("1234,567", "misplaced comma"),
        ("4,5", "misplaced comma"),
        ("2^", 'a number is missing after "^"'),
        ("2 +", 'a number is missing after "+"'),
        ("()", "empty brackets"),
        ("(2+3", 'missing a closing ")"'),
        ("2+3)", 'extra ")"'),
        ("*3", 'missing before "*"'),
        ("1/0", "division by zero"),
        ("1/(2-2)", "division by zero"),
        ("log2(0)", "log2 needs a positive number"),
        ("ln(-1)", "ln needs a positive number"),
        ("sqrt(-4)", "sqrt needs a number that isn't negative"),
        ("(-2)^0.5", "no real value"),
        ("9^9^9^9", "that number is too large"),
        ("2^100000", "that number is too large"),
        ("1e999999999", "that number is too large"),
        ("0.5^100000", "that number is too small"),
        ("2x3", "use * or × to multiply"),
        ("log2 8", "needs brackets"),
        ("foo(3)", '"foo" is not something I can work out'),
        ("2^10 = 1024", 'without "="'),
        ("4 levels deep here", "at most 2 unit words"),
        ("1.2.3", "can't read"),
        ("4 (6)", "missing an operator"),
        ("2 + banana", "can't read"),
        ("?", "can't read"),
        ("4%", "can't read"),
    ],
)
def test_refused_forms_say_why(text: str, reason: str) -> None:
    assert reason in _refusal(text)


def test_refusal_is_a_studyapp_error() -> None:
    with pytest.raises(StudyappError):
        parse_answer("banana")


def test_ten_thousand_nested_brackets_are_refused() -> None:
    _refusal("(" * 10_000 + "1" + ")" * 10_000)
    _refusal("(" * 10_000)


def test_nesting_deeper_than_the_limit_is_refused_within_the_length_limit() -> None:
    deep = "(" * 60 + "1" + ")" * 60
    assert len(deep) <= MAX_ANSWER_LENGTH
    assert "nested too deeply" in _refusal(deep)
    assert "nested too deeply" in _refusal("2^" * 90 + "1")
    assert parse_answer("(" * 30 + "7" + ")" * 30) == 7


def test_a_ten_kilobyte_answer_is_refused() -> None:
    assert "too long" in _refusal("1" * 10_240)
    assert "too long" in _refusal("1+" * 5_120)


def test_control_characters_are_quoted_visibly_on_one_line() -> None:
    message = _refusal("4\n5")
    assert "\\n" in message
    assert "\x00" not in _refusal("\x00")
    _refusal("4\u2028")
    _refusal("\x1c")


# --- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1024, "1024"),
        (-7, "-7"),
        (Fraction(1024), "1024"),
        (3.0, "3"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (Fraction(5, 2), "2.5"),
        (Fraction(1, 3), "0.333333"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.3"),
        (1234.5678, "1234.5678"),
        (1e-7, "1e-07"),
        (1e20, "1e+20"),
        (2**100, str(2**100)),
        (Fraction(10**400 + 1, 2), "5e+399"),
    ],
)
def test_format_number(number: int | float | Fraction, shown: str) -> None:
    assert format_number(number) == shown


# --- properties -------------------------------------------------------------------------------

CAP = 10**120  # answers stay well inside the 200-character limit


@settings(max_examples=500)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_answer_error(text: str) -> None:
    try:
        value = parse_answer(text)
    except AnswerError as error:
        assert str(error).strip()
        assert len(str(error).splitlines()) == 1
    else:
        assert isinstance(value, (Fraction, float))


ANSWER_ALPHABET = "0123456789+-*/^().,eE ×÷−logsqrtn2 x"


@settings(max_examples=1000)
@given(st.text(alphabet=ANSWER_ALPHABET, max_size=80))
def test_answer_like_text_raises_only_answer_error(text: str) -> None:
    try:
        parse_answer(text)
    except AnswerError as error:
        assert len(str(error).splitlines()) == 1


@given(st.integers(min_value=-CAP, max_value=CAP))
def test_any_integer_as_typed_grades_correct(n: int) -> None:
    assert grade(str(n), n).correct
    assert grade(f"{n:,}", n).correct
    assert grade(f"{n:,}".replace(",", " "), n).correct
    assert grade(f"{n} levels", n).correct
    assert grade(str(n), n).shown == str(n)


@given(st.integers(min_value=-CAP, max_value=CAP), st.integers(min_value=-CAP, max_value=CAP))
def test_a_different_integer_grades_wrong(n: int, m: int) -> None:
    if n != m:
        assert not grade(str(n), m).correct


@st.composite
def expressions(draw: st.DrawFn) -> tuple[str, Fraction | None]:
    """A bracketed arithmetic expression of small ints and its exact value (None: divides by 0)."""

    def leaf(n: int) -> tuple[str, Fraction | None]:
        return (str(n) if n >= 0 else f"({n})"), Fraction(n)

    def combine(
        children: st.SearchStrategy[tuple[str, Fraction | None]],
    ) -> st.SearchStrategy[tuple[str, Fraction | None]]:
        def binary(
            a: tuple[str, Fraction | None], op: str, b: tuple[str, Fraction | None]
        ) -> tuple[str, Fraction | None]:
            text = f"({a[0]} {op} {b[0]})"
            x, y = a[1], b[1]
            if x is None or y is None:
                return text, None
            if op == "+":
                return text, x + y
            if op == "-":
                return text, x - y
            if op == "*":
                return text, x * y
            return text, None if y == 0 else x / y

        def power(a: tuple[str, Fraction | None], k: int) -> tuple[str, Fraction | None]:
            return f"({a[0]}^{k})", None if a[1] is None else a[1] ** k

        return st.one_of(
            st.builds(binary, children, st.sampled_from("+-*/"), children),
            st.builds(power, children, st.integers(min_value=0, max_value=3)),
        )

    base = st.integers(min_value=-20, max_value=20).map(leaf)
    return draw(st.recursive(base, combine, max_leaves=8))


@settings(max_examples=300)
@given(expressions())
def test_bracketed_arithmetic_matches_exact_fractions(case: tuple[str, Fraction | None]) -> None:
    text, value = case
    if len(text) > MAX_ANSWER_LENGTH:
        return
    if value is None:
        assert "division by zero" in _refusal(text)
    elif max(value.numerator.bit_length(), value.denominator.bit_length()) < 5_000:
        assert parse_answer(text) == value


def _reference(numbers: list[int], ops: list[str]) -> Fraction | None:
    """Usual precedence for + - * / over a flat chain, in exact fractions (None: divides by 0)."""
    terms: list[Fraction] = [Fraction(numbers[0])]
    signs: list[int] = [1]
    for op, n in zip(ops, numbers[1:], strict=True):
        if op in "+-":
            terms.append(Fraction(n))
            signs.append(1 if op == "+" else -1)
        elif op == "*":
            terms[-1] *= n
        elif n == 0:
            return None
        else:
            terms[-1] /= n
    return sum((s * t for s, t in zip(signs, terms, strict=True)), Fraction(0))


@settings(max_examples=300)
@given(
    st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=12).flatmap(
        lambda ns: st.tuples(
            st.just(ns),
            st.lists(st.sampled_from("+-*/"), min_size=len(ns) - 1, max_size=len(ns) - 1),
        )
    )
)
def test_unbracketed_arithmetic_follows_usual_precedence(case: tuple[list[int], list[str]]) -> None:
    numbers, ops = case
    text = str(numbers[0]) + "".join(f" {op} {n}" for op, n in zip(ops, numbers[1:], strict=True))
    expected = _reference(numbers, ops)
    if expected is None:
        assert "division by zero" in _refusal(text)
    else:
        assert parse_answer(text) == expected
