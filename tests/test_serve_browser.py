"""The web view in a real browser: Debian's chromium driven by Playwright (no downloaded browser).

Skipped when chromium or Playwright is absent (`.ci/run` installs chromium; the dev extra brings
Playwright).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mlpl_tui.cli import main
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework
from mlpl_tui.serve import Config
from tests.conftest import required_in_ci
from tests.test_serve import serving

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

required_in_ci("Debian's chromium is not installed (make browser)" if CHROMIUM is None else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture
def demo_served(tmp_path: Path, framework: Framework) -> Iterator[tuple[Path, Config]]:
    state = copy_demo(tmp_path / "demo")
    with serving(state, framework) as config:
        yield state, config


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
    pages = ("", "journey.html", "timeline.html", "decisions.html", "experiments.html")
    for name in (*pages, "learnings.html", "artifacts.html"):
        response = page.goto(base + name)
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("load")
        assert page.locator("nav.site").is_visible()
        assert page.locator("h2").first.is_visible()
        # Nothing wider than the screen but what scrolls inside its own table.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width + 1, (name, overflow)
        if width < 640:  # on a phone a table's rows are cards: none scrolls sideways
            boxes = page.evaluate(
                "[...document.querySelectorAll('.wide')].filter("
                "e => e.scrollWidth > e.clientWidth + 1).length"
            )
            assert boxes == 0, name
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


PAGES = ("", "journey.html", "timeline.html", "decisions.html", "experiments.html")
# Wider than the screen: what reaches past the right edge, naming the first few.
OVERFLOWING = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.wide, .chart'))
    .slice(0, 3).map(e => e.tagName + ' ' + e.className.baseVal + e.className);
}"""
PRINTED = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .slice(0, 3).map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40));
}"""


def test_the_timeline_scrolls_in_its_own_box_on_a_phone(
    demo_served: tuple[Path, Config], browser: Browser
) -> None:
    _, config = demo_served
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"http://127.0.0.1:{config.port}/timeline.html")
    chart = page.locator(".chart").first
    box = chart.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert box[1] >= 640 > box[0], box  # readable, and scrolled sideways in its box
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert page.evaluate(OVERFLOWING) == []


def test_every_page_prints_within_the_paper(
    demo_served: tuple[Path, Config], browser: Browser
) -> None:
    _, config = demo_served
    # A4 less the 14 mm margins, at 96 px to the inch: 688 px across.
    page = browser.new_page(viewport={"width": 688, "height": 1000})
    page.emulate_media(media="print")
    for name in (*PAGES, "learnings.html", "artifacts.html"):
        page.goto(f"http://127.0.0.1:{config.port}/{name}")
        assert page.evaluate(PRINTED) == [], name
        assert page.locator("nav.site").is_hidden()
    assert len(page.pdf(format="A4")) > 1000


def test_hostile_text_shows_as_text_in_the_browser(
    tmp_path: Path, framework: Framework, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = (
        "<img src=x onerror=alert(1)> <script>alert(2)</script> [bold]b[/bold] \x1b[31mred "
        '"><svg onload=alert(3)> javascript:alert(4)'
    )
    monkeypatch.setenv("MLPL_USER", hostile)
    state = tmp_path / "mlpl.json"

    def run(*args: str) -> None:
        assert main(["--file", str(state), *args]) == 0, args

    run("init", "--name", hostile)
    run("decide", hostile, "--decision", hostile, "--why", hostile)
    run("experiment", "add", hostile, "--hypothesis", hostile)
    run("learn", hostile)
    run("log", "1h", "--note", hostile)
    run("set", "business.objectives", "doing", "--note", hostile)
    with serving(state, framework) as config:
        page = browser.new_page()
        problems = _watch(page)
        dialogs: list[str] = []

        def dismissed(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismissed)
        for name in (*PAGES, "learnings.html"):
            response = page.goto(f"http://127.0.0.1:{config.port}/{name}")
            assert response is not None and response.status == 200, name
            page.wait_for_load_state("load")
            text = page.locator("body").inner_text()
            assert "<script>alert(2)</script>" in text, name
            assert "<img src=x onerror=alert(1)>" in text, name
            assert page.locator("img, svg[onload], body script:not([src])").count() == 0, name
        assert dialogs == [] and problems == []


def test_a_post_from_the_page_is_refused(
    demo_served: tuple[Path, Config], browser: Browser
) -> None:
    state, config = demo_served
    before = state.read_bytes()
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{config.port}/")
    for method in ("POST", "PUT", "DELETE"):
        status = page.evaluate(f"fetch('/', {{method: '{method}', body: 'x'}}).then(r => r.status)")
        assert status == 405, method
    assert state.read_bytes() == before


def test_a_rebound_name_is_refused_in_the_browser(
    demo_served: tuple[Path, Config],
) -> None:
    """DNS rebinding: an attacker's name made to resolve to 127.0.0.1 reaches the server, but
    its Host header names the attacker, so nothing is served."""
    _, config = demo_served
    with sync_api.sync_playwright() as p:
        rules = "--host-resolver-rules=MAP rebind.example 127.0.0.1"
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", rules])
        try:
            page = launched.new_page()
            response = page.goto(f"http://rebind.example:{config.port}/")
            assert response is not None and response.status == 421
            assert "Seasonal demand" not in page.content()
        finally:
            launched.close()


def test_off_loopback_the_browser_needs_the_token_once(
    tmp_path: Path, framework: Framework, browser: Browser
) -> None:
    state = copy_demo(tmp_path / "demo")
    with serving(state, framework, host="0.0.0.0") as config:
        assert config.token
        base = f"http://127.0.0.1:{config.port}"
        page = browser.new_page()
        refused = page.goto(base + "/decisions.html")
        assert refused is not None and refused.status == 403
        assert "Seasonal demand" not in page.content()
        first = page.goto(f"{base}/decisions.html?token={config.token}")
        assert first is not None and first.status == 200
        assert page.url == base + "/decisions.html"  # the token left the address bar
        assert "mlpl_token" not in page.evaluate("document.cookie")  # HttpOnly
        again = page.goto(base + "/timeline.html")  # the cookie from now on
        assert again is not None and again.status == 200
        stranger = browser.new_page()  # a browser of its own: no cookie
        refused = stranger.goto(base + "/timeline.html")
        assert refused is not None and refused.status == 403
