"""Reading an input file safely: regular files only, refused over a size limit before reading."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """An input file refused before (or while) reading it; the message says why, plainly."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover - no other kinds on POSIX


def size_text(count: int) -> str:
    """A byte count as people read it: "812 bytes", "6.0 MiB"."""
    return f"{count / (1024 * 1024):.1f} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def read_regular_file(path: Path, max_bytes: int, *, what: str = "an input file") -> bytes:
    """The bytes of `path`, refusing (UnreadableFile) anything that is not a regular file
    (a FIFO would block for ever, /dev/zero never ends) and any file over `max_bytes`.

    The file is opened without blocking and checked through its own descriptor, so a name
    swapped for a pipe between the check and the read is still refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise UnreadableFile(f"cannot read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
    except OSError as error:
        os.close(descriptor)
        raise UnreadableFile(f"cannot read the file: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise UnreadableFile(
            f"cannot read the file: it is {_kind(info.st_mode)}, not a regular file"
        )
    size = info.st_size
    if size > max_bytes:
        os.close(descriptor)
        raise UnreadableFile(
            f"the file is {size_text(size)}, over the {size_text(max_bytes)} limit for {what}"
        )
    chunks: list[bytes] = []
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        try:
            # Ask for what fstat promised plus one byte to notice growth: read(n) allocates
            # n bytes up front, so never ask for the whole limit.
            wanted = size + 1
            while wanted > 0:
                chunk = handle.read(wanted)
                if not chunk:
                    break
                chunks.append(chunk)
                wanted -= len(chunk)
        except OSError as error:
            raise UnreadableFile(f"cannot read the file: {error.strerror or error}") from None
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise UnreadableFile(f"the file is over the {size_text(max_bytes)} limit for {what}")
    if len(raw) > size:
        raise UnreadableFile("the file changed while it was being read; try again")
    return raw
