"""The journey: one step per visit, loop backs carry their switch."""

from __future__ import annotations

from mlpl_tui.framework import Framework
from mlpl_tui.journey import journey
from mlpl_tui.lifecycle import Context, advance, set_status, switch_back
from mlpl_tui.store import Store
from tests.conftest import apply


def test_journey_has_one_step_per_visit_and_names_the_switch(
    store: Store, framework: Framework, ctx: Context
) -> None:
    for module in framework.stage("business").required_modules:
        apply(store, framework, ctx, set_status, module.id, "done")
    apply(store, framework, ctx, advance)
    apply(store, framework, ctx, switch_back, "business", "data", "Only one season of data")
    steps = journey(store.load(), framework)
    assert [(s.number, s.stage_number, s.visit.iteration) for s in steps] == [
        (1, 1, 1),
        (2, 2, 1),
        (3, 1, 2),
    ]
    assert [s.is_loop_back for s in steps] == [False, False, True]
    last = steps[-1]
    assert last.switch is not None and last.switch.category == "data"
    assert last.switch.reason == "Only one season of data"
    assert last.is_open and not steps[0].is_open
