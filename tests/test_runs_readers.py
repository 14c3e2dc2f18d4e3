"""The trackers' readers: the stores MLflow, DVC and W&B wrote (tests/fixtures/trackers, made by
tests/make_tracker_fixtures.py) read without those packages; broken, locked, hostile and linked
stores; nothing ever written to a store."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mlpl_tui import runs_mlflow
from mlpl_tui.errors import UsageError
from mlpl_tui.runs import Run, TrackerError, find_runs, read_stores, tracking_uri_store
from mlpl_tui.runs_dvc import read_dvc
from mlpl_tui.runs_mlflow import read_file_store, read_sqlite
from mlpl_tui.runs_wandb import read_wandb

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trackers"
TAGGED = "5f3e2a1b0c"
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")

# What both MLflow stores hold (make_tracker_fixtures.log_runs): deleted runs and the runs of
# the deleted experiment are not listed.
MLFLOW_RUNS: dict[str, dict[str, object]] = {
    "logreg-baseline": {
        "status": "FINISHED",
        "started_at": "2026-03-01T10:10:10Z",
        "ended_at": "2026-03-01T10:15:10Z",
        "params": {"C": "1.0", "penalty": "l2"},
        "metrics": {"accuracy": 0.76, "loss": 0.51, "val/auc": 0.82},
        "tagged": TAGGED,
    },
    "logreg-no-reg": {
        "status": "KILLED",
        "started_at": "2026-03-01T10:20:10Z",
        "ended_at": "2026-03-01T10:22:10Z",
        "params": {"C": "100"},
        "metrics": {"accuracy": 0.65, "loss": 0.8},
        "tagged": None,
    },
    "gbm — ünïcödé 試験": {
        "status": "FINISHED",
        "started_at": "2026-03-01T10:30:10Z",
        "ended_at": "2026-03-01T10:36:10Z",
        "params": {"learning_rate": "0.1", "max_depth": "6"},
        "metrics": {"accuracy": 0.83, "loss": 0.39},
        "tagged": None,
    },
    "gbm-deep": {
        "status": "FAILED",
        "started_at": "2026-03-01T10:40:10Z",
        "ended_at": "2026-03-01T10:41:10Z",
        "params": {"max_depth": "12"},
        "metrics": {"loss": 0.5},
        "tagged": None,
    },
    "gbm-still-running": {
        "status": "RUNNING",
        "started_at": "2026-03-01T10:50:10Z",
        "ended_at": None,
        "params": {},
        "metrics": {"loss": 0.44},
        "tagged": None,
    },
}


def by_name(runs: list[Run]) -> dict[str, Run]:
    named = {run.name: run for run in runs}
    assert len(named) == len(runs), "two runs with one name"
    return named


def check_mlflow(runs: list[Run]) -> None:
    named = by_name(runs)
    assert sorted(named) == sorted(MLFLOW_RUNS)
    for name, expected in MLFLOW_RUNS.items():
        run = named[name]
        assert run.tool == "mlflow"
        assert len(run.id) == 32 and int(run.id, 16) >= 0  # MLflow's run ids: uuid4 hex
        assert run.ref == f"mlflow:{run.id}"
        got = {key: getattr(run, key) for key in expected}
        got["params"], got["metrics"] = dict(run.params), dict(run.metrics)
        assert got == expected, name


def snapshot(folder: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry under `folder` with its bytes (a link's target) and modification time."""
    seen: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            seen[str(path)] = (os.readlink(path), info.st_mtime_ns)
        elif path.is_file():
            seen[str(path)] = (path.read_bytes(), info.st_mtime_ns)
        else:
            seen[str(path)] = ("folder", info.st_mtime_ns)
    return seen


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder holding copies of the MLflow stores and the W&B runs."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(FIXTURES / "mlflow.db", root / "mlflow.db")
    shutil.copytree(FIXTURES / "mlruns", root / "mlruns", symlinks=True)
    shutil.copytree(FIXTURES / "wandb", root / "wandb", symlinks=True)
    return root


NO_ENV: Mapping[str, str] = {}


