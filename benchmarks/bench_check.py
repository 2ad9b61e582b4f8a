"""Benchmark: `studyapp check` and `studyapp calc` start-up, as ratios against floors run alongside.

Run: python benchmarks/bench_check.py [--cards 10000] [--repeat 7]

1. `studyapp check` on a generated 10,000-card deck, against a bare script that parses the
   same file with PyYAML's CSafeLoader (gc disabled) and validates it with a minimal
   pydantic model. Target ≤ 1.3×.
2. `studyapp calc levels 16` start-up against `python -c "import yaml"`. Target ≤ 3×.

Each command runs as a fresh process, alternating with its floor, and the medians are
compared, so a noisy machine slows both sides alike. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

# Children may cache bytecode, as an installed package does (pip compiles it at install
# time); some shells set PYTHONDONTWRITEBYTECODE, which would make every run of an editable
# checkout recompile its own modules and measure the compiler instead of the program.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


FLOOR_SCRIPT = textwrap.dedent(
    """
    import gc, sys
    gc.disable()
    import yaml
    from pydantic import BaseModel, ConfigDict

    class Card(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        id: str
        front: str
        back: str
        tags: list[str] = []

    class Deck(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        id: str
        title: str
        description: str | None = None
        tags: list[str] = []
        cards: list[Card]

    with open(sys.argv[1], "rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    Deck.model_validate(data)
    """
)


def generate_library(root: Path, cards: int) -> Path:
    """A library with one deck of `cards` flashcards of realistic length."""
    (root / "decks").mkdir(parents=True)
    lines = [
        "id: big",
        "title: A generated deck",
        "description: Ten thousand cards to time the loader.",
        "tags: [bench]",
        "cards:",
    ]
    for n in range(cards):
        lines += [
            f"  - id: card-{n}",
            f"    front: How many fusing levels does the tree need to see {n + 2} characters?",
            "    back: |",
            f"      Find the smallest k with 2^k ≥ {n + 2}; each level doubles what one",
            "      output sees, so depth grows like log2 of the context → cheap.",
            f"    tags: [levels, group-{n % 10}]",
        ]
    path = root / "decks" / "big.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False, env=CHILD_ENV)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"command failed: {command}\n{result.stdout.decode()}{result.stderr.decode()}")
    return elapsed


def compare(name: str, ours: list[str], floor: list[str], repeat: int, target: float) -> None:
    timed(ours)  # warm the file cache and .pyc files
    timed(floor)
    ours_times, floor_times = [], []
    for _ in range(repeat):
        ours_times.append(timed(ours))
        floor_times.append(timed(floor))
    ours_median = statistics.median(ours_times)
    floor_median = statistics.median(floor_times)
    ratio = ours_median / floor_median
    verdict = "ok" if ratio <= target else "OVER TARGET"
    print(
        f"{name}: ours {ours_median * 1000:.0f} ms, floor {floor_median * 1000:.0f} ms, "
        f"ratio {ratio:.2f}x (target ≤ {target}x) {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    studyapp = [str(Path(sys.executable).parent / "studyapp")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lib"
        deck = generate_library(root, args.cards)
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text(FLOOR_SCRIPT, encoding="utf-8")
        size = deck.stat().st_size / (1024 * 1024)
        print(f"deck: {args.cards:,} cards, {size:.1f} MiB; {args.repeat} runs each")
        compare(
            "check",
            [*studyapp, "check", str(deck)],
            [sys.executable, str(floor_script), str(deck)],
            args.repeat,
            1.3,
        )
        compare(
            "calc start-up",
            [*studyapp, "calc", "levels", "16"],
            [sys.executable, "-c", "import yaml"],
            args.repeat,
            3.0,
        )


if __name__ == "__main__":
    main()
