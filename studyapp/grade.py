"""Reading and grading a learner's typed numeric answer (`4`, `1,024`, `2^10`, `log2(1024) levels`).

Answers are read by a small hand-written tokenizer and recursive-descent parser; nothing is
ever evaluated as Python. Exact rationals (`fractions.Fraction`) are kept wherever possible;
`log`, `ln` and `sqrt` give floats unless the result is exact (`log2(1024)` is exactly 10).

Anything that is not one readable number raises `AnswerError` with a one-line reason for the
learner, and nothing else: the input length, the nesting depth, the size of numbers and the
size of powers are all capped before any work is done.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import NamedTuple, TypeAlias, TypeVar

from studyapp.errors import StudyappError

Value: TypeAlias = Fraction | float
_V = TypeVar("_V", Fraction, float)

MAX_ANSWER_LENGTH = 200
"""Longest answer (after trimming surrounding spaces) that is read at all."""

MAX_BITS = 10_000
"""Largest numerator or denominator kept, in bits (about 3,000 decimal digits)."""

MAX_DEPTH = 50
"""Deepest nesting of brackets and powers."""

MAX_UNIT_WORDS = 2
RELATIVE_EPSILON = Fraction(1, 10**9)

_MAX_DECIMAL_EXPONENT = 5_000
_MAX_ROOT_DEGREE = 64
_QUOTE_LIMIT = 40

_SPACES = " \t\u00a0\u2009\u202f"
"""Blanks between tokens; the last three are the no-break and thin spaces used for thousands."""

_DIGITS = "0123456789"
_OPERATORS = {
    "+": "+",
    "-": "-",
    "\u2212": "-",  # − minus sign
    "*": "*",
    "\u00d7": "*",  # × multiplication sign
    "/": "/",
    "\u00f7": "/",  # ÷ division sign
    "^": "^",
}
_FUNCTIONS = ("log2", "log10", "log", "ln", "sqrt")


class AnswerError(StudyappError):
    """A typed answer that is not one readable number; the message is one line for the learner."""


@dataclass(frozen=True, slots=True)
class Grade:
    """The outcome of grading one answer."""

    correct: bool
    value: Value
    """What we read from the learner's line."""
    expected: int | float
    shown: str
    """`value` formatted for messages, e.g. "1024" or "2.5"."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What was read from a learner's line: the number, how it was written, and any unit."""

    value: Value
    written: str
    """The number or expression as typed, without the unit words (`2^4`, `1,024`)."""
    unit: str | None
    """The unit words typed after it (`levels`, `Levels`), or None."""
    expression: bool
    """True when the learner wrote a calculation (`2^4`, `log2(16)`), not just a number."""

    @property
    def shown(self) -> str:
        """How it was read, for messages: `2^4 = 16` for an expression, else `16`."""
        number = format_number(self.value)
        return f"{self.written} = {number}" if self.expression else number


def read_answer(text: str) -> Reading:
    """Read one numeric answer with its unit; raise AnswerError (and nothing else) if it
    can't be read."""
    answer = text.strip(_SPACES + "\r\n")
    if not answer:
        raise AnswerError("empty answer")
    if len(answer) > MAX_ANSWER_LENGTH:
        raise AnswerError(
            f"that answer is too long: give one number (at most {MAX_ANSWER_LENGTH} characters)"
        )
    try:
        parser = _Parser(answer)
        value = parser.parse()
    except ZeroDivisionError:
        raise AnswerError("division by zero") from None
    except OverflowError:
        raise AnswerError("that number is too large") from None
    except RecursionError:
        raise AnswerError("that answer is nested too deeply") from None
    except (ValueError, ArithmeticError):
        raise AnswerError(f"can't read {_quote(answer)} as a number") from None
    numbers = [t for t in parser.tokens if t.kind == "NUM"]
    operators = [t for t in parser.tokens if t.kind in ("OP", "FUNC", "LP")]
    # A lone sign (`-4`) is a number, not a calculation.
    expression = len(numbers) > 1 or any(t.kind != "OP" or t.text not in "+-" for t in operators)
    written = answer[: parser.number_end].strip(_SPACES)
    return Reading(value, written, parser.unit, expression)


