"""Practice pages (plain text, Markdown or saved HTML) as a deck and its worked exercises.

A page has up to three kinds of parts, recognised by their shape:

* **Open questions**: a paragraph (usually numbered, `1. Why ...?`) followed by a
  "Show answer" line (or a `<details>`/`<summary>` collapsible); the answer is everything
  after it up to the next part.
* **Worked exercises**: `Setup.`, `Steps.` (a numbered list) and `Expected outcome.` (a
  numbered list whose lines end in the numbers the steps ask for: `2^4 = 16 -> 4 levels`).
  The paragraph before `Setup.` (or a heading) is the exercise's title; paragraphs after
  the expected outcome are its outcome text. A step whose outcome line holds several
  numbers (`16-wide, 64-wide, 1024-wide`, or two `-> N` results, or a second line) becomes
  one step per number, by position.
* **Cards**: a `Q.` line, then an `A.` line; the answer runs to the next part.

The first line that is not site boilerplate is the page's heading (a Markdown `#` is
dropped); the paragraphs before the first part are the deck's description. Anything the
importer cannot place is reported as a warning naming its line, never dropped in silence.
Ids are slugs of the text (questions, cards, the exercise) or the step's number (`step-2b`),
so importing the same page again gives the same ids.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studyapp.deck.models import Card, Deck, Question
from studyapp.deck.writer import check_deck_id, slugify
from studyapp.deck.yamlread import MAX_FILE_BYTES
from studyapp.errors import DataError, UsageError
from studyapp.formats.files import TakenIds, read_input, unique_id

BOILERPLATE = frozenset(
    {
        "skip to content",
        "skip to main content",
        "skip to navigation",
        "toggle navigation",
        "menu",
        "navigation",
        "table of contents",
        "contents",
        "back to top",
        "hide answer",
        "print flashcards",
    }
)
"""Lines copied from a web page's chrome, never its heading nor part of an answer."""
STRUCTURAL_HEADINGS = frozenset(
    {"questions", "open questions", "cards", "flashcards", "exercise", "exercises",
     "worked exercise", "practice"}
)
"""Headings that only name a part of the page: they need no place of their own."""
KNOWN_UNITS = frozenset(
    {"level", "character", "number", "parameter", "position", "layer", "input"}
)
"""Unit words a step may carry (deck-format.md's list, singular)."""
MAX_HEADING_LENGTH = 120
ITEM_ID_LENGTH = 48
"""Ids are slugs of the text cut at a word boundary: long enough to recognise."""

_QUESTION = re.compile(r"^[ \t]*Q[.:](?:[ \t]+|$)(.*)$")
_ANSWER = re.compile(r"^[ \t]*A[.:](?:[ \t]+|$)(.*)$")
_HEADING = re.compile(r"^[ ]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_SHOW = re.compile(
    r"^\s*(?:show|reveal|see|view)\s+(?:the\s+)?(?:answer|solution)\s*[.:]?\s*$", re.I
)
_DETAILS_TAG = re.compile(r"^\s*</?details\b[^>]*>\s*$", re.I)
_SUMMARY = re.compile(r"^\s*(?:<details\b[^>]*>\s*)?<summary\b[^>]*>(.*?)</summary>\s*$", re.I)
_SECTION = re.compile(
    r"^\s*(?:[*_]{1,2})?(setup|steps|expected outcomes?)\s*[.:](?:[*_]{1,2})?\s*(.*)$", re.I
)
_INTRO = re.compile(
    r"^\s*(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|some|a few)"
    r"\s+(?:short\s+)?(?:cards|flashcards|questions|exercises)\b",
    re.I,
)
# Numbers of more than 300 digits are not read as numbers: int() refuses 4,300, a float
# overflows past 308, and no practice page means one.
_ARROW = re.compile(r"(?:->|→|=>)\s*(-?\d{1,300}(?:\.\d{1,300})?)(?!\d)(?:[\s-]+([A-Za-z]+))?")
_NUMBER = re.compile(r"(?<![\w^.])(-?\d{1,300}(?:\.\d{1,300})?)(?![\w^])(?:[\s-]+([A-Za-z]+))?")
_LABEL = re.compile(r"^([A-Za-z][^:=\d]*?):\s*(.*)$")
_PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)")
_TRAILING_NOTE = re.compile(r"\s*\(([^()]*)\)\s*$")
_WORD = re.compile(r"[a-z]+")


# -- the page as lines ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the page's text, with its line number in the file."""

    number: int
    text: str


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _is_boilerplate(text: str) -> bool:
    if _DETAILS_TAG.match(text):
        return True  # kept as a line only to end an answer (see _anchors)
    plain = _LINK.sub(r"\1", text)  # "[Skip to content](#main)" from a saved page
    return plain.strip().rstrip(".:").strip().lower() in BOILERPLATE


