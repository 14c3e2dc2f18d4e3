"""Tracker runs as text: a linked run's line, an experiment's best metrics, a found run's row.

Run names, statuses, metric names and param values come from a tracker's store or from a
branch's mlpl.json: every one goes through `clip` (cleaned, bounded) and into a Rich `Text`,
never markup. Numbers are shown to four significant digits, as `mlpl-tui runs` shows them.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from mlpl_tui.framework import Framework, MetricSpec
from mlpl_tui.model import Project, RunLink
from mlpl_tui.run_links import best_metrics, tracked_metrics
from mlpl_tui.runs import Run
from mlpl_tui.widgets.text import clip
from mlpl_tui.wording import plural, shown_time

NAME_WIDTH = 24  # characters of a run's or a metric's name in a row before it is cut
ROW_METRICS = 3  # metrics a found run's row shows


def number(value: float | None) -> str:
    """A metric's value: four significant digits; `-` for none (NaN, infinity, not recorded)."""
    return "-" if value is None else f"{value:.4g}"


def short(text: str, width: int = NAME_WIDTH) -> str:
    """Stored text on one line, cut to `width` characters with `…`."""
    line = clip(text)
    return line if len(line) <= width else line[: width - 1] + "…"


def link_line(link: RunLink) -> str:
    """`mlflow  baseline-lr  FINISHED  2026-03-01 11:00  3f2a…`, `(gone)` when it left its
    store (the snapshot stands)."""
    started = shown_time(link.started_at, "no start")
    line = f"{link.tool:<6} {short(link.name or '(no name)', 20):<20}  {short(link.status, 9):<9}"
    line += f"  {started}  {short(link.run_id, 8)}"
    if link.gone:
        line += "  (gone: snapshot kept)"
    return line


def metric_pairs(metrics: Mapping[str, float | None], limit: int | None = None) -> str:
    """`accuracy 0.912 · rmse 0.31`: names cut short, at most `limit`, then how many more."""
    names = list(metrics)
    shown = names if limit is None else names[:limit]
    line = " · ".join(f"{short(name)} {number(metrics[name])}" for name in shown)
    if len(shown) < len(names):
        line += f" · {len(names) - len(shown)} more"
    return line


def compact_best(project: Project, framework: Framework, experiment_id: str) -> str:
    """What an experiment's row says of its runs: `2 runs, auc 0.912` ('' with none)."""
    links = project.runs_of(experiment_id)
    if not links:
        return ""
    best = best_metrics(project, framework, experiment_id)
    if not best:
        return plural(len(links), "run")
    name = next(iter(best))
    return f"{plural(len(links), 'run')}, {short(name, 16)} {number(best[name])}"


def best_line(project: Project, framework: Framework, experiment_id: str) -> str:
    """`auc 0.842 (max) · log_loss 0.409 (min)`: the best of each tracked metric by its goal."""
    best = best_metrics(project, framework, experiment_id)
    goals = {s.name: s.goal for s in tracked_metrics(project, framework, [experiment_id])}
    return " · ".join(
        f"{short(name)} {number(value)} ({goals.get(name, '?')})" for name, value in best.items()
    )


def runs_section(
    project: Project, framework: Framework, experiment_id: str, *, each_run: bool = False
) -> Text:
    """The experiment's best value of each tracked metric (by its goal: `max` higher is
    better, `min` lower), then its linked runs, for a pane.

    With `each_run`, every run's own metrics follow its line (the abandon dialog).
    """
    links = project.runs_of(experiment_id)
    text = Text()
    if not links:
        text.append(f"{'Runs:':<12}", style="bold")
        text.append("none linked: l links runs found near the project")
        return text
    text.append(f"{'Best:':<12}", style="bold")
    text.append(best_line(project, framework, experiment_id) or "no metric in these runs")
    text.append(f"\n{'Runs:':<12}", style="bold")
    gone = sum(1 for link in links if link.gone)
    text.append(f"{len(links)} linked" + (f" ({gone} gone)" if gone else ""))
    for link in links:
        text.append("\n  " + link_line(link))
        if each_run:
            pairs = metric_pairs(link.metric_values)
            text.append("\n      " + (pairs or "no metrics captured"))
    return text


def found_row(run: Run, note: str = "") -> str:
    """A found run in the link picker: tool, name, status, start, a few metrics, a note."""
    started = shown_time(run.started_at, "no start")
    line = f"{run.tool:<6} {short(run.name or run.id, 20):<20} {short(run.status, 9):<9} {started}"
    if note:
        line += f"  {note}"
    pairs = metric_pairs(dict(run.metrics), ROW_METRICS) if run.metrics else ""
    if pairs:
        line += f"  {pairs}"
    return line


def found_detail(run: Run) -> Text:
    """A found run in full below the picker: ref, where, times, metrics, params."""
    text = Text()
    text.append(clip(run.ref), style="bold")
    line = f"{run.name or '(no name)'} · {run.status} · from {run.where or '?'}"
    line += f" · {shown_time(run.started_at, 'no start')} → {shown_time(run.ended_at, '…')}"
    text.append("\n" + clip(line))
    for label, values in (("metrics", _texts(run.metrics)), ("params", _texts(run.params))):
        if values:
            text.append(f"\n{label}: ", style="bold")
            text.append(clip(" · ".join(f"{k} {v}" for k, v in values)))
    return text


def _texts(values: Mapping[str, object]) -> list[tuple[str, str]]:
    return [
        (short(str(k)), number(v) if isinstance(v, float | int) else short(str(v), 40))
        for k, v in values.items()
    ]


def goal_word(spec: MetricSpec) -> str:
    """`↑ max` / `↓ min`: the arrow and the word, so it reads without colour."""
    return "↑ max" if spec.goal == "max" else "↓ min"