def parse_answer(text: str) -> Value:
    """Read one numeric answer; raise AnswerError (and nothing else) if it can't be read."""
    return read_answer(text).value


def grade(text: str, expected: int | float, tolerance: float = 0.0) -> Grade:
    """Grade a typed answer against `expected`.

    Correct when |value - expected| <= tolerance. Exact (rational) answers are compared exactly
    with an int `expected`; when either side is a float a relative slack of 1e-9 is added so
    rounding in `log`/`sqrt` answers doesn't make them wrong. Empty or blank text raises
    AnswerError("empty answer") (callers treat an empty line as giving up); unreadable text
    raises AnswerError. A non-finite `expected` or a negative `tolerance` is a programming
    error and raises ValueError.
    """
    if isinstance(expected, float) and not math.isfinite(expected):
        raise ValueError(f"expected must be a finite number, not {expected!r}")
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number >= 0, not {tolerance!r}")
    value = parse_answer(text)
    return Grade(
        correct=matches(value, expected, tolerance),
        value=value,
        expected=expected,
        shown=format_number(value),
    )


def matches(value: Value, target: int | float, tolerance: float = 0.0) -> bool:
    """|value - target| <= tolerance, exactly for rationals (see `grade` for the float slack)."""
    if isinstance(target, float) and not math.isfinite(target):
        return False
    got = Fraction(value)
    want = Fraction(target)
    allowed = Fraction(tolerance)
    if isinstance(value, float) or isinstance(target, float):
        allowed += RELATIVE_EPSILON * max(abs(got), abs(want))
    return abs(got - want) <= allowed


# --- units ----------------------------------------------------------------------------------

KNOWN_UNITS = ("levels", "characters", "numbers", "parameters", "positions", "layers", "inputs")
"""Units every library knows (deck-format.md 1.1); each step's own unit is known as well."""


def unit_key(unit: str) -> str:
    """A unit compared without case or number: `Levels`, `level` and `levels` are `level`."""
    words = unit.lower().split()
    if not words:
        return ""
    last = words[-1]
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "shes", "ches", "xes", "ses")) and len(last) > 4:
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is", "as")) and len(last) > 2:
        last = last[:-1]
    return " ".join([*words[:-1], last])


def unit_problem(typed: str | None, unit: str | None, known: Iterable[str] = ()) -> str | None:
    """Why a typed unit word can't be graded against a step asking for `unit`, or None.

    A bare number (`typed` None) is always fine; the step's own unit in any case, singular or
    plural, is fine. Any other word is refused in one line naming the unit the step asks for
    (a known unit of the library, or one we don't know at all, is said so). A step without a
    unit takes any known unit word, and refuses words that are no unit at all.
    """
    if typed is None:
        return None
    if unit and unit_key(typed) == unit_key(unit):
        return None
    known_keys = {unit_key(u) for u in (*KNOWN_UNITS, *known)}
    if not unit:
        if unit_key(typed) in known_keys:
            return None  # the step names no unit: any unit of the library may describe it
        return f'not graded: "{typed}" is not a unit I know; type just the number'
    if unit_key(typed) in known_keys:
        return f'not graded: this step asks for {unit}, not {typed}; answer again'
    return f'not graded: "{typed}" is not a unit I know; this step asks for {unit}'


def format_number(x: int | float | Fraction) -> str:
    """How numbers are shown: whole numbers without decimals ("1024"), others compactly ("2.5")."""
    if isinstance(x, int):
        return str(int(x))
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        try:
            return _format_float(float(x))
        except OverflowError:
            with localcontext() as context:
                context.prec = 7
                return f"{(Decimal(x.numerator) / Decimal(x.denominator)).normalize():.6g}"
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return _format_float(x)


def _format_float(x: float) -> str:
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e15:
        shown = f"{x:.6f}".rstrip("0").rstrip(".")
        return "0" if shown == "-0" else shown
    return f"{x:.6g}"