def text_lines(text: str) -> list[Line]:
    """The lines of a plain-text or Markdown page, numbered from 1; `<details>` tags unwrapped.

    A `<summary>` that is not "Show answer" holds the question itself: it becomes the
    question's line followed by a "Show answer" line.
    """
    source = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[Line] = []
    for number, line in enumerate(source, start=1):
        summary = _SUMMARY.match(line)
        if summary is not None:
            inner = summary.group(1).strip()
            if inner and not _SHOW.match(inner):
                lines.extend([Line(number, inner), Line(number, "")])
            lines.extend([Line(number, "Show answer"), Line(number, "")])
        else:
            lines.append(Line(number, line))
    return lines


_SKIPPED_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "template",
                 "button", "head", "svg", "form")
_CONTAINER_TAGS = frozenset({"html", "body", "main", "article", "section", "div", "aside"})


def html_lines(text: str) -> list[Line]:
    """A saved HTML page as Markdown lines, each numbered by the line of its element.

    Parsed with BeautifulSoup (Python's HTML parser); blocks are converted by markdownify
    (headings, lists, emphasis and code kept as Markdown). A `<details>` becomes its
    summary (when that is the question), a "Show answer" line, then its content.
    """
    from studyapp.formats.files import require

    bs4 = require("bs4", "Importing an HTML page")
    markdownify = require("markdownify", "Importing an HTML page").markdownify
    soup = bs4.BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_SKIPPED_TAGS):
        tag.decompose()
    lines: list[Line] = []

    def emit(number: int, markdown: str) -> None:
        for part in markdown.strip("\n").split("\n"):
            lines.append(Line(number, part.rstrip()))
        lines.append(Line(number, ""))

    def convert(node: Any) -> str:
        return str(markdownify(str(node), heading_style="ATX", bullets="-",
                               escape_asterisks=False, escape_underscores=False,
                               escape_misc=False)).strip()

    def walk(node: Any, number: int) -> None:
        for child in node.children:
            if isinstance(child, bs4.NavigableString):
                if type(child) is not bs4.NavigableString:
                    continue  # a comment, the doctype, a processing instruction
                if child.strip():
                    emit(number, " ".join(child.split()))
                continue
            where = child.sourceline or number
            if child.name in _CONTAINER_TAGS:
                walk(child, where)
            elif child.name == "details":
                summary = child.find("summary")
                heading = summary.get_text(" ", strip=True) if summary is not None else ""
                if summary is not None:
                    summary.extract()
                if summary is not None:
                    heading = convert(summary) or heading
                if heading and not _SHOW.match(heading):
                    emit(where, heading)
                if not _SECTION.match(heading):  # "Expected outcome." folded away is no question
                    emit(where, "Show answer")
                walk(child, where)
                emit(where, "</details>")
            elif child.name in ("ol", "ul") and child.find("details") is not None:
                given = str(child.get("start", "1"))  # "²" is a digit int() refuses
                start = int(given) if given.isascii() and given.isdigit() and len(given) < 7 else 1
                for offset, item in enumerate(child.find_all("li", recursive=False)):
                    blocks = item.find_all(["details", "p", "div", "ol", "ul"], recursive=False)
                    for block in blocks:
                        block.extract()
                    marker = f"{start + offset}. " if child.name == "ol" else "- "
                    inline = convert(item).strip()
                    if not inline and blocks and blocks[0].name == "p":
                        inline = convert(blocks.pop(0))
                    emit(item.sourceline or where, marker + inline)
                    holder = soup.new_tag("div")
                    for block in blocks:
                        holder.append(block)
                    walk(holder, item.sourceline or where)
            else:
                markdown = convert(child)
                if markdown:
                    emit(where, markdown)

    walk(soup, 1)
    return lines


# -- what a page holds ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageItem:
    """A question or card of the page: its first line, prompt (front) and answer (back)."""

    line: int
    prompt: str
    answer: str


@dataclass(frozen=True, slots=True)
class PageStep:
    """One numeric step: its prompt and what the expected outcome said about it."""

    line: int
    id: str
    prompt: str
    answer: int | float
    unit: str | None = None
    hint: str | None = None
    explain: str | None = None
    calc: str | None = None


@dataclass(slots=True)
class PageExercise:
    """A worked exercise of the page."""

    line: int
    title: str
    setup: str = ""
    steps: list[PageStep] = field(default_factory=list)
    outcome: str = ""


