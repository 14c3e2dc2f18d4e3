"""The plan: an effort estimate per stage (and, optionally, per module), and the plan against
what was logged.

An estimate is a record of the `plans` table keyed by the stage's or the module's id. Setting
one is a change like any other: the history keeps the value it replaced and undo puts it back.

A stage's estimate is its own plan when one is set, else the sum of its modules' plans (none
when neither is set). Actual effort is every minute logged on the stage (or on the module),
rework included; the rework share follows figures.REWORK_DEFINITION.

Durations: `45m`, `2h`, `1h30m`, `1.5h` as `log` takes them, and days: `5d` is five working
days of 8 hours (`WORKING_DAY`), `2d4h` two days and a half. Weeks are not taken: write `10d`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlpl_tui.errors import UsageError
from mlpl_tui.figures import Effort, first_iterations, is_rework, stage_title
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project, Put
from mlpl_tui.progress import format_minutes

WORKING_DAY = 8 * 60  # minutes in the day `5d` counts
MAX_PLAN_MINUTES = 1000 * WORKING_DAY  # bounds a typo, not a project
_PLAN_DURATION = re.compile(
    r"^(?:(?P<d>\d{1,6}(?:\.\d{1,4})?)d)?(?:(?P<h>\d{1,7}(?:\.\d{1,4})?)h)?(?:(?P<m>\d{1,9})m)?$"
)


def parse_plan_duration(text: str) -> int:
    """Minutes in an estimate: `5d` (working days of 8 h), `2d4h`, `40h`, `1h30m`, `90m`."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _PLAN_DURATION.match(cleaned)
    if not cleaned or match is None:
        raise UsageError(
            f"duration '{text}' is not understood: write it like 5d (working days of 8h), "
            "2d4h, 40h, 1h30m or 90m"
        )
    minutes = round(
        float(match["d"] or 0) * WORKING_DAY + float(match["h"] or 0) * 60 + int(match["m"] or 0)
    )
    if minutes <= 0:
        raise UsageError(f"duration '{text}' is zero; estimate at least one minute")
    if minutes > MAX_PLAN_MINUTES:
        raise UsageError(
            f"duration '{text}' is more than {MAX_PLAN_MINUTES // WORKING_DAY} working days"
        )
    return minutes


def plan_words(minutes: int) -> str:
    """An estimate as people say it: `5d` (working days) when whole days, `5d 2h`, else `3h30m`."""
    days, rest = divmod(minutes, WORKING_DAY)
    if not days:
        return format_minutes(rest)
    return f"{days}d" + (f" {format_minutes(rest)}" if rest else "")


def plan_target(framework: Framework, stage: str, module: str | None) -> tuple[str, str]:
    """The id an estimate is keyed by and its name in words: the stage's, or the module's (which
    must be a module of that stage)."""
    stage_obj = framework.stage(stage)
    if not module:
        return stage_obj.id, f"stage {stage_obj.title}"
    found = framework.module(module, stage_obj.id)
    if found.stage != stage_obj.id:
        raise UsageError(f"module {found.id} is not in stage {stage_obj.title}")
    return found.id, f"module {found.title}"


def set_plan(
    project: Project,
    framework: Framework,
    ctx: Context,
    stage: str,
    duration: str,
    module: str | None = None,
) -> Change:
    """Estimate the effort of a stage (or of one of its modules); replacing an estimate keeps
    the old one in the history. The same value again changes nothing."""
    minutes = parse_plan_duration(duration)
    key, what = plan_target(framework, stage, module)
    current = project.plans.get(key)
    if current is not None and current.minutes == minutes:
        return Change("plan.set", "", [])
    if current is None:
        summary = f"Plan for {what}: {plan_words(minutes)}"
    else:
        summary = f"Plan for {what}: {plan_words(current.minutes)} → {plan_words(minutes)}"
    record = {"minutes": minutes, "set_at": ctx.now, "set_by": ctx.who}
    return Change("plan.set", summary, [Put("plans", key, record)])


