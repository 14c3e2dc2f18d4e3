"""Weights & Biases runs, read from the run folders in `wandb/`, never written.

W&B names each run's folder `run-YYYYMMDD_HHMMSS-ID` (`offline-run-...` for a run made with
WANDB_MODE=offline), the time being the local time of the machine that ran it. Offline, W&B
writes only its binary log (`run-ID.wandb`), which is not read: such a run is known by its id
(also its name), its start (the folder's time, read in this machine's zone) and its folder.
When the folder holds W&B's readable files they add to that: files/wandb-metadata.json (the
start, in UTC), files/wandb-summary.json (the latest value of each metric, and the runtime,
which gives the end) and files/config.yaml (the config, as params; a `mlpl.experiment` key in
it links the run like an MLflow tag). None of them says how a run ended: the status is
UNKNOWN. Links in the folder are never followed and every file is read within a bound.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import yaml

from mlpl_tui.errors import UsageError
from mlpl_tui.runs import (
    EXPERIMENT_TAG,
    Run,
    flatten,
    is_folder,
    metric_values,
    number,
    param_text,
    tag_of,
    utc,
)
from mlpl_tui.safe_io import read_regular_file
from mlpl_tui.yaml_loader import SafeLoader

MAX_FILE_BYTES = 1 << 20  # a metadata, summary or config file; a larger one is not read
STATUS = "UNKNOWN"
_FOLDER = re.compile(r"(offline-)?run-([0-9]{8}_[0-9]{6})-([A-Za-z0-9_.-]+)")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})")


def read_wandb(folder: Path, where: str | None = None) -> list[Run]:
    """The runs in W&B's folder `folder` (`wandb/`); `where` names it in the runs (by default
    its name: each run's `where` is its own folder in it). A run resumed in several folders is
    one run: the newest folder is read, the oldest gives the start."""
    base = folder.name if where is None else where
    newest: dict[str, tuple[str, Run]] = {}
    first_start: dict[str, str | None] = {}
    try:
        with os.scandir(folder) as entries:
            listed = [
                (entry.name, match)
                for entry in entries
                if (match := _FOLDER.fullmatch(entry.name)) is not None
                and entry.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return []
    for name, match in listed:
        run = _run(folder / name, f"{base}/{name}", match)
        stamp = match.group(2)
        earlier = first_start.get(run.id)
        if run.id not in first_start or (run.started_at or "") < (earlier or "~"):
            first_start[run.id] = run.started_at
        if run.id not in newest or stamp > newest[run.id][0]:
            newest[run.id] = (stamp, run)
    runs = []
    for run_id, (_, run) in newest.items():
        start = first_start.get(run_id)
        runs.append(run if start == run.started_at else _with_start(run, start))
    return runs


def _with_start(run: Run, start: str | None) -> Run:
    return Run(
        run.tool,
        run.id,
        run.name,
        run.status,
        start,
        run.ended_at,
        run.params,
        run.metrics,
        run.tagged,
        run.where,
    )


def _run(path: Path, where: str, match: re.Match[str]) -> Run:
    run_id = match.group(3)
    started = _folder_time(match.group(2))
    files = path / "files"
    readable = is_folder(files)  # not a link: reading through one could leave the project
    metadata = _json(files / "wandb-metadata.json") if readable else {}
    started = _iso_seconds(metadata.get("startedAt")) or started
    summary = _json(files / "wandb-summary.json") if readable else {}
    runtime = _runtime(summary)
    config = _config(files / "config.yaml") if readable else {}
    metrics = metric_values({k: v for k, v in summary.items() if not str(k).startswith("_")})
    params = {
        key: param_text(value)
        for key, value in flatten({k: v for k, v in config.items() if not str(k).startswith("_")})
    }
    return Run(
        tool="wandb",
        id=run_id,
        name=run_id,
        status=STATUS,
        started_at=utc(started),
        ended_at=utc(started + runtime) if started is not None and runtime is not None else None,
        params=dict(sorted(params.items())),
        metrics=dict(sorted(metrics.items())),
        tagged=tag_of(config.get(EXPERIMENT_TAG)),
        where=where,
    )


def _folder_time(stamp: str) -> float | None:
    """The folder's time (this machine's local time, as W&B wrote it) in seconds, or None."""
    try:
        return time.mktime(time.strptime(stamp, "%Y%m%d_%H%M%S"))
    except (ValueError, OverflowError):
        return None


def _iso_seconds(value: object) -> float | None:
    """An ISO-8601 time W&B wrote (in UTC) in seconds, or None."""
    match = _ISO.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    try:
        return float(calendar.timegm((*(int(x) for x in match.groups()), 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def _runtime(summary: dict[str, Any]) -> float | None:
    inner = summary.get("_wandb")
    for value in (
        inner.get("runtime") if isinstance(inner, dict) else None,
        summary.get("_runtime"),
    ):
        seconds = number(value)
        if seconds is not None and seconds >= 0:
            return seconds
    return None


def _read(path: Path) -> bytes | None:
    try:
        return read_regular_file(path, MAX_FILE_BYTES, follow=False)
    except UsageError:
        return None


def _json(path: Path) -> dict[str, Any]:
    content = _read(path)
    if content is None:
        return {}
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _config(path: Path) -> dict[str, Any]:
    """files/config.yaml: each key's `value` (W&B writes `KEY: {value: ..., desc: ...}`)."""
    content = _read(path)
    if content is None:
        return {}
    try:
        data = yaml.load(content, Loader=SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(key): value["value"] if isinstance(value, dict) and "value" in value else value
        for key, value in data.items()
    }
