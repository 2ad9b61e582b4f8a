"""`calc:` expressions in decks: one calculator call, parsed (allow-listed), never evaluated.

An expression is `name(arg=value, ...)` where `name` is a tree-calculator function and each
value is a whole number, `true`/`false`, or a `{param}` placeholder (in practice templates).
Python's `ast` only splits the text; nothing in it is ever executed.
"""

from __future__ import annotations

import ast
import inspect
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


ArgValue = int | bool | Placeholder


@dataclass(frozen=True, slots=True)
class CalcCall:
    """One parsed calculator call."""

    function: str
    arguments: tuple[tuple[str, ArgValue], ...]

    @property
    def placeholders(self) -> set[str]:
        """Names of the `{param}` placeholders the call uses."""
        return {value.name for _, value in self.arguments if isinstance(value, Placeholder)}

    def evaluate(self, params: Mapping[str, int] | None = None) -> int:
        """Call the calculator; placeholders are filled from `params`.

        Raises calc.CalcError for arguments the calculator refuses, and
        CalcExpressionError for a placeholder with no value.
        """
        kwargs: dict[str, int | bool] = {}
        for name, value in self.arguments:
            if isinstance(value, Placeholder):
                if params is None or value.name not in params:
                    raise CalcExpressionError(f"no value for the placeholder {{{value.name}}}")
                kwargs[name] = params[value.name]
            else:
                kwargs[name] = value
        return calc.FUNCTIONS[self.function](**kwargs)

    def __str__(self) -> str:
        def show(value: ArgValue) -> str:
            if isinstance(value, Placeholder):
                return "{" + value.name + "}"
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

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


def _argument(node: ast.expr, name: str) -> ArgValue:
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
        return Placeholder(node.elts[0].id)
    raise CalcExpressionError(
        f"the value of {name}= must be a whole number, true/false or a {{param}} placeholder"
    )


def parse_calc(text: str) -> CalcCall:
    """Parse `name(arg=value, ...)` into a CalcCall, checking the function and its arguments."""
    source = text.strip()
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise CalcExpressionError(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters"
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise CalcExpressionError(
            f"cannot read {source!r}: write one call such as levels_needed(context=16)"
        ) from None
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
        raise CalcExpressionError(
            f"{source!r} is not one calculator call such as levels_needed(context=16)"
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
        arguments.append((keyword.arg, _argument(keyword.value, keyword.arg)))
    missing = required - {name for name, _ in arguments}
    if missing:
        raise CalcExpressionError(
            f"{function} needs {', '.join(sorted(missing))}= (e.g. {function}("
            + ", ".join(f"{name}=…" for name in sorted(required))
            + "))"
        )
    return CalcCall(function, tuple(arguments))
