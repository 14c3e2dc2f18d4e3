"""How each cost grows with the project: 1,000 / 10,000 / 100,000 records, against floors.

    python bench/curve.py [--sizes 1000,10000,100000] [--runs 5] [--only "first paint,status"]

For each size a synthetic project (bench/make_project.py) is written and every command runs as
a fresh subprocess of the same interpreter, interleaved with its floor in the same run:

- floor: Python start + `import orjson, tinydb, yaml, pendulum` + parsing the same file with
  orjson: what any tool that reads this file pays;
- status, one write (`set`), each report (md, html, csv, json): ratio to that floor
  (target for status at 100,000 records: <= 1.5x);
- the merge driver on three versions: ratio to parsing the three with orjson (target <= 3x);
- the app's first paint in an 80x24 pty: ratio to a minimal Textual app (target <= 2x), and
  for information to a minimal Textual app that first parses the same file with orjson (what
  any terminal app showing this file's contents pays at the least).

Every command must succeed (exit 0; one write must change the file), or the script stops: a
refusal is fast and would flatter the figures. The order of the commands rotates every round
and the first round only warms caches. For each command the median wall-clock time is printed
with the fastest and slowest run, its floor's median and the ratio of the medians (the figure
the targets are about); `paired` is the median of the ratios round by round, steadier when the
machine's speed drifts; `cpu` is the ratio of the medians of CPU time (user + system, of the
process alone), which a busy machine distorts less than wall-clock time. The load average is
printed before and after: on a machine busy with other work every figure is slower and every
ratio noisier. The script reports, it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project
from tui import MINIMAL_APP, TIMEOUT_SECONDS, finish, read_quiet, read_until, spawn

ROOT = Path(__file__).resolve().parent.parent
PARSE = (
    "import sys, orjson, tinydb, yaml, pendulum\n"
    "for f in sys.argv[1:]: orjson.loads(open(f, 'rb').read())"
)
# command: (its floor, the target ratio at 100,000 records or None)
BASES: dict[str, tuple[str, float | None]] = {
    "status": ("floor", 1.5),
    "one write": ("floor", None),
    "report md": ("floor", None),
    "report html": ("floor", None),
    "report csv": ("floor", None),
    "report json": ("floor", None),
    "merge driver": ("parse three", 3.0),
    "first paint": ("minimal app", 2.0),
}
# Further floors a command is compared with, for information (no target).
MORE_FLOORS: dict[str, tuple[str, ...]] = {"first paint": ("minimal app + parse",)}
MINIMAL_PARSING_APP = (
    "import sys, orjson\norjson.loads(open(sys.argv[1], 'rb').read())\n" + MINIMAL_APP
)
TARGET_SIZE = 100_000
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    """One run: wall-clock and CPU milliseconds (CPU None where it cannot be read)."""

    wall_ms: float
    cpu_ms: float | None


def run_ms(argv: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """One command to completion; it must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter_ns()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = (time.perf_counter_ns() - start) / 1e6
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[3:]} exited {done.returncode}: {done.stderr[-300:]!r}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1e3
    return Sample(wall, cpu)


def paint_ms(argv: list[str], marker: bytes, env: dict[str, str], cwd: Path) -> Sample:
    """From spawning `argv` on an 80x24 pty to `marker` on the screen (bench/tui.py's way),
    with the CPU time the process had used by then (Linux /proc; None elsewhere)."""
    start = time.perf_counter_ns()
    pid, fd = spawn(argv, env, cwd)
    try:
        read_until(fd, marker, time.monotonic() + TIMEOUT_SECONDS)
        wall = (time.perf_counter_ns() - start) / 1e6
        cpu = _cpu_ms(pid)
        read_quiet(fd)  # as bench/tui.py: let it finish what follows the paint
    finally:
        finish(pid, fd)
    return Sample(wall, cpu)


def _cpu_ms(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(stat[11]) + int(stat[12])) * 1e3 / _TICKS  # utime + stime, in clock ticks


