"""Writing imported decks and exercises: plain data to YAML, checked by the loader first."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from studyapp.errors import DataError

MISSING_EXTRA = "{what} needs the 'import' extra: pip install 'studyapp[import]' (missing {module})"


def require(module: str, what: str) -> Any:
    """Import an optional dependency, or a one-line DataError naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DataError(MISSING_EXTRA.format(what=what, module=module)) from None


def check_text(text: str, path: Path, kind: Literal["deck", "exercise"]) -> None:
    """Load `text` as if it were the file `path`; DataError listing its errors, if any.

    The probe sits in a private folder under the real file name, since an exercise's id
    must equal its file name.
    """
    from studyapp.deck.loader import load_deck_file, load_exercise_file

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / path.name
        probe.write_text(text, encoding="utf-8", newline="\n")
        report = load_deck_file(probe) if kind == "deck" else load_exercise_file(probe)
    errors = [p for p in report.problems if p.severity == "error"]
    if errors or report.model is None:
        lines = [f"{path}:{p.line}:{p.column}: {p.message}" for p in errors]
        raise DataError(f"the {kind} would not load, nothing written:\n" + "\n".join(lines))


def write_data(
    data: dict[str, Any], path: Path, kind: Literal["deck", "exercise"], *, force: bool
) -> None:
    """Write a deck or exercise given as plain data to `path`, atomically, once it loads."""
    from studyapp.deck.writer import atomic_output, data_to_yaml, refuse_existing

    refuse_existing(path, force=force)
    text = data_to_yaml(data)
    check_text(text, path, kind)
    with atomic_output(path, force=force) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")