def _quote(text: str) -> str:
    """`text` in double quotes, shortened and with invisible characters escaped, for one line."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    shown = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )
    return f'"{shown}"'


# --- tokens ---------------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str
    """NUM, OP (text is + - * / ^), LP, RP, FUNC, WORD or END."""
    text: str
    """As typed (for messages); the operator's ASCII form for OP, the lower-case name for FUNC."""
    value: Fraction = Fraction(0)
    start: int = 0
    """Where the token starts in the answer (to cut the unit words off for messages)."""


def _tokenize(answer: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(answer)
    while i < n:
        ch = answer[i]
        if ch in _SPACES:
            i += 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and answer[i + 1] in _DIGITS):
            i = _read_number(answer, i, tokens)
        elif ch == "*" and answer.startswith("**", i):
            tokens.append(_Token("OP", "^"))
            i += 2
        elif ch in _OPERATORS:
            tokens.append(_Token("OP", _OPERATORS[ch]))
            i += 1
        elif ch == "(":
            tokens.append(_Token("LP", ch))
            i += 1
        elif ch == ")":
            tokens.append(_Token("RP", ch))
            i += 1
        elif ch.isalpha():
            i = _read_word(answer, i, tokens)
        elif ch == ",":
            if i + 1 < n and answer[i + 1] in _DIGITS:
                raise _misplaced_comma(answer)
            if any(c in _DIGITS for c in answer[i:]):
                raise _more_than_one(answer)
            raise _unreadable(answer)
        elif ch == "=":
            raise AnswerError(f'{_quote(answer)}: type just the answer, without "="')
        else:
            raise _unreadable(answer)
    tokens.append(_Token("END", "", start=n))
    return tokens


def _digits_end(answer: str, i: int) -> int:
    while i < len(answer) and answer[i] in _DIGITS:
        i += 1
    return i


def _read_number(answer: str, i: int, tokens: list[_Token]) -> int:
    """Read `1024`, `1,024`, `1 024`, `3.0`, `.5`, `1e3` from `i`; append it, return the end."""
    n = len(answer)
    end = _digits_end(answer, i)
    lead = answer[i:end]
    digits = lead
    groupable = 1 <= len(lead) <= 3 and not lead.startswith("0")
    if end + 1 < n and answer[end] == "," and answer[end + 1] in _DIGITS:
        if not groupable:
            raise _misplaced_comma(answer)
        while end + 1 < n and answer[end] == "," and answer[end + 1] in _DIGITS:
            group_end = _digits_end(answer, end + 1)
            if group_end - (end + 1) != 3:
                raise _misplaced_comma(answer)
            digits += answer[end + 1 : group_end]
            end = group_end
    elif groupable:
        # A space groups thousands only before exactly three digits: `1 024`, not `4 6`.
        while (
            end + 3 < n
            and answer[end] in _SPACES
            and answer[end] != "\t"
            and all(c in _DIGITS for c in answer[end + 1 : end + 4])
            and (end + 4 == n or answer[end + 4] not in _DIGITS)
        ):
            digits += answer[end + 1 : end + 4]
            end += 4
    fraction = ""
    if end < n and answer[end] == ".":
        fraction_end = _digits_end(answer, end + 1)
        fraction = answer[end + 1 : fraction_end]
        end = fraction_end
    exponent = 0
    if end < n and answer[end] in "eE":
        j = end + 1
        sign = 1
        if j < n and answer[j] in "+-\u2212":
            sign = -1 if answer[j] != "+" else 1
            j += 1
        if j < n and answer[j] in _DIGITS:
            exponent_end = _digits_end(answer, j)
            exponent = sign * int(answer[j:exponent_end])
            end = exponent_end
            if exponent > _MAX_DECIMAL_EXPONENT:
                raise AnswerError("that number is too large")
            if exponent < -_MAX_DECIMAL_EXPONENT:
                raise AnswerError("that number is too small")
    if end < n and (answer[end] == "." or answer[end] in _DIGITS):
        raise _unreadable(answer)
    value = Fraction(int(digits + fraction or "0"), 10 ** len(fraction))
    value *= Fraction(10) ** exponent
    tokens.append(_Token("NUM", answer[i:end], _checked(value)))
    return end


