"""The app on and off a terminal: the TUI refuses pipes, crashes say one line, and plain
mode on a terminal wraps, prompts, renders Markdown and math, and exits 130 on ctrl+c."""

from __future__ import annotations

import fcntl
import functools
import os
import pty
import select
import signal
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from studyapp.cli import EXIT_INTERNAL, main
from studyapp.tui.app import StudyApp
from studyapp.tui.screens.home import HomeScreen
from tests.conftest import REPO, RunStudyapp, studyapp_command


@pytest.mark.parametrize(
    ("args", "stdin"),
    [((), ""), (("review", "wavenet"), ""), (("quiz", "wavenet"), None)],
)
def test_the_tui_refuses_when_not_on_a_terminal(
    run_studyapp: RunStudyapp, args: tuple[str, ...], stdin: str | None
) -> None:
    # stdout is a pipe in every case (and stdin too, unless None: then it is inherited).
    result = run_studyapp(*args, input=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "needs a terminal" in line and "--plain" in line


def test_a_crash_inside_the_tui_is_one_line_and_a_report(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: HomeScreen) -> None:
        raise RuntimeError("the home screen broke")

    monkeypatch.setattr(HomeScreen, "show_library", broken)
    monkeypatch.setattr("studyapp.cli._has_terminal", lambda: True)
    monkeypatch.setattr(StudyApp, "run", functools.partialmethod(StudyApp.run, headless=True))
    assert main(["--library", str(REPO), "--data-dir", str(data_dir)]) == EXIT_INTERNAL
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("studyapp: internal error (RuntimeError: the home screen broke)")
    report = Path(line.rsplit("full report written to ", 1)[1])
    assert "the home screen broke" in report.read_text(encoding="utf-8")
    assert "show_library" in report.read_text(encoding="utf-8")


class Terminal:
    """`studyapp` on a pseudo-terminal `columns` wide: what a person at a terminal sees."""

    def __init__(self, args: list[str], data_dir: Path, cwd: Path, columns: int) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        env = {**os.environ, "STUDYAPP_DATA_DIR": str(data_dir), "NO_COLOR": "1",
               "COLUMNS": str(columns), "LINES": "24"}
        self.process = subprocess.Popen(
            [*studyapp_command(), *args], stdin=slave, stdout=slave, stderr=slave,
            cwd=cwd, env=env,
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, text: str) -> str:
        """Everything printed until `text` appears (fails if the program ends first)."""
        while text not in self.seen:
            ready, _, _ = select.select([self.master], [], [], 60)
            assert ready, f"nothing more printed; so far:\n{self.seen}"
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                chunk = b""
            assert chunk, f"the program ended before {text!r}; so far:\n{self.seen}"
            self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return self.seen

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self) -> int:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        os.close(self.master)
        return self.process.wait()


def test_plain_quiz_on_a_terminal_wraps_prompts_renders_and_stops_with_130(
    data_dir: Path, tmp_path: Path
) -> None:
    terminal = Terminal(["quiz", "wavenet", "--plain", "--exercise", "wavenet-depth"],
                        data_dir, tmp_path, columns=40)
    seen = terminal.read_until("> ")  # a prompt: a person is typing
    terminal.type("?\n")
    seen = terminal.read_until("hint: ")
    seen = terminal.read_until("> ")
    lines = seen.split("\n")
    assert all(len(line) <= 40 for line in lines), lines
    words = set(" ".join(lines).split())
    # The setup says "fusion" and "levels": whole words, never cut as "fusio" / "n".
    assert "fusio" not in words and "n" not in words
    hint = next(i for i, line in enumerate(lines) if line.startswith("hint: "))
    assert "2ᵏ = 16" in " ".join(lines[hint:hint + 3])  # math as math
    assert "`" not in seen and "**" not in seen  # Markdown rendered
    terminal.process.send_signal(signal.SIGINT)  # what ctrl+c sends
    seen = terminal.read_until("score: 0/")
    assert terminal.finish() == 130
    assert "interrupted: the answers so far are kept" in " ".join(seen.split())


def test_a_wrapped_list_item_hangs_under_its_text_not_its_marker(
    data_dir: Path, tmp_path: Path
) -> None:
    terminal = Terminal(["quiz", "wavenet", "--plain"], data_dir, tmp_path, columns=40)
    terminal.read_until("> ")
    terminal.type("\n")  # the first open question's answer has a two-item list
    lines = terminal.read_until("did you know it?").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("- No stages."))
    after = lines[first + 1:]
    assert all(len(line) <= 40 for line in lines)
    # The item goes on over the next lines, each under "No", until the next item.
    assert after[0].startswith("  ") and after[0][2] != " ", after
    following = next(line for line in after if not line.startswith("  "))
    assert following.startswith("- Poor scaling."), after
    terminal.process.send_signal(signal.SIGINT)
    assert terminal.finish() == 130


def test_review_plain_shows_cards_as_readable_text(run_studyapp: RunStudyapp) -> None:
    # Reveal and rate every question and card ("" reveals, "4" rates easy), then stop.
    result = run_studyapp("review", "wavenet", "--plain", input="\n4\n" * 11)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "- No stages. Neighbouring characters" in out  # a list, without its ** markers
    assert "**" not in out and "`" not in out
