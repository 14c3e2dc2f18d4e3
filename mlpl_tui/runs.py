"""Runs found in the trackers beside a project (MLflow, DVC, Weights & Biases), read-only.

A `Run` is what one tracker says of one run; each reader (runs_mlflow, runs_dvc, runs_wandb)
turns its tool's files into runs without importing the tool, and never writes to its store.
`find_runs` asks every reader that applies. A store that cannot be read (locked, corrupt, not
what it claims) is a `TrackerError` naming the file and what to do.

Where the stores are looked for (never by walking the project's tree):

- MLflow: `mlflow.db` (SQLite) and `mlruns/` (file store) in the project's folder, and
  `$MLFLOW_TRACKING_URI` when it is a `sqlite:///PATH` or `file:` URI or a plain path (a
  relative one from the current directory); another scheme (a server) is not read.
- DVC: the experiment refs `refs/exps/...` of the git repository the project is in.
- W&B: the run folders in `wandb/` in the project's folder.

A store in the project that is a symbolic link leading out of it is never read (a branch may
have planted it); `$MLFLOW_TRACKING_URI` is the user's own and may point anywhere.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mlpl_tui.errors import UsageError

TOOLS = ("mlflow", "dvc", "wandb")
EXPERIMENT_TAG = "mlpl.experiment"  # a run tagged with an experiment's id is linked to it
MAX_METRICS = 50  # metrics a snapshot keeps when mlpl.yaml names none


class TrackerError(UsageError):
    """A tracker's store cannot be read; the message names it and what to do."""


@dataclass(frozen=True)
class Run:
    """One run as its tracker records it.

    `ref` (`tool:id`) is how the project names it; times are UTC ISO-8601 to the second (None
    when the tracker has none); `metrics` holds each metric's latest value; `tagged` is the
    experiment id a `mlpl.experiment` tag (or a DVC message) names, if any; `where` is the
    store it was read from, relative to the project when inside it.
    """

    tool: str
    id: str
    name: str
    status: str
    started_at: str | None
    ended_at: str | None
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tagged: str | None = None
    where: str = ""

    @property
    def ref(self) -> str:
        return f"{self.tool}:{self.id}"


@dataclass(frozen=True)
class Found:
    """What `read_stores` found: the runs, newest first; the tools whose store was read (a
    linked run of one of these that is not among `runs` is gone from its store); and stores
    that were there but left unread, each with the reason (a link out of the project)."""

    runs: list[Run]
    tools: tuple[str, ...]
    skipped: tuple[str, ...] = ()


def find_runs(root: Path, source: str = "auto", env: Mapping[str, str] | None = None) -> list[Run]:
    """The runs in the trackers' stores near the project in `root`, newest first.

    `source` is `auto` (every tracker whose files are there) or one tool; a tool asked for by
    name whose store is not there is a TrackerError saying where it was looked for. `env` (by
    default the process's) gives $MLFLOW_TRACKING_URI.
    """
    return read_stores(root, source, env).runs


def read_stores(root: Path, source: str = "auto", env: Mapping[str, str] | None = None) -> Found:
    """`find_runs` with what was read and what was left unread (see `Found`)."""
    if source != "auto" and source not in TOOLS:
        raise TrackerError(f"unknown source '{source}': use auto, {', '.join(TOOLS)}")
    environment = os.environ if env is None else env
    root = root.absolute()
    named = source != "auto"
    runs: list[Run] = []
    tools: list[str] = []
    skipped: list[str] = []
    for tool in TOOLS if source == "auto" else (source,):
        read = _READERS[tool](root, environment, named, skipped)
        if read is not None:
            runs.extend(read)
            tools.append(tool)
    runs.sort(key=_age)
    runs.reverse()
    return Found(runs, tuple(tools), tuple(skipped))


def _age(run: Run) -> tuple[str, str]:
    return (run.started_at or run.ended_at or "", run.ref)


# --- where the stores are --------------------------------------------------------------------


def in_project(root: Path, name: str, skipped: list[str]) -> Path | None:
    """`root / name` when it exists and its real location stays in the project, else None;
    a link leading out is noted in `skipped`."""
    path = root / name
    if not os.path.lexists(path):
        return None
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    if os.path.commonpath([real, real_root]) != real_root:
        skipped.append(f"{path} is a link leading out of the project (to {real}); not read")
        return None
    return path


