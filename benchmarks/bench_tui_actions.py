"""Benchmark: how long each TUI action takes to show, against a bare Textual app's floor.

Run: python benchmarks/bench_tui_actions.py [--samples 40]

Both apps are driven with Textual's Pilot, headless, at 80×24, in the same process and the
same run. An action is timed from the key press until the app is idle again with every
animation finished (what the learner waits for before the new state is fully on screen):

- rate → next card: `3` on a revealed review card (a generated 200-card deck);
- answer → feedback: `enter` on a worked exercise's right answer, until its verdict shows;
- step → next step fully visible: the same `enter`, until the next step's answer box is
  scrolled fully into view;
- open palette (`ctrl+p`), open calculator (`c`), open stats (`s`), back to home (`escape`).

The floor does the same kind of update in a bare app: replace a Static's text, mount a line
and scroll to the end, open Textual's own command palette, push a screen with a table, pop
it. Target: each p95 ≤ 50 ms or ≤ 1.5× its floor, whichever is larger. Not a test: prints
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, Static

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SIZE = (80, 24)
EXERCISE_ANSWERS = ["4", "6", "10", "16", "64", "1024", "4", "3"]
Samples = dict[str, list[float]]


async def settle(pilot: Pilot[object]) -> None:
    """Idle, with every animation (smooth scrolling included) finished."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def timed(pilot: Pilot[object], key: str, until: Callable[[], bool] | None = None
                ) -> float:
    start = time.perf_counter()
    await pilot.press(key)
    await settle(pilot)
    while until is not None and not until():
        await pilot.pause(0.001)
    return time.perf_counter() - start


# -- the floor ---------------------------------------------------------------------------


class Other(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[str] = DataTable()
        table.add_columns("a", "b", "c")
        table.add_rows([(str(n), str(n * n), str(2**n)) for n in range(12)])
        yield table
        yield Footer()


class Bare(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("3", "next", "Next"), Binding("o", "other", "Other"),
        Binding("enter", "line", "Line"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("card 0", id="card")
        yield Footer()

    count = 0

    def action_next(self) -> None:
        self.count += 1
        self.query_one("#card", Static).update(f"card {self.count}\n" + "text " * 40)

    async def action_line(self) -> None:
        body = self.query_one("#body", VerticalScroll)
        await body.mount(Static(f"✓ line {self.count}\n" + "feedback " * 30))
        self.count += 1
        body.scroll_end(animate=False)

    def action_other(self) -> None:
        self.push_screen(Other())


async def floor(samples: int) -> Samples:
    found: Samples = {name: [] for name in ACTIONS}
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(samples):
            found["rate → next card"].append(await timed(pilot, "3"))
            line = await timed(pilot, "enter")
            found["answer → feedback"].append(line)
            found["step → next step visible"].append(line)
            found["open palette"].append(await timed(pilot, "ctrl+p"))
            await pilot.press("escape")
            await settle(pilot)
            for name in ("open calculator", "open stats"):
                found[name].append(await timed(pilot, "o"))
                found["back to home"].append(await timed(pilot, "escape"))
    return found


# -- the real app ------------------------------------------------------------------------


def big_library(root: Path, cards: int) -> Path:
    sys.path.insert(0, str(HERE))
    from bench_check import generate_library

    generate_library(root, cards)
    return root


def _clock() -> datetime:
    return datetime(2026, 11, 29, 12, tzinfo=UTC)


async def ours(samples: int, tmp: Path) -> Samples:
    from studyapp.tui.app import create_app

    found: Samples = {name: [] for name in ACTIONS}
    big = big_library(tmp / "big", 200)
    builtin = tmp / "builtin"
    for folder in ("decks", "exercises"):
        shutil.copytree(REPO / folder, builtin / folder)

    async def start(app: App[int], pilot: Pilot[object]) -> None:
        while getattr(app, "library", None) is None:
            await app.workers.wait_for_complete()
            await pilot.pause()
        await settle(pilot)

    # Rating: reveal (untimed), then 3 (timed), card after card.
    data = tmp / "data-review"
    data.mkdir()
    (data / "settings.toml").write_text("new_items_per_day = 1000\nlearning_steps = []\n")
    app = create_app(big, data, clock=_clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        for _ in range(samples):
            await pilot.press("space")
            await settle(pilot)
            found["rate → next card"].append(await timed(pilot, "3"))

    # Everything else on the built-in library.
    data = tmp / "data"
    data.mkdir()
    app = create_app(builtin, data, clock=_clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        while len(found["answer → feedback"]) < samples:
            await pilot.press("w")
            await settle(pilot)
            for text in EXERCISE_ANSWERS:
                await pilot.press(*text)
                screen = app.screen

                def answered(screen: Screen[object] = screen) -> bool:
                    return bool(screen.query(".feedback-correct"))

                start_at = time.perf_counter()
                await pilot.press("enter")
                await pilot.pause()
                found["answer → feedback"].append(time.perf_counter() - start_at)
                await settle(pilot)

                def next_visible(screen: Screen[object] = screen) -> bool:
                    boxes = screen.query(Input)
                    if not boxes:
                        return True  # the last step: the summary is what follows
                    box = boxes.first()
                    # Fully inside the part of the screen that shows it (its scroll area).
                    holder = box.parent
                    while holder is not None and not getattr(holder, "is_scrollable", False):
                        holder = holder.parent
                    shown = holder.region if isinstance(holder, Widget) else screen.region
                    return box.region.height > 0 and shown.contains_region(box.region)

                while not next_visible():
                    await pilot.pause(0.001)
                found["step → next step visible"].append(time.perf_counter() - start_at)
                assert answered()
            await pilot.press("escape")
            await settle(pilot)
        for _ in range(samples):
            found["open palette"].append(await timed(pilot, "ctrl+p"))
            await pilot.press("escape")
            await settle(pilot)
            for key, name in (("c", "open calculator"), ("s", "open stats")):
                found[name].append(await timed(pilot, key))
                found["back to home"].append(await timed(pilot, "escape"))
    return found


ACTIONS = ["rate → next card", "answer → feedback", "step → next step visible",
           "open palette", "open calculator", "open stats", "back to home"]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


async def main_async(samples: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare = await floor(samples)
        real = await ours(samples, Path(tmp))
    print(f"{'action':28} {'ours p95':>9} {'floor p95':>10} {'ratio':>6}  target"
          "                 medians (ours / floor)")
    for name in ACTIONS:
        mine, base = p95(real[name]) * 1000, p95(bare[name]) * 1000
        limit = max(50.0, 1.5 * base)
        verdict = "ok" if mine <= limit else "SLOW"
        medians = (statistics.median(real[name]) * 1000, statistics.median(bare[name]) * 1000)
        print(f"{name:28} {mine:7.1f}ms {base:8.1f}ms {mine / base:5.2f}×  ≤{limit:.0f}ms "
              f"{verdict:4} (n={len(real[name])})  {medians[0]:.0f} / {medians[1]:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main_async(args.samples))


if __name__ == "__main__":
    main()
