"""The one exception family for mistakes a user can make (bad decks, bad input, bad files)."""

from __future__ import annotations


class StudyappError(Exception):
    """A problem caused by the user's data or input: one plain line, never a traceback."""


class DataError(StudyappError):
    """The user's data is wrong (bad deck, unknown deck id, corrupt database): exit code 1."""


class UsageError(StudyappError):
    """The command line is wrong (bad option value): exit code 2."""
