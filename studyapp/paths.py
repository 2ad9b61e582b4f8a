"""Where things are: the library to study (deck-format.md) and the per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from studyapp.errors import DataError

#: Environment variable that sets the data directory when `--data-dir` is not given.
DATA_DIR_ENV = "STUDYAPP_DATA_DIR"

#: The review database inside the data directory (see docs/cli.md, `review --plain`).
DATABASE_NAME = "reviews.sqlite3"


def expand_user(text: str) -> Path:
    """`text` as a path with a leading ``~`` or ``~user`` expanded; DataError for a user
    (or a home folder) that does not exist, instead of RuntimeError from pathlib."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise DataError(f"{text}: cannot expand '~' (no such user or home folder)") from None


def resolve_data_dir(cli_value: str | None) -> Path:
    """Return the data directory: `--data-dir`, else `$STUDYAPP_DATA_DIR`, else the platform's.

    An empty string (``--data-dir ""`` or ``STUDYAPP_DATA_DIR=``) counts as "not given".
    A leading ``~`` is expanded. The directory is not created here: the store creates it
    on first use.
    """
    if cli_value:
        return expand_user(cli_value)
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return expand_user(from_env)
    return Path(platformdirs.user_data_dir("studyapp"))


def builtin_library() -> Path:
    """The library installed with the package (or the repository's, when run from a checkout)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "library", package.parent):
        if (candidate / "decks").is_dir():
            return candidate
    raise DataError("the built-in library is missing from this installation of studyapp")


def find_library(cli_value: str | None, cwd: Path | None = None) -> Path:
    """`--library PATH`, else the current folder when it has decks/, else the built-in one."""
    if cli_value is not None:
        root = expand_user(cli_value)
        if not (root / "decks").is_dir():
            raise DataError(f"{root} is not a library: it has no decks/ folder")
        return root
    here = cwd if cwd is not None else Path.cwd()
    if (here / "decks").is_dir():
        return here
    return builtin_library()


#: The longest library name the TUI shows (its title bar is 80 columns at the least).
LABEL_WIDTH = 40


def library_label(root: Path) -> str:
    """How the TUI names a library: "built-in library", else its folder as one would type
    it, from the home folder (``~/notes/ml``) or else in full (``/srv/decks``); a long
    one keeps its end (``…/notes/ml``).

    Not the folder's name alone: a library is often the current folder, whose name
    (``src``, ``notes``) says little. A library has no title of its own (deck-format.md:
    it is a folder holding ``decks/``), so its place is what tells libraries apart.
    """
    try:
        if root.resolve() == builtin_library().resolve():
            return "built-in library"
    except DataError:
        pass
    folder = root.resolve()
    label = folder.as_posix()
    try:
        home = Path.home().resolve()
    except RuntimeError:  # no home folder at all
        home = None
    if home is not None and folder.is_relative_to(home):
        inside = folder.relative_to(home).as_posix()
        label = "~" if inside == "." else f"~/{inside}"
    return shorten_path(label, LABEL_WIDTH)


def shorten_path(label: str, width: int) -> str:
    """`label` if it fits in `width` characters, else as many of its last parts as fit
    after "…/" (or the end of its last part after "…")."""
    if len(label) <= width:
        return label
    parts = label.split("/")
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        if len(f"…/{part}/{kept}") > width:
            break
        kept = f"{part}/{kept}"
    if len(f"…/{kept}") <= width:
        return f"…/{kept}"
    return "…" + kept[-(width - 1):]
