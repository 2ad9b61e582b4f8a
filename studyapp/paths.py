"""Where studyapp keeps its per-user data (the review database, its backups, caches)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: Environment variable that sets the data directory when `--data-dir` is not given.
DATA_DIR_ENV = "STUDYAPP_DATA_DIR"

#: The review database inside the data directory (see docs/cli.md, `review --plain`).
DATABASE_NAME = "reviews.sqlite3"


def resolve_data_dir(cli_value: str | None) -> Path:
    """Return the data directory: `--data-dir`, else `$STUDYAPP_DATA_DIR`, else the platform's.

    An empty string (``--data-dir ""`` or ``STUDYAPP_DATA_DIR=``) counts as "not given".
    A leading ``~`` is expanded. The directory is not created here: the store creates it
    on first use.
    """
    if cli_value:
        return Path(cli_value).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_data_dir("studyapp"))