def versions(path: Path, folder: Path, python: str, env: dict[str, str]) -> list[Path]:
    """Base, ours (a module set) and theirs (a decision added): the merge driver's input."""
    base, ours, theirs = (folder / f"{n}.json" for n in ("base", "ours", "theirs"))
    for copy in (base, ours, theirs):
        shutil.copyfile(path, copy)
    cli = [python, "-m", "mlpl_tui"]
    subprocess.run(
        [*cli, "set", "business.objectives", "doing", "--file", str(ours)],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*cli, "decide", "Branch", "--decision", "x", "--file", str(theirs)],
        env=env,
        check=True,
        capture_output=True,
    )
    return [base, ours, theirs]


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def measure(
    records: int, runs: int, env: dict[str, str], only: set[str]
) -> dict[str, list[Sample]]:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-curve-") as tmp:
        folder = Path(tmp)
        path = write_project(records, folder / "mlpl.json")
        three = versions(path, folder, python, env)
        merged = folder / "merged.json"
        cli = [python, "-m", "mlpl_tui"]
        commands: dict[str, tuple[list[str], Path | None]] = {
            "floor": ([python, "-c", PARSE, str(path)], None),
            "status": ([*cli, "status", "--file", str(path)], None),
            "one write": ([*cli, "set", "business.objectives", "done", "--file", str(path)], None),
            "parse three": ([python, "-c", PARSE, *map(str, three)], None),
            "merge driver": (
                [*cli, "merge-driver", str(three[0]), str(merged), str(three[2]), "mlpl.json"],
                three[1],
            ),
        }
        for fmt in ("md", "html", "csv", "json"):
            commands[f"report {fmt}"] = (
                [*cli, "report", "--format", fmt, "--file", str(path)],
                None,
            )
        wanted = only | {BASES[name][0] for name in only}  # each with its floor
        commands = {name: c for name, c in commands.items() if not only or name in wanted}
        samples: dict[str, list[Sample]] = {name: [] for name in commands}
        names = list(commands)
        for turn in range(runs + 1 if names else 0):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                argv, reset_from = commands[name]
                if name == "one write":  # toggle, so every run writes
                    argv = [*argv[:5], "done" if turn % 2 else "doing", *argv[6:]]
                if reset_from is not None:
                    shutil.copyfile(reset_from, merged)
                before = _stamp(path)
                sample = run_ms(argv, env, folder)
                if name == "one write" and _stamp(path) == before:
                    raise RuntimeError(f"{argv[3:]} did not change the file")
                if turn:  # the first round warms caches
                    samples[name].append(sample)
        if not only or "first paint" in only:
            minimal = folder / "minimal_app.py"
            minimal.write_text(MINIMAL_APP, encoding="utf-8")
            parsing = folder / "minimal_parsing_app.py"
            parsing.write_text(MINIMAL_PARSING_APP, encoding="utf-8")
            tui_env = {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
            programs = {
                "minimal app": ([python, str(minimal)], b"hello"),
                "minimal app + parse": ([python, str(parsing), str(path)], b"hello"),
                "first paint": ([*cli, "--file", str(path)], b"Synthetic: in 3"),
            }
            samples.update({name: [] for name in programs})
            for turn in range(runs + 1):
                order = list(programs) if turn % 2 else list(programs)[::-1]
                for name in order:
                    argv, marker = programs[name]
                    sample = paint_ms(argv, marker, tui_env, folder)
                    if turn:
                        samples[name].append(sample)
    return samples


def _median_cpu(samples: list[Sample]) -> float | None:
    cpu = [s.cpu_ms for s in samples if s.cpu_ms is not None]
    return statistics.median(cpu) if len(cpu) == len(samples) and cpu else None


def report_lines(size: int, samples: dict[str, list[Sample]]) -> list[str]:
    lines = []
    pairs = [
        (name, base, target if i == 0 else None)
        for name, (first, target) in BASES.items()
        for i, base in enumerate((first, *MORE_FLOORS.get(name, ())))
    ]
    for name, base, target in pairs:
        if name not in samples or base not in samples:
            continue
        wall = [s.wall_ms for s in samples[name]]
        median, floor = statistics.median(wall), statistics.median(s.wall_ms for s in samples[base])
        ratio = median / floor
        # Each round runs the command and its floor once: the median of their ratios round by
        # round is steadier when the machine's speed drifts during the run.
        paired = statistics.median(
            s.wall_ms / f.wall_ms for s, f in zip(samples[name], samples[base], strict=True)
        )
        cpu, cpu_floor = _median_cpu(samples[name]), _median_cpu(samples[base])
        cpu_ratio = f"{cpu / cpu_floor:>5.2f}" if cpu and cpu_floor else "    -"
        verdict = ""
        if target is not None and size == TARGET_SIZE:
            verdict = f"<= {target}x {'ok' if ratio <= target else 'MISS'}"
        lines.append(
            f"{size:>8} {name:<13} {median:>8.1f} {min(wall):>7.1f}-{max(wall):<7.1f} "
            f"{floor:>8.1f} {ratio:>6.2f} {paired:>6.2f} {cpu_ratio}  {base:<12} {verdict}".rstrip()
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated commands to measure (with their floors): {', '.join(BASES)}",
    )
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if only - set(BASES):
        parser.error(f"unknown command(s): {', '.join(sorted(only - set(BASES)))}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLPL_", "TEXTUAL"))}
    env.update(MLPL_USER="bench", PYTHONPATH=str(ROOT))
    env.pop("NO_COLOR", None)
    print(f"medians of {args.runs} interleaved runs (after one warm-up round); {_load()}")
    print(
        "ratio = median wall-clock / its floor's, in the same run; paired = median of the "
        "ratios round by round; cpu = ratio of the medians of CPU time"
    )
    print(
        f"{'records':>8} {'command':<13} {'median ms':>8} {'min-max ms':^15} {'floor ms':>8} "
        f"{'ratio':>6} {'paired':>6} {'cpu':>5}  {'floor':<12} target"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        for line in report_lines(size, measure(size, args.runs, env, only)):
            print(line, flush=True)
    print(_load())
    return 0


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
