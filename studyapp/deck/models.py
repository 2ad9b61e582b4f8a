"""Pydantic models of the deck and exercise formats (deck-format.md, version 1.1)."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from typing import Annotated, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from studyapp.deck.cloze import ClozeError, cloze_numbers

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
ItemId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]
"""Question, card and step ids are slugs, so none can collide with a derived identity
(`exercise:ID`, `ID#reverse`, `ID#c2`)."""
Text = Annotated[str, StringConstraints(min_length=1)]
OptionalText = Annotated[str, StringConstraints()]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Number = int | float


class StrictModel(BaseModel):
    """Base for every format model: strict types, unknown keys refused, frozen after loading."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def derived_id(text: str) -> str:
    """A stable id for an item that has none, from its prompt/front text.

    The text is NFC-normalised and its whitespace collapsed first, so re-indenting a YAML
    block or an editor's Unicode normal form does not start a new history.
    """
    normal = " ".join(unicodedata.normalize("NFC", text).split())
    return "auto-" + hashlib.blake2b(normal.encode("utf-8"), digest_size=6).hexdigest()


class Question(StrictModel):
    """An open question: think of an answer first, then reveal it."""

    kind: ClassVar[str] = "question"

    id: ItemId | None = None
    """Stable identity within the deck; derived from `prompt` when absent."""
    prompt: Text
    answer: Text
    fact: Slug | None = None
    """Items of one deck sharing a fact are siblings (review buries the others)."""
    tags: list[Tag] = Field(default_factory=list)

    @property
    def key(self) -> str:
        """The item id, explicit or derived from the prompt."""
        return self.id if self.id is not None else derived_id(self.prompt)

    @property
    def front(self) -> str:
        return self.prompt

    @property
    def back(self) -> str:
        return self.answer


class Card(StrictModel):
    """A flashcard: `front` and `back` (optionally `reversed`), or a `cloze` text."""

    kind: ClassVar[str] = "card"
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        # JSON Schema's view of _one_shape: front and back without cloze, or cloze alone.
        {"required": ["front", "back"], "not": {"required": ["cloze"]}},
        {
            "required": ["cloze"],
            "not": {"anyOf": [{"required": ["front"]}, {"required": ["back"]}]},
            "properties": {"reversed": {"const": False}},
        },
    ]})

    id: ItemId | None = None
    """Stable identity within the deck; derived from `front` (or `cloze`) when absent."""
    front: Text | None = None
    back: Text | None = None
    cloze: Text | None = None
    """Anki cloze text: `{{c1::hidden}}`, `{{c2::hidden::hint}}`; each number is one item."""
    reversed: bool = False
    """Also review back to front (front/back cards only)."""
    fact: Slug | None = None
    """Items of one deck sharing a fact are siblings."""
    tags: list[Tag] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_shape(self) -> Card:
        if self.cloze is not None:
            if self.front is not None or self.back is not None:
                raise ValueError(
                    "a card has either front and back or cloze, not both: "
                    "remove front/back or cloze"
                )
            if self.reversed:
                raise ValueError("a cloze card cannot be reversed (reversed needs front and back)")
            try:
                numbers = cloze_numbers(self.cloze)
            except ClozeError as error:
                raise ValueError(f"cloze: {error.message}") from None
            if not numbers:
                raise ValueError(
                    "a cloze needs at least one deletion such as {{c1::hidden text}}"
                )
            return self
        if self.front is None and self.back is None:
            raise ValueError("a card needs front and back, or cloze")
        if self.front is None:
            raise ValueError("missing required key 'front' (a card has front and back, or cloze)")
        if self.back is None:
            raise ValueError("missing required key 'back' (a card has front and back, or cloze)")
        return self

    @property
    def is_cloze(self) -> bool:
        """True for a cloze card (no front/back)."""
        return self.cloze is not None

    @property
    def key(self) -> str:
        """The item id, explicit or derived from the front (or the cloze text)."""
        if self.id is not None:
            return self.id
        return derived_id(self.cloze if self.cloze is not None else self.front or "")


