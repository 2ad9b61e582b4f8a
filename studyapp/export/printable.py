"""What a printed deck holds (one PrintItem per question, card or exercise) and how to print it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from studyapp.deck.cloze import cloze_numbers, render_cloze
from studyapp.errors import UsageError
from studyapp.export.markdown import escape_markdown

if TYPE_CHECKING:  # the models pull in pydantic; the CLI imports this module to build its parser
    from studyapp.deck.models import Deck, Exercise, Step

# This module stays free of reportlab (and of pydantic at run time) so the CLI can offer
# the choices below and the TUI can build options without loading the PDF machinery.

ItemKind = Literal["question", "card", "cloze", "exercise"]
Layout = Literal["page", "grid"]
Paper = Literal["a4", "letter", "a6", "index-3x5"]
Duplex = Literal["long", "short", "none"]

LAYOUTS: tuple[Layout, ...] = get_args(Layout)
PAPERS: tuple[Paper, ...] = get_args(Paper)
DUPLEX_MODES: tuple[Duplex, ...] = get_args(Duplex)
MAX_BACK_OFFSET_MM = 5.0
"""Printers misregister by a millimetre or two; more is a setup mistake, and would push text
into the unprintable edge of small paper."""

_BLOCK_START = re.compile(r"^( {0,3}([-+*]|\d{1,9}[.)])( |$)| {4}|```|~~~)")
_KIND_LETTER: dict[ItemKind, str] = {"question": "Q", "card": "C", "cloze": "C", "exercise": "E"}


@dataclass(frozen=True, slots=True)
class PrintItem:
    """One thing to print: a front and a back, both Markdown text."""

    kind: ItemKind
    deck_id: str
    item_id: str
    """The question's or card's key (`KEY#cN` for a cloze deletion), or the exercise id."""
    front: str
    back: str
    tags: tuple[str, ...]
    label: str
    """Short printed name, e.g. ``"wavenet · Q1"``: the kind's letter and its place in the deck."""


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to arrange items on paper."""

    layout: Layout = "grid"
    """``"page"``: one item per page, front above a fold line, back below it.
    ``"grid"``: cards sized for the paper (A4/Letter 2×4; A6 and index cards one per side)."""
    paper: Paper = "a4"
    duplex: Duplex = "long"
    """Grid only. ``"long"``/``"short"``: a sheet of fronts, then a sheet of their backs,
    arranged for the printer's flip-on-long-edge / flip-on-short-edge duplex setting.
    ``"none"``: each front beside its back on the same side, to fold."""
    cut_marks: bool = False
    """Crop marks at the card corners, outside the cards."""
    back_offset: tuple[float, float] = (0.0, 0.0)
    """Millimetres to shift back pages by (x to the right, y up, as seen on the back page),
    to correct a printer that does not register both sides alike. Only duplex long/short
    grids have back pages; other layouts ignore it."""
    builtin_fonts: bool = False
    """Use the PDF viewer's Helvetica/Courier instead of embedding DejaVu Sans (smaller files;
    characters those fonts lack are replaced by readable ASCII such as ``->``)."""
    title: str = ""
    """Document title in the PDF's metadata."""

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("layout", self.layout, LAYOUTS),
            ("paper", self.paper, PAPERS),
            ("duplex", self.duplex, DUPLEX_MODES),
        ):
            if value not in allowed:
                raise UsageError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")
        _check_offset(self.back_offset)


