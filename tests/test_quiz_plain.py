"""`studyapp quiz DECK --plain`, the contract in docs/cli.md, run as the installed command."""

from __future__ import annotations

import io
import itertools
import os
import random
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp import plain
from studyapp.cli import main
from studyapp.deck.loader import load_library
from studyapp.paths import builtin_library
from studyapp.session import items_for_practice

from .conftest import RunStudyapp, assert_no_traceback, studyapp_command

DEPTH = ("quiz", "wavenet", "--plain", "--exercise", "wavenet-depth")
DEPTH_EXPECTED = ["4", "6", "10", "16", "64", "1024", "4", "3"]
CHAIN_EXPECTED = ["7", "128", "1280", "20", "1428"]
"""wavenet-chain as written (context 100, embedding 10, hidden 68)."""
SCORE = re.compile(r"^score: (\d+)/(\d+)$")


def lines(text: str) -> list[str]:
    return text.splitlines()


def score_of(stdout: str) -> tuple[int, int]:
    last = lines(stdout)[-1]
    match = SCORE.match(last)
    assert match, f"last line is not a score: {last!r}"
    return int(match.group(1)), int(match.group(2))


def quiz_ok(result: subprocess.CompletedProcess[str]) -> str:
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout  # no colour codes
    return result.stdout


# -- the exercise, as in the issue -------------------------------------------------------


def test_all_right_scores_8_of_8(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp(
        *DEPTH, input="4\n6 levels\n2^3+2\n16\n64\n1,024\n2+2\n3\n"))
    assert lines(out)[-1] == "score: 8/8"
    assert lines(out).count("correct") == 8
    assert "wrong" not in out
    assert "Depth buys context: count the levels, then trace one fusion" in lines(out)
    assert "exercise done: 8/8 steps right, 0 hints, 0 given up" in lines(out)


def test_all_wrong_scores_0_of_8_showing_each_expected_value(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp(*DEPTH, input="1\n" * 16))  # two attempts at each step
    assert lines(out)[-1] == "score: 0/8"
    wrong = [line for line in lines(out) if line.startswith("wrong")]
    assert wrong == [
        line
        for value in DEPTH_EXPECTED
        for line in ("wrong, try again (? for a hint)", f"wrong, expected {value}")
    ]


def test_explanation_follows_the_grade(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp(*DEPTH, input="5\n5\n")))
    at = out.index("wrong, expected 4")
    assert out[at + 1].startswith("One level too many: ")  # the known mistake, then
    assert out[at + 2] == (
        "Each level doubles the span (2 → 4 → 8 → 16), and 2⁴ = 16, so 4 levels are enough."
    )
    assert out[-1] == "score: 0/1"


def test_setup_comes_once_before_the_first_step(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp(*DEPTH, input="banana\n4\n")))
    # The setup's paragraph is one line (its Markdown soft breaks read as spaces).
    (setup,) = [line for line in out if line.startswith("In a WaveNet-style model every ")]
    assert "merges neighbouring pairs, so each extra level doubles" in setup
    first = next(n for n, line in enumerate(out) if line.startswith("1/8. "))
    assert out.index(setup) < first


def test_unreadable_lines_get_a_reason_and_the_step_again(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp(*DEPTH, input="banana\n4 or 5\n4\n")))
    prompt = next(line for line in out if line.startswith("1/8. "))
    assert prompt.endswith("(unit: levels)")
    at = out.index('can\'t read "banana" as a number')
    assert out[at + 1] == prompt
    assert out[at + 2] == '"4 or 5" is more than one answer: give one number'
    assert out[at + 3] == prompt
    assert out[at + 4] == "correct"
    assert out[-1] == "score: 1/1"  # unreadable lines are not attempts


def test_question_mark_shows_the_hint(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp(*DEPTH, input="?\n4\n")))
    at = out.index("hint: Look for the k with 2ᵏ = 16.")  # Markdown rendered, math as math
    assert out[at + 1] == "correct"
    assert out[-1] == "score: 1/1"


def test_empty_line_gives_up(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp(*DEPTH, input="\n6\n")))
    assert "gave up, expected 4" in out
    assert out[-1] == "score: 1/2"