@dataclass(slots=True)
class Page:
    """Everything the importer found on a page, and what it could not place."""

    heading: str | None
    description: str = ""
    questions: list[PageItem] = field(default_factory=list)
    cards: list[PageItem] = field(default_factory=list)
    exercises: list[PageExercise] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Runs of non-blank lines, boilerplate left out."""
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if not line.text.strip() or _is_boilerplate(line.text):
            if current:
                paragraphs.append(current)
            current = []
        else:
            current.append(line)
    if current:
        paragraphs.append(current)
    return paragraphs


def _text(paragraphs: Sequence[Sequence[Line]], *, after_marker: bool = False) -> str:
    """Paragraphs as Markdown text: lines kept, common indentation removed, one blank between.

    `after_marker`: the first line is what followed a `Q.`/`A.` marker, so the lines after
    it lose their own common indentation.
    """
    blocks = [textwrap.dedent("\n".join(line.text.rstrip() for line in p)).strip()
              for p in paragraphs]
    if after_marker and paragraphs and len(paragraphs[0]) > 1:
        first, *rest = paragraphs[0]
        blocks[0] = "\n".join([first.text.strip(), textwrap.dedent(
            "\n".join(line.text.rstrip() for line in rest))]).strip()
    return "\n\n".join(block for block in blocks if block)


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class _Anchor:
    index: int
    kind: str
    """question, card, setup, steps, expected or heading."""


def _anchors(lines: Sequence[Line]) -> list[_Anchor]:
    anchors: list[_Anchor] = []
    last_marker = -1
    for index, line in enumerate(lines):
        text = line.text
        if _SHOW.match(text):
            # The question is the paragraph before the marker.
            start = index - 1
            while start >= 0 and not lines[start].text.strip():
                start -= 1
            if start < 0 or _is_boilerplate(lines[start].text):
                anchors.append(_Anchor(index, "question"))  # nothing before it to ask
                last_marker = index
                continue
            while start > 0 and lines[start - 1].text.strip() and not _is_boilerplate(
                lines[start - 1].text
            ):
                start -= 1
            if start <= last_marker:
                # The paragraph before is (or holds) the previous marker: that question
                # keeps it, and this marker has no question of its own.
                anchors.append(_Anchor(index, "question"))
                last_marker = index
                continue
            last_marker = index
            # Anchors are in line order: only the last one can sit in that paragraph.
            if not anchors or anchors[-1].index < start:
                anchors.append(_Anchor(start, "question"))
            elif anchors[-1].index == start:
                anchors[-1] = _Anchor(start, "question")
        elif _QUESTION.match(text):
            anchors.append(_Anchor(index, "card"))
        elif (section := _SECTION.match(text)) is not None:
            kind = section.group(1).lower()
            anchors.append(_Anchor(index, "expected" if kind.startswith("expected") else kind))
        elif _HEADING.match(text):
            anchors.append(_Anchor(index, "heading"))
    return anchors


class _Reader:
    """Walks a page's parts in order; collects items and warnings."""

    def __init__(self, lines: Sequence[Line], name: str) -> None:
        self.lines = lines
        self.name = name
        self.page = Page(heading=None)
        self.exercise: PageExercise | None = None
        self.steps: list[tuple[Line, str]] = []
        self.loose: list[list[Line]] = []
        """Paragraphs waiting for a place (a title for the next exercise, or a warning)."""
        self.loose_kind = "description"
        self.heading_title: str | None = None
        self.next_kind = "end"
        """What the part after the one being read is (question, card, exercise, heading...)."""

    def warn(self, line: int, message: str) -> None:
        self.page.warnings.append(f"{self.name}:{line}: {message}")

    def not_placed(self, paragraphs: Sequence[Sequence[Line]], why: str) -> None:
        for paragraph in paragraphs:
            preview = _preview(paragraph[0].text)
            self.warn(paragraph[0].number, f"not imported ({why}): {preview!r}")

    # The paragraphs after a question's answer or an exercise's outcome may be the next
    # exercise's title, so they are kept loose until the next part says what they are.
    def settle_loose(self, next_kind: str) -> str | None:
        """Place the loose paragraphs now that the next part is known; a title, if wanted."""
        paragraphs, self.loose = self.loose, []
        title = None
        if next_kind == "exercise" and paragraphs and self.heading_title is None:
            title = _one_line(_text([paragraphs.pop()])).rstrip(".:")
        if (
            next_kind in ("card", "question")
            and self.loose_kind != "description"
            and paragraphs
            and _INTRO.match(paragraphs[-1][0].text)
        ):
            self.not_placed([paragraphs.pop()], "an introduction to the part after it")
        if paragraphs:
            self.attach(paragraphs)
        if self.heading_title is not None and next_kind == "exercise":
            title, self.heading_title = self.heading_title, None
        return title

    def attach(self, paragraphs: list[list[Line]]) -> None:
        """Loose paragraphs join what came before them."""
        text = _text(paragraphs)
        if self.loose_kind == "description":
            self.page.description = "\n\n".join(filter(None, [self.page.description, text]))
        elif self.loose_kind == "question":
            last = self.page.questions[-1]
            self.page.questions[-1] = PageItem(last.line, last.prompt,
                                               f"{last.answer}\n\n{text}")
        elif self.loose_kind == "card":
            last = self.page.cards[-1]
            self.page.cards[-1] = PageItem(last.line, last.prompt, f"{last.answer}\n\n{text}")
        elif self.loose_kind == "outcome" and self.page.exercises:
            exercise = self.page.exercises[-1]
            exercise.outcome = "\n\n".join(filter(None, [exercise.outcome, text]))
        else:
            self.not_placed(paragraphs, "no part of the page to attach it to")

    def read(self) -> Page:
        lines = self.lines
        anchors = _anchors(lines)
        first = anchors[0].index if anchors else len(lines)
        preamble = _paragraphs(lines[:first])
        if preamble:
            head = preamble[0][0]
            text = _HEADING.sub(r"\2", head.text).strip()
            if len(text) <= MAX_HEADING_LENGTH and not text.endswith("."):
                self.page.heading = _one_line(text)
                preamble[0] = preamble[0][1:]
        elif anchors and anchors[0].kind == "heading":
            at = anchors[0].index
            heading = _HEADING.match(lines[at].text)
            assert heading is not None
            self.page.heading = _one_line(heading.group(2))
            anchors = anchors[1:]
            first = anchors[0].index if anchors else len(lines)
            preamble = _paragraphs(lines[at + 1 : first])
        self.loose = [p for p in preamble if p]
        self.loose_kind = "description"
        for position, anchor in enumerate(anchors):
            following = anchors[position + 1] if position + 1 < len(anchors) else None
            end = following.index if following is not None else len(lines)
            self.next_kind = "end" if following is None else (
                "exercise" if following.kind in ("setup", "steps") else following.kind
            )
            getattr(self, f"read_{anchor.kind}")(anchor.index, end)
        self.finish_exercise()
        self.settle_loose("end")
        return self.page

    def read_heading(self, start: int, end: int) -> None:
        heading = _HEADING.match(self.lines[start].text)
        assert heading is not None
        text = _one_line(heading.group(2))
        rest = _paragraphs(self.lines[start + 1 : end])
        following = self.next_kind
        if text.lower().rstrip(".:") in STRUCTURAL_HEADINGS:
            self.settle_loose("heading")
        elif following == "exercise" and not rest:
            self.settle_loose("heading")
            self.heading_title = re.sub(r"^(?:worked\s+)?exercise\s*[:.-]\s*", "", text,
                                        flags=re.I) or text
        else:
            self.settle_loose("heading")
            self.warn(self.lines[start].number, f"heading not imported: {_preview(text)!r}")
        if rest:
            if following == "exercise" and self.heading_title is None:
                self.loose = rest
                self.loose_kind = "none"
            elif following in ("card", "question") and _INTRO.match(rest[-1][0].text):
                self.not_placed(rest, "an introduction to the part after it")
            else:
                self.not_placed(rest, "text under a heading, outside any question or card")

    def read_question(self, start: int, end: int) -> None:
        self.finish_exercise()
        self.settle_loose("question")
        marker = next(i for i in range(start, end) if _SHOW.match(self.lines[i].text))
        prompt_lines = [line for line in self.lines[start:marker] if line.text.strip()]
        if not prompt_lines:
            self.warn(self.lines[marker].number,
                      "a 'Show answer' with no question before it; not imported")
            return
        head = _HEADING.sub(r"\2", prompt_lines[0].text)
        numbered = _NUMBERED.match(head)
        first = numbered.group(2) if numbered else head
        prompt = _text([[Line(0, first), *prompt_lines[1:]]], after_marker=True)
        paragraphs = _paragraphs(self.lines[marker + 1 : end])
        following = self.next_kind
        if following == "exercise" and self.heading_title is None and len(paragraphs) > 1:
            self.loose = [paragraphs.pop()]
        if not paragraphs:
            self.warn(self.lines[start].number, "this question has no answer after it; skipped")
            return
        self.page.questions.append(PageItem(self.lines[start].number, prompt, _text(paragraphs)))
        self.loose_kind = "question"

    def read_card(self, start: int, end: int) -> None:
        self.finish_exercise()
        self.settle_loose("card")
        region = self.lines[start:end]
        answer_at = next((i for i, line in enumerate(region) if _ANSWER.match(line.text)), None)
        number = region[0].number
        question = _QUESTION.match(region[0].text)
        assert question is not None
        if answer_at is None:
            self.warn(number, "this 'Q.' has no 'A.' answer; skipped")
            return
        answer = _ANSWER.match(region[answer_at].text)
        assert answer is not None
        front = _text(_paragraphs([Line(number, question.group(1)), *region[1:answer_at]]),
                      after_marker=True)
        back_lines = [Line(region[answer_at].number, answer.group(1)), *region[answer_at + 1 :]]
        paragraphs = _paragraphs(back_lines)
        if self.next_kind == "exercise" and len(paragraphs) > 1:
            self.loose = [paragraphs.pop()]
        back = _text(paragraphs, after_marker=bool(answer.group(1).strip()))
        if not front:
            self.warn(number, "the question after 'Q.' is empty; skipped")
        elif not back:
            self.warn(number, "the answer after 'A.' is empty; skipped")
        else:
            self.page.cards.append(PageItem(number, front, back))
            self.loose_kind = "card"

    def start_exercise(self, start: int) -> PageExercise:
        if self.exercise is None:
            title = self.settle_loose("exercise")
            number = self.lines[start].number
            if title is None:
                self.warn(number, "no title before this exercise; called 'Worked exercise'")
                title = "Worked exercise"
            self.exercise = PageExercise(number, title)
            self.steps = []
            self.loose_kind = "none"
        return self.exercise

    def section_rest(self, start: int, end: int) -> list[Line]:
        section = _SECTION.match(self.lines[start].text)
        assert section is not None
        return [Line(self.lines[start].number, section.group(2)), *self.lines[start + 1 : end]]

    def read_setup(self, start: int, end: int) -> None:
        if self.exercise is not None and (self.steps or self.exercise.setup):
            self.finish_exercise()
        exercise = self.start_exercise(start)
        exercise.setup = _text(_paragraphs(self.section_rest(start, end)))

    def read_steps(self, start: int, end: int) -> None:
        if self.exercise is not None and self.steps:
            self.finish_exercise()
        self.start_exercise(start)
        items, rest = _numbered_items(self.section_rest(start, end), stop_at_paragraph=False)
        self.not_placed(rest, "text in the steps that is not a numbered step")
        self.steps = []
        for lines in items:
            numbered = _NUMBERED.match(lines[0].text)
            assert numbered is not None
            text = " ".join([numbered.group(2), *(line.text for line in lines[1:])])
            self.steps.append((lines[0], _one_line(text)))

    def read_expected(self, start: int, end: int) -> None:
        exercise = self.start_exercise(start)
        items, rest = _numbered_items(self.section_rest(start, end), stop_at_paragraph=True)
        by_number: dict[int, list[Line]] = {}
        for lines in items:
            numbered = _NUMBERED.match(lines[0].text)
            assert numbered is not None
            by_number.setdefault(int(numbered.group(1)), lines)
        for position, (line, text) in enumerate(self.steps, start=1):
            numbered = _NUMBERED.match(line.text)
            number = int(numbered.group(1)) if numbered else position
            expected = by_number.pop(number, None)
            if expected is None:
                self.warn(line.number, f"step {number} has no expected-outcome line; skipped")
                continue
            exercise.steps.extend(self.make_steps(number, line.number, text, expected))
        for number, lines in by_number.items():
            self.warn(lines[0].number, f"expected outcome {number} matches no step; not imported")
        self.steps = []
        self.loose = rest
        self.loose_kind = "outcome"
        self.page.exercises.append(exercise)
        self.exercise = None

    def finish_exercise(self) -> None:
        if self.exercise is not None:
            self.warn(self.exercise.line,
                      "this exercise has no 'Expected outcome.' list, so no answers; skipped")
            self.exercise = None
            self.steps = []

    def make_steps(
        self, number: int, line: int, text: str, expected: Sequence[Line]
    ) -> list[PageStep]:
        numbered = _NUMBERED.match(expected[0].text)
        assert numbered is not None
        segments, notes = _segments([numbered.group(2), *(e.text for e in expected[1:])])
        if not segments:
            self.warn(expected[0].number,
                      f"expected outcome {number} names no number; step {number} skipped")
            return []
        prompt, hint = text, None
        note = _TRAILING_NOTE.search(text)
        if note is not None and text[: note.start()].strip():
            prompt, hint = text[: note.start()].strip(), note.group(1).strip()
        prompts = _sub_prompts(prompt, [segment.label for segment in segments])
        steps: list[PageStep] = []
        for index, segment in enumerate(segments):
            step_id = f"step-{number}" if len(segments) == 1 else f"step-{number}{_letter(index)}"
            explain = " ".join(filter(None, [segment.text, segment.notes, *notes]))
            calc = propose_calc(prompts[index], segment.value, " ".join([text, segment.label]))
            steps.append(PageStep(line, step_id, prompts[index], segment.value, segment.unit,
                                  hint, explain, calc))
        return steps


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else str(index + 1)


