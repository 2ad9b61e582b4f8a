"""Likely wrong answers of tree-calculator questions, each with one sentence on what happened.

A deck may list a step's known mistakes itself (`mistakes:` in deck-format.md 1.1); these
detectors add the ones the calculator can foresee for its own functions without any deck
text: the context given instead of the levels, 2^k instead of k, the flat width instead of the
depth, a logarithm rounded down instead of up, one level too many or too few, and their
counterparts for the other questions. Nothing here reads or prints anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from studyapp import calc

Args = Mapping[str, int | bool]


@dataclass(frozen=True, slots=True)
class KnownMistake:
    """A wrong value and what the learner who gives it probably did."""

    value: int | float
    says: str


@dataclass(frozen=True, slots=True)
class Call:
    """One calculator call with its arguments filled in (the step's, or a related step's)."""

    function: str
    args: tuple[tuple[str, int | bool], ...]

    @property
    def kwargs(self) -> dict[str, int | bool]:
        return dict(self.args)

    def value(self) -> int | None:
        """The calculator's value, or None when it refuses these arguments."""
        try:
            return calc.FUNCTIONS[self.function](**self.kwargs)
        except calc.CalcError:
            return None


def _int(args: Args, name: str, default: int) -> int:
    value = args.get(name, default)
    return int(value)


def _power(base: int, exponent: int) -> int | None:
    """base^exponent when it is small enough to mention, else None."""
    if exponent < 0 or exponent * max(base.bit_length(), 1) > 64:
        return None
    result: int = base**exponent
    return result