def _read_word(answer: str, i: int, tokens: list[_Token]) -> int:
    """Read a word of letters (or a function name such as `log2`); append it, return the end."""
    n = len(answer)
    end = i
    while end < n and answer[end].isalpha():
        end += 1
    word = answer[i:end]
    name = word.lower()
    if name == "log" and end < n and answer[end] in _DIGITS:
        digits_end = _digits_end(answer, end)
        if answer[end:digits_end] in ("2", "10"):
            name += answer[end:digits_end]
            word = answer[i:digits_end]
            end = digits_end
    if name in _FUNCTIONS:
        j = end
        while j < n and answer[j] in _SPACES:
            j += 1
        if j >= n or answer[j] != "(":
            raise AnswerError(f"{_quote(answer)}: {name} needs brackets, like {name}(8)")
        tokens.append(_Token("FUNC", name, start=i))
    else:
        tokens.append(_Token("WORD", word, start=i))
    return end


# --- errors -----------------------------------------------------------------------------------


def _unreadable(answer: str) -> AnswerError:
    return AnswerError(f"can't read {_quote(answer)} as a number")


def _more_than_one(answer: str) -> AnswerError:
    return AnswerError(f"{_quote(answer)} is more than one answer: give one number")


def _misplaced_comma(answer: str) -> AnswerError:
    return AnswerError(
        f"{_quote(answer)} has a misplaced comma: "
        "write thousands as 1,024 and decimals with a point (2.5)"
    )


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes.

    answer := sum [WORD [WORD]] END
    sum    := product (("+" | "-") product)*
    product:= signed (("*" | "/") signed)*
    signed := ("+" | "-")* power
    power  := atom ["^" signed]           (right-associative; -2^2 is -4)
    atom   := NUM | "(" sum ")" | FUNC "(" sum ")"
    """

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.tokens = _tokenize(answer)
        self.pos = 0
        self.depth = 0
        self.unit: str | None = None
        """The unit words after the number, as typed (None when there are none)."""
        self.number_end = len(answer)
        """Where the number (or expression) ends and the unit words begin."""

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        self.pos += 1
        return token

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerError("that answer is nested too deeply: use fewer brackets or powers")
        try:
            yield
        finally:
            self.depth -= 1

    def parse(self) -> Value:
        if self.peek().kind == "WORD":
            self.refuse_word(0)
        value = self.sum()
        token = self.peek()
        if token.kind == "WORD":
            count = 0
            while self.peek(count).kind == "WORD":
                self.refuse_word(count)
                count += 1
            if self.peek(count).kind != "END" or count > MAX_UNIT_WORDS:
                if any(t.kind == "NUM" for t in self.tokens[self.pos + count :]):
                    raise _more_than_one(self.answer)
                raise AnswerError(
                    f"can't read {_quote(self.answer)} as a number: "
                    f"give one number, then at most {MAX_UNIT_WORDS} unit words"
                )
            self.unit = " ".join(t.text for t in self.tokens[self.pos : self.pos + count])
            self.number_end = token.start
            return value
        if token.kind == "NUM":
            raise AnswerError(
                f"{_quote(self.answer)} has two numbers: give one (use 1,024 or 1024 for thousands)"
            )
        if token.kind == "RP":
            raise AnswerError(f'{_quote(self.answer)} has an extra "{token.text}"')
        if token.kind in ("LP", "FUNC"):
            raise AnswerError(
                f"{_quote(self.answer)} is missing an operator (+ - * /) between two parts"
            )
        return value

    def refuse_word(self, offset: int) -> None:
        """Explain a word where it can't be: first, before brackets, or used as `x` for times."""
        word = self.peek(offset)
        after = self.peek(offset + 1)
        if word.text in ("x", "X") and after.kind in ("NUM", "LP", "FUNC") and self.pos > 0:
            raise AnswerError(f"{_quote(self.answer)}: use * or × to multiply, not x")
        if after.kind == "LP":
            raise AnswerError(
                f'"{word.text}" is not something I can work out (use log2, log, ln or sqrt)'
            )
        if self.pos + offset == 0:
            if any(t.kind in ("NUM", "FUNC") for t in self.tokens):
                raise AnswerError(
                    f"{_quote(self.answer)}: give the number first, then any unit (like 6 levels)"
                )
            raise _unreadable(self.answer)

    def sum(self) -> Value:
        value = self.product()
        while self.peek().kind == "OP" and self.peek().text in "+-":
            add = self.advance().text == "+"
            rhs = self.product()
            value = _arith(operator.add if add else operator.sub, value, rhs)
        return value

    def product(self) -> Value:
        value = self.signed()
        while self.peek().kind == "OP" and self.peek().text in "*/":
            divide = self.advance().text == "/"
            rhs = self.signed()
            if divide and rhs == 0:
                raise AnswerError("division by zero")
            value = _arith(operator.truediv if divide else operator.mul, value, rhs)
        return value

    def signed(self) -> Value:
        negative = False
        while self.peek().kind == "OP" and self.peek().text in "+-":
            if self.advance().text == "-":
                negative = not negative
        value = self.power()
        return -value if negative else value

    def power(self) -> Value:
        base = self.atom()
        if self.peek().kind == "OP" and self.peek().text == "^":
            self.advance()
            with self.nested():
                exponent = self.signed()
            return _power(base, exponent)
        return base

    def atom(self) -> Value:
        token = self.advance()
        if token.kind == "NUM":
            return token.value
        if token.kind == "LP":
            with self.nested():
                return self.bracketed()
        if token.kind == "FUNC":
            self.advance()  # the tokenizer checked that a "(" follows
            with self.nested():
                value = self.bracketed()
            return _apply(token.text, value)
        previous = self.tokens[self.pos - 2] if self.pos >= 2 else None
        if token.kind == "END":
            after = previous.text if previous is not None else ""
            raise AnswerError(
                f'{_quote(self.answer)} is unfinished: a number is missing after "{after}"'
            )
        if token.kind == "RP" and previous is not None and previous.kind == "LP":
            raise AnswerError(f"{_quote(self.answer)} has empty brackets")
        if token.kind in ("OP", "RP"):
            raise AnswerError(f'{_quote(self.answer)}: a number is missing before "{token.text}"')
        self.pos -= 1
        self.refuse_word(0)
        raise _unreadable(self.answer)

    def bracketed(self) -> Value:
        if self.peek().kind == "RP":
            raise AnswerError(f"{_quote(self.answer)} has empty brackets")
        value = self.sum()
        closing = self.peek()
        if closing.kind != "RP":
            if closing.kind == "END":
                raise AnswerError(f'{_quote(self.answer)} is missing a closing ")"')
            return self.refuse_inside(closing)
        self.advance()
        return value

    def refuse_inside(self, token: _Token) -> Value:
        if token.kind == "NUM":
            raise AnswerError(
                f"{_quote(self.answer)} has two numbers in a row: "
                "put an operator (+ - * /) between them"
            )
        if token.kind == "WORD":
            self.refuse_word(0)
            raise _unreadable(self.answer)
        raise AnswerError(
            f"{_quote(self.answer)} is missing an operator (+ - * /) between two parts"
        )