def _numbered_items(
    lines: Sequence[Line], *, stop_at_paragraph: bool
) -> tuple[list[list[Line]], list[list[Line]]]:
    """Numbered items (each with its continuation lines), and the paragraphs after them.

    With `stop_at_paragraph`, a blank line followed by a line that is not numbered ends the
    list; otherwise such lines continue the item before them. Text before the first item
    is returned with the rest.
    """
    items: list[list[Line]] = []
    before: list[Line] = []
    blank = False
    for position, line in enumerate(lines):
        text = line.text
        if not text.strip() or _is_boilerplate(text):
            blank = True
            continue
        if _NUMBERED.match(text):
            items.append([line])
        elif not items:
            before.append(line)
        elif blank and stop_at_paragraph:
            return items, [*_paragraphs(before), *_paragraphs(lines[position:])]
        else:
            items[-1].append(Line(line.number, text.strip()))
        blank = False
    return items, _paragraphs(before)


@dataclass(frozen=True, slots=True)
class _Segment:
    value: int | float
    unit: str | None
    text: str
    label: str
    notes: str
    """The line's own remarks in parentheses."""


def _number(text: str) -> int | float:
    return int(text) if "." not in text else float(text)  # whole numbers exactly


def _unit(word: str | None) -> str | None:
    if word is None:
        return None
    lower = word.lower()
    return lower if lower.rstrip("s") in KNOWN_UNITS else None