def is_folder(path: Path) -> bool:
    """True when `path` is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def where(path: Path, root: Path) -> str:
    """`path` as a run's `where`: relative to the project when inside it, else absolute."""
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return str(path.absolute())


def tracking_uri_store(uri: str, cwd: Path | None = None) -> tuple[str, Path] | None:
    """The local store `$MLFLOW_TRACKING_URI` names: ("sqlite", file) or ("file", folder), or
    None for a server or a scheme that is not a local file."""
    text = uri.strip()
    if not text or "\0" in text:
        return None
    base = cwd or Path.cwd()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path (SQLAlchemy's URLs); a query
        # (?mode=...) is SQLAlchemy's business, not part of the path.
        body = text[len("sqlite:") :].split("?", 1)[0]
        if not body.startswith("///") or body == "///" or body.startswith("///:memory:"):
            return None
        return "sqlite", base / unquote(body[3:])
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            return None
        return "file", base / unquote(parts.path)
    if scheme and len(scheme) > 1:  # http(s), databricks, postgresql, ...: a server
        return None
    if text in _REMOTE_NAMES:
        return None
    return "file", base / text  # a plain path is a file store to MLflow


# MLflow's names for Databricks' tracking servers, which are not paths.
_REMOTE_NAMES = ("databricks", "databricks-uc", "uc")


# --- the readers, as find_runs calls them ------------------------------------------------------

_Reader = Callable[[Path, Mapping[str, str], bool, list[str]], "list[Run] | None"]


def _mlflow(
    root: Path, env: Mapping[str, str], named: bool, skipped: list[str]
) -> list[Run] | None:
    from mlpl_tui.runs_mlflow import read_file_store, read_sqlite

    stores: list[tuple[str, Path]] = []
    uri = env.get("MLFLOW_TRACKING_URI", "")
    unread_uri = ""
    if uri.strip():
        located = tracking_uri_store(uri)
        if located is None:
            unread_uri = f"$MLFLOW_TRACKING_URI is not a local store ({uri.strip()[:80]!r})"
        elif os.path.exists(located[1]):
            stores.append(located)
        else:
            unread_uri = f"$MLFLOW_TRACKING_URI names {located[1]}, which does not exist"
    for kind, name in (("sqlite", "mlflow.db"), ("file", "mlruns")):
        path = in_project(root, name, skipped)
        if path is not None:
            stores.append((kind, path))
    seen: set[str] = set()
    runs: list[Run] = []
    read = False
    for kind, path in stores:
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        if kind == "sqlite" and os.path.isdir(path):
            continue  # a folder named mlflow.db is no SQLite store
        if kind == "file" and not os.path.isdir(path):
            continue
        reader = read_sqlite if kind == "sqlite" else read_file_store
        runs.extend(reader(path, where(path, root)))
        read = True
    if read:
        return runs
    if named:
        notes = [x for x in (unread_uri, *skipped) if x]
        raise TrackerError(
            f"no MLflow store found: looked for mlflow.db and mlruns/ in {root} and for "
            "$MLFLOW_TRACKING_URI (a sqlite:/// or file: URI)"
            + (f"; {'; '.join(notes)}" if notes else "")
        )
    return None


def _dvc(root: Path, env: Mapping[str, str], named: bool, skipped: list[str]) -> list[Run] | None:
    from mlpl_tui.runs_dvc import read_dvc, repository

    if repository(root) is None:
        if named:
            raise TrackerError(
                f"no DVC experiments: {root} is not in a git repository (DVC keeps its "
                "experiments as git refs, refs/exps/...)"
            )
        return None
    try:
        return read_dvc(root)
    except TrackerError as exc:
        if named:
            raise
        skipped.append(f"DVC experiments not read: {exc}")
        return None  # git cannot be run: in auto, the other trackers still are read


def _wandb(root: Path, env: Mapping[str, str], named: bool, skipped: list[str]) -> list[Run] | None:
    from mlpl_tui.runs_wandb import read_wandb

    folder = in_project(root, "wandb", skipped)
    if folder is None or not os.path.isdir(folder):
        if named:
            raise TrackerError(
                f"no W&B runs: there is no wandb/ folder in {root}"
                + (f" ({skipped[-1]})" if skipped and "wandb" in skipped[-1] else "")
            )
        return None
    return read_wandb(folder)


_READERS: dict[str, _Reader] = {"mlflow": _mlflow, "dvc": _dvc, "wandb": _wandb}


# --- shared by the readers ---------------------------------------------------------------------

MAX_TEXT = 10_000  # characters kept of a run's name, a param's value or a tag
MAX_KEYS = 2_000  # params or metrics of one run read at most
MAX_DEPTH = 10  # nesting of a params or metrics file flattened to dotted keys
_TAG_IN_TEXT = re.compile(re.escape(EXPERIMENT_TAG) + r"\s*=\s*([^\s,;]+)")


def utc(seconds: float | None) -> str | None:
    """Seconds since the epoch as UTC ISO-8601 to the second; None for none or nonsense."""
    if seconds is None or not math.isfinite(seconds) or not 0 <= seconds < 253402300800:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def utc_ms(milliseconds: object) -> str | None:
    """MLflow's times (milliseconds since the epoch) as `utc` gives them."""
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, (int, float)):
        return None
    return utc(milliseconds / 1000)


