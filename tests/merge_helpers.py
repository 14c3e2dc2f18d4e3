"""Helpers for merge tests: projects as tables in memory, changed by the lifecycle rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, new_project
from mlpl_tui.model import META_ID, SCHEMA_VERSION, TABLES, Change, Project
from mlpl_tui.store import dump
from tests.conftest import fixed_ids

Tables = dict[str, dict[str, dict[str, Any]]]


def new_tables(ctx: Context) -> Tables:
    """A new project's tables, as Store.create writes them."""
    tables: Tables = {name: {} for name in TABLES}
    tables.update(new_project("Merge", ctx))
    tables["meta"][META_ID]["schema_version"] = SCHEMA_VERSION
    return tables


def apply_change(tables: Tables, change: Change, ctx: Context) -> Tables:
    """What Store.apply writes for a change, on tables in memory (a file per step is slow)."""
    result = {name: dict(table) for name, table in tables.items()}
    written = False
    for put in change.puts:
        table = result.setdefault(put.table, {})
        current = table.get(put.id)
        if current is not None and all(
            k in current and current[k] == v for k, v in put.fields.items()
        ):
            continue
        table[put.id] = {**(current or {}), **put.fields}
        written = True
    if written:
        events = result.setdefault("events", {})
        events[ctx.make_id()] = {
            "at": ctx.now,
            "by": ctx.who,
            "action": change.action,
            "summary": change.summary,
            "refs": sorted({put.id for put in change.puts}),
            "seq": len(events) + 1,
        }
    return result


class Branch:
    """One line of work on a copy of the tables: each step is a lifecycle rule at a given time."""

    def __init__(self, tables: Tables, framework: Framework, who: str, prefix: str) -> None:
        self.tables = tables
        self.framework = framework
        self.who = who
        self.make_id = fixed_ids(prefix)

    @property
    def project(self) -> Project:
        return Project(self.tables)

    def do(self, at: str, rule: Callable[..., Change], *args: Any, **kw: Any) -> Change:
        """Apply `rule(project, framework, ctx, *args)` at HH:MM:SS on 2 March 2026."""
        ctx = Context(self.who, f"2026-03-02T{at}Z", make_id=self.make_id)
        change = rule(self.project, self.framework, ctx, *args, **kw)
        self.tables = apply_change(self.tables, change, ctx)
        return change

    def fork(self, who: str, prefix: str) -> Branch:
        return Branch(self.tables, self.framework, who, prefix)

    def bytes(self) -> bytes:
        return dump(self.tables)
