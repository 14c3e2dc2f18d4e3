"""The terminal UI's composition root: the Textual app over one store and one framework.

The app has three states. With no state file it shows the welcome screen, which offers to
create one. With an unreadable or conflicted file it shows the read-only problem screen, keeps
polling, and recovers when the file is fixed. Otherwise every main screen is a mode (`0`
dashboard, `1`-`4` stages, `D` decisions, `h` history, `e` experiments, `c` conflicts, `W`
learnings, `G` timeline) and every change goes through `act`, which applies one lifecycle rule
under the store's lock. The app is also the only part that reads the project's other files: the
attached artifacts' states (once per snapshot), path completion, opening a file in the editor,
and the trackers' run stores (in a worker thread, for the experiment log's link picker).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from mlpl_tui.artifact_files import Completion, complete_path
from mlpl_tui.changes import EditConflict
from mlpl_tui.errors import MlplError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project, StateError
from mlpl_tui.screens.base import (
    Host,
    ProjectView,
    Rule,
    RunsFound,
    came_from,
    is_secondary,
)
from mlpl_tui.store import Store
from mlpl_tui.widgets.option_list_guard import guard_option_list_paging
from mlpl_tui.widgets.text import clip, data_markup
from mlpl_tui.wording import STAGE_ORDER, stage_name

if TYPE_CHECKING:
    from mlpl_tui.artifact_files import ArtifactState
    from mlpl_tui.cli import Session
    from mlpl_tui.progress import LoopBackTarget
    from mlpl_tui.runs import Run

DISK_POLL_SECONDS = 0.5
OFFER_SECONDS = 30  # how long `L` starts from the loop back or experiment just recorded

SCREEN_TITLES = {
    "dashboard": "Dashboard",
    "decisions": "All decisions",
    "history": "Journey and history",
    "experiments": "Experiments",
    "conflicts": "Conflicts",
    "effort": "Effort entries",
    "learnings": "Learnings",
    "timeline": "Timeline",
}
# Every main screen is a mode: the named ones above and `stage-<id>` for each stage.
MODES = (*SCREEN_TITLES, *(f"stage-{s}" for s in STAGE_ORDER))


def make_screen(mode: str) -> Screen[None]:
    """The main screen of `mode`; each module is imported when first shown, for a quick start."""
    if mode == "dashboard":
        from mlpl_tui.screens.dashboard import DashboardScreen

        return DashboardScreen()
    if mode == "decisions":
        from mlpl_tui.screens.decisions import DecisionsScreen

        return DecisionsScreen()
    if mode == "history":
        from mlpl_tui.screens.history import HistoryScreen

        return HistoryScreen()
    if mode == "experiments":
        from mlpl_tui.screens.experiments import ExperimentsScreen

        return ExperimentsScreen()
    if mode == "conflicts":
        from mlpl_tui.screens.conflicts import ConflictsScreen

        return ConflictsScreen()
    if mode == "effort":
        from mlpl_tui.screens.effort import EffortScreen

        return EffortScreen()
    if mode == "learnings":
        from mlpl_tui.screens.learnings import LearningsScreen

        return LearningsScreen()
    if mode == "timeline":
        from mlpl_tui.screens.timeline import TimelineScreen

        return TimelineScreen()
    from mlpl_tui.screens.stage import StageScreen

    return StageScreen(mode.removeprefix("stage-"))


def _stage_binding(number: int, stage_id: str) -> Binding:
    return Binding(
        str(number),
        f"show('stage-{stage_id}')",
        stage_name(stage_id),
        show=False,
        id=f"stage-{number}",
        tooltip=f"Stage {number}: its modules, artifacts and decisions",
    )


class MlplApp(App[None], Host):
    """Shows one project; every change goes through the store, and changes on disk come in.

    It implements `Host`, the screens' side of the contract (screens/base.py).
    """

    TITLE = "mlpl-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "0",
            "show('dashboard')",
            "Dashboard",
            id="dashboard",
            key_display="0",
            tooltip="Progress, journey, questions, decisions, effort",
        ),
        *(_stage_binding(n, s) for n, s in enumerate(STAGE_ORDER, start=1)),
        Binding(
            "a",
            "advance",
            "Advance",
            id="advance",
            tooltip="Pass the current stage's gate to the next stage",
        ),
        Binding(
            "b",
            "loop_back",
            "Loop back",
            id="loop-back",
            tooltip="Back to an earlier stage or module: a new iteration",
        ),
        Binding("d", "decide", "Decision", id="decision", tooltip="Record a decision"),
        Binding("t", "log_time", "Log time", id="log-time", tooltip="Log time spent"),
        Binding(
            "D",
            "show('decisions')",
            "Decisions",
            show=False,
            id="decisions",
            tooltip="Show all decisions",
        ),
        Binding(
            "h",
            "show('history')",
            "History",
            show=False,
            id="history",
            tooltip="The journey and every event, filterable",
        ),
        Binding(
            "e",
            "show('experiments')",
            "Experiments",
            show=False,
            id="experiments",
            tooltip="The experiment log: add, keep, abandon",
        ),
        Binding(
            "c",
            "show('conflicts')",
            "Conflicts",
            show=False,
            id="conflicts",
            tooltip="Show merge conflicts in the state file",
        ),
        Binding(
            "T",
            "show('effort')",
            "Time log",
            show=False,
            id="effort",
            tooltip="Every effort entry, newest first: edit or remove one",
        ),
        Binding(
            "W",
            "show('learnings')",
            "Learnings",
            id="learnings",
            tooltip="What we learned: every learning and what taught it",
        ),
        Binding(
            "G",
            "show('timeline')",
            "Timeline",
            show=False,
            id="timeline",
            tooltip="Every visit across calendar time: loop backs, today",
        ),
        # In the key bar where there is room (it drops them first at 80 columns).
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your latest change"),
        Binding("U", "redo", "Redo", id="redo", tooltip="Redo what you last undid"),
        Binding(
            "L",
            "learn",
            "Learning",
            id="learning",
            tooltip="What did this teach us? Note a learning",
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            id="help",
            key_display="?",
            tooltip="List every key of this screen",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave mlpl-tui (everything is saved)"),
    ]
    # Actions that still work while the welcome or problem screen is up (`tab` too).
    ALWAYS_ALLOWED: ClassVar[frozenset[str]] = frozenset(
        {"quit", "help", "command_palette", "change_theme", "focus_next", "focus_previous"}
    )

    def __init__(
        self,
        store: Store | None,
        framework: Framework,
        context: Callable[[], Context],
        *,
        new_file: Path | None = None,
    ) -> None:
        """`store` None means there is no state file yet: the welcome screen offers to make
        `new_file`."""
        project: Project | None = None
        problem: str | None = None
        if store is not None:
            try:
                project = store.load()
            except MlplError as exc:
                problem = str(exc)
        if project is not None:
            # Start straight in the dashboard's mode: the first frame is the dashboard itself.
            # Textual reads the first mode from this class variable in App.__init__, and which
            # one depends on the file, so it is set on the instance first.
            self.DEFAULT_MODE = "dashboard"  # type: ignore[misc]
        super().__init__()
        guard_option_list_paging()  # Textual 8.2.8 crashes on an early page key (see there)
        self.store, self._framework, self._make_context = store, framework, context
        self.new_file = new_file
        self._project = project
        self.problem = problem
        self._failed_stamp: tuple[int, int, int] | None = None
        self._trail: list[str] = []  # the modes `escape` goes back to (screens/base.came_from)
        # The artifacts' states of one snapshot: read from the files when first asked for.
        self._artifact_states: tuple[Project, list[ArtifactState]] | None = None
        self._offer: LearningOffer | None = None  # what `L` presets for a while
        for mode in MODES:
            self.add_mode(mode, partial(make_screen, mode))

    # --- the Host contract (screens/base.py) ---------------------------------------------------

    @property
    def project(self) -> Project:
        if self._project is None:
            raise RuntimeError("no project is open")
        return self._project

    @property
    def framework(self) -> Framework:
        return self._framework

    def act(self, rule: Rule) -> Change | None:
        """Apply one rule (the store re-reads first, so another writer's change is kept)."""
        change, error = self.attempt(rule)
        if error is not None:
            self.notify(error, title="Not done", severity="error", timeout=8)
        return change

    def attempt(self, rule: Rule) -> tuple[Change | None, str | None]:
        """Apply one rule; returns the change, or None and the reason in plain words."""
        change, error, _ = self.attempt_edit(rule)
        return change, error

    def attempt_edit(self, rule: Rule) -> tuple[Change | None, str | None, EditConflict | None]:
        """Apply one rule; a refusal in words, and the conflict when an edited field changed."""
        if self.store is None or self.problem is not None:
            return None, "the state file cannot be read; nothing was changed", None
        ctx = self._make_context()
        try:
            applied = self.store.apply(lambda p: rule(p, self._framework, ctx), ctx.who, ctx.now)
        except StateError as exc:
            self.show_problem(str(exc))
            return None, str(exc), None
        except EditConflict as exc:
            self.reload()  # show what the other writer stored
            return None, str(exc), exc
        except MlplError as exc:
            return None, str(exc), None
        self.reload()
        return applied.change, None, None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification, the screens' too, as plain text: messages quote stored text.

        `markup` is accepted for Textual's signature and ignored: a title or an error from the
        state file must never be read as markup or reach the terminal unsanitised.
        """
        super().notify(
            clip(message, multiline=True),
            title=clip(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_help_quit(self) -> None:
        """`ctrl+c` does not quit: say which key does (Textual's own hint is markup, see notify)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def context(self) -> Context:
        """Who acts and the injected clock; screens show times from here, never the wall clock."""
        return self._make_context()

    # --- artifacts: the project's files, read here and nowhere in the screens -------------------

    @property
    def project_folder(self) -> Path:
        """The folder of the state file: artifact paths are relative to it."""
        path = self.store.path if self.store is not None else (self.new_file or Path("mlpl.json"))
        return path.absolute().parent

    @property
    def artifact_states(self) -> list[ArtifactState]:
        """The states of the current snapshot's artifacts: the files are read (two git calls)
        the first time a screen asks after a snapshot is loaded, not on every redraw."""
        project = self.project
        cached = self._artifact_states
        if cached is None or cached[0] is not project:
            cached = (project, self._read_artifact_states(project))
            self._artifact_states = cached
        return cached[1]

    def _read_artifact_states(self, project: Project) -> list[ArtifactState]:
        from mlpl_tui.artifact_files import ArtifactState, LocationState, artifact_states
        from mlpl_tui.artifacts import artifact_infos, recorded_states

        try:
            return artifact_states(project, self._framework, self.project_folder)
        except (OSError, ValueError) as exc:  # a location the file system cannot even look up
            # What the records alone say, each location marked as not checked.
            known = recorded_states(project, self._framework)
            problem = f"not checked: {exc}"
            return [
                ArtifactState(
                    info,
                    known.get(info.id, "missing"),
                    tuple(LocationState(x, "attached", problem=problem) for x in info.locations),
                    None,
                )
                for info in artifact_infos(project, self._framework)
            ]

    def refresh_artifact_states(self) -> None:
        """Read the attached files again (edited outside the state file) and redraw."""
        if self._project is None or self.problem is not None:
            return
        self._artifact_states = None
        screen = self.screen
        if isinstance(screen, ProjectView) and screen.is_mounted:
            try:
                screen.show(self._project)
            except MlplError as exc:
                self.show_problem(str(exc))

    def on_app_focus(self) -> None:
        """Back in the app's terminal (where the terminal says so): files may have been edited
        or committed meanwhile, so their states are read again, once."""
        if self._artifact_states is not None:
            self.refresh_artifact_states()

    def project_location(self, typed: str) -> str:
        """A typed path (relative to the project folder) or URL as it would be stored."""
        from mlpl_tui.artifact_files import project_location

        try:
            return project_location(typed, self.project_folder)
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the system
            from mlpl_tui.errors import UsageError

            raise UsageError(f"that location cannot be looked up: {exc}") from None

    def complete_location(self, typed: str) -> Completion:
        return complete_path(self.project_folder, typed)

    def open_location(self, location: str) -> str | None:
        """Open an attached file in $VISUAL or $EDITOR (checked again first: still a file in
        the project, not a link out of it), then read the artifacts' files again."""
        from mlpl_tui.screens.editor import editor_command, run_editor

        try:
            stored = self.project_location(location)
        except MlplError as exc:
            return str(exc)
        command, problem = editor_command()
        if problem is not None:
            return problem
        returncode, problem = run_editor(self, command, self.project_folder / stored)
        self.refresh_artifact_states()
        if returncode is None:
            return problem
        if returncode != 0:
            return f"the editor exited with status {returncode}"
        return None

    def write_document(self, artifact_id: str) -> tuple[str | None, str | None]:
        """As `mlpl-tui doc new ARTIFACT`: never over a file nor through a link (documents.py)."""
        from mlpl_tui import documents

        try:
            location = documents.create_document(
                self.project, self._framework, self.project_folder, artifact_id
            )
        except MlplError as exc:
            return None, str(exc)
        except OSError as exc:
            return None, f"the document could not be written: {exc}"
        _, problem = self.attempt(documents.attach_rule(artifact_id, location))
        self.refresh_artifact_states()
        if problem is not None:
            return None, f"{location} was written but not attached ({problem}): a attaches it"
        return location, None

    def refresh_document(self, artifact_id: str) -> tuple[list[str], str | None]:
        """Rewrite the generated parts of an artifact's Markdown documents (documents.py)."""
        from mlpl_tui import documents

        try:
            rewritten = documents.refresh_artifact(
                self.project, self._framework, self.project_folder, artifact_id
            )
        except MlplError as exc:
            return [], str(exc)
        except OSError as exc:
            return [], f"the document could not be rewritten: {exc}"
        self.refresh_artifact_states()
        return list(rewritten), None

    # --- tracker runs: read in a thread, the answer handed back on the UI thread ---------------

    def look_for_runs(self, done: RunsFound) -> None:
        """Read the trackers' stores near the project (mlpl_tui.runs.find_runs) in a worker
        thread, so a big or slow store never freezes the screen; `done` gets the runs found or
        the reason in words (a locked or corrupt store), on the UI thread."""
        folder = self.project_folder

        def read() -> None:
            runs, problem = _read_runs(folder)
            # RuntimeError: the app closed meanwhile, and nobody is waiting for the answer.
            with contextlib.suppress(RuntimeError):
                self.call_from_thread(done, runs, problem)

        self.run_worker(read, name="find runs", group="runs", thread=True, exit_on_error=False)

    # --- learnings ------------------------------------------------------------------------------

    def offer_learning(self, source: str, stage: str | None, module: str | None) -> None:
        """Say that `L` notes what `source` taught, and let it preset the source for a while."""
        self._offer = LearningOffer(source, stage, module, time.monotonic() + OFFER_SECONDS)
        key = self._key_display("learn", "L")
        self.notify(
            f"What did this teach us? {key} notes it (the source is filled in)",
            title="A learning?",
            timeout=OFFER_SECONDS,
        )

    def _key_display(self, action: str, default: str) -> str:
        """The key bound to app `action` now (a keymap may have moved it)."""
        for _key, binding in self._bindings:
            if binding.action == action:
                return self.get_key_display(binding)
        return default

    # --- start-up and the three states ---------------------------------------------------------

    def on_mount(self) -> None:
        self.set_interval(DISK_POLL_SECONDS, self.check_disk)
        if not self.is_headless and _terminal_present():
            threading.Thread(target=_leave_when_the_terminal_hangs_up, daemon=True).start()
        self.call_after_refresh(_collect_garbage_from_now_on)
        if self.store is None:
            from mlpl_tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.new_file or Path.cwd() / "mlpl.json"))
        elif self.problem is not None:
            self.show_problem(self.problem)

    def create_project(self, name: str) -> str | None:
        """Create the state file offered by the welcome screen; the error in words, or None."""
        from mlpl_tui.lifecycle import new_project

        path = self.new_file or Path.cwd() / "mlpl.json"
        try:
            self.store = Store.create(path, new_project(name, self._make_context()))
            self._project = self.store.load()
        except MlplError as exc:
            return str(exc)
        from mlpl_tui.team import setup_if_in_git

        # What `mlpl-tui init` does inside a git repository: the merge driver and .gitattributes.
        done = setup_if_in_git(path.resolve().parent, path)
        self.pop_screen()
        self.switch_mode("dashboard")
        self.notify("\n".join([f"Created {path}", *done]), title="New project", timeout=10)
        return None

    def show_problem(self, message: str) -> None:
        """Open (or update) the read-only problem screen; polling recovers from it."""
        from mlpl_tui.screens.problem import ProblemScreen
        from mlpl_tui.team import is_unmerged

        self.problem = message
        self._failed_stamp = self._disk_stamp()
        # A file git holds as unmerged: the problem screen offers `resolve` (r).
        resolvable = self.store is not None and is_unmerged(self.store.path)
        if isinstance(self.screen, ProblemScreen):
            self.screen.show_problem(message, resolvable)
            return
        label = str(self.store.path) if self.store else "mlpl.json"
        self.push_screen(ProblemScreen(message, label, resolvable))

    def on_problem_screen_resolve_requested(self) -> None:
        """`r` on the problem screen: what `mlpl-tui resolve` does, then the file is read again."""
        from mlpl_tui.team import resolve_file

        if self.store is None:
            return
        try:
            resolved = resolve_file(self.store.path)
        except MlplError as exc:
            self.notify(str(exc), title="Not resolved", severity="error", timeout=10)
            return
        self.notify(
            "\n".join(resolved.lines),
            title="Merge conflicts recorded: c lists them" if resolved.conflicts else "Resolved",
            severity="warning" if resolved.conflicts else "information",
            timeout=12,
        )
        self.reload()

    def _recover(self) -> None:
        from mlpl_tui.screens.problem import ProblemScreen

        self.problem = None
        self._failed_stamp = None
        while isinstance(self.screen, ProblemScreen):
            self.pop_screen()
        if self.current_mode == "_default":
            self.switch_mode("dashboard")
        self.call_after_refresh(self._recovered)

    def _recovered(self) -> None:
        # Said only once the screen below has drawn: a record it cannot read reopens the problem.
        if self.problem is None:
            self.notify("The state file is readable again", title="Recovered")

    def _disk_stamp(self) -> tuple[int, int, int] | None:
        if self.store is None:
            return None
        try:
            st = os.stat(self.store.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def check_disk(self) -> None:
        """Polled: take in a change another process made to the file."""
        if self.store is None:
            return
        if self.problem is not None:
            stamp = self._disk_stamp()
            if stamp is not None and stamp != self._failed_stamp:
                self.reload()
            return
        if self.store.changed_on_disk():
            self.reload()

    def reload(self) -> None:
        """Take a fresh snapshot and let the visible screen redraw it."""
        if self.store is None:
            return
        try:
            self._project = self.store.load()
        except MlplError as exc:
            self.show_problem(str(exc))
            return
        if self.problem is not None:
            self._recover()
            return
        screen = self.screen
        # A screen still composing draws the new snapshot when it is resumed.
        if isinstance(screen, ProjectView) and screen.is_mounted:
            try:
                screen.show(self._project)
            except MlplError as exc:  # a record that cannot be read (records are read lazily)
                self.show_problem(str(exc))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._project is None or self.problem is not None:
            return action in self.ALWAYS_ALLOWED
        return True

    # --- actions ------------------------------------------------------------------------------

    def action_show(self, mode: str) -> None:
        """Switch to a main screen by mode name (see MODES)."""
        if self._project is not None:
            here = self.current_mode
            self._trail = came_from(self._trail, here, mode) if here in MODES else []
            self.switch_mode(mode)

    def go_back(self) -> None:
        """`escape` on a secondary screen: back to the screen it was opened from."""
        mode = self.current_mode
        if self._project is not None and mode in MODES and is_secondary(mode):
            self.switch_mode(self._trail.pop() if self._trail else "dashboard")

    async def action_back(self) -> None:
        self.go_back()

    def _current_module_of_screen(self) -> str | None:
        screen = self.screen
        return screen.highlighted_module if isinstance(screen, ProjectView) else None

    def _current_stage_of_screen(self) -> str | None:
        screen = self.screen
        return screen.stage_id if isinstance(screen, ProjectView) else None

    def action_advance(self) -> None:
        from mlpl_tui.progress import current_stage_id
        from mlpl_tui.screens.modals import AdvanceModal

        before = current_stage_id(self.project)
        on_stage = self._current_stage_of_screen() == before

        def follow(_: None) -> None:
            # Advancing from a stage's screen goes on to the next stage's screen.
            after = current_stage_id(self.project)
            if on_stage and after != before:
                self.action_show(f"stage-{after}")

        self.push_screen(AdvanceModal(), follow)

    def action_loop_back(self) -> None:
        from mlpl_tui.progress import current_stage_id
        from mlpl_tui.screens.modals import LoopBackModal

        modal = LoopBackModal()
        came_from_stage = current_stage_id(self.project)

        def follow(target: LoopBackTarget | None) -> None:
            # A loop back opens the stage looped back to, its target module highlighted.
            if target is None:
                return
            self.action_show(f"stage-{target.stage.id}")
            screen = self.screen
            if target.module is not None and isinstance(screen, ProjectView):
                screen.point_at(target.module.id)
            if modal.switch_id:  # learnt where the loop back started: filed there by default
                self.offer_learning(modal.switch_id, came_from_stage, None)

        self.push_screen(modal, follow)

    def action_decide(self) -> None:
        from mlpl_tui.screens.modals import DecisionModal

        self.push_screen(
            DecisionModal(
                stage=self._current_stage_of_screen(), module=self._current_module_of_screen()
            )
        )

    def action_log_time(self) -> None:
        from mlpl_tui.screens.modals import EffortModal

        self.push_screen(
            EffortModal(
                stage=self._current_stage_of_screen(), module=self._current_module_of_screen()
            )
        )

    def action_learn(self) -> None:
        """`L`: "What did this teach us?", about the screen's stage or module, or, just after a
        loop back or an abandoned experiment, about that (the source preset)."""
        from mlpl_tui.screens.modals.learning import LearningModal

        offer, self._offer = self._offer, None
        if offer is not None and offer.until > time.monotonic():
            self.clear_notifications()  # the offer is taken up: its note would cover the dialog
            modal = LearningModal(stage=offer.stage, module=offer.module, source=offer.source)
        else:
            screen = self.screen
            source = screen.learning_source if isinstance(screen, ProjectView) else None
            modal = LearningModal(
                stage=self._current_stage_of_screen(),
                module=self._current_module_of_screen(),
                source=source,
            )

        def noted(learning_id: str | None) -> None:
            if learning_id is None:
                return
            key = self._key_display("show('learnings')", "W")
            self.notify(f"Learning {learning_id} noted: {key} lists them, u undoes", title="Noted")
            from mlpl_tui.screens.record_screen import RecordScreen

            screen = self.screen
            if isinstance(screen, RecordScreen):
                screen.show_record(learning_id)

        self.push_screen(modal, noted)

    def action_undo(self) -> None:
        """Revert the user's latest change still in effect, app-wide (the history keeps both)."""
        from mlpl_tui.history import undo

        change = self.act(lambda p, f, c: undo(p, c.who))
        if change is not None:
            self.notify(f"{change.summary} (U redoes)", title="Undone")

    def action_redo(self) -> None:
        """Put back what the user's latest undo reverted."""
        from mlpl_tui.history import redo

        change = self.act(lambda p, f, c: redo(p, c.who))
        if change is not None:
            self.notify(f"{change.summary} (u undoes it again)", title="Redone")

    def action_search(self) -> None:
        """Open the search screen over this one (`escape` comes back here)."""
        from mlpl_tui.screens.search import SearchScreen

        if not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen())

    def action_help(self) -> None:
        from mlpl_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        screen = self.screen
        extra = screen.help_section() if isinstance(screen, ProjectView) else None
        self.push_screen(HelpScreen(screen.active_bindings, screen.name or "", extra))

    # --- the command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action by name, grouped by category ("stage: Data", "record: decision")."""
        if self._project is None or self.problem is not None:
            yield SystemCommand("app: Quit", "Leave mlpl-tui", self.action_quit)
            return
        yield SystemCommand(
            "screen: Dashboard (0)", "Progress and journey", self._show("dashboard")
        )
        for number, stage in enumerate(self._framework.stages, start=1):
            yield SystemCommand(
                f"stage: {stage_name(stage.id)} ({number})",
                data_markup(stage.title),  # from mlpl.yaml; the palette reads help as markup
                self._show(f"stage-{stage.id}"),
            )
        screens = (
            ("decisions", "D"),
            ("history", "h"),
            ("experiments", "e"),
            ("effort", "T"),
            ("learnings", "W"),
            ("timeline", "G"),
        )
        for mode, key in screens:
            yield SystemCommand(f"screen: {SCREEN_TITLES[mode]} ({key})", "", self._show(mode))
        yield SystemCommand("screen: Conflicts (c)", "Merge conflicts", self._show("conflicts"))
        yield SystemCommand(
            "app: Search…",
            "Words in notes, reasons, decisions, experiments, history",
            self.action_search,
        )
        yield SystemCommand("lifecycle: Advance (a)", "Pass the gate", self.action_advance)
        yield SystemCommand("lifecycle: Loop back (b)", "A new iteration", self.action_loop_back)
        yield SystemCommand("record: Decision (d)", "Record a decision", self.action_decide)
        yield SystemCommand("record: Log time (t)", "Log effort", self.action_log_time)
        yield SystemCommand("record: Learning (L)", "What did this teach us?", self.action_learn)
        yield SystemCommand("edit: Undo (u)", "Your latest change", self.action_undo)
        yield SystemCommand("edit: Redo (U)", "What you last undid", self.action_redo)
        if isinstance(screen, ProjectView):
            yield from screen.palette_commands()
        yield SystemCommand("app: Help (?)", "Every key of this screen", self.action_help)
        yield SystemCommand("app: Theme", "Change the colours", self.action_change_theme)
        yield SystemCommand("app: Quit (q)", "Leave mlpl-tui", self.action_quit)

    def _show(self, mode: str) -> Callable[[], None]:
        return lambda: self.action_show(mode)


