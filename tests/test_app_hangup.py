"""The app leaves when its terminal goes away, even if the hang-up signal never reached it (a
dropped SSH link under `nohup`, a multiplexer killed around `make demo`): it must not stay
behind reading a dead terminal at full CPU."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.store import Store

DEADLINE = 30.0


def read_until(fd: int, marker: bytes, deadline: float) -> None:
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if marker in seen:
                return
    raise AssertionError(f"{marker!r} never appeared; the end of the output: {seen[-300:]!r}")


def test_the_app_quits_when_its_terminal_hangs_up_without_a_signal(
    store: Store, framework: Framework, ctx: Context, tmp_path: Path
) -> None:
    env = {**os.environ, "MLPL_USER": "tester", "TERM": "xterm-256color"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: SIGHUP ignored, as under nohup
        try:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            os.chdir(tmp_path)
            os.execve(sys.executable, [sys.executable, "-m", "mlpl_tui"], env)
        finally:
            os._exit(127)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        read_until(fd, b"Test project", time.monotonic() + DEADLINE)
        os.close(fd)  # the terminal goes away
        # Wait for the process itself to end (a blocking waitpid in a thread), at most DEADLINE.
        ended = threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True)
        ended.start()
        ended.join(DEADLINE)
        if ended.is_alive():
            raise AssertionError("the app was still running 30 s after its terminal hung up")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
