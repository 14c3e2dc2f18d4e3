"""What the generated regions of a living stage document say, from the report view-model.

Each region is a list of Markdown lines built from the same figures as the reports, so a
document and a report never disagree. Every stored text is escaped with the Markdown report's
helpers after terminal controls are made visible, so no text from the state can close a region,
open a tag or break a table. Times are written in UTC: a teammate in another zone refreshes to
the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from mlpl_tui.artifacts import (
    ATTACHED,
    MISSING,
    ArtifactInfo,
    artifact_infos,
    recorded_states,
)
from mlpl_tui.figures import REWORK_DEFINITION, module_title, stage_title
from mlpl_tui.framework import Framework
from mlpl_tui.model import Project
from mlpl_tui.progress import format_minutes
from mlpl_tui.report_md import md, md_block
from mlpl_tui.report_view import ReportView
from mlpl_tui.sanitize import clean
from mlpl_tui.wording import plural

FINAL_REPORT = "final-report"  # its decisions region lists every decision, not one stage's

REGIONS = (
    "project",
    "decisions",
    "switches",
    "experiments",
    "effort",
    "answers",
    "learnings",
    "artifacts",
)
# The settings a region's begin marker may carry, written by `doc new`.
REGION_SETTINGS: dict[str, tuple[str, ...]] = {"experiments": ("experiment",)}

# --- escaping: report_md's helpers, after terminal controls are made visible ----------------


def _text(value: str) -> str:
    """A stored text as one line of Markdown (a table cell, a list item): its line breaks
    become spaces, its controls visible escapes."""
    return md(_visible(value))


def _block(value: str) -> str:
    """A stored text as one Markdown paragraph that keeps its line breaks."""
    return md_block(_visible(value))


def _visible(value: str) -> str:
    return clean(str(value).replace("\r\n", "\n"), multiline=True)


def _day(stamp: str | None) -> str:
    """The UTC day of a stored time: the same for every teammate who refreshes."""
    return _text(stamp[:10]) if stamp else ""


def _utc(stamp: str | None) -> str:
    return _text(f"{stamp[:10]} {stamp[11:16]} UTC") if stamp and len(stamp) >= 16 else ""


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    rule = ["---:" if a == "r" else "---" for a in align.ljust(len(header), "l")]
    return [_row(*header), _row(*rule), *(_row(*r) for r in rows)]


# --- what each region holds -----------------------------------------------------------------


@dataclass
class Regions:
    """Writes the generated regions of one artifact's documents from one report view.

    `stage` is the stage whose decisions the document lists (None: every decision).
    """

    view: ReportView
    stage: str | None
    # (artifact id, location) a new document is about to be attached as: shown attached.
    pending: tuple[str, str] | None = None
    _cache: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = field(default_factory=dict)

    def lines(self, name: str, settings: Mapping[str, str]) -> list[str]:
        key = (name, tuple(sorted(settings.items())))
        if key not in self._cache:
            writers: dict[str, Callable[[Mapping[str, str]], list[str]]] = {
                "project": self._project,
                "decisions": self._decisions,
                "switches": self._switches,
                "experiments": self._experiments,
                "effort": self._effort,
                "answers": self._answers,
                "learnings": self._learnings,
                "artifacts": self._artifacts,
            }
            self._cache[key] = writers[name](settings)
        return self._cache[key]

    def _project(self, settings: Mapping[str, str]) -> list[str]:
        view = self.view
        state = "accepted by the client" if view.closed else f"in {_text(view.current_title)}"
        return [
            f"**{_text(view.name)}**: {state}, iteration {view.iteration}.  ",
            f"State as of {_utc(view.as_of) or 'no change yet'}, from {_text(view.file_name)}.",
        ]

    def _decisions(self, settings: Mapping[str, str]) -> list[str]:
        rows = [
            r for r in self.view.decisions if self.stage is None or r.decision.stage == self.stage
        ]
        if not rows:
            where = "" if self.stage is None else " in this stage"
            return [f"No decisions recorded{where} yet."]
        header = ["#", "Decision", "Status", "Date", "Stage", "What was decided"]
        return _table(
            header,
            [
                (
                    f"D{r.number}",
                    _text(r.decision.title),
                    _text(r.decision.status),
                    _day(r.decision.created_at),
                    " / ".join(_text(t) for t in (r.stage_title, r.module_title) if t),
                    _text(r.decision.decision),
                )
                for r in rows
            ],
            "r",
        )

    def _switches(self, settings: Mapping[str, str]) -> list[str]:
        rows = self.view.switches
        if not rows:
            return ["No lifecycle switches: the project has gone straight ahead so far."]
        header = ["Iteration", "Date", "Who", "From", "Back to", "Category", "Reason"]
        return _table(
            header,
            [
                (
                    str(r.switch.iteration),
                    _day(r.switch.at),
                    _text(r.switch.by),
                    _text(r.from_title),
                    _text(r.to_title),
                    _text(r.switch.category),
                    _text(r.switch.reason),
                )
                for r in rows
            ],
            "r",
        )

    def _experiments(self, settings: Mapping[str, str]) -> list[str]:
        wanted = settings.get("experiment")
        if wanted is not None:
            return self._one_experiment(wanted)
        rows = self.view.experiments
        if not rows:
            return ["No experiments recorded."]
        n = self.view.experiment_counts
        out = [
            f"{plural(n.total, 'experiment')}: {n.kept} kept, {n.abandoned} abandoned, "
            f"{n.running} running. Effort logged on the abandoned ones: "
            f"{format_minutes(n.lost_minutes)}.",
            "",
        ]
        header = ["#", "Experiment", "Status", "Result", "Why abandoned", "Effort"]
        return out + _table(
            header,
            [
                (
                    f"E{r.number}",
                    _text(r.experiment.title),
                    _text(r.experiment.status),
                    _text(r.experiment.result),
                    _text(r.experiment.reason) if r.experiment.status == "abandoned" else "",
                    format_minutes(r.minutes),
                )
                for r in rows
            ],
            "rllllr",
        )

    def _one_experiment(self, id: str) -> list[str]:
        row = next((r for r in self.view.experiments if r.experiment.id == id), None)
        if row is None:
            return [f"Experiment {_text(id)} is no longer in the project's records."]
        e = row.experiment
        out = [
            f"- **Experiment:** E{row.number}. {_text(e.title)}",
            f"- **Status:** {_text(e.status)}",
            f"- **Effort:** {format_minutes(row.minutes)}",
            f"- **Started:** {_day(e.created_at)} by {_text(e.created_by)}",
            f"- **Id:** {_text(e.id)}",
        ]
        if e.link.strip():
            out.insert(3, f"- **Link:** {_text(e.link)}")
        texts = [("Hypothesis", e.hypothesis), ("Result", e.result)]
        if e.status == "abandoned":
            texts.append(("Why abandoned", e.reason))
        for label, text in texts:
            out += ["", f"**{label}.** {_block(text) or '(not recorded)'}"]
        return out

    def _effort(self, settings: Mapping[str, str]) -> list[str]:
        effort = self.view.effort
        out = [
            f"Total {format_minutes(effort.total)}, of which rework "
            f"{format_minutes(effort.rework)} (**{effort.rework_share:.0%}**). {REWORK_DEFINITION}",
            "",
        ]
        return out + _table(
            ["Stage", "Effort", "Rework", "Rework share"],
            [
                (_text(s.title), format_minutes(s.minutes), format_minutes(s.rework), s.share)
                for s in self.view.stage_effort
            ],
            "lrrr",
        )

    def _answers(self, settings: Mapping[str, str]) -> list[str]:
        rows = []
        for q in self.view.questions:
            a = q.answer
            rows.append(
                (
                    str(q.question.number),
                    _text(q.question.text),
                    _text(q.word),
                    _text(a.note) if a else "",
                    _day(a.updated_at) if a else "",
                )
            )
        return _table(["#", "Question", "Answer", "Evidence", "Answered"], rows, "r")

    def _learnings(self, settings: Mapping[str, str]) -> list[str]:
        project, framework = self.view.project, self.view.framework
        if not project.learnings:
            return ["No learnings noted yet: `mlpl-tui learn TEXT` notes one."]
        decisions = self.view.decision_numbers
        experiments = {r.experiment.id: r.number for r in self.view.experiments}
        switches = {s.id: s for s in project.switches}

        def source(id: str) -> str:
            if id in decisions:
                return f"D{decisions[id]}"
            if id in experiments:
                return f"E{experiments[id]}"
            if id in switches:
                return f"switch of {_day(switches[id].at)}"
            return ""

        rows = []
        for x in project.learnings:
            where = _text(stage_title(framework, x.stage)) if x.stage else ""
            if x.module:
                where += f" / {_text(module_title(framework, x.module))}"
            taught = ", ".join(s for s in map(source, x.sources) if s)
            by = f"{_text(x.created_by)}, {_day(x.created_at)}"
            rows.append((_text(x.text), where, taught, by))
        return _table(["Learning", "Stage", "Taught by", "Noted by"], rows)

    def _artifacts(self, settings: Mapping[str, str]) -> list[str]:
        project, framework = self.view.project, self.view.framework
        states = recorded_states(project, framework)
        rows = []
        for i in artifact_infos(project, framework):
            state, locations = states.get(i.id, MISSING), i.locations
            if self.pending and self.pending[0] == i.id and self.pending[1] not in locations:
                state, locations = ATTACHED, (*locations, self.pending[1])
            where = ", ".join(_text(x) for x in locations)
            required = "yes" if i.required else ""
            rows.append(
                (
                    _text(i.title),
                    _text(stage_title(framework, i.stage)),
                    required,
                    _text(state),
                    where,
                )
            )
        if not rows:
            return ["No artifacts declared or attached."]
        return _table(["Artifact", "Stage", "Required", "State", "Where"], rows)


def regions_for(
    project: Project, framework: Framework, info: ArtifactInfo, view: ReportView | None = None
) -> Regions:
    """The regions of `info`'s documents: its stage's decisions, or all for the final report."""
    template = info.declared.template if info.declared else ""
    stage = None if template == FINAL_REPORT else info.stage
    return Regions(view or ReportView(project, framework), stage)
