"""Benchmark: time until the TUI's home screen shows the decks, against a bare Textual app.

Run: python benchmarks/bench_tui.py [--repeat 7] [--cards 10000]

Each run is a fresh process driving the app headless (no terminal is needed):
- floor: a bare Textual app showing one line, exiting right after its first paint;
- ours on the built-in library: `create_app(...)` exiting right after the home screen has
  painted the deck table (library loaded, counts read from the review store);
- ours on a generated 10,000-card library seen once before (its cache is warm).
Targets: ≤ 1.25× and ≤ 1.5× the floor. The peak memory (max RSS) of the 10,000-card run
must stay ≤ 120 MiB. The best of alternating runs are compared (on a shared 2-core machine
the spread between runs is larger than the difference measured). Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


# Children may cache bytecode, as an installed package does (pip compiles it at install
# time); some shells set PYTHONDONTWRITEBYTECODE, which would make every run of an editable
# checkout recompile its own modules and measure the compiler instead of the program.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

FLOOR = """
import json, time
from textual.app import App, ComposeResult
from textual.widgets import Static

class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("one line")

    def on_mount(self) -> None:
        self.call_after_refresh(self.painted)

    def painted(self) -> None:
        print(json.dumps({"painted_at": time.time(), "cpu": time.process_time()}),
              flush=True)
        self.exit()

Bare().run(headless=True)
"""

OURS = """
import json, sys, time
from pathlib import Path
from studyapp.tui.app import create_app
from studyapp.tui.screens import home

show_library = home.HomeScreen.show_library

def show_and_time(self):
    show_library(self)
    if self.query_one("#decks").row_count and not getattr(self.app, "timed", False):
        self.app.timed = True
        self.app.call_after_refresh(painted, self.app)

def painted(app):
    print(json.dumps({"painted_at": time.time(), "cpu": time.process_time()}), flush=True)
    # Stay until the whole library has loaded, so the peak memory includes it.
    app.set_interval(0.01, lambda: app.library is not None and app.exit())

home.HomeScreen.show_library = show_and_time
create_app(Path(sys.argv[1]), Path(sys.argv[2])).run(headless=True)
"""


def run(command: list[str]) -> tuple[float, float, float]:
    """Seconds from spawning a child until its first paint (wall clock, and the child's
    CPU time up to then), and its peak RSS (MiB)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    spawned = time.time()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=CHILD_ENV)
    if result.returncode != 0:
        sys.exit(f"failed: {command}\n{result.stdout}{result.stderr}")
    mark = next(
        json.loads(line) for line in result.stdout.splitlines()
        if line.startswith('{"painted_at"')
    )
    # ru_maxrss of children is the largest child so far: an upper bound for this child.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return mark["painted_at"] - spawned, mark["cpu"], max(peak, before) / 1024


def generate_library(root: Path, cards: int) -> None:
    sys.path.insert(0, str(HERE))
    from bench_check import generate_library as generate

    generate(root, cards)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--cards", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        generate_library(big, args.cards)
        data = Path(tmp) / "data"
        floor = [sys.executable, "-c", FLOOR]
        builtin = [sys.executable, "-c", OURS, str(REPO), str(data)]
        large = [sys.executable, "-c", OURS, str(big), str(data)]
        for command in (floor, builtin, large):  # warm caches: .pyc, library cache, database
            run(command)
        wall: dict[str, list[float]] = {"floor": [], "builtin": [], "large": []}
        cpu: dict[str, list[float]] = {"floor": [], "builtin": [], "large": []}
        peaks: list[float] = []
        for _ in range(args.repeat):
            for name, command in (("floor", floor), ("builtin", builtin), ("large", large)):
                seconds, used, peak = run(command)
                wall[name].append(seconds)
                cpu[name].append(used)
                if name == "large":
                    peaks.append(peak)
    print(f"time to first paint, best of {args.repeat} runs (the least disturbed run on a "
          "shared machine): wall clock, and the child's own CPU time up to the paint")
    floor_wall, floor_cpu = min(wall["floor"]), min(cpu["floor"])
    print(f"floor (bare Textual app, one line): {floor_wall * 1000:.0f} ms wall, "
          f"{floor_cpu * 1000:.0f} ms CPU")
    for name, label, target in (
        ("builtin", "home on the built-in library", 1.25),
        ("large", f"home on a {args.cards:,}-card library (cache warm)", 1.5),
    ):
        ours_wall, ours_cpu = min(wall[name]), min(cpu[name])
        wall_ratio, cpu_ratio = ours_wall / floor_wall, ours_cpu / floor_cpu
        verdict = "ok" if max(wall_ratio, cpu_ratio) <= target else "OVER TARGET"
        print(f"{label}: {ours_wall * 1000:.0f} ms wall ({wall_ratio:.2f}x), "
              f"{ours_cpu * 1000:.0f} ms CPU ({cpu_ratio:.2f}x); target ≤ {target}x {verdict}")
    peak = max(peaks)  # max RSS of all children so far: an upper bound for the big library
    print(f"peak memory, {args.cards:,} cards: {peak:.0f} MiB (target ≤ 120 MiB) "
          f"{'ok' if peak <= 120 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
