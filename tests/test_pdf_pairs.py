"""Cause 16 of issue 13 (pairs): what belongs together is printed on the two sides of one
card. Part N of a long item's front backs part N of its back, in every layout, and
`export pdf --with-exercises` prints each step's question with that step's answer on the
back of the same card."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from studyapp.deck.loader import load_library
from studyapp.export.pdf import PdfOptions, sheet_layout, write_pdf
from studyapp.export.printable import PrintItem, format_number
from studyapp.practice import as_written
from tests.conftest import REPO, RunStudyapp
from tests.test_pdf import CardText, expected_text, options_for, read_cards, squeeze

CONFIGS = [
    ("grid", "a4", "long"),
    ("grid", "a4", "short"),
    ("grid", "a4", "none"),
    ("grid", "a6", "long"),
    ("grid", "index-3x5", "none"),
    ("page", "a4", "long"),
]


def _part(card: CardText) -> tuple[str, int, int]:
    """(side name, part, parts) from a header such as "back 2/5"."""
    match = re.fullmatch(r"(\w+)(?: (\d+)/(\d+))?", card.side)
    assert match is not None, card.side
    return match.group(1), int(match.group(2) or 1), int(match.group(3) or 1)


def _label(card: CardText) -> str:
    # Narrow cards shorten "(continued)" in the header to fit it.
    return re.sub(r" \((c[a-z]*…|continued\))$", "", card.label)


def back_to_back(cards: list[CardText], options: PdfOptions) -> list[tuple[CardText, CardText]]:
    """Each front with the face printed on the other side of the same piece of card: on the
    next page at the mirrored place (duplex), or beside or below it on the same page, where
    the sheet is folded (duplex none, page layout)."""
    layout = sheet_layout(options)
    at = {(card.page, card.box): card for card in cards}
    pairs = []
    for card in cards:
        if layout.backs_on_next_page and card.page % 2 == 0:
            # read_cards numbers a back page's boxes as layout.backs, whose slot i is the
            # mirror image of fronts[i]
            pairs.append((card, at[card.page + 1, card.box]))
        elif not layout.backs_on_next_page and card.box < layout.capacity:
            pairs.append((card, at[card.page, card.box + layout.capacity]))
    assert 2 * len(pairs) == len(cards), "every face has its other side"
    return pairs


@pytest.mark.parametrize("config", CONFIGS, ids="-".join)
def test_part_n_of_a_long_front_backs_part_n_of_its_back(
    config: tuple[str, str, str], tmp_path: Path
) -> None:
    front_words = [f"f{n:04d}" for n in range(1, 901)]
    back_words = [f"b{n:04d}" for n in range(1, 2001)]
    items = [
        PrintItem("card", "t", "short", "Short front", "Short back", (), "t · C1"),
        PrintItem("card", "t", "long", " ".join(front_words), " ".join(back_words), (),
                  "t · C2"),
        PrintItem("card", "t", "after", "Next front", "Next back", (), "t · C3"),
    ]
    options = options_for(config)
    path = tmp_path / "long.pdf"
    result = write_pdf(items, path, options)
    pairs = back_to_back(read_cards(path, options), options)
    parts = {}
    for front, back in pairs:
        assert _label(front) == _label(back)
        side, part, total = _part(front)
        other, back_part, back_total = _part(back)
        assert (side, other) == ("front", "back")
        assert (part, total) == (back_part, back_total), (front.side, back.side)
        parts[_label(front), part] = (total, front.text.split(), back.text.split())
    total = parts["t · C2", 1][0]
    assert total > 2 and result.cards == total + 2
    assert sorted(p for label, p in parts if label == "t · C2") == list(range(1, total + 1))
    # Both texts, read part by part, are whole and in order.
    assert [w for p in range(1, total + 1) for w in parts["t · C2", p][1]] == front_words
    assert [w for p in range(1, total + 1) for w in parts["t · C2", p][2]] == back_words
    assert parts["t · C1", 1][1:] == (["Short", "front"], ["Short", "back"])
    assert parts["t · C3", 1][1:] == (["Next", "front"], ["Next", "back"])


def _printed(markdown: str) -> str:
    """What a face prints for `markdown`, without whitespace (lines break anywhere)."""
    return squeeze(expected_text(markdown))


@pytest.mark.parametrize("config", [("grid", "a4", "long"), ("grid", "a4", "none"),
                                    ("page", "a4", "long")], ids="-".join)
def test_each_exercise_step_is_backed_by_its_own_answer(
    config: tuple[str, str, str], run_studyapp: RunStudyapp, tmp_path: Path
) -> None:
    layout, paper, duplex = config
    path = tmp_path / "sheet.pdf"
    done = run_studyapp("export", "pdf", "wavenet", "-o", str(path), "--with-exercises",
                        "--layout", layout, "--paper", paper, "--duplex", duplex)
    assert done.returncode == 0, done.stderr
    options = options_for(config)
    pairs = back_to_back(read_cards(path, options), options)
    faces = {(_label(front), _part(front)[1]): (squeeze(front.text), squeeze(back.text))
             for front, back in pairs}
    library = load_library(REPO)
    for number, exercise_id in enumerate(("wavenet-depth", "wavenet-chain"), start=1):
        exercise = as_written(library.exercise(exercise_id))  # params at their first values
        steps = exercise.steps
        for index, step in enumerate(steps, start=1):
            front, back = faces[f"wavenet · E{number}.{index}", 1]
            assert front.endswith(squeeze(f"Step {index} of {len(steps)}")
                                  + _printed(step.prompt)), front
            answer = f"{format_number(step.answer)} {step.unit}"
            assert back.startswith(squeeze(f"Step {index} of {len(steps)}: {answer}")), back
            # No other step's question or answer shares the card.
            for other, later in enumerate(steps, start=1):
                if other != index:
                    assert _printed(later.prompt) not in front
                    assert squeeze(f"Step {other} of") not in front + back
        outcome_front, outcome_back = faces[f"wavenet · E{number}.{len(steps) + 1}", 1]
        question = f"After the {len(steps)} steps: what should you have found?"
        assert outcome_front.endswith(squeeze(question))
        assert outcome_back.startswith(_printed(exercise.outcome or "")[:60])
