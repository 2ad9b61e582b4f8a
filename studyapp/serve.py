"""`studyapp serve`: the same TUI in a web browser, through textual-serve.

textual-serve runs one ``studyapp`` process per browser tab (with Textual's web driver) and
relays it over a websocket; every tab studies the same library and data folder, exactly as
the terminal app would. It listens on 127.0.0.1 unless told otherwise: anyone who can open
the page can study with (and change) the data folder, so another address is a warning.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path

from studyapp.errors import DataError

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "app_command", "is_loopback", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """True for an address only this computer can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(library_root: Path, data_dir: Path) -> str:
    """The shell command textual-serve runs for each browser tab: this interpreter's studyapp
    on the same library and data folder (absolute, so the tab's working folder is moot)."""
    return shlex.join([
        sys.executable, "-m", "studyapp",
        "--library", str(library_root.resolve()),
        "--data-dir", str(data_dir.resolve()),
    ])


def serve(library_root: Path, data_dir: Path, host: str, port: int) -> None:
    """Serve the TUI on `host`:`port` until interrupted (Ctrl+C or SIGTERM)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise DataError(
            "serve needs the optional package textual-serve: pip install 'studyapp[serve]'"
        ) from None
    if not is_loopback(host):
        print(
            f"studyapp: warning: listening on {host}, not only on this computer: anyone on "
            f"the network who can reach port {port} can study with the data folder "
            f"{data_dir} (and change its history)",
            file=sys.stderr,
            flush=True,
        )
    Server(app_command(library_root, data_dir), host=host, port=port, title="studyapp").serve()