def _segments(texts: Sequence[str]) -> tuple[list[_Segment], list[str]]:
    """The numbers an expected-outcome item gives, in order, and its notes in parentheses.

    `a = b -> N unit` gives N (once per arrow); `label: x + y = N unit` the number after
    the last `=`; otherwise every number of the line, by position (`16-wide, 64-wide`).
    """
    segments: list[_Segment] = []
    notes: list[str] = []
    for raw in texts:
        text = raw.strip()
        if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
            notes.append(text)
            continue
        own = " ".join(f"({m.group(1)})" for m in _PARENTHETICAL.finditer(text))
        text = _PARENTHETICAL.sub("", text).strip()
        label_match = _LABEL.match(text)
        label = label_match.group(1).strip() if label_match else ""
        body = label_match.group(2) if label_match else text
        arrows = list(_ARROW.finditer(text))
        if arrows:
            previous = 0
            for arrow in arrows:
                piece = text[previous : arrow.end()].strip()
                previous = arrow.end()
                segments.append(_Segment(_number(arrow.group(1)), _unit(arrow.group(2)),
                                         piece, label, own))
            continue
        if "=" in body:
            found = list(_NUMBER.finditer(body[body.rindex("=") + 1 :]))
            if found:
                segments.append(_Segment(_number(found[0].group(1)), _unit(found[0].group(2)),
                                         text, label, own))
            continue
        for match in _NUMBER.finditer(body):
            segments.append(_Segment(_number(match.group(1)), _unit(match.group(2)), text,
                                     label, own))
    return segments, notes


