"""JSON Schemas of the deck and exercise formats, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any, Literal

SchemaKind = Literal["deck", "exercise"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("deck", "exercise")
FORMAT_VERSION = 1
DRAFT = "https://json-schema.org/draft/2020-12/schema"
"""The dialect pydantic generates (and the YAML language server understands)."""
ID_BASE = "urn:studyapp:format:1:"
"""Schemas are named, not hosted: editors are pointed at a file or URL by the user."""

_TITLES: dict[SchemaKind, str] = {
    "deck": "studyapp deck (format version 1)",
    "exercise": "studyapp exercise (format version 1)",
}


def schema_id(kind: SchemaKind) -> str:
    """The `$id` of one schema."""
    return f"{ID_BASE}{kind}"


def _close_objects(node: Any) -> None:
    """`additionalProperties: false` on every object, so a typo such as `backk:` is refused.

    Pydantic writes it for models with extra="forbid"; a `dict[Pattern, ...]` field only gets
    `patternProperties`, which alone would let a key outside the pattern through.
    """
    if isinstance(node, dict):
        if node.get("type") == "object" and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def _deck_not_empty(schema: dict[str, Any]) -> None:
    """The model's after-validator, which pydantic cannot express: at least one item."""
    schema["anyOf"] = [
        {"required": [name], "properties": {name: {"minItems": 1}}}
        for name in ("questions", "cards", "exercises")
    ]


def build_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema of one format, straight from its pydantic model."""
    from studyapp.deck.models import Deck, Exercise

    model = Deck if kind == "deck" else Exercise
    generated = model.model_json_schema()
    _close_objects(generated)
    if kind == "deck":
        _deck_not_empty(generated)
    header: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": schema_id(kind),
        "title": _TITLES[kind],
    }
    # `title` from pydantic is just the class name: ours replaces it.
    return header | {key: value for key, value in generated.items() if key != "title"}


def schema_text(kind: SchemaKind) -> str:
    """The schema as the JSON text shipped in `schemas/<kind>.schema.json` (newline at end)."""
    return json.dumps(build_schema(kind), indent=2, ensure_ascii=False) + "\n"


def schema_file_name(kind: SchemaKind) -> str:
    """The file name of one schema in the repository's `schemas/` folder."""
    return f"{kind}.schema.json"
