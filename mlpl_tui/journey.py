"""The journey: the path a project took across the stages, one step per visit."""

from __future__ import annotations

from dataclasses import dataclass

from mlpl_tui.framework import Framework
from mlpl_tui.model import Project, Switch, Visit


@dataclass(frozen=True)
class Step:
    """One visit to a stage, with the switch that led into it when it was a loop back."""

    number: int  # 1-based position on the path
    visit: Visit
    stage_number: int  # 1-4, the lane the step is drawn in
    switch: Switch | None  # set when the visit was entered by a switch back

    @property
    def is_loop_back(self) -> bool:
        return self.switch is not None or self.visit.how == "switch"

    @property
    def is_open(self) -> bool:
        return self.visit.left_at is None


def journey(project: Project, framework: Framework) -> list[Step]:
    """Every visit in order; a stage the framework no longer has is drawn after the last."""
    switches = {s.id: s for s in project.switches}
    last_lane = len(framework.stages) + 1
    steps = []
    for number, visit in enumerate(project.visits, start=1):
        stage = next((s for s in framework.stages if s.id == visit.stage), None)
        switch = switches.get(visit.switch) if visit.switch else None
        steps.append(Step(number, visit, stage.number if stage else last_lane, switch))
    return steps
