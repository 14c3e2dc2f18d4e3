"""What the hostile-input defences cost: `validate` and `status` now against an earlier revision.

    python bench/validate.py [--records 10000] [--runs 15] [--before REV]

The earlier revision (default: the last one before the sanitiser and the read guards) is checked
out with `git worktree` into a temporary folder and run from there (PYTHONPATH), so both versions
run in the same interpreter on the same file in the same run. Also timed: the same file written
by hand (not in the store's canonical bytes), which takes the slower duplicate-key check.
Commands are interleaved, their order rotated every round; medians are reported with the ratio
of each command to the earlier revision's. The script reports; it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_project import write_project
from measure import interleaved
from status import run_ms

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "17c365e"  # main before the hostile-input work
TARGET = 1.10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", default=BEFORE, help="the revision to compare with")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.pop("MLPL_FILE", None)
    env["MLPL_USER"] = "bench"
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-") as tmp:
        old = Path(tmp) / "before"
        added = subprocess.run(
            ["git", "worktree", "add", "--detach", str(old), args.before],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if added.returncode != 0:
            print(f"cannot check out {args.before}: {added.stderr.strip()}")
            return 0
        try:
            path = write_project(args.records, Path(tmp) / "mlpl.json")
            by_hand = Path(tmp) / "hand" / "mlpl.json"
            by_hand.parent.mkdir()
            # Same content, not the canonical bytes (4-space indent): the duplicate-key check runs.
            by_hand.write_bytes(
                orjson.dumps(orjson.loads(path.read_bytes()), option=orjson.OPT_SORT_KEYS)
            )
            old_env = {**env, "PYTHONPATH": str(old)}
            commands: dict[str, tuple[list[str], dict[str, str]]] = {}
            for command in ("validate", "status"):
                argv_ = [python, "-m", "mlpl_tui", command, "--file", str(path)]
                commands[f"{command} before"] = (argv_, old_env)
                commands[f"{command} now"] = (argv_, env)
            hand = [python, "-m", "mlpl_tui", "validate", "--file", str(by_hand)]
            commands["validate now, hand-written file"] = (hand, env)
            commands["validate before, hand-written file"] = (hand, old_env)
            names = list(commands)
            codes: dict[str, set[int]] = {name: set() for name in names}

            def measure(name: str) -> float:
                ms, code = run_ms(*commands[name])
                codes[name].add(code)
                return ms

            samples = interleaved(names, args.runs, measure)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True
            )

    print(f"{args.records} records, {args.runs} interleaved runs each, before = {args.before}")
    header = f"{'command':<38} {'median ms':>9} {'min ms':>7} {'ratio':>6} exit"
    print(header)
    print("-" * len(header))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name in names:
        base_name = name.replace("now", "before")
        ratio = medians[name] / medians[base_name]
        print(
            f"{name:<38} {medians[name]:>9.1f} {min(samples[name]):>7.1f} {ratio:>6.2f} "
            f"{sorted(codes[name])}"
        )
    ratio = medians["validate now"] / medians["validate before"]
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"\nvalidate now / before = {ratio:.2f}x (target <= {TARGET:.2f}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