@dataclass(frozen=True)
class LearningOffer:
    """What `L` presets just after a loop back or an abandoned experiment, until `until`."""

    source: str
    stage: str | None
    module: str | None
    until: float  # time.monotonic()


def _read_runs(folder: Path) -> tuple[list[Run], str | None]:
    """The runs near `folder`, or none and the reason they could not be read."""
    from mlpl_tui.runs import find_runs

    try:
        return list(find_runs(folder)), None
    except MlplError as exc:  # TrackerError: a locked or corrupt store, named
        return [], str(exc)
    except (OSError, ValueError) as exc:
        return [], f"the runs near {folder} could not be read: {exc}"
    except Exception as exc:  # a reader's bug: said in the dialog, which must not wait forever
        return [], f"the runs near {folder} could not be read ({type(exc).__name__}: {exc})"


def _terminal_present() -> bool:
    return _is_terminal(sys.__stdin__)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def _leave_when_the_terminal_hangs_up() -> None:
    """End the process once its terminal is gone, e.g. a dropped SSH link whose hang-up signal
    the app did not get (nohup, a multiplexer killed around `make demo`).

    Left alone, the app stays behind at full CPU on the dead terminal, or blocks for ever
    writing to it, so this runs in its own thread, not on the event loop, and leaves at once:
    every change is already saved, and a write cut short leaves the file as it was (atomic
    rename) and only a temporary file the next write removes.
    """
    while _terminal_present():
        time.sleep(DISK_POLL_SECONDS)
    os._exit(0)