def parse_back_offset(text: str) -> tuple[float, float]:
    """``"X,Y"`` in millimetres (e.g. ``"1.5,-0.5"``, ``"1.5mm, -0.5 mm"``) as two floats."""
    parts = [part.strip().removesuffix("mm").strip() for part in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise UsageError(
            f"--back-offset expects X,Y in millimetres (e.g. 1.5,-0.5), got {text!r}"
        ) from None
    offset = (x, y)
    _check_offset(offset)
    return offset


def _check_offset(offset: tuple[float, float]) -> None:
    if not all(math.isfinite(v) and abs(v) <= MAX_BACK_OFFSET_MM for v in offset):
        raise UsageError(
            f"back offset must be within ±{MAX_BACK_OFFSET_MM:g} mm on each axis, "
            f"got {offset[0]:g},{offset[1]:g}"
        )


def parse_tags(text: str) -> frozenset[str]:
    """A comma-separated tag list (``"basics, fusion"``) as a set; blanks are ignored."""
    tags = frozenset(tag.strip() for tag in text.split(",") if tag.strip())
    if not tags:
        raise UsageError(f"--tags expects one or more comma-separated tags, got {text!r}")
    return tags


def printable_items(
    deck: Deck,
    exercises: Sequence[Exercise],
    *,
    with_exercises: bool = False,
    tags: Iterable[str] | None = None,
) -> list[PrintItem]:
    """The deck's questions and cards (then its exercises, when asked), in deck order.

    With ``tags``, only items carrying at least one of them are kept; labels keep their
    place in the whole deck, so "Q3" names the same question whatever the filter.
    """
    wanted = frozenset(tags) if tags is not None else None
    items: list[PrintItem] = []

    def add(kind: ItemKind, number: int | str, item_id: str, front: str, back: str,
            item_tags: Sequence[str]) -> None:
        if wanted is not None and wanted.isdisjoint(item_tags):
            return
        label = f"{deck.id} · {_KIND_LETTER[kind]}{number}"
        items.append(PrintItem(kind, deck.id, item_id, front, back, tuple(item_tags), label))

    for number, question in enumerate(deck.questions, start=1):
        add("question", number, question.key, question.prompt, question.answer, question.tags)
    for number, card in enumerate(deck.cards, start=1):
        if card.cloze is None:
            # A reversed card prints once: paper can be turned over either way.
            add("card", number, card.key, card.front or "", card.back or "", card.tags)
            continue
        for deletion in cloze_numbers(card.cloze):
            add("cloze", f"{number}.{deletion}", f"{card.key}#c{deletion}",
                render_cloze(card.cloze, deletion, reveal=False),
                render_cloze(card.cloze, deletion, reveal=True), card.tags)
    if with_exercises:
        for number, exercise in enumerate(exercises, start=1):
            for sheet in exercise_cards(exercise):
                add("exercise", f"{number}.{sheet.number}", f"{exercise.id}#{sheet.key}",
                    sheet.front, sheet.back, exercise.tags)
    return items


@dataclass(frozen=True, slots=True)
class ExerciseCard:
    """One printed card of an exercise: a step's question on the front, its answer on the
    back (or, after the steps, the outcome)."""

    number: int
    """Its place in the exercise: step N is card N; the outcome comes after the last step."""
    key: str
    """``sN`` for step N, ``outcome`` for the outcome card (the item id's part after ``#``)."""
    front: str
    back: str


def exercise_cards(exercise: Exercise) -> list[ExerciseCard]:
    """An exercise as cards, in order: one per step (the setup on the first step's front),
    then, when the exercise has an outcome, one whose back is the outcome.

    Each step is its own card, so a step's answer is always printed on the back of that
    step's question: a single sheet of all steps backed by all answers could be cut into
    parts at different places on its two sides.
    """
    from studyapp.practice import as_written

    exercise = as_written(exercise)  # an exercise with params prints its first numbers
    title = f"**{escape_markdown(' '.join(exercise.title.split()))}**"
    total = len(exercise.steps)
    cards: list[ExerciseCard] = []
    for number, step in enumerate(exercise.steps, start=1):
        front = [title]
        if number == 1 and exercise.setup:
            front.append(exercise.setup.strip())
        front += [f"*Step {number} of {total}*", step.prompt.strip()]
        back = f"*Step {number} of {total}:* {_worked_step(step)}"
        cards.append(ExerciseCard(number, f"s{number}", "\n\n".join(front), back))
    if exercise.outcome:
        question = f"{title}\n\n*After the {total} steps:* what should you have found?"
        cards.append(ExerciseCard(total + 1, "outcome", question, exercise.outcome.strip()))
    return cards


def _worked_step(step: Step) -> str:
    answer = format_number(step.answer)
    if step.unit:
        answer += f" {escape_markdown(step.unit.strip())}"
    text = f"**{answer}**"
    explain = (step.explain or "").strip()
    if not explain:
        return text
    if "\n\n" in explain or _BLOCK_START.match(explain):
        return f"{text}\n\n{explain}"
    return f"{text}: {explain}"


def format_number(value: float) -> str:
    """A step's expected number as an author would write it (``4``, ``0.1``, ``1e-09``)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)

