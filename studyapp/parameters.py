"""Personal FSRS parameters: ``fsrs-parameters.json`` in the data folder (`studyapp optimize`).

The file is written by `studyapp optimize` only, atomically (a temporary file, fsync, then a
rename), so a crash leaves either the old parameters or the new ones. Reading it needs no
optional package: every command that schedules uses the parameters once they are there. A
file that is not what `optimize` writes is refused with one line naming it (a silently
ignored file would quietly change the schedule back to the defaults).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from studyapp.errors import DataError

__all__ = ["PARAMETERS_NAME", "PARAMETER_COUNT", "load_parameters", "save_parameters"]

#: The file in the data folder that holds the fitted parameters.
PARAMETERS_NAME = "fsrs-parameters.json"
#: FSRS-6 has 21 weights.
PARAMETER_COUNT = 21
#: Far above what `optimize` writes (a few hundred bytes): a bigger file is not ours.
MAX_PARAMETERS_BYTES = 64 * 1024


def _valid(values: Any) -> bool:
    return (
        isinstance(values, list)
        and len(values) == PARAMETER_COUNT
        and all(type(v) in (int, float) and math.isfinite(v) for v in values)
    )


def load_parameters(data_dir: Path) -> tuple[float, ...] | None:
    """The parameters `optimize` kept for `data_dir`, or None (the FSRS defaults) without a file."""
    from studyapp.inputfile import UnreadableFile, read_regular_file

    path = Path(data_dir) / PARAMETERS_NAME
    if not os.path.lexists(path):
        return None
    try:
        # A FIFO would block every command that schedules, /dev/zero would never end.
        raw = read_regular_file(path, MAX_PARAMETERS_BYTES, what="the FSRS parameters")
    except UnreadableFile as error:
        raise DataError(f"{path}: {error}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise DataError(
            f"{path}: not a parameters file written by 'studyapp optimize' "
            "(delete it to go back to the default FSRS parameters)"
        ) from None
    values = data.get("parameters") if isinstance(data, dict) else None
    if values is None or not _valid(values):
        raise DataError(
            f"{path}: 'parameters' must be a list of {PARAMETER_COUNT} numbers "
            "(delete the file to go back to the default FSRS parameters)"
        )
    return tuple(float(v) for v in values)


def save_parameters(data_dir: Path, parameters: tuple[float, ...], details: dict[str, Any]) -> Path:
    """Write `parameters` (with `details` such as the scores) atomically; returns the path."""
    if not _valid(list(parameters)):
        raise ValueError(f"expected {PARAMETER_COUNT} finite numbers, got {parameters!r}")
    folder = Path(data_dir)
    path = folder / PARAMETERS_NAME
    text = json.dumps({**details, "parameters": list(parameters)}, indent=2) + "\n"
    from studyapp.atomicfile import write_bytes_atomically

    try:
        write_bytes_atomically(path, text.encode("utf-8"), force=True, make_folder=True)
    except DataError as error:
        raise DataError(f"cannot save the FSRS parameters: {error}") from None
    return path
