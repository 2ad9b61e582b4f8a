"""Worked exercises that teach (issue 11): units, attempts, known mistakes, error carried
forward, fresh versions and practice sets, through `quiz --plain` and the session engine."""

from __future__ import annotations

import copy
import itertools
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp import calc
from studyapp.deck.loader import load_library
from studyapp.deck.models import Exercise
from studyapp.mistakes import KnownMistake
from studyapp.paths import builtin_library
from studyapp.practice import NOUNS, fill, generate_practice
from studyapp.session import (
    Item,
    Session,
    exercise_items,
    items_for_practice,
    variant_items,
)

from .conftest import RunStudyapp, assert_no_traceback

DEPTH = ("quiz", "wavenet", "--plain", "--exercise", "wavenet-depth")
CHAIN = ("quiz", "wavenet", "--plain", "--exercise", "wavenet-chain")
LIBRARY = load_library(builtin_library())
DECK = LIBRARY.deck("wavenet")
EXERCISES = LIBRARY.exercises_of(DECK)
CHAIN_EXERCISE = LIBRARY.exercise("wavenet-chain")
FRESH = re.compile(r"^fresh version: context=(\d+), embedding=(\d+), hidden=(\d+)$")


def run_ok(run_studyapp: RunStudyapp, *args: str, input: str) -> list[str]:
    result = run_studyapp(*args, input=input)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# -- units -------------------------------------------------------------------------------


def test_the_issue_s_units_are_not_graded_and_the_score_is_unaffected(
    run_studyapp: RunStudyapp,
) -> None:
    out = run_ok(run_studyapp, *DEPTH,
                 input="4 numbers\n6 characters\n10 parameters\n64 bananas\n")
    refusals = [line for line in out if line.startswith("not graded")]
    assert refusals == [
        "not graded: this step asks for levels, not numbers; answer again",
        "not graded: this step asks for levels, not characters; answer again",
        "not graded: this step asks for levels, not parameters; answer again",
        'not graded: "bananas" is not a unit I know; this step asks for levels',
    ]
    # Each refusal asks the same step again; nothing was graded.
    assert sum(1 for line in out if line.startswith("1/8. ")) == 5
    assert not any(line.startswith(("correct", "wrong")) for line in out)
    assert out[-1] == "score: 0/0"


def test_the_step_s_unit_in_any_case_and_number_is_accepted(run_studyapp: RunStudyapp) -> None:
    out = run_ok(run_studyapp, *DEPTH, input="4 Levels\n6 level\n10 LEVELS\n16 numbers\n")
    assert out.count("correct") == 4
    assert out[-1] == "score: 4/4"


# -- attempts and how an answer was read -------------------------------------------------


def test_wrong_try_again_then_wrong_expected_with_the_reading_and_explanation(
    run_studyapp: RunStudyapp,
) -> None:
    out = run_ok(run_studyapp, *DEPTH, input="5\n2^4\n")
    first = out.index("wrong, try again (? for a hint)")
    assert out[first + 1] == (
        "One level too many: 4 levels already reach 2⁴ = 16 characters, enough for 16."
    )
    last = out.index("wrong: 2^4 = 16, expected 4")
    assert last > first
    assert out[last + 1] == (
        "16 is the context itself; the question asks for the levels, the k with 2ᵏ = 16."
    )
    assert out[last + 2].startswith("Each level doubles the span")
    assert out[-1] == "score: 0/1"


def test_right_at_the_second_attempt_counts_in_the_score(run_studyapp: RunStudyapp) -> None:
    out = run_ok(run_studyapp, *DEPTH, input="?\n8\n4\n")
    assert "hint: Look for the k with 2ᵏ = 16." in out  # Markdown rendered, math as math
    assert "wrong, try again" in out  # the hint was seen: not offered again
    assert out[out.index("wrong, try again") + 1].startswith("8 is 16 halved once")
    assert "correct" in out
    assert out[-1] == "score: 1/1"


