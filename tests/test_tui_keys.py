"""Pilot tests at 80×24: every screen's last line can be brought into view by keys alone,
every screen quits with ctrl+q, escape asks before it throws work away, the theme is kept."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from studyapp.settings import load_settings
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.calculator import CalculatorScreen
from studyapp.tui.screens.export import ExportScreen
from studyapp.tui.screens.help import HelpScreen
from studyapp.tui.screens.home import HomeScreen
from studyapp.tui.screens.quiz import QuizScreen
from studyapp.tui.screens.review import ReviewScreen
from studyapp.tui.screens.stats import StatsScreen
from tests.test_tui import (
    CHAIN_ANSWERS,
    EXERCISE_ANSWERS,
    SIZE,
    answer,
    copy_library,
    make_app,
    text_of,
    wait_for_library,
)

Opener = Callable[[Pilot[int]], Awaitable[None]]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return copy_library(tmp_path / "library")


def body(pilot: Pilot[int]) -> Widget:
    """The current screen's scrolling body (the widget the scroll keys move)."""
    app = pilot.app
    assert isinstance(app, StudyApp)
    target = app.scroll_target()
    assert target is not None
    return target


def last_line_in_view(target: Widget) -> bool:
    """The body is scrolled to its end and its last widget ends inside the visible part."""
    shown = [w for w in target.query("*") if w.display and w.region.height]
    last = max(shown, key=lambda w: w.virtual_region.bottom) if shown else target
    visible = target.scrollable_content_region
    return (round(target.scroll_y) == target.max_scroll_y
            and last.region.bottom <= visible.bottom + target.scroll_offset.y + 1
            and last.region.bottom <= target.region.bottom)


async def keys(pilot: Pilot[int], *pressed: str) -> None:
    await pilot.press(*pressed)
    await pilot.pause()


async def open_key(pilot: Pilot[int], key: str) -> None:
    await keys(pilot, key)


async def exercise_half_done(pilot: Pilot[int]) -> None:
    """Five steps of the worked exercise answered: a history taller than the screen."""
    await keys(pilot, "w")
    for text in EXERCISE_ANSWERS[:5]:
        await answer(pilot, text)


async def exercise_done(pilot: Pilot[int]) -> None:
    await keys(pilot, "w")
    for text in EXERCISE_ANSWERS:
        await answer(pilot, text)


async def review_revealed(pilot: Pilot[int]) -> None:
    await keys(pilot, "r")
    for rating in ("3", "3", "1"):
        await keys(pilot, "space", rating)
    await keys(pilot, "space")


async def practice_set(pilot: Pilot[int]) -> None:
    await keys(pilot, "p")
    for _ in range(4):
        await keys(pilot, "enter")  # give up: history grows


