"""Experiments linked to the tracker runs that tested them: the rules and the figures.

A linked run is stored (table `runs`, keyed by its ref `tool:id`) with a snapshot of what its
tracker said of it: tracker stores are rarely committed, so the snapshot is what the project
keeps. The rules are pure like the lifecycle's: they take the runs the readers found
(mlpl_tui.runs.find_runs) and return one `Change`; reading the trackers is the caller's work.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import Framework, MetricSpec, guess_goal
from mlpl_tui.lifecycle import Context, brief, find_record
from mlpl_tui.model import Change, Experiment, Project, Put, Remove, RunLink
from mlpl_tui.records import RUN_SNAPSHOT_FIELDS
from mlpl_tui.runs import MAX_METRICS, TOOLS, Run
from mlpl_tui.wording import plural

MAX_PARAMS = 100  # params a snapshot keeps, by name
MAX_VALUE = 1000  # characters of a param's value (and of a run's name) a snapshot keeps
MAX_NAME = 250  # characters of a param's or a metric's name (MLflow allows 250)
SNAPSHOT_FIELDS = RUN_SNAPSHOT_FIELDS  # what a snapshot holds (records.RUN_SNAPSHOT_FIELDS)


# --- snapshots --------------------------------------------------------------------------------


def snapshot(framework: Framework, run: Run, now: str) -> dict[str, Any]:
    """The fields a linked run is stored with: what its tracker says of it now.

    Metrics are those mlpl.yaml names under `experiment_metrics` (the ones the run has), else
    every metric up to MAX_METRICS by name; numbers are floats, NaN and infinity null (JSON
    holds neither). Params are all of them up to MAX_PARAMS by name, each value cut to
    MAX_VALUE characters.
    """
    return {
        "tool": run.tool,
        "run_id": run.id,
        "name": _cut(run.name, MAX_VALUE),
        "status": _cut(run.status, MAX_NAME),
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "params": _params(run.params),
        "metrics": _metrics(framework, run.metrics),
        "where": _cut(run.where, MAX_VALUE),
        "captured_at": now,
        "gone": False,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _params(params: Mapping[str, str]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name in sorted(params):
        key = _cut(str(name), MAX_NAME)
        if key not in kept:
            kept[key] = _cut(str(params[name]), MAX_VALUE)
        if len(kept) == MAX_PARAMS:
            break
    return kept


def _metrics(framework: Framework, metrics: Mapping[str, float]) -> dict[str, float | None]:
    declared = framework.experiment_metrics
    names = [m.name for m in declared if m.name in metrics] if declared else sorted(metrics)
    kept: dict[str, float | None] = {}
    for name in names:
        key = _cut(str(name), MAX_NAME)
        if key in kept:
            continue
        try:
            kept[key] = _float(metrics[name])
        except ValueError:
            continue  # not a number: a reader's mistake, left out rather than stored
        if len(kept) == MAX_METRICS:
            break
    return kept


def _float(value: object) -> float | None:
    """A metric's value as stored: a float, None for NaN and infinity (JSON holds neither);
    a ValueError when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"not a number: {value!r:.40}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"not a number: {value!r:.40}") from None
    return number if math.isfinite(number) else None


