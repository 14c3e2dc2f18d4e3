"""What artifact states cost `mlpl-tui status`: 200 attached files on a 10,000-record project.

    python bench/artifacts.py [--records 10000] [--artifacts 200] [--runs 15]

Two git repositories are made in a temporary directory, each with a synthetic project
(bench/make_project.py) committed:

- baseline: the project alone, no artifact attached;
- artifacts: the same project with `--artifacts` free artifacts, each a committed Markdown file
  (half of them in stages the project has looped back to since, so they read as stale, and a
  few edited in the work tree), which `status` checks on disk and in git.

`status` and `status --json` run as fresh subprocesses in each repository, interleaved round by
round with the order rotated; medians of wall-clock time, the ratio of the medians (the target:
at most 1.2x) and the median of the ratios round by round are printed. The script reports, it
does not assert, and exits 0.
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

from make_project import synthetic_tables

from mlpl_tui.store import dump

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.2
COMMITTED_AT = "2026-02-01T09:00:00Z"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(folder: Path, *args: str) -> None:
    # Committed before the project's loop back: the files read as stale until edited.
    dated = {"GIT_AUTHOR_DATE": COMMITTED_AT, "GIT_COMMITTER_DATE": COMMITTED_AT}
    subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, env={**_env(), **dated}
    )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLPL_", "GIT_"))}
    return {**env, **GIT_ENV, "MLPL_USER": "bench", "PYTHONPATH": str(ROOT)}


def make_repo(folder: Path, records: int, artifacts: int) -> Path:
    """A committed project in `folder`; with `artifacts` attached files when above zero."""
    folder.mkdir(parents=True)
    tables = synthetic_tables(records)
    tables.setdefault("switches", {})["bench-switch"] = {
        "from_stage": "modelling",
        "to_stage": "data",
        "to_module": None,
        "category": "data",
        "reason": "a leak found",
        "iteration": 2,
        "revisit": [],
        "at": "2026-03-01T09:00:00Z",
        "by": "bench",
    }
    links = tables.setdefault("artifacts", {})
    for i in range(artifacts):
        location = f"docs/part-{i // 50}/artifact-{i}.md"
        path = folder / location
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Artifact {i}\n", encoding="utf-8")
        links[f"artifact-{i}"] = {
            "locations": [location],
            "title": f"Artifact {i}",
            "stage": ("business", "data", "modelling")[i % 3],
            "module": None,
            "attached_at": "2026-01-05T09:00:00Z",
            "attached_by": "bench",
        }
    (folder / "mlpl.json").write_bytes(dump(tables))
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "project")
    for i in range(0, artifacts, 20):  # a few edited in the work tree since
        (folder / f"docs/part-{i // 50}/artifact-{i}.md").write_text("edited\n", encoding="utf-8")
    return folder / "mlpl.json"


def run_ms(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter_ns()
    done = subprocess.run(argv, cwd=cwd, env=_env(), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stderr.decode(errors='replace')}")
    return (time.perf_counter_ns() - start) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--artifacts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-") as tmp:
        repos = {
            "baseline": make_repo(Path(tmp) / "plain", args.records, 0),
            "artifacts": make_repo(Path(tmp) / "attached", args.records, args.artifacts),
        }
        check = subprocess.run(
            [sys.executable, "-m", "mlpl_tui", "artifact", "list"],
            cwd=repos["artifacts"].parent,
            env=_env(),
            capture_output=True,
            text=True,
        )
        states = [w for w in ("stale", "current", "file missing") if f" {w}" in check.stdout]
        print(f"{args.artifacts} artifacts on {args.records:,} records; states seen: {states}")
        commands = {"status": [], "status --json": ["--json"]}
        times: dict[tuple[str, str], list[float]] = {(c, r): [] for c in commands for r in repos}
        for turn in range(args.runs + 1):
            order = [(c, r) for c in commands for r in repos]
            order = order[turn % len(order) :] + order[: turn % len(order)]
            for command, repo in order:
                argv = [sys.executable, "-m", "mlpl_tui", "status", *commands[command]]
                ms = run_ms(argv, repos[repo].parent)
                if turn:  # the first round warms caches
                    times[(command, repo)].append(ms)
        print(f"medians of {args.runs} interleaved runs (after one warm-up round)")
        for command in commands:
            base, with_artifacts = times[(command, "baseline")], times[(command, "artifacts")]
            ratio = statistics.median(with_artifacts) / statistics.median(base)
            paired = statistics.median(a / b for a, b in zip(with_artifacts, base, strict=True))
            verdict = "ok" if ratio <= TARGET else "MISS"
            print(
                f"{command:<14} baseline {statistics.median(base):7.1f} ms  with artifacts "
                f"{statistics.median(with_artifacts):7.1f} ms  ratio {ratio:.2f} "
                f"(paired {paired:.2f}; target <= {TARGET}x: {verdict})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
