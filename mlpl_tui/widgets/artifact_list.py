"""A stage's artifacts, one row each: a mark and the state in words, the title, the locations.

A row that keeps the gate shut or needs a look (stale, file missing, a required one missing) is
marked `[!]` and bold, never by colour alone. The keys ask the screen to act on the highlighted
artifact (messages up): `enter` open, `a` attach, `d` detach, `f` refresh its document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message

from mlpl_tui.widgets.pointer_list import KeyedList, pointed
from mlpl_tui.widgets.text import clip

STATE_WIDTH = 12  # "file missing"


@dataclass(frozen=True)
class ArtifactRow:
    """What one row shows."""

    id: str
    title: str
    state: str
    required: bool
    locations: tuple[str, ...]
    attention: bool  # stale, file missing, or missing and required: marked `[!]`


def artifact_mark(row: ArtifactRow) -> str:
    """`[!]` needs a look, `[x]` current, `[~]` attached (a link, not checked), `[ ]` missing."""
    if row.attention:
        return "[!]"
    return {"current": "[x]", "attached": "[~]"}.get(row.state, "[ ]")


def artifact_row_text(row: ArtifactRow, highlighted: bool = False) -> Text:
    """`▶ [!] stale        Data report (required)  docs/data-report.md`."""
    text = pointed(highlighted)
    style = "bold" if row.attention else ""
    text.append(f"{artifact_mark(row)} {row.state:<{STATE_WIDTH}} ", style=style)
    text.append(clip(row.title), style=style)  # titles come from mlpl.yaml or mlpl.json
    if row.required:
        text.append(" (required)")
    if row.locations:
        text.append("  " + clip(", ".join(row.locations)), style="italic")
    return text


class ArtifactList(KeyedList[ArtifactRow]):
    """The artifacts of one stage; its keys post a message naming the highlighted artifact."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="artifact-down"),
        Binding("k", "cursor_up", "Up", show=False, id="artifact-up"),
        Binding(
            "enter",
            "ask('open')",
            "Open",
            id="artifact-open",
            tooltip="Open the highlighted artifact's file in $VISUAL/$EDITOR (a link is shown)",
        ),
        Binding(
            "a",
            "ask('attach')",
            "Attach",
            id="artifact-attach",
            tooltip="Attach a file in the project or an http(s) link to the highlighted artifact",
        ),
        Binding(
            "d",
            "ask('detach')",
            "Detach",
            id="artifact-detach",
            tooltip="Detach a location from the highlighted artifact (asks first)",
        ),
        Binding(
            "f",
            "ask('refresh')",
            "Refresh doc",
            id="artifact-refresh",
            tooltip="Rewrite the generated parts of its Markdown document from the project",
        ),
        Binding(
            "w",
            "ask('write')",
            "Write doc",
            id="artifact-write",
            tooltip="Write its document from its template, at its path, and attach it (asks)",
        ),
    ]

    @dataclass
    class Asked(Message):
        """The user asked to open, attach, detach, refresh or write this artifact."""

        artifact_id: str
        what: str  # "open", "attach", "detach", "refresh" or "write"

    def prompt(self, row: ArtifactRow, highlighted: bool) -> Text:
        return artifact_row_text(row, highlighted)

    @property
    def artifact_id(self) -> str | None:
        return self.highlighted_id

    def action_ask(self, what: str) -> None:
        artifact_id = self.artifact_id
        if artifact_id is not None:
            self.post_message(self.Asked(artifact_id, what))
