"""Make tests/fixtures/trackers/ with the real trackers: MLflow, DVC and Weights & Biases.

Run by hand, never by the suite: tests/test_runs_readers.py reads what this writes without
any of these packages installed. The tools stay out of the project's .venv, in a throwaway
virtual environment (mlflow-skinny alone cannot open a SQLite store: its SQL backend needs
SQLAlchemy and alembic, which the full `mlflow` package would bring):

    python3 -m venv /tmp/trackers-venv
    /tmp/trackers-venv/bin/pip install mlflow-skinny sqlalchemy alembic dvc wandb
    /tmp/trackers-venv/bin/python tests/make_tracker_fixtures.py

It needs git on PATH, works in a temporary folder, then replaces tests/fixtures/trackers/
with only the small files the readers look at, and writes the versions of the tools that
made them to tests/fixtures/trackers/VERSIONS.txt. The output is not byte-for-byte
reproducible (tools stamp the current time in places; it is committed once), but run ids
and the times the tools let a caller choose are fixed.

What it makes (tests/test_runs_readers.py holds the expected values):

- `mlflow.db`: MLflow's SQLite store. Experiments "Default", "churn baseline", "churn
  features ✓" and a deleted one; runs FINISHED, KILLED, FAILED, RUNNING and a deleted one;
  params, metrics logged at several steps (one key with a `/`), a run tagged
  `mlpl.experiment=5f3e2a1b0c`, a note (`mlflow.note.content`) and a run name with unicode.
  The file is rewritten with 512-byte pages (VACUUM): MLflow's schema has some 200 tables
  and indexes, a page each, which makes an almost empty store 1 MB with the default size.
- `mlruns/`: MLflow's file store (MLFLOW_ALLOW_FILE_STORE=true) with the same kinds of runs.
- `dvc-project.bundle`: a git bundle of a DVC project (params.yaml, a stage writing
  metrics.json) with three experiments made by `dvc exp run -m ... --set-param ...`, one
  message naming `mlpl.experiment=5f3e2a1b0c`; the bundle keeps every ref, `refs/exps/...`
  included (clone it, then `git fetch BUNDLE 'refs/exps/*:refs/exps/*'`).
- `wandb/offline-run-*`: two offline runs (WANDB_MODE=offline; one finished with exit code
  1); W&B offline writes only its binary log `run-ID.wandb`, kept; its logs are dropped.
"""

from __future__ import annotations

import importlib
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "trackers"
TAGGED = "5f3e2a1b0c"  # the experiment id runs are tagged with
T0 = 1772359810000  # 2026-03-01T10:10:10Z in milliseconds: the runs' first start
MINUTE = 60_000
PACKAGES = ("mlflow-skinny", "sqlalchemy", "alembic", "dvc", "wandb", "pyyaml")


def fixed_uuids(seed: int) -> None:
    """Run and experiment ids from a seeded generator, so they stay the same on every run."""
    rng = random.Random(seed)
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)


def tool(name: str) -> ModuleType:
    """A tool's module, imported by name: the project's type checker does not have them."""
    return importlib.import_module(name)


def log_runs(client: Any) -> None:
    """The runs both MLflow stores hold (`client` is an MlflowClient)."""
    baseline = client.create_experiment("churn baseline")
    features = client.create_experiment("churn features ✓")
    deleted = client.create_experiment("abandoned")

    def run(experiment: str, name: str, minutes: int, tags: dict[str, str] | None = None) -> str:
        created = client.create_run(
            experiment, start_time=T0 + minutes * MINUTE, run_name=name, tags=tags or {}
        )
        return str(created.info.run_id)

    def metrics(run_id: str, minutes: int, **series: list[float]) -> None:
        for key, values in series.items():
            for step, value in enumerate(values):
                at = T0 + (minutes + step) * MINUTE
                client.log_metric(run_id, key.replace("__", "/"), value, timestamp=at, step=step)

    def end(run_id: str, status: str, minutes: int) -> None:
        client.set_terminated(run_id, status, end_time=T0 + minutes * MINUTE)

    first = run(baseline, "logreg-baseline", 0, {"mlpl.experiment": TAGGED})
    client.log_param(first, "C", "1.0")
    client.log_param(first, "penalty", "l2")
    metrics(first, 0, accuracy=[0.71, 0.74, 0.76], loss=[0.62, 0.55, 0.51], val__auc=[0.8, 0.82])
    end(first, "FINISHED", 5)

    killed = run(baseline, "logreg-no-reg", 10)
    client.log_param(killed, "C", "100")
    metrics(killed, 10, accuracy=[0.6, 0.65], loss=[0.9, 0.8])
    end(killed, "KILLED", 12)

    note = {"mlflow.note.content": "Target encoding of the plan field.\nSecond line."}
    named = run(features, "gbm — ünïcödé 試験", 20, note)
    client.log_param(named, "max_depth", "6")
    client.log_param(named, "learning_rate", "0.1")
    metrics(named, 20, accuracy=[0.79, 0.81, 0.83], loss=[0.45, 0.41, 0.39])
    end(named, "FINISHED", 26)

    failed = run(features, "gbm-deep", 30)
    client.log_param(failed, "max_depth", "12")
    metrics(failed, 30, loss=[0.5])
    end(failed, "FAILED", 31)

    running = run(features, "gbm-still-running", 40)
    metrics(running, 40, loss=[0.47, 0.44])

    gone = run(features, "deleted-run", 50)
    metrics(gone, 50, loss=[0.3])
    end(gone, "FINISHED", 51)
    client.delete_run(gone)

    hidden = run(deleted, "in-a-deleted-experiment", 60)
    end(hidden, "FINISHED", 61)
    client.delete_experiment(deleted)


