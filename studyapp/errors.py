"""The one exception family for mistakes a user can make (bad decks, bad input, bad files)."""

from __future__ import annotations


class StudyappError(Exception):
    """A problem caused by the user's data or input: one plain line, never a traceback."""


class DataError(StudyappError):
    """The user's data is wrong (bad deck, unknown deck id, corrupt database): exit code 1."""


class UsageError(StudyappError):
    """The command line is wrong (bad option value): exit code 2."""


def quoted(value: object, limit: int = 40) -> str:
    """`value` as a message quotes it: its repr, cut to `limit` characters with "...", so a
    file that is hostile (or not what it should be) is never echoed back at length."""
    if isinstance(value, str) and len(value) > 4 * limit:
        value = value[: 4 * limit]  # the repr of a megabyte cell is not worth building
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
