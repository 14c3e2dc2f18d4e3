"""The command line for tracker runs: `runs` lists those found near the project and the
experiment each is linked to, links the tagged ones; `runs refresh` updates the snapshots.

The trackers' stores are only read (mlpl_tui.runs); what is linked lives in the state file
(mlpl_tui.run_links). Every text a tracker or the state file holds is printed through the
sanitiser; `--json` output is exact.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlpl_tui.runs import TOOLS
from mlpl_tui.sanitize import clean, json_text
from mlpl_tui.wording import plural, shown_time, truncate

if TYPE_CHECKING:
    from mlpl_tui.cli import Session
    from mlpl_tui.framework import Framework
    from mlpl_tui.runs import Found, Run

Command = Callable[[str, str], argparse.ArgumentParser]

SOURCES = ("auto", *TOOLS)
KEY_METRICS = 3  # metrics a listed run shows
# Widths of the listed columns (text longer than its column is cut, with an ellipsis).
_REF, _NAME, _STATUS, _METRIC = 40, 24, 9, 18


def add_parser(command: Command, common: argparse.ArgumentParser) -> None:
    """The `runs` command and its `refresh` action."""
    p = command("runs", "runs found in the trackers near the project, and what they are linked to")
    _source_option(p, "auto")
    p.add_argument("--unlinked", action="store_true", help="only runs not linked to an experiment")
    p.add_argument("--json", action="store_true", help="machine-readable output, every field")
    p.add_argument(
        "--link-tagged",
        action="store_true",
        help="link each run tagged mlpl.experiment=<experiment id> to that experiment",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    refresh = sub.add_parser(
        "refresh",
        parents=[common],
        help="read the stores again: update the snapshots of linked runs, mark gone ones",
        description="read the stores again: update the snapshots of linked runs, mark gone ones",
    )
    _source_option(refresh, argparse.SUPPRESS)


def _source_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default=default,
        help="where to look: auto (default: every tracker found), mlflow, dvc or wandb",
    )


def _find(session: Session, source: str) -> Found:
    """The runs in the stores near the project; stores left unread are said on stderr."""
    from mlpl_tui.runs import read_stores

    found = read_stores(project_root(session), source)
    for why in found.skipped:
        print(f"mlpl-tui: {clean(why)}", file=sys.stderr)
    return found


def project_root(session: Session) -> Path:
    """The project's folder: the state file's."""
    return session.path.absolute().parent


def cmd_runs(session: Session) -> int:
    a = session.args
    source = getattr(a, "source", "auto")
    if a.action == "refresh":
        return _refresh(session, source)
    if a.link_tagged:
        return _link_tagged(session, source)
    stores = _find(session, source)
    found = stores.runs
    project = session.load()
    linked = {link.id: link.experiment for link in project.run_links}
    runs = [r for r in found if r.ref not in linked] if a.unlinked else found
    if a.json:
        print(json_text([run_row(r, linked.get(r.ref)) for r in runs], indent=2))
        return 0
    if runs:
        framework = session.framework
        header = (
            f"{'REF':<{_REF}}  {'NAME':<{_NAME}}  {'STATUS':<{_STATUS}}  {'START':<16}  "
            f"{'END':<16}  {'METRICS':<{3 * _METRIC}}  EXPERIMENT"
        )
        # One write: thousands of runs each written on its own cost more than reading them.
        lines = (_run_line(framework, run, linked.get(run.ref)) for run in runs)
        print("\n".join([header, *lines]))
    else:
        print(_nothing_found(source, bool(found)))
    refs = {r.ref for r in found}
    missing = [x for x in project.run_links if x.id not in refs and x.tool in stores.tools]
    if missing:
        print(
            f"{plural(len(missing), 'linked run')} not found in the stores read; the project "
            "keeps their snapshots ('mlpl-tui runs refresh' marks them gone)"
        )
    return 0


def _nothing_found(source: str, any_found: bool) -> str:
    if any_found:
        return "every run found is linked to an experiment; 'mlpl-tui runs' lists them"
    where = {
        "auto": "an MLflow store (mlflow.db, mlruns/ or $MLFLOW_TRACKING_URI), DVC experiments "
        "(refs/exps) or W&B runs (wandb/)",
        "mlflow": "an MLflow store (mlflow.db, mlruns/ or $MLFLOW_TRACKING_URI)",
        "dvc": "DVC experiments (refs/exps in the repository)",
        "wandb": "W&B runs (wandb/ beside the project)",
    }[source]
    return f"no runs found: looked for {where}"


def _run_line(framework: Framework, run: Run, experiment: str | None) -> str:
    metrics = "  ".join(
        _cell(f"{name}={_number(value)}", _METRIC)
        for name, value in key_metrics(framework, run.metrics).items()
    )
    return (
        f"{_cell(run.ref, _REF)}  {_cell(run.name or '-', _NAME)}  "
        f"{_cell(run.status or '-', _STATUS)}  {shown_time(run.started_at, '-'):<16}  "
        f"{shown_time(run.ended_at, '-'):<16}  {metrics:<{3 * _METRIC}}  "
        f"{clean(experiment) if experiment else '-'}"
    ).rstrip()


def _cell(text: str, width: int) -> str:
    """A tracker's text as one cell: controls shown as escapes, cut to `width`, padded."""
    return f"{truncate(clean(text), width):<{width}}"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}"


def key_metrics(
    framework: Framework, metrics: Mapping[str, float | None], limit: int = KEY_METRICS
) -> dict[str, float | None]:
    """The metrics a run is shown with: those mlpl.yaml declares first, then the others by
    name, up to `limit`."""
    declared = [m.name for m in framework.experiment_metrics if m.name in metrics]
    rest = sorted(name for name in metrics if name not in declared)
    return {name: metrics[name] for name in [*declared, *rest][:limit]}


def _finite(value: Any) -> float | None:
    """A metric's value as JSON can hold it: NaN and infinity become null."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def run_row(run: Run, experiment: str | None) -> dict[str, Any]:
    """Every field of a run found, and the experiment it is linked to (None when unlinked)."""
    return {
        "ref": run.ref,
        "tool": run.tool,
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "params": dict(run.params),
        "metrics": {name: _finite(value) for name, value in run.metrics.items()},
        "tagged": run.tagged,
        "where": run.where,
        "experiment": experiment,
    }


def _link_tagged(session: Session, source: str) -> int:
    from mlpl_tui.run_links import link_tagged

    found = _find(session, source).runs
    change = session.change(lambda p, f, c: link_tagged(p, f, c, found))
    count = len(change.puts)
    project = session.load()
    unknown = [r for r in found if r.tagged and project.experiment(r.tagged.strip()) is None]
    print(f"{plural(count, 'tagged run')} linked" if count else "no tagged run to link")
    if unknown:
        tags = sorted({clean(truncate(r.tagged or "", 40)) for r in unknown})
        print(
            f"{plural(len(unknown), 'run')} tagged with an experiment this project does not "
            f"have ({', '.join(tags[:5])}{', …' if len(tags) > 5 else ''}); "
            "'mlpl-tui experiment list' shows the ids",
            file=sys.stderr,
        )
    return 0


def _refresh(session: Session, source: str) -> int:
    from mlpl_tui.run_links import refresh_snapshots

    # Only a store that was read can say a run is gone from it: a store that is not here (not
    # committed, not in this clone) leaves the snapshots of its runs as they are.
    stores = _find(session, source)
    session.change(lambda p, f, c: refresh_snapshots(p, f, c, stores.runs, tools=stores.tools))
    return 0
