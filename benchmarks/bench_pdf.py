"""Benchmark: write_pdf on 10,000 cards (A4, 2×4 grid, duplex long) against a raw-reportlab floor.

Run it as a script (it is not a test):

    .venv/bin/python benchmarks/bench_pdf.py [--cards 10000] [--repeat 3]
    .venv/bin/python benchmarks/bench_pdf.py --long-items

``--long-items`` times instead one very long item (0.25, 1 and 2 MB of Latin and of Hebrew
prose, one paragraph) and prints the seconds per MB: the same figure at every size is what
linear means (issue 13, cause 7).

Times are CPU seconds of this process (time.process_time), which other programs on a shared
machine disturb far less than wall-clock time; both contenders are single-threaded.

The floor draws the same sheets the plainest way reportlab allows: the same fonts, the same
card boxes, one Paragraph per face whose markup is prepared before the clock starts, drawn
with ``wrap``/``drawOn``, fronts on one page and backs mirrored on the next. The ratio
(ours / floor, best of ``--repeat`` runs each, interleaved) is what to watch; the target is
at most 1.15. Absolute times depend on the machine and are printed for reference only.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from studyapp.export.pdf import (
    CARD_PADDING,
    HEADER_GAP,
    HEADER_SIZE,
    PdfOptions,
    font_set,
    sheet_layout,
    write_pdf,
)
from studyapp.export.printable import PrintItem

WORDS = (
    "level", "context", "fusion", "vector", "embedding", "layer", "tree", "character",
    "receptive", "field", "depth", "width", "model", "input", "output", "pair", "merge",
    "linear", "hidden", "span", "double", "neighbouring", "concatenate", "parameters", "batch",
    "sequence", "attention", "transformer", "audio", "image", "network", "stack", "simple",
)
SYMBOLS = ("→", "×", "²", "“quoted”", "naïve", "−1", "…", "<b>x</b>", "A & B")


def sentence(rng: random.Random, low: int, high: int) -> str:
    """A sentence of ``low``..``high`` words, sometimes with emphasis, code or a symbol."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    roll = rng.random()
    spot = rng.randrange(len(words))
    if roll < 0.15:
        words[spot] = f"**{words[spot]}**"
    elif roll < 0.25:
        words[spot] = f"*{words[spot]}*"
    elif roll < 0.35:
        words[spot] = f"`{words[spot]}()`"
    elif roll < 0.5:
        words[spot] = rng.choice(SYMBOLS)
    return " ".join(words).capitalize() + "."


def make_items(count: int, seed: int = 7) -> list[PrintItem]:
    """``count`` cards of realistic length: a one-line cue, a short paragraph or a list."""
    rng = random.Random(seed)
    items = []
    for number in range(1, count + 1):
        front = sentence(rng, 5, 14).rstrip(".") + "?"
        if rng.random() < 0.3:
            back = "\n".join(f"- {sentence(rng, 4, 10)}" for _ in range(rng.randint(2, 4)))
            back += "\n\n" + sentence(rng, 6, 14)
        else:
            back = "\n".join(sentence(rng, 6, 16) for _ in range(rng.randint(1, 4)))
        items.append(PrintItem("card", "bench", f"c{number}", front, back, (),
                               f"bench · C{number}"))
    return items