# --- the fixtures the tools made ---------------------------------------------------------------


def test_the_sqlite_store_mlflow_wrote_is_read() -> None:
    runs = read_sqlite(FIXTURES / "mlflow.db", "mlflow.db")
    check_mlflow(runs)
    assert {run.where for run in runs} == {"mlflow.db"}


def test_the_file_store_mlflow_wrote_is_read() -> None:
    runs = read_file_store(FIXTURES / "mlruns", "mlruns")
    check_mlflow(runs)
    for run in runs:  # each run's own folder, named from the project
        parts = run.where.split("/")
        assert parts[0] == "mlruns" and parts[2] == run.id and len(parts) == 3
        assert (FIXTURES / run.where / "meta.yaml").is_file()


def test_the_offline_runs_wandb_wrote_are_known_by_id_time_and_folder() -> None:
    runs = sorted(read_wandb(FIXTURES / "wandb"), key=lambda r: r.id)
    assert [(r.id, r.name, r.status, r.params, r.metrics) for r in runs] == [
        ("fx1tiny0", "fx1tiny0", "UNKNOWN", {}, {}),
        ("fx2fail0", "fx2fail0", "UNKNOWN", {}, {}),
    ]
    for run in runs:
        folder = FIXTURES / run.where
        assert folder.parent.name == "wandb" and (folder / f"run-{run.id}.wandb").is_file()
        stamp = folder.name.split("-")[2]  # offline-run-YYYYMMDD_HHMMSS-ID, local time (UTC here)
        assert run.started_at == time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.strptime(stamp, "%Y%m%d_%H%M%S")
        )


def test_find_runs_reads_every_store_in_the_project_newest_first(project: Path) -> None:
    found = read_stores(project, env=NO_ENV)
    assert found.tools == ("mlflow", "wandb")  # not a git repository: no DVC
    sqlite_runs = [r for r in found.runs if r.where == "mlflow.db"]
    file_runs = [r for r in found.runs if r.where.startswith("mlruns/")]
    check_mlflow(sqlite_runs)
    check_mlflow(file_runs)
    assert len(found.runs) == 2 * len(MLFLOW_RUNS) + 2
    starts = [r.started_at or "" for r in found.runs]
    assert starts == sorted(starts, reverse=True)
    assert find_runs(project, env=NO_ENV) == found.runs
    assert [r.tool for r in find_runs(project, "wandb", NO_ENV)] == ["wandb", "wandb"]