def test_end_of_input_mid_exercise(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp(*DEPTH, input="4\n6"))  # no newline after the last answer
    assert lines(out)[-1] == "score: 2/2"
    assert lines(quiz_ok(run_studyapp(*DEPTH, input="")))[-1] == "score: 0/0"


def test_trailing_lines_after_the_last_step_are_ignored(run_studyapp: RunStudyapp) -> None:
    answers = "\n".join(DEPTH_EXPECTED) + "\nextra\nmore\n"
    assert lines(quiz_ok(run_studyapp(*DEPTH, input=answers)))[-1] == "score: 8/8"


# -- the whole deck ----------------------------------------------------------------------


def test_full_deck(run_studyapp: RunStudyapp) -> None:
    # 4 questions and 7 cards: reveal, then y (some after a wrong line), then the 8 steps
    # of wavenet-depth and the 5 of wavenet-chain.
    flash = "\ny\n" * 5 + "\nmaybe\nn\n" + "\n\nn\n" + "\ny\n" * 4
    steps = "\n".join(DEPTH_EXPECTED + CHAIN_EXPECTED)
    out = quiz_ok(run_studyapp("quiz", "wavenet", "--plain", input=flash + steps))
    text = lines(out)
    assert text[-1] == "score: 22/24"
    assert text.count("answer y or n") == 2
    assert text.count("did you know it? (y/n)") == 11
    assert text.count("answer:") == 11
    assert text.count("correct") == 13
    first = next(line for line in text if line.startswith("1/24. "))
    assert first == (
        "1/24. How does the flat MLP mix its context characters together, "
        "and what makes that approach crude?"
    )
    assert any(line.startswith("5/24. How does the flat MLP merge its context") for line in text)
    assert any(line.startswith("12/24. To give the model a 16-character") for line in text)
    chain = "20/24. A pairwise tree must let one output see 100"
    assert any(line.startswith(chain) for line in text)


def test_any_line_reveals_a_card(run_studyapp: RunStudyapp) -> None:
    out = lines(quiz_ok(run_studyapp("quiz", "wavenet", "--plain", input="my own answer\ny\n")))
    assert "answer:" in out
    assert out[-1] == "score: 1/1"


def test_end_of_input_after_a_reveal_does_not_count_the_item(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp("quiz", "wavenet", "--plain", input="\ny\n\n"))
    assert lines(out)[-1] == "score: 1/1"


def test_shuffle_is_reproducible_with_a_seed(run_studyapp: RunStudyapp) -> None:
    args = ("quiz", "wavenet", "--plain", "--shuffle", "--seed", "5")
    first = quiz_ok(run_studyapp(*args, input="\ny\n" * 30))
    assert first == quiz_ok(run_studyapp(*args, input="\ny\n" * 30))
    deck_order = quiz_ok(run_studyapp("quiz", "wavenet", "--plain", input="\ny\n" * 30))
    assert first != deck_order


# -- generated practice ------------------------------------------------------------------


def practice_items(count: int, seed: int) -> list[str]:
    library = load_library(builtin_library())
    deck = library.deck("wavenet")
    items = items_for_practice(deck, library.exercises_of(deck), count, rng=random.Random(seed))
    return [str(item.expected) for item in items]


def test_practice_is_reproducible(run_studyapp: RunStudyapp) -> None:
    args = ("quiz", "wavenet", "--plain", "--practice", "5", "--seed", "7")
    first = quiz_ok(run_studyapp(*args, input="\n" * 5))
    assert first == quiz_ok(run_studyapp(*args, input="\n" * 5))
    assert lines(first)[-1] == "score: 0/5"
    assert len([line for line in lines(first) if re.match(r"^\d/5\. ", line)]) == 5


def test_practice_seeds_usually_differ(run_studyapp: RunStudyapp) -> None:
    outputs = {
        quiz_ok(run_studyapp("quiz", "wavenet", "--plain", "--practice", "5", "--seed", str(seed),
                             input="\n" * 5))
        for seed in (1, 2, 3)
    }
    assert len(outputs) >= 2


