"""Helpers for merge tests: projects as tables in memory, changed by the lifecycle rules.

Changes are applied by the production code (`changes.apply_change`, through a `MemoryStore`),
so what the merge tests build is exactly what the store would have written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlpl_tui import changes
from mlpl_tui.changes import Data
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import Change, Project
from mlpl_tui.store import MemoryStore, dump, new_data
from tests.conftest import fixed_ids

Tables = Data


def new_tables(ctx: Context) -> Tables:
    """A new project's tables, as Store.create writes them."""
    return new_data(new_project("Merge", ctx))


def apply_change(tables: Tables, change: Change, ctx: Context) -> Tables:
    """What a store writes for `change` made in `ctx` (history ids from `ctx.make_id`)."""
    return changes.apply_change(tables, change, ctx.who, ctx.now, ctx.make_id)


class Branch:
    """One line of work on a copy of the tables: each step is a lifecycle rule at a given time."""

    def __init__(self, tables: Tables, framework: Framework, who: str, prefix: str) -> None:
        self.framework = framework
        self.who = who
        self.make_id = fixed_ids(prefix)
        self.tables = tables

    @property
    def tables(self) -> Tables:
        return self._store.data

    @tables.setter
    def tables(self, tables: Tables) -> None:
        # Records and history events draw from one id sequence, as a Context's make_id does.
        self._store = MemoryStore(tables, make_id=self.make_id)

    @property
    def project(self) -> Project:
        return self._store.load()

    def do(self, at: str, rule: Callable[..., Change], *args: Any, **kw: Any) -> Change:
        """Apply `rule(project, framework, ctx, *args)` at HH:MM:SS on 2 March 2026."""
        ctx = Context(self.who, f"2026-03-02T{at}Z", make_id=self.make_id)
        applied = self._store.apply(
            lambda project: rule(project, self.framework, ctx, *args, **kw), ctx.who, ctx.now
        )
        return applied.change

    def fork(self, who: str, prefix: str) -> Branch:
        return Branch(self.tables, self.framework, who, prefix)

    def bytes(self) -> bytes:
        return dump(self.tables)