def test_the_readers_import_no_tracker_and_no_textual() -> None:
    code = (
        "import sys; import mlpl_tui.runs_mlflow, mlpl_tui.runs_dvc, mlpl_tui.runs_wandb; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'mlflow', 'dvc', 'wandb', 'textual', 'sqlalchemy', 'screens'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- DVC -----------------------------------------------------------------------------------------


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        **({"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date} if date else {}),
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


@pytest.fixture
def dvc_repo(tmp_path: Path) -> Path:
    """A clone of the fixture's DVC project with its experiment refs fetched (a clone alone
    does not bring refs/exps, as a plain push does not send them)."""
    repo = tmp_path / "dvc-project"
    git(tmp_path, "clone", "-q", str(FIXTURES / "dvc-project.bundle"), str(repo))
    git(repo, "fetch", "-q", str(FIXTURES / "dvc-project.bundle"), "refs/exps/*:refs/exps/*")
    return repo


DVC_RUNS = {  # name -> params changed from the baseline, metrics, tagged
    "higher-rate": ({"lr": "0.02"}, {"accuracy": 0.72, "loss": 0.25}, TAGGED),
    "more-epochs": ({"epochs": "5"}, {"accuracy": 0.62, "loss": 0.1667}, None),
    "generated": ({"model.depth": "4"}, {"accuracy": 0.64, "loss": 0.25}, None),
}


@needs_git
def test_dvc_experiments_are_read_from_the_refs(dvc_repo: Path) -> None:
    runs = read_dvc(dvc_repo)
    refs = git(dvc_repo, "for-each-ref", "--format=%(refname)", "refs/exps").split()
    assert len(refs) == 4  # three experiments and DVC's refs/exps/exec/EXEC_HEAD
    assert sorted(r.where for r in runs) == sorted(r for r in refs if "/exec/" not in r)
    named = by_name(runs)
    generated = [name for name in named if name not in DVC_RUNS]
    assert len(generated) == 1  # the one DVC named itself
    named["generated"] = named.pop(generated[0])
    baseline = {"lr": "0.01", "epochs": "3", "model.depth": "2"}
    for name, (changed, metrics, tagged) in DVC_RUNS.items():
        run = named[name]
        assert run.tool == "dvc" and run.status == "FINISHED" and run.ended_at is None
        assert run.id == run.where.rsplit("/", 1)[1] and run.ref == f"dvc:{run.id}"
        assert dict(run.params) == {**baseline, **changed}
        assert dict(run.metrics) == metrics
        assert run.tagged == tagged
        assert run.started_at is not None and run.started_at.endswith("Z")


@needs_git
def test_dvc_asks_git_a_fixed_number_of_times(
    dvc_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting(args: list[str], **kwargs: object) -> object:
        calls.append(args)
        return real_run(args, **kwargs)  # type: ignore[call-overload]

    head = git(dvc_repo, "rev-parse", "HEAD").strip()
    for n in range(30):  # thirty more experiments cost no more processes
        git(dvc_repo, "update-ref", f"refs/exps/{head[:2]}/{head[2:]}/extra-{n}", head)
    monkeypatch.setattr(subprocess, "run", counting)
    assert len(read_dvc(dvc_repo)) == 33
    assert [c[c.index("core.quotePath=false") + 1] for c in calls] == [
        "for-each-ref",
        "cat-file",
        "cat-file",
    ]


@needs_git
def test_dvc_in_a_sub_folder_and_names_shared_by_two_baselines(dvc_repo: Path) -> None:
    (dvc_repo / "sub").mkdir()
    git(dvc_repo, "commit", "-q", "--allow-empty", "-m", "later", date="2030-01-01T00:00:00Z")
    later = git(dvc_repo, "rev-parse", "HEAD").strip()
    other = "f" * 40
    git(dvc_repo, "update-ref", f"refs/exps/{other[:2]}/{other[2:]}/more-epochs", later)
    runs = read_dvc(dvc_repo / "sub")  # the project's state file may sit below the DVC root
    ids = sorted(r.id for r in runs)
    assert "more-epochs" in ids and "more-epochs@fffffff" in ids
    newer = next(r for r in runs if r.id == "more-epochs@fffffff")
    assert newer.name == "more-epochs" and newer.params["lr"] == "0.01"
    assert newer.started_at == "2030-01-01T00:00:00Z"


@needs_git
def test_dvc_hostile_experiment_files_are_data_and_bounded(dvc_repo: Path) -> None:
    git(dvc_repo, "checkout", "-q", "-b", "hostile")
    (dvc_repo / "params.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c]\n"
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nloop: &loop [*loop]\n"
        '"\\e[31mred": "[bold]x[/]"\n'
    )
    (dvc_repo / "metrics.json").write_text('{"acc": 0.5, "nested": {"f1": 0.25}, "note": "x"}')
    (dvc_repo / "eval").mkdir()
    (dvc_repo / "eval" / "big.json").write_text('{"x": 1, "pad": "' + "a" * (1 << 20) + '"}')
    (dvc_repo / "dvc.yaml").write_text(
        "metrics: [eval/big.json, ../outside.json, '${path}.json', eval/score.yaml]\n"
    )
    (dvc_repo / "eval" / "score.yaml").write_text("auc: 0.9\n")
    git(dvc_repo, "add", "-A")
    git(dvc_repo, "commit", "-q", "-m", "\x1b[2J\x1b]0;title\x07 mlpl.experiment=\x1b[31mx")
    commit = git(dvc_repo, "rev-parse", "HEAD").strip()
    base = "a" * 40
    git(dvc_repo, "update-ref", f"refs/exps/{base[:2]}/{base[2:]}/hostile", commit)
    started = time.perf_counter()
    run = next(r for r in read_dvc(dvc_repo) if r.id == "hostile")
    assert time.perf_counter() - started < 10
    assert dict(run.metrics) == {"acc": 0.5, "auc": 0.9, "nested.f1": 0.25}  # big.json: too big
    assert run.params["\x1b[31mred"] == "[bold]x[/]"
    assert len(run.params["e"]) <= 10_000 and run.params["e"].startswith('[[[[["x"')
    assert run.params["loop"].startswith("[[[")
    assert run.tagged == "\x1b[31mx"


def test_dvc_outside_a_repository(tmp_path: Path) -> None:
    assert read_dvc(tmp_path) == []
    assert read_stores(tmp_path, env=NO_ENV).tools == ()
    with pytest.raises(TrackerError, match="not in a git repository"):
        find_runs(tmp_path, "dvc", NO_ENV)


@needs_git
def test_dvc_with_git_failing_is_a_clear_error(
    dvc_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(TrackerError, match="cannot run git") as raised:
        find_runs(dvc_repo, "dvc", NO_ENV)
    assert str(dvc_repo) in str(raised.value)
    assert read_stores(dvc_repo, env=NO_ENV).tools == ()  # auto: the other trackers still read


# --- W&B folders with W&B's readable files ------------------------------------------------------


def test_wandb_reads_metadata_summary_and_config_when_present(tmp_path: Path) -> None:
    folder = tmp_path / "wandb"
    files = folder / "run-20260301_101010-abc123" / "files"
    files.mkdir(parents=True)
    (files / "wandb-metadata.json").write_text('{"startedAt": "2026-03-01T09:10:10.123456Z"}')
    (files / "wandb-summary.json").write_text(
        '{"loss": 0.25, "acc": 0.9, "val": {"f1": 0.5}, "text": "x", "flag": true, '
        '"_step": 2, "_runtime": 99, "_wandb": {"runtime": 65}}'
    )
    (files / "config.yaml").write_text(
        "_wandb:\n  value: {cli_version: 0.31.0}\nlr:\n  desc: null\n  value: 0.01\n"
        "model:\n  value: {depth: 4, layers: [1, 2]}\nmlpl.experiment:\n  value: ' abc '\n"
    )
    (folder / "latest-run").symlink_to("run-20260301_101010-abc123")
    (folder / "offline-run-20260302_101010-zzz").mkdir()
    (folder / "run-nonsense").mkdir()
    runs = sorted(read_wandb(folder), key=lambda r: r.id)
    assert [r.id for r in runs] == ["abc123", "zzz"]
    run = runs[0]
    assert run.started_at == "2026-03-01T09:10:10Z"  # the metadata's, in UTC
    assert run.ended_at == "2026-03-01T09:11:15Z"  # plus the runtime
    assert dict(run.metrics) == {"acc": 0.9, "loss": 0.25, "val.f1": 0.5}
    assert dict(run.params) == {
        "lr": "0.01",
        "mlpl.experiment": " abc ",
        "model.depth": "4",
        "model.layers": "[1, 2]",
    }
    assert run.tagged == "abc"
    assert run.where == "wandb/run-20260301_101010-abc123"
    assert runs[1].started_at == "2026-03-02T10:10:10Z" and runs[1].name == "zzz"


def test_wandb_files_behind_a_link_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "wandb-summary.json").write_text('{"secret": 1}')
    (outside / "config.yaml").write_text("mlpl.experiment: {value: planted}\n")
    run = tmp_path / "wandb" / "run-20260301_101010-abc"
    run.mkdir(parents=True)
    (run / "files").symlink_to(outside)
    (found,) = read_wandb(tmp_path / "wandb")
    assert (found.metrics, found.params, found.tagged) == ({}, {}, None)


def test_wandb_a_resumed_run_is_one_run(tmp_path: Path) -> None:
    folder = tmp_path / "wandb"
    (folder / "run-20260301_101010-abc").mkdir(parents=True)
    (folder / "run-20260305_101010-abc").mkdir()
    (run,) = read_wandb(folder)
    assert run.started_at == "2026-03-01T10:10:10Z"
    assert run.where == "wandb/run-20260305_101010-abc"


# --- broken, locked and foreign SQLite stores ---------------------------------------------------


def test_a_corrupt_database_is_a_clear_error(project: Path) -> None:
    (project / "mlflow.db").write_bytes(os.urandom(8192))
    for source in ("auto", "mlflow"):
        with pytest.raises(TrackerError, match="corrupt") as raised:
            find_runs(project, source, NO_ENV)
        assert str(project / "mlflow.db") in str(raised.value)
        assert isinstance(raised.value, UsageError)  # the CLI prints it without a traceback


def test_a_locked_database_is_a_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs_mlflow, "SQLITE_TIMEOUT_SECONDS", 0.05)
    holder = sqlite3.connect(project / "mlflow.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(TrackerError, match="locked by another process") as raised:
            find_runs(project, "mlflow", NO_ENV)
        assert str(project / "mlflow.db") in str(raised.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    check_mlflow([r for r in find_runs(project, "mlflow", NO_ENV) if r.where == "mlflow.db"])


@pytest.mark.parametrize("tables", ["", "CREATE TABLE foo (x)", "CREATE TABLE runs (x)"])
def test_a_database_without_mlflows_tables_is_a_clear_error(tmp_path: Path, tables: str) -> None:
    path = tmp_path / "mlflow.db"
    path.touch()
    if tables:
        with sqlite3.connect(path) as connection:
            connection.execute(tables)
    with pytest.raises(TrackerError, match="not an MLflow tracking store") as raised:
        read_sqlite(path, "mlflow.db")
    assert str(path) in str(raised.value)


def test_a_fifo_named_like_the_store_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "mlflow.db")
    with pytest.raises(TrackerError, match="not a regular file"):
        find_runs(tmp_path, "mlflow", NO_ENV)


def test_sqlite_reads_every_table_once_whatever_the_number_of_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project / "mlflow.db"
    with sqlite3.connect(path) as connection:
        (experiment,) = connection.execute("SELECT experiment_id FROM runs LIMIT 1").fetchone()
        for n in range(200):
            run_id = f"{n:032x}"
            connection.execute(
                "INSERT INTO runs (run_uuid, name, status, start_time, lifecycle_stage, "
                "experiment_id) VALUES (?, ?, 'FINISHED', 0, 'active', ?)",
                (run_id, f"extra {n}", experiment),
            )
            connection.execute(
                "INSERT INTO latest_metrics VALUES ('m', ?, 0, 0, ?, ?)", (n, n == 7, run_id)
            )
    statements: list[str] = []
    real_connect = sqlite3.connect

    def tracing(database: str, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = real_connect(database, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", tracing)
    runs = read_sqlite(path, "mlflow.db")
    assert len(runs) == 205
    assert len(statements) <= 5, statements  # BEGIN and one SELECT per table
    extra = {r.name: r for r in runs if r.name.startswith("extra ")}
    assert extra["extra 3"].metrics == {"m": 3.0} and extra["extra 3"].started_at is not None
    assert str(extra["extra 7"].metrics["m"]) == "nan"  # is_nan: the value MLflow logged


def test_sqlite_texts_that_are_not_utf8_are_replaced_not_fatal(project: Path) -> None:
    path = project / "mlflow.db"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE runs SET name = CAST(X'6C6F67FF' AS TEXT) WHERE name = 'logreg-baseline'"
        )
        connection.execute("UPDATE params SET key = CAST(X'43FE' AS TEXT) WHERE key = 'C'")
    names = {r.name: r for r in read_sqlite(path, "mlflow.db")}
    assert "log\ufffd" in names
    assert names["log\ufffd"].params == {"C\ufffd": "1.0", "penalty": "l2"}
    assert names["logreg-no-reg"].params == {"C\ufffd": "100"}


# --- the file store, hostile -------------------------------------------------------------------


def write_run(experiment: Path, run_id: str, meta: str) -> Path:
    folder = experiment / run_id
    for part in ("metrics", "params", "tags"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    (folder / "meta.yaml").write_text(meta, encoding="utf-8")
    return folder


def test_hostile_names_in_a_file_store_come_back_as_data(tmp_path: Path) -> None:
    store = tmp_path / "mlruns"
    experiment = store / "1"
    experiment.mkdir(parents=True)
    (experiment / "meta.yaml").write_text("name: x\nlifecycle_stage: active\n")
    long_name = "n" * 50_000
    names = {
        "ansi": "\x1b[31mred\x1b[0m\x1b]0;title\x07",
        "markup": "[bold red]x[/] [link=http://e.x]y[/link]",
        "nul": "a\x00b",
        "long": long_name,
    }
    for run_id, name in names.items():
        escaped = name.encode("unicode_escape").decode().replace('"', '\\"')
        folder = write_run(experiment, run_id, f'run_name: "{escaped}"\nstatus: 3\n')
        (folder / "metrics" / "\x1b[2Jclear").write_text("1 0.5 0\n")
        (folder / "metrics" / "[b]m[").mkdir()  # a key with a `/`: a file in a folder
        (folder / "metrics" / "[b]m[" / "b]").write_text("1 0.25 0\n")
        (folder / "metrics" / "line\nbreak").write_text("1 0.125 0\n")
        (folder / "params" / "\x1b[31mp").write_text("\x1b[32mv\x00")
        (folder / "tags" / "mlpl.experiment").write_text("\x1b[31mexp\n")
    broken = write_run(experiment, "broken", "run_name: [unclosed\n\x00")
    (broken / "metrics" / "loss").write_text("not a metric line\n1 0.75 2\n")
    write_run(experiment, "bomb", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nrun_name: *b\nstatus: 9")
    runs = {r.id: r for r in read_file_store(store, "mlruns")}
    assert sorted(runs) == sorted([*names, "broken", "bomb"])
    for run_id, name in names.items():
        run = runs[run_id]
        assert run.name == name[:10_000] and run.status == "FINISHED"
        assert dict(run.metrics) == {"\x1b[2Jclear": 0.5, "[b]m[/b]": 0.25, "line\nbreak": 0.125}
        assert dict(run.params) == {"\x1b[31mp": "\x1b[32mv\x00"}
        assert run.tagged == "\x1b[31mexp"
    assert (runs["broken"].name, runs["broken"].status) == ("broken", "UNKNOWN")
    assert runs["broken"].metrics == {"loss": 0.75}
    assert (runs["bomb"].name, runs["bomb"].status) == ("bomb", "UNKNOWN")


def test_a_huge_metric_file_is_read_by_its_end_only(tmp_path: Path) -> None:
    experiment = tmp_path / "mlruns" / "0"
    experiment.mkdir(parents=True)
    (experiment / "meta.yaml").write_text("lifecycle_stage: active\n")
    folder = write_run(experiment, "r1", "status: 3\n")
    with open(folder / "metrics" / "loss", "wb") as handle:  # 1 GB, sparse: cheap to make
        handle.write(b"1 9.0 0\n")
        handle.seek(1 << 30)
        handle.write(b"\n5 0.5 7\n6 0.75 6\n")  # the highest step wins, as in MLflow
    started = time.perf_counter()
    (run,) = read_file_store(tmp_path / "mlruns", "mlruns")
    assert time.perf_counter() - started < 5
    assert run.metrics == {"loss": 0.5}


def test_the_file_store_follows_no_link_and_skips_what_is_deleted(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("1 42.0 0\n")
    write_run(outside, "planted", "status: 3\nrun_name: planted\n")
    store = tmp_path / "mlruns"
    experiment = store / "1"
    experiment.mkdir(parents=True)
    (experiment / "meta.yaml").write_text("lifecycle_stage: active\n")
    folder = write_run(experiment, "good", "status: 3\nrun_name: good\n")
    (folder / "metrics" / "loss").write_text("1 0.5 0\n")
    (folder / "metrics" / "leak").symlink_to(outside / "secret")
    (folder / "metrics" / "linked-folder").symlink_to(outside)
    (folder / "params" / "p").symlink_to(outside / "secret")
    os.mkfifo(folder / "metrics" / "fifo")
    os.mkfifo(folder / "params" / "fifo")
    (experiment / "linked-run").symlink_to(outside / "planted")
    linked_parts = write_run(experiment, "linked-parts", "status: 3\nrun_name: linked-parts\n")
    planted = outside / "planted"
    (planted / "metrics" / "loss").write_text("1 42.0 0\n")
    (planted / "params" / "p").write_text("secret")
    (planted / "tags" / "mlflow.runName").write_text("secret")
    (planted / "tags" / "mlpl.experiment").write_text("secret")
    for part in ("metrics", "params", "tags"):
        (linked_parts / part).rmdir()
        (linked_parts / part).symlink_to(planted / part)
    (linked_parts / "meta.yaml").write_text("status: 3\n")
    linked_meta = write_run(experiment, "linked-meta", "")
    (linked_meta / "meta.yaml").unlink()
    (linked_meta / "meta.yaml").symlink_to(outside / "planted" / "meta.yaml")
    write_run(experiment, "deleted", "status: 3\nlifecycle_stage: deleted\n")
    (store / "2").mkdir()
    (store / "2" / "meta.yaml").write_text("lifecycle_stage: deleted\n")
    write_run(store / "2", "in-deleted", "status: 3\n")
    write_run(store / ".trash", "trashed", "status: 3\n")
    (store / "3").symlink_to(experiment)
    (store / "models").mkdir()  # registered models: no meta.yaml, not an experiment
    write_run(store / "models", "m1", "name: model\n")
    runs = sorted(read_file_store(store, "mlruns"), key=lambda r: r.id)
    assert [(r.id, r.name, dict(r.metrics), dict(r.params), r.tagged) for r in runs] == [
        ("good", "good", {"loss": 0.5}, {}, None),
        ("linked-parts", "linked-parts", {}, {}, None),  # its linked folders are not read
    ]


# --- where the stores are found ------------------------------------------------------------------


def test_a_store_linked_out_of_the_project_is_not_read(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("mlflow.db", "mlruns", "wandb"):
        (project / name).rename(outside / name)
        (project / name).symlink_to(outside / name)
    found = read_stores(project, env=NO_ENV)
    assert found.runs == [] and found.tools == ()
    assert len(found.skipped) == 3 and all("leading out of the project" in s for s in found.skipped)
    with pytest.raises(TrackerError, match="leading out of the project"):
        find_runs(project, "mlflow", NO_ENV)
    with pytest.raises(TrackerError, match="leading out of the project"):
        find_runs(project, "wandb", NO_ENV)


def test_a_store_linked_inside_the_project_is_read(project: Path) -> None:
    (project / "data").mkdir()
    (project / "mlflow.db").rename(project / "data" / "mlflow.db")
    (project / "mlflow.db").symlink_to(Path("data") / "mlflow.db")
    shutil.rmtree(project / "mlruns")
    check_mlflow(find_runs(project, "mlflow", NO_ENV))


def test_the_tracking_uri_names_a_store_anywhere(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    (project / "mlflow.db").rename(elsewhere / "mlflow.db")
    (project / "mlruns").rename(elsewhere / "mlruns")
    empty = tmp_path / "empty"
    empty.mkdir()
    db = elsewhere / "mlflow.db"
    check_mlflow(find_runs(empty, "mlflow", {"MLFLOW_TRACKING_URI": f"sqlite:///{db}"}))
    runs = find_runs(empty, "mlflow", {"MLFLOW_TRACKING_URI": (elsewhere / "mlruns").as_uri()})
    check_mlflow(runs)
    assert runs[0].where.startswith(f"{elsewhere}/mlruns/")  # outside the project: absolute
    monkeypatch.chdir(elsewhere)
    check_mlflow(find_runs(empty, "mlflow", {"MLFLOW_TRACKING_URI": "sqlite:///mlflow.db"}))
    check_mlflow(find_runs(empty, "mlflow", {"MLFLOW_TRACKING_URI": "file:mlruns"}))
    check_mlflow(find_runs(empty, "mlflow", {"MLFLOW_TRACKING_URI": "mlruns"}))
    # the same store named twice is read once
    both = find_runs(elsewhere, "mlflow", {"MLFLOW_TRACKING_URI": f"sqlite:///{db}"})
    assert len(both) == 2 * len(MLFLOW_RUNS)


def test_a_server_uri_is_ignored_unless_mlflow_is_asked_for(project: Path) -> None:
    server = {"MLFLOW_TRACKING_URI": "http://tracking.example:5000"}
    assert len(find_runs(project, "auto", server)) == 2 * len(MLFLOW_RUNS) + 2
    empty = project / "empty"
    empty.mkdir()
    assert find_runs(empty, "auto", server) == []
    with pytest.raises(TrackerError, match="MLFLOW_TRACKING_URI is not a local store"):
        find_runs(empty, "mlflow", server)
    with pytest.raises(TrackerError, match="no MLflow store found"):
        find_runs(empty, "mlflow", NO_ENV)
    with pytest.raises(TrackerError, match="no W&B runs"):
        find_runs(empty, "wandb", NO_ENV)
    with pytest.raises(TrackerError, match="unknown source"):
        find_runs(empty, "neptune", NO_ENV)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sqlite:////abs/mlflow.db", ("sqlite", "/abs/mlflow.db")),
        ("sqlite:///rel/mlflow.db", ("sqlite", "/cwd/rel/mlflow.db")),
        ("sqlite:///rel/ml%20flow.db?timeout=5", ("sqlite", "/cwd/rel/ml flow.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("file:///abs/mlruns", ("file", "/abs/mlruns")),
        ("file:mlruns", ("file", "/cwd/mlruns")),
        ("file://otherhost/mlruns", None),
        ("mlruns", ("file", "/cwd/mlruns")),
        ("/abs/mlruns", ("file", "/abs/mlruns")),
        ("http://localhost:5000", None),
        ("databricks", None),
        ("databricks-uc", None),
        ("databricks://profile", None),
        ("postgresql://u@h/db", None),
        ("  ", None),
        ("sqlite:///a\x00b", None),
    ],
)
def test_tracking_uris(uri: str, expected: tuple[str, str] | None) -> None:
    located = tracking_uri_store(uri, Path("/cwd"))
    assert (None if located is None else (located[0], str(located[1]))) == expected


# --- never written -------------------------------------------------------------------------------


@needs_git
def test_the_readers_never_write(project: Path, dvc_repo: Path) -> None:
    shutil.move(dvc_repo, project / "repo")
    repo = project / "repo"
    for name in ("mlflow.db", "mlruns", "wandb"):
        shutil.move(project / name, repo / name)
    for path in [project, *project.rglob("*")]:  # dated in the past: any write now shows
        os.utime(path, (1_000_000_000, 1_000_000_000), follow_symlinks=False)
    before = snapshot(project)
    found = read_stores(repo, env=NO_ENV)
    assert found.tools == ("mlflow", "dvc", "wandb")
    assert len(found.runs) == 2 * len(MLFLOW_RUNS) + 3 + 2
    assert snapshot(project) == before


def test_cli_reports_a_corrupt_store_without_a_traceback(project: Path) -> None:
    (project / "mlflow.db").write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLFLOW"))}
    state = project / "mlpl.json"
    init = [sys.executable, "-m", "mlpl_tui", "init", "--file", str(state), "--user", "t"]
    subprocess.run(init, cwd=project, env=env, capture_output=True, check=True)
    done = subprocess.run(
        [sys.executable, "-m", "mlpl_tui", "runs", "--file", str(state), "--source", "mlflow"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert str(project / "mlflow.db") in done.stderr
    assert "Traceback" not in done.stderr


def iter_sizes(folder: Path) -> Iterator[int]:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path.stat().st_size


def test_the_fixtures_stay_small() -> None:
    assert sum(iter_sizes(FIXTURES)) < 300_000
    versions = (FIXTURES / "VERSIONS.txt").read_text()
    for tool in ("mlflow-skinny", "dvc", "wandb"):
        assert f"\n{tool} " in versions
