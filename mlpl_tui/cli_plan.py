"""`mlpl-tui plan [STAGE DURATION [--module M]] [--json]`: set an effort estimate, or list the
plan against the effort logged (mlpl_tui.plans).

Setting an estimate is a recorded change (the history keeps the value it replaced; `undo`
puts it back). Without arguments the command lists each stage's and planned module's estimate,
the effort logged, what is left and the rework share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from mlpl_tui.errors import UsageError
from mlpl_tui.sanitize import json_text

if TYPE_CHECKING:
    from mlpl_tui.cli import Session
    from mlpl_tui.plans import PlanFigures, PlanRow

Command = Callable[[str, str], argparse.ArgumentParser]


def add_parser(command: Command, common: argparse.ArgumentParser) -> None:
    """The `plan` command (`common` is unused: `plan` has no actions of its own)."""
    del common
    p = command(
        "plan", "estimate a stage's (or module's) effort; without arguments, plan vs actual"
    )
    p.add_argument("stage", nargs="?", help="stage: business, data, modelling, delivery or 1-4")
    p.add_argument(
        "duration",
        nargs="?",
        help="estimate, e.g. 5d (working days of 8h), 2d4h, 40h, 1h30m",
    )
    p.add_argument("--module", help="estimate this module of the stage instead")
    p.add_argument("--json", action="store_true", help="machine-readable plan vs actual")


def cmd_plan(session: Session) -> int:
    args = session.args
    if args.stage is None:
        if args.module:
            raise UsageError(
                "--module needs a stage and a duration: plan STAGE DURATION --module M"
            )
        return _list(session)
    if args.duration is None:
        raise UsageError(
            "plan needs a duration after the stage, e.g. 'mlpl-tui plan data 5d'; "
            "without arguments it lists the plan"
        )
    if args.json:
        raise UsageError("--json goes with the listing: run 'mlpl-tui plan --json'")
    from mlpl_tui.plans import set_plan

    session.change(lambda p, f, c: set_plan(p, f, c, args.stage, args.duration, args.module))
    return 0


def _list(session: Session) -> int:
    from mlpl_tui.figures import effort_figures
    from mlpl_tui.plans import plan_figures

    project, framework = session.load(), session.framework
    figures = plan_figures(project, framework, effort_figures(project, framework))
    if session.args.json:
        from mlpl_tui.plans import plan_json

        print(json_text(plan_json(figures), indent=2))
        return 0
    for line in plan_lines(figures):
        print(line)
    if not figures.any_plan:
        print("no estimate yet: set one with 'mlpl-tui plan STAGE DURATION'", file=sys.stderr)
    return 0


def plan_lines(figures: PlanFigures) -> list[str]:
    """The plan vs actual as aligned text lines: stages, then planned modules, then the total."""
    from mlpl_tui.plans import plan_words
    from mlpl_tui.wording import truncate

    def line(row: PlanRow, indent: str = "") -> str:
        planned = "—" if row.planned is None else plan_words(row.planned)
        left = "" if row.left is None else plan_words(abs(row.left))
        left = "" if row.left is None else (f"{left} left" if row.left >= 0 else f"{left} over")
        name = truncate(indent + row.title, 32)
        return (
            f"{name:<32} {planned:>9} {plan_words(row.actual):>9} {row.used:>5} "
            f"{row.rework_share:>7}  {left}"
        ).rstrip()

    out = [f"{'':<32} {'plan':>9} {'actual':>9} {'used':>5} {'rework':>7}"]
    modules: dict[str, list[PlanRow]] = {}
    for m in figures.modules:
        modules.setdefault(m.stage, []).append(m)
    for row in figures.stages:
        out.append(line(row))
        out += [line(m, "  ") for m in modules.get(row.id, [])]
    out.append(line(figures.total))
    return out
