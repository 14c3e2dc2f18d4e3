"""How long `mlpl-tui runs` takes on an MLflow store of 5,000 runs with 50 metrics each, against
a bare sqlite3 query of the same columns.

    python bench/runs.py [--runs-in-store 5000] [--metrics 50] [--runs 15] [--dir DIR]

The store is an `mlflow.db` with MLflow's own schema, copied from the one MLflow wrote for the
tests (tests/fixtures/trackers/mlflow.db, every CREATE statement in its sqlite_master), filled
with runs, 5 params, 50 latest metrics (and one logged value of each), a name tag and every
tenth run tagged `mlpl.experiment`. Beside it, a new project (mlpl.json). Each command runs as
a user runs it, as a fresh subprocess of the same interpreter:

- baseline: `python -c "import sqlite3; ..."` opening the store read-only and fetching the
  columns the reader uses (runs with their experiments, params, latest_metrics, two tags);
- `python -m mlpl_tui runs --source mlflow` (the target: at most 2x the baseline);
- `runs --source mlflow --json`, and `find_runs` alone in a fresh process, for information.

The commands are interleaved (their order rotated every round) so drift on a noisy shared
machine hits them alike; medians of wall-clock time are reported. The script reports; it does
not assert, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import interleaved

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "trackers" / "mlflow.db"
TARGET = 2.0
T0 = 1772359810000  # 2026-03-01T10:10:10Z, in MLflow's milliseconds

# The bare query: the same columns the reader fetches, nothing done with them.
BASELINE = """
import sqlite3
c = sqlite3.connect("file:{path}?mode=ro", uri=True, isolation_level=None)
c.execute("BEGIN")
c.execute("SELECT r.run_uuid, r.name, r.status, r.start_time, r.end_time FROM runs AS r "
          "LEFT JOIN experiments AS e ON e.experiment_id = r.experiment_id "
          "WHERE coalesce(r.lifecycle_stage, '') != 'deleted' "
          "AND coalesce(e.lifecycle_stage, '') != 'deleted'").fetchall()
c.execute("SELECT run_uuid, key, value FROM params").fetchall()
c.execute("SELECT run_uuid, key, value, is_nan FROM latest_metrics").fetchall()
c.execute("SELECT run_uuid, key, value FROM tags "
          "WHERE key IN ('mlpl.experiment', 'mlflow.runName')").fetchall()
c.close()
"""

FIND_RUNS = """
from pathlib import Path
from mlpl_tui.runs import find_runs
find_runs(Path({root!r}), "mlflow", {{}})
"""


def make_store(path: Path, runs: int, metrics: int) -> None:
    """An mlflow.db with MLflow's schema (from the fixture) and `runs` x `metrics` metrics."""
    source = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    schema = source.execute(
        "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    alembic = source.execute("SELECT version_num FROM alembic_version").fetchall()
    source.close()
    rng = random.Random(7)
    store = sqlite3.connect(path)
    order = {"table": 0, "index": 1, "trigger": 2, "view": 3}
    for _, sql in sorted(schema, key=lambda row: order.get(row[0], 4)):
        store.execute(sql)
    store.executemany("INSERT INTO alembic_version VALUES (?)", alembic)
    store.execute(
        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
        "creation_time, last_update_time) VALUES (1, 'bench', '', 'active', ?, ?)",
        (T0, T0),
    )
    names = [f"metric_{n:02d}" if n % 5 else f"val/metric_{n:02d}" for n in range(metrics)]
    for n in range(runs):
        run_id = f"{rng.getrandbits(128):032x}"
        start = T0 + n * 60_000
        store.execute(
            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
            "user_id, status, start_time, end_time, source_version, lifecycle_stage, "
            "artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', '', '', 'bench', ?, ?, ?, '', "
            "'active', '', 1)",
            (run_id, f"run-{n:05d}", "FINISHED" if n % 7 else "KILLED", start, start + 30_000),
        )
        store.executemany(
            "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
            [(f"param_{p}", str(rng.random()), run_id) for p in range(5)],
        )
        values = [(name, rng.random(), start, 9, 0, run_id) for name in names]
        store.executemany(
            "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            values,
        )
        store.executemany(
            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(k, v, t, r, s, i) for k, v, t, s, i, r in values],
        )
        tags = [("mlflow.runName", f"run-{n:05d}", run_id)]
        if n % 10 == 0:
            tags.append(("mlpl.experiment", f"{n:010x}", run_id))
        store.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", tags)
    store.commit()
    store.close()


def run_ms(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall-clock milliseconds of one subprocess, and its exit status."""
    start = time.perf_counter_ns()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0 and done.stderr:
        print(done.stderr.decode(errors="replace").strip()[-500:], file=sys.stderr)
    return (time.perf_counter_ns() - start) / 1e6, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs-in-store", type=int, default=5_000)
    parser.add_argument("--metrics", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15, help="timed rounds")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the temp files")
    args = parser.parse_args(argv)

    # Nothing from the caller's environment that changes start-up or what is read.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "MLFLOW_")) and k not in ("MLPL_FILE", "MLPL_USER")
    }
    env["MLPL_USER"] = "bench"
    env["PYTHONPATH"] = str(ROOT)  # the checkout's mlpl_tui, run from the project's folder
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="mlpl-bench-runs-", dir=args.dir) as tmp:
        project = Path(tmp)
        store = project / "mlflow.db"
        started = time.perf_counter()
        make_store(store, args.runs_in_store, args.metrics)
        made = time.perf_counter() - started
        state = project / "mlpl.json"
        subprocess.run(
            [python, "-m", "mlpl_tui", "init", "--file", str(state), "--name", "bench"],
            cwd=project,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs_command = [python, "-m", "mlpl_tui", "runs", "--file", str(state)]
        commands = {
            "baseline": [python, "-c", BASELINE.format(path=store)],
            "runs": [*runs_command, "--source", "mlflow"],
            "runs --json": [*runs_command, "--source", "mlflow", "--json"],
            "find_runs": [python, "-c", FIND_RUNS.format(root=str(project))],
        }
        names = list(commands)
        failures: dict[str, set[int]] = {name: set() for name in names}

        def measure(name: str) -> float:
            ms, code = run_ms(commands[name], project, env)
            if code != 0:
                failures[name].add(code)
            return ms

        samples = interleaved(names, args.runs, measure)
        size = store.stat().st_size

    print(
        f"mlflow.db: {args.runs_in_store} runs x {args.metrics} metrics ({size / 1e6:.1f} MB, "
        f"made in {made:.1f} s), {args.runs} interleaved runs each, interpreter {python}"
    )
    base = statistics.median(samples["baseline"])
    header = f"{'command':<48} {'median ms':>9} {'min ms':>7} {'max ms':>7} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    labels = {
        "baseline": 'python -c "import sqlite3; ... (same columns)"',
        "runs": "python -m mlpl_tui runs --source mlflow",
        "runs --json": "python -m mlpl_tui runs --source mlflow --json",
        "find_runs": "python -c \"... find_runs(root, 'mlflow')\"",
    }
    for name in names:
        values = samples[name]
        median = statistics.median(values)
        note = f"  exit {sorted(failures[name])}" if failures[name] else ""
        print(
            f"{labels[name]:<48} {median:>9.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / base:>6.2f}{note}"
        )
    ratio = statistics.median(samples["runs"]) / base
    verdict = "ok" if ratio <= TARGET else "MISS"
    print(f"\nruns / baseline = {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
