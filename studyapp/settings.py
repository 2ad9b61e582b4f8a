"""Study settings: `settings.toml` in the data folder (new items, retention, learning steps).

    # settings.toml
    new_items_per_day = 20      # new items introduced per deck per study day
    desired_retention = 0.9     # FSRS: the chance of recalling an item when it falls due
    learning_steps = ["1m", "10m"]   # FSRS's steps for new items before they graduate
    relearning_steps = ["10m"]       # ... and for a forgotten item before it returns to review
    learn_ahead_minutes = 20    # at the end of a session, show learning items due this soon
    sync_folder = "~/Dropbox/studyapp"   # the TUI offers a sync through it (studyapp sync)
    theme = "textual-dark"      # the TUI's colour theme (ctrl+t switches and saves it)

The file is optional; a missing key keeps its default. A broken file is refused with one
line naming it, never silently ignored (a typo must not quietly change the schedule).
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

from studyapp.counts import DEFAULT_NEW_LIMIT
from studyapp.errors import DataError
from studyapp.inputfile import UnreadableFile, read_regular_file
from studyapp.parameters import load_parameters
from studyapp.schedule import Scheduler, SchedulerConfig

SETTINGS_NAME = "settings.toml"
DEFAULT_NEW_ITEMS_PER_DAY = DEFAULT_NEW_LIMIT
DEFAULT_RETENTION = 0.9
DEFAULT_LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
DEFAULT_RELEARNING_STEPS = (timedelta(minutes=10),)
DEFAULT_LEARN_AHEAD = timedelta(minutes=20)
DEFAULT_THEME = "textual-dark"
_THEME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_STEP = re.compile(r"(\d{1,4})([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Settings(NamedTuple):
    """What a learner may tune."""

    new_items_per_day: int = DEFAULT_NEW_ITEMS_PER_DAY
    """New items introduced per deck per study day."""
    desired_retention: float = DEFAULT_RETENTION
    """FSRS's target: the probability of recalling an item on the day it is due."""
    learning_steps: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS
    """FSRS's learning steps: how long a new item waits between its first showings."""
    relearning_steps: tuple[timedelta, ...] = DEFAULT_RELEARNING_STEPS
    """FSRS's relearning steps, after an item in review is forgotten."""
    learn_ahead: timedelta = DEFAULT_LEARN_AHEAD
    """When nothing else is left, learning items due within this are shown early."""
    parameters: tuple[float, ...] | None = None
    """FSRS weights kept by `studyapp optimize` (None: the defaults)."""
    sync_folder: Path | None = None
    """The folder the TUI syncs through (`studyapp sync`); None: no sync action."""
    theme: str = DEFAULT_THEME
    """The TUI's colour theme, by Textual's name for it."""

    def scheduler(self) -> Scheduler:
        """An FSRS scheduler with these settings."""
        return Scheduler(SchedulerConfig(
            desired_retention=self.desired_retention,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            parameters=self.parameters,
        ))


def _steps(path: Path, name: str, value: Any, default: tuple[timedelta, ...]
           ) -> tuple[timedelta, ...]:
    """A list of step lengths such as ["1m", "10m"] (s, m, h, d; at most 10 steps)."""
    if value is None:
        return default
    wrong = DataError(
        f"{path}: {name} must be a list of durations such as [\"1m\", \"10m\"] "
        f"(s, m, h or d; at most 10 steps, each under 100 days), got {_shown(value)}"
    )
    if not isinstance(value, list) or len(value) > 10:
        raise wrong
    steps: list[timedelta] = []
    for entry in value:
        match = _STEP.fullmatch(entry) if isinstance(entry, str) else None
        if match is None:
            raise wrong
        seconds = int(match[1]) * _UNIT_SECONDS[match[2]]
        if not 0 < seconds < 100 * 86400:
            raise wrong
        steps.append(timedelta(seconds=seconds))
    return tuple(steps)


MAX_SETTINGS_BYTES = 64 * 1024
"""settings.toml is a few lines; anything bigger is refused before it is read."""