def _levels_needed(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    context, arity = _int(args, "context", 1), _int(args, "arity", 2)
    k = expected
    found = [
        KnownMistake(
            context,
            f"{context} is the context itself: the question asks how many levels it takes "
            f"to reach {context} characters, not how many characters there are.",
        )
    ]
    span = _power(arity, k)
    if span is not None:
        found.append(KnownMistake(
            span,
            f"{span} is {arity}^{k}, how far {k} levels reach: the answer is the exponent "
            f"{k}, not the power.",
        ))
    for other in related:
        if other.function == "flat_input_width" and _int(other.kwargs, "context", 0) == context:
            width = other.value()
            if width is not None:
                found.append(KnownMistake(
                    width,
                    f"{width} is the flat model's input width for {context} characters; "
                    "the tree's depth is the number of levels, which is far smaller.",
                ))
    below = _power(arity, k - 1) if k >= 1 else None
    exact = span == context
    if below is not None and not exact and k >= 1:
        found.append(KnownMistake(
            k - 1,
            f"That rounds log{arity}({context}) down: {k - 1} levels reach only "
            f"{arity}^{k - 1} = {below} characters, fewer than {context}, so round up.",
        ))
    elif below is not None and k >= 1:
        found.append(KnownMistake(
            k - 1,
            f"One level too few: {k - 1} levels reach only {arity}^{k - 1} = {below} "
            f"characters, short of {context}.",
        ))
    if span is not None:
        found.append(KnownMistake(
            k + 1,
            f"One level too many: {k} levels already reach {arity}^{k} = {span} characters, "
            f"enough for {context}.",
        ))
    return found


def _receptive_field(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    levels, arity = _int(args, "levels", 0), _int(args, "arity", 2)
    found = [
        KnownMistake(
            levels,
            f"{levels} is the number of levels; the question asks how many characters those "
            f"{levels} levels see, {arity}^{levels}.",
        ),
        KnownMistake(
            arity * levels,
            f"{arity * levels} is {arity} × {levels}: each level multiplies the span by "
            f"{arity}, so it is {arity}^{levels}, not {arity} times {levels}.",
        ),
    ]
    for shift, words in ((-1, "one level too few"), (1, "one level too many")):
        other = _power(arity, levels + shift)
        if other is not None and levels + shift >= 0:
            found.append(KnownMistake(
                other,
                f"That is {arity}^{levels + shift}, {words}: {levels} levels see "
                f"{arity}^{levels} characters.",
            ))
    return found


def _flat_input_width(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    context, embedding = _int(args, "context", 1), _int(args, "embedding", 1)
    found: list[KnownMistake] = []
    if context >= 2:
        depth = calc.levels_needed(context)
        found.append(KnownMistake(
            depth,
            f"{depth} is the tree's depth for {context} characters; the flat model has no "
            f"levels and takes all {context} × {embedding} numbers in at once.",
        ))
    if embedding > 1:
        found.append(KnownMistake(
            context,
            f"{context} counts characters, not numbers: each of the {context} characters "
            f"brings {embedding} numbers.",
        ))
    if context > 1:
        found.append(KnownMistake(
            embedding,
            f"{embedding} is one character's embedding; the flat input lays all {context} "
            "of them side by side.",
        ))
    return found


def _fusion_input(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    width, arity = _int(args, "width", 1), _int(args, "arity", 2)
    return [
        KnownMistake(
            width,
            f"{width} is one vector; a fusion joins {arity} of them end to end.",
        ),
        KnownMistake(
            width + arity,
            f"That adds {arity} to {width}; joining {arity} vectors of {width} numbers gives "
            f"{arity} × {width}.",
        ),
    ]


def _fusion_output(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    hidden = _int(args, "hidden", 1)
    found: list[KnownMistake] = []
    for other in related:
        if other.function == "fusion_input":
            size = other.value()
            if size is not None:
                found.append(KnownMistake(
                    size,
                    f"{size} is what goes into the fusion; its linear layer maps it to {hidden} "
                    "numbers and tanh keeps that count.",
                ))
    return found


def _fusion_params(args: Args, expected: int, related: Sequence[Call]) -> list[KnownMistake]:
    width, hidden = _int(args, "width", 1), _int(args, "hidden", 1)
    arity, bias = _int(args, "arity", 2), bool(args.get("bias", True))
    weights = arity * width * hidden
    found: list[KnownMistake] = []
    if bias:
        found.append(KnownMistake(
            weights,
            f"{weights} counts only the weights; the linear layer also has {hidden} biases, "
            "one per output.",
        ))
        found.append(KnownMistake(
            width * hidden + hidden,
            f"That counts one input vector of {width}; the layer reads all {arity} of them, "
            f"{arity} × {width} numbers.",
        ))
    else:
        found.append(KnownMistake(
            weights + hidden,
            f"That adds {hidden} biases, but this layer has none (bias=false): count only "
            "the weights.",
        ))
    found.append(KnownMistake(
        arity * width + hidden,
        f"That adds the sizes; a linear layer has one weight per input and output pair, "
        f"{arity * width} × {hidden}.",
    ))
    return found


_DETECTORS: dict[str, Callable[[Args, int, Sequence[Call]], list[KnownMistake]]] = {
    "levels_needed": _levels_needed,
    "receptive_field": _receptive_field,
    "flat_input_width": _flat_input_width,
    "fusion_input": _fusion_input,
    "fusion_output": _fusion_output,
    "fusion_params": _fusion_params,
}


def detect(call: Call, related: Sequence[Call] = ()) -> list[KnownMistake]:
    """The likely wrong answers of `call`, most telling first; none equals its right value.

    `related` are the other calls of the same exercise (a flat width or a fusion's input
    gives a levels or output question a likelier wrong answer). Returns [] for functions
    without detectors, or when the calculator refuses the arguments.
    """
    expected = call.value()
    detector = _DETECTORS.get(call.function)
    if expected is None or detector is None:
        return []
    seen: set[int | float] = {expected}
    found: list[KnownMistake] = []
    for mistake in detector(call.kwargs, expected, related):
        if mistake.value not in seen and mistake.value >= 0:
            seen.add(mistake.value)
            found.append(mistake)
    return found