def floor_markup(text: str, mono: str) -> str:
    """Reportlab markup for ``text`` by regular expressions: the least a hand-written
    exporter would do (escape, bold, italic, code, list lines as bullets)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)
    text = re.sub(r"`(.+?)`", rf'<font face="{mono}">\1</font>', text)
    text = re.sub(r"^- ", "• ", text, flags=re.MULTILINE)
    return text.replace("\n\n", "<br/>").replace("\n• ", "<br/>• ")


def floor(items: list[PrintItem], path: Path, options: PdfOptions) -> float:
    """The same grid drawn with a bare canvas and one Paragraph per face; CPU seconds."""
    layout = sheet_layout(options)
    fonts = font_set(options)
    faces = [(floor_markup(i.front, fonts.mono), floor_markup(i.back, fonts.mono), i.label)
             for i in items]
    start = time.process_time()
    front_style = ParagraphStyle("front", fontName=fonts.regular,
                                 fontSize=layout.body_size * 1.25,
                                 leading=layout.body_size * 1.25 * 1.22)
    back_style = ParagraphStyle("back", fontName=fonts.regular, fontSize=layout.body_size,
                                leading=layout.body_size * 1.22)
    canvas = Canvas(str(path), pagesize=layout.page_size, invariant=1, pageCompression=1)
    width = layout.fronts[0].width - 2 * CARD_PADDING
    top_gap = CARD_PADDING + HEADER_SIZE * 1.2 + HEADER_GAP
    for first in range(0, len(faces), layout.capacity):
        sheet = faces[first : first + layout.capacity]
        for side, boxes, style in ((0, layout.fronts, front_style), (1, layout.backs, back_style)):
            for face, box in zip(sheet, boxes, strict=False):
                canvas.setFont(fonts.regular, HEADER_SIZE)
                canvas.drawString(box.x + CARD_PADDING, box.top - CARD_PADDING - 5, face[2])
                canvas.setStrokeGray(0.72)
                canvas.rect(box.x, box.y, box.width, box.height)
                paragraph = Paragraph(face[side], style)
                _, height = paragraph.wrap(width, box.height)
                paragraph.drawOn(canvas, box.x + CARD_PADDING, box.top - top_gap - height)
            canvas.showPage()
    canvas.save()
    return time.process_time() - start


def ours(items: list[PrintItem], path: Path, options: PdfOptions) -> float:
    """write_pdf on the same items; CPU seconds."""
    start = time.process_time()
    write_pdf(items, path, options)
    return time.process_time() - start


def best_of(runs: int, *contenders: Callable[[], float]) -> list[float]:
    """Best time of each contender over ``runs`` interleaved rounds."""
    best = [float("inf")] * len(contenders)
    for _ in range(runs):
        for index, contender in enumerate(contenders):
            gc.collect()
            best[index] = min(best[index], contender())
    return best


LONG_WORDS = {
    "latin": WORDS,
    "hebrew": ("שלום", "עולם", "ספר", "מילה", "שפה", "עץ", "רמה", "שכבה", "קלט", "פלט", "מודל"),
}


def long_item(script: str, size: int, seed: int = 1) -> PrintItem:
    """One card whose back is a single paragraph of about ``size`` bytes of UTF-8."""
    rng = random.Random(seed)
    words: list[str] = []
    total = 0
    while total < size:
        words.append(rng.choice(LONG_WORDS[script]))
        total += len(words[-1].encode()) + 1
    return PrintItem("card", "bench", "long", "front", " ".join(words), (), "bench · C1")


def long_items(repeat: int) -> int:
    """CPU seconds (best of ``repeat``) of write_pdf on one long item, per size and MB."""
    options = PdfOptions(layout="grid", paper="a4", duplex="long")
    font_set(options)
    print("one long item (A4, 2x4 grid): size, CPU seconds, seconds per MB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.pdf"
        for script in LONG_WORDS:
            for megabytes in (0.25, 1.0, 2.0):
                item = long_item(script, int(megabytes * 1_000_000))
                (seconds,) = best_of(repeat, lambda item=item: ours([item], path, options))
                print(f"{script:7} {megabytes:5.2f} MB {seconds:7.2f} s "
                      f"{seconds / megabytes:6.2f} s/MB")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long-items", action="store_true",
                        help="time one long item at 0.25, 1 and 2 MB instead")
    args = parser.parse_args()
    if args.long_items:
        return long_items(args.repeat)
    items = make_items(args.cards)
    options = PdfOptions(layout="grid", paper="a4", duplex="long")
    font_set(options)  # register the fonts outside the clock (cached for both contenders)
    with tempfile.TemporaryDirectory() as folder:
        floor_path, our_path = Path(folder) / "floor.pdf", Path(folder) / "ours.pdf"

        floor_time, our_time = best_of(
            args.repeat,
            lambda: floor(items, floor_path, options),
            lambda: ours(items, our_path, options),
        )
        sizes = floor_path.stat().st_size, our_path.stat().st_size
    ratio = our_time / floor_time
    print(f"cards: {args.cards:,} (A4, 2x4 grid, duplex long, {font_set(options).regular})")
    print(f"floor (raw reportlab): {floor_time:7.2f} s CPU   {sizes[0] / 1e6:6.1f} MB")
    print(f"write_pdf:             {our_time:7.2f} s CPU   {sizes[1] / 1e6:6.1f} MB")
    print(f"ratio: {ratio:.3f}x (target <= 1.15x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
