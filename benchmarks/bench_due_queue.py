"""Benchmark: the review queue (`ReviewStore.due_items`) of a 100,000-item deck, as a ratio
against a bare SQLite floor on the same file.

Run: python benchmarks/bench_due_queue.py [--items 100000] [--repeat 15]

A temporary data directory gets a real review database (`ReviewStore.open`): deck `big`
with `--items` identities, 90 % of them reviewed (states from the real scheduler, due dates
spread from 30 days ago to a year ahead, so a few thousand are due now) and 10 % never
reviewed, plus a second deck of half that size so that the deck filter matters. The rows
are bulk-inserted in one transaction (recording 100,000 reviews one by one, each with
its own fsync, would take minutes), with the columns `record_review` writes.

Then, alternating so a noisy machine slows both sides alike:

* ours: ``store.due_items("big", now, <all 100,000 identities in deck order>, 20)``, called
  again and again with the same deck order, as the review engine and home screen do (the
  first call, which checks and indexes the order, is timed separately);
* floor: ``SELECT item_id FROM items WHERE deck_id = ? AND due <= ? ORDER BY due`` on a
  plain sqlite3 connection to the same file, fetching every row.

It prints the medians, the ratio, the share of ours spent outside SQLite, and
``EXPLAIN QUERY PLAN`` of the due query (it must use the ``items_deck_due`` index, with no
full scan and no temporary sort). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studyapp.schedule import Rating, Scheduler, format_timestamp
from studyapp.store import DUE_QUERY, Identity, ReviewStore

FLOOR_QUERY = "SELECT item_id FROM items WHERE deck_id = ? AND due <= ? ORDER BY due"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def fill(path: Path, deck_id: str, count: int, rng: random.Random) -> list[Identity]:
    """Give deck `deck_id` `count` identities, 90 % of them with a review; returns them in
    deck order."""
    scheduler = Scheduler()
    # a handful of real states to draw from: every rating, from new and from review
    first = [scheduler.apply(None, r, NOW - timedelta(days=40)) for r in Rating]
    states = first + [
        scheduler.apply(s, r, NOW - timedelta(days=20)) for s in first for r in Rating
    ]
    identities = [Identity(deck_id, f"{deck_id}-item-{n:06d}") for n in range(count)]
    items, reviews = [], []
    for seq, identity in enumerate(identities):
        if rng.random() >= 0.9:
            continue  # never reviewed: a new item
        state = rng.choice(states).to_columns()
        due = format_timestamp(NOW + timedelta(minutes=rng.randint(-30 * 1440, 365 * 1440)))
        reviewed = format_timestamp(NOW - timedelta(days=rng.randint(1, 60)))
        after = (*state[:4], due, state[5])
        items.append((*identity, "card", *after, reviewed, seq))
        reviews.append((*identity, "card", int(Rating.GOOD), reviewed, *after))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO items (deck_id, item_id, kind, phase, step, stability, difficulty, "
            "due, last_review, introduced_at, introduced_seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            items,
        )
        conn.executemany(
            "INSERT INTO reviews (deck_id, item_id, kind, rating, reviewed_at, after_phase, "
            "after_step, after_stability, after_difficulty, after_due, after_last_review) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reviews,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return identities


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` calls of `fn`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with ReviewStore.open(data_dir, now=NOW):
            pass  # creates the database with the current schema
        path = data_dir / "reviews.sqlite3"
        started = time.perf_counter()
        deck = fill(path, "big", args.items, rng)
        fill(path, "other", args.items // 2, rng)
        print(
            f"database: {args.items:,} + {args.items // 2:,} identities, "
            f"{path.stat().st_size / 2**20:.1f} MiB, filled in "
            f"{time.perf_counter() - started:.1f} s; {args.repeat} runs each"
        )

        store = ReviewStore.open(data_dir, now=NOW)
        floor = sqlite3.connect(path)
        limit = format_timestamp(NOW)
        try:
            queue = store.due_items("big", NOW, deck, 20)
            rows = floor.execute(FLOOR_QUERY, ("big", limit)).fetchall()
            due = len(queue) - 20
            if due != len(rows) or [i.item_id for i in queue[:due]] != [r[0] for r in rows]:
                sys.exit("due_items and the floor disagree about what is due")
            print(f"queue: {due:,} due now + 20 new (of {args.items:,} identities)")

            ours_times: list[float] = []
            floor_times: list[float] = []
            for _ in range(args.repeat):
                ours_times += timings(
                    lambda: store.due_items("big", NOW, deck, 20), 1
                )
                floor_times += timings(
                    lambda: floor.execute(FLOOR_QUERY, ("big", limit)).fetchall(), 1
                )
            ours = statistics.median(ours_times)
            bare = statistics.median(floor_times)
            print(
                f"due_items: ours {ours * 1000:.1f} ms, floor {bare * 1000:.1f} ms, "
                f"ratio {ours / bare:.1f}x"
            )
            # The first call with a deck order checks and indexes it (the store remembers
            # it per deck); later calls with an equal order skip that. Both are shown.
            def cold() -> object:
                store._orders.clear()  # forget the remembered order: a first call
                return store.due_items("big", NOW, deck, 20)

            first = statistics.median(timings(cold, args.repeat))
            print(
                f"  first call with this deck order (checks and indexes it): "
                f"{first * 1000:.1f} ms, {first / bare:.1f}x the floor"
            )
            # where ours goes: the queries due_items runs, without the Python
            chunk = [i.item_id for i in deck[:256]]
            marks = ", ".join("?" * len(chunk))
            sql_only = statistics.median(
                timings(
                    lambda: (
                        floor.execute(
                            "SELECT item_id FROM holds WHERE deck_id = ? AND released = 0 "
                            "AND (until IS NULL OR until > ?)",
                            ("big", limit),
                        ).fetchall(),
                        floor.execute(DUE_QUERY, ("big", limit)).fetchall(),
                        floor.execute(
                            "SELECT count(*) FROM items WHERE deck_id = ? AND "
                            "introduced_at >= ? AND introduced_at < ?",
                            ("big", limit, limit),
                        ).fetchall(),
                        floor.execute(
                            "SELECT item_id FROM items WHERE deck_id = ? "
                            f"AND item_id IN ({marks})",
                            ("big", *chunk),
                        ).fetchall(),
                    ),
                    args.repeat,
                )
            )
            print(
                f"  of which its SQL (holds + due query + today's new count + the first "
                f"{len(chunk)} of the deck order looked up): {sql_only * 1000:.1f} ms; "
                f"Python: {(ours - sql_only) * 1000:.1f} ms"
            )
            for label, query, params in (
                ("due query", DUE_QUERY, ("big", limit)),
                ("floor", FLOOR_QUERY, ("big", limit)),
            ):
                plan = " | ".join(
                    row[3] for row in floor.execute(f"EXPLAIN QUERY PLAN {query}", params)
                )
                indexed = "INDEX items_deck_due" in plan
                full = "SCAN" in plan or "TEMP B-TREE" in plan
                verdict = "index used, no scan, no sort" if indexed and not full else "NOT OK"
                print(f"EXPLAIN QUERY PLAN ({label}): {plan}  -> {verdict}")
        finally:
            floor.close()
            store.close()


if __name__ == "__main__":
    main()