def test_a_deck_mistake_by_calc_is_named(run_studyapp: RunStudyapp) -> None:
    out = run_ok(run_studyapp, *DEPTH, input="65536\n")
    assert out[out.index("wrong, try again (? for a hint)") + 1] == (
        "That is what 16 levels would see, 2¹⁶; here 16 is the context, not the number of "
        "levels."
    )


# -- error carried forward ---------------------------------------------------------------


def test_a_carried_forward_answer_is_marked_and_counted(run_studyapp: RunStudyapp) -> None:
    # 6 levels for 100 characters is wrong (twice); 2^6 = 64 and 64 × 10 follow from it.
    out = run_ok(run_studyapp, *CHAIN, input="6\n6\n64\n640\n20\n1428\n")
    assert "wrong, expected 7" in out
    assert "correct (carried forward from your answer to levels)" in out
    assert "correct (carried forward from your answer to field)" in out
    assert "exercise done: 4/5 steps right, 0 hints, 0 given up, 2 carried forward" in out
    assert out[-1] == "score: 4/5"


def test_the_right_chain_is_right_and_a_number_that_follows_from_nothing_is_wrong(
    run_studyapp: RunStudyapp,
) -> None:
    out = run_ok(run_studyapp, *CHAIN, input="6\n6\n128\n100\n100\n")
    assert out.count("correct") == 1  # 128 is right whatever the learner said before
    assert "wrong, expected 1280" in out  # 100 follows from neither 128 nor the 6
    assert out[-1] == "score: 1/3"


# -- fresh versions ------------------------------------------------------------------------


def chain_values(context: int, embedding: int, hidden: int) -> list[int]:
    levels = calc.levels_needed(context)
    field = calc.receptive_field(levels)
    return [
        levels,
        field,
        calc.flat_input_width(field, embedding),
        calc.fusion_input(embedding),
        calc.fusion_params(embedding, hidden),
    ]


@pytest.mark.parametrize("seed", [1, 5, 42])
def test_a_variant_is_reproducible_and_graded_by_the_calculator(
    run_studyapp: RunStudyapp, seed: int
) -> None:
    args = (*CHAIN, "--variant", "--seed", str(seed))
    out = run_ok(run_studyapp, *args, input="\n" * 5)
    assert out == run_ok(run_studyapp, *args, input="\n" * 5)
    (fresh,) = [m for line in out if (m := FRESH.match(line))]
    context, embedding, hidden = (int(g) for g in fresh.groups())
    assert (context, embedding, hidden) != (100, 10, 68)  # not the exercise as written
    expected = [int(line.removeprefix("gave up, expected ")) for line in out
                if line.startswith("gave up, expected ")]
    assert expected == chain_values(context, embedding, hidden)
    assert any(f"see {context} characters" in line for line in out)
    assert not any("{" in line for line in out)  # every placeholder was filled
    right = run_ok(run_studyapp, *args, input="".join(f"{v}\n" for v in expected))
    assert right[-1] == "score: 5/5"


def test_variant_needs_an_exercise_with_params(run_studyapp: RunStudyapp) -> None:
    result = run_studyapp("quiz", "wavenet", "--plain", "--variant", input="")
    assert_no_traceback(result)
    assert result.returncode == 2
    result = run_studyapp(*DEPTH, "--variant", input="")
    assert_no_traceback(result)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "no params" in errors[0]


# -- practice sets --------------------------------------------------------------------------


def test_a_practice_set_never_repeats_a_problem(run_studyapp: RunStudyapp) -> None:
    out = run_ok(run_studyapp, "quiz", "wavenet", "--plain", "--practice", "40", "--seed", "3",
                 input="\n" * 40)
    prompts = [line.split(". ", 1)[1] for line in out if re.match(r"^\d+/40\. ", line)]
    assert len(prompts) == 40
    assert len(set(prompts)) == 40
    assert out[-1] == "score: 0/40"


