"""Benchmark: one review step in `ReviewEngine` (answer -> durable commit -> next item) on a
big store, against a bare durable SQLite commit on the same file.

Run: python benchmarks/bench_review_engine.py [--items 100000] [--reviews 1000000] [--steps 400]

A temporary data directory gets a real review database: deck `big` with `--items` items
(90 % reviewed, due dates spread from 30 days ago to a year ahead) and `--reviews` rows in
the review log, bulk-inserted in one transaction. Then a `ReviewEngine` over the deck's
100,000 review items walks `--steps` items: each is revealed (`reveal`, which plans the four
ratings) and rated (`rate`: the rating is committed with `synchronous=FULL` and the next item
chosen) with a mix of ratings that keeps the learning queue busy (a quarter are `again`).

The floor is what durability costs by itself: one `INSERT` into a scratch table plus
`COMMIT` on a plain sqlite3 connection to the same file in the same journal mode, measured
between the engine's steps. It prints p50/p95 of reveal, rate and the floor, and the rate
step's p95 minus the floor's p95 ("in the engine"). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_due_queue import fill

from studyapp.review import ReviewEngine, ReviewItem
from studyapp.schedule import Rating, format_timestamp
from studyapp.store import Identity, ReviewStore

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def add_log(path: Path, identities: list[Identity], count: int, rng: random.Random) -> None:
    """`count` extra rows in the review log, spread over the deck's items and the past year."""
    rows = []
    for _ in range(count):
        ident = identities[rng.randrange(len(identities))]
        when = format_timestamp(NOW - timedelta(minutes=rng.randint(60, 365 * 1440)))
        rows.append((*ident, "card", rng.randint(1, 4), when, 2, 0, 3.0, 5.0, when, when))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, after_phase, "
            "after_step, after_stability, after_difficulty, after_due, after_last_review) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with ReviewStore.open(data_dir, now=NOW):
            pass
        path = data_dir / "reviews.sqlite3"
        started = time.perf_counter()
        identities = fill(path, "big", args.items, rng)
        add_log(path, identities, max(0, args.reviews - int(args.items * 0.9)), rng)
        with sqlite3.connect(path) as conn:
            logged = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        print(f"database: {args.items:,} items, {logged:,} logged reviews, "
              f"{path.stat().st_size / 2**20:.0f} MiB, filled in "
              f"{time.perf_counter() - started:.0f} s")
        items = [
            ReviewItem(ident, "card", f"Front of {ident.item_id}?", "Back.",
                       sibling=f"item:{ident.item_id}")
            for ident in identities
        ]
        origin = time.perf_counter()

        def clock() -> datetime:
            return NOW + timedelta(seconds=time.perf_counter() - origin)

        store = ReviewStore.open(data_dir, now=NOW)
        floor = sqlite3.connect(path, isolation_level=None)
        floor.execute("PRAGMA synchronous = FULL")
        floor.execute("CREATE TABLE IF NOT EXISTS bench_floor (x INTEGER)")
        try:
            built = time.perf_counter()
            engine = ReviewEngine(store, "big", items, clock, new_limit=20)
            print(f"engine start (due queue of {engine.view().total:,} items): "
                  f"{(time.perf_counter() - built) * 1000:.0f} ms")
            reveal_t: list[float] = []
            rate_t: list[float] = []
            floor_t: list[float] = []
            ratings = [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD]
            for _ in range(args.steps):
                if engine.finished:
                    break
                t0 = time.perf_counter()
                engine.reveal()
                t1 = time.perf_counter()
                event = engine.rate(rng.choice(ratings))
                t2 = time.perf_counter()
                assert event.what == "saved", event
                reveal_t.append(t1 - t0)
                rate_t.append(t2 - t1)
                t3 = time.perf_counter()
                floor.execute("BEGIN IMMEDIATE")
                floor.execute("INSERT INTO bench_floor VALUES (1)")
                floor.execute("COMMIT")
                floor_t.append(time.perf_counter() - t3)
            summary = engine.summary()
            print(f"{len(rate_t)} steps; still learning at the end: {summary.learning}")
            for label, values in (("reveal", reveal_t), ("rate -> next", rate_t),
                                  ("floor (durable commit)", floor_t)):
                print(f"  {label:<24} p50 {statistics.median(values) * 1000:6.2f} ms   "
                      f"p95 {pct(values, 0.95) * 1000:6.2f} ms")
            print(f"  rate -> next p95 minus floor p95 (in the engine): "
                  f"{(pct(rate_t, 0.95) - pct(floor_t, 0.95)) * 1000:.2f} ms")
        finally:
            floor.execute("DROP TABLE IF EXISTS bench_floor")
            floor.close()
            store.close()


if __name__ == "__main__":
    main()
