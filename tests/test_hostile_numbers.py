"""Causes 2 and 3 of issue 13: huge whole numbers (decimal or hex) anywhere in a deck, on the
calc command line or in settings.toml, infinite tolerances and float answers against huge
calc results: one line each, and a broken deck never breaks the others."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studyapp import calc
from tests.conftest import REPO, RunStudyapp

HUGE = "9" * 5000
HEX = "0x" + "f" * 4000


def _library(tmp_path: Path, bad: str) -> Path:
    library = tmp_path / "lib"
    (library / "decks").mkdir(parents=True)
    shutil.copy(REPO / "decks" / "wavenet.yaml", library / "decks")
    shutil.copytree(REPO / "exercises", library / "exercises")
    (library / "decks" / "bad.yaml").write_text(bad)
    return library


BAD_DECKS = {
    "title": f"id: bad\ntitle: {HUGE}\ncards:\n  - id: a\n    front: f\n    back: b\n",
    "tag": f"id: bad\ntitle: t\ntags: [{HEX}]\ncards:\n  - id: a\n    front: f\n    back: b\n",
    "answer": f"id: bad\ntitle: t\nquestions:\n  - id: a\n    prompt: p\n    answer: {HUGE}\n",
    "back": f"id: bad\ntitle: t\ncards:\n  - id: a\n    front: f\n    back: !!int {HEX}\n",
}


@pytest.mark.parametrize("where", sorted(BAD_DECKS))
def test_a_huge_number_is_refused_at_its_place_and_other_decks_still_work(
    run_studyapp: RunStudyapp, tmp_path: Path, where: str
) -> None:
    library = _library(tmp_path, BAD_DECKS[where])
    done = run_studyapp("--library", str(library), "check")
    assert done.returncode == 1
    assert "internal error" not in done.stderr + done.stdout
    lines = [line for line in done.stdout.splitlines()
             if "bad.yaml:" in line and "FAILED" not in line]
    assert lines and "at most 1,000 digits" in lines[0], done.stdout
    assert all(len(line) < 300 for line in done.stdout.splitlines())
    for args in (["stats"], ["review", "--plain", "wavenet"]):
        done = run_studyapp("--library", str(library), *args, input="q\n")
        assert "internal error" not in done.stderr, done.stderr
        assert done.returncode == 0, done.stderr


def test_huge_numbers_on_the_calc_command_line_are_usage_errors(
    run_studyapp: RunStudyapp,
) -> None:
    for args in (["levels", HUGE], ["levels", "27", "--arity", HUGE]):
        done = run_studyapp("calc", *args)
        assert done.returncode == 2
        assert "at most 1,000 digits" in done.stderr
        assert len(done.stderr) < 300


def test_levels_needed_is_quick_for_any_arity_and_refuses_over_long_values() -> None:
    big = 3**2000 + 1
    assert calc.levels_needed(big, arity=3) == 2001
    assert calc.levels_needed(3**2000, arity=3) == 2000
    for arity in (3, 5, 7, 10):
        for n in (1, 2, arity - 1, arity, arity + 1, arity**5, arity**5 + 1):
            expected = next(k for k in range(60) if arity**k >= n)
            assert calc.levels_needed(n, arity=arity) == expected
    with pytest.raises(calc.CalcError, match="at most 1,000 digits"):
        calc.levels_needed(10**200_000, arity=3)


@pytest.mark.parametrize("tolerance", [".inf", ".nan", "-.inf"])
def test_an_infinite_tolerance_is_refused_by_check(
    run_studyapp: RunStudyapp, tmp_path: Path, tolerance: str
) -> None:
    library = _library(tmp_path, "id: bad\ntitle: t\ncards:\n  - id: a\n    front: f\n"
                                 "    back: b\n")
    exercise = library / "exercises" / "wavenet-depth.yaml"
    text = exercise.read_text()
    head, _, rest = text.partition("    answer: ")
    exercise.write_text(f"{head}    tolerance: {tolerance}\n    answer: {rest}")
    done = run_studyapp("--library", str(library), "check")
    assert done.returncode == 1
    assert "wavenet-depth.yaml:" in done.stdout
    assert "tolerance" in done.stdout
    assert "internal error" not in done.stderr


def test_a_float_answer_against_a_calc_result_past_1e308_is_a_disagreement(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    library = _library(tmp_path, "id: bad\ntitle: t\ncards:\n  - id: a\n    front: f\n"
                                 "    back: b\n")
    (library / "exercises" / "huge.yaml").write_text(
        "id: huge\ntitle: Huge\nsteps:\n  - id: s\n    prompt: p\n    answer: 1.5e300\n"
        "    calc: receptive_field(levels=2000)\n"
    )
    done = run_studyapp("--library", str(library), "check")
    assert "internal error" not in done.stderr
    assert "disagrees with the calculator" in done.stdout


SETTINGS = {
    "decimal": f"new_items_per_day = {HUGE}\n",
    "hex": f"new_items_per_day = {HEX}\n",
    "in a list": f"learning_steps = [{'9' * 4200}]\n",
}


@pytest.mark.parametrize("where", sorted(SETTINGS))
def test_huge_numbers_in_settings_are_one_short_line(
    run_studyapp: RunStudyapp, data_dir: Path, where: str
) -> None:
    (data_dir / "settings.toml").write_text(SETTINGS[where])
    done = run_studyapp("review", "--plain", "wavenet", input="q\n")
    assert done.returncode == 1
    assert done.stderr.startswith(f"studyapp: {data_dir / 'settings.toml'}: ")
    assert len(done.stderr) < 300
    assert "internal error" not in done.stderr


def test_numbers_of_up_to_1000_digits_are_quoted_short_in_check_and_calc(
    run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    # 999 digits is allowed, but a message quoting such params in full was 2,000 characters:
    # two of them that differ only at the end must still read differently.
    first, second = 3**2090, 3**2090 + 1
    library = _library(tmp_path, "id: bad\ntitle: t\ncards:\n  - id: a\n    front: f\n"
                                 "    back: b\n")
    (library / "exercises" / "long.yaml").write_text(
        f"id: long\ntitle: Long\nparams:\n  context: [{first}, {second}]\nsteps:\n"
        "  - id: s\n    prompt: p {context}\n    answer: 3\n"
        "    calc: tree_params(vocab=3, context={context}, embedding=2, hidden=2, arity=3)\n"
    )
    exercise = library / "exercises" / "long.yaml"
    done = run_studyapp("--library", str(library), "check", str(exercise))
    assert done.returncode == 1
    long_lines = [line for line in done.stdout.splitlines() if "long.yaml:" in line]
    assert any("disagrees with the calculator" in line for line in long_lines), done.stdout
    assert any("calc fails for context=" in line for line in long_lines), done.stdout
    assert all(len(line) < 300 for line in long_lines), long_lines
    assert f"{str(second)[:10]}…{str(second)[-6:]} (a 998-digit number)" in done.stdout
    done = run_studyapp("calc", "params", "--model", "tree", "--vocab", "3", "--context",
                        "9" * 999, "--embedding", "2", "--hidden", "2")
    assert done.returncode == 2
    assert done.stderr.startswith("studyapp: error: context must be a power of 2")
    assert len(done.stderr) < 200, done.stderr