# --- arithmetic -------------------------------------------------------------------------------


def _checked(value: _V) -> _V:
    """Refuse results too large (or too finely divided) to keep working with."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AnswerError("that number is too large")
        return value
    if value.numerator.bit_length() > MAX_BITS:
        raise AnswerError("that number is too large")
    if value.denominator.bit_length() > MAX_BITS:
        if abs(value.numerator) < value.denominator:
            raise AnswerError("that number is too small")
        raise AnswerError("that number has too many digits")
    return value


def _arith(operation: Callable[[Value, Value], Value], a: Value, b: Value) -> Value:
    try:
        result = operation(a, b)
    except OverflowError:
        raise AnswerError("that number is too large") from None
    if isinstance(result, float):
        return _checked(result)
    return _checked(result)


def _too_big_power(base: Fraction, exponent: int) -> AnswerError:
    grows = (abs(base) > 1) == (exponent > 0)
    return AnswerError("that number is too large" if grows else "that number is too small")


def _integer_power(base: Fraction, exponent: int) -> Fraction:
    if base == 0:
        if exponent < 0:
            raise AnswerError("division by zero")
        return Fraction(1 if exponent == 0 else 0)
    if base == 1:
        return base
    if base == -1:
        return Fraction(-1 if exponent % 2 else 1)
    bits = max(base.numerator.bit_length(), base.denominator.bit_length())
    # |base| != 0, 1, so bits >= 2 and the result has at least |exponent| * (bits - 1) bits.
    if abs(exponent) * (bits - 1) > MAX_BITS:
        raise _too_big_power(base, exponent)
    return _checked(base**exponent)


def _integer_root(n: int, k: int) -> int | None:
    """The exact k-th root of n >= 0, or None if it isn't a whole number."""
    if n < 2:
        return n
    x = 1 << -(-n.bit_length() // k)  # at least the root
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    return x if x**k == n else None


def _exact_root(base: Fraction, degree: int) -> Fraction | None:
    if base < 0 and degree % 2 == 0:
        return None
    top = _integer_root(abs(base.numerator), degree)
    bottom = _integer_root(base.denominator, degree)
    if top is None or bottom is None:
        return None
    root = Fraction(top, bottom)
    return -root if base < 0 else root


def _power(base: Value, exponent: Value) -> Value:
    if isinstance(base, Fraction) and isinstance(exponent, Fraction):
        if exponent.denominator == 1:
            return _integer_power(base, exponent.numerator)
        if exponent.denominator <= _MAX_ROOT_DEGREE:
            root = _exact_root(base, exponent.denominator)
            if root is not None:
                return _integer_power(root, exponent.numerator)
    whole = exponent.denominator == 1 if isinstance(exponent, Fraction) else exponent.is_integer()
    if base < 0 and not whole:
        raise AnswerError("a negative number to a fractional power has no real value")
    if base == 0 and exponent < 0:
        raise AnswerError("division by zero")
    try:
        power_of = float(exponent)
    except OverflowError:
        power_of = math.inf if exponent > 0 else -math.inf
    try:
        return _checked(math.pow(float(base), power_of))
    except OverflowError:
        if isinstance(base, float):
            raise AnswerError("that number is too large") from None
    # The exact base is too large for a float: work in logarithms.
    log_size = math.log(abs(base.numerator)) - math.log(base.denominator)
    try:
        size = math.exp(power_of * log_size)
    except OverflowError:
        raise AnswerError("that number is too large") from None
    return _checked(-size if base < 0 and power_of % 2 == 1 else size)


def _log(value: Value, name: str, log: Callable[[float], float], exact_base: int) -> Value:
    if value <= 0:
        raise AnswerError(f"{name} needs a positive number")
    if isinstance(value, float):
        return _checked(log(value))
    if value == 1:
        return Fraction(0)
    if exact_base and value.denominator == 1:
        k = _integer_log(value.numerator, exact_base)
        if k is not None:
            return Fraction(k)
    if exact_base and value.numerator == 1:
        k = _integer_log(value.denominator, exact_base)
        if k is not None:
            return Fraction(-k)
    return _checked(log(value.numerator) - log(value.denominator))


def _integer_log(n: int, base: int) -> int | None:
    """k with base**k == n, or None."""
    k = 0
    while n % base == 0:
        n //= base
        k += 1
    return k if n == 1 else None


def _sqrt(value: Value) -> Value:
    if value < 0:
        raise AnswerError("sqrt needs a number that isn't negative")
    if isinstance(value, float):
        return _checked(math.sqrt(value))
    root = _exact_root(value, 2)
    if root is not None:
        return root
    try:
        return _checked(math.sqrt(float(value)))
    except OverflowError:
        half_log = (math.log(value.numerator) - math.log(value.denominator)) / 2
        try:
            return _checked(math.exp(half_log))
        except OverflowError:
            raise AnswerError("that number is too large") from None


def _apply(name: str, value: Value) -> Value:
    if name == "sqrt":
        return _sqrt(value)
    if name == "log2":
        return _log(value, name, math.log2, 2)
    if name == "log10":
        return _log(value, name, math.log10, 10)
    return _log(value, name, math.log, 0)
