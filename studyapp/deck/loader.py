"""Loading decks, exercises and whole libraries, with every mistake mapped to FILE:LINE:COLUMN."""

from __future__ import annotations

import difflib
import itertools
import math
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from studyapp import calc
from studyapp.deck.calcexpr import STEP_REFERENCE, CalcCall, CalcExpressionError, parse_calc
from studyapp.deck.cloze import ClozeError, parse_cloze
from studyapp.deck.models import PLACEHOLDER, Deck, Exercise
from studyapp.deck.problems import Problem, Severity
from studyapp.deck.yamlread import (
    MAX_FILE_BYTES,
    Mark,
    YamlDocument,
    YamlProblem,
    read_bytes_limited,
    read_yaml_file,
)
from studyapp.errors import DataError

ModelT = TypeVar("ModelT", bound=BaseModel)
FileKind = Literal["deck", "exercise"]

MAX_ERRORS_PER_FILE = 50
MAX_PRACTICE_COMBINATIONS = 10_000
"""Practice templates are checked for every parameter combination up to this many."""
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class FileReport:
    """The outcome of loading one file: the model (when valid) and every problem found."""

    path: Path
    kind: FileKind
    model: Deck | Exercise | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file loaded without errors (warnings allowed)."""
        return self.model is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def summary(self) -> str:
        """A few words on what the file holds, for `check`."""
        model = self.model
        if isinstance(model, Deck):
            parts = [
                _count(len(model.questions), "question"),
                _count(len(model.cards), "card"),
                _count(len(model.exercises), "exercise"),
            ]
            return ", ".join(parts)
        if isinstance(model, Exercise):
            steps = _count(len(model.steps), "step")
            return f"{steps}, {_count(len(model.practice), 'practice template')}"
        return ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


class _Collector:
    """Gathers the problems of one file against its marks."""

    def __init__(self, path: Path, document: YamlDocument | None) -> None:
        self.path = path
        self.document = document
        self.problems: list[Problem] = []

    def at(self, path: tuple[Any, ...], message: str, *, key: bool = False,
           severity: Severity = "error") -> None:
        mark = self.document.mark_of(path, key=key) if self.document else Mark(1, 1)
        self.add(mark, message, severity)

    def add(self, mark: Mark, message: str, severity: Severity = "error") -> None:
        if len(self.problems) < MAX_ERRORS_PER_FILE:
            self.problems.append(Problem(self.path, mark.line, mark.column, message, severity))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# -- pydantic errors in plain words -------------------------------------------------------


#: The most characters of a value or key from the file quoted in a message: a file that is
#: not a deck (or is hostile) must not be echoed back line by line.
SHOWN_CHARACTERS = 40


def _short(value: Any) -> str:
    """`value` as a message shows it: repr, cut to SHOWN_CHARACTERS with "..."."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a {len(str(value)):,}-digit number"  # under MAX_INT_DIGITS: printable
    shown = repr(value)
    return shown if len(shown) <= SHOWN_CHARACTERS else shown[: SHOWN_CHARACTERS - 3] + "..."


def _number(value: int | float) -> str:
    """A number from a deck or the calculator in a message: whole numbers of many digits by
    their first digits and length (calc.shown_number), floats as written."""
    if isinstance(value, int) and not isinstance(value, bool):
        return calc.shown_number(value)
    return str(value)


def _assignment(values: dict[str, Any]) -> str:
    """Params in a message: ``context=16, embedding=2``, each number shortened."""
    return ", ".join(f"{name}={_number(value)}" for name, value in values.items())


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({_short(value)})"
    if isinstance(value, str):
        return f"text ({_short(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated/list annotations."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the mapping at `loc` (for listing its allowed keys)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            candidates = _unwrap(current.model_fields[part].annotation)
            current = next((c for c in candidates if c is not type(None)), None)
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = typing.get_args(current)[0]
            candidates = _unwrap(current)
            current = candidates[0] if candidates else None
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}