SCREENS: dict[str, Opener] = {
    "home": keys,
    "review": review_revealed,
    "exercise": exercise_half_done,
    "exercise summary": exercise_done,
    "practice": practice_set,
    "calculator": lambda pilot: open_key(pilot, "c"),
    "stats": lambda pilot: open_key(pilot, "s"),
    "help": lambda pilot: open_key(pilot, "question_mark"),
    "export": lambda pilot: open_key(pilot, "e"),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_the_last_line_of_every_screen_comes_into_view_by_keys(
    name: str, library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await SCREENS[name](pilot)
        target = body(pilot)
        await keys(pilot, "pageup", "pageup", "pageup", "pageup", "pageup", "pageup")
        assert target.scroll_y == 0
        for _ in range(12):
            await keys(pilot, "pagedown")
        assert last_line_in_view(target), (name, target.scroll_y, target.max_scroll_y)
        if target.max_scroll_y == 0:
            return  # it all fits: nothing more to scroll
        await keys(pilot, "pageup")
        assert target.scroll_y < target.max_scroll_y


@pytest.mark.parametrize("name", ["review", "stats", "help", "exercise summary"])
async def test_home_end_arrows_and_j_k_scroll_where_no_box_has_the_focus(
    name: str, library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=(80, 14)) as pilot:  # short, so every body overflows
        await wait_for_library(pilot)
        await SCREENS[name](pilot)
        target = body(pilot)
        assert not isinstance(app.focused, Input)
        assert target.max_scroll_y > 0
        await keys(pilot, "home")
        assert target.scroll_y == 0
        await keys(pilot, "j")
        assert target.scroll_y == 1
        await keys(pilot, "down")
        assert target.scroll_y == 2
        await keys(pilot, "k", "up")
        assert target.scroll_y == 0
        await keys(pilot, "end")
        assert last_line_in_view(target)


async def test_page_keys_scroll_while_the_answer_box_has_the_focus(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await exercise_half_done(pilot)
        box = app.screen.query_one("#sv-answer", Input)
        target = body(pilot)
        assert box.has_focus and target.max_scroll_y > 0
        await keys(pilot, "pageup")
        assert target.scroll_y < target.max_scroll_y
        assert box.has_focus and box.value == ""  # nothing typed into the box
        await keys(pilot, "pagedown", "pagedown", "pagedown")
        assert last_line_in_view(target)
        assert box.has_focus


async def test_progress_and_rating_rows_stay_pinned_while_the_body_scrolls(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await exercise_half_done(pilot)
        progress = app.screen.query_one("#sv-progress")
        assert text_of(progress).startswith("step 6 of 8")
        top = progress.region
        await keys(pilot, "pageup", "pageup")
        assert progress.region == top and top.height == 1 and top.y == 1  # under the header
        await keys(pilot, "escape", "escape", "r")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await keys(pilot, "space")
        choices = screen.query_one("#review-choices")
        assert "3 good (" in text_of(choices)
        assert choices.region.bottom == SIZE[1] - 1  # just above the footer
        await keys(pilot, "3", "u")  # after an undo the rating row is still there
        await keys(pilot, "space")
        assert "3 good (" in text_of(choices) and choices.region.bottom == SIZE[1] - 1


QUIT_FROM: dict[str, tuple[Opener, type]] = {
    "home": (keys, HomeScreen),
    "review": (lambda pilot: open_key(pilot, "r"), ReviewScreen),
    "quiz": (lambda pilot: open_key(pilot, "q"), QuizScreen),
    "exercise": (lambda pilot: open_key(pilot, "w"), QuizScreen),
    "practice": (lambda pilot: open_key(pilot, "p"), QuizScreen),
    "calculator": (lambda pilot: open_key(pilot, "c"), CalculatorScreen),
    "stats": (lambda pilot: open_key(pilot, "s"), StatsScreen),
    "help": (lambda pilot: open_key(pilot, "question_mark"), HelpScreen),
    "export": (lambda pilot: open_key(pilot, "e"), ExportScreen),
}


@pytest.mark.parametrize("name", list(QUIT_FROM))
async def test_ctrl_q_quits_from_every_screen(name: str, library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    opener, kind = QUIT_FROM[name]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await opener(pilot)
        assert isinstance(app.screen, kind)
        await keys(pilot, "ctrl+q")
    assert app.return_code == 0 and app.return_value == 0


@pytest.mark.parametrize("name", ["home", "review", "quiz", "calculator", "stats"])
async def test_every_footer_shows_the_quit_key(name: str, library: Path, data_dir: Path
                                               ) -> None:
    app = make_app(library, data_dir)
    opener, _ = QUIT_FROM[name]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await opener(pilot)
        footer_keys = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert "ctrl+q" in footer_keys
        if name == "home":
            assert {"c", "s", "r", "q", "w", "p", "e"} <= footer_keys


async def test_escape_on_home_asks_then_quits(library: Path, data_dir: Path) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)  # asked, still here
        await keys(pilot, "j", "escape")  # another key in between: asks again
        assert isinstance(app.screen, HomeScreen)
        await keys(pilot, "escape")
    assert app.return_code == 0


async def test_escape_in_the_middle_of_an_exercise_asks_first(
    library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await keys(pilot, "w", "escape")
        assert isinstance(app.screen, HomeScreen)  # nothing answered: leaves at once
        await keys(pilot, "w")
        await answer(pilot, EXERCISE_ANSWERS[0])
        await keys(pilot, "escape")
        screen = app.screen
        assert isinstance(screen, QuizScreen)  # one answer would be lost: it asks
        assert text_of(screen.query_one("#sv-progress")).startswith("step 2 of 8")
        await keys(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)


async def test_the_theme_is_kept_for_the_next_start(library: Path, data_dir: Path) -> None:
    (data_dir / "settings.toml").write_text(
        "# my settings\nnew_items_per_day = 7  # a week's worth\n", encoding="utf-8")
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        assert app.theme == "textual-dark"
        await keys(pilot, "ctrl+t")
        assert app.theme == "textual-light"
    text = (data_dir / "settings.toml").read_text(encoding="utf-8")
    assert text.startswith("# my settings\nnew_items_per_day = 7  # a week's worth\n")
    assert load_settings(data_dir).theme == "textual-light"
    assert load_settings(data_dir).new_items_per_day == 7
    again: StudyApp = make_app(library, data_dir)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        assert again.theme == "textual-light"


def on_screen(widget: Widget, pilot: Pilot[int]) -> bool:
    """Every row of `widget` is inside the screen and inside the part that holds it."""
    region = widget.region
    holder = widget.parent
    while isinstance(holder, Widget) and not holder.is_scrollable:
        holder = holder.parent
    shown = holder.scrollable_content_region if isinstance(holder, Widget) else region
    return (region.height > 0 and pilot.app.screen.region.contains_region(region)
            and shown.contains_region(region))


async def exercise_in_review(pilot: Pilot[int]) -> None:
    """Review until the deck's worked exercise is on screen, then answer five steps."""
    await keys(pilot, "r")
    for _ in range(40):
        if pilot.app.screen.query("#review-exercise"):
            break
        await keys(pilot, "space", "3")
    assert pilot.app.screen.query("#review-exercise"), "no exercise came up in review"
    for _ in range(5):
        # "… · step N of M · title": the depth exercise has 8 steps, the chained one 5.
        progress = text_of(pilot.app.screen.query_one("#sv-progress"))
        number, count = (int(n) for n in re.findall(r"step (\d+) of (\d+)", progress)[0])
        await answer(pilot, (EXERCISE_ANSWERS if count == 8 else CHAIN_ANSWERS)[number - 1])


@pytest.mark.parametrize("opener", [exercise_half_done, exercise_in_review],
                         ids=["quiz", "review"])
async def test_the_current_step_stays_on_screen_while_the_history_scrolls(
    opener: Opener, library: Path, data_dir: Path
) -> None:
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await opener(pilot)
        screen = app.screen
        prompt = screen.query_one("#sv-current .front")
        box = screen.query_one("#sv-answer", Input)
        history = body(pilot)
        assert history.id == "sv-history" and history.max_scroll_y > 0
        assert round(history.scroll_y) == history.max_scroll_y  # the newest answer shows
        before = (text_of(prompt), prompt.region, box.region)
        assert on_screen(prompt, pilot) and on_screen(box, pilot)
        for _ in range(8):
            await keys(pilot, "pageup")
        assert history.scroll_y == 0  # the oldest history is in view ...
        assert (text_of(prompt), prompt.region, box.region) == before  # ... the step stays
        assert on_screen(prompt, pilot) and on_screen(box, pilot) and box.has_focus
        for _ in range(8):
            await keys(pilot, "pagedown")  # (home and end belong to the focused box)
        assert round(history.scroll_y) == history.max_scroll_y


TALL_DECK = """\
id: tall
title: One long answer
questions:
  - id: long-answer
    prompt: Which forty facts make up this answer?
    answer: |
{lines}
"""


async def test_a_prompt_taller_than_its_pinned_part_reads_as_one_page_with_the_history(
    tmp_path: Path, data_dir: Path
) -> None:
    library = tmp_path / "tall"
    (library / "decks").mkdir(parents=True)
    facts = "\n\n".join(f"      Fact number {n} of the answer." for n in range(1, 41))
    (library / "decks" / "tall.yaml").write_text(TALL_DECK.format(lines=facts),
                                                 encoding="utf-8")
    app = make_app(library, data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_library(pilot)
        await keys(pilot, "q")
        await keys(pilot, "ctrl+r")
        screen = app.screen
        current = screen.query_one("#sv-current")
        assert current.max_scroll_y > 0  # forty facts do not fit: the pinned part scrolls
        choices = screen.query_one("#sv-current .choices")
        assert on_screen(choices, pilot)  # revealed: "Did you know it?" is in view
        await keys(pilot, "home")
        prompt = screen.query_one("#sv-current .front")
        assert on_screen(prompt, pilot) and not on_screen(choices, pilot)
        for _ in range(12):
            await keys(pilot, "pagedown")
        assert on_screen(choices, pilot)
        for _ in range(12):
            await keys(pilot, "pageup")
        assert on_screen(prompt, pilot) and current.scroll_y == 0
        await keys(pilot, "y")  # the keys still answer the card
        assert "Score: 1/1" in [text_of(w) for w in screen.query(".section-title")]
