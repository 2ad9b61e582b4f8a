"""`studyapp serve`: the TUI through textual-serve, driven by a real headless Chromium.

The browser is Debian's chromium (``apt-get install chromium``; `.ci/run` installs it) run
by Playwright with `executable_path`. The page draws the terminal on a canvas, so the test
reads what the app sends to the page over its websocket, and presses keys on the page as a
learner would. The server listens on 127.0.0.1 only and is stopped (its whole process
group) when the test ends, pass or fail, or when the test process itself dies.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocket, sync_playwright

from studyapp.serve import app_command, is_loopback
from studyapp.store import ReviewStore
from tests.conftest import studyapp_command

CHROMIUM = Path("/usr/bin/chromium")
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _own_group_ending_with_us() -> None:
    """In the server's process, before it runs: a process group of its own (so the app
    processes it starts are stopped with it), and SIGTERM when the test process dies, so
    not even a killed test run leaves a server behind (Linux's PR_SET_PDEATHSIG)."""
    os.setsid()
    _PRCTL(1, signal.SIGTERM)  # 1 is PR_SET_PDEATHSIG


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "tiny.yaml").write_text(
        "id: tiny\ntitle: Tiny\ncards:\n  - {id: one, front: Seven times six?, back: Forty-two.}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def server(library: Path, data_dir: Path) -> Iterator[str]:
    """`studyapp serve` on a free port of 127.0.0.1; its URL. Stopped at the end of the test."""
    port = _free_port()
    process = subprocess.Popen(
        [*studyapp_command(), "--library", str(library), "--data-dir", str(data_dir),
         "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A home folder holding the library, so the app names it `~/lib`.
        env={**os.environ, "COLUMNS": "1000", "HOME": str(library.parent)},
        # Two system calls between fork and exec, through a function looked up beforehand
        # (nothing that takes a lock a thread of ours might hold at the fork).
        preexec_fn=_own_group_ending_with_us,  # noqa: PLW1509
    )
    try:
        assert process.stdout is not None
        seen = ""
        for line in process.stdout:  # the banner says where it listens once it does
            seen += line
            if "Ctrl+C" in line:
                break
        assert f"http://127.0.0.1:{port}" in seen.replace("\n", ""), seen
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Screen:
    """What the app has sent to the page (its terminal output, escape codes removed)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[bytes] = []
        page.on("websocket", self._watch)

    def _watch(self, socket_: WebSocket) -> None:
        socket_.on("framereceived", lambda payload: self.frames.append(
            payload if isinstance(payload, bytes) else payload.encode()))

    def mark(self) -> int:
        return len(self.frames)

    def text(self, since: int = 0) -> str:
        return _CSI.sub(b"", b"".join(self.frames[since:])).decode("utf-8", "replace")

    def wait_for(self, words: str, since: int = 0) -> None:
        # A guard against a hung page (a minute), not a claim about speed.
        for _ in range(600):
            if words in self.text(since):
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"the page never showed {words!r}; it showed {self.text(since)!r}")


def test_a_card_is_reviewed_through_the_browser(server: str, data_dir: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page()
            screen = Screen(page)
            page.goto(server)
            screen.wait_for("1 deck in ~/lib")
            page.click(".xterm")  # the terminal takes the keyboard once clicked, as for a person
            mark = screen.mark()
            page.keyboard.press("r")
            screen.wait_for("Seven times six?", mark)
            mark = screen.mark()
            page.keyboard.press("Space")
            screen.wait_for("Forty-two.", mark)
            mark = screen.mark()
            page.keyboard.press("3")
            screen.wait_for("saved good", mark)  # the review screen says so once it is on disk
        finally:
            browser.close()
    with ReviewStore.open(data_dir, readonly=True) as store:
        history = store.rating_history()
    assert [(ident.item_id, int(rating)) for ident, _when, rating in history] == [("one", 3)]


def test_only_loopback_addresses_count_as_this_computer() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("example.org")


def test_each_tab_runs_this_studyapp_on_the_same_folders(library: Path, data_dir: Path) -> None:
    command = app_command(library, data_dir)
    assert command.startswith(sys.executable)
    assert f"--library {library.resolve()}" in command
    assert f"--data-dir {data_dir.resolve()}" in command


def test_another_host_warns_that_the_network_can_study(
    library: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from textual_serve.server import Server

    from studyapp.cli import main

    listened: list[tuple[str, int]] = []
    # Nothing is served to the network from a test: the server only notes where it would listen.
    monkeypatch.setattr(Server, "serve", lambda self, debug=False: listened.append(
        (self.host, self.port)))
    assert main(["--library", str(library), "--data-dir", str(data_dir),
                 "serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("studyapp: warning: listening on 0.0.0.0")
    assert "anyone on the network" in first and str(data_dir) in first
    assert listened == [("0.0.0.0", 8123)]
    assert main(["--library", str(library), "--data-dir", str(data_dir), "serve"]) == 0
    assert capsys.readouterr().err == ""
    assert listened[-1] == ("127.0.0.1", 8000)


def test_a_bad_port_is_a_usage_error(library: Path) -> None:
    result = subprocess.run(
        [*studyapp_command(), "--library", str(library), "serve", "--port", "70000"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2
    assert "65535" in result.stderr


def test_without_textual_serve_serve_says_how_to_get_it(
    library: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from studyapp.cli import main

    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["--library", str(library), "serve"]) == 1
    assert "pip install 'studyapp[serve]'" in capsys.readouterr().err
