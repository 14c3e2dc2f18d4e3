"""How each cost grows with the project: 1,000 / 10,000 / 100,000 records, against floors.

    python bench/curve.py [--sizes 1000,10000,100000] [--runs 5]

For each size a synthetic project (bench/make_project.py) is written and every command runs as
a fresh subprocess of the same interpreter, interleaved with its floor in the same run:

- floor: Python start + `import orjson, tinydb, yaml, pendulum` + parsing the same file with
  orjson: what any tool that reads this file pays;
- status, one write (`set`), each report (md, html, csv, json): ratio to that floor
  (target for status at 100,000 records: <= 1.5x);
- the merge driver on three versions: ratio to parsing the three with orjson (target <= 3x);
- the app's first paint in an 80x24 pty: ratio to a minimal Textual app (target <= 2x).

Medians are reported; the script reports, it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project
from tui import MINIMAL_APP, first_paint

ROOT = Path(__file__).resolve().parent.parent
PARSE = (
    "import sys, orjson, tinydb, yaml, pendulum\n"
    "for f in sys.argv[1:]: orjson.loads(open(f, 'rb').read())"
)


def run_ms(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter_ns()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv[3:]} exited {done.returncode}: {done.stderr[-300:]!r}")
    return (time.perf_counter_ns() - start) / 1e6


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


def measure(records: int, runs: int, env: dict[str, str]) -> dict[str, float]:
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
        samples: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for turn in range(runs + 1):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                argv, reset_from = commands[name]
                if name == "one write":  # toggle, so every run writes
                    argv = [*argv[:5], "done" if turn % 2 else "doing", *argv[6:]]
                if reset_from is not None:
                    shutil.copyfile(reset_from, merged)
                ms = run_ms(argv, env, folder)
                if turn:  # the first round warms caches
                    samples[name].append(ms)
        minimal = folder / "minimal_app.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        tui_env = {**env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        paints: dict[str, list[float]] = {"minimal app": [], "first paint": []}
        programs = {
            "minimal app": ([python, str(minimal)], b"hello"),
            "first paint": ([*cli, "--file", str(path)], b"Synthetic: in 3"),
        }
        for turn in range(runs + 1):
            for name, (argv, marker) in programs.items():
                ms = first_paint(argv, marker, tui_env, folder).paint_ms
                if turn:
                    paints[name].append(ms)
    return {name: statistics.median(v) for name, v in {**samples, **paints}.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLPL_", "TEXTUAL"))}
    env.update(MLPL_USER="bench", PYTHONPATH=str(ROOT))
    env.pop("NO_COLOR", None)
    bases = {
        "status": "floor",
        "one write": "floor",
        "report md": "floor",
        "report html": "floor",
        "report csv": "floor",
        "report json": "floor",
        "merge driver": "parse three",
        "first paint": "minimal app",
    }
    print(f"medians of {args.runs} interleaved runs; ratio = command / its floor in the same run")
    print(f"{'records':>8} {'command':<13} {'median ms':>10} {'floor ms':>9} {'ratio':>6}  floor")
    for size in (int(s) for s in args.sizes.split(",")):
        medians = measure(size, args.runs, env)
        for name, base in bases.items():
            print(
                f"{size:>8} {name:<13} {medians[name]:>10.1f} {medians[base]:>9.1f} "
                f"{medians[name] / medians[base]:>6.2f}  {base}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