DEFAULT_ATTEMPTS = 2
"""Graded tries a step gets before its answer is shown (deck-format.md 1.1, `attempts`)."""


class Mistake(StrictModel):
    """A known wrong answer of a step and what to tell the learner who gives it.

    Exactly one of `answer` (a number) or `calc` (a calculator call, which may use the
    exercise's `{param}` placeholders and `{step:ID}` references) names the wrong value.
    """

    answer: Number | None = None
    calc: Text | None = None
    says: Text

    @model_validator(mode="after")
    def _one_value(self) -> Mistake:
        if (self.answer is None) == (self.calc is None):
            raise ValueError("a mistake needs exactly one of 'answer' or 'calc'")
        if isinstance(self.answer, float) and not math.isfinite(self.answer):
            raise ValueError("a mistake's answer must be a finite number")
        return self


class Step(StrictModel):
    """One numeric step of a worked exercise."""

    id: ItemId | None = None
    """Stable identity within the exercise; derived from `prompt` when absent."""
    prompt: Text
    answer: Number
    """The number the author expects."""
    calc: Text | None = None
    """The same number from the tree calculator, e.g. `levels_needed(context=16)`."""
    hint: OptionalText | None = None
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """Absolute tolerance; 0 when absent."""
    unit: OptionalText | None = None
    explain: OptionalText | None = None
    attempts: Annotated[int, Field(ge=1, le=10)] | None = None
    """Graded tries before the answer is shown; DEFAULT_ATTEMPTS when absent."""
    mistakes: list[Mistake] = Field(default_factory=list)
    """Known wrong answers, each with what to say when the learner's number matches."""

    @field_validator("answer")
    @classmethod
    def _finite(cls, value: Number) -> Number:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("answer must be a finite number")
        return value

    @property
    def key(self) -> str:
        """The step id, explicit or derived from the prompt."""
        return self.id if self.id is not None else derived_id(self.prompt)

    @property
    def tries(self) -> int:
        """Graded tries the step gets (`attempts`, else DEFAULT_ATTEMPTS)."""
        return self.attempts if self.attempts is not None else DEFAULT_ATTEMPTS


ParamName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
ParamValues = Annotated[list[int], Field(min_length=1, max_length=1000)]


class PracticeTemplate(StrictModel):
    """A template for fresh generated problems; the expected value comes from `calc`."""

    id: Slug
    prompt: Text
    params: dict[ParamName, ParamValues]
    calc: Text
    hint: OptionalText | None = None
    explain: OptionalText | None = None
    unit: OptionalText | None = None
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class Exercise(StrictModel):
    """A worked numeric exercise: setup, steps in order, outcome, practice templates."""

    id: Slug
    """Must equal the file's stem."""
    title: Text
    setup: OptionalText | None = None
    steps: Annotated[list[Step], Field(min_length=1)]
    outcome: OptionalText | None = None
    params: dict[ParamName, ParamValues] | None = None
    """Numbers a fresh version may change: each `{name}` in the title, setup, steps and
    outcome is filled with one of its values. The first value of each is the exercise as
    written; every step's expected value then comes from its `calc`."""
    practice: list[PracticeTemplate] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)


class Deck(StrictModel):
    """A deck: open questions, flashcards and references to exercises."""

    id: Slug
    title: Text
    description: OptionalText | None = None
    tags: list[Tag] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    cards: list[Card] = Field(default_factory=list)
    exercises: list[Slug] = Field(default_factory=list)
    """Ids of files in the library's `exercises/` folder."""

    @model_validator(mode="after")
    def _not_empty(self) -> Deck:
        if not (self.questions or self.cards or self.exercises):
            raise ValueError("a deck needs at least one question, card or exercise")
        return self
