"""The user's clock (mlpl_tui/clock.py): stored UTC times shown and counted in the local zone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from mlpl_tui import clock, wording
from mlpl_tui.errors import UsageError

SetZone = Callable[[str], None]


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetZone]:
    """Set the TZ environment variable for one test, as a user's shell would."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_the_local_zone_follows_tz_each_time_it_changes(zone: SetZone) -> None:
    zone("Pacific/Auckland")
    assert str(clock.local_zone()) == "Pacific/Auckland"
    zone("Europe/Paris")
    assert str(clock.local_zone()) == "Europe/Paris"
    zone(":America/New_York")  # the leading colon POSIX allows
    assert str(clock.local_zone()) == "America/New_York"


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        ("Pacific/Auckland", "2026-03-03"),  # UTC+13 in March: already the next day
        ("Europe/London", "2026-03-02"),
        ("America/Los_Angeles", "2026-03-02"),
        ("UTC", "2026-03-02"),
    ],
)
def test_the_local_day_of_an_instant(zone: SetZone, tz: str, day: str) -> None:
    zone(tz)
    assert clock.local_day("2026-03-02T23:30:00Z") == day


def test_the_local_day_just_after_midnight_utc_is_the_day_before_in_the_americas(
    zone: SetZone,
) -> None:
    zone("America/Los_Angeles")
    assert clock.local_day("2026-03-03T00:30:00Z") == "2026-03-02"


def test_times_are_shown_local_with_the_zone_marked_on_request(zone: SetZone) -> None:
    zone("Pacific/Auckland")
    assert clock.shown_time("2026-03-02T23:30:00Z") == "2026-03-03 12:30"
    assert clock.shown_time("2026-03-02T23:30:00Z", zone=True) == "2026-03-03 12:30 NZDT"
    assert clock.shown_time("2026-07-02T23:30:00Z", zone=True) == "2026-07-03 11:30 NZST"
    assert clock.shown_date("2026-03-02T23:30:00Z") == "2026-03-03"
    zone("Europe/Paris")
    assert clock.shown_time("2026-03-02T23:30:00Z", zone=True) == "2026-03-03 00:30 CET"
    assert clock.shown_time("2026-07-02T10:00:00Z", zone=True) == "2026-07-02 12:00 CEST"


def test_wording_shows_times_through_the_clock(zone: SetZone) -> None:
    zone("Pacific/Auckland")
    assert wording.shown_time("2026-03-02T23:30:00Z") == "2026-03-03 12:30"
    assert wording.shown_time("2026-03-02T23:30:00Z", zone=True) == "2026-03-03 12:30 NZDT"
    assert wording.shown_time(None, "now") == "now"
    assert wording.shown_date("2026-03-02T23:30:00Z") == "2026-03-03"
    assert wording.zone_note("2026-03-02T23:30:00Z") == "times in NZDT"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset(zone: SetZone) -> None:
    zone("America/Sao_Paulo")  # the tz database writes "-03"
    assert clock.zone_label("2026-03-02T10:00:00Z") == "UTC-03"
    zone("Asia/Kathmandu")  # "+0545"
    assert clock.zone_label("2026-03-02T10:00:00Z") == "UTC+05:45"
    zone("UTC")
    assert clock.zone_label("2026-03-02T10:00:00Z") == "UTC"


def test_text_that_is_no_time_is_shown_as_it_is(zone: SetZone) -> None:
    """A hand-edited or hostile file: never an exception, the text as stored."""
    zone("Pacific/Auckland")
    assert clock.shown_time("not a time") == "not a time"
    assert clock.shown_date("2026-03-02") == "2026-03-02"  # a bare day stays that day
    assert clock.shown_time("9999-12-31T23:59:59Z") == "9999-12-31 23:59"  # past the calendar
    assert clock.shown_date("") == "" and clock.shown_time("") == ""
    assert clock.local_day("garbage-in-the-file") == "garbage-in"


def test_a_time_without_a_zone_is_read_as_utc(zone: SetZone) -> None:
    zone("Pacific/Auckland")
    assert clock.shown_time("2026-03-02T23:30:00") == "2026-03-03 12:30"


def test_now_is_stored_in_utc_to_the_second() -> None:
    now = clock.utc_now()
    assert len(now) == 20 and now.endswith("Z") and now[10] == "T"


# --- days the user types ----------------------------------------------------------------------

MONDAY = "2026-03-02"  # a Monday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-02-27", "2026-02-27"),
        ("today", MONDAY),
        (" Yesterday ", "2026-03-01"),
        ("2 days ago", "2026-02-28"),
        ("a day ago", "2026-03-01"),
        ("1 week ago", "2026-02-23"),
        ("two  weeks ago", "2026-02-16"),
        ("0 days ago", MONDAY),
        ("monday", MONDAY),  # today is a Monday: the latest Monday is today
        ("last monday", "2026-02-23"),  # the one before today
        ("friday", "2026-02-27"),
        ("last fri", "2026-02-27"),
        ("Sun", "2026-03-01"),
    ],
)
def test_days_can_be_typed_as_people_say_them(text: str, day: str) -> None:
    assert clock.parse_day(text, MONDAY) == day


def test_weekdays_count_back_from_the_day_given() -> None:
    wednesday = "2026-03-04"
    assert clock.parse_day("monday", wednesday) == "2026-03-02"
    assert clock.parse_day("last monday", wednesday) == "2026-03-02"
    assert clock.parse_day("wednesday", wednesday) == wednesday
    assert clock.parse_day("last wednesday", wednesday) == "2026-02-25"


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "2026-03-03", "2027-01-01", "garbage", "2026-02-30", "t", "3 days", "2026-03"],
)
def test_future_or_unknown_days_are_refused_naming_what_was_typed(text: str) -> None:
    with pytest.raises(UsageError) as info:
        clock.parse_day(text, MONDAY)
    assert f"'{text}'" in str(info.value)


def test_an_unknown_day_says_which_forms_are_understood() -> None:
    with pytest.raises(UsageError, match="YYYY-MM-DD, today, yesterday, 'last monday'"):
        clock.parse_day("next week", MONDAY)


def test_the_lifecycle_reads_days_through_the_clock() -> None:
    from mlpl_tui.lifecycle import parse_day

    assert parse_day("last monday", MONDAY) == "2026-02-23"
    assert parse_day("3 days ago", MONDAY) == "2026-02-27"