def test_practice_expected_values_come_from_the_calculator(run_studyapp: RunStudyapp) -> None:
    expected = practice_items(5, 7)
    args = ("quiz", "wavenet", "--plain", "--practice", "5", "--seed", "7")
    gave_up = [
        line.removeprefix("gave up, expected ")
        for line in lines(quiz_ok(run_studyapp(*args, input="\n" * 5)))
        if line.startswith("gave up, expected ")
    ]
    assert gave_up == expected
    out = quiz_ok(run_studyapp(*args, input="\n".join(expected) + "\n"))
    assert lines(out)[-1] == "score: 5/5"


def test_practice_prompts_are_filled(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp("quiz", "wavenet", "--plain", "--practice", "40", "--seed", "1",
                               input="?\n\n" * 40))
    prompts = [line for line in lines(out) if re.match(r"^\d+/40\. ", line)]
    assert len(prompts) == 40
    assert not any(re.search(r"\{[a-z_]+\}", line) for line in lines(out))
    assert len([line for line in lines(out) if line.startswith("hint: ")]) == 40
    for previous, current in itertools.pairwise(prompts):
        assert previous.split(". ", 1)[1] != current.split(". ", 1)[1]


def test_practice_from_one_exercise(run_studyapp: RunStudyapp) -> None:
    out = quiz_ok(run_studyapp("quiz", "wavenet", "--plain", "--exercise", "wavenet-depth",
                               "--practice", "2", "--seed", "3", input=""))
    assert lines(out)[-1] == "score: 0/0"


# -- refusals ----------------------------------------------------------------------------