def _collect_garbage_from_now_on() -> None:
    """After the first frame: what start-up built stays for good, so the collector skips it."""
    if not gc.isenabled():  # `mlpl-tui` starts with collection off (cli.main)
        gc.freeze()
        gc.enable()


def cmd_open(session: Session) -> int:
    """No command: open the terminal UI on the project found from here."""
    from mlpl_tui.errors import UsageError
    from mlpl_tui.framework import find_framework, load_framework

    # Textual reads keys from standard input and draws on standard error: either one piped or
    # sent to a file, it would draw into it and spin on an input that never comes.
    if not (_is_terminal(sys.__stdin__) and _is_terminal(sys.__stderr__)):
        raise UsageError(
            "the terminal UI needs a terminal, and standard input or error is not one; "
            "run mlpl-tui in a terminal, or a command such as 'mlpl-tui status'"
        )
    mouse = not session.args.no_mouse
    try:
        path = session.path
    except UsageError:
        # No state file: the welcome screen offers to create one here (or at --file/MLPL_FILE).
        explicit = getattr(session.args, "file", None) or os.environ.get("MLPL_FILE")
        new_file = Path(explicit) if explicit else Path.cwd() / "mlpl.json"
        override = getattr(session.args, "framework", None)
        framework = load_framework(find_framework(new_file, override))
        MlplApp(None, framework, session.context, new_file=new_file).run(mouse=mouse)
        return 0
    app = MlplApp(Store(path), session.framework, session.context)
    app.run(mouse=mouse)
    return 0
