"""`studyapp calc levels|shapes|params` as a user runs them (the installed command)."""

from __future__ import annotations

import json

import pytest

from .conftest import RunStudyapp, assert_no_traceback

LECTURE = ["--context", "8", "--embedding", "10", "--hidden", "68", "--vocab", "27"]


def test_levels_for_1024_from_an_empty_folder(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("calc", "levels", "1024")
    assert result.returncode == 0, result.stderr
    lines = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert lines["levels needed"].split()[2] == "10"
    assert "1,024" in lines["receptive field"]
    assert "1,024" in lines["flat input width"]


def test_levels_json(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("calc", "levels", "1000", "--json", "--embedding", "2")
    data = json.loads(result.stdout)
    # 2^9 = 512 < 1000 ≤ 1024 = 2^10; the flat model needs 1000 × 2 numbers.
    assert data == {
        "context": 1000,
        "arity": 2,
        "embedding": 2,
        "levels": 10,
        "receptive_field": 1024,
        "flat_width": 2000,
    }
    ternary = json.loads(run_studyapp("calc", "levels", "27", "--arity", "3", "--json").stdout)
    assert (ternary["levels"], ternary["receptive_field"]) == (3, 27)


def test_shapes_json_matches_the_lecture_notebook(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("calc", "shapes", "--batch", "4", *LECTURE, "--json")
    assert result.returncode == 0, result.stderr
    # The shapes the Part 5 notebook prints for this model, layer by layer.
    assert json.loads(result.stdout) == [
        {"layer": "Embedding", "shape": [4, 8, 10]},
        {"layer": "FlattenConsecutive", "shape": [4, 4, 20]},
        {"layer": "Linear", "shape": [4, 4, 68]},
        {"layer": "BatchNorm1d", "shape": [4, 4, 68]},
        {"layer": "Tanh", "shape": [4, 4, 68]},
        {"layer": "FlattenConsecutive", "shape": [4, 2, 136]},
        {"layer": "Linear", "shape": [4, 2, 68]},
        {"layer": "BatchNorm1d", "shape": [4, 2, 68]},
        {"layer": "Tanh", "shape": [4, 2, 68]},
        {"layer": "FlattenConsecutive", "shape": [4, 136]},
        {"layer": "Linear", "shape": [4, 68]},
        {"layer": "BatchNorm1d", "shape": [4, 68]},
        {"layer": "Tanh", "shape": [4, 68]},
        {"layer": "Linear", "shape": [4, 27]},
    ]


def test_shapes_table_reads_like_the_notebook(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("calc", "shapes", "--batch", "4", *LECTURE)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Embedding", ":", "(4,", "8,", "10)"]
    assert lines[-1].split() == ["Linear", ":", "(4,", "27)"]
    assert len(lines) == 14


def test_params_tree_and_flat(run_studyapp: RunStudyapp) -> None:
    tree = json.loads(run_studyapp("calc", "params", "--model", "tree", *LECTURE, "--json").stdout)
    # 270 + (1360 + 136) + (9248 + 136) + (9248 + 136) + 1863, as the lecture prints.
    assert tree["total"] == 22397
    assert sum(layer["params"] for layer in tree["layers"]) == 22397
    flat = json.loads(
        run_studyapp(
            "calc", "params", "--model", "flat", "--vocab", "27", "--context", "3",
            "--embedding", "10", "--hidden", "200", "--json",
        ).stdout
    )
    # 27·10 + 30·200 + 2·200 + (200·27 + 27): the lecture's 12097.
    assert flat["total"] == 12097
    table = run_studyapp("calc", "params", "--model", "tree", *LECTURE).stdout
    assert table.splitlines()[-1].split() == ["total", "22,397"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calc", "levels", "0"), "context must be a whole number ≥ 1, got 0"),
        (("calc", "levels", "ten"), "expected a whole number, got 'ten'"),
        (("calc", "levels", "8", "--arity", "1"), "arity"),
        (("calc", "params", *LECTURE), "--model"),
        (("calc", "params", "--model", "tree", "--vocab", "27", "--context", "12",
          "--embedding", "10", "--hidden", "68"), "power of 2"),
        (("calc", "shapes", "--batch", "4", "--context", "8"), "required"),
        (("calc", "volume", "3"), "invalid choice"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(
    run_studyapp: RunStudyapp, args: tuple[str, ...], message: str
) -> None:
    result = run_studyapp(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert_no_traceback(result)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