def _changed_fields(link: RunLink, fresh: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot fields whose fresh value differs from the stored one (capture time aside)."""
    stored = {name: getattr(link, name) for name in SNAPSHOT_FIELDS}
    return {
        name: value
        for name, value in fresh.items()
        if name != "captured_at" and not _same(stored[name], value)
    }


def _same(a: Any, b: Any) -> bool:
    # 1 == 1.0 == True in Python; in the file they are three different values.
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


# --- finding --------------------------------------------------------------------------------------


def _experiment(project: Project, ref: str) -> Experiment:
    found: Experiment = find_record(project.experiments, ref, "experiment")
    return found


def _unique_runs(runs: Iterable[Run]) -> list[Run]:
    seen: dict[str, Run] = {}
    for run in runs:
        seen.setdefault(run.ref, run)
    return list(seen.values())


def _linked_elsewhere(link: RunLink, project: Project) -> str:
    other = project.experiment(link.experiment)
    title = f" ({brief(other.title)})" if other is not None else ""
    return f"run {brief(link.id)} is linked to experiment {brief(link.experiment)}{title}"


def find_link(project: Project, ref: str, experiment_id: str | None = None) -> RunLink:
    """A linked run by its ref (`tool:id`), or by a unique prefix of its ref or of its run id,
    among the runs of experiment `experiment_id` when given; a UsageError says what is not
    found."""
    text = ref.strip()
    exact = project.run_link(text)
    if exact is not None and experiment_id in (None, exact.experiment):
        return exact
    links = project.run_links if experiment_id is None else project.runs_of(experiment_id)
    matches = [x for x in links if text and (x.id.startswith(text) or x.run_id.startswith(text))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(brief(x.id) for x in matches[:5])
        raise UsageError(f"run '{brief(text)}' is ambiguous: give one of {names}")
    if exact is not None:
        raise UsageError(_linked_elsewhere(exact, project) + ", not to this one")
    where = "any experiment" if experiment_id is None else f"experiment {brief(experiment_id)}"
    raise UsageError(
        f"run '{brief(text)}' is not linked to {where}: 'mlpl-tui experiment list' shows the "
        "linked runs"
    )


def ref_tool(ref: str) -> str:
    """The tool a run's ref names (`mlflow:3f2a` -> `mlflow`); a UsageError for anything else."""
    tool, colon, id = ref.strip().partition(":")
    if not colon or tool not in TOOLS or not id:
        raise UsageError(
            f"'{brief(ref)}' does not name a run: write tool:id, e.g. mlflow:RUN_ID, dvc:NAME "
            "or wandb:ID ('mlpl-tui runs' lists the runs found)"
        )
    return tool


def select_runs(found: Sequence[Run], refs: Sequence[str]) -> list[Run]:
    """The runs `refs` name among those `found`: `tool:id`, where a unique prefix of the id is
    enough; a UsageError names a ref that is not found or is ambiguous."""
    chosen: list[Run] = []
    for ref in refs:
        tool = ref_tool(ref)
        text = ref.strip()
        exact = [r for r in found if r.ref == text]
        matches = exact or [r for r in found if r.tool == tool and r.ref.startswith(text)]
        if not matches:
            raise UsageError(
                f"no run '{brief(text)}' is found near the project: 'mlpl-tui runs' lists the "
                "runs it finds"
            )
        if len({r.ref for r in matches}) > 1:
            names = ", ".join(brief(r.ref) for r in matches[:5])
            raise UsageError(f"run '{brief(text)}' is ambiguous: give one of {names}")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


# --- rules ------------------------------------------------------------------------------------


def link_runs(
    project: Project,
    framework: Framework,
    ctx: Context,
    experiment_ref: str,
    runs: Sequence[Run],
    *,
    move: bool = False,
) -> Change:
    """Link `runs` to an experiment, each stored with a snapshot. A run linked to another
    experiment is refused, naming it, unless `move`; one linked to this experiment already is
    left as it is. Linking to an abandoned or kept experiment is allowed."""
    experiment = _experiment(project, experiment_ref)
    if not runs:
        raise UsageError("name at least one run to link: 'mlpl-tui runs' lists them")
    puts: list[Put | Remove] = []
    moved: list[str] = []
    for run in _unique_runs(runs):
        link = project.run_link(run.ref)
        if link is not None and link.experiment == experiment.id:
            continue
        if link is not None:
            if not move:
                raise RuleError(
                    f"{_linked_elsewhere(link, project)}; to link it to {experiment.id} "
                    "instead add --move"
                )
            moved.append(link.experiment)
        puts.append(_link_put(framework, ctx, experiment.id, run))
    if not puts:
        return Change("experiment.link", "", [], result=experiment.id)
    refs = ", ".join(brief(p.id) for p in puts[:3]) + (", …" if len(puts) > 3 else "")
    summary = f"Linked {plural(len(puts), 'run')} ({refs}) to experiment {experiment.id}"
    summary += f": {brief(experiment.title)}"
    if moved:
        summary += f" (moved from {', '.join(sorted(set(moved)))})"
    return Change("experiment.link", summary, puts, result=experiment.id)


def _link_put(framework: Framework, ctx: Context, experiment_id: str, run: Run) -> Put:
    fields = {
        "experiment": experiment_id,
        **snapshot(framework, run, ctx.now),
        "linked_at": ctx.now,
        "linked_by": ctx.who,
        **ctx.stamp(),
    }
    return Put("runs", run.ref, fields)


def unlink_runs(project: Project, ctx: Context, experiment_ref: str, refs: Sequence[str]) -> Change:
    """Unlink runs from an experiment; the history keeps each link whole (undo brings it back).

    Runs linked to an experiment that no longer exists (a merge, a hand edit) are unlinked by
    naming that experiment's id in full.
    """
    orphaned = experiment_ref.strip()
    if project.experiment(orphaned) is None and project.runs_of(orphaned):
        experiment_id, title = orphaned, "(missing)"
    else:
        experiment = _experiment(project, experiment_ref)
        experiment_id, title = experiment.id, brief(experiment.title)
    if not refs:
        raise UsageError("name at least one run to unlink")
    found: dict[str, RunLink] = {}
    for ref in refs:
        link = find_link(project, ref, experiment_id)
        found.setdefault(link.id, link)
    puts: list[Put | Remove] = [Remove("runs", id) for id in found]
    names = ", ".join(brief(id) for id in list(found)[:3]) + (", …" if len(found) > 3 else "")
    summary = (
        f"Unlinked {plural(len(found), 'run')} ({names}) from experiment "
        f"{brief(experiment_id)}: {title}"
    )
    return Change("experiment.unlink", summary, puts, result=experiment_id)


def refresh_snapshots(
    project: Project,
    framework: Framework,
    ctx: Context,
    found: Sequence[Run],
    *,
    tools: Collection[str] | None = None,
) -> Change:
    """Bring the snapshots of linked runs up to date with the runs `found` in the stores of
    `tools` (those that were read; by default the tools of the runs found): only changed fields
    are written; a linked run of those tools that is not found is marked gone (its snapshot is
    kept), and one found again is marked back. A run whose store was not read is left alone."""
    by_ref = {run.ref: run for run in found}
    if tools is None:
        tools = {run.tool for run in found}
    puts: list[Put | Remove] = []
    updated = gone = back = 0
    for link in project.run_links:
        run = by_ref.get(link.id)
        if run is None:
            if link.tool in tools and not link.gone:
                puts.append(Put("runs", link.id, {"gone": True, **ctx.stamp()}))
                gone += 1
            continue
        changed = _changed_fields(link, snapshot(framework, run, ctx.now))
        if not changed:
            continue
        if link.gone:
            back += 1
        else:
            updated += 1
        puts.append(Put("runs", link.id, {**changed, "captured_at": ctx.now, **ctx.stamp()}))
    if not puts:
        return Change("runs.refresh", "", [])
    parts = [
        f"{plural(n, 'run')} {what}"
        for n, what in ((updated, "updated"), (gone, "gone"), (back, "back"))
        if n
    ]
    return Change("runs.refresh", "Run snapshots refreshed: " + ", ".join(parts), puts)


def tagged(project: Project, found: Sequence[Run]) -> list[tuple[str, Run]]:
    """Unlinked runs whose tag (`mlpl.experiment`, or a DVC message) names an existing
    experiment, with that experiment's id, in the order found."""
    pairs: list[tuple[str, Run]] = []
    for run in _unique_runs(found):
        tag = (run.tagged or "").strip()
        if tag and project.experiment(tag) is not None and project.run_link(run.ref) is None:
            pairs.append((tag, run))
    return pairs


def link_tagged(
    project: Project, framework: Framework, ctx: Context, found: Sequence[Run]
) -> Change:
    """Link every unlinked run tagged with an existing experiment's id to it, in one change."""
    pairs = tagged(project, found)
    if not pairs:
        return Change("runs.link_tagged", "", [])
    puts: list[Put | Remove] = [_link_put(framework, ctx, id, run) for id, run in pairs]
    experiments = sorted({id for id, _ in pairs})
    summary = (
        f"Linked {plural(len(pairs), 'tagged run')} to "
        f"{plural(len(experiments), 'experiment')} ({', '.join(experiments[:5])}"
        f"{', …' if len(experiments) > 5 else ''})"
    )
    return Change("runs.link_tagged", summary, puts)


# --- figures ----------------------------------------------------------------------------------


def tracked_metrics(
    project: Project, framework: Framework, experiment_ids: Iterable[str]
) -> list[MetricSpec]:
    """The metrics experiments are compared on: those mlpl.yaml declares, else every metric
    the experiments' runs have, by name, each with the goal its name suggests."""
    if framework.experiment_metrics:
        return list(framework.experiment_metrics)
    names = {
        name
        for id in experiment_ids
        for link in project.runs_of(id)
        for name, value in link.metric_values.items()
        if value is not None
    }
    return [MetricSpec(name, guess_goal(name)) for name in sorted(names)]


def better(goal: str, a: float, b: float) -> bool:
    """True when `a` is strictly better than `b` for `goal` (`max` or `min`)."""
    return a < b if goal == "min" else a > b


def best_metrics(project: Project, framework: Framework, experiment_id: str) -> dict[str, float]:
    """The best value of each tracked metric over the experiment's linked runs (gone ones
    too: their snapshots stand), by the metric's goal; metrics no run has are left out."""
    best: dict[str, float] = {}
    captured = [link.metric_values for link in project.runs_of(experiment_id)]
    for spec in tracked_metrics(project, framework, [experiment_id]):
        for metrics in captured:
            value = metrics.get(spec.name)
            if value is None:
                continue
            if spec.name not in best or better(spec.goal, value, best[spec.name]):
                best[spec.name] = value
    return best


@dataclass(frozen=True)
class ComparisonRow:
    """One metric across the compared experiments: each one's best value (None: no run has
    it), and the indices of the best cells (ties all marked; none when no value)."""

    metric: str
    goal: str
    values: tuple[float | None, ...]
    best: tuple[int, ...]


@dataclass(frozen=True)
class Comparison:
    """Experiments side by side: columns are `experiments`, rows are metrics; `baseline` is
    the index of the column the others are read against (the first kept experiment, else the
    first given)."""

    experiments: tuple[Experiment, ...]
    baseline: int
    rows: tuple[ComparisonRow, ...]

    @property
    def baseline_experiment(self) -> Experiment:
        return self.experiments[self.baseline]


def comparison(project: Project, framework: Framework, experiment_ids: Sequence[str]) -> Comparison:
    """The experiments' best metrics side by side (an id may be a unique prefix)."""
    experiments: list[Experiment] = []
    for ref in experiment_ids:
        found = _experiment(project, ref)
        if found not in experiments:
            experiments.append(found)
    if not experiments:
        raise UsageError("name the experiments to compare")
    baseline = next((i for i, e in enumerate(experiments) if e.status == "kept"), 0)
    bests = [best_metrics(project, framework, e.id) for e in experiments]
    rows = []
    for spec in tracked_metrics(project, framework, [e.id for e in experiments]):
        values = tuple(b.get(spec.name) for b in bests)
        present = [v for v in values if v is not None]
        top: float | None = None
        for value in present:
            if top is None or better(spec.goal, value, top):
                top = value
        marked = tuple(i for i, v in enumerate(values) if v is not None and v == top)
        rows.append(ComparisonRow(spec.name, spec.goal, values, marked))
    return Comparison(tuple(experiments), baseline, tuple(rows))
