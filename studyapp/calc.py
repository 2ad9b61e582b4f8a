"""The tree calculator: exact integer arithmetic for WaveNet-style hierarchical models."""

# Contract: /work/shared/docs/tree-calculator.md. This module is pure and imports only the
# standard library, so the command line and the deck checker can use it without loading the
# rest of the application. Every number is computed with integers: a float logarithm would
# turn some 2^k into k + 1.

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = [
    "FUNCTIONS",
    "MAX_RESULT_BITS",
    "CalcError",
    "dilated_receptive_field",
    "flat_input_width",
    "flat_params",
    "fusion_input",
    "fusion_output",
    "fusion_params",
    "layer_shapes",
    "levels_needed",
    "param_breakdown",
    "receptive_field",
    "sequence_length",
    "shown_number",
    "tree_params",
]

MAX_RESULT_BITS = 4096
"""A power (arity^levels, 2^layers) must stay below 2^MAX_RESULT_BITS.

Without a limit a one-line deck expression such as ``receptive_field(levels=10**12)`` would
hang the program; 2^4096 is far beyond any real model and still prints in full.
"""

MAX_INPUT_DIGITS = 1000
"""Every whole-number argument must have at most this many digits (the deck format's own
limit): products of a few of them stay printable (Python prints at most 4,300 digits)."""

_INPUT_LIMIT = 10**MAX_INPUT_DIGITS

MODELS = ("flat", "tree")
"""The reference models of the contract, by name."""


class CalcError(ValueError):
    """An argument the calculator cannot use; the message says which one and why."""


SHOWN_DIGITS = 40
"""A number with more digits is shown in messages by its first digits and its length: a
message quoting a 1,000-digit argument in full is no longer one readable line."""


def shown_number(value: int) -> str:
    """`value` as a message shows it: in full up to SHOWN_DIGITS digits, else its first
    and last digits and how many there are (2^136 is "8711228593…132736 (a 41-digit
    number)"), so two long numbers that differ at the end still read differently."""
    text = str(value)
    digits = len(text.lstrip("-"))
    if digits <= SHOWN_DIGITS:
        return text
    sign, magnitude = ("-", text[1:]) if value < 0 else ("", text)
    return f"{sign}{magnitude[:10]}…{magnitude[-6:]} (a {digits:,}-digit number)"


