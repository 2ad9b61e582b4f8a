"""Tests for the tree calculator: hand-checked numbers, exact-integer properties, refusals."""

from __future__ import annotations

import ast
import inspect
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studyapp import calc
from studyapp.calc import (
    FUNCTIONS,
    CalcError,
    dilated_receptive_field,
    flat_input_width,
    flat_params,
    fusion_input,
    fusion_output,
    fusion_params,
    layer_shapes,
    levels_needed,
    param_breakdown,
    receptive_field,
    sequence_length,
    tree_params,
)

CALC_SOURCE = Path(calc.__file__)


def refused(call: Callable[[], object], name: str, value: object) -> str:
    """Assert that ``call`` raises CalcError naming ``name`` and showing ``value``."""
    with pytest.raises(CalcError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(f"{name} "), message
    assert f"got {value!r}" in message, message
    assert "\n" not in message
    return message


# --- the lecture's hand-checked numbers (makemore part 5) -------------------------------------

# batch 4, context 8, embedding 10, hidden 68, vocab 27, tree of pairs: 8 → 4 → 2 → 1 positions.
LECTURE_TREE_SHAPES = [
    ("Embedding", (4, 8, 10)),
    ("FlattenConsecutive", (4, 4, 20)),
    ("Linear", (4, 4, 68)),
    ("BatchNorm1d", (4, 4, 68)),
    ("Tanh", (4, 4, 68)),
    ("FlattenConsecutive", (4, 2, 136)),
    ("Linear", (4, 2, 68)),
    ("BatchNorm1d", (4, 2, 68)),
    ("Tanh", (4, 2, 68)),
    ("FlattenConsecutive", (4, 136)),
    ("Linear", (4, 68)),
    ("BatchNorm1d", (4, 68)),
    ("Tanh", (4, 68)),
    ("Linear", (4, 27)),
]

# 27·10 = 270; 2·10·68 = 1360; 2·68 = 136; 2·68·68 = 9248; 68·27 + 27 = 1863.
LECTURE_TREE_PARAMS = [
    ("Embedding", 270),
    ("FlattenConsecutive", 0),
    ("Linear", 1360),
    ("BatchNorm1d", 136),
    ("Tanh", 0),
    ("FlattenConsecutive", 0),
    ("Linear", 9248),
    ("BatchNorm1d", 136),
    ("Tanh", 0),
    ("FlattenConsecutive", 0),
    ("Linear", 9248),
    ("BatchNorm1d", 136),
    ("Tanh", 0),
    ("Linear", 1863),
]


def test_lecture_tree_shapes() -> None:
    assert layer_shapes(batch=4, context=8, embedding=10, hidden=68, vocab=27) == (
        LECTURE_TREE_SHAPES
    )
    assert layer_shapes(4, 8, 10, 68, 27, 2, "tree") == LECTURE_TREE_SHAPES


def test_lecture_tree_params() -> None:
    assert tree_params(vocab=27, context=8, embedding=10, hidden=68) == 22397
    assert param_breakdown("tree", vocab=27, context=8, embedding=10, hidden=68) == (
        LECTURE_TREE_PARAMS
    )


def test_lecture_flat_params() -> None:
    # 27·10 = 270; 3·10·200 = 6000; 2·200 = 400; 200·27 + 27 = 5427; total 12097.
    assert flat_params(vocab=27, context=3, embedding=10, hidden=200) == 12097
    assert param_breakdown("flat", vocab=27, context=3, embedding=10, hidden=200) == [
        ("Embedding", 270),
        ("Flatten", 0),
        ("Linear", 6000),
        ("BatchNorm1d", 400),
        ("Tanh", 0),
        ("Linear", 5427),
    ]


def test_lecture_flat_shapes() -> None:
    assert layer_shapes(32, 3, 10, 200, 27, model="flat") == [
        ("Embedding", (32, 3, 10)),
        ("Flatten", (32, 30)),
        ("Linear", (32, 200)),
        ("BatchNorm1d", (32, 200)),
        ("Tanh", (32, 200)),
        ("Linear", (32, 27)),
    ]


def test_tree_of_triples_by_hand() -> None:
    # context 9 = 3², so 2 levels: 9 → 3 → 1 positions.
    # 27·10 = 270; 3·10·20 = 600; 40; 3·20·20 = 1200; 40; 20·27 + 27 = 567; total 2717.
    assert tree_params(vocab=27, context=9, embedding=10, hidden=20, arity=3) == 2717
    assert layer_shapes(5, 9, 10, 20, 27, arity=3) == [
        ("Embedding", (5, 9, 10)),
        ("FlattenConsecutive", (5, 3, 30)),
        ("Linear", (5, 3, 20)),
        ("BatchNorm1d", (5, 3, 20)),
        ("Tanh", (5, 3, 20)),
        ("FlattenConsecutive", (5, 60)),
        ("Linear", (5, 20)),
        ("BatchNorm1d", (5, 20)),
        ("Tanh", (5, 20)),
        ("Linear", (5, 27)),
    ]


def test_smallest_tree_has_one_level() -> None:
    # 270 + 2·10·68 (1360) + 136 + 1863 = 3629.
    assert tree_params(vocab=27, context=2, embedding=10, hidden=68) == 3629
    assert layer_shapes(4, 2, 10, 68, 27) == [
        ("Embedding", (4, 2, 10)),
        ("FlattenConsecutive", (4, 20)),
        ("Linear", (4, 68)),
        ("BatchNorm1d", (4, 68)),
        ("Tanh", (4, 68)),
        ("Linear", (4, 27)),
    ]


def test_tree_refuses_context_one() -> None:
    # 0 levels would feed `embedding` numbers into Linear(hidden, vocab): no such network.
    refused(lambda: tree_params(27, 1, 10, 68), "context", 1)
    refused(lambda: layer_shapes(4, 1, 10, 68, 27), "context", 1)
    refused(lambda: param_breakdown("tree", 27, 1, 10, 68), "context", 1)
    refused(lambda: tree_params(27, 1, 10, 68, arity=3), "context", 1)


def test_flat_model_with_context_one() -> None:
    # 270 + 1·10·68 (680) + 136 + 1863 = 2949; the positions axis of length 1 is dropped.
    assert flat_params(vocab=27, context=1, embedding=10, hidden=68) == 2949
    assert layer_shapes(4, 1, 10, 68, 27, model="flat")[:2] == [
        ("Embedding", (4, 10)),
        ("Flatten", (4, 10)),
    ]


# --- the built-in exercise (wavenet-depth) --------------------------------------------------


@pytest.mark.parametrize(("context", "levels"), [(16, 4), (64, 6), (1024, 10)])
def test_exercise_levels(context: int, levels: int) -> None:
    assert levels_needed(context=context) == levels


@pytest.mark.parametrize("context", [16, 64, 1024])
def test_exercise_flat_width(context: int) -> None:
    assert flat_input_width(context=context) == context
    assert flat_input_width(context=context, embedding=1) == context


def test_exercise_fusion() -> None:
    assert fusion_input(width=2) == 4
    assert fusion_output(hidden=3) == 3


# --- small functions, by hand ------------------------------------------------------------------


def test_small_values_by_hand() -> None:
    assert levels_needed(1) == 0
    assert levels_needed(2) == 1
    assert levels_needed(3) == 2
    assert levels_needed(5) == 3
    assert levels_needed(10, arity=3) == 3  # 3² = 9 < 10 ≤ 27 = 3³
    assert levels_needed(9, arity=3) == 2
    assert receptive_field(0) == 1
    assert receptive_field(3) == 8
    assert receptive_field(2, arity=3) == 9
    assert receptive_field(4, arity=5) == 625
    assert flat_input_width(3, embedding=10) == 30
    assert fusion_input(width=10, arity=3) == 30
    assert fusion_params(width=10, hidden=68, bias=False) == 1360
    assert fusion_params(width=10, hidden=68) == 1428  # 1360 + 68
    assert fusion_params(width=2, hidden=3, arity=3) == 21  # 3·2·3 + 3
    assert [sequence_length(8, level) for level in range(4)] == [8, 4, 2, 1]
    assert [sequence_length(27, level, arity=3) for level in range(4)] == [27, 9, 3, 1]
    assert sequence_length(1, 0) == 1


def test_dilated_receptive_field_by_hand() -> None:
    assert dilated_receptive_field(layers=1) == 2  # kernel 2, dilation 1: two samples
    assert dilated_receptive_field(layers=2) == 4  # dilations 1, 2: 1 + 1 + 2
    assert dilated_receptive_field(layers=10) == 1024  # WaveNet: dilations 1 … 512
    assert dilated_receptive_field(layers=10, stacks=3) == 3070  # 1 + 3·1023
    assert dilated_receptive_field(layers=2, kernel=3) == 7  # 1 + 2·1 + 2·2
    assert dilated_receptive_field(layers=3, kernel=1) == 1  # 1×1 convolutions see one sample


@given(layers=st.integers(1, 40), stacks=st.integers(1, 10), kernel=st.integers(1, 10))
def test_dilated_receptive_field_sums_the_dilations(layers: int, stacks: int, kernel: int) -> None:
    # Each layer of dilation d widens the view by (kernel - 1)·d.
    widened = sum((kernel - 1) * 2**i for i in range(layers)) * stacks
    assert dilated_receptive_field(layers, stacks, kernel) == widened + 1


# --- exact integer properties ------------------------------------------------------------------


@pytest.mark.parametrize("k", range(63))
def test_levels_exact_at_every_power_of_two(k: int) -> None:
    assert levels_needed(2**k) == k
    assert levels_needed(2**k + 1) == k + 1
    assert receptive_field(k) == 2**k
    if k >= 2:
        assert levels_needed(2**k - 1) == k


@pytest.mark.parametrize("arity", [3, 4, 5])
def test_levels_exact_at_every_power_of_arity(arity: int) -> None:
    k = 0
    while arity**k <= 2**64:
        assert levels_needed(arity**k, arity=arity) == k
        assert levels_needed(arity**k + 1, arity=arity) == k + 1
        k += 1


@given(n=st.integers(1, 2**62), arity=st.integers(2, 5))
def test_levels_needed_is_smallest_covering_depth(n: int, arity: int) -> None:
    levels = levels_needed(n, arity)
    assert receptive_field(levels, arity) >= n
    assert levels == 0 or receptive_field(levels - 1, arity) < n


@given(n=st.integers(1, 2**1000), arity=st.integers(2, 1000))
def test_levels_needed_is_exact_beyond_2_to_the_62(n: int, arity: int) -> None:
    levels = levels_needed(n, arity)
    assert arity**levels >= n
    assert levels == 0 or arity ** (levels - 1) < n


@given(k=st.integers(0, 62), arity=st.integers(2, 5))
def test_sequence_length_divides_by_arity_each_level(k: int, arity: int) -> None:
    context = arity**k
    levels = levels_needed(context, arity)
    assert levels == k
    lengths = [sequence_length(context, level, arity) for level in range(levels + 1)]
    assert lengths[0] == context
    assert lengths[-1] == 1
    assert all(longer == shorter * arity for longer, shorter in itertools.pairwise(lengths))


tree_sizes = st.fixed_dictionaries(
    {
        "vocab": st.integers(1, 1000),
        "embedding": st.integers(1, 100),
        "hidden": st.integers(1, 500),
    }
)


@given(sizes=tree_sizes, arity=st.integers(2, 4), k=st.integers(1, 12))
def test_tree_breakdown_adds_up(sizes: dict[str, int], arity: int, k: int) -> None:
    context = arity**k
    breakdown = param_breakdown("tree", context=context, arity=arity, **sizes)
    assert sum(count for _, count in breakdown) == tree_params(
        context=context, arity=arity, **sizes
    )
    shapes = layer_shapes(batch=3, context=context, arity=arity, model="tree", **sizes)
    assert [name for name, _ in breakdown] == [name for name, _ in shapes]
    assert len(shapes) == 2 + 4 * k


@given(sizes=tree_sizes, context=st.integers(1, 300))
def test_flat_breakdown_adds_up(sizes: dict[str, int], context: int) -> None:
    breakdown = param_breakdown("flat", context=context, **sizes)
    assert sum(count for _, count in breakdown) == flat_params(context=context, **sizes)
    shapes = layer_shapes(batch=3, context=context, model="flat", **sizes)
    assert [name for name, _ in breakdown] == [name for name, _ in shapes]


@given(
    sizes=tree_sizes,
    batch=st.integers(1, 64),
    arity=st.integers(2, 4),
    k=st.integers(1, 8),
    model=st.sampled_from(["flat", "tree"]),
)
def test_counts_agree_with_shapes(
    sizes: dict[str, int], batch: int, arity: int, k: int, model: str
) -> None:
    # Each layer's parameters follow from the widths going in and out of it.
    context = arity**k
    shapes = layer_shapes(batch, context, arity=arity, model=model, **sizes)
    counts = param_breakdown(model, context=context, arity=arity, **sizes)
    width_in = 0
    for index, ((name, shape), (_, count)) in enumerate(zip(shapes, counts, strict=True)):
        assert shape[0] == batch
        width_out = shape[-1]
        last = index == len(shapes) - 1
        expected = {
            "Embedding": sizes["vocab"] * width_out,
            "Linear": width_in * width_out + (width_out if last else 0),
            "BatchNorm1d": 2 * width_out,
        }.get(name, 0)
        assert count == expected, (name, index)
        width_in = width_out
    assert shapes[-1][1] == (batch, sizes["vocab"])


def test_tree_params_matches_fusion_params() -> None:
    # Lecture model again, assembled from one-fusion counts: 270 + 1360 + 2·9248 + 3·136 + 1863.
    linear = fusion_params(10, 68, bias=False) + 2 * fusion_params(68, 68, bias=False)
    assert 270 + linear + 3 * 136 + 1863 == tree_params(27, 8, 10, 68) == 22397


# --- refusals --------------------------------------------------------------------------------

# Valid keyword arguments for every function, and each argument's smallest accepted value.
VALID: dict[str, dict[str, Any]] = {
    "levels_needed": {"context": 16, "arity": 2},
    "receptive_field": {"levels": 4, "arity": 2},
    "flat_input_width": {"context": 16, "embedding": 1},
    "fusion_input": {"width": 2, "arity": 2},
    "fusion_output": {"hidden": 3},
    "fusion_params": {"width": 2, "hidden": 3, "arity": 2},
    "sequence_length": {"context": 8, "level": 1, "arity": 2},
    "flat_params": {"vocab": 27, "context": 3, "embedding": 10, "hidden": 200},
    "tree_params": {"vocab": 27, "context": 8, "embedding": 10, "hidden": 68, "arity": 2},
    "dilated_receptive_field": {"layers": 10, "stacks": 1, "kernel": 2},
    "layer_shapes": {
        "batch": 4,
        "context": 8,
        "embedding": 10,
        "hidden": 68,
        "vocab": 27,
        "arity": 2,
    },
    "param_breakdown": {
        "model": "tree",
        "vocab": 27,
        "context": 8,
        "embedding": 10,
        "hidden": 68,
        "arity": 2,
    },
}
MINIMUM = {"arity": 2, "levels": 0, "level": 0}
CALLABLES: dict[str, Callable[..., object]] = {
    **FUNCTIONS,
    "layer_shapes": layer_shapes,
    "param_breakdown": param_breakdown,
}
WHOLE_ARGUMENTS = [
    (function, name)
    for function, arguments in VALID.items()
    for name in arguments
    if name != "model"
]


def test_valid_arguments_are_accepted() -> None:
    for function, arguments in VALID.items():
        CALLABLES[function](**arguments)


@pytest.mark.parametrize(("function", "name"), WHOLE_ARGUMENTS)
@pytest.mark.parametrize("bad", [0, -1, True, False, 2.0, "3", None])
def test_bad_whole_number_is_refused(function: str, name: str, bad: object) -> None:
    if bad == 0 and MINIMUM.get(name, 1) == 0 and not isinstance(bad, bool):
        bad = -1  # 0 levels is a valid depth
    arguments = {**VALID[function], name: bad}
    refused(lambda: CALLABLES[function](**arguments), name, bad)


@pytest.mark.parametrize("function", [name for name in VALID if "arity" in VALID[name]])
def test_arity_one_is_refused(function: str) -> None:
    message = refused(lambda: CALLABLES[function](**{**VALID[function], "arity": 1}), "arity", 1)
    assert message == "arity must be a whole number ≥ 2, got 1"


def test_plain_messages() -> None:
    with pytest.raises(CalcError, match=r"^context must be a whole number ≥ 1, got 0$"):
        levels_needed(0)
    with pytest.raises(
        CalcError, match=r"^context must be a power of 2 for the tree model, got 12$"
    ):
        tree_params(27, 12, 10, 68)
    with pytest.raises(
        CalcError, match=r"^context must be a whole number ≥ 1, got 2\.0 \(float\)$"
    ):
        levels_needed(2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "context"),
    [
        (lambda: tree_params(27, 12, 10, 68), 12),
        (lambda: tree_params(27, 8, 10, 68, arity=3), 8),
        (lambda: layer_shapes(4, 12, 10, 68, 27), 12),
        (lambda: param_breakdown("tree", 27, 6, 10, 68), 6),
        (lambda: sequence_length(12, 0), 12),
        (lambda: sequence_length(16, 0, arity=4 + 1), 16),
    ],
)
def test_context_not_a_power_of_arity_is_refused(call: Callable[[], object], context: int) -> None:
    assert "power of" in refused(call, "context", context)


