"""The learnings log: noting, filing and correcting learnings, their sources, undo of a removal."""

from __future__ import annotations

import pytest

from mlpl_tui.changes import EditConflict
from mlpl_tui.errors import RuleError, UsageError
from mlpl_tui.framework import Framework
from mlpl_tui.history import undo
from mlpl_tui.learnings import edit_learning, learn, remove_learning, source_ids, source_table
from mlpl_tui.lifecycle import Context, add_experiment, advance, decide, set_status, switch_back
from mlpl_tui.store import Store
from tests.conftest import apply, fixed_ids


def looped_back(store: Store, framework: Framework, ctx: Context) -> str:
    """Into Data and back to Business; the switch's id."""
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, advance)
    # Ids of their own, so that a short prefix names the switch alone.
    by_switch = Context(ctx.who, ctx.now, make_id=fixed_ids("sw"))
    project = apply(store, framework, by_switch, switch_back, "business", "data", "labels wrong")
    (switch,) = project.switches
    return switch.id


def test_a_learning_is_filed_under_the_current_stage_with_its_sources(
    store: Store, framework: Framework, ctx: Context
) -> None:
    switch = looped_back(store, framework, ctx)
    project = apply(store, framework, ctx, add_experiment, "GBM", stage="modelling")
    (experiment,) = project.experiments
    change = learn(
        project,
        framework,
        ctx,
        "  The labels lag a week behind.  ",
        sources=[switch[:4], experiment.id, switch],  # a prefix is enough; repeats go
    )
    assert change.action == "learning.add" and change.result
    project = apply(store, framework, ctx, learn, "Noted", sources=[switch])
    found = apply(
        store,
        framework,
        ctx,
        learn,
        "The labels lag a week behind.",
        module="data.cleaning",
        sources=[switch[:4], experiment.id, switch],
    ).learnings
    assert [x.text for x in found] == ["Noted", "The labels lag a week behind."]
    first, second = found
    assert (first.stage, first.module) == ("business", None)  # the current stage
    assert (second.stage, second.module) == ("data", "data.cleaning")
    assert second.sources == (switch, experiment.id)
    assert (second.created_by, second.created_at) == ("tester", ctx.now)
    project = store.load()
    assert source_table(project, switch) == "switches"
    assert source_table(project, experiment.id) == "experiments"
    assert source_table(project, "nothing") is None


def test_empty_text_and_unknown_sources_are_refused(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = store.load()
    with pytest.raises(UsageError, match="must not be empty"):
        learn(project, framework, ctx, " \n ")
    with pytest.raises(UsageError, match="'zzz' is not found"):
        learn(project, framework, ctx, "x", sources=["zzz"])
    with pytest.raises(UsageError, match="unknown stage"):
        learn(project, framework, ctx, "x", stage="nowhere")


def test_an_ambiguous_source_prefix_is_refused(
    store: Store, framework: Framework, ctx: Context
) -> None:
    apply(store, framework, ctx, decide, "A", "a")  # ids id0001..., so "id" names both
    project = apply(store, framework, ctx, decide, "B", "b")
    with pytest.raises(UsageError, match="ambiguous"):
        source_ids(project, ["id"])
    ids = [d.id for d in project.decisions]
    assert source_ids(project, [*ids, "", ids[0]]) == ids


def test_edit_changes_only_what_differs_and_refuses_an_edit_made_meanwhile(
    store: Store, framework: Framework, ctx: Context
) -> None:
    project = apply(store, framework, ctx, learn, "Lag of a week")
    (found,) = project.learnings
    assert edit_learning(project, framework, ctx, found.id, text="Lag of a week").puts == []
    change = edit_learning(
        project, framework, ctx, found.id[:5], text="Lag of two weeks", stage="data"
    )
    assert "text, stage" in change.summary
    started = {"text": found.text}
    project = apply(store, framework, ctx, edit_learning, found.id, text="Lag of 9 days")
    with pytest.raises(EditConflict):
        apply(store, framework, ctx, edit_learning, found.id, text="Mine", started=started)
    assert project.learnings[0].text == "Lag of 9 days"
    project = apply(store, framework, ctx, edit_learning, found.id, module="data.cleaning")
    assert (project.learnings[0].stage, project.learnings[0].module) == ("data", "data.cleaning")
    project = apply(store, framework, ctx, edit_learning, found.id, sources=[])
    assert project.learnings[0].sources == ()
    with pytest.raises(UsageError, match="no learning"):
        edit_learning(project, framework, ctx, "nope", text="x")


def test_a_removed_learning_comes_back_whole_with_undo(
    store: Store, framework: Framework, ctx: Context
) -> None:
    switch = looped_back(store, framework, ctx)
    project = apply(store, framework, ctx, learn, "Lag\nof a week", sources=[switch])
    (before,) = project.learnings
    project = apply(store, framework, ctx, lambda p, f, c: remove_learning(p, c, before.id))
    assert project.learnings == ()
    assert project.events[-1].action == "learning.remove"
    project = apply(store, framework, ctx, lambda p, f, c: undo(p, c.who))
    assert project.learnings == (before,)
    with pytest.raises(RuleError):
        apply(store, framework, Context("someone else", ctx.now), lambda p, f, c: undo(p, c.who))
