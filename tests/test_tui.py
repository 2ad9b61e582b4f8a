"""Pilot tests of the TUI: every flow end to end against a temporary data dir and library."""

from __future__ import annotations

import gc
import io
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Static, TextArea
from textual.widgets._footer import FooterKey

from studyapp import calc
from studyapp.paths import find_library
from studyapp.store import Identity, ReviewStore
from studyapp.tui.app import StudyApp, create_app
from studyapp.tui.commands import StudyCommands
from studyapp.tui.screens.calculator import CalculatorScreen
from studyapp.tui.screens.export import ExportScreen
from studyapp.tui.screens.help import HelpScreen
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.quiz import QuizScreen
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.screens.stats import StatsScreen
from studyapp.tui.widgets.deck_list import DeckList
from studyapp.tui.widgets.markdown_text import MarkdownText
from studyapp.tui.widgets.session_view import SessionView
from tests.conftest import REPO

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SIZE = (80, 24)
DECK = "wavenet"
EXERCISE_ANSWERS = ["4", "6", "10", "16", "64", "1024", "4", "3"]
"""The wavenet-depth exercise's right answers, step by step."""
CHAIN_ANSWERS = ["7", "128", "1280", "20", "1428"]
"""wavenet-chain as written (context 100, embedding 10, hidden 68)."""
QUESTIONS = 4
CARDS = 7
EXERCISES = 2
ITEMS = QUESTIONS + CARDS + EXERCISES


def clock() -> datetime:
    return NOW


def copy_library(target: Path) -> Path:
    """The built-in library's decks and exercises, copied to `target`."""
    for folder in ("decks", "exercises"):
        shutil.copytree(REPO / folder, target / folder)
    return target


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return copy_library(tmp_path / "library")


def make_app(library: Path, data_dir: Path, **kwargs: object) -> StudyApp:
    return create_app(library, data_dir, clock=clock, **kwargs)  # type: ignore[arg-type]


async def wait_for_library(pilot: Pilot[int]) -> None:
    """Let the library worker finish and its message land (no clock involved)."""
    app = pilot.app
    assert isinstance(app, StudyApp)
    for _ in range(200):
        if app.library is not None or app.library_error is not None:
            break
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.library is not None, app.library_error
    await pilot.pause()


async def type_text(pilot: Pilot[int], text: str) -> None:
    await pilot.press(*text)


def text_of(widget: Widget) -> str:
    """The plain text a Static (or Label) shows."""
    assert isinstance(widget, Static)
    return str(widget.render())


def texts(pilot: Pilot[int], selector: str) -> list[str]:
    return [text_of(w) for w in pilot.app.screen.query(selector)]


def session_view(pilot: Pilot[int]) -> SessionView:
    return pilot.app.screen.query_one(SessionView)


async def answer(pilot: Pilot[int], text: str) -> None:
    """Type into the numeric answer box and press enter."""
    box = pilot.app.screen.query_one("#sv-answer", Input)
    assert box.has_focus, "the answer box should have the focus"
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def store_of(pilot: Pilot[int]) -> ReviewStore:
    app = pilot.app
    assert isinstance(app, StudyApp) and app.store is not None
    return app.store


# -- home ------------------------------------------------------------------------------


async def test_home_lists_the_deck_with_counts(
    library: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(library.parent))
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DeckList)
        assert table.row_count == 1
        deck, due, new, total, title = table.get_row_at(0)
        assert (deck, due, new, total) == (DECK, "0", str(ITEMS), str(ITEMS))
        assert title.startswith("Practice: a WaveNet-style")
        assert text_of(app.screen.query_one("#home-status")) == "1 deck in ~/library"
        assert "WaveNet-style model replaces" in text_of(app.screen.query_one("#home-about"))
        assert not app.screen.query_one("#home-problems").has_class("shown")
        assert app.sub_title == "~/library"