def _sub_prompts(prompt: str, labels: Sequence[str]) -> list[str]:
    """One prompt per expected number: split at its questions, else named by the label."""
    count = len(labels)
    if count == 1:
        return [prompt]
    questions = re.findall(r"[^?]*\?", prompt)
    if len(questions) == count:
        return ["".join(questions[: index + 1]).strip() for index in range(count)]
    if all(labels) and len(set(labels)) == count:
        return [f"{prompt} ({label})" for label in labels]
    return [f"{prompt} (value {index + 1} of {count}, in the order given)"
            for index in range(count)]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def propose_calc(prompt: str, answer: int | float, context: str) -> str | None:
    """A calculator call that gives `answer` from a number in the prompt, if one is plain.

    Every one-argument calculator function is tried with every whole number of the prompt;
    among those that give the answer, the one whose name shares most words with the step's
    text wins (none when no word is shared, or on a tie between different calls: a guess
    is worse than no `calc`). The caller keeps it only when `check` agrees.
    """
    from studyapp import calc
    from studyapp.deck.calcexpr import CalcExpressionError, parse_calc

    if not isinstance(answer, int):
        return None
    words = {_stem(w) for w in _WORD.findall(f"{prompt} {context}".lower())}
    numbers = sorted({int(n) for n in re.findall(r"(?<![\w.^])\d{1,300}(?![\w.^])", prompt)})
    scored: list[tuple[int, str]] = []
    for name in sorted(calc.FUNCTIONS):
        _, required = _parameters(name)
        if len(required) != 1:
            continue
        (parameter,) = required
        score = sum(_stem(part) in words for part in name.split("_"))
        if score == 0:
            continue
        for number in numbers:
            call = f"{name}({parameter}={number})"
            try:
                value = parse_calc(call).evaluate()
            except (calc.CalcError, CalcExpressionError, ValueError, OverflowError):
                continue
            if value == answer:
                scored.append((score, call))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    winners = {call for score, call in scored if score == best}
    return winners.pop() if len(winners) == 1 else None