def make_mlflow(work: Path) -> None:
    mlflow = tool("mlflow")
    fixed_uuids(1)
    db = work / "mlflow.db"
    log_runs(mlflow.MlflowClient(tracking_uri=f"sqlite:///{db}"))
    fixed_uuids(2)
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    log_runs(mlflow.MlflowClient(tracking_uri=(work / "mlruns").as_uri()))
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA page_size = 512")
    connection.execute("VACUUM")
    connection.close()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=dvc_env()
    )
    return done.stdout


def dvc_env() -> dict[str, str]:
    return {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "Fixture",
        "GIT_AUTHOR_EMAIL": "fixture@example.com",
        "GIT_COMMITTER_NAME": "Fixture",
        "GIT_COMMITTER_EMAIL": "fixture@example.com",
        "GIT_AUTHOR_DATE": "1772359200 +0000",
        "GIT_COMMITTER_DATE": "1772359200 +0000",
    }


def dvc(repo: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "dvc", *args], cwd=repo, check=True, env=dvc_env())


def make_dvc(work: Path) -> None:
    repo = work / "dvc-project"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Fixture")
    git(repo, "config", "user.email", "fixture@example.com")
    dvc(repo, "init", "-q")
    (repo / "params.yaml").write_text("lr: 0.01\nepochs: 3\nmodel:\n  depth: 2\n")
    (repo / "train.py").write_text(
        "import json\n\nimport yaml\n\n"
        "p = yaml.safe_load(open('params.yaml'))\n"
        "score = {'accuracy': round(0.5 + p['lr'] * 10 + p['model']['depth'] / 100, 4),\n"
        "         'loss': round(1 / (1 + p['epochs']), 4)}\n"
        "json.dump(score, open('metrics.json', 'w'))\n"
    )
    (repo / "dvc.yaml").write_text(
        "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n"
        "    params: [lr, epochs, model.depth]\n"
        "    metrics:\n      - metrics.json:\n          cache: false\n"
    )
    dvc(repo, "repro", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "baseline")
    experiments = [
        ("higher-rate", f"a higher rate mlpl.experiment={TAGGED}", "lr=0.02"),
        ("more-epochs", "more epochs", "epochs=5"),
        ("", "deeper model — ünïcödé", "model.depth=4"),  # a name DVC makes up
    ]
    for name, message, change in experiments:
        named = ["-n", name] if name else []
        dvc(repo, "exp", "run", "-q", *named, "-m", message, "--set-param", change)
        git(repo, "reset", "-q", "--hard")  # each experiment starts from the baseline
    refs = git(repo, "for-each-ref", "refs/exps")
    print(refs, end="")
    bundle = work / "dvc-project.bundle"
    git(repo, "bundle", "create", str(bundle), "--all")
    heads = git(repo, "bundle", "list-heads", str(bundle))
    if heads.count("refs/exps/") < 3:
        raise SystemExit(f"the bundle lost the experiment refs:\n{heads}")


def make_wandb(work: Path) -> None:
    wandb = tool("wandb")
    os.environ.update({"WANDB_MODE": "offline", "WANDB_SILENT": "true"})
    os.environ["WANDB_DIR"] = str(work)
    for run_id, name, exit_code in (("fx1tiny0", "tiny run", 0), ("fx2fail0", "broken", 1)):
        run = wandb.init(
            project="churn",
            id=run_id,
            name=name,
            config={"lr": 0.01, "epochs": 3, "mlpl.experiment": TAGGED},
        )
        for step in range(3):
            run.log({"loss": round(1 / (step + 1), 4), "acc": 0.5 + step / 10})
        run.finish(exit_code=exit_code)
    folder = work / "wandb"
    for entry in list(folder.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()  # latest-run and the debug logs: links into the runs or ~/.cache
            continue
        for part in entry.iterdir():
            if part.is_dir():
                shutil.rmtree(part)  # logs/, tmp/ and files/ (requirements.txt of this venv)
            elif not part.name.endswith(".wandb"):
                part.unlink()


def versions() -> str:
    lines = [f"python {platform.python_version()}"]
    for package in PACKAGES:
        try:
            lines.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{package} (not installed)")
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True, check=True)
    lines.append(git_version.stdout.strip())
    return "\n".join(lines) + "\n"


def sizes(folder: Path) -> str:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    return f"{len(files)} files, {total:,} bytes"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tracker-fixtures-") as tmp:
        work = Path(tmp)
        make_mlflow(work)
        make_dvc(work)
        make_wandb(work)
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        shutil.copy2(work / "mlflow.db", OUT / "mlflow.db")
        shutil.copytree(work / "mlruns", OUT / "mlruns")
        shutil.copy2(work / "dvc-project.bundle", OUT / "dvc-project.bundle")
        shutil.copytree(work / "wandb", OUT / "wandb")
    (OUT / "VERSIONS.txt").write_text(versions())
    print(f"{OUT.relative_to(ROOT)}: {sizes(OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
