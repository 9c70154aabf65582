"""The command line on a real terminal: colour there, plain text into a pipe, and the
terminal's width (a pseudo-terminal of 150 columns, not the 80 of a pipe)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

ENV_DROP = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP}
    env["TERM"] = "xterm-256color"
    return env


def _on_terminal(args: list[str], cwd: Path, columns: int = 150) -> str:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mapwright", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=_env(),
        close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed when the program ended
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_tables_have_colour_on_a_terminal_and_none_in_a_pipe(tmp_path: Path) -> None:
    shown = _on_terminal(["flow", "list"], tmp_path)
    assert "orders" in shown
    assert "\x1b[" in shown  # styled header
    piped = subprocess.run(
        [sys.executable, "-m", "mapwright", "flow", "list"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 0, piped.stderr
    assert "orders" in piped.stdout
    assert "\x1b[" not in piped.stdout


def test_help_uses_the_terminals_width(tmp_path: Path) -> None:
    shown = _on_terminal(["flow", "--help"], tmp_path, columns=150)
    plain = [line for line in shown.replace("\x1b", "\n\x1b").splitlines() if "─" in line]
    widest = max(len(line.rstrip("\r")) for line in plain)
    assert widest > 100  # a pipe would get 80 columns