def _parameters(name: str) -> tuple[frozenset[str], frozenset[str]]:
    from studyapp.deck.calcexpr import _parameters as parameters

    return parameters(name)


def parse_page(text: str, name: str = "<page>", *, html: bool = False) -> Page:
    """Everything a page's text holds; DataError when it holds nothing to import."""
    try:
        found = html_lines(text) if html else text_lines(text)
    except RecursionError:  # BeautifulSoup and markdownify walk the tree recursively
        raise DataError(f"{name}: the HTML is nested too deeply to read") from None
    lines, dropped = _without_controls(found, name)
    page = _Reader(lines, name).read()
    page.warnings[:0] = dropped
    if not (page.questions or page.cards or page.exercises):
        problems = "".join(f"\n{warning}" for warning in page.warnings)
        raise DataError(
            f"{name}: no questions, cards or exercises found (a card is a line starting with "
            "'Q.' and, after it, a line starting with 'A.'; a question is followed by a "
            f"'Show answer' line){problems}"
        )
    return page


def _without_controls(lines: list[Line], name: str) -> tuple[list[Line], list[str]]:
    """The lines without the control characters no deck may hold (an escape sequence would
    drive the learner's terminal), each removal named by its line. A form feed, as text
    copied out of a PDF has between pages, goes without a word."""
    from studyapp.formats.files import control_character, drop_control_characters

    warnings: list[str] = []
    kept: list[Line] = []
    for line in lines:
        text = line.text.replace("\x0c", "")
        found = control_character(text)
        if found is not None:
            warnings.append(f"{name}:{line.number}: dropped the control character {found}"
                            " (and any others on the line)")
            text = drop_control_characters(text)
        kept.append(Line(line.number, text) if text != line.text else line)
    return kept, warnings


# -- reading the file ----------------------------------------------------------------------


def is_html(path: Path, text: str) -> bool:
    """HTML by its suffix, or by a document that starts like one."""
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def read_page(path: Path) -> Page:
    """Read and parse a page file (UTF-8, any line endings; text, Markdown or HTML)."""
    raw = read_input(path, MAX_FILE_BYTES, "a page")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"{path}:{line}: the text is not UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save the page as UTF-8"
        ) from None
    return parse_page(text, str(path), html=is_html(path, text))


