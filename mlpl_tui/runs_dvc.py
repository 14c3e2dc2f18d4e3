"""DVC's experiments, read from git, never written: each is a ref `refs/exps/XX/BASELINE/NAME`
to a commit whose message is the `dvc exp run -m` message and whose tree holds the
experiment's params (params.yaml) and metrics (metrics.json, and the metrics files dvc.yaml
names).

Git is asked a fixed number of times, whatever the number of experiments: `for-each-ref` for
the refs, then `cat-file --batch-check` for the sizes of the commits and files and `cat-file
--batch` for those within the bounds (once more of each when a dvc.yaml names other metrics
files). Nothing in the repository is run; every file is parsed as data (JSON, or YAML with the
safe loader) and bounded in size.

A ref keeps only finished experiments, so each run is FINISHED; DVC stamps no start, so the
commit's time (what `dvc exp show` calls Created) is the run's start. An experiment is named
by the last part of its ref; when two baselines have experiments of the same name, the oldest
keeps the name and the others are NAME@BASELINE (the first 7 characters of the baseline).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlpl_tui.git_run import GitUnavailable, run_git
from mlpl_tui.runs import (
    MAX_KEYS,
    MAX_TEXT,
    Run,
    TrackerError,
    flatten,
    metric_values,
    param_text,
    tag_in_text,
    utc,
)
from mlpl_tui.yaml_loader import SafeLoader

MAX_BLOB_BYTES = 1 << 20  # a params or metrics file, a dvc.yaml, a commit: read when smaller
PARAMS_FILE = "params.yaml"  # DVC's default params file
METRICS_FILE = "metrics.json"  # the usual metrics file, read even when dvc.yaml says nothing
# refs/exps/<first 2 of the baseline>/<the rest of it>/<name>; refs/exps/exec/..., celery/...,
# stash and temporary refs are DVC's bookkeeping, not experiments.
_EXPERIMENT_REF = re.compile(r"refs/exps/([0-9a-f]{2})/([0-9a-f]{38}|[0-9a-f]{62})/([^/]+)")


def repository(root: Path) -> Path | None:
    """The top of the git work tree `root` is in (the nearest folder holding `.git`), or None.
    Looked up on disk rather than asked of git, which would cost a process."""
    real = Path(os.path.realpath(root))
    for folder in (real, *real.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


@dataclass
class _Experiment:
    ref: str
    commit: str
    baseline: str
    name: str
    message: str = ""
    time: float | None = None


def read_dvc(root: Path) -> list[Run]:
    """The DVC experiments of the git repository the project in `root` is in (none when it is
    in none). Git that cannot be run, or fails, is a TrackerError."""
    top = repository(root)
    if top is None:
        return []
    prefix = _dvc_prefix(root, top)
    experiments = _experiments(top)
    if not experiments:
        return []
    wanted: dict[str, str | None] = {}  # what to ask git for -> its object id, once known
    for experiment in experiments:
        for path in (experiment.commit, *_paths(experiment.commit, prefix, _DEFAULT_FILES)):
            wanted[path] = None
    contents = _read_objects(top, list(wanted))
    named: dict[str, list[str]] = {}  # each experiment's files beyond the defaults
    for experiment in experiments:
        _read_commit(experiment, contents.get(experiment.commit))
        pipeline = contents.get(f"{experiment.commit}:{prefix}dvc.yaml")
        named[experiment.commit] = _declared_files(pipeline, prefix) if pipeline else []
    extra = [
        f"{commit}:{path}"
        for commit, paths in named.items()
        for path in paths
        if f"{commit}:{path}" not in wanted
    ]
    if extra:
        contents.update(_read_objects(top, list(dict.fromkeys(extra))))
    runs = []
    for experiment, run_id in zip(experiments, _run_ids(experiments), strict=True):
        commit = experiment.commit
        params = _params(contents.get(f"{commit}:{prefix}{PARAMS_FILE}"), PARAMS_FILE)
        metric_files = [f"{prefix}{METRICS_FILE}", *named[commit]]
        metrics: dict[str, float] = {}
        for path in dict.fromkeys(metric_files):
            for key, value in _metrics(contents.get(f"{commit}:{path}"), path).items():
                metrics.setdefault(key, value)
        runs.append(
            Run(
                tool="dvc",
                id=run_id,
                name=experiment.name,
                status="FINISHED",
                started_at=utc(experiment.time),
                ended_at=None,
                params=params,
                metrics=dict(sorted(metrics.items())[:MAX_KEYS]),
                tagged=tag_in_text(experiment.message),
                where=experiment.ref,
            )
        )
    return runs


_DEFAULT_FILES = ("dvc.yaml", PARAMS_FILE, METRICS_FILE)


def _paths(commit: str, prefix: str, names: Iterable[str]) -> list[str]:
    return [f"{commit}:{prefix}{name}" for name in names]


def _dvc_prefix(root: Path, top: Path) -> str:
    """Where the DVC project is in the repository, as a path prefix (`` or `sub/`): the nearest
    folder from the project's up to the top that holds `.dvc`, else the top."""
    real_top = Path(os.path.realpath(top))
    folder = Path(os.path.realpath(root))
    while True:
        if os.path.isdir(folder / ".dvc") and not os.path.islink(folder / ".dvc"):
            break
        if folder == real_top or folder.parent == folder:
            folder = real_top
            break
        folder = folder.parent
    relative = os.path.relpath(folder, real_top).replace(os.sep, "/")
    return "" if relative == "." else f"{relative}/"


# --- git -------------------------------------------------------------------------------------


