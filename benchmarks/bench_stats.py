"""Benchmark (issue 13 cause 17): `studyapp stats` over 2,000,000 reviews, time and peak
memory, against a floor measured in the same run.

Run: python benchmarks/bench_stats.py [--reviews 2000000] [--repeat 3]

A temporary data folder gets a real review database (`ReviewStore.open`) holding
`--reviews` reviews of the built-in `wavenet` deck's items, spread over three years (bulk
inserted in one transaction with the columns `record_review` writes). Then, alternating:

* ours: the installed ``studyapp --data-dir D stats`` in a subprocess;
* floor: a subprocess of the same interpreter that imports studyapp.cli (the same start-up
  cost) and runs one ``SELECT count(*) FROM reviews`` over the same file.

It prints the median wall time and the peak resident memory of each (GNU time's %M)
and the targets (≤ 1 s and ≤ 150 MB for ours). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.schedule import Rating, Scheduler, format_timestamp
from studyapp.store import ReviewStore

NOW = datetime.now(UTC)
ITEMS = [f"item-{n}" for n in range(11)]


def fill(path: Path, count: int, rng: random.Random) -> None:
    state = Scheduler().apply(None, Rating.GOOD, NOW - timedelta(days=1)).to_columns()
    spread = 3 * 365 * 24 * 3600
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        batch = []
        for n in range(count):
            when = format_timestamp(NOW - timedelta(seconds=rng.randrange(spread)))
            batch.append(("wavenet", ITEMS[n % len(ITEMS)], "card", rng.randint(1, 4), when,
                          *state))
            if len(batch) == 100_000:
                conn.executemany(
                    "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, "
                    "after_phase, after_step, after_stability, after_difficulty, after_due, "
                    "after_last_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                batch = []
        if batch:
            conn.executemany(
                "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, after_phase, "
                "after_step, after_stability, after_difficulty, after_due, after_last_review) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        conn.execute("COMMIT")
    finally:
        conn.close()


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one subprocess.

    The peak comes from GNU time (``%M``), not from wait4's rusage here: a child forked from
    this process (which just inserted 2,000,000 rows) would inherit its peak across exec.
    """
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr}")
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024  # kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reviews", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "studyapp"
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with ReviewStore.open(data_dir, now=NOW):
            pass
        started = time.perf_counter()
        fill(data_dir / "reviews.sqlite3", args.reviews, random.Random(1))
        print(f"filled {args.reviews:,} reviews in {time.perf_counter() - started:.1f} s")
        ours_cmd = [str(script), "--data-dir", str(data_dir), "stats"]
        floor_cmd = [sys.executable, "-c",
                     "import sqlite3, sys, studyapp.cli; "
                     "c = sqlite3.connect(sys.argv[1]); "
                     "print(c.execute('SELECT count(*) FROM reviews').fetchone()[0])",
                     str(data_dir / "reviews.sqlite3")]
        run(ours_cmd)  # warm the page cache and the day's backup copy
        ours, floor = [], []
        for _ in range(args.repeat):
            ours.append(run(ours_cmd))
            floor.append(run(floor_cmd))
        for name, rows in (("ours (studyapp stats)", ours), ("floor (import + count(*))", floor)):
            seconds = statistics.median(r[0] for r in rows)
            memory = max(r[1] for r in rows)
            print(f"{name:28} {seconds:6.2f} s  {memory:6.1f} MB peak")
        print("targets: ours <= 1 s and <= 150 MB")


if __name__ == "__main__":
    main()
