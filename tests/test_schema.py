"""The JSON Schemas: generated from the models, shipped in schemas/, and strict about typos."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from studyapp.cli import cmd_schema
from studyapp.deck.models import Deck
from studyapp.deck.writer import deck_to_yaml
from studyapp.deck.yamlread import parse_yaml, read_yaml_file
from studyapp.errors import UsageError
from studyapp.formats.page import deck_from_page
from studyapp.schema import (
    DRAFT,
    SCHEMA_KINDS,
    SchemaKind,
    build_schema,
    schema_file_name,
    schema_id,
    schema_text,
)

from .conftest import FIXTURES, REPO

SCHEMAS = REPO / "schemas"
REFUSALS = FIXTURES / "refusals"


def objects(node: Any) -> list[dict[str, Any]]:
    """Every sub-schema describing an object."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(objects(value))
    return found


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_shipped_schema_matches_the_models(kind: SchemaKind) -> None:
    shipped = (SCHEMAS / schema_file_name(kind)).read_text(encoding="utf-8")
    assert shipped == schema_text(kind), (
        f"schemas/{schema_file_name(kind)} has drifted from the models: regenerate it with "
        f"`studyapp schema {kind} > schemas/{schema_file_name(kind)}`"
    )


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_schema_header(kind: SchemaKind) -> None:
    schema = build_schema(kind)
    assert list(schema)[:3] == ["$schema", "$id", "title"]
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == schema_id(kind)
    assert kind in schema["title"]


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_object_refuses_unknown_keys(kind: SchemaKind) -> None:
    found = objects(build_schema(kind))
    assert len(found) >= 3
    for node in found:
        assert node.get("additionalProperties") is False, node


def test_cmd_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_schema(argparse.Namespace(kind=None)) == 0
    assert json.loads(capsys.readouterr().out) == build_schema("deck")
    assert cmd_schema(argparse.Namespace(kind="exercise")) == 0
    assert capsys.readouterr().out == schema_text("exercise")
    with pytest.raises(UsageError):
        cmd_schema(argparse.Namespace(kind="card"))


# -- validation with jsonschema ------------------------------------------------------------


@pytest.fixture(scope="module")
def validators() -> dict[str, Any]:
    import jsonschema  # in the test extra

    result: dict[str, Any] = {}
    for kind in SCHEMA_KINDS:
        schema = json.loads((SCHEMAS / schema_file_name(kind)).read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        result[kind] = jsonschema.Draft202012Validator(schema)
    return result


def errors_of(validators: dict[str, Any], kind: str, data: Any) -> list[str]:
    return [error.message for error in validators[kind].iter_errors(data)]


def valid_files() -> list[tuple[str, Path]]:
    """The repository's decks and exercises, and every valid fixture deck or exercise."""
    files = [("deck", p) for p in sorted((REPO / "decks").glob("*.y*ml"))]
    files += [("exercise", p) for p in sorted((REPO / "exercises").glob("*.y*ml"))]
    for path in sorted(FIXTURES.rglob("*.y*ml")):
        if REFUSALS in path.parents:
            continue
        if path.parent.name in ("decks", "exercises"):
            files.append(("deck" if path.parent.name == "decks" else "exercise", path))
    return files


@pytest.mark.parametrize(("kind", "path"), valid_files(), ids=str)
def test_schema_accepts_valid_files(validators: dict[str, Any], kind: str, path: Path) -> None:
    data = read_yaml_file(path).data
    assert errors_of(validators, kind, data) == []


def test_the_repository_library_is_covered() -> None:
    kinds = {kind for kind, _ in valid_files()}
    assert kinds == {"deck", "exercise"}


@pytest.mark.parametrize("page", sorted((FIXTURES / "pages").glob("*.txt")), ids=lambda p: p.name)
def test_schema_accepts_imported_decks(validators: dict[str, Any], page: Path) -> None:
    data = parse_yaml(deck_to_yaml(deck_from_page(page))).data
    assert errors_of(validators, "deck", data) == []


def test_schema_accepts_every_optional_key(validators: dict[str, Any]) -> None:
    deck = {
        "id": "full", "title": "T", "description": "D", "tags": ["a"],
        "questions": [{"id": "q", "prompt": "P", "answer": "A", "fact": "f", "tags": ["b"]}],
        "cards": [{"front": "F", "back": "B"},
                  {"id": "r", "front": "F", "back": "B", "reversed": True, "fact": "f"},
                  {"id": "c", "cloze": "a {{c1::b}}", "reversed": False, "fact": "f"}],
        "exercises": ["wavenet-depth"],
    }
    assert errors_of(validators, "deck", deck) == []
    Deck.model_validate(deck)  # the models agree
    exercise = {
        "id": "ex", "title": "T", "setup": "S", "outcome": "O", "tags": ["t"],
        "steps": [{"id": "s", "prompt": "P", "hint": "H", "answer": 4.5,
                   "calc": "levels_needed(context=16)", "tolerance": 0, "unit": "u",
                   "explain": "E"}],
        "practice": [{"id": "p", "prompt": "{context}?", "params": {"context": [8, 16]},
                      "calc": "levels_needed(context={context})", "hint": "h",
                      "explain": "e", "unit": "u", "tolerance": 0.5}],
    }
    assert errors_of(validators, "exercise", exercise) == []


@pytest.mark.parametrize(
    ("name", "unexpected"),
    [("unknown-key-backk", "backk"), ("unknown-key-cardz", "cardz")],
)
def test_schema_rejects_key_typos(validators: dict[str, Any], name: str, unexpected: str) -> None:
    data = yaml.safe_load((REFUSALS / "decks" / f"{name}.yaml").read_text(encoding="utf-8"))
    messages = errors_of(validators, "deck", data)
    assert any(re.search(rf"'{unexpected}' was unexpected", m) for m in messages), messages


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("deck", "missing-back"),
        ("deck", "missing-title"),
        ("deck", "wrong-type-cards"),
        ("deck", "wrong-type-front"),
        ("deck", "bad-deck-id"),
        ("deck", "empty-deck"),
        ("deck", "front-and-cloze"),
        ("deck", "reversed-cloze"),
        ("deck", "non-slug-item-id"),
        ("deck", "bad-fact"),
        ("exercise", "answer-not-number"),
        ("exercise", "no-steps"),
    ],
)
def test_schema_rejects_what_the_models_reject(
    validators: dict[str, Any], kind: str, name: str
) -> None:
    folder = "decks" if kind == "deck" else "exercises"
    data = yaml.safe_load((REFUSALS / folder / f"{name}.yaml").read_text(encoding="utf-8"))
    assert errors_of(validators, kind, data)


@pytest.mark.parametrize(
    "typo",
    [
        {"steps": [{"prompt": "P", "answer": 1, "hnit": "h"}]},
        {"steps": [{"prompt": "P", "answer": 1}], "practise": []},
        {"steps": [{"prompt": "P", "answer": 1}],
         "practice": [{"id": "p", "prompt": "P", "params": {"bad name": [1]}, "calc": "c"}]},
    ],
)
def test_schema_rejects_exercise_typos(validators: dict[str, Any], typo: dict[str, Any]) -> None:
    assert errors_of(validators, "exercise", {"id": "ex", "title": "T", **typo})


# -- pre-commit -----------------------------------------------------------------------------


def test_pre_commit_hook_runs_check_on_yaml_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "studyapp-check"]
    assert hook["entry"] == "studyapp check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("decks/wavenet.yaml")
    assert pattern.search("exercises/wavenet-depth.yml")
    assert not pattern.search("schemas/deck.schema.json")
    assert not pattern.search("decks/wavenet.yaml.bak")