def _git(top: Path, args: Sequence[str], stdin: bytes | None = None) -> bytes:
    try:
        done = run_git(top, *args, stdin=stdin, literal_paths=True)
    except GitUnavailable as exc:
        raise TrackerError(f"cannot read the DVC experiments in {top}: {exc}") from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise TrackerError(
            f"git could not read the DVC experiments in {top}: "
            f"{problem[-1][:300] if problem else f'exit status {done.returncode}'}"
        )
    return done.stdout


def _experiments(top: Path) -> list[_Experiment]:
    listed = _git(
        top, ["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)", "refs/exps/"]
    )
    found = []
    for line in listed.decode("utf-8", errors="replace").splitlines():
        commit, _, rest = line.partition(" ")
        kind, _, ref = rest.partition(" ")
        match = _EXPERIMENT_REF.fullmatch(ref)
        if kind == "commit" and match is not None:
            baseline = match.group(1) + match.group(2)
            found.append(_Experiment(ref, commit, baseline, match.group(3)))
    return found


def _read_objects(top: Path, names: Sequence[str]) -> dict[str, bytes]:
    """The contents of the objects `names` name (`<commit>` or `<commit>:<path>`) that exist,
    are commits or blobs and are at most MAX_BLOB_BYTES; each distinct object read once."""
    usable = [n for n in names if "\n" not in n and "\0" not in n]
    if not usable:
        return {}
    checked = _git(top, ["cat-file", "--batch-check"], "".join(f"{n}\n" for n in usable).encode())
    lines = checked.decode("utf-8", errors="replace").splitlines()
    if len(lines) != len(usable):
        raise TrackerError(f"git cat-file answered unexpectedly in {top}; is git too old?")
    objects: dict[str, str] = {}
    for name, line in zip(usable, lines, strict=True):
        fields = line.split(" ")
        known = len(fields) == 3 and fields[1] in ("blob", "commit") and fields[2].isdigit()
        if known and int(fields[2]) <= MAX_BLOB_BYTES:
            objects[name] = fields[0]
    distinct = list(dict.fromkeys(objects.values()))
    if not distinct:
        return {}
    batch = _git(top, ["cat-file", "--batch"], "".join(f"{o}\n" for o in distinct).encode())
    content: dict[str, bytes] = {}
    at = 0
    for object_id in distinct:
        end = batch.find(b"\n", at)
        header = batch[at:end].split(b" ") if end >= 0 else []
        if len(header) != 3 or not header[2].isdigit():
            raise TrackerError(f"git cat-file answered unexpectedly in {top}; is git too old?")
        size = int(header[2])
        content[object_id] = batch[end + 1 : end + 1 + size]
        at = end + 1 + size + 1  # the content is followed by a newline
    return {name: content[object_id] for name, object_id in objects.items()}


def _read_commit(experiment: _Experiment, raw: bytes | None) -> None:
    """The commit's message and committer time into `experiment`."""
    if raw is None:
        return
    headers, _, message = raw.partition(b"\n\n")
    experiment.message = message.decode("utf-8", errors="replace")[:MAX_TEXT]
    for line in headers.split(b"\n"):
        if line.startswith(b"committer "):
            fields = line.rsplit(b" ", 2)
            if len(fields) == 3 and fields[1].isdigit():
                experiment.time = float(fields[1])


def _run_ids(experiments: Sequence[_Experiment]) -> list[str]:
    """Each experiment's id: its name; for a name several baselines share, the oldest keeps
    the name and the others get NAME@BASELINE."""
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for experiment in sorted(experiments, key=lambda e: (e.time or 0.0, e.ref)):
        run_id = experiment.name
        if run_id in taken:
            run_id = f"{experiment.name}@{experiment.baseline[:7]}"
        taken.add(run_id)
        ids[experiment.ref] = run_id
    return [ids[e.ref] for e in experiments]


# --- the files -------------------------------------------------------------------------------


def _parse(content: bytes, path: str) -> Any:
    """A JSON or YAML file's data; None when it is neither or does not parse."""
    try:
        if path.endswith(".json"):
            return json.loads(content)
        if path.endswith((".yaml", ".yml")):
            return yaml.load(content, Loader=SafeLoader)
    except (ValueError, yaml.YAMLError, RecursionError):
        return None
    return None


def _declared_files(pipeline: bytes, prefix: str) -> list[str]:
    """The metrics files a dvc.yaml names (top-level `metrics:` and each stage's), as paths in
    the repository; a path with a template (`${...}`) or leaving the project is left out."""
    data = _parse(pipeline, "dvc.yaml")
    if not isinstance(data, dict):
        return []
    entries: list[Any] = []
    if isinstance(data.get("metrics"), list):
        entries.extend(data["metrics"])
    stages = data.get("stages")
    if isinstance(stages, dict):
        for stage in list(stages.values())[:MAX_KEYS]:
            if isinstance(stage, dict) and isinstance(stage.get("metrics"), list):
                entries.extend(stage["metrics"])
    files = []
    for entry in entries[:MAX_KEYS]:
        name = next(iter(entry), None) if isinstance(entry, dict) else entry
        if not isinstance(name, str) or "${" in name or name.startswith("/"):
            continue
        path = posixpath.normpath(name)
        if path.startswith("../") or path == ".." or not path.endswith((".json", ".yaml", ".yml")):
            continue
        files.append(prefix + path)
    return files


def _params(content: bytes | None, path: str) -> dict[str, str]:
    data = _parse(content, path) if content else None
    if not isinstance(data, dict):
        return {}
    return dict(sorted((key, param_text(value)) for key, value in flatten(data)))


def _metrics(content: bytes | None, path: str) -> dict[str, float]:
    data = _parse(content, path) if content else None
    return metric_values(data) if isinstance(data, dict) else {}