def _title_from_file(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip() or "Imported page"
    return words[0].upper() + words[1:]




@dataclass(slots=True)
class PageImport:
    """What a page becomes: the deck's data, each exercise's data, and the warnings."""

    deck: dict[str, Any]
    exercises: dict[str, dict[str, Any]]
    warnings: list[str]


def _number_value(value: int | float) -> int | float:
    return int(value) if isinstance(value, float) and math.isfinite(value) and value.is_integer() \
        else value


def page_to_data(page: Page, deck_id: str, title: str) -> PageImport:
    """The deck and exercise files a page becomes, as plain data in the documented key order."""
    taken = TakenIds()

    def item_id(text: str, fallback: str) -> str:
        return unique_id(slugify(text, max_length=ITEM_ID_LENGTH) or fallback, taken)

    deck: dict[str, Any] = {"id": deck_id, "title": title}
    if page.description:
        deck["description"] = page.description
    deck["questions"] = [
        {"id": item_id(q.prompt, "question"), "prompt": q.prompt, "answer": q.answer}
        for q in page.questions
    ]
    deck["cards"] = [
        {"id": item_id(c.prompt, "card"), "front": c.prompt, "back": c.answer}
        for c in page.cards
    ]
    exercises: dict[str, dict[str, Any]] = {}
    exercise_ids = TakenIds()
    for exercise in page.exercises:
        if not exercise.steps:
            continue
        exercise_id = unique_id(
            slugify(exercise.title, max_length=ITEM_ID_LENGTH) or f"{deck_id}-exercise",
            exercise_ids,
        )
        data: dict[str, Any] = {"id": exercise_id, "title": exercise.title}
        if exercise.setup:
            data["setup"] = exercise.setup
        steps: list[dict[str, Any]] = []
        for step in exercise.steps:
            entry: dict[str, Any] = {"id": step.id, "prompt": step.prompt}
            if step.hint:
                entry["hint"] = step.hint
            entry["answer"] = _number_value(step.answer)
            if step.calc:
                entry["calc"] = step.calc
            if step.unit:
                entry["unit"] = step.unit
            if step.explain:
                entry["explain"] = step.explain
            steps.append(entry)
        data["steps"] = steps
        if exercise.outcome:
            data["outcome"] = exercise.outcome
        exercises[exercise_id] = data
    deck["exercises"] = list(exercises)
    return PageImport(deck, exercises, list(page.warnings))


def _keep_confirmed_calcs(data: dict[str, Any], name: str, warnings: list[str]) -> None:
    """Drop every proposed `calc` that `check` does not confirm (it is only a proposal)."""
    from studyapp.deck.writer import data_to_yaml
    from studyapp.formats.files import check_text

    for step in data["steps"]:
        if "calc" not in step:
            continue
        probe = {"id": data["id"], "title": data["title"], "steps": [step]}
        try:
            check_text(data_to_yaml(probe), Path(f"{data['id']}.yaml"), "exercise")
        except DataError:
            warnings.append(f"{name}: step {step['id']}: the proposed calc {step['calc']} "
                            "did not pass check; left out")
            del step["calc"]


def deck_from_page(
    path: Path, *, deck_id: str | None = None, title: str | None = None
) -> Deck:
    """The deck a page file becomes (its questions and cards; exercises by id)."""
    imported = import_data(path, deck_id=deck_id, title=title)
    data = imported.deck
    return Deck(
        id=data["id"],
        title=data["title"],
        description=data.get("description"),
        questions=[Question(**q) for q in data["questions"]],
        cards=[Card(**c) for c in data["cards"]],
        exercises=data["exercises"],
    )


def import_data(
    path: Path, *, deck_id: str | None = None, title: str | None = None
) -> PageImport:
    """Read a page and turn it into deck and exercise data (nothing written)."""
    page = read_page(path)
    if deck_id is None:
        deck_id = (page.heading and slugify(page.heading)) or slugify(path.stem) or "imported"
    if title is None:
        title = page.heading or _title_from_file(path)
    imported = page_to_data(page, deck_id, title)
    for exercise in imported.exercises.values():
        _keep_confirmed_calcs(exercise, str(path), imported.warnings)
    return imported


def exercises_folder(output: Path) -> Path:
    """`LIB/exercises` for a deck written to `LIB/decks/NAME.yaml` (else beside the deck)."""
    folder = output.parent
    return (folder.parent if folder.name == "decks" else folder) / "exercises"


def import_page(
    source: Path,
    output: Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    force: bool = False,
    warn: Callable[[str], None] | None = None,
) -> PageImport:
    """Turn a practice page into a deck file and one exercise file per worked exercise.

    An existing output (deck or exercise file) is refused unless `force`; every file is
    loaded back and checked before it is moved into place, exercises first (the deck
    lists them). Warnings go to `warn` as they are found.
    """
    from studyapp.deck.writer import refuse_existing
    from studyapp.formats.files import write_data

    if deck_id is not None:
        check_deck_id(deck_id)
    if title is not None and not title.strip():
        raise UsageError("--title must not be empty")
    refuse_existing(output, force=force)
    if not output.parent.is_dir():
        raise DataError(f"{output}: the folder {output.parent} does not exist")
    imported = import_data(source, deck_id=deck_id, title=title)
    folder = exercises_folder(output)
    targets = {exercise_id: folder / f"{exercise_id}.yaml" for exercise_id in imported.exercises}
    for target in targets.values():
        refuse_existing(target, force=force)
    if warn is not None:
        for warning in imported.warnings:
            warn(warning)
    if targets:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataError(f"{folder}: cannot create ({error.strerror or error})") from None
    for exercise_id, data in imported.exercises.items():
        write_data(data, targets[exercise_id], "exercise", force=force)
    if not imported.deck["questions"]:
        del imported.deck["questions"]
    if not imported.deck["cards"]:
        del imported.deck["cards"]
    write_data(imported.deck, output, "deck", force=force)
    return imported


def _preview(text: str) -> str:
    """The start of a page's text as a warning quotes it: one line, at most 60 characters
    (a heading left open can run to the end of the page)."""
    line = _one_line(text[:240])
    return line if len(line) <= 60 else line[:57] + "..."
