"""The loop-back dialog (`b`): back to an earlier stage or a module, which starts a new
iteration; it shows which modules will become `revisit` before anything is changed. Once stored,
the app opens the stage looped back to (the dialog dismisses with the target)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from mlpl_tui import lifecycle
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import (
    LoopBackTarget,
    current_stage_id,
    default_loop_back_target,
    iteration,
    loop_back_targets,
    module_status,
)
from mlpl_tui.screens.modals.form import FormModal, selected
from mlpl_tui.widgets.text import data_lines, data_text
from mlpl_tui.wording import plural, stage_name, status_mark


def target_option(target: LoopBackTarget) -> tuple[Text, str]:
    """A target as the Select shows it: a whole stage, or a module indented under it."""
    if target.module is None:
        stage = target.stage
        return Text(f"{stage.number} {stage_name(stage.id)}: the whole stage"), stage.id
    # Module titles come from mlpl.yaml, which a branch may change: Text, not markup.
    return data_text(f"   {target.module.id}  {target.module.title}"), target.module.id


class LoopBackModal(FormModal[LoopBackTarget | None]):
    """Loop back to a target `progress.loop_back_targets` offers; dismisses with that target,
    or None when cancelled."""

    HEADING = "Loop back"
    SAVE_LABEL = "Loop back"

    def __init__(self) -> None:
        super().__init__()
        self.targets: dict[str, LoopBackTarget] = {}  # by option value, filled by `form`
        self.switch_id: str | None = None  # the switch recorded, once saved

    def form(self) -> ComposeResult:
        project, framework = self.host.project, self.host.framework
        here = current_stage_id(project)
        number = iteration(project)
        yield Static(
            Text(f"from {stage_name(here)}, iteration {number} → {number + 1}"),
            id="where",
            markup=False,
        )
        targets = loop_back_targets(project, framework)
        self.targets = {t.id: t for t in targets}
        default = default_loop_back_target(project, framework) or targets[0]
        yield self.field(
            "Back to",
            Select(
                [target_option(t) for t in targets],
                id="target",
                value=default.id,
                allow_blank=False,
                compact=True,
            ),
        )
        categories = [(data_text(f"{c.id}: {c.title}"), c.id) for c in framework.switch_categories]
        yield self.field(
            "Category",
            Select(
                categories,
                id="category",
                value=self._category_for(default),
                allow_blank=False,
                compact=True,
            ),
        )
        yield self.field(
            "Reason", Input(id="reason", placeholder="what you found out", compact=True)
        )
        yield Static("", id="preview", markup=False)

    def _category_for(self, target: LoopBackTarget) -> str:
        """The switch category named like the target's stage, else `other`."""
        known = {c.id for c in self.host.framework.switch_categories}
        return target.stage.id if target.stage.id in known else "other"

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()
        self.show(self.host.project)

    def _target(self) -> LoopBackTarget:
        value = selected(self.query_one("#target", Select))
        return self.targets.get(value or "") or next(iter(self.targets.values()))

    def show(self, project: Project) -> None:
        """Redraw the preview (also called when the file changes on disk)."""
        target = self._target()
        marked = lifecycle.revisit_targets(
            project, self.host.framework, target.stage, target.module
        )
        lines = [f"{plural(len(marked), 'module')} will become revisit:"] if marked else []
        lines += [
            f"  {status_mark('revisit')} {m}  (now {module_status(project, m)})" for m in marked
        ]
        preview = data_lines(lines) if marked else Text("No module will need revisit.")
        self.query_one("#preview", Static).update(preview)

    @on(Select.Changed, "#target")
    def _target_changed(self) -> None:
        self.query_one("#category", Select).value = self._category_for(self._target())
        self.show(self.host.project)

    def action_save(self) -> None:
        target = self._target()
        category = selected(self.query_one("#category", Select)) or "other"
        reason = self.value("#reason")
        stage_id = target.stage.id
        module_id = target.module.id if target.module else None

        def rule(p: Project, f: Framework, c: Context) -> Change:
            return lifecycle.switch_back(p, f, c, stage_id, category, reason, module_id)

        change = self.run_rule(rule)
        if change is not None:
            self.switch_id = change.result
            self.dismiss(target)
