"""The web view in a real browser: Debian's chromium driven by Playwright (no downloaded browser).

Skipped when chromium or Playwright is absent (`.ci/run` installs chromium; the dev extra brings
Playwright).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mlpl_tui.cli import main
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework
from mlpl_tui.serve import Config, Source, make_server

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture
def demo_served(tmp_path: Path, framework: Framework) -> Iterator[tuple[Path, Config]]:
    state = copy_demo(tmp_path / "demo")
    server, config = make_server(Source(state, framework), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state, config
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def _watch(page: Page) -> list[str]:
    """Console errors and page errors (a CSP violation is a console error)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_the_demo_renders_without_console_errors(
    demo_served: tuple[Path, Config], browser: Browser, width: int
) -> None:
    _, config = demo_served
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = _watch(page)
    base = f"http://127.0.0.1:{config.port}/"
    for name in ("", "journey.html", "timeline.html", "decisions.html", "experiments.html"):
        response = page.goto(base + name)
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("load")
        assert page.locator("nav.site").is_visible()
        assert page.locator("h2").first.is_visible()
        # Nothing wider than the screen but what scrolls inside its own table.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width + 1, (name, overflow)
    assert problems == []


def test_a_cli_change_appears_in_the_open_page_within_5_seconds(
    demo_served: tuple[Path, Config],
    browser: Browser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state, config = demo_served
    page = browser.new_page()
    problems = _watch(page)
    page.goto(f"http://127.0.0.1:{config.port}/decisions.html")
    assert "Served live from the CLI" not in page.content()
    monkeypatch.setenv("MLPL_USER", "tester")
    code = main(["--file", str(state), "decide", "Served live from the CLI", "--decision", "x"])
    assert code == 0
    started = time.monotonic()
    page.get_by_text("Served live from the CLI").first.wait_for(timeout=5000)
    assert time.monotonic() - started < 5
    assert problems == []
