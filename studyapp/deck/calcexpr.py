"""`calc:` expressions in decks: one calculator call, parsed (allow-listed), never evaluated.

An expression is `name(arg=value, ...)` where `name` is a tree-calculator function and each
value is a whole number, `true`/`false`, a `{param}` placeholder (practice templates and
exercises with params) or a `{step:ID}` reference to an earlier step's value (deck-format.md
1.1, error carried forward). Python's `ast` only splits the text; nothing in it is ever
executed.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from studyapp import calc

MAX_EXPRESSION_LENGTH = 500


class CalcExpressionError(ValueError):
    """A `calc:` expression that is not one allowed calculator call."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A `{name}` filled in from a practice template's params."""

    name: str


@dataclass(frozen=True, slots=True)
class StepRef:
    """A `{step:ID}`: the value of the earlier step ID of the same exercise."""

    step_id: str


ArgValue = int | bool | Placeholder | StepRef

STEP_REFERENCE = re.compile(r"\{\s*step\s*:\s*([^{}]*?)\s*\}")
"""`{step:ID}` in a calc expression; the id may hold hyphens, so it is cut out before `ast`."""
_REF_NAME = "__step_ref_"


@dataclass(frozen=True, slots=True)
class CalcCall:
    """One parsed calculator call."""

    function: str
    arguments: tuple[tuple[str, ArgValue], ...]

    @property
    def placeholders(self) -> set[str]:
        """Names of the `{param}` placeholders the call uses."""
        return {value.name for _, value in self.arguments if isinstance(value, Placeholder)}

    @property
    def references(self) -> tuple[str, ...]:
        """The step ids named by `{step:ID}`, in argument order, each once."""
        ids = [value.step_id for _, value in self.arguments if isinstance(value, StepRef)]
        return tuple(dict.fromkeys(ids))

    def evaluate(
        self,
        params: Mapping[str, int] | None = None,
        steps: Mapping[str, int] | None = None,
    ) -> int:
        """Call the calculator; placeholders are filled from `params`, `{step:ID}` from `steps`.

        Raises calc.CalcError for arguments the calculator refuses, and
        CalcExpressionError for a placeholder or step reference with no value.
        """
        return calc.FUNCTIONS[self.function](**self.keywords(params, steps))

    def keywords(
        self,
        params: Mapping[str, int] | None = None,
        steps: Mapping[str, int] | None = None,
    ) -> dict[str, int | bool]:
        """The call's arguments with placeholders and step references filled in."""
        kwargs: dict[str, int | bool] = {}
        for name, value in self.arguments:
            if isinstance(value, Placeholder):
                if params is None or value.name not in params:
                    raise CalcExpressionError(f"no value for the placeholder {{{value.name}}}")
                kwargs[name] = params[value.name]
            elif isinstance(value, StepRef):
                if steps is None or value.step_id not in steps:
                    raise CalcExpressionError(f"no value for {{step:{value.step_id}}}")
                kwargs[name] = steps[value.step_id]
            else:
                kwargs[name] = value
        return kwargs

    def __str__(self) -> str:
        def show(value: ArgValue) -> str:
            if isinstance(value, Placeholder):
                return "{" + value.name + "}"
            if isinstance(value, StepRef):
                return "{step:" + value.step_id + "}"
            if isinstance(value, bool):
                return "true" if value else "false"
            return calc.shown_number(value) if isinstance(value, int) else str(value)

        args = ", ".join(f"{name}={show(value)}" for name, value in self.arguments)
        return f"{self.function}({args})"


@cache
def _parameters(function: str) -> tuple[frozenset[str], frozenset[str]]:
    """All keyword parameters of a calculator function, and the required ones."""
    signature = inspect.signature(calc.FUNCTIONS[function])
    names = frozenset(signature.parameters)
    required = frozenset(
        name for name, p in signature.parameters.items() if p.default is inspect.Parameter.empty
    )
    return names, required


def _argument(node: ast.expr, name: str, refs: Mapping[str, str]) -> ArgValue:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):  # bools are ints too
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    if isinstance(node, ast.Name) and node.id in ("true", "false"):
        return node.id == "true"
    if isinstance(node, ast.Set) and len(node.elts) == 1 and isinstance(node.elts[0], ast.Name):
        placeholder = node.elts[0].id
        if placeholder in refs:
            return StepRef(refs[placeholder])
        return Placeholder(placeholder)
    raise CalcExpressionError(
        f"the value of {name}= must be a whole number, true/false, a {{param}} placeholder "
        "or a {step:ID} reference"
    )


def _cut_references(source: str) -> tuple[str, dict[str, str]]:
    """Replace each `{step:ID}` by a `{name}` ast can read; the names map back to the ids."""
    refs: dict[str, str] = {}

    def named(match: re.Match[str]) -> str:
        step_id = match.group(1)
        if not step_id:
            raise CalcExpressionError("{step:} needs a step id, like {step:levels-16}")
        placeholder = f"{_REF_NAME}{len(refs)}"
        refs[placeholder] = step_id
        return "{" + placeholder + "}"

    return STEP_REFERENCE.sub(named, source), refs


def parse_calc(text: str) -> CalcCall:
    """Parse `name(arg=value, ...)` into a CalcCall, checking the function and its arguments."""
    source = text.strip()
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise CalcExpressionError(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters"
        )
    shown = source
    source, refs = _cut_references(source)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise CalcExpressionError(
            f"cannot read {shown!r}: write one call such as levels_needed(context=16)"
        ) from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise CalcExpressionError(
            f"{shown!r} is not one calculator call such as levels_needed(context=16)"
        )
    function = call.func.id
    if function not in calc.FUNCTIONS:
        known = ", ".join(sorted(calc.FUNCTIONS))
        raise CalcExpressionError(f"unknown calculator function {function!r} (known: {known})")
    if call.args:
        raise CalcExpressionError(
            f"give {function}'s arguments by name, e.g. {function}(context=16)"
        )
    allowed, required = _parameters(function)
    arguments: list[tuple[str, ArgValue]] = []
    for keyword in call.keywords:
        if keyword.arg is None:
            raise CalcExpressionError("**arguments are not allowed in a calc expression")
        if keyword.arg not in allowed:
            raise CalcExpressionError(
                f"{function} has no argument {keyword.arg!r} "
                f"(its arguments: {', '.join(sorted(allowed))})"
            )
        arguments.append((keyword.arg, _argument(keyword.value, keyword.arg, refs)))
    missing = required - {name for name, _ in arguments}
    if missing:
        raise CalcExpressionError(
            f"{function} needs {', '.join(sorted(missing))}= (e.g. {function}("
            + ", ".join(f"{name}=…" for name in sorted(required))
            + "))"
        )
    return CalcCall(function, tuple(arguments))