def _plain_reason(error: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, bool]:
    """A plain sentence for one pydantic error, and whether it points at a key."""
    kind = error["type"]
    names = [part for part in loc if isinstance(part, str)]
    name = _short(names[-1]) if names else "the file"
    value = error.get("input")
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = list(owner.model_fields) if owner else []
        hint = ""
        close = difflib.get_close_matches(str(names[-1] if names else ''), allowed, n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
        listing = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {name}{hint}{listing}", True
    if kind == "missing":
        return f"missing required key {name}", False
    if kind in _TYPE_WORDS:
        what = "the file" if not names else name
        if kind == "int_type" and isinstance(value, float):
            return f"{what} must be a whole number, got {_short(value)}", False
        return f"{what} must be {_TYPE_WORDS[kind]}, got {_describe(value)}", False
    if kind == "string_pattern_mismatch":
        if names and names[-1] in ("id", "exercises", "fact"):
            what = "fact" if names[-1] == "fact" else "id"
            return (
                f"{_short(value)} is not a valid {what}: use lowercase letters, digits and "
                "hyphens, starting with a letter or digit (like wavenet-depth)",
                False,
            )
        return f"{name} has an invalid format: {_short(value)}", False
    if kind == "string_too_short":
        return f"{name} must not be empty", False
    if kind == "too_short":
        return f"{name} needs at least one item", False
    if kind in ("too_long", "string_too_long"):
        return f"{name} is too long ({error['msg']})", False
    if kind == "greater_than_equal":
        return f"{name} must be ≥ {error['ctx']['ge']}, got {_short(value)}", False
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return message, False
    return f"{name}: {error['msg']}", False


def _real_loc(data: Any, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Split a pydantic location into the part that walks the data and the rest.

    Pydantic appends union member names (`int`, `float`) to locations; those are not keys.
    """
    node = data
    for index, part in enumerate(loc):
        in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            return loc[:index], loc[index:]
        node = node[part]
    return loc, ()


def _validate(
    model: type[ModelT], document: YamlDocument, collector: _Collector, what: str
) -> ModelT | None:
    data = document.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else _describe(data)
        collector.add(document.root, f"{what} must be a mapping of keys, got {got}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = error.errors(include_url=False)
    found: list[tuple[Mark, str]] = []
    seen: set[tuple[int, int]] = set()
    extras: dict[tuple[Any, ...], list[str]] = {}
    for detail in details:
        if detail["type"] == "extra_forbidden":
            loc = tuple(detail["loc"])
            extras.setdefault(loc[:-1], []).append(str(loc[-1]))
    for detail in details:
        kind = detail["type"]
        real, rest = _real_loc(data, tuple(detail["loc"]))
        if kind in ("missing", "extra_forbidden") and rest:
            real, rest = (*real, rest[0]), rest[1:]
        if kind == "missing":
            typos = extras.get(real[:-1], [])
            if difflib.get_close_matches(str(real[-1]), typos, n=1):
                continue  # "unknown key 'backk' (did you mean 'back'?)" says it already
        if rest and set(rest) <= {"int", "float"} and kind in ("int_type", "float_type"):
            kind = "float_type"  # `int | float`: the learner needs "a number"
        message, key = _plain_reason({**detail, "type": kind}, model, real)
        mark = document.mark_of(real, key=key)
        if kind == "value_error":
            mark = _card_shape_mark(document, real, collector.path) or mark
        # Union members repeat one mistake under several type names: say it once.
        if (mark.line, mark.column) in seen and kind != "extra_forbidden":
            continue
        seen.add((mark.line, mark.column))
        found.append((mark, message))
    for mark, message in sorted(found, key=lambda item: (item[0].line, item[0].column)):
        collector.add(mark, message)
    return None


def _card_shape_mark(document: YamlDocument, loc: tuple[Any, ...], path: Path) -> Mark | None:
    """Where a card's shape mistake is: the `cloze` key beside front/back, the `reversed`
    of a cloze, or the place in the cloze text where its syntax goes wrong."""
    node = document.data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    if len(loc) != 2 or loc[0] != "cards" or not isinstance(node, dict):
        return None
    cloze = node.get("cloze")
    if cloze is None:
        return None
    if "front" in node or "back" in node:
        return document.mark_of((*loc, "cloze"), key=True)
    if node.get("reversed"):
        return document.mark_of((*loc, "reversed"), key=True)
    value_mark = document.mark_of((*loc, "cloze"))
    if not isinstance(cloze, str):
        return value_mark
    try:
        parse_cloze(cloze)
    except ClozeError as error:
        return _text_position(path, value_mark, cloze, error.offset) or value_mark
    return value_mark


def _text_position(path: Path, start: Mark, text: str, offset: int) -> Mark | None:
    """The file position of `text[offset]`, for a scalar whose value begins at `start`.

    The scalar may be quoted, folded or a block, so the fragment starting at `offset` (up
    to the end of its line) is looked for in the source from `start` on; when escapes or
    folding hide it, None (the caller points at the scalar instead).
    """
    fragment = text[offset:].split("\n", 1)[0][:20]
    if not fragment:
        return None
    try:
        lines = read_bytes_limited(path).decode("utf-8").split("\n")
    except (YamlProblem, UnicodeDecodeError):
        return None
    line_index, column = start.line - 1, start.column - 1
    for index in range(line_index, len(lines)):
        found = lines[index].find(fragment, column if index == line_index else 0)
        if found >= 0:
            return Mark(index + 1, found + 1)
    return None


# -- semantic checks ---------------------------------------------------------------------


def _item_mark(collector: _Collector, path: tuple[Any, ...], has_id: bool, text_key: str) -> Mark:
    document = collector.document
    assert document is not None
    return document.mark_of((*path, "id") if has_id else (*path, text_key))


def _check_deck(deck: Deck, collector: _Collector) -> None:
    seen: dict[str, int] = {}
    items: Iterable[tuple[str, int, Any, str]] = itertools.chain(
        (("questions", i, q, "prompt") for i, q in enumerate(deck.questions)),
        (("cards", i, c, "cloze" if c.is_cloze else "front") for i, c in enumerate(deck.cards)),
    )
    for section, index, item, text_key in items:
        path = (section, index)
        mark = _item_mark(collector, path, item.id is not None, text_key)
        noun = "question" if section == "questions" else "card"
        key = item.key
        if key in seen:
            if item.id is not None:
                collector.add(mark, f"duplicate id {key!r} (first used at line {seen[key]})")
            else:
                collector.add(
                    mark,
                    f"this {noun} has the same {text_key} as the item at line {seen[key]} and "
                    "neither has an id: give each an id",
                )
            continue
        seen[key] = mark.line
        if item.id is None:
            collector.add(
                collector.document.mark_of(path) if collector.document else mark,
                f"{noun} without an id: its review history follows its {text_key} text "
                f"(derived id {key}); add an `id:` so editing the text keeps the history",
                "warning",
            )
    _check_blank_texts(deck, collector)
    refs: set[str] = set()
    for index, ref in enumerate(deck.exercises):
        if ref in refs:
            collector.at(("exercises", index), f"the exercise {ref!r} is listed twice")
        refs.add(ref)


#: Characters that take no room on screen or paper: a text of only these shows nothing.
_INVISIBLE = frozenset("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c"
                       "\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061"
                       "\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0")


def blank_reason(text: str) -> str | None:
    """Why `text` would show as nothing (only spaces or zero-width characters, or a lone
    Markdown bullet), or None when it shows something."""
    visible = "".join(c for c in text if c not in _INVISIBLE and not c.isspace())
    if not visible:
        if text.strip():
            return "holds only zero-width or invisible characters: it shows nothing"
        return "holds only spaces: it shows nothing"
    if visible in ("-", "*", "+") and text.strip() == visible:
        return f"is a lone {visible!r}, which prints as an empty list item"
    return None


def _check_blank_texts(deck: Deck, collector: _Collector) -> None:
    """Warn about texts that pass the schema (not empty) yet show nothing to the learner."""
    for index, question in enumerate(deck.questions):
        for key in ("prompt", "answer"):
            reason = blank_reason(getattr(question, key))
            if reason is not None:
                collector.at(("questions", index, key), f"{key!r} {reason}", severity="warning")
    for index, card in enumerate(deck.cards):
        for key in ("front", "back", "cloze"):
            value = getattr(card, key)
            reason = None if value is None else blank_reason(value)
            if reason is not None:
                collector.at(("cards", index, key), f"{key!r} {reason}", severity="warning")


def _check_calc(collector: _Collector, path: tuple[Any, ...], text: str) -> CalcCall | None:
    try:
        return parse_calc(text)
    except CalcExpressionError as error:
        collector.at((*path, "calc"), f"calc: {error}")
        return None


def _check_exercise(exercise: Exercise, stem: str, collector: _Collector) -> None:
    if exercise.id != stem:
        collector.at(
            ("id",),
            f"the exercise id {exercise.id!r} must equal the file name ({stem!r}), "
            "because decks find exercises by file name",
        )
    params = exercise.params or {}
    written = {name: values[0] for name, values in params.items()}
    _check_exercise_placeholders(exercise, collector)
    seen: dict[str, int] = {}
    right: dict[str, int] = {}
    """Each earlier step's right value, for `{step:ID}` (computed along the chain)."""
    later = {step.key for step in exercise.steps}
    for index, step in enumerate(exercise.steps):
        path = ("steps", index)
        mark = _item_mark(collector, path, step.id is not None, "prompt")
        key = step.key
        later.discard(key)
        if key in seen:
            collector.add(mark, f"duplicate step id {key!r} (first used at line {seen[key]})")
        else:
            seen[key] = mark.line
        if step.id is None:
            collector.add(
                mark,
                f"step without an id: its history follows its prompt text (derived id {key})",
                "warning",
            )
        value = _check_step_calc(exercise, index, written, right, later, collector)
        if value is None and step.calc is None and isinstance(step.answer, int):
            value = step.answer
            if params and PLACEHOLDER.search(step.prompt):
                collector.at(
                    (*path, "prompt"),
                    f"step {key!r} uses params but has no calc: give it a calc so a "
                    "fresh version can work out its answer",
                )
        if value is not None:
            right[key] = value
            _check_mistakes(exercise, index, value, written, right, collector)
    _check_variants(exercise, collector)
    _check_practice(exercise, collector)


def _check_exercise_placeholders(exercise: Exercise, collector: _Collector) -> None:
    """Every `{name}` in an exercise with params names one of them (text and calc)."""
    params = set(exercise.params or {})
    if not params:
        return
    texts: list[tuple[tuple[Any, ...], str | None]] = [
        (("title",), exercise.title), (("setup",), exercise.setup),
        (("outcome",), exercise.outcome),
    ]
    for index, step in enumerate(exercise.steps):
        for text_key in ("prompt", "hint", "explain", "unit"):
            texts.append((("steps", index, text_key), getattr(step, text_key)))
        for number, mistake in enumerate(step.mistakes):
            texts.append((("steps", index, "mistakes", number, "says"), mistake.says))
    for path, text in texts:
        for name in PLACEHOLDER.findall(text or ""):
            if name not in params:
                collector.at(
                    path,
                    f"the placeholder {{{name}}} has no matching param "
                    f"(params: {', '.join(sorted(params))})",
                )


def _check_references(
    call: CalcCall, known: dict[str, int], later: set[str], collector: _Collector,
    path: tuple[Any, ...], own: str,
) -> bool:
    """Refuse `{step:ID}` naming this step, a later step or no step; True when all are fine."""
    fine = True
    for ref in call.references:
        if ref in known:
            continue
        fine = False
        if ref in later:
            reason = f"{{step:{ref}}} refers to a later step: only earlier steps have a value"
        elif ref == own:
            reason = f"{{step:{ref}}} refers to this step itself"
        else:
            reason = (
                f"{{step:{ref}}} names no earlier step of this exercise "
                f"(earlier steps: {', '.join(known) or 'none'})"
            )
        collector.add(_reference_mark(collector, path, ref), f"calc: {reason}")
    return fine


def _reference_mark(collector: _Collector, path: tuple[Any, ...], ref: str) -> Mark:
    """Where `{step:ref}` is written in the calc at `path` (the calc's start if not found)."""
    mark = collector.document.mark_of(path) if collector.document else Mark(1, 1)
    try:
        raw = read_bytes_limited(collector.path)
        lines = raw.decode("utf-8", errors="replace").splitlines()
    except YamlProblem:
        return mark
    for number in range(mark.line, min(mark.line + 5, len(lines)) + 1):
        text = lines[number - 1]
        start = mark.column - 1 if number == mark.line else 0
        for match in STEP_REFERENCE.finditer(text, start):
            if match.group(1) == ref:
                return Mark(number, match.start() + 1)
    return mark


def _check_step_calc(
    exercise: Exercise,
    index: int,
    written: dict[str, int],
    right: dict[str, int],
    later: set[str],
    collector: _Collector,
) -> int | None:
    """Check one step's calc (placeholders, references, agreement); its right value or None."""
    step = exercise.steps[index]
    path = ("steps", index)
    if step.calc is None:
        return None
    call = _check_calc(collector, path, step.calc)
    if call is None:
        return None
    if not _check_references(call, right, later, collector, (*path, "calc"), step.key):
        return None
    unknown = call.placeholders - set(written)
    if unknown:
        if not written:
            collector.at(
                (*path, "calc"),
                "calc: {placeholders} need params: declare them under the exercise's params "
                "(or use them in practice templates)",
            )
        else:
            collector.at(
                (*path, "calc"),
                f"calc: the placeholder {{{sorted(unknown)[0]}}} has no matching param",
            )
        return None
    try:
        value = call.evaluate(written, right)
    except calc.CalcError as error:
        collector.at((*path, "calc"), f"calc: {call}: {error}")
        return None
    tolerance = step.tolerance or 0.0
    if not _within(value, step.answer, tolerance):
        shown = call if not (call.references or call.placeholders) else (
            f"{call} with "
            + ", ".join(
                [f"{{step:{ref}}}={_number(right[ref])}" for ref in call.references]
                + [f"{name}={_number(written[name])}" for name in sorted(call.placeholders)]
            )
        )
        collector.at(
            (*path, "answer"),
            f"step {step.key!r}: the answer {_number(step.answer)} disagrees with the "
            f"calculator: {shown} = {_number(value)}",
        )
    return value


def _within(a: int | float, b: int | float, tolerance: float) -> bool:
    """|a - b| <= tolerance, exactly: calc results are whole numbers of any size, and
    int - float overflows past 1e308 (a non-finite float is never within)."""
    if any(isinstance(x, float) and not math.isfinite(x) for x in (a, b, tolerance)):
        return False
    return abs(Fraction(a) - Fraction(b)) <= Fraction(tolerance)


def _check_mistakes(
    exercise: Exercise,
    index: int,
    value: int,
    written: dict[str, int],
    right: dict[str, int],
    collector: _Collector,
) -> None:
    """A mistake must name a value other than the step's right one, and its calc must work."""
    step = exercise.steps[index]
    tolerance = step.tolerance or 0.0
    earlier = {key: number for key, number in right.items() if key != step.key}
    for number, mistake in enumerate(step.mistakes):
        path = ("steps", index, "mistakes", number)
        wrong: int | float | None = mistake.answer
        if mistake.answer is not None and exercise.params:
            collector.at(
                (*path, "answer"),
                "in an exercise with params, give a mistake as calc: so it follows the numbers "
                "of a fresh version",
            )
            continue
        if mistake.calc is not None:
            call = _check_calc(collector, path, mistake.calc)
            if call is None:
                continue
            later = {s.key for s in exercise.steps[index:]}
            if not _check_references(
                call, earlier, later, collector, (*path, "calc"), step.key
            ):
                continue
            unknown = call.placeholders - set(written)
            if unknown:
                collector.at(
                    (*path, "calc"),
                    f"calc: the placeholder {{{sorted(unknown)[0]}}} has no matching param",
                )
                continue
            try:
                wrong = call.evaluate(written, earlier)
            except calc.CalcError as error:
                collector.at((*path, "calc"), f"calc: {call}: {error}")
                continue
        if wrong is not None and _within(wrong, value, tolerance):
            where = "answer" if mistake.answer is not None else "calc"
            collector.at(
                (*path, where),
                f"step {step.key!r}: this mistake ({_number(wrong)}) is the right answer; "
                "a mistake must name a wrong value",
            )


def _check_variants(exercise: Exercise, collector: _Collector) -> None:
    """Every combination of an exercise's params (up to a limit) must be one the calculator
    can work out along the whole chain of steps."""
    params = exercise.params
    if not params:
        return
    names = list(params)
    combinations = itertools.product(*(list(dict.fromkeys(params[n])) for n in names))
    for values in itertools.islice(combinations, MAX_PRACTICE_COMBINATIONS):
        assignment = dict(zip(names, values, strict=True))
        right: dict[str, int] = {}
        for step in exercise.steps:
            if step.calc is None:
                continue
            try:
                call = parse_calc(step.calc)
                right[step.key] = call.evaluate(assignment, right)
            except calc.CalcError as error:
                shown = _assignment(assignment)
                collector.at(
                    ("params",),
                    f"step {step.key!r}: calc fails for {shown}: {error}",
                )
                return
            except CalcExpressionError:
                break  # reported at the step


def _check_practice(exercise: Exercise, collector: _Collector) -> None:
    seen: set[str] = set()
    for index, template in enumerate(exercise.practice):
        path = ("practice", index)
        if template.id in seen:
            collector.at((*path, "id"), f"duplicate practice template id {template.id!r}")
        seen.add(template.id)
        params = set(template.params)
        for text_key in ("prompt", "hint", "explain", "unit"):
            text = getattr(template, text_key)
            for name in PLACEHOLDER.findall(text or ""):
                if name not in params:
                    collector.at(
                        (*path, text_key),
                        f"the placeholder {{{name}}} has no matching param "
                        f"(params: {', '.join(sorted(params)) or 'none'})",
                    )
        call = _check_calc(collector, path, template.calc)
        if call is None:
            continue
        unknown = call.placeholders - params
        if unknown:
            collector.at(
                (*path, "calc"),
                f"calc: the placeholder {{{sorted(unknown)[0]}}} has no matching param",
            )
            continue
        names = sorted(call.placeholders)
        combinations = itertools.product(*(template.params[name] for name in names))
        for values in itertools.islice(combinations, MAX_PRACTICE_COMBINATIONS):
            assignment = dict(zip(names, values, strict=True))
            try:
                call.evaluate(assignment)
            except calc.CalcError as error:
                shown = _assignment(assignment)
                collector.at((*path, "params"), f"calc fails for {shown}: {error}")
                break


# -- files and libraries -----------------------------------------------------------------


def _read(path: Path, collector: _Collector, max_bytes: int) -> YamlDocument | None:
    try:
        document = read_yaml_file(path, max_bytes=max_bytes)
    except YamlProblem as problem:
        collector.add(problem.mark, problem.reason)
        return None
    collector.document = document
    return document


def load_deck_file(
    path: Path, exercise_ids: Iterable[str] | None = None, *, max_bytes: int = MAX_FILE_BYTES
) -> FileReport:
    """Load one deck file; `exercise_ids` (when known) are the exercise files it may name."""
    collector = _Collector(path, None)
    report = FileReport(path, "deck")
    document = _read(path, collector, max_bytes)
    deck = _validate(Deck, document, collector, "a deck") if document else None
    if deck is not None:
        _check_deck(deck, collector)
        if exercise_ids is not None:
            known = set(exercise_ids)
            for index, ref in enumerate(deck.exercises):
                if ref not in known:
                    collector.at(
                        ("exercises", index),
                        f"the exercise {ref!r} has no file exercises/{ref}.yaml in this library",
                    )
    report.problems = collector.problems
    if not collector.failed:
        report.model = deck
    return report


def load_exercise_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> FileReport:
    """Load one exercise file and check its calc expressions and templates."""
    collector = _Collector(path, None)
    report = FileReport(path, "exercise")
    document = _read(path, collector, max_bytes)
    exercise = _validate(Exercise, document, collector, "an exercise") if document else None
    if exercise is not None:
        _check_exercise(exercise, path.stem, collector)
    report.problems = collector.problems
    if not collector.failed:
        report.model = exercise
    return report


def _yaml_files(folder: Path) -> list[Path]:
    """The YAML files of a library folder, symbolic links included (`link_problem` judges
    them); a folder that cannot be listed has none."""
    try:
        if not folder.is_dir():
            return []
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(
        p for p in entries if p.suffix in YAML_SUFFIXES and (p.is_symlink() or p.is_file())
    )


def link_problem(path: Path, root: Path) -> str | None:
    """Why a library file that is a symbolic link is not read, or None to read it.

    The policy: a link is followed only when it ends at a regular file inside the library
    folder. A deck linked to /etc/shadow would otherwise be parsed and its lines quoted in
    error messages; a link loop would fail deep inside the loader.
    """
    if not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
        inside = target.is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError) as error:
        if isinstance(error, FileNotFoundError):
            return "a symbolic link to nothing (its target does not exist): not read"
        return "a symbolic link that cannot be followed (a loop?): not read"
    if not inside:
        return (
            "a symbolic link to a file outside the library: not read "
            "(copy the file into the library instead)"
        )
    if not target.is_file():
        return "a symbolic link to something that is not a file: not read"
    return None


def _refused_link(path: Path, kind: FileKind, reason: str) -> FileReport:
    report = FileReport(path, kind)
    report.problems = [Problem(path, 1, 1, reason, "error")]
    return report


@dataclass(slots=True)
class Library:
    """Every deck and exercise of one library folder, with a report per file."""

    root: Path
    decks: dict[str, Deck] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)
    deck_paths: dict[str, Path] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Every error and warning, file by file."""
        return [p for report in self.reports for p in report.problems]

    @property
    def failed_reports(self) -> list[FileReport]:
        """Files that did not load."""
        return [r for r in self.reports if not r.ok]

    def deck(self, deck_id: str) -> Deck:
        """The deck with this id, or a DataError naming the known ones."""
        try:
            return self.decks[deck_id]
        except KeyError:
            known = ", ".join(sorted(self.decks)) or "none"
            broken = [r.path.name for r in self.failed_reports if r.kind == "deck"]
            extra = f"; files that failed to load: {', '.join(broken)}" if broken else ""
            raise DataError(
                f"unknown deck {deck_id!r} in {self.root} (decks: {known}{extra})"
            ) from None

    def exercises_of(self, deck: Deck) -> list[Exercise]:
        """The deck's exercises that loaded, in the deck's order."""
        return [self.exercises[ref] for ref in deck.exercises if ref in self.exercises]

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id, or a DataError."""
        try:
            return self.exercises[exercise_id]
        except KeyError:
            known = ", ".join(sorted(self.exercises)) or "none"
            raise DataError(f"unknown exercise {exercise_id!r} (exercises: {known})") from None