def test_flat_model_takes_any_context() -> None:
    assert layer_shapes(4, 12, 10, 68, 27, model="flat")[1] == ("Flatten", (4, 120))
    assert sum(count for _, count in param_breakdown("flat", 27, 12, 10, 68)) == flat_params(
        27, 12, 10, 68
    )


@pytest.mark.parametrize("level", [-1, 4, 100, True, 1.0, "1"])
def test_level_outside_the_tree_is_refused(level: object) -> None:
    message = refused(lambda: sequence_length(8, level), "level", level)  # type: ignore[arg-type]
    assert "from 0 to 3" in message


@pytest.mark.parametrize("model", ["cnn", "Tree", "", None, 1])
def test_unknown_model_is_refused(model: object) -> None:
    refused(lambda: param_breakdown(model, 27, 8, 10, 68), "model", model)  # type: ignore[arg-type]
    refused(lambda: layer_shapes(4, 8, 10, 68, 27, model=model), "model", model)  # type: ignore[arg-type]


@pytest.mark.parametrize("bias", [1, 0, "yes", None])
def test_bias_must_be_a_bool(bias: object) -> None:
    refused(lambda: fusion_params(2, 3, bias=bias), "bias", bias)  # type: ignore[arg-type]


def test_powers_are_limited_not_hung() -> None:
    assert receptive_field(4095) == 2**4095
    refused(lambda: receptive_field(4096), "levels", 4096)
    refused(lambda: receptive_field(10**12), "levels", 10**12)
    # 2584·log2(3) ≈ 4095.5 < 4096 < 4097.1 ≈ 2585·log2(3)
    assert receptive_field(2584, arity=3) == 3**2584
    refused(lambda: receptive_field(2585, arity=3), "levels", 2585)
    assert dilated_receptive_field(4095) == 2**4095
    refused(lambda: dilated_receptive_field(10**12), "layers", 10**12)