@dataclass(frozen=True)
class PlanRow:
    """Plan against actual for one stage or module: minutes estimated (None: no estimate),
    logged, and the rework in what was logged."""

    id: str
    title: str
    planned: int | None
    actual: int
    rework: int
    stage: str = ""  # the stage a module's row belongs to ("" for a stage's or the total)

    @property
    def left(self) -> int | None:
        """Minutes of the estimate not used yet (negative: over it); None without estimate."""
        return None if self.planned is None else self.planned - self.actual

    @property
    def used(self) -> str:
        """The share of the estimate used, `120%`; empty without estimate."""
        return f"{self.actual / self.planned:.0%}" if self.planned else ""

    @property
    def rework_share(self) -> str:
        return f"{self.rework / self.actual:.0%}" if self.actual else ""

    @property
    def state(self) -> str:
        """`no plan`, `within plan` or `over plan`."""
        if self.planned is None:
            return "no plan"
        return "over plan" if self.actual > self.planned else "within plan"


@dataclass(frozen=True)
class PlanFigures:
    """Plan against actual: a row per stage (framework order, then stages it lacks), the
    planned modules, and the totals."""

    stages: tuple[PlanRow, ...]
    modules: tuple[PlanRow, ...]
    total: PlanRow

    @property
    def any_plan(self) -> bool:
        return self.total.planned is not None


def plan_figures(project: Project, framework: Framework, effort: Effort) -> PlanFigures:
    """Each stage's and planned module's estimate against the effort logged (`effort` is
    figures.effort_figures of the same project)."""
    plans = {id: p.minutes for id, p in project.plans.items()}
    first = first_iterations(project.visits)
    module_actual: dict[str, int] = {}
    module_rework: dict[str, int] = {}
    for entry in project.effort:
        if entry.module:
            module_actual[entry.module] = module_actual.get(entry.module, 0) + entry.minutes
            if is_rework(entry, first):
                module_rework[entry.module] = module_rework.get(entry.module, 0) + entry.minutes
    modules: list[PlanRow] = []
    stages: list[PlanRow] = []
    for stage in framework.stages:
        planned_modules = [m for m in stage.modules if m.id in plans]
        for m in planned_modules:
            modules.append(
                PlanRow(
                    m.id,
                    m.title,
                    plans[m.id],
                    module_actual.get(m.id, 0),
                    module_rework.get(m.id, 0),
                    stage=stage.id,
                )
            )
        own = plans.get(stage.id)
        if own is None and planned_modules:
            own = sum(plans[m.id] for m in planned_modules)
        stages.append(
            PlanRow(
                stage.id,
                stage.title,
                own,
                effort.by_stage.get(stage.id, 0),
                effort.rework_by_stage.get(stage.id, 0),
            )
        )
    known = {s.id for s in framework.stages}
    for stage_id, minutes in effort.by_stage.items():
        if stage_id not in known:
            title = stage_title(framework, stage_id)
            rework = effort.rework_by_stage.get(stage_id, 0)
            stages.append(PlanRow(stage_id, title, plans.get(stage_id), minutes, rework))
    estimates = [s.planned for s in stages if s.planned is not None]
    total = PlanRow(
        "total", "Total", sum(estimates) if estimates else None, effort.total, effort.rework
    )
    return PlanFigures(tuple(stages), tuple(modules), total)


def _row_json(row: PlanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "stage": row.stage or None,
        "planned_minutes": row.planned,
        "actual_minutes": row.actual,
        "rework_minutes": row.rework,
        "left_minutes": row.left,
        "state": row.state,
    }


def plan_json(figures: PlanFigures) -> dict[str, Any]:
    """`plan --json` (and the JSON report's `plan`): stages, planned modules and the total."""
    return {
        "stages": [_row_json(r) for r in figures.stages],
        "modules": [_row_json(r) for r in figures.modules],
        "total": _row_json(figures.total),
    }
