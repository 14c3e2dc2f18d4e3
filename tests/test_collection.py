"""Garbage collection is off while loading and back on once the app has drawn its first screen."""

from __future__ import annotations

import gc
from collections.abc import Callable

from mlpl_tui.framework import Framework
from mlpl_tui.store import Store
from tests.apphelp import SIZE, make_app
from tests.conftest import Result


async def test_the_app_collects_again_after_its_first_frame(
    store: Store, framework: Framework
) -> None:
    gc.disable()  # as `mlpl-tui` starts (cli.main)
    try:
        app = make_app(store, framework)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert gc.isenabled(), "a long-running app must collect garbage"
    finally:
        gc.enable()


def test_a_headless_command_leaves_collection_as_it_found_it(
    cli: Callable[..., Result],
) -> None:
    assert gc.isenabled()
    assert cli("init").code == 0
    assert cli("status").code == 0
    assert cli("set", "nowhere", "done").code == 2
    assert gc.isenabled()