def test_unknown_deck(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("quiz", "nope", "--plain", input="")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert len(lines(result.stderr)) == 1 and "unknown deck 'nope'" in result.stderr


def test_unknown_exercise(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("quiz", "wavenet", "--plain", "--exercise", "nope", input="")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert len(lines(result.stderr)) == 1 and "'nope'" in result.stderr


@pytest.mark.parametrize(
    "options",
    [
        ("--practice", "0"),
        ("--practice", "-3"),
        ("--practice", "many"),
        ("--practice", "10001"),
        ("--seed", "abc"),
        ("--bogus",),
    ],
)
def test_bad_option_values(run_studyapp: RunStudyapp, options: tuple[str, ...]) -> None:
    result = run_studyapp("quiz", "wavenet", "--plain", *options, input="")
    assert_no_traceback(result)
    assert result.returncode == 2
    assert len(lines(result.stderr)) == 1


def test_plain_needs_a_deck(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("quiz", "--plain", input="")
    assert_no_traceback(result)
    assert result.returncode == 2


def test_without_plain_the_tui_is_opened(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no decks/ here: the built-in library
    calls: list[tuple[object, ...]] = []

    def run_app(
        library_root: Path, data: Path, *, start: str, deck_id: str | None,
        exercise_id: str | None,
    ) -> int:
        calls.append((library_root, data, start, deck_id, exercise_id))
        return 0

    fake = types.ModuleType("studyapp.tui.app")
    fake.run_app = run_app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "studyapp.tui.app", fake)
    monkeypatch.setattr("studyapp.cli._has_terminal", lambda: True)
    assert main(["--data-dir", str(data_dir), "quiz", "wavenet"]) == 0
    quiz = ["--data-dir", str(data_dir), "quiz", "wavenet"]
    assert main([*quiz, "--exercise", "wavenet-depth"]) == 0
    assert main(["--data-dir", str(data_dir), "quiz", "wavenet", "--practice", "3"]) == 0
    assert calls == [
        (builtin_library(), data_dir, "quiz", "wavenet", None),
        (builtin_library(), data_dir, "quiz", "wavenet", "wavenet-depth"),
        (builtin_library(), data_dir, "practice", "wavenet", None),
    ]


def test_without_plain_and_without_a_tui(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "studyapp.tui.app", None)  # the import fails
    assert main(["quiz", "wavenet"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(lines(captured.err)) == 1 and "TUI is not available" in captured.err


def test_a_library_option(run_studyapp: RunStudyapp, tmp_path: Path) -> None:
    (tmp_path / "lib" / "decks").mkdir(parents=True)
    (tmp_path / "lib" / "decks" / "d.yaml").write_text(
        "id: mine\ntitle: Mine\ncards:\n  - id: c\n    front: F\n    back: B\n",
        encoding="utf-8",
    )
    result = run_studyapp("--library", str(tmp_path / "lib"), "quiz", "mine", "--plain",
                          input="\ny\n")
    out = lines(quiz_ok(result))
    assert out[:2] == ["Mine", "1 item. Questions and cards: Enter shows the answer, then y or n."]
    assert out[-6:] == ["1/1. F", "answer:", "B", "did you know it? (y/n)", "", "score: 1/1"]


# -- garbage never crashes -----------------------------------------------------------------


def run_bytes(*args: str, data: bytes, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "STUDYAPP_DATA_DIR": str(tmp), "NO_COLOR": "1"}
    return subprocess.run(
        [*studyapp_command(), "quiz", *args], input=data, capture_output=True, env=env,
        cwd=tmp, check=False,
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mode", [DEPTH[2:], ("--plain", "--practice", "20", "--seed", "1"),
                                  ("--plain",)])
def test_random_bytes_in_a_subprocess(tmp_path: Path, seed: int, mode: tuple[str, ...]) -> None:
    rng = random.Random(seed)
    data = rng.randbytes(3000) + b"\n".join(
        rng.choice([b"", b"y", b"n", b"?", b"4", b"\xff\xfe", b"\x00", b"1e999999", b"\x1b[31m"])
        for _ in range(300)
    )
    result = run_bytes("wavenet", *mode, data=data, tmp=tmp_path)
    stdout = result.stdout.decode("utf-8")
    stderr = result.stderr.decode("utf-8", errors="replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stdout + stderr
    assert SCORE.match(stdout.splitlines()[-1])


LIBRARY_ROOT = builtin_library()
MODES: list[dict[str, object]] = [
    {"exercise_id": "wavenet-depth"},
    {},
    {"practice": 6, "seed": 2},
    {"shuffle": True, "seed": 4},
]


def run_in_process(data: bytes, options: dict[str, object]) -> str:
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    stdout = io.StringIO()
    status = plain.quiz(LIBRARY_ROOT, "wavenet", stdin=stdin, stdout=stdout,
                        stderr=io.StringIO(), **options)  # type: ignore[arg-type]
    assert status == 0
    return stdout.getvalue()


def check_output(out: str) -> None:
    assert "Traceback" not in out
    assert "\x1b" not in out
    assert SCORE.match(out.splitlines()[-1])


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), mode=st.sampled_from(MODES))
def test_random_bytes(data: bytes, mode: dict[str, object]) -> None:
    check_output(run_in_process(data, mode))


ANSWERS = st.one_of(
    st.sampled_from(["", "y", "n", "?", "yes", "NO", "4", "6 levels", "1,024", "2^3+2", "banana",
                     "4 or 5", "1e3", "log2(1024)", "((((", "9" * 300, "1/0", "\r", "\t"]),
    st.text(max_size=60),
)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(answers=st.lists(ANSWERS, max_size=60), mode=st.sampled_from(MODES),
       newline=st.booleans())
def test_random_lines(answers: list[str], mode: dict[str, object], newline: bool) -> None:
    text = "\n".join(answers) + ("\n" if newline else "")
    out = run_in_process(text.encode("utf-8", errors="surrogatepass"), mode)
    check_output(out)
    k, n = score_of(out)
    assert 0 <= k <= n


def test_score_counts_only_finished_items_in_process() -> None:
    out = run_in_process(b"4\nbanana\n?\n", {"exercise_id": "wavenet-depth"})
    assert out.splitlines()[-1] == "score: 1/1"


def test_on_finish_gets_the_result() -> None:
    seen = []
    stdout = io.StringIO()
    plain.quiz(LIBRARY_ROOT, "wavenet", exercise_id="wavenet-depth",
               stdin=io.StringIO("4\n5\n5\n"), stdout=stdout, on_finish=seen.append)
    (result,) = seen
    assert result.score == "1/2"
    assert [o.item_id for o in result.outcomes] == ["wavenet-depth/levels-16",
                                                    "wavenet-depth/levels-64"]