async def test_a_library_in_a_generic_folder_is_named_by_its_place(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `studyapp` run in ~/code/src, which holds decks/: "src" alone said nothing.
    home = tmp_path / "home"
    library = copy_library(home / "code" / "src")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(library)
    app = make_app(find_library(None), data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        assert text_of(app.screen.query_one("#home-title")) == "studyapp — ~/code/src"
        assert text_of(app.screen.query_one("#home-status")) == "1 deck in ~/code/src"


async def test_home_shows_a_broken_deck_with_its_error_line(
    library: Path, data_dir: Path
) -> None:
    (library / "decks" / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\ncardz:\n  - front: a\n    back: b\n", encoding="utf-8"
    )
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        table = app.screen.query_one("#decks", DeckList)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [DECK]
        problems = app.screen.query_one("#home-problems", Static)
        assert problems.has_class("shown")
        lines = text_of(problems).splitlines()
        assert lines[0] == "⚠ 1 file did not load:"
        assert lines[1].startswith("  decks/broken.yaml:3:1: ")
        assert "cardz" in lines[1]
        # The good deck still works.
        await pilot.press("q")
        assert isinstance(app.screen, QuizScreen)


# -- review ----------------------------------------------------------------------------


def review_screen(pilot: Pilot[int]) -> ReviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen) and screen.engine is not None
    return screen


def current_item(pilot: Pilot[int]) -> str | None:
    view = review_screen(pilot).engine.view()  # type: ignore[union-attr]
    return None if view.item is None else view.item.identity.item_id


async def reveal_and_rate(pilot: Pilot[int], rating: str) -> None:
    await pilot.press("space")
    await pilot.pause()
    await pilot.press(rating)
    await pilot.pause()


async def test_full_review_session_saves_every_rating_and_undo_restores(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("r")
        await pilot.pause()
        screen = review_screen(pilot)
        store = store_of(pilot)
        assert current_item(pilot) == "flat-mlp-crude"
        assert text_of(screen.query_one("#review-progress")) == f"1 of {ITEMS} · question"

        # A rating before the answer is shown does nothing.
        await pilot.press("3")
        assert store.review_count(DECK) == 0
        assert not screen.query(".back")

        await pilot.press("space")
        await pilot.pause()
        (back,) = screen.query(".back").results(MarkdownText)
        assert back.source.startswith("Every context character's embedding")
        choices = text_of(screen.query_one("#review-choices"))
        assert "1 again (" in choices and "4 easy (" in choices

        await pilot.press("3")
        await pilot.pause()
        assert store.review_count(DECK) == 1
        first = Identity(DECK, "flat-mlp-crude")
        state = store.state(first)
        assert state is not None and state.last_review == NOW
        saved = text_of(screen.query_one("#review-saved"))
        assert saved.startswith("saved good · due ") and "(in 10m)" in saved

        # Undo: the item is back, current, and never reviewed again in the store.
        await pilot.press("u")
        await pilot.pause()
        assert store.review_count(DECK) == 0
        assert store.state(first) is None
        assert current_item(pilot) == "flat-mlp-crude"
        assert text_of(screen.query_one("#review-saved")).startswith("undone · ")
        assert not screen.query(".back")

        # Easy everywhere: nothing comes back. The cards on the questions' facts are
        # buried: 4 questions, then the 3 cards without a sibling.
        shown = []
        for _ in range(7):
            shown.append(current_item(pilot))
            await reveal_and_rate(pilot, "4")
        assert shown == [
            "flat-mlp-crude", "wavenet-core-idea", "receptive-field-doubling",
            "depth-not-width", "single-fusion", "hierarchy-benefits", "modern-ai-connection",
        ]
        assert store.review_count(DECK) == 7

        # The worked exercises come last: walk the first, all right: it is rated good.
        assert current_item(pilot) == "exercise:wavenet-depth"
        for text in EXERCISE_ANSWERS:
            await answer(pilot, text)
        assert store.review_count(DECK) == 8
        assert "saved good · due " in text_of(screen.query_one("#review-choices"))
        await pilot.press("space")  # on to the next exercise
        await pilot.pause()
        assert current_item(pilot) == "exercise:wavenet-chain"

        # Undo (ctrl+z works with the answer box focused): the first exercise's rating is
        # taken back and it is at its last step, as it was.
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert store.review_count(DECK) == 7
        assert store.state(Identity(DECK, "exercise:wavenet-depth")) is None
        assert current_item(pilot) == "exercise:wavenet-depth"
        assert "step 8 of 8" in text_of(pilot.app.screen.query_one("#sv-progress"))
        await pilot.press("escape")  # 7 steps answered and not saved: it asks first
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The home screen recounts: the undone exercise is new again, like the second one.
        table = app.screen.query_one("#decks", DeckList)
        assert table.get_row_at(0)[2] == "2"

    with ReviewStore.open(data_dir, now=NOW) as store:
        assert store.review_count(DECK) == 7
        assert store.state(Identity(DECK, "exercise:wavenet-depth")) is None


async def test_review_exercise_with_mistakes_is_rated_again(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        while current_item(pilot) != "exercise:wavenet-depth":
            await reveal_and_rate(pilot, "4")
        await answer(pilot, "5")  # wrong, try again
        await answer(pilot, "5")  # wrong again: the step is missed
        await pilot.press("ctrl+g")  # give up
        await pilot.pause()
        for text in EXERCISE_ANSWERS[2:]:
            await answer(pilot, text)
        assert "saved again · due " in text_of(review_screen(pilot).query_one("#review-choices"))
        # The pinned row names what space does now: move on (it says reveal on a card).
        assert "space to continue" in text_of(review_screen(pilot).query_one("#review-choices"))
        active = {b.binding.key: b.binding.action for b in app.active_bindings.values()}
        assert active["space"] == "proceed"
        store = store_of(pilot)
        state = store.state(Identity(DECK, "exercise:wavenet-depth"))
        assert state is not None


SMALL_DECK = """\
id: small
title: Small
cards:
  - {id: one, front: One?, back: Uno.}
  - {id: two, front: Two?, back: Dos.}
exercises: [wavenet-depth]
"""


@pytest.fixture
def small_library(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    (root / "decks").mkdir(parents=True)
    (root / "exercises").mkdir()
    shutil.copy(REPO / "exercises" / "wavenet-depth.yaml", root / "exercises")
    (root / "decks" / "small.yaml").write_text(SMALL_DECK, encoding="utf-8")
    return root


async def test_a_card_rated_again_comes_back_and_the_summary_says_how_it_went(
    small_library: Path, data_dir: Path
) -> None:
    deck = small_library / "decks" / "small.yaml"
    deck.write_text(SMALL_DECK.replace("exercises: [wavenet-depth]", "  - {id: three, "
                                       "front: Three?, back: Tres.}"), encoding="utf-8")
    app = make_app(small_library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        screen = review_screen(pilot)
        assert current_item(pilot) == "one"
        await reveal_and_rate(pilot, "1")  # again: back in a minute
        assert current_item(pilot) == "two"
        await reveal_and_rate(pilot, "4")
        assert current_item(pilot) == "three"
        await pilot.press("b")  # buried until tomorrow
        await pilot.pause()
        assert text_of(screen.query_one("#review-saved")).startswith("buried until tomorrow")
        # Nothing else is left: the forgotten card is shown early, marked.
        assert current_item(pilot) == "one"
        assert text_of(screen.query_one("#review-progress")).endswith("card · again")
        await reveal_and_rate(pilot, "3")  # good: to its 10-minute step, shown early too
        assert current_item(pilot) == "one"
        await reveal_and_rate(pilot, "3")  # graduates
        assert current_item(pilot) is None
        summary = text_of(screen.query_one("#review-summary"))
        assert "Reviewed 2 items (4 reviews)" in summary
        assert "Ratings: again 1 · hard 0 · good 2 · easy 1" in summary
        assert "Graduated: 2 · still learning: 0 · buried: 1" in summary
        assert "Next due: " in summary and "(in " in summary
        assert store_of(pilot).review_count("small") == 4


async def test_undo_inside_an_exercise_keeps_the_exercise_where_it_was(
    small_library: Path, data_dir: Path
) -> None:
    app = make_app(small_library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        await reveal_and_rate(pilot, "4")
        await reveal_and_rate(pilot, "4")
        assert current_item(pilot) == "exercise:wavenet-depth"
        await answer(pilot, EXERCISE_ANSWERS[0])
        await answer(pilot, EXERCISE_ANSWERS[1])
        store = store_of(pilot)
        assert store.review_count("small") == 2
        await pilot.press("ctrl+z")  # the answer box has the focus: u would be typed
        await pilot.pause()
        assert store.review_count("small") == 1
        assert current_item(pilot) == "two"
        await reveal_and_rate(pilot, "3")
        assert current_item(pilot) == "exercise:wavenet-depth"
        assert "step 3 of 8" in text_of(pilot.app.screen.query_one("#sv-progress"))
        for text in EXERCISE_ANSWERS[2:]:
            await answer(pilot, text)
        assert "saved good · due " in text_of(review_screen(pilot).query_one("#review-choices"))


# -- quiz ------------------------------------------------------------------------------


async def test_exercise_quiz_scores_and_requizzes_the_missed(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.exercise_id == "wavenet-depth"
        assert text_of(screen.query_one("#sv-progress")).startswith("step 1 of 8 · Depth buys")

        # A hint, an unreadable answer (not counted), then a wrong one.
        await answer(pilot, "?")
        hint = text_of(screen.query_one("#sv-note"))
        assert hint == "hint: Look for the k with 2ᵏ = 16."  # Markdown shown as text, math as math
        await answer(pilot, "four")
        assert text_of(screen.query_one("#sv-note")).startswith("⚠ ")
        assert session_view(pilot).session.current() is not None
        box = screen.query_one("#sv-answer", Input)
        box.value = ""
        # Wrong with an attempt left: try again, with the known mistake's text.
        await answer(pilot, "5")
        assert text_of(screen.query_one("#sv-note")) == (
            "✗ wrong, try again\n"  # the hint was taken already: not offered again
            "One level too many: 4 levels already reach 2⁴ = 16 characters, enough for 16."
        )
        assert texts(pilot, ".feedback-wrong") == []
        assert box.value == ""
        # Wrong again: the answer, how the expression was read, and the mistake's text.
        await answer(pilot, "2^4")
        assert texts(pilot, ".feedback-wrong") == ["wrong: 2^4 = 16, expected 4"]
        assert texts(pilot, ".feedback-mistake") == [
            "16 is the context itself; the question asks for the levels, the k with 2ᵏ = 16."
        ]

        # The rest right, in the forms people type.
        for text in ["6", "10 levels", "16", "2^6", "1,024", "4", "3"]:
            await answer(pilot, text)
        assert len(texts(pilot, ".feedback-correct")) == 7
        summary = [t for t in texts(pilot, ".section-title") if t.startswith("Score")]
        assert summary == ["Score: 7/8"]
        missed = texts(pilot, ".missed-item")
        assert missed == [
            "  ✗ To give the model a 16-character context, how many levels of pairwise "
            "fusion must the tree have?"
        ]
        # The exercise's own summary line.
        assert any("7 of 8 steps right" in t for t in texts(pilot, ".section-title"))

        # The quiz went into the store's history (never the schedule).
        store = store_of(pilot)
        assert store.review_count() == 0
        with sqlite3.connect(data_dir / "reviews.sqlite3") as conn:
            correct = conn.execute(
                "SELECT sum(correct), count(*) FROM quiz_results"
            ).fetchone()
        assert correct == (7, 8)

        # m: just the missed step again.
        await pilot.press("m")
        await pilot.pause()
        view = session_view(pilot)
        assert view.session.result().total == 1
        assert text_of(screen.query_one("#sv-progress")).startswith("1 of 1 · step 1 of 8")
        await answer(pilot, "4")
        assert [t for t in texts(pilot, ".section-title") if t.startswith("Score")] == [
            "Score: 1/1"
        ]
        assert "Everything right" in " ".join(texts(pilot, ".choices"))
        # Nothing was missed this time: m does nothing; a starts the whole exercise over.
        await pilot.press("m")
        await pilot.pause()
        assert session_view(pilot).session.current() is None
        await pilot.press("a")
        await pilot.pause()
        assert session_view(pilot).session.result().total == 8


async def test_quiz_open_question_card_and_give_up(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir, start="quiz")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        view = session_view(pilot)

        # An open question: write first (y and n are letters here, not keys), then reveal.
        area = screen.query_one("#answer-area", TextArea)
        assert area.has_focus
        await type_text(pilot, "one layer, no stages")
        assert area.text == "one layer, no stages"
        assert view.session.current() is not None
        assert not view.session.current().revealed  # type: ignore[union-attr]
        await pilot.press("ctrl+r")
        await pilot.pause()
        (back,) = screen.query("#sv-current .back").results(MarkdownText)
        assert back.source.startswith("Every context character's embedding")
        await pilot.press("y")
        await pilot.pause()

        # Nothing typed this time; y before the reveal changes nothing (the focus is in the
        # answer box, so it is a letter there); then reveal and say no.
        second = view.session.current()
        assert second is not None and second.position == 2
        await pilot.press("y")
        await pilot.pause()
        assert view.session.current() == second
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()

        # Give up the other two questions.
        for _ in range(QUESTIONS - 2):
            await pilot.press("ctrl+g")
            await pilot.pause()

        # A flashcard flips with space.
        current = view.session.current()
        assert current is not None and current.kind == "card"
        await pilot.press("space")
        await pilot.pause()
        assert view.session.current().revealed  # type: ignore[union-attr]
        await pilot.press("y")
        await pilot.pause()
        for _ in range(CARDS - 1):
            await pilot.press("ctrl+g")
            await pilot.pause()
        for text in EXERCISE_ANSWERS + CHAIN_ANSWERS:
            await answer(pilot, text)

        assert [t for t in texts(pilot, ".section-title") if t.startswith("Score")] == [
            "Score: 15/24"
        ]
        assert len(texts(pilot, ".missed-item")) == 9
        done = texts(pilot, ".done-step")
        assert done[0].startswith("✓ How does the flat MLP mix")
        assert done[1].startswith("✗ What is the central idea of WaveNet")


async def test_quiz_footer_offers_only_the_keys_that_fit(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("w")
        await pilot.pause()
        view = session_view(pilot)
        assert view.check_action("hint", ()) is True
        assert view.check_action("reveal", ()) is False
        assert view.check_action("knew", (True,)) is False
        active = {b.binding.action for b in app.active_bindings.values()}
        assert "hint" in active and "give_up" in active
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert screen.check_action("retry_missed", ()) is False
        # ctrl+o asks for the hint while the answer box has the focus.
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert text_of(screen.query_one("#sv-note")).startswith("hint: ")


async def test_carried_forward_feedback_and_a_fresh_version_of_the_chained_exercise(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir, start="quiz", deck_id=DECK, exercise_id="wavenet-chain")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.exercise_id == "wavenet-chain"
        # A unit that is not the step's is not graded: the note says which one it asks for.
        await answer(pilot, "7 numbers")
        assert text_of(screen.query_one("#sv-note")) == (
            "⚠ not graded: this step asks for levels, not numbers; answer again")
        screen.query_one("#sv-answer", Input).value = ""
        # 6 levels, wrong twice; then the field and the width that follow from it.
        await answer(pilot, "6")
        assert text_of(screen.query_one("#sv-note")).startswith(
            "✗ wrong, try again (? for a hint)\nThat rounds log₂(100) down")
        await answer(pilot, "6 levels")
        assert texts(pilot, ".feedback-wrong") == ["wrong, expected 7"]
        await answer(pilot, "2^6")
        await answer(pilot, "640")
        assert texts(pilot, ".feedback-correct") == [
            "correct (carried forward from your answer to levels)",
            "correct (carried forward from your answer to field)",
        ]
        await answer(pilot, "20")
        # The last answer's feedback comes before the exercise's summary and the score.
        await answer(pilot, "1428")
        history = [text_of(w) for w in screen.query("#sv-history > Static")
                   if not isinstance(w, MarkdownText)]
        score = history.index("Score: 4/5")
        assert history[score - 3].startswith("✓ That fusion's linear layer")
        assert history[score - 2] == "correct"
        assert history[score - 1] == (
            "One calculation, start to finish: from a context to a fusion's parameters: "
            "4 of 5 steps right · hints 0 · gave up 0 · carried forward 2"
        )
        assert [t for t in texts(pilot, ".section-title") if t.startswith("Score")] == [
            "Score: 4/5"
        ]
        assert "f try a fresh version" in " ".join(texts(pilot, ".choices"))
        assert screen.check_action("fresh", ()) is True

        # f: the same exercise with new numbers, each answer from the calculator.
        await pilot.press("f")
        await pilot.pause()
        banner = texts(pilot, ".section-title")[0]
        assert banner.startswith("Fresh version: context=")
        view = session_view(pilot)
        items = view.session.items
        assert [i.step_id for i in items] == [
            "levels", "field", "flat-width", "fusion-in", "fusion-params"]
        assert [i.expected for i in items] != [7, 128, 1280, 20, 1428]
        for item in items:
            await answer(pilot, str(item.expected))
        assert [t for t in texts(pilot, ".section-title") if t.startswith("Score")] == [
            "Score: 5/5"
        ]


async def test_the_first_exercise_has_no_fresh_version(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("w")
        await pilot.pause()
        for text in EXERCISE_ANSWERS:
            await answer(pilot, text)
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        assert screen.check_action("fresh", ()) is False
        assert "fresh" not in " ".join(texts(pilot, ".choices"))


# -- practice --------------------------------------------------------------------------


async def test_practice_gives_feedback_on_generated_problems(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.practice
        view = session_view(pilot)
        assert view.session.result().total == 10

        def expected() -> int | float:
            prompt = view.session.current()
            assert prompt is not None and prompt.item.kind == "practice"
            assert prompt.item.expected is not None
            return prompt.item.expected

        right = expected()
        await answer(pilot, str(right))
        assert texts(pilot, ".feedback-correct")[-1] == "correct"

        wrong = expected() + 1
        await answer(pilot, str(wrong))
        assert text_of(screen.query_one("#sv-note")).startswith(
            "✗ wrong, try again (? for a hint)")
        await answer(pilot, str(wrong))
        assert texts(pilot, ".feedback-wrong")[-1].startswith("wrong, expected ")

        await answer(pilot, "banana")
        assert text_of(screen.query_one("#sv-note")).startswith("⚠ ")
        screen.query_one("#sv-answer", Input).value = ""
        await answer(pilot, "")  # empty: give up
        assert texts(pilot, ".feedback-wrong")[-1].startswith("gave up, expected ")
        assert view.session.current() is not None
        assert view.session.current().position == 4  # type: ignore[union-attr]

        # The rest of the set right. The last answer's feedback stays in view above the
        # set's score; f draws a fresh set, which starts with the running score.
        for _ in range(7):
            await answer(pilot, str(expected()))
        assert len(texts(pilot, ".done-step")) == 10
        assert texts(pilot, ".feedback-correct")[-1] == "correct"
        assert texts(pilot, ".section-title")[-1] == "Set score: 8/10 · so far 8/10"
        assert screen.check_action("fresh", ()) is True
        await pilot.press("f")
        await pilot.pause()
        banner = texts(pilot, ".section-title")[0]
        assert banner.startswith("Last set 8/10 · so far 8/10 · fresh problems below")
        assert session_view(pilot).session.result().total == 10
        assert not texts(pilot, ".done-step")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


# -- calculator ------------------------------------------------------------------------


def table_lines(widget: Widget) -> list[str]:
    """The lines a Static holding a Rich table shows, at the width it has on screen."""
    assert isinstance(widget, Static)
    width = widget.content_region.width
    console = Console(width=width, file=io.StringIO(), color_system=None)
    lines = console.render_lines(widget.content, console.options.update_width(width))
    return ["".join(segment.text for segment in line).rstrip() for line in lines]


def cell(lines: list[str], row: str, column: str, next_column: str | None = None) -> str:
    """The text of one cell of a table drawn by `table_lines` (the first column names the
    row; a long value folds onto the lines below it, in its own column)."""
    header = lines[0]
    names = header.index(header.split()[1])  # the width of the first column
    start = header.index(column)
    end = header.index(next_column) if next_column else None
    first = next(i for i, line in enumerate(lines) if line.split()[:1] == [row])
    text = lines[first][start:end].strip()
    for line in lines[first + 1:]:
        if line[:names].strip():
            break  # the next row
        text += line[start:end].strip()
    return text


async def test_footers_show_their_screens_keys_and_let_go_of_the_old_ones(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)

        def footer_keys() -> set[str]:
            return {key.key for key in app.screen.query(FooterKey)}

        def shown_keys() -> set[str]:
            return {key for key, active in app.screen.active_bindings.items()
                    if active.binding.show}

        def keys_alive() -> int:
            gc.collect()
            return sum(isinstance(thing, FooterKey) for thing in gc.get_objects())

        alive = []
        for _ in range(6):
            for key, screen_type in (("c", CalculatorScreen), ("s", StatsScreen)):
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, screen_type)
                assert footer_keys() - {"ctrl+p"} == shown_keys()
                await pilot.press("escape")
                await pilot.pause()
                assert footer_keys() == shown_keys() and "c" in footer_keys()
            alive.append(keys_alive())
        # Textual's Footer kept every key it ever replaced alive (one more screenful a visit).
        assert alive[-1] == alive[1], alive


async def test_calculator_updates_and_refuses_bad_input_in_place(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalculatorScreen)
        context = screen.query_one("#calc-context", Input)
        assert context.has_focus and context.value == "8"
        summary = screen.query_one("#calc-summary", Static)
        params = screen.query_one("#calc-params", Static)
        error = screen.query_one("#calc-error", Static)
        stale = screen.query_one("#calc-stale", Static)

        def levels() -> str:
            return table_lines(summary)[0].split("levels needed")[1].strip()

        def numbers_shown() -> bool:
            shown = [w.display for w in screen.query("#calc-results .result")]
            assert all(shown) or not any(shown)
            return all(shown) and not stale.display

        assert levels().startswith("3 ") and numbers_shown()

        # Letters never get into a number box.
        await pilot.press("end", "x", "y")
        assert context.value == "8"

        # No numbers beside an error: those on screen would be the last sizes' numbers.
        await pilot.press("backspace", "0")
        await pilot.pause()
        assert context.value == "0"
        assert error.has_class("shown")
        assert text_of(error).startswith("⚠ context must be a whole number ≥ 1")
        assert not numbers_shown()
        assert text_of(stale) == "No numbers until every size on the left works."

        await pilot.press("backspace")
        await pilot.pause()
        assert text_of(error) == "⚠ context: type a whole number"
        assert not numbers_shown()

        # Not a power of 2: the flat model still works, the tree says why not.
        await pilot.press("6")
        await pilot.pause()
        assert not error.has_class("shown") and numbers_shown()
        assert text_of(screen.query_one("#calc-note")).startswith(
            "Tree model: context must be a power of 2"
        )
        assert table_lines(params)[-1].split() == ["total", "6,349", "–"]

        await pilot.press("backspace", *"1024")
        await pilot.pause()
        assert levels().startswith("10 ")
        assert text_of(screen.query_one("#calc-note")) == ""
        assert len(table_lines(screen.query_one("#calc-shapes"))) > 1

        # Another box: embedding 0 is refused too, with the box named.
        await pilot.press("tab")
        embedding = screen.query_one("#calc-embedding", Input)
        assert embedding.has_focus
        await pilot.press("end", "backspace", "backspace", "0")
        await pilot.pause()
        assert error.has_class("shown") and "embedding" in text_of(error)
        assert not numbers_shown()

        # ctrl+l: the lecture's model again.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert context.value == "8" and embedding.value == "10"
        assert levels().startswith("3 ")
        assert not error.has_class("shown") and numbers_shown()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_long_calculator_results_fold_and_every_line_is_reached_by_keys(
    library: Path, data_dir: Path
) -> None:
    sizes = {"context": "1048576", "embedding": "123456789", "hidden": "987654321",
             "vocab": "123456789", "batch": "4096"}
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CalculatorScreen)
        for value in sizes.values():  # the boxes in order; each selects its text on focus
            await pilot.press(*value, "tab")
        await pilot.pause()
        for name, value in sizes.items():
            assert screen.query_one(f"#calc-{name}", Input).value == value
        values = {name: int(value) for name, value in sizes.items()}
        flat = calc.flat_params(values["vocab"], values["context"], values["embedding"],
                                values["hidden"])
        tree = calc.tree_params(values["vocab"], values["context"], values["embedding"],
                                values["hidden"])
        assert len(f"{flat:,}") > 30  # wider than half the right pane

        # Every digit is on screen, folded within the pane rather than cut at its edge.
        params = table_lines(screen.query_one("#calc-params"))
        assert cell(params, "total", "flat", "tree") == f"{flat:,}"
        assert cell(params, "total", "tree") == f"{tree:,}"
        results = screen.query_one("#calc-results")
        for widget in screen.query("#calc-results Static"):
            assert widget.region.right <= results.content_region.right
        summary = table_lines(screen.query_one("#calc-summary"))
        at = next(i for i, line in enumerate(summary) if "first fusion" in line)
        label_end = summary[at].index("first fusion") + len("first fusion")
        x = len(summary[at]) - len(summary[at][label_end:].lstrip())
        words = [summary[at][x:]]
        for line in summary[at + 1:]:
            if line[:x].strip():
                break
            words.append(line[x:].strip())
        fusion_in = calc.fusion_input(values["embedding"], 2)
        assert " ".join(words) == f"{fusion_in:,} numbers in → {values['hidden']:,} out"

        # The last shape comes into view by keys alone (a box still has the focus).
        assert isinstance(screen.focused, Input)
        assert results.max_scroll_y > 0
        for _ in range(30):
            if results.scroll_y >= results.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        assert results.scroll_y == results.max_scroll_y
        shapes = screen.query_one("#calc-shapes")
        assert shapes.region.bottom == results.content_region.bottom


# -- export ----------------------------------------------------------------------------


async def test_export_writes_a_pdf(library: Path, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "cards.pdf"
    target.parent.mkdir()
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-path", Input).value = str(target)
        screen.query_one("#export-exercises", Checkbox).value = True
        await pilot.click("#export-go")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text_of(screen.query_one("#export-status"))
        assert status.startswith("Saved "), status
        assert str(target) in status
        assert target.read_bytes().startswith(b"%PDF")
        assert screen.written == target
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_export_to_an_impossible_path_says_why(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder", encoding="utf-8")
        path_box = screen.query_one("#export-path", Input)
        path_box.value = str(blocker / "cards.pdf")
        path_box.focus()
        await pilot.press("enter")  # enter in the path box exports too
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(screen.query_one("#export-status")).startswith("⚠ ")
        assert screen.written is None
        assert not screen.query_one("#export-go").disabled


async def test_export_to_an_unknown_user_s_home_says_why(library: Path, data_dir: Path) -> None:
    # pathlib's expanduser raises RuntimeError for ~nosuchuser: that crashed the dialog.
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-path", Input).value = "~nosuchuser-studyapp/cards.pdf"
        await pilot.click("#export-go")
        await pilot.pause()
        status = text_of(screen.query_one("#export-status"))
        assert status == ("⚠ ~nosuchuser-studyapp/cards.pdf: cannot expand '~' "
                          "(no such user or home folder)"), status
        assert screen.written is None
        assert not screen.query_one("#export-go").disabled


# -- help, theme, palette, quit --------------------------------------------------------


async def test_help_opens_and_closes(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        for closing_key in ("escape", "question_mark", "q"):
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(closing_key)
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen), closing_key


async def test_ctrl_t_toggles_the_theme(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        assert app.theme in ("textual-light", "textual-dark")
        await pilot.press("ctrl+t")
        assert app.theme == before


async def test_ctrl_q_quits_with_zero_from_any_screen(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("ctrl+q")  # even with the answer box focused
        await pilot.pause()
    assert app.return_value == 0
    assert app.return_code == 0


async def test_command_palette_offers_every_deck_action(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        provider = StudyCommands(app.screen)
        names = [str(hit.text) async for hit in provider.discover()]
        for expected in (
            f"Review {DECK}", f"Quiz {DECK}", f"Practice {DECK}", f"Export {DECK} to PDF",
            "Exercise: work through wavenet-depth", "Calculator: the tree calculator",
        ):
            assert expected in names
        # What people type finds the command they mean, first.
        for query, first in (("exercise", "Exercise: work through"), ("help", "Help"),
                             ("quit", "Quit"), ("theme", "Theme"), ("stats", "Stats"),
                             ("practice", "Practice"), ("export", "Export")):
            found = [hit async for hit in provider.search(query)]
            best = max(found, key=lambda hit: hit.score)
            assert str(best.text).startswith(first), (query, [str(h.text) for h in found])
        hits = [hit async for hit in provider.search("work through")]
        assert hits and "wavenet-depth" in str(hits[0].text)
        hits[0].command()
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and app.screen.exercise_id == "wavenet-depth"


async def test_a_corrupt_database_is_reported_and_left_untouched(
    library: Path, data_dir: Path
) -> None:
    database = data_dir / "reviews.sqlite3"
    garbage = b"definitely not a database\x00" * 100
    database.write_bytes(garbage)
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        status = text_of(app.screen.query_one("#home-status"))
        assert "⚠ review store:" in status and "reviews.sqlite3" in status
        # Counts are unknown, but the deck is listed and a quiz still works.
        table = app.screen.query_one("#decks", DeckList)
        assert [str(c) for c in table.get_row_at(0)[:4]] == [DECK, "–", "–", str(ITEMS)]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # review refused, with a notification
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
    assert database.read_bytes() == garbage


async def test_deck_list_moves_with_keys_and_mouse(library: Path, data_dir: Path) -> None:
    second = (library / "decks" / "wavenet.yaml").read_text(encoding="utf-8")
    second = second.replace("id: wavenet\n", "id: another\n", 1).replace(
        "exercises: [wavenet-depth, wavenet-chain]", "exercises: []"
    )
    (library / "decks" / "zz-another.yaml").write_text(second, encoding="utf-8")
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        decks = app.screen.query_one("#decks", DeckList)
        # Files load in name order: wavenet.yaml, then zz-another.yaml.
        assert [decks.get_row_at(i)[0] for i in range(decks.row_count)] == [DECK, "another"]
        assert decks.get_row_at(1)[3] == "11"  # the copy has no exercise
        await pilot.press("down")
        assert decks.selected == "another"
        await pilot.press("up", "up")
        assert decks.selected == DECK
        await pilot.click("#decks", offset=(3, 2))  # line 0 is the header
        assert decks.selected == "another"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.deck_id == "another"


async def test_suspended_items_are_listed_and_brought_back_from_the_stats_screen(
    small_library: Path, data_dir: Path
) -> None:
    app = make_app(small_library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        await pilot.press("s")  # suspend "one"
        await pilot.pause()
        assert current_item(pilot) == "two"
        store = store_of(pilot)
        assert [h.identity.item_id for h in store.holds(NOW)] == ["one"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")  # home: stats
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        status = text_of(pilot.app.screen.query_one("#held-status"))
        assert status.startswith("1 suspended, 0 buried")
        await pilot.press("enter")
        await pilot.pause()
        assert store.holds(NOW) == []
        assert text_of(pilot.app.screen.query_one("#held-status")) == (
            "Nothing is suspended or buried."
        )


async def test_a_read_only_data_folder_still_shows_the_counts(
    library: Path, data_dir: Path, tmp_path: Path
) -> None:
    import subprocess

    with ReviewStore.open(data_dir, now=NOW) as store:
        store.record_review(Identity(DECK, "flat-mlp-crude"), "question", 4, NOW)
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        shutil.copytree(data_dir, mount / "data")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        app = make_app(library, mount / "data")
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_library(pilot)
            await pilot.pause()
            status = text_of(app.screen.query_one("#home-status"))
            assert "cannot write the review database" in status
            assert "read-only" in status
            table = app.screen.query_one("#decks", DeckList)
            assert table.get_row_at(0)[2] != "–"  # the counts are there
            await pilot.press("s")
            await pilot.pause()
            assert "1 reviews" in text_of(app.screen.query_one("#stats-summary"))
    finally:
        subprocess.run(["umount", str(mount)], check=False)


async def test_escape_halfway_through_an_exercise_in_review_asks_first(
    small_library: Path, data_dir: Path
) -> None:
    app = make_app(small_library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        await reveal_and_rate(pilot, "4")
        await reveal_and_rate(pilot, "4")
        await answer(pilot, EXERCISE_ANSWERS[0])
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # asked, not left
        assert any("Leave review?" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # The question does not stay over the home screen.
        assert not list(app._notifications)


async def test_typing_after_the_leave_question_in_review_asks_again_next_time(
    small_library: Path, data_dir: Path
) -> None:
    app = make_app(small_library, data_dir, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.pause()
        await reveal_and_rate(pilot, "4")
        await reveal_and_rate(pilot, "4")
        await answer(pilot, EXERCISE_ANSWERS[0])
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("6")  # typed into the next step's box: staying
        await pilot.pause()
        assert not list(app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # asked again, not left


async def test_a_key_other_than_escape_keeps_the_quiz_and_drops_the_question(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press("w")
        await pilot.pause()
        await answer(pilot, EXERCISE_ANSWERS[0])
        await pilot.press("escape")
        await pilot.pause()
        assert any("Leave this exercise?" in n.message for n in app._notifications)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert not list(app._notifications)
        await pilot.press("escape")  # asks again rather than leaving
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)


def test_the_collector_waits_for_the_library_then_runs_with_start_up_frozen(
    tmp_path: Path,
) -> None:
    """Start-up runs without garbage collection; once the library has loaded the
    collector is on again and what start-up made is frozen out of its walks."""
    import subprocess
    import sys

    library = copy_library(tmp_path / "lib")
    (tmp_path / "data").mkdir()
    script = f"""
import gc
from pathlib import Path
from studyapp.tui.app import create_app
off_at_import = not gc.isenabled()
app = create_app(Path({str(library)!r}), Path({str(tmp_path / "data")!r}))
seen = []
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        while app.library is None:
            await app.workers.wait_for_complete()
            await pilot.pause()
        for _ in range(20):
            await pilot.pause()
            if gc.isenabled():
                break
        seen.append((gc.isenabled(), gc.get_freeze_count()))
import asyncio
asyncio.run(main())
print(off_at_import, seen[0][0], seen[0][1] > 10000)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


@pytest.mark.parametrize(("key", "opening"), [
    ("p", "Practice: 10 problems made fresh from this deck's exercises"),
    # Each exercise step is an item of its own, as the quiz's "N of M" counts them.
    ("q", f"Quiz: {QUESTIONS + CARDS + len(EXERCISE_ANSWERS) + len(CHAIN_ANSWERS)} items "
          "of this deck, each once."),
])
async def test_practice_and_quiz_say_what_they_are_above_the_first_prompt(
    library: Path, data_dir: Path, key: str, opening: str
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await pilot.press(key)
        await pilot.pause()
        first = app.screen.query("#sv-history > Static").first(Static)
        assert text_of(first).startswith(opening)
        assert "schedule is not touched" in text_of(first)
