"""The terminal UI on a 10,000-record project, in a real pseudo-terminal at 80x24.

    python bench/tui.py [--records 10000] [--runs 10] [--dir DIR]

Each program runs as a user runs it: a fresh process of the same interpreter, attached to a
pty of 80x24 with TERM=xterm-256color, its output read as a terminal would.

- first paint: from spawning the process to the moment the dashboard's summary line
  ("Synthetic: in 3 Modelling, ...") has been written to the terminal, that is, the dashboard
  drawn with the project's data, not an empty frame. The baseline is a minimal Textual app (one
  Static "hello") measured the same way, up to "hello". Runs are interleaved so drift on a shared
  machine hits both alike; medians are reported with their ratio (target <= 1.5x).
- bytes per toggle: the app opened on the same project, `2` for the Data stage, then one
  `space` (toggle the highlighted module); the bytes written to the terminal from the key until
  the output has been quiet for half a second (target <= 4 KB). The file is checked to have
  changed, so the toggle was stored.
- peak memory: the maximum resident set size of each process (os.wait4), app and baseline.

No app-side hook is used: the process is ended (SIGKILL) half a second after the paint. The
script reports; it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 80, 24
TARGET_RATIO = 1.5
TARGET_TOGGLE_BYTES = 4096
QUIET_SECONDS = 0.5
TIMEOUT_SECONDS = 60.0
_ESCAPES = re.compile(
    rb"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-B]|.)"
)

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static("hello")


Hello().run()
"""


@dataclass
class Run:
    """One process in the pty: when the marker appeared, and its peak memory."""

    paint_ms: float
    max_rss_kb: int


def plain(output: bytes) -> bytes:
    """Terminal output without escape sequences: the text a user would read."""
    return _ESCAPES.sub(b"", output)


def spawn(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, int]:
    """Start `argv` on a new 80x24 pty; returns (pid, master fd)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec the program on the pty
        try:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    return pid, fd


def read_until(fd: int, marker: bytes, deadline: float) -> bytes:
    """Read the pty until `marker` shows in the text; returns everything read."""
    output = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if marker in plain(output):
            return output
    raise RuntimeError(
        f"'{marker.decode()}' did not appear; the output ended with {output[-300:]!r}"
    )


def read_quiet(fd: int, quiet: float = QUIET_SECONDS) -> bytes:
    """Read the pty until nothing has come for `quiet` seconds."""
    output = b""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            return output
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return output
        if not chunk:
            return output
        output += chunk
    return output


def finish(pid: int, fd: int) -> int:
    """End the process; returns its peak resident memory in KB."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    _, _, usage = os.wait4(pid, 0)
    os.close(fd)
    return int(usage.ru_maxrss)  # kilobytes on Linux


def first_paint(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path) -> Run:
    start = time.perf_counter_ns()
    pid, fd = spawn(argv, env, cwd)
    try:
        read_until(fd, marker, time.monotonic() + TIMEOUT_SECONDS)
        paint_ms = (time.perf_counter_ns() - start) / 1e6
        read_quiet(fd)  # let it finish what follows the paint before memory is read
    except BaseException:
        finish(pid, fd)
        raise
    return Run(paint_ms, finish(pid, fd))


def toggle_bytes(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path) -> int:
    """Bytes written to the terminal for one `space` on the Data stage screen."""
    path = cwd / "mlpl.json"
    pid, fd = spawn(argv, env, cwd)
    try:
        read_until(fd, marker, time.monotonic() + TIMEOUT_SECONDS)
        read_quiet(fd)
        os.write(fd, b"2")
        read_until(fd, b"Data Acquisition", time.monotonic() + TIMEOUT_SECONDS)
        read_quiet(fd)
        before = path.read_bytes()
        os.write(fd, b" ")
        written = read_quiet(fd)
        if path.read_bytes() == before:
            raise RuntimeError("the space key did not change the file")
        return len(written)
    finally:
        finish(pid, fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "TEXTUAL", "MLPL_")) and k != "NO_COLOR"
    }
    env.update(TERM="xterm-256color", MLPL_USER="bench", COLUMNS=str(COLUMNS), LINES=str(LINES))
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-tui-", dir=args.dir) as tmp:
        folder = Path(tmp)
        path = write_project(args.records, folder / "mlpl.json")
        minimal = folder / "minimal_app.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        programs = {
            "minimal": ([python, str(minimal)], b"hello"),
            "mlpl-tui": ([python, "-m", "mlpl_tui", "--file", str(path)], b"Synthetic: in 3"),
        }
        env["PYTHONPATH"] = str(ROOT)
        names = list(programs)
        for name in names:  # warm the page cache and .pyc files; not measured
            first_paint(*programs[name], env, folder)
        runs: dict[str, list[Run]] = {name: [] for name in names}
        for turn in range(args.runs):
            order = names if turn % 2 == 0 else names[::-1]
            for name in order:
                runs[name].append(first_paint(*programs[name], env, folder))
        toggles = [toggle_bytes(*programs["mlpl-tui"], env, folder) for _ in range(3)]
        size = path.stat().st_size

    print(
        f"{args.records} records ({size / 1e6:.1f} MB), {args.runs} interleaved runs each, "
        f"pty {COLUMNS}x{LINES}, TERM=xterm-256color, interpreter {python}"
    )
    header = f"{'program':<44} {'median ms':>9} {'min ms':>7} {'max ms':>7} {'peak MB':>8}"
    print(header)
    print("-" * len(header))
    labels = {
        "minimal": "minimal Textual app (Static 'hello')",
        "mlpl-tui": "mlpl-tui, to the dashboard's summary line",
    }
    for name in names:
        times = [r.paint_ms for r in runs[name]]
        peak = max(r.max_rss_kb for r in runs[name]) / 1024
        print(
            f"{labels[name]:<44} {statistics.median(times):>9.1f} {min(times):>7.1f} "
            f"{max(times):>7.1f} {peak:>8.1f}"
        )
    ratio = statistics.median(r.paint_ms for r in runs["mlpl-tui"]) / statistics.median(
        r.paint_ms for r in runs["minimal"]
    )
    verdict = "ok" if ratio <= TARGET_RATIO else "MISS"
    print(
        f"\nfirst paint: mlpl-tui / minimal = {ratio:.2f}x (target <= {TARGET_RATIO}x): {verdict}"
    )
    toggle = statistics.median(toggles)
    verdict = "ok" if toggle <= TARGET_TOGGLE_BYTES else "MISS"
    print(
        f"bytes for one space toggle at {COLUMNS}x{LINES}: median {toggle:.0f} "
        f"(runs {', '.join(str(t) for t in toggles)}; target <= {TARGET_TOGGLE_BYTES}): {verdict}"
    )
    app_peak = max(r.max_rss_kb for r in runs["mlpl-tui"]) / 1024
    base_peak = max(r.max_rss_kb for r in runs["minimal"]) / 1024
    print(
        f"peak memory at {args.records} records: {app_peak:.1f} MB "
        f"(minimal app {base_peak:.1f} MB, {app_peak / base_peak:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
