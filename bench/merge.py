"""How long the merge driver takes on three 10,000-record versions, against parsing them.

    python bench/merge.py [--records 10000] [--changes 60] [--reps 30] [--dir DIR]

A synthetic project (bench/make_project.py) is the common base. Two branches each apply
`--changes` changes through the store, as users would: module ticks (some on the same modules,
so that both sides touch the same records), decisions, effort, an experiment, and one loop back
on one side (so the visit timeline is settled too). No field is changed differently on both
sides, so the merge is a clean one.

The baseline is what any merge has to pay: reading the three files and parsing them with
orjson, nothing else. The driver run is `mlpl-tui merge-driver BASE OURS THEIRS` in this
process (`cli.main`): reading, parsing and checking the three versions, merging, serialising
and writing OURS atomically (temporary file, fsync, rename). OURS is put back before each run,
untimed. Runs alternate (baseline, driver, in an order swapped every repetition) so that drift
on a shared machine hits both alike; medians are reported, with the merge step alone and a
fresh process (interpreter start-up included) for scale. The target is a driver median at most
3x the baseline. The script reports; it does not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson
from make_project import write_project
from measure import timed

from mlpl_tui import lifecycle
from mlpl_tui.cli import main as cli_main
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.merge import merge
from mlpl_tui.store import Store, parse_state

TARGET = 3.0


Rule = Callable[[lifecycle.Project, Framework, lifecycle.Context], lifecycle.Change]


def _change(i: int, who: str, modules: list[str]) -> Rule:
    """The i-th change of a branch: a module tick, a decision, effort or an experiment."""
    kind = i % 4
    if kind == 0:
        module = modules[(i // 4) % len(modules)]
        status = ("doing", "done")[(i // 4) // len(modules) % 2]

        def tick(p: lifecycle.Project, f: Framework, c: lifecycle.Context) -> lifecycle.Change:
            return lifecycle.set_status(p, f, c, module, status)

        return tick

    def other(p: lifecycle.Project, f: Framework, c: lifecycle.Context) -> lifecycle.Change:
        if kind == 1:
            return lifecycle.decide(p, f, c, f"{who} {i}", "decided")
        if kind == 2:
            return lifecycle.log_effort(p, f, c, "45m", note=f"{who} {i}")
        return lifecycle.add_experiment(p, f, c, f"{who} {i}")

    return other


def branch(path: Path, framework: Framework, who: str, changes: int, loop_back: bool) -> None:
    """`changes` ordinary changes by `who` on the project at `path`."""
    store = Store(path)
    # Every module but the one the loop back returns to, so that no tick meets a revisit mark.
    modules = [m.id for s in framework.stages[1:3] for m in s.modules]
    modules.remove("modelling.evaluation")
    for i in range(changes):
        now = f"2026-03-02T{10 + i // 60:02d}:{i % 60:02d}:{7 if who == 'bob' else 3:02d}Z"
        ctx = lifecycle.Context(who, now)
        rule = _change(i, who, modules)
        store.apply(lambda p, r=rule, c=ctx: r(p, framework, c), who, now)
    if loop_back:
        now = "2026-03-02T18:00:00Z"
        ctx = lifecycle.Context(who, now)
        store.apply(
            lambda p: lifecycle.switch_back(
                p, framework, ctx, "modelling", "modelling", "Leaky split", "evaluation"
            ),
            who,
            now,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=60, help="changes on each branch")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)
    framework = load_framework(builtin_framework_path())
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-merge-", dir=args.dir) as tmp:
        folder = Path(tmp)
        base = write_project(args.records, folder / "base" / "mlpl.json")
        sides = {}
        for who, loop_back in (("alice", False), ("bob", True)):
            path = folder / who / "mlpl.json"
            path.parent.mkdir()
            shutil.copyfile(base, path)
            branch(path, framework, who, args.changes, loop_back)
            sides[who] = path
        ours_content = sides["alice"].read_bytes()
        ours = folder / "ours.json"
        ours.write_bytes(ours_content)
        paths = [base, ours, sides["bob"]]
        sizes = [len(p.read_bytes()) for p in paths]
        counts = [sum(len(t) for t in orjson.loads(p.read_bytes()).values()) for p in paths[::2]]
        print(
            f"merge three versions: base {counts[0]} records ({sizes[0] / 1e6:.1f} MB), "
            f"{args.changes} changes on each side; files in {tmp}"
        )

        def baseline() -> None:
            for path in paths:
                orjson.loads(path.read_bytes())

        def driver() -> None:
            with contextlib.redirect_stderr(io.StringIO()):
                code = cli_main(["merge-driver", *map(str, paths), "mlpl.json"])
            assert code == 0, "the benchmark's branches should merge cleanly"

        versions = [parse_state(p.read_bytes(), "v")[0] for p in (base, sides["alice"], paths[2])]

        samples: dict[str, list[float]] = {"baseline": [], "driver": [], "merge": []}
        for rep in range(args.reps):
            order = ["baseline", "driver", "merge"]
            order = order[rep % 3 :] + order[: rep % 3]
            for kind in order:
                if kind == "baseline":
                    samples[kind].append(timed(baseline))
                elif kind == "driver":
                    ours.write_bytes(ours_content)  # untimed: git hands over a fresh copy
                    samples[kind].append(timed(driver))
                else:
                    samples[kind].append(timed(lambda: merge(*versions)))
        merged = orjson.loads(ours.read_bytes())
        records = sum(len(t) for t in merged.values())

        ours.write_bytes(ours_content)
        process = []
        for _ in range(5):
            ours.write_bytes(ours_content)
            start = time.perf_counter_ns()
            subprocess.run(
                [sys.executable, "-m", "mlpl_tui", "merge-driver", *map(str, paths)],
                check=True,
                capture_output=True,
            )
            process.append((time.perf_counter_ns() - start) / 1e6)

    medians = {k: statistics.median(v) for k, v in samples.items()}
    ratio = medians["driver"] / medians["baseline"]
    verdict = "ok" if ratio <= TARGET else "MISS"
    print()
    print(f"{'':<34}{'median ms':>10}")
    print(f"{'baseline: read + parse 3 files':<34}{medians['baseline']:>10.1f}")
    print(f"{'merge-driver (in process)':<34}{medians['driver']:>10.1f}")
    print(f"{'  of which merge() alone':<34}{medians['merge']:>10.1f}")
    print(f"{'merge-driver (fresh process)':<34}{statistics.median(process):>10.1f}")
    print()
    print(
        f"driver / baseline = {ratio:.2f}x (target <= {TARGET:.1f}x: {verdict}); "
        f"{args.reps} interleaved repetitions; merged file {records} records"
    )
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