def _shown(value: object) -> str:
    """A bad value as a message quotes it: short, and never a 4,000-digit number in full."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a number far out of range"
    try:
        shown = repr(value)
    except ValueError:  # a list holding a number over 4,300 digits
        return "a value holding a number far out of range"
    return shown if len(shown) <= 40 else shown[:37] + "..."


def load_settings(data_dir: Path) -> Settings:
    """The settings in `data_dir/settings.toml`, or the defaults when there is no such file."""
    path = data_dir / SETTINGS_NAME
    if not os.path.lexists(path):
        return Settings(parameters=load_parameters(data_dir))
    try:
        raw = read_regular_file(path, MAX_SETTINGS_BYTES, what="settings")
    except UnreadableFile as error:
        raise DataError(f"{path}: {error}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"{path}: the settings are not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"{path}: {error}") from None
    except ValueError:  # tomllib's int() of a number over 4,300 digits
        raise DataError(f"{path}: a number in the settings is far too long") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise DataError(f"{path}: the settings are nested too deeply") from None
    known = {"new_items_per_day", "desired_retention", "learning_steps", "relearning_steps",
             "learn_ahead_minutes", "sync_folder", "theme"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise DataError(
            f"{path}: unknown setting {_shown(unknown[0])} (known: {', '.join(sorted(known))})"
        )
    new = data.get("new_items_per_day", DEFAULT_NEW_ITEMS_PER_DAY)
    if type(new) is not int or not 0 <= new <= 10_000:
        raise DataError(f"{path}: new_items_per_day must be a whole number from 0 to 10000, "
                        f"got {_shown(new)}")
    retention = data.get("desired_retention", DEFAULT_RETENTION)
    if type(retention) not in (int, float) or not 0.5 <= retention <= 0.99:
        raise DataError(f"{path}: desired_retention must be a number from 0.5 to 0.99, "
                        f"got {_shown(retention)}")
    ahead = data.get("learn_ahead_minutes", int(DEFAULT_LEARN_AHEAD.total_seconds() // 60))
    if type(ahead) is not int or not 0 <= ahead <= 1440:
        raise DataError(f"{path}: learn_ahead_minutes must be a whole number from 0 to 1440, "
                        f"got {_shown(ahead)}")
    theme = data.get("theme", DEFAULT_THEME)
    if not isinstance(theme, str) or _THEME.fullmatch(theme) is None:
        raise DataError(f"{path}: theme must be a theme's name such as \"textual-light\", "
                        f"got {_shown(theme)}")
    return Settings(
        theme=theme,
        new_items_per_day=new,
        desired_retention=float(retention),
        learning_steps=_steps(path, "learning_steps", data.get("learning_steps"),
                              DEFAULT_LEARNING_STEPS),
        relearning_steps=_steps(path, "relearning_steps", data.get("relearning_steps"),
                                DEFAULT_RELEARNING_STEPS),
        learn_ahead=timedelta(minutes=ahead),
        parameters=load_parameters(data_dir),
        sync_folder=_sync_folder(path, data.get("sync_folder")),
    )


def _sync_folder(path: Path, value: Any) -> Path | None:
    """`sync_folder`: a folder path (``~`` expanded; a relative one is under the data folder)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{path}: sync_folder must be a folder path as text, got {value!r}"[:300])
    from studyapp.paths import expand_user

    try:
        return path.parent / expand_user(value)
    except DataError as error:
        raise DataError(f"{path}: sync_folder {error}"[:300]) from None


_KEY_LINE = re.compile(r"(?P<key>[A-Za-z0-9_]+)\s*=\s*(?P<value>\"[^\"]*\"|[^#\s]*)(?P<rest>.*)")


def save_setting(data_dir: Path, key: str, value: str) -> Path:
    """Set one string setting in `data_dir/settings.toml`, keeping every other line (other
    keys, comments) as it was; the file is replaced whole, so a crash leaves the old one."""
    if key != "theme" or _THEME.fullmatch(value) is None:
        raise DataError(f"cannot save the setting {key} = {value!r}")
    path = data_dir / SETTINGS_NAME
    lines: list[str] = []
    if os.path.lexists(path):
        try:
            raw = read_regular_file(path, MAX_SETTINGS_BYTES, what="settings")
            lines = raw.decode("utf-8").splitlines()
        except (UnreadableFile, UnicodeDecodeError) as error:
            raise DataError(f"{path}: cannot read the settings ({error})") from None
    new_line = f'{key} = "{value}"'
    for index, line in enumerate(lines):
        match = _KEY_LINE.match(line.strip())
        if match is not None and match["key"] == key:
            lines[index] = new_line + match["rest"]
            break
    else:
        lines.append(new_line)
    from studyapp.atomicfile import write_bytes_atomically

    try:
        write_bytes_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"), force=True,
                               make_folder=True)
    except OSError as error:
        raise DataError(f"{path}: cannot save the settings ({error.strerror})") from None
    return path