@pytest.mark.parametrize("seed", range(5))
def test_sets_are_distinct_until_every_problem_was_asked(seed: int) -> None:
    problems = generate_practice(EXERCISES, 200, random.Random(seed))
    identities = [p.identity for p in problems]
    distinct = len(set(identities))
    # The built-in templates allow fewer than 200 problems: the first round asks each once.
    assert len(set(identities[:distinct])) == distinct
    assert all(a != b for a, b in itertools.pairwise(identities))


_COUNTED = "|".join(sorted(NOUNS.values(), key=len, reverse=True))
ONE_WITH_PLURAL = re.compile(rf"(?<![\^×*·/+\-−(\d])\b1 (?:[a-z-]+ )?(?:{_COUNTED})\b")


def test_every_generated_sentence_agrees_in_number() -> None:
    texts: list[str] = []
    for exercise in EXERCISES:
        for template in exercise.practice:
            names = list(template.params)
            values = [list(dict.fromkeys(template.params[n])) for n in names]
            for combination in _combinations(values):
                params = dict(zip(names, combination, strict=True))
                texts += [fill(t, params) for t in (template.prompt, template.hint or "",
                                                     template.explain or "")]
    assert texts
    bad = [t for t in texts if ONE_WITH_PLURAL.search(t)]
    assert not bad, bad[:3]
    assert "each embedded as 1 number." in " ".join(texts)


def _combinations(values: list[list[int]]) -> list[tuple[int, ...]]:
    return list(itertools.islice(itertools.product(*values), 2000))


# -- the session engine: properties ---------------------------------------------------------


def builtin_items() -> list[Item]:
    items = [item for exercise in EXERCISES for item in exercise_items(DECK.id, exercise)]
    rng = random.Random(0)
    for _ in range(6):
        items += variant_items(DECK.id, CHAIN_EXERCISE, rng)
    items += items_for_practice(DECK, EXERCISES, 60, rng=rng)
    return items


ITEMS = builtin_items()


def forms(value: int) -> list[str]:
    """The ways people type a whole number: plain, with separators, as a calculation."""
    typed = [str(value), f"{value:,}", f"({value})", f"{value - 1}+1", f"{value + 3} - 3"]
    if value % 2 == 0:
        typed.append(f"2*{value // 2}")
    if value > 0 and value & (value - 1) == 0:
        typed += [f"2^{value.bit_length() - 1}", f"2**{value.bit_length() - 1}"]
    return typed


def with_unit(text: str, unit: str | None, style: int) -> str:
    if unit is None or style == 0:
        return text
    word = unit[:-1] if style == 1 and unit.endswith("s") else unit
    return f"{text} {word.upper() if style == 2 else word}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ITEMS), st.data(), st.integers(0, 2))
def test_the_right_answer_in_any_accepted_form_is_correct(
    item: Item, data: st.DataObject, style: int
) -> None:
    assert isinstance(item.expected, int)
    typed = with_unit(data.draw(st.sampled_from(forms(item.expected))), item.unit, style)
    feedback = Session([item]).submit(typed)
    assert feedback.status == "correct", (item.item_id, typed, feedback.verdict)
    assert feedback.done and not feedback.carried


MISTAKES = [(item, mistake) for item in ITEMS for mistake in item.mistakes]


def test_every_built_in_step_has_likely_mistakes() -> None:
    for item in ITEMS:
        if item.kind == "step":
            assert item.mistakes, item.item_id
    depth = exercise_items(DECK.id, LIBRARY.exercise("wavenet-depth"))
    assert all(len(item.mistakes) >= 2 for item in depth)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MISTAKES))
def test_known_mistakes_are_never_accepted_and_say_what_happened(
    pair: tuple[Item, KnownMistake],
) -> None:
    item, mistake = pair
    session = Session([item])
    feedback = session.submit(str(mistake.value))
    assert feedback.status == "wrong" and not feedback.done
    assert feedback.mistake == mistake.says
    assert session.submit(str(mistake.value)).status == "wrong"  # and at the last attempt