def _whole(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` if it is an int (not a bool) that is at least ``minimum``."""
    # bool is a subclass of int, but `context=True` is always a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalcError(
            f"{name} must be a whole number ≥ {minimum}, got {value!r} ({type(value).__name__})"
        )
    if value >= _INPUT_LIMIT or value <= -_INPUT_LIMIT:
        raise CalcError(f"{name} must have at most {MAX_INPUT_DIGITS:,} digits")
    if value < minimum:
        raise CalcError(f"{name} must be a whole number ≥ {minimum}, got {shown_number(value)}")
    return value


def _arity(value: object) -> int:
    return _whole("arity", value, minimum=2)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise CalcError(f"{name} must be true or false, got {value!r} ({type(value).__name__})")
    return value


def _model(value: object) -> str:
    if not isinstance(value, str) or value not in MODELS:
        raise CalcError(f"model must be 'flat' or 'tree', got {value!r}")
    return value


def _levels(context: int, arity: int) -> int:
    """Smallest k with arity^k ≥ context, for already-validated arguments."""
    if arity == 2:
        # 2^k ≥ n  ⇔  n - 1 < 2^k  ⇔  (n - 1).bit_length() ≤ k.
        return (context - 1).bit_length()
    # Start just below the answer (from the bit length) so huge contexts cost a few steps,
    # not one multiplication per level; the -1 absorbs the float error of log2.
    levels = max(0, int((context.bit_length() - 1) / math.log2(arity)) - 1)
    power = arity**levels
    while power < context:
        power *= arity
        levels += 1
    return levels


def _is_power(context: int, arity: int) -> bool:
    power: int = arity ** _levels(context, arity)
    return power == context


def _power(name: str, exponent: int, base: int, where: str, power_name: str) -> int:
    """base^exponent, refusing results of 2^MAX_RESULT_BITS or more before computing them."""
    limit = 1 << MAX_RESULT_BITS
    # base^exponent ≥ 2^(exponent * (bits - 1)): this cheap lower bound turns huge exponents
    # away before the power is computed, and the exact comparison settles the rest.
    result: int = base**exponent if exponent * (base.bit_length() - 1) < MAX_RESULT_BITS else limit
    if result >= limit:
        largest = _levels(limit, base) - 1
        raise CalcError(
            f"{name} must be at most {largest}{where} ({power_name} must stay below "
            f"2^{MAX_RESULT_BITS}), got {shown_number(exponent)}"
        )
    return result


def _tree_context(context: object, arity: int) -> int:
    """Validate a context for the tree model: a power of arity, and at least arity."""
    checked = _whole("context", context)
    if not _is_power(checked, arity):
        raise CalcError(
            f"context must be a power of {arity} for the tree model, got {shown_number(checked)}"
        )
    if checked == 1:
        # With 0 levels the model of the contract ends in Linear(hidden, vocab) fed with
        # `embedding` numbers: that network does not exist, so no count or shape is given.
        raise CalcError(
            f"context must be at least {arity} for the tree model "
            f"(context 1 leaves no level to build), got 1"
        )
    return checked


def levels_needed(context: int, arity: int = 2) -> int:
    """Smallest k with arity^k ≥ context: the fusing levels needed to see ``context`` items."""
    return _levels(_whole("context", context), _arity(arity))


def receptive_field(levels: int, arity: int = 2) -> int:
    """arity^levels: the characters one output sees after ``levels`` levels (levels ≥ 0)."""
    checked_levels, checked_arity = _whole("levels", levels, minimum=0), _arity(arity)
    return _power(
        "levels", checked_levels, checked_arity, f" for arity {checked_arity}", "arity^levels"
    )


def flat_input_width(context: int, embedding: int = 1) -> int:
    """context × embedding: the numbers entering the flat model's first linear layer."""
    return _whole("context", context) * _whole("embedding", embedding)


def fusion_input(width: int, arity: int = 2) -> int:
    """arity × width: the numbers entering one fusion of ``arity`` groups of ``width``."""
    return _arity(arity) * _whole("width", width)


def fusion_output(hidden: int) -> int:
    """hidden: the numbers leaving one fusion through a linear layer to ``hidden``."""
    return _whole("hidden", hidden)


def fusion_params(width: int, hidden: int, arity: int = 2, bias: bool = True) -> int:
    """Weights of one fusion's linear layer, arity·width·hidden, plus hidden if it has a bias."""
    checked_hidden = _whole("hidden", hidden)
    weights = _arity(arity) * _whole("width", width) * checked_hidden
    return weights + checked_hidden if _flag("bias", bias) else weights


def sequence_length(context: int, level: int, arity: int = 2) -> int:
    """Positions left after ``level`` levels; context must be a power of arity."""
    checked_arity = _arity(arity)
    checked_context = _whole("context", context)
    if not _is_power(checked_context, checked_arity):
        raise CalcError(
            f"context must be a power of {checked_arity} for the tree model, "
            f"got {shown_number(checked_context)}"
        )
    most = _levels(checked_context, checked_arity)
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= most:
        shown = (f"{level!r} ({type(level).__name__})" if type(level) is not int
                 else shown_number(level))
        raise CalcError(
            f"level must be a whole number from 0 to {most} "
            f"(the levels of context {shown_number(checked_context)}), got {shown}"
        )
    passed: int = checked_arity**level
    return checked_context // passed


def flat_params(vocab: int, context: int, embedding: int, hidden: int) -> int:
    """Trainable parameters of the flat reference model.

    Embedding(vocab, embedding) → flatten → Linear(context·embedding, hidden, bias=False) →
    BatchNorm1d(hidden) (gain and bias: 2 per feature) → tanh → Linear(hidden, vocab).
    """
    v, t = _whole("vocab", vocab), _whole("context", context)
    e, h = _whole("embedding", embedding), _whole("hidden", hidden)
    return v * e + t * e * h + 2 * h + h * v + v


def tree_params(vocab: int, context: int, embedding: int, hidden: int, arity: int = 2) -> int:
    """Trainable parameters of the tree reference model.

    Embedding(vocab, embedding), then levels_needed(context) times FlattenConsecutive(arity) →
    Linear(arity·width, hidden, bias=False) → BatchNorm1d(hidden) → tanh (width is embedding at
    the first level, hidden after), then Linear(hidden, vocab). The context must be a power of
    arity and at least arity (context 1 would leave no level; see ``CalcError``).
    """
    v, e, h = _whole("vocab", vocab), _whole("embedding", embedding), _whole("hidden", hidden)
    a = _arity(arity)
    levels = _levels(_tree_context(context, a), a)
    first = a * e * h
    later = (levels - 1) * a * h * h
    return v * e + first + later + levels * 2 * h + h * v + v


def dilated_receptive_field(layers: int, stacks: int = 1, kernel: int = 2) -> int:
    """Samples seen by one output of WaveNet's stacks of dilated causal convolutions.

    Each stack has ``layers`` layers with dilations 1, 2, 4, …, 2^(layers-1); a layer with
    dilation d widens the view by (kernel - 1)·d, so the field is
    stacks·(kernel - 1)·(2^layers - 1) + 1.
    """
    checked_layers = _whole("layers", layers)
    checked_stacks, checked_kernel = _whole("stacks", stacks), _whole("kernel", kernel)
    dilations = _power("layers", checked_layers, 2, "", "2^layers") - 1
    return checked_stacks * (checked_kernel - 1) * dilations + 1


def _shape(batch: int, positions: int, channels: int) -> tuple[int, ...]:
    # The lecture's FlattenConsecutive squeezes the positions axis away once it is 1.
    return (batch, channels) if positions == 1 else (batch, positions, channels)


def layer_shapes(
    batch: int,
    context: int,
    embedding: int,
    hidden: int,
    vocab: int,
    arity: int = 2,
    model: str = "tree",
) -> list[tuple[str, tuple[int, ...]]]:
    """Each layer's name and output shape, in order, as the lecture's notebook prints them.

    Shapes are (batch, positions, channels), with the positions axis dropped once it is 1
    (so the flat model with context 1 starts with Embedding (batch, embedding)). ``arity`` is
    only used by the tree model but is validated for both.
    """
    b, e = _whole("batch", batch), _whole("embedding", embedding)
    h, v = _whole("hidden", hidden), _whole("vocab", vocab)
    a = _arity(arity)
    if _model(model) == "flat":
        t = _whole("context", context)
        return [
            ("Embedding", _shape(b, t, e)),
            ("Flatten", (b, t * e)),
            ("Linear", (b, h)),
            ("BatchNorm1d", (b, h)),
            ("Tanh", (b, h)),
            ("Linear", (b, v)),
        ]
    positions = _tree_context(context, a)
    width = e
    shapes: list[tuple[str, tuple[int, ...]]] = [("Embedding", _shape(b, positions, e))]
    for _ in range(_levels(positions, a)):
        positions //= a
        shapes.append(("FlattenConsecutive", _shape(b, positions, a * width)))
        shapes.extend((name, _shape(b, positions, h)) for name in ("Linear", "BatchNorm1d", "Tanh"))
        width = h
    shapes.append(("Linear", (b, v)))
    return shapes


def param_breakdown(
    model: str, vocab: int, context: int, embedding: int, hidden: int, arity: int = 2
) -> list[tuple[str, int]]:
    """Trainable parameters per layer, in the order and with the names of ``layer_shapes``.

    Layers without parameters (Flatten, FlattenConsecutive, Tanh) are listed with 0; the counts
    add up to ``flat_params`` or ``tree_params``.
    """
    v, e, h = _whole("vocab", vocab), _whole("embedding", embedding), _whole("hidden", hidden)
    a = _arity(arity)
    if _model(model) == "flat":
        t = _whole("context", context)
        return [
            ("Embedding", v * e),
            ("Flatten", 0),
            ("Linear", t * e * h),
            ("BatchNorm1d", 2 * h),
            ("Tanh", 0),
            ("Linear", h * v + v),
        ]
    levels = _levels(_tree_context(context, a), a)
    counts: list[tuple[str, int]] = [("Embedding", v * e)]
    width = e
    for _ in range(levels):
        counts += [
            ("FlattenConsecutive", 0),
            ("Linear", a * width * h),
            ("BatchNorm1d", 2 * h),
            ("Tanh", 0),
        ]
        width = h
    counts.append(("Linear", h * v + v))
    return counts


FUNCTIONS: dict[str, Callable[..., int]] = {
    function.__name__: function
    for function in (
        levels_needed,
        receptive_field,
        flat_input_width,
        fusion_input,
        fusion_output,
        fusion_params,
        sequence_length,
        flat_params,
        tree_params,
        dilated_receptive_field,
    )
}
"""The functions a deck's ``calc:`` expression may call, by name (each returns an int)."""
