"""Property test of the merge driver: random edit scripts on two branches from a random base."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import orjson
from hypothesis import event, given, settings
from hypothesis import strategies as st

from mlpl_tui import lifecycle
from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.integrity import check
from mlpl_tui.lifecycle import Context
from mlpl_tui.merge import DERIVED_FIELDS, MISSING, STAMP_FIELDS
from mlpl_tui.model import Change, Project
from mlpl_tui.progress import iteration
from mlpl_tui.store import dump, parse_state
from mlpl_tui.team import merge_versions
from tests.conftest import fixed_ids
from tests.merge_helpers import Tables, apply_change, new_tables

MODULES = [
    "business.objectives",
    "business.stakeholders",
    "data.acquisition",
    "data.cleaning",
    "modelling.baseline",
    "delivery.acceptance",
]
STAGES = ["business", "data", "modelling", "delivery"]

OPERATION = st.one_of(
    st.tuples(
        st.just("set"),
        st.sampled_from(MODULES),
        st.sampled_from(["done", "done", "doing", "todo", "skipped"]),
        st.sampled_from([None, "a note", "another note"]),
    ),
    st.tuples(st.just("finish"), st.sampled_from(STAGES)),
    st.tuples(st.just("decide"), st.sampled_from(["A", "B"]), st.none() | st.integers(0, 5)),
    st.tuples(st.just("log"), st.sampled_from(["30m", "1h", "2h"]), st.none() | st.integers(0, 3)),
    st.tuples(st.just("experiment"), st.sampled_from(["GBM", "Linear"])),
    st.tuples(st.just("abandon"), st.integers(0, 3), st.sampled_from(["slow", "worse"])),
    st.tuples(st.just("keep"), st.integers(0, 3)),
    st.tuples(st.just("switch"), st.sampled_from(STAGES), st.none() | st.integers(0, 4)),
    st.tuples(st.just("advance"), st.booleans()),
    st.tuples(st.just("answer"), st.integers(1, 5), st.sampled_from(["yes", "no", "partly"])),
)
# Moving through the stages is what makes timelines diverge: give it more weight.
MOVE = st.one_of(
    st.tuples(st.just("finish"), st.sampled_from(STAGES)),
    st.tuples(st.just("advance"), st.booleans()),
    st.tuples(st.just("switch"), st.sampled_from(STAGES), st.none() | st.integers(0, 4)),
)
SCRIPT = st.lists(st.tuples(st.integers(0, 2), OPERATION | MOVE), max_size=12)
BRANCH = st.lists(st.tuples(st.integers(0, 2), OPERATION | MOVE), min_size=1, max_size=12)


def run_script(
    tables: Tables,
    framework: Framework,
    script: list[tuple[int, tuple[Any, ...]]],
    who: str,
    start: int,
    make_id: Callable[[], str],
) -> Tables:
    """Apply each operation a few seconds after the previous one (0 s: the same second)."""
    second = start
    for step, operation in script:
        second += step
        now = f"2026-03-02T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        ctx = Context(who, now, make_id=make_id)
        project = Project(tables)
        try:
            change = _rule(project, framework, ctx, operation)
        except (RuleError, UsageError):
            continue
        tables = apply_change(tables, change, ctx)
    return tables


def _pick(records: tuple[Any, ...], index: int | None) -> str | None:
    return records[index % len(records)].id if records and index is not None else None


def _rule(p: Project, f: Framework, c: Context, operation: tuple[Any, ...]) -> Change:
    kind, *args = operation
    if kind == "set":
        return lifecycle.set_status(p, f, c, args[0], args[1], note=args[2])
    if kind == "finish":
        puts = [
            put
            for m in f.stage(args[0]).required_modules
            for put in lifecycle.set_status(p, f, c, m.id, "done").puts
        ]
        return Change("module.set", f"finished {args[0]}", puts)
    if kind == "decide":
        return lifecycle.decide(p, f, c, args[0], "why not", supersedes=_pick(p.decisions, args[1]))
    if kind == "log":
        experiment = _pick(p.experiments, args[1])
        return lifecycle.log_effort(p, f, c, args[0], experiment=experiment)
    if kind == "experiment":
        return lifecycle.add_experiment(p, f, c, args[0])
    if kind in ("abandon", "keep"):
        found = _pick(p.experiments, args[0])
        if found is None:
            raise UsageError("no experiment")
        if kind == "keep":
            return lifecycle.keep_experiment(p, c, found)
        return lifecycle.abandon_experiment(p, c, found, args[1])
    if kind == "switch":
        modules = f.stage(args[0]).modules
        module = None if args[1] is None else modules[args[1] % len(modules)].id
        return lifecycle.switch_back(p, f, c, args[0], "data", "surprise", module)
    if kind == "advance":
        return lifecycle.advance(p, f, c, force=args[0], why="deadline")
    return lifecycle.answer_question(p, f, c, str(args[0]), args[1])


def last_update(base: Tables, side: Tables, table: str, id: str) -> str:
    """The later-update rule, restated: newest event of that side since base naming the record."""
    new = [
        str(e["at"])
        for key, e in side.get("events", {}).items()
        if key not in base.get("events", {}) and id in e["refs"]
    ]
    if new:
        return max(new)
    return str(side.get(table, {}).get(id, {}).get("updated_at") or "")


def same(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def check_merge(framework: Framework, base: Tables, ours: Tables, theirs: Tables) -> None:
    merged_bytes, result = merge_versions("mlpl.json", dump(base), dump(ours), dump(theirs))

    # Valid, readable, and in the store's exact format; deterministic.
    parse_state(merged_bytes, "merged")
    merged: Tables = orjson.loads(merged_bytes)
    assert dump(merged) == merged_bytes
    assert merge_versions("mlpl.json", dump(base), dump(ours), dump(theirs))[0] == merged_bytes
    if dump(ours) == dump(base):
        assert merged_bytes == dump(theirs)
    if dump(theirs) == dump(base):
        assert merged_bytes == dump(ours)

    recorded = {(c.table, c.record, c.field): c for c in result.conflicts}
    event(f"conflicts: {min(len(recorded), 3)}+")
    for table, _, name in recorded:
        event(f"conflict on {table}.{name}")
    assert len(recorded) == len(result.conflicts)
    expected: set[tuple[str, str, str]] = set()

    def unlinked(table: str, id: str, name: str, value: Any) -> bool:
        # A successor whose predecessor both sides superseded differently, and which lost.
        if (table, name) != ("decisions", "supersedes") or not isinstance(value, str):
            return False
        conflict = recorded.get(("decisions", value, "superseded_by"))
        return conflict is not None and conflict.other == id

    for table in set(ours) | set(theirs):
        for id in set(ours.get(table, {})) | set(theirs.get(table, {})):
            assert id in merged.get(table, {}), f"{table} '{id}' lost"
            out = merged[table][id]
            b = base.get(table, {}).get(id, {})
            o, t = ours.get(table, {}).get(id), theirs.get(table, {}).get(id)
            for name in set(o or {}) | set(t or {}) | set(b):
                if name in DERIVED_FIELDS.get(table, ()):
                    continue
                vb = b.get(name, MISSING)
                vo = MISSING if o is None else o.get(name, MISSING)
                vt = MISSING if t is None else t.get(name, MISSING)
                got = out.get(name, MISSING)
                if o is None or t is None:
                    want = vt if o is None else vo
                elif same(vo, vt) or same(vb, vt):
                    want = vo
                elif same(vb, vo):
                    want = vt
                else:
                    later = (
                        "theirs"
                        if last_update(base, theirs, table, id) > last_update(base, ours, table, id)
                        else "ours"
                    )
                    want = vo if later == "ours" else vt
                    if name not in STAMP_FIELDS:
                        expected.add((table, id, name))
                        conflict = recorded[(table, id, name)]
                        assert conflict.kept == later
                        assert same(conflict.ours, None if vo is MISSING else vo)
                        assert same(conflict.theirs, None if vt is MISSING else vt)
                if not same(got, want):
                    assert got is None and unlinked(table, id, name, want), (table, id, name)

    # Conflicts exactly where both sides changed a field differently, each stored once.
    assert set(recorded) == expected
    for conflict in result.conflicts:
        assert merged["conflicts"][conflict.id]["resolved"] is False

    # Cross-record consistency: the only integrity errors are the recorded conflicts.
    project = Project(merged)
    errors = [p.text for p in check(project, framework) if p.level == "error"]
    assert len(errors) == len({c.id for c in result.conflicts}), errors
    assert all(e.startswith("unresolved merge conflict") for e in errors), errors

    # One timeline: one open visit (the last) unless accepted; iterations counted along it.
    visits = project.visits
    assert [v.left_at is None for v in visits[:-1]] == [False] * (len(visits) - 1)
    assert visits[-1].left_at is None or visits[-1].outcome == "accepted"
    for before, after in itertools.pairwise(visits):
        assert before.left_at is not None and before.left_at <= after.entered_at
        assert after.iteration == before.iteration + (after.how == "switch")
    assert visits[0].iteration == 1
    assert iteration(project) == max(v.iteration for v in visits)
    numbers = {v.switch: v.iteration for v in visits if v.switch}
    assert all(numbers.get(s.id, s.iteration) == s.iteration for s in project.switches)
    assert all(1 <= e.iteration <= iteration(project) for e in project.effort)


EXAMPLES = settings().max_examples * 20  # 2,000 with the default (ci) profile


@settings(max_examples=EXAMPLES, deadline=None)
@given(base_script=SCRIPT, our_script=BRANCH, their_script=BRANCH, start=st.integers(0, 3))
def test_merging_random_branches_keeps_every_change(
    framework: Framework,
    base_script: list[tuple[int, tuple[Any, ...]]],
    our_script: list[tuple[int, tuple[Any, ...]]],
    their_script: list[tuple[int, tuple[Any, ...]]],
    start: int,
) -> None:
    first = Context("base", "2026-03-02T10:00:00Z", make_id=fixed_ids("b"))
    base = run_script(new_tables(first), framework, base_script, "base", 1, first.make_id)
    end = 1 + sum(step for step, _ in base_script)
    ours = run_script(base, framework, our_script, "ours", end + start, fixed_ids("o"))
    theirs = run_script(base, framework, their_script, "theirs", end + 1, fixed_ids("t"))
    check_merge(framework, base, ours, theirs)
    # What the examples exercised (shown by --hypothesis-show-statistics).
    moved = [side["visits"] != base["visits"] for side in (ours, theirs)]
    event(f"branches that moved stage: {sum(moved)}")
    changed = [len(side["events"]) - len(base["events"]) for side in (ours, theirs)]
    event(f"changes on both branches: {min(changed) > 0}")
    event(f"base changes: {min(len(base['events']) - 1, 5)}+")
