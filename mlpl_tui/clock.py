"""The user's clock: times are stored in UTC, shown and counted in the user's local time zone.

The local zone comes from pendulum and honours the `TZ` environment variable (read afresh
whenever it changes, so tests and users can set it); "today" and the day effort is logged on
are days of the local calendar. Nothing here reads the file or imports Textual, and pendulum is
imported only when a zone or a typed day is first needed, so commands that show no time pay
nothing for it.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from mlpl_tui.errors import UsageError

# Stored times: UTC, to the second, with a Z (`2026-03-02T10:00:00Z`).
STORED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}
# "3 days ago", "a week ago", "2 weeks ago": at most four digits, so the work stays bounded.
_AGO = re.compile(r"^(?P<n>\d{1,4}|an?|one|two|three) +(?P<unit>day|week)s? +ago$")
# "monday", "mon", "last monday", "last mon".
_WEEKDAY = re.compile(r"^(?P<last>last +)?(?P<day>[a-z]{3,9})$")
DAY_FORMS = "YYYY-MM-DD, today, yesterday, 'last monday' or '3 days ago'"

_zones: dict[str | None, tzinfo] = {}  # by the TZ value it was found for


def local_zone() -> tzinfo:
    """The user's time zone (a pendulum zone): `TZ` when set to a zone name, else the system's.

    Looked up once per value of `TZ`, so setting `TZ` (as tests do) takes effect at once.
    """
    key = os.environ.get("TZ")
    zone = _zones.get(key)
    if zone is None:
        zone = _zones[key] = _find_zone(key)
    return zone


def _find_zone(tz: str | None) -> tzinfo:
    import pendulum
    from pendulum.tz import get_local_timezone

    if tz:
        try:
            return pendulum.timezone(tz.removeprefix(":"))
        except ValueError:  # not a zone name: a zone file pendulum reads, else the system's zone
            pass
    return get_local_timezone()


def utc_now() -> str:
    """Now, as stored: UTC to the second (`2026-03-02T10:00:00Z`)."""
    return datetime.now(timezone.utc).strftime(STORED_FORMAT)


def instant(stamp: str | None) -> datetime | None:
    """A stored time as an aware datetime in the local zone; None when there is none or it
    cannot be read (a hand-edited file): callers then show the text as it is."""
    if not stamp or len(stamp) < 16:  # a bare date is a day, not an instant
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # stored times are UTC even without a Z
    try:
        return parsed.astimezone(local_zone())
    except (OverflowError, ValueError):  # year 1 or 9999 pushed past the calendar's ends
        return None


def local_day(now_utc: str) -> str:
    """The local calendar day (`YYYY-MM-DD`) at the stored time `now_utc`.

    23:30 UTC on 2 March is 3 March in Auckland and still 2 March in London.
    """
    local = instant(now_utc)
    return local.date().isoformat() if local else now_utc[:10]


def zone_label(at: str | None = None) -> str:
    """The local zone's short name at the stored time `at` (default: now): `CET`, `NZDT`,
    `UTC`; `UTC+05:30` where the zone has no abbreviation."""
    local = instant(at) if at else datetime.now(local_zone())
    if local is None:
        local = datetime.now(local_zone())
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours:02d}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"


def shown_time(stamp: str | None, missing: str = "", *, zone: bool = False) -> str:
    """A stored time in the local zone, `2026-03-02 23:00` (with `zone`: `2026-03-02 23:00
    NZDT`); `missing` when there is none; text that is no time is shown as it was."""
    if not stamp:
        return missing
    local = instant(stamp)
    if local is None:
        return stamp[:16].replace("T", " ")
    # Written out rather than with strftime, which costs twice as much: lists show thousands.
    shown = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    )
    return f"{shown} {zone_label(stamp)}" if zone else shown


def shown_date(stamp: str | None) -> str:
    """The local calendar day of a stored time (`2026-03-03`); a bare day is shown as it is."""
    if not stamp:
        return ""
    local = instant(stamp)
    return local.date().isoformat() if local else stamp[:10]


def parse_day(text: str, today: str) -> str:
    """A day the user typed, as `YYYY-MM-DD`, counted back from the local day `today`.

    Accepts ISO dates, `today`, `yesterday`, a weekday (`monday`, `mon`: the latest one, today
    included), `last monday` (the latest one before today), `3 days ago`, `a week ago`.
    Effort is logged for days already worked, so a day after `today` is refused.
    """
    base = date.fromisoformat(today[:10])
    word = " ".join(text.strip().lower().split())
    day = _relative_day(word, base)
    if day is None:
        day = _iso_day(word)
        if day is None:
            raise UsageError(f"date '{text}' is not understood: use {DAY_FORMS}")
    if day > base:
        raise UsageError(
            f"date '{text}' is in the future; effort is logged for days already worked"
        )
    return day.isoformat()


def _iso_day(word: str) -> date | None:
    """`2026-03-01` as a day (pendulum's strict parser: `2026-02-30` is no day)."""
    if len(word) != 10:
        return None  # a month, a time or a duration is not a day
    import pendulum

    try:
        parsed = pendulum.parse(word, strict=True)
    except (ValueError, OverflowError):  # pendulum's ParserError is a ValueError
        return None
    if isinstance(parsed, datetime):
        return parsed.date()
    return parsed if isinstance(parsed, date) else None


def _relative_day(word: str, base: date) -> date | None:
    """`word` as a day relative to `base`, or None when it is no relative day."""
    if word in ("today", "yesterday", "tomorrow"):
        return base + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[word])
    ago = _AGO.match(word)
    if ago:
        count = _NUMBER_WORDS.get(ago["n"]) or int(ago["n"])
        return base - timedelta(days=count * (7 if ago["unit"] == "week" else 1))
    named = _WEEKDAY.match(word)
    if named:
        found = [i for i, name in enumerate(WEEKDAYS) if name.startswith(named["day"])]
        if len(found) == 1:
            back = (base.weekday() - found[0]) % 7
            if named["last"] and back == 0:
                back = 7  # "last monday" on a Monday is a week ago
            return base - timedelta(days=back)
    return None
