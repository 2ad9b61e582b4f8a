"""The one way studyapp replaces a file: write beside it, then rename, never over a non-file."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from studyapp.errors import DataError

#: The longest part of the target's name kept in the temporary file's name: the temporary
#: name must stay under NAME_MAX (255) even for a target whose own name is near it.
_NAME_KEPT = 100


def _why(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if error.errno == errno.EFBIG:  # `ulimit -f` (SIGXFSZ is ignored by Python, so EFBIG)
        return "the file would exceed the file size limit"
    return error.strerror or str(error)


def existing_kind(path: Path) -> str | None:
    """None when nothing is at `path`, "file" for a regular file (links followed), else a word
    for what is there ("folder", "device", "pipe", ...). Raises DataError for unusable names."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        try:
            os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise DataError(f"{path}: cannot write here ({_why(error)})") from None
        return "dangling link"
    except OSError as error:  # ENAMETOOLONG, ELOOP, EACCES on a folder, ENOTDIR...
        raise DataError(f"{path}: cannot write here ({_why(error)})") from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"  # pragma: no cover - no other kinds on POSIX


def check_target(path: Path, *, force: bool = True) -> None:
    """Refuse (DataError) a target that is not a regular file, or an existing one without
    `force`. Devices, pipes and sockets are refused rather than replaced: renaming over
    /dev/null or a FIFO would destroy it, and writing into one is never what an export means."""
    kind = existing_kind(path)
    if kind is None:
        return
    if kind == "folder":
        raise DataError(f"{path}: is a folder, not a file")
    if kind != "file":
        raise DataError(f"{path}: is a {kind}, not a regular file; studyapp only writes files")
    if not force:
        raise DataError(f"{path}: already exists (use --force to overwrite it)")


def _create_beside(path: Path) -> Path:
    """A new empty file next to `path`, created 0o666 minus the umask (tempfile.mkstemp
    would make it private, and the output must be as readable as any other file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    stem = path.name[:_NAME_KEPT]
    for _ in range(100):
        candidate = path.with_name(f".{stem}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(candidate, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
        except OSError as error:
            raise DataError(f"{path}: cannot write here ({_why(error)})") from None
        os.close(descriptor)
        return candidate
    raise DataError(f"{path}: cannot create a temporary file beside it")  # pragma: no cover


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGTERM, SIGINT and SIGHUP wait while the temporary file is created and its name
    kept, so a stop that lands just then still finds a name to remove."""
    import signal

    held = {signal.SIGTERM, signal.SIGINT, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask (Windows)
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def atomic_output(path: Path, *, force: bool = False, make_folder: bool = False) -> Iterator[Path]:
    """A temporary path beside `path`; it replaces `path` only when the block succeeds.

    Refuses (DataError) an existing `path` unless `force`, anything at `path` that is not a
    regular file, a missing folder (unless `make_folder`), and unusable names. The temporary
    file is removed however the block ends (SIGTERM included, since the CLI turns it into
    SystemExit). Readers never see a half-written file.
    """
    check_target(path, force=force)
    folder = path.parent
    if make_folder:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataError(f"{path}: cannot create the folder {folder} ({_why(error)})") from None
    elif not folder.is_dir():
        raise DataError(f"{path}: the folder {folder} does not exist")
    temporary: Path | None = None
    try:
        with _signals_held():
            temporary = _create_beside(path)
        yield temporary
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())  # the bytes are on disk before the name points at them
        # Checked again just before the rename: something may have appeared meanwhile.
        check_target(path, force=True)
        os.replace(temporary, path)
    except OSError as error:
        raise DataError(f"{path}: cannot write ({_why(error)})") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


def write_bytes_atomically(path: Path, data: bytes, *, force: bool = True,
                           make_folder: bool = False) -> None:
    """Replace `path` with `data` through `atomic_output`."""
    with atomic_output(path, force=force, make_folder=make_folder) as temporary:
        temporary.write_bytes(data)