def tag_of(value: object) -> str | None:
    """The experiment id a `mlpl.experiment` tag holds (stripped), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()[:MAX_TEXT]
    return text or None


def tag_in_text(text: str) -> str | None:
    """The experiment id named as `mlpl.experiment=ID` in a message, or None."""
    match = _TAG_IN_TEXT.search(text)
    return match.group(1)[:MAX_TEXT] if match else None


def number(value: object) -> float | None:
    """A metric's value as a float (NaN and infinity kept), or None when it is not a number
    (a bool, a text, an integer too large for a float)."""
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return None
    return None


def flatten(data: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    """Nested mappings as dotted keys (`model.depth`), as `dvc exp show` names them; at most
    MAX_KEYS leaves, MAX_DEPTH levels and a bounded number of entries looked at (YAML aliases
    can make a small file a huge tree)."""
    leaves: list[tuple[str, Any]] = []
    pending: list[tuple[str, Mapping[Any, Any], int]] = [("", data, 0)]
    budget = 4 * MAX_KEYS
    while pending and len(leaves) < MAX_KEYS and budget > 0:
        prefix, mapping, depth = pending.pop(0)
        for key, value in mapping.items():
            budget -= 1
            if budget < 0 or len(leaves) >= MAX_KEYS:
                break
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                if depth < MAX_DEPTH:
                    pending.append((f"{name}.", value, depth + 1))
            else:
                leaves.append((name, value))
    return leaves


def param_text(value: Any) -> str:
    """A param's value as text: a text as it is, anything else as JSON writes it, cut short
    after MAX_TEXT characters (a list built of YAML aliases may be huge)."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    parts: list[str] = []
    _render(value, parts, [MAX_TEXT], 0)
    text = "".join(parts)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _render(value: Any, parts: list[str], left: list[int], depth: int) -> None:
    if left[0] <= 0:
        return
    if depth > MAX_DEPTH and isinstance(value, (Mapping, list, tuple)):
        parts.append("…")
        left[0] -= 1
        return
    if isinstance(value, Mapping):
        items: Iterable[Any] = value.items()
        opening, closing = "{", "}"
    elif isinstance(value, (list, tuple)):
        items, opening, closing = value, "[", "]"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
        parts.append(text)
        left[0] -= len(text)
        return
    parts.append(opening)
    left[0] -= 1
    for number_, item in enumerate(items):
        if left[0] <= 0:
            return
        if number_:
            parts.append(", ")
            left[0] -= 2
        if isinstance(value, Mapping):
            key, item = item
            text = json.dumps(str(key), ensure_ascii=False) + ": "
            parts.append(text)
            left[0] -= len(text)
        _render(item, parts, left, depth + 1)
    parts.append(closing)
    left[0] -= 1


def metric_values(data: Mapping[Any, Any]) -> dict[str, float]:
    """The numbers in a (nested) metrics mapping, by dotted key; texts and bools left out."""
    metrics = {}
    for key, value in flatten(data):
        converted = number(value)
        if converted is not None:
            metrics[key] = converted
    return metrics