def chain_session() -> Session:
    return Session(exercise_items(DECK.id, CHAIN_EXERCISE))


@settings(max_examples=200, deadline=None)
@given(
    levels=st.integers(1, 12),
    field=st.one_of(st.integers(1, 5000), st.sampled_from([2**k for k in range(1, 13)])),
    width=st.integers(1, 50_000),
    multiple=st.booleans(),
)
def test_a_carried_chain_accepts_exactly_the_values_that_follow_from_the_learner(
    levels: int, field: int, width: int, multiple: bool
) -> None:
    session = chain_session()
    first = session.submit(str(levels))
    if not first.done:
        first = session.submit(str(levels))  # the same number at the last attempt
    learner_levels = levels
    assert first.correct == (learner_levels == 7)

    follows = {128, 2**learner_levels}
    second = session.submit(str(field))
    if not second.done:
        assert field not in follows
        second = session.submit(str(field))
    assert second.correct == (field in follows)
    assert second.carried == (second.correct and field != 128)
    if second.carried:
        assert second.carried_from == ("levels",)

    if multiple:
        width = field * 10  # the width that follows from the learner's own field
    third = session.submit(str(width))
    if not third.done:
        third = session.submit(str(width))
    assert third.correct == (width in {1280, field * 10})
    assert third.carried == (third.correct and width != 1280)


def test_the_rating_rule() -> None:
    answers = ["7", "128", "1280", "20", "1428"]
    session = chain_session()
    for answer in answers:
        session.submit(answer)
    assert session.result().exercises[0].rating == "good"
    # A retry: right in the end, so hard.
    session = chain_session()
    session.submit("8")
    for answer in answers:
        session.submit(answer)
    assert session.result().exercises[0].rating == "hard"
    # Carried forward: counted right, but the exercise was not right: again.
    session = chain_session()
    for answer in ["6", "6", "64", "640", "20", "1428"]:
        session.submit(answer)
    (summary,) = session.result().exercises
    assert (summary.right, summary.carried, summary.first_try) == (4, 2, 2)
    assert summary.rating == "again"


def test_a_half_done_session_can_be_snapshot_and_restored() -> None:
    session = chain_session()
    session.submit("6")
    session.submit("6")
    snapshot = copy.deepcopy(session)
    assert session.submit("64").carried
    assert snapshot.submit("64").carried  # the copy has the learner's number too
    assert snapshot.result().score == session.result().score == "1/2"


def test_submit_decides_what_a_line_means() -> None:
    session = chain_session()
    hint = session.submit(" ? ")
    assert (hint.status, hint.done, hint.hint) == ("hint", False, "Find the smallest `k` with "
                                                   "2^k ≥ 100.")
    unit = session.submit("7 numbers")
    assert (unit.status, unit.done) == ("unit", False)
    assert unit.verdict == "not graded: this step asks for levels, not numbers; answer again"
    assert session.submit("   ").status == "gave_up"
    assert session.result().asked == 1


def test_variants_keep_ids_apart_from_the_exercise_as_written() -> None:
    written = exercise_items(DECK.id, CHAIN_EXERCISE)
    fresh = variant_items(DECK.id, CHAIN_EXERCISE, random.Random(2))
    assert [i.step_id for i in written] == [i.step_id for i in fresh]
    assert all(a.item_id != b.item_id for a, b in zip(written, fresh, strict=True))
    info = fresh[0].exercise
    assert info is not None and info.variants and info.variant is not None


def test_an_exercise_without_params_has_no_variants() -> None:
    depth: Exercise = LIBRARY.exercise("wavenet-depth")
    info = exercise_items(DECK.id, depth)[0].exercise
    assert info is not None and not info.variants
