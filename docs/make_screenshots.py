"""Screenshots of the bundled demo project for the README: the web view in Debian's chromium
(driven by Playwright) and the terminal timeline (Textual, headless).

Run with `.venv/bin/python docs/make_screenshots.py`; it writes docs/screenshots/ and prints
each file. The demo is copied to a temporary folder and served as `mlpl-tui serve` serves it, on
127.0.0.1 and a free port; the browser reaches nothing but that server. Times are shown in UTC
and the clocks (server, browser, terminal app) are fixed, so a rerun on the same machine gives
the same pictures (fonts are the machine's). Exits 1, after writing what it could, when a page
answers an error, logs a console error, asks for anything off the server, or is wider than its
screen.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error, Route, sync_playwright

from mlpl_tui.app import MlplApp
from mlpl_tui.demo import copy_demo
from mlpl_tui.framework import Framework, builtin_framework_path, load_framework
from mlpl_tui.lifecycle import Context
from mlpl_tui.screens.timeline import TimelineScreen
from mlpl_tui.serve import Source, make_server, url
from mlpl_tui.store import Store

OUT = Path(__file__).resolve().parent / "screenshots"
# Three days after the demo project was accepted: "today" for the server, the terminal app and
# the browser's Date (a closed project's timelines end at its close).
DEMO_NOW = "2026-04-20T10:00:00Z"
ZONE = "UTC"
TUI_SIZE = (100, 30)
WAIT_SECONDS = 20.0  # a generous bound: longer is a hang, not a slow machine
FOOTER_BOTTOM = "Math.ceil(document.querySelector('footer')?.getBoundingClientRect().bottom ?? 0)"


@dataclass(frozen=True)
class Shot:
    """One browser screenshot: the page, the viewport and the pixel ratio."""

    file: str
    page: str
    width: int
    height: int
    scale: int
    phone: bool


SHOTS = (
    Shot("web-overview-1280.png", "index.html", 1280, 900, 1, False),
    Shot("web-overview-390.png", "index.html", 390, 844, 2, True),
    Shot("web-timeline-1280.png", "timeline.html", 1280, 900, 1, False),
    Shot("web-timeline-390.png", "timeline.html", 390, 844, 2, True),
)


@contextmanager
def serving(state: Path, framework: Framework) -> Iterator[str]:
    """The web view of `state` on 127.0.0.1 (a free port), its clock fixed at DEMO_NOW; yields
    its URL."""
    source = Source(state, framework, clock=lambda: DEMO_NOW)
    server, config = make_server(source, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield url(config)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT_SECONDS)


def browser_shots(browser: Browser, base: str, problems: list[str]) -> list[Path]:
    """Each of SHOTS from the server at `base`, in a fresh context fixed to ZONE and DEMO_NOW."""
    written = []
    fixed = datetime.strptime(DEMO_NOW, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    for shot in SHOTS:
        context = browser.new_context(
            viewport={"width": shot.width, "height": shot.height},
            device_scale_factor=shot.scale,
            is_mobile=shot.phone,
            has_touch=shot.phone,
            timezone_id=ZONE,
            locale="en-GB",
            color_scheme="light",
            reduced_motion="reduce",
        )

        def only_the_server(route: Route, shot: Shot = shot) -> None:
            if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                problems.append(f"{shot.file}: asked for {route.request.url} (blocked)")
                route.abort()

        def console(message: ConsoleMessage, shot: Shot = shot) -> None:
            if message.type == "error":
                problems.append(f"{shot.file}: console error: {message.text}")

        def page_error(error: Error, shot: Shot = shot) -> None:
            problems.append(f"{shot.file}: page error: {error}")

        context.route("**/*", only_the_server)
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", page_error)
        page.clock.set_fixed_time(fixed)
        response = page.goto(base + shot.page, wait_until="load")
        if response is None or response.status != 200:
            status = "no answer" if response is None else response.status
            problems.append(f"{shot.file}: {shot.page} answered {status}")
        page.evaluate("document.fonts.ready.then(() => true)")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > shot.width + 1:
            problems.append(f"{shot.file}: the page is {wide} px wide on a {shot.width} px screen")
        # A short page is cut below its footer rather than shown with the empty rest of the screen.
        end = page.evaluate(FOOTER_BOTTOM)
        height = min(shot.height, end + 24) if end else shot.height
        path = OUT / shot.file
        page.screenshot(
            path=path,
            animations="disabled",
            caret="hide",
            scale="device",
            clip={"x": 0, "y": 0, "width": shot.width, "height": height},
        )
        written.append(path)
        context.close()
    return written


async def tui_timeline(state: Path, framework: Framework, path: Path) -> Path:
    """The terminal app's timeline (`G`) on `state` at TUI_SIZE, saved as SVG at `path`."""
    counter = iter(range(1, 10**9))
    app = MlplApp(
        Store(state),
        framework,
        lambda: Context("demo", DEMO_NOW, make_id=lambda: f"shot{next(counter):04d}"),
    )
    async with app.run_test(size=TUI_SIZE) as pilot:
        await pilot.press("G")
        deadline = time.monotonic() + WAIT_SECONDS
        while not isinstance(app.screen, TimelineScreen):
            if time.monotonic() > deadline:
                raise SystemExit("the timeline screen did not open after G")
            await pilot.pause(0.05)
        await pilot.pause()
        app.save_screenshot(filename=path.name, path=str(path.parent))
    return path


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (`make browser` installs it)", file=sys.stderr)
        return 2
    # Times in the terminal app in UTC; colour whatever the environment says.
    os.environ["TZ"] = ZONE
    time.tzset()
    for name in ("NO_COLOR", "TEXTUAL_THEME"):
        os.environ.pop(name, None)
    OUT.mkdir(exist_ok=True)
    framework = load_framework(builtin_framework_path())
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mlpl-shots-") as tmp:
        web_state = copy_demo(Path(tmp) / "web")
        with serving(web_state, framework) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                written = browser_shots(browser, base, problems)
            finally:
                browser.close()
        tui_state = copy_demo(Path(tmp) / "tui")
        written.append(asyncio.run(tui_timeline(tui_state, framework, OUT / "tui-timeline.svg")))
    root = OUT.parent.parent
    for path in written:
        print(f"wrote {path.relative_to(root)} ({path.stat().st_size // 1024} KB)")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
