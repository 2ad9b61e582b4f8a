"""Study settings: `settings.toml` in the data folder (new items per day, desired retention).

    # settings.toml
    new_items_per_day = 20      # new items introduced per deck per study day
    desired_retention = 0.9     # FSRS: the chance of recalling an item when it falls due

The file is optional; a missing key keeps its default. A broken file is refused with one
line naming it, never silently ignored (a typo must not quietly change the schedule).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

from studyapp.counts import DEFAULT_NEW_LIMIT
from studyapp.errors import DataError
from studyapp.schedule import Scheduler, SchedulerConfig

SETTINGS_NAME = "settings.toml"
DEFAULT_NEW_ITEMS_PER_DAY = DEFAULT_NEW_LIMIT
DEFAULT_RETENTION = 0.9


class Settings(NamedTuple):
    """What a learner may tune."""

    new_items_per_day: int = DEFAULT_NEW_ITEMS_PER_DAY
    """New items introduced per deck per study day."""
    desired_retention: float = DEFAULT_RETENTION
    """FSRS's target: the probability of recalling an item on the day it is due."""

    def scheduler(self) -> Scheduler:
        """An FSRS scheduler with these settings."""
        return Scheduler(SchedulerConfig(desired_retention=self.desired_retention))


def load_settings(data_dir: Path) -> Settings:
    """The settings in `data_dir/settings.toml`, or the defaults when there is no such file."""
    path = data_dir / SETTINGS_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as error:
        raise DataError(f"{path}: cannot read the settings ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"{path}: the settings are not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"{path}: {error}") from None
    known = {"new_items_per_day", "desired_retention"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DataError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    new = data.get("new_items_per_day", DEFAULT_NEW_ITEMS_PER_DAY)
    if type(new) is not int or not 0 <= new <= 10_000:
        raise DataError(f"{path}: new_items_per_day must be a whole number from 0 to 10000, "
                        f"got {new!r}")
    retention = data.get("desired_retention", DEFAULT_RETENTION)
    if type(retention) not in (int, float) or not 0.5 <= retention <= 0.99:
        raise DataError(f"{path}: desired_retention must be a number from 0.5 to 0.99, "
                        f"got {retention!r}")
    return Settings(new_items_per_day=new, desired_retention=float(retention))
