"""Day-one fix: the user's local time zone. Times are stored in UTC and shown in the local zone,
marked where it matters; "today", `--on yesterday` and the day effort is logged on follow the
local calendar. Auckland (UTC+13 in March) makes 23:30 UTC the next local day."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlpl_tui import clock
from mlpl_tui.app import MlplApp
from mlpl_tui.cli import Session, build_parser
from mlpl_tui.framework import Framework
from mlpl_tui.lifecycle import Context, answer_question, decide, new_project
from mlpl_tui.screens.dashboard import DashboardScreen
from mlpl_tui.store import Store
from tests.apphelp import SIZE, keys, screen_text, wait_for_text
from tests.conftest import Result, apply, fixed_ids

LATE = "2026-03-02T23:30:00Z"  # Monday 23:30 UTC: Tuesday 12:30 in Auckland
Cli = Callable[..., Result]


@pytest.fixture
def auckland(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The user is in Auckland and the clock reads LATE."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    monkeypatch.setattr(clock, "utc_now", lambda: LATE)
    yield
    monkeypatch.undo()
    time.tzset()


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    return result


def effort_days(folder: Path) -> list[tuple[int, str, str]]:
    data = json.loads((folder / "mlpl.json").read_text(encoding="utf-8"))
    return sorted((e["minutes"], e["on"], e["at"]) for e in data["effort"].values())


def test_effort_logged_at_2330_utc_lands_on_the_next_local_day(
    cli: Cli, tmp_path: Path, auckland: None
) -> None:
    ok(cli("init", "--name", "Late night"))
    ok(cli("log", "1h"))
    ok(cli("log", "30m", "--on", "yesterday"))
    ok(cli("log", "15m", "--on", "last monday"))
    assert effort_days(tmp_path) == [
        (15, "2026-03-02", LATE),  # local today is Tuesday: last Monday is yesterday
        (30, "2026-03-02", LATE),  # local yesterday, though it is 2 March in UTC
        (60, "2026-03-03", LATE),  # the stored time stays UTC, the day is local
    ]


def test_the_same_instant_in_utc_stays_on_the_utc_day(
    cli: Cli, tmp_path: Path, auckland: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    ok(cli("init", "--name", "Late night"))
    ok(cli("log", "1h"))
    ok(cli("log", "30m", "--on", "yesterday"))
    ok(cli("log", "15m", "--on", "last monday"))  # today is a Monday in UTC
    assert effort_days(tmp_path) == [
        (15, "2026-02-23", LATE),
        (30, "2026-03-01", LATE),
        (60, "2026-03-02", LATE),
    ]


def test_a_day_after_the_local_today_is_refused(cli: Cli, auckland: None) -> None:
    ok(cli("init", "--name", "Late night"))
    assert ok(cli("log", "1h", "--on", "2026-03-03")).code == 0  # local today, UTC tomorrow
    refused = cli("log", "1h", "--on", "2026-03-04")
    assert refused.code == 2 and "in the future" in refused.err


def test_the_session_context_carries_the_local_day(auckland: None) -> None:
    context = Session(build_parser().parse_args(["--user", "ana"])).context()
    assert (context.now, context.day, context.today) == (LATE, "2026-03-03", "2026-03-03")


def test_status_and_reports_show_local_times_with_the_zone_marked(cli: Cli, auckland: None) -> None:
    ok(cli("init", "--name", "Late night"))
    ok(cli("log", "1h"))
    assert "Last change: 2026-03-03 12:30 NZDT" in ok(cli("status")).out
    assert "State as of 2026-03-03 12:30 NZDT:" in ok(cli("report")).out
    assert "State as of 2026-03-03 12:30 NZDT:" in ok(cli("report", "--format", "html")).out
    data = json.loads(ok(cli("report", "--format", "json")).out)
    assert data["project"]["as_of"] == LATE  # tools get the stored UTC time, unchanged


# --- the terminal UI -------------------------------------------------------------------------


@pytest.fixture
def late_store(tmp_path: Path, framework: Framework) -> Store:
    ctx = Context("ana", LATE, make_id=fixed_ids("t"))
    store = Store.create(tmp_path / "mlpl.json", new_project("Late night", ctx))
    apply(store, framework, ctx, decide, "Forecast weekly", "weekly, 8 weeks ahead")
    apply(store, framework, ctx, answer_question, "1", "yes")
    return store


def real_app(store: Store, framework: Framework) -> MlplApp:
    """The app with the context `mlpl-tui` gives it: the session's, with the local day."""
    session = Session(build_parser().parse_args(["--user", "ana"]))
    return MlplApp(store, framework, session.context)


async def test_the_app_logs_time_on_the_local_day_and_says_which_day_today_is(
    late_store: Store, framework: Framework, auckland: None
) -> None:
    app = real_app(late_store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_text(pilot, "Today (2026-03-03, NZDT): 0m")
        await pilot.press("t", *keys("1h"), "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await wait_for_text(pilot, "Today (2026-03-03, NZDT): 1h")
        assert "2026-03-03 accepted Forecast weekly" in screen_text(app.screen)  # local date
    (entry,) = late_store.load().effort
    assert (entry.on, entry.at) == ("2026-03-03", LATE)


async def test_history_and_decision_times_are_local(
    late_store: Store, framework: Framework, auckland: None
) -> None:
    app = real_app(late_store, framework)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await wait_for_text(pilot, "2026-03-03 12:30 ana")  # an event row of the history
        await pilot.press("D")
        await wait_for_text(pilot, "by ana, 2026-03-03 12:30")  # the decision's detail