@given(spec=st.sampled_from(WHOLE_ARGUMENTS), value=st.integers())
def test_any_int_gives_a_result_or_a_calc_error(spec: tuple[str, str], value: int) -> None:
    function, name = spec
    arguments = {**VALID[function], name: value}
    try:
        result = CALLABLES[function](**arguments)
    except CalcError as error:
        message = str(error)
        if value < MINIMUM.get(name, 1):
            assert message.startswith(f"{name} "), message
            assert f"got {value}" in message, message
        else:
            # A good value can still clash with another argument (arity 3 with context 8).
            assert message.split(" ", 1)[0] in arguments, message
        return
    assert value >= MINIMUM.get(name, 1)
    assert isinstance(result, int | list)


@given(
    spec=st.sampled_from(WHOLE_ARGUMENTS),
    value=st.one_of(
        st.floats(), st.text(max_size=5), st.booleans(), st.none(), st.lists(st.integers())
    ),
)
def test_anything_but_an_int_is_refused(spec: tuple[str, str], value: object) -> None:
    function, name = spec
    arguments = {**VALID[function], name: value}
    refused(lambda: CALLABLES[function](**arguments), name, value)


# --- the module itself ---------------------------------------------------------------------


def test_functions_table() -> None:
    assert set(FUNCTIONS) == {
        "levels_needed",
        "receptive_field",
        "flat_input_width",
        "fusion_input",
        "fusion_output",
        "fusion_params",
        "sequence_length",
        "flat_params",
        "tree_params",
        "dilated_receptive_field",
    }
    for name, function in FUNCTIONS.items():
        assert function.__name__ == name
        assert inspect.signature(function).return_annotation in (int, "int")
        kinds = {p.kind for p in inspect.signature(function).parameters.values()}
        assert kinds == {inspect.Parameter.POSITIONAL_OR_KEYWORD}
        assert isinstance(function(**VALID[name]), int)
    with pytest.raises(TypeError):
        inspect.signature(FUNCTIONS["levels_needed"]).bind(contxt=16)


def test_calc_error_is_a_value_error() -> None:
    assert issubclass(CalcError, ValueError)


def test_module_is_pure_standard_library() -> None:
    source = CALC_SOURCE.read_text(encoding="utf-8")
    assert source.startswith('"""')
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            assert module.split(".")[0] in sys.stdlib_module_names, module
