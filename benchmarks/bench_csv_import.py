"""Benchmark (issue 13 cause 17): `studyapp import csv` of a 300,000-row CSV, time and peak
memory, against a floor measured in the same run.

Run: python benchmarks/bench_csv_import.py [--rows 300000] [--repeat 3] [--libyaml]

A temporary folder gets a CSV of `--rows` rows in the layout `export csv` writes: every
kind (questions, cards, reversed cards, cloze cards), half of them with an id, tags on two
rows in three, facts, and a back of two lines (with commas) on one row in ten. At 300,000
rows it is 22 MB and the deck file 31 MB, just under the 32 MiB a deck file may hold.
Then, alternating:

* ours: the installed ``studyapp import csv FILE -o DECK --force`` in a subprocess;
* floor: a subprocess of the same interpreter that imports studyapp.cli (the same start-up
  cost), reads the same file with Python's csv module and writes the same YAML with the
  writer the project uses (``studyapp.deck.writer.item_text``: the project's own item
  writer, byte for byte its PyYAML dumper's layout), streaming as ours does, but with no
  validation, no duplicate check, no read-back. Its file must equal ours byte for byte.

With ``--libyaml``, once more: the same rows as plain data through ``yaml.dump`` with
PyYAML's C emitter (``CSafeDumper``, a generic layout), for a sense of what a YAML library
costs here.

It prints the median wall time, the median CPU time (user + system: steadier than wall
time on a busy machine) and the peak resident memory (GNU time's %M) of each, the ratios
of ours to the floor, and the targets (≤ 5 s and ≤ 150 MB for ours). Not a test: it
prints figures.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ["tree", "level", "fuse", "pair", "context", "window", "token", "embed", "layer", "batch",
         "norm", "gradient", "loss"]

FLOOR = r"""
import csv, shutil, sys, tempfile
import studyapp.cli  # the same start-up as the command
from studyapp.deck.writer import _FlowList, _LongText, _dump, item_text

source, output = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8-sig", newline="") as handle, \
        open(output, "w", encoding="utf-8", newline="\n") as out, \
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=".") as spool:
    out.write(_dump({"id": sys.argv[3], "title": sys.argv[4]}))
    counts = {"questions": 0, "cards": 0}
    for row in csv.reader(handle):
        if row[0].startswith("#"):
            continue
        kind, ident, front, back, tags, fact = (c.replace("\r\n", "\n") for c in row)
        data = {"id": ident} if ident else {}
        if kind == "question":
            data.update(prompt=front, answer=_LongText(back))
        elif kind == "cloze":
            data["cloze"] = _LongText(front)
        else:
            data.update(front=front, back=_LongText(back))
            if kind == "reversed":
                data["reversed"] = True
        if fact:
            data["fact"] = fact
        if tags:
            data["tags"] = _FlowList(tags.split())
        section = "questions" if kind == "question" else "cards"
        stream = out if section == "questions" else spool
        stream.write(("\n" if counts[section] else
                      "\nquestions:\n" if section == "questions" else "cards:\n")
                     + item_text(section, data))
        counts[section] += 1
    out.write("\n")
    spool.seek(0)
    shutil.copyfileobj(spool, out)
"""

LIBYAML = r"""
import csv, sys, yaml
import studyapp.cli
items = {"questions": [], "cards": []}
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:
    for row in csv.reader(handle):
        if row[0].startswith("#"):
            continue
        kind, ident, front, back, tags, fact = row
        data = {"id": ident} if ident else {}
        data.update({"prompt": front, "answer": back} if kind == "question" else
                    {"cloze": front} if kind == "cloze" else {"front": front, "back": back})
        if tags:
            data["tags"] = tags.split()
        items["questions" if kind == "question" else "cards"].append(data)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    yaml.dump({"id": sys.argv[3], "title": sys.argv[4], **items}, out,
              Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10**6)
"""


def write_rows(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("#separator:comma\r\n#html:false\r\n#notetype:Basic\r\n#tags column:5\r\n"
                     "#columns:kind,id,Front,Back,tags,fact\r\n")
        writer = csv.writer(handle, lineterminator="\r\n")
        for n in range(count):
            shape = n % 10
            text = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
            kind = ("question" if shape < 2 else "reversed" if shape == 2
                    else "cloze" if shape == 3 else "card")
            front, back = f"What is {text} {n}?", f"{text} {n}."
            if shape == 5:
                back = f"Line one {n}\nline two, with, commas"
            if kind == "cloze":
                front, back = f"The {{{{c1::{WORDS[n % len(WORDS)]}}}}} of row {n}", ""
            tags = " ".join(rng.sample(WORDS, 2)) if n % 3 else ""
            fact = f"fact-{n // 2}" if shape in (6, 7) else ""
            writer.writerow([kind, f"row-{n}" if n % 2 else "", front, back, tags, fact])


def run(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS in MB of one subprocess (GNU time)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", *command], cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed: {done.stderr}")
    user, system, peak = done.stderr.strip().splitlines()[-1].split()
    return elapsed, float(user) + float(system), int(peak) / 1024  # kilobytes


def summary(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
            max(r[2] for r in rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--libyaml", action="store_true",
                        help="also time PyYAML's C emitter on the same rows (once)")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "studyapp"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "rows.csv"
        write_rows(source, args.rows, random.Random(1))
        print(f"{args.rows:,} rows: {source.stat().st_size / 1e6:.1f} MB of CSV")
        ours_cmd = [str(script), "import", "csv", str(source), "-o", "ours.yaml", "--force"]
        floor_cmd = [sys.executable, "-c", FLOOR, str(source), "floor.yaml", "ours", "rows"]
        run(ours_cmd, folder)  # warm the page cache
        ours, floor = [], []
        for _ in range(args.repeat):
            ours.append(run(ours_cmd, folder))
            floor.append(run(floor_cmd, folder))
        same = (folder / "ours.yaml").read_bytes() == (folder / "floor.yaml").read_bytes()
        print(f"deck file {(folder / 'ours.yaml').stat().st_size / 1e6:.1f} MB; "
              f"the floor's file is {'the same, byte for byte' if same else 'DIFFERENT'}")
        results = [("ours (studyapp import csv)", summary(ours)),
                   ("floor (csv + item_text)", summary(floor))]
        if args.libyaml:
            libyaml_cmd = [sys.executable, "-c", LIBYAML, str(source), "libyaml.yaml", "ours",
                           "rows"]
            results.append(("PyYAML C emitter (once)", summary([run(libyaml_cmd, folder)])))
        for name, (wall, cpu, memory) in results:
            print(f"{name:28} {wall:6.2f} s wall {cpu:6.2f} s cpu {memory:7.1f} MB peak")
        (wall, cpu, memory), (floor_wall, floor_cpu, floor_memory) = results[0][1], results[1][1]
        print(f"ours / floor: {wall / floor_wall:.2f}x wall, {cpu / floor_cpu:.2f}x cpu, "
              f"{memory / floor_memory:.2f}x memory")
        print("targets: ours <= 5 s and <= 150 MB")


if __name__ == "__main__":
    main()