def load_library(root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Library:
    """Load every deck and exercise under `root`; bad files are reported, the rest still load."""
    if not (root / "decks").is_dir():
        raise DataError(f"{root} is not a library: it has no decks/ folder")
    library = Library(root)
    exercise_files = _yaml_files(root / "exercises")
    for path in exercise_files:
        refused = link_problem(path, root)
        if refused is not None:
            library.reports.append(_refused_link(path, "exercise", refused))
            continue
        report = load_exercise_file(path, max_bytes=max_bytes)
        library.reports.append(report)
        if isinstance(report.model, Exercise) and report.ok:
            library.exercises[report.model.id] = report.model
    stems = {p.stem for p in exercise_files}
    for path in _yaml_files(root / "decks"):
        refused = link_problem(path, root)
        if refused is not None:
            library.reports.append(_refused_link(path, "deck", refused))
            continue
        report = load_deck_file(path, stems, max_bytes=max_bytes)
        library.reports.append(report)
        deck = report.model
        if not isinstance(deck, Deck) or not report.ok:
            continue
        if deck.id in library.decks:
            other = library.deck_paths[deck.id]
            report.problems.append(_id_clash(path, deck.id, other))
            report.model = None
            continue
        library.decks[deck.id] = deck
        library.deck_paths[deck.id] = path
    return library


def _id_clash(path: Path, deck_id: str, other: Path) -> Problem:
    mark = Mark(1, 1)
    try:
        document = read_yaml_file(path)
        mark = document.mark_of(("id",))
    except YamlProblem:
        pass
    return Problem(path, mark.line, mark.column,
                   f"the deck id {deck_id!r} is already used by {other.name}")


def iter_check_targets(paths: Iterable[Path]) -> Iterator[FileReport]:
    """Load each path for `check`: a library folder, a deck file or an exercise file."""
    for path in paths:
        if path.is_dir():
            yield from load_library(path).reports
        elif not path.exists():
            raise DataError(f"{path}: no such file or folder")
        elif path.parent.name == "exercises":
            yield load_exercise_file(path)
        else:
            library_root = path.parent.parent if path.parent.name == "decks" else None
            ids = (
                [p.stem for p in _yaml_files(library_root / "exercises")]
                if library_root is not None
                else None
            )
            yield load_deck_file(path, ids)
