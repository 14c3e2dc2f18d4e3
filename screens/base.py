"""The typed contract between the app and its screens, and the screen that redraws the project.

`Host` is the app as screens and dialogs see it; `MlplApp` implements it, and no screen imports
the app. `ProjectView` is a screen as the app sees it: the app calls `show` with every new
snapshot, opens dialogs on the view's `stage_id` and `highlighted_module`, and lists its
`palette_commands`. `came_from` is the rule behind `escape` on the secondary screens.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from mlpl_tui.artifact_files import ArtifactState, Completion
from mlpl_tui.changes import EditConflict
from mlpl_tui.errors import MlplError
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.model import Change, Project
from mlpl_tui.runs import Run

Rule = Callable[[Project, Framework, Context], Change]
# What the app hands back once the trackers are read: the runs found, or the reason in words.
RunsFound = Callable[[Sequence[Run], str | None], None]


class Host:
    """What screens and dialogs may ask of the app: the snapshot, the framework, ways to act.

    A plain base class rather than a Protocol: Textual's metaclass cannot be mixed with
    Protocol's, and `host_of` checks it with a cheap isinstance. mypy reports an app that leaves
    a method out (`abstractmethod` needs no ABCMeta for that).
    """

    @property
    @abstractmethod
    def project(self) -> Project:
        """The current snapshot (raises when no project is open)."""

    @property
    @abstractmethod
    def framework(self) -> Framework:
        """The framework the project follows."""

    @abstractmethod
    def context(self) -> Context:
        """Who acts and the injected clock; screens show times from here, never the wall clock."""

    @abstractmethod
    def act(self, rule: Rule) -> Change | None:
        """Apply one rule through the store; None (and the refusal notified) when refused."""

    @abstractmethod
    def attempt(self, rule: Rule) -> tuple[Change | None, str | None]:
        """Apply one rule; the change, or None and the refusal in words for a dialog to show."""

    @abstractmethod
    def attempt_edit(self, rule: Rule) -> tuple[Change | None, str | None, EditConflict | None]:
        """Like `attempt`, and when a field changed since the user started editing it, the
        conflict itself (the snapshot then already holds the stored value)."""

    @abstractmethod
    def show_problem(self, message: str) -> None:
        """Open the read-only problem screen: the state file (or one record) cannot be read."""

    @abstractmethod
    def create_project(self, name: str) -> str | None:
        """Create the state file the welcome screen offers; the error in words, or None."""

    @abstractmethod
    def go_back(self) -> None:
        """Leave a secondary screen for the one the user came from (`escape`)."""

    # --- artifacts: files on disk are the app's to read, never a screen's -----------------------

    @property
    @abstractmethod
    def artifact_states(self) -> Sequence[ArtifactState]:
        """Every artifact of the current snapshot with its state (files read once per snapshot)."""

    @abstractmethod
    def refresh_artifact_states(self) -> None:
        """Read the attached files again (they changed outside the state file) and redraw."""

    @abstractmethod
    def project_location(self, typed: str) -> str:
        """A typed path or URL as it would be stored; MlplError says why it cannot be attached."""

    @abstractmethod
    def complete_location(self, typed: str) -> Completion:
        """Complete a typed path from the files and folders inside the project folder."""

    @abstractmethod
    def open_location(self, location: str) -> str | None:
        """Open an attached file in $VISUAL or $EDITOR; the reason in words when it cannot."""

    @abstractmethod
    def write_document(self, artifact_id: str) -> tuple[str | None, str | None]:
        """Write an artifact's document from its template at its declared path and attach it:
        the location written, or the reason in words when nothing was written."""

    @abstractmethod
    def refresh_document(self, artifact_id: str) -> tuple[list[str], str | None]:
        """Rewrite the generated parts of an artifact's Markdown documents: the locations
        rewritten, or the reason in words when nothing was written."""

    # --- tracker runs: their stores are files, read by the app ---------------------------------

    @abstractmethod
    def look_for_runs(self, done: RunsFound) -> None:
        """Read the trackers' stores near the project off the UI thread, then call `done` on it
        with the runs found (newest first), or no runs and the reason they could not be read."""

    # --- learnings --------------------------------------------------------------------------------

    @abstractmethod
    def offer_learning(self, source: str, stage: str | None, module: str | None) -> None:
        """After a loop back or an abandoned experiment: offer to note what it taught (`L` then
        opens the learning dialog with `source` preset, for a while)."""


def host_of(app: App[Any]) -> Host:
    """The app as a `Host`; screens run only inside an app that implements the contract."""
    if not isinstance(app, Host):
        raise TypeError(f"{type(app).__name__} does not implement mlpl_tui.screens.base.Host")
    return app


def is_secondary(mode: str) -> bool:
    """A main screen reached from anywhere to look something up (decisions, history, effort,
    ...): any but the dashboard and the stages. `escape` leaves it again."""
    return mode != "dashboard" and not mode.startswith("stage-")


def came_from(trail: list[str], here: str, going: str) -> list[str]:
    """The way back (oldest first) after going from mode `here` to mode `going`.

    A main screen (dashboard, stage) starts afresh; a secondary screen remembers where it was
    opened from, and opening one already on the way back returns to it, so the trail never
    grows past the secondary screens and `escape` never runs in circles.
    """
    if going == here:
        return trail
    if not is_secondary(going):
        return []
    if going in trail:
        return trail[: trail.index(going)]
    return [*trail, here]


class ProjectView:
    """What the app may ask of the screen on top: redraw, the stage it is about, its commands."""

    stage_id: str | None = None  # the stage dialogs opened from here are about (None: current)

    @property
    def highlighted_module(self) -> str | None:
        """The module dialogs opened from here (`d`, `t`) are about, or None."""
        return None

    def point_at(self, module_id: str) -> None:
        """Highlight `module_id` when this view lists it (after a loop back to it)."""

    def show(self, project: Project) -> None:
        """Draw `project`; cheap and idempotent (it runs after every change and disk reload)."""

    @property
    def learning_source(self) -> str | None:
        """The record (switch, experiment, decision) a learning noted here comes from, if any."""
        return None

    def help_section(self) -> tuple[str, Sequence[tuple[str, str]]] | None:
        """Keys the help screen lists besides the active ones (those of a list that does not
        have focus): a heading and `(key, what it does)` lines, or None."""
        return None

    def palette_commands(self) -> Iterable[SystemCommand]:
        """This view's actions for the command palette."""
        return ()


class ProjectScreen(Screen[None], ProjectView):
    """A full screen showing the project; `show` runs on resume and after every change."""

    @property
    def host(self) -> Host:
        return host_of(self.app)

    def on_screen_resume(self) -> None:
        self.redraw()

    def action_go_back(self) -> None:
        """Back to the screen this one was opened from (bound to `escape` where it applies)."""
        self.host.go_back()

    def redraw(self) -> None:
        """Show the current project, or open the problem screen when a record cannot be read."""
        try:
            self.show(self.host.project)
        except MlplError as exc:
            # A record the snapshot could not read (records are read lazily): the app opens
            # its read-only problem screen instead of crashing.
            self.host.show_problem(str(exc))
