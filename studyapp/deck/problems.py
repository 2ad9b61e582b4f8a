"""Problems found in deck files, each with FILE:LINE:COLUMN and a plain reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from studyapp.errors import DataError

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One error or warning about one place in one file."""

    path: Path
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"

    def as_json(self) -> dict[str, object]:
        """The problem as plain data for `check --json`."""
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


class DeckFileError(DataError):
    """A deck or exercise file that failed to load; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]) if problems else "the file failed to load")
        self.problems = problems
