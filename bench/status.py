"""How long `mlpl-tui status` takes on a 10,000-record project, against bare Python imports.

    python bench/status.py [--records 10000] [--runs 20] [--dir DIR]

A synthetic project (bench/make_project.py) is written to a temporary directory. Each command
runs as a user runs it, as a fresh subprocess of the same interpreter:

- baseline: `python -c "import tinydb, yaml, pendulum"`, the floor any command of a Python
  tool built on these libraries pays (interpreter start-up plus its dependencies);
- `python -m mlpl_tui status --file X` (the target: at most 1.5x the baseline);
- `status --json` and `validate` on the same file, for information.

The commands are interleaved (their order rotated every round) so drift on a noisy shared
machine hits them alike; medians of wall-clock time are reported. The script reports; it does
not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project
from measure import interleaved

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5


def run_ms(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall-clock milliseconds of one subprocess, and its exit status."""
    start = time.perf_counter_ns()
    done = subprocess.run(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return (time.perf_counter_ns() - start) / 1e6, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)

    # Nothing from the caller's environment that changes start-up or the command's behaviour.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTHON") and k not in ("MLPL_FILE", "MLPL_USER")
    }
    env["MLPL_USER"] = "bench"
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-", dir=args.dir) as tmp:
        path = write_project(args.records, Path(tmp) / "mlpl.json")
        commands = {
            "baseline": [python, "-c", "import tinydb, yaml, pendulum"],
            "status": [python, "-m", "mlpl_tui", "status", "--file", str(path)],
            "status --json": [python, "-m", "mlpl_tui", "status", "--json", "--file", str(path)],
            "validate": [python, "-m", "mlpl_tui", "validate", "--file", str(path)],
        }
        names = list(commands)
        failures: dict[str, set[int]] = {name: set() for name in names}

        def measure(name: str) -> float:
            ms, code = run_ms(commands[name], env)
            if code != 0:
                failures[name].add(code)
            return ms

        samples = interleaved(names, args.runs, measure)
        size = path.stat().st_size

    print(
        f"{args.records} records ({size / 1e6:.1f} MB), {args.runs} interleaved runs each, "
        f"interpreter {python}"
    )
    base = statistics.median(samples["baseline"])
    header = f"{'command':<46} {'median ms':>9} {'min ms':>7} {'max ms':>7} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    labels = {
        "baseline": 'python -c "import tinydb, yaml, pendulum"',
        "status": "python -m mlpl_tui status",
        "status --json": "python -m mlpl_tui status --json",
        "validate": "python -m mlpl_tui validate",
    }
    for name in names:
        values = samples[name]
        median = statistics.median(values)
        note = f"  exit {sorted(failures[name])}" if failures[name] else ""
        print(
            f"{labels[name]:<46} {median:>9.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / base:>6.2f}{note}"
        )
    ratio = statistics.median(samples["status"]) / base
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"\nstatus / baseline = {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
