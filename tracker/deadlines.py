"""Deadline and reminder arithmetic: pure functions, no database, no clock.

Every deadline the tracker keeps is worked out here from a rule (a trigger date, a length, a
unit and a counting mode), and every reminder time is worked out here from a deadline. Nothing
in this module reads the clock: callers pass `today` or `now`, so the rules can be tested
without the database or a frozen clock.

The rule this module exists to get right is s55(5A) Police Act 1996: the PCC must publish
their comments "before the end of the period of 56 days *beginning with* the day on which the
report is published". A period that begins with a day counts that day as day 1, so the last
lawful day is the publication date + 55 days, not + 56. A report published on 22 March 2018
must be answered by 16 May 2018; a response dated 17 May 2018 is one day late.

Other conventions:

- All dates are calendar dates in England and Wales (Europe/London). A deadline ends at the end
  of its day, local time, which is 23 or 25 hours after it starts on the days the clocks change.
- Working days are Monday to Friday, except bank holidays in England and Wales (including the
  substitute days when a holiday falls at a weekend).
- Messages in ValueError are written for the people who typed the value: they are shown in
  forms as they are.
"""

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")
SEND_HOUR = 8  # reminders go out at 08:00 London time

# Limits that keep a mistyped rule (56000 instead of 56) from planning a deadline in the next
# century, and keep the working-day walk short.
MAX_DAYS = 3660
MAX_MONTHS = 120
MAX_OFFSET_DAYS = 365

_ONE_DAY = datetime.timedelta(days=1)
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class Counting(StrEnum):
    BEGINNING_WITH = "beginning_with"
    AFTER = "after"


def _unit(unit: Unit | str) -> Unit:
    try:
        return Unit(unit)
    except ValueError:
        raise ValueError(
            f"“{unit}” is not a unit of time. Use calendar_days, working_days or months."
        ) from None


def _counting(counting: Counting | str) -> Counting:
    try:
        return Counting(counting)
    except ValueError:
        raise ValueError(
            f"“{counting}” is not a way of counting. Use beginning_with or after."
        ) from None


# Working days ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)  # years; bounded so odd input cannot grow it
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    # A frozen copy, not the package's object: with its default expand=True, asking a
    # HolidayBase about a date in another year quietly adds that year to it, so a cached object
    # would change under us.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    """Whether `day` is a working day in England and Wales.

    England and Wales share their bank holidays, so the package's England calendar stands for
    both. Its "(observed)" entries are the substitute days (Monday 28 December 2026 for Boxing
    Day on a Saturday), and they are not working days either.
    """
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _working_days_after(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day strictly after `start` (`start` itself when count is 0)."""
    day = start
    while count > 0:
        day += _ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def _working_days_between(first: datetime.date, last: datetime.date) -> int:
    """How many working days there are from `first` to `last`, both included."""
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day)
        day += _ONE_DAY
    return count


# Periods ---------------------------------------------------------------------------------------


def period_end(
    trigger: datetime.date, length: int, unit: Unit | str, counting: Counting | str
) -> datetime.date:
    """The last day of a period of `length` units triggered on `trigger`.

    1. Check the rule: a known unit and counting mode, a whole length of 0 or more (1 or more
       when the trigger day is day 1), and no longer than ten years.
    2. Count:
       - calendar days beginning with the trigger: the trigger is day 1, so trigger + length - 1
         (s55: 56 days beginning with 22 March 2018 ends on 16 May 2018);
       - calendar days after the trigger: trigger + length;
       - working days beginning with the trigger: the length-th working day on or after it (a
         trigger on a Saturday makes the next working day day 1);
       - working days after the trigger: the length-th working day strictly after it;
       - months after the trigger: the same day `length` months on, or the last day of that
         month when it is shorter (31 January + 1 month is 28 or 29 February);
       - months beginning with the trigger: the day before that (six months beginning with
         1 January 2023 ends on 30 June 2023).
    """
    unit = _unit(unit)
    counting = _counting(counting)
    if isinstance(length, bool) or not isinstance(length, int):
        raise ValueError("The length must be a whole number.")
    if length < 0:
        raise ValueError("The length must be 0 or more.")
    if counting is Counting.BEGINNING_WITH and length < 1:
        raise ValueError("A period that begins with its trigger day must be at least 1 long.")
    if unit is Unit.MONTHS and length > MAX_MONTHS:
        raise ValueError(f"The length must be {MAX_MONTHS} months or less.")
    if unit is Unit.CALENDAR_DAYS and length > MAX_DAYS:
        raise ValueError(f"The length must be {MAX_DAYS} days or less.")
    if unit is Unit.WORKING_DAYS and length > MAX_DAYS:
        raise ValueError(f"The length must be {MAX_DAYS} working days or less.")

    beginning_with = counting is Counting.BEGINNING_WITH
    try:
        if unit is Unit.CALENDAR_DAYS:
            return trigger + datetime.timedelta(days=length - 1 if beginning_with else length)
        if unit is Unit.WORKING_DAYS:
            # Counting from the day before makes the trigger day itself count when it is a
            # working day, and skips it otherwise.
            start = trigger - _ONE_DAY if beginning_with else trigger
            return _working_days_after(start, length)
        end = trigger + relativedelta(months=length)
        return end - _ONE_DAY if beginning_with else end
    except OverflowError:
        raise ValueError("The period would end after the year 9999.") from None


def deadline_end(due_on: datetime.date) -> datetime.datetime:
    """The moment a deadline ends: midnight at the start of the next day in London.

    The end is exclusive. Midnight always exists in London (the clocks change at 01:00 and
    02:00), so building it directly in the London zone is safe on the days the clocks change.
    """
    return datetime.datetime.combine(due_on + _ONE_DAY, datetime.time(0), tzinfo=LONDON)


def _require_aware(moment: datetime.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The time must carry its time zone (an aware datetime).")


def is_missed(due_on: datetime.date, now: datetime.datetime) -> bool:
    """Whether the deadline `due_on` has passed at the aware moment `now`."""
    _require_aware(now)
    # Compare in UTC: two datetimes with the same tzinfo are compared on their wall-clock
    # times, which is wrong in the repeated hour when the clocks go back.
    return now.astimezone(datetime.UTC) >= deadline_end(due_on).astimezone(datetime.UTC)


def local_day(now: datetime.datetime) -> datetime.date:
    """The calendar date in London at the aware moment `now`."""
    _require_aware(now)
    return now.astimezone(LONDON).date()


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Days from `today` to the deadline: 0 on the day itself, negative once it has passed."""
    return (due_on - today).days


def days_late(due_on: datetime.date, done_on: datetime.date) -> int:
    """Days by which work done on `done_on` missed the deadline; 0 when it was in time."""
    return max(0, (done_on - due_on).days)


# Pauses and extensions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """A time the clock stopped, from `start` to `end` inclusive (`end` None: still paused)."""

    start: datetime.date
    end: datetime.date | None


def apply_pauses(
    due_on: datetime.date, pauses: Iterable[Pause], unit: Unit | str
) -> datetime.date | None:
    """The deadline once the clock has stopped for `pauses`; None while it is still stopped.

    1. Check every pause ends on or after the day it starts.
    2. Take the pauses in start order. A pause that starts after the running deadline does not
       move it (nor does any later one, as they start later still).
    3. An open pause that starts on or before the running deadline means there is no deadline
       until it ends: return None.
    4. Otherwise move the running deadline on by the days in the pause: for a working-day rule,
       by as many working days as the pause held; for calendar days and months, by its
       calendar days. Days already counted in an earlier, overlapping pause are not counted
       twice: the clock cannot stop twice at once.
    """
    unit = _unit(unit)
    ordered = sorted(pauses, key=lambda pause: pause.start)
    for pause in ordered:
        if pause.end is not None and pause.end < pause.start:
            raise ValueError("A pause must end on or after the day it starts.")

    running = due_on
    counted_until: datetime.date | None = None
    for pause in ordered:
        if pause.start > running:
            break
        if pause.end is None:
            return None
        first = pause.start if counted_until is None else max(pause.start, counted_until + _ONE_DAY)
        if first > pause.end:
            continue
        counted_until = pause.end
        if unit is Unit.WORKING_DAYS:
            running = _working_days_after(running, _working_days_between(first, pause.end))
        else:
            running += datetime.timedelta(days=(pause.end - first).days + 1)
    return running


def check_extension(current_due_on: datetime.date, new_due_on: datetime.date) -> None:
    """Refuse an "extension" that does not move the deadline later."""
    if new_due_on <= current_due_on:
        raise ValueError(
            "The extended deadline must be after the current deadline, "
            f"{format_day(current_due_on)}."
        )


# Targets that reports state --------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_MONTHS_BY_PREFIX = {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, 1)}

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_BY = r"\b(?:by|no later than|not later than)\s+"
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})\b"

# Each pattern with what it means; the earliest phrase in the text wins (reports usually lead
# with the target: "By 31 March 2023, chief constables should ...").
_TARGET_PATTERNS = [
    ("now", re.compile(r"\bimmediately\b|\bwith\s+immediate\s+effect\b")),
    (
        "within",
        re.compile(
            r"\bwithin\s+(?:the\s+next\s+)?(?P<number>\d{1,4}|"
            + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
            + r")\s+(?P<unit>working\s+days?|days?|weeks?|months?|years?)\b"
        ),
    ),
    (
        "day",
        re.compile(_BY + r"(?:the\s+)?" + _ORDINAL + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR),
    ),
    ("day", re.compile(_BY + _MONTH + r"\s+" + _ORDINAL + r",?\s+" + _YEAR)),
    (
        "numeric",
        re.compile(_BY + r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})\b"),
    ),
    ("month", re.compile(_BY + r"(?:(?:the\s+)?end\s+of\s+)?" + _MONTH + r",?\s+" + _YEAR)),
    ("year", re.compile(_BY + r"(?:the\s+)?end\s+of\s+" + _YEAR)),
]


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, 1) + relativedelta(months=1) - _ONE_DAY


def _target_from(kind: str, match: re.Match[str], made_on: datetime.date) -> datetime.date:
    """The date one matched phrase stands for. Raises ValueError for impossible dates."""
    if kind == "now":
        return made_on
    if kind == "within":
        number = match["number"]
        length = int(number) if number.isdigit() else _NUMBER_WORDS[number]
        unit = match["unit"]
        if unit.startswith("working"):
            return period_end(made_on, length, Unit.WORKING_DAYS, Counting.AFTER)
        if unit.startswith("day"):
            return period_end(made_on, length, Unit.CALENDAR_DAYS, Counting.AFTER)
        if unit.startswith("week"):
            return period_end(made_on, length * 7, Unit.CALENDAR_DAYS, Counting.AFTER)
        if unit.startswith("month"):
            return period_end(made_on, length, Unit.MONTHS, Counting.AFTER)
        return period_end(made_on, length * 12, Unit.MONTHS, Counting.AFTER)
    year = int(match["year"])
    if kind == "year":
        return datetime.date(year, 12, 31)
    if kind == "numeric":
        # UK order, day first; a two-figure year is this century's.
        if len(match["year"]) == 2:
            year += 2000
        return datetime.date(year, int(match["month"]), int(match["day"]))
    month = _MONTHS_BY_PREFIX[match["month"][:3]]
    if kind == "month":
        return _month_end(year, month)
    return datetime.date(year, month, int(match["day"]))


def parse_target(text: str, made_on: datetime.date) -> datetime.date | None:
    """A recommendation's own target, as the report states it, as a date.

    1. Find the earliest phrase in `text` that states a target: "immediately", "with
       immediate effect", "within six months" (and days, weeks, years, working days; numbers
       as digits, words one to twelve, or "a"/"an"), "by 31 March 2023", "by 31/03/2023" (day
       first), "by [the] end of March 2023", "by March 2023", "by the end of 2023".
    2. Turn it into a date: periods are counted after `made_on`; a month alone means its last
       day, a year alone its last day.
    3. Return None when the text states no target, or states a date that does not exist
       ("by 31 February 2023"): a wrong guess would be worse than none.
    """
    text = " ".join(text.lower().split())
    found = []
    for order, (kind, pattern) in enumerate(_TARGET_PATTERNS):
        match = pattern.search(text)
        if match:
            found.append((match.start(), order, kind, match))
    if not found:
        return None
    _, _, kind, match = min(found, key=lambda item: item[:2])
    try:
        return _target_from(kind, match, made_on)
    except ValueError:
        return None


# Reminders -------------------------------------------------------------------------------------


def parse_offsets(text: str) -> list[int]:
    """Reminder offsets typed by an administrator ("28, 14, 7, 3, 1, 0"), largest first.

    Each is a whole number of days before the deadline, from 0 (the morning of the deadline
    day) to 365, each listed once, separated by commas and/or spaces.
    """
    words = [word for word in re.split(r"[,\s]+", text) if word]
    if not words:
        raise ValueError("Enter at least one number of days, for example “28, 14, 7, 3, 1, 0”.")
    offsets: list[int] = []
    for word in words:
        if not re.fullmatch(r"[+-]?[0-9]+", word):
            raise ValueError(f"“{word}” is not a whole number of days.")
        if word.startswith("-") and word.strip("-0"):
            raise ValueError(
                f"{word} is not allowed: reminders go 0 or more days before the deadline."
            )
        # Compare the digits before converting, so a pasted run of digits cannot build a
        # huge number.
        digits = word.lstrip("+-").lstrip("0") or "0"
        if len(digits) > 3 or int(digits) > MAX_OFFSET_DAYS:
            raise ValueError(
                f"{word} is too far ahead: reminders go at most {MAX_OFFSET_DAYS} days "
                "before the deadline."
            )
        offset = int(digits)
        if offset in offsets:
            raise ValueError(f"{offset} is listed more than once.")
        offsets.append(offset)
    return sorted(offsets, reverse=True)


def _send_time(day: datetime.date) -> datetime.datetime:
    # 08:00 always exists in London, so it can be built directly in the zone.
    return datetime.datetime.combine(day, datetime.time(SEND_HOUR), tzinfo=LONDON)


def reminder_due_at(due_on: datetime.date, offset_days: int) -> datetime.datetime:
    """When the reminder `offset_days` before the deadline is due: 08:00 London that day.

    Offset 0 is the morning of the deadline day.
    """
    return _send_time(due_on - datetime.timedelta(days=offset_days))


def missed_due_at(due_on: datetime.date, n: int, repeat_days: int) -> datetime.datetime:
    """When the `n`-th reminder after a missed deadline is due (n = 1 is the first).

    The first is at 08:00 London the day after the deadline; each later one `repeat_days` on.
    """
    if n < 1:
        raise ValueError("Reminders after a missed deadline are numbered from 1.")
    if repeat_days < 0:
        raise ValueError("The repeat must be 0 days or more.")
    return _send_time(due_on + datetime.timedelta(days=1 + (n - 1) * repeat_days))


def next_missed_number(due_on: datetime.date, after: datetime.datetime, repeat_days: int) -> int:
    """The number of the first reminder after a missed deadline that is due later than `after`.

    It lets a planner schedule the next repeat without a burst of the repeats it slept
    through after an outage.

    1. Estimate from the London day of `after`: the count of whole repeats since the first.
    2. Correct the estimate by a step either way, by comparing actual send times, so that the
       hour of the day and the clock changes are handled by `missed_due_at` alone.
    """
    _require_aware(after)
    if repeat_days < 1:
        raise ValueError("The repeat must be at least 1 day to plan the next one.")
    since_first = (local_day(after) - (due_on + _ONE_DAY)).days
    n = max(1, since_first // repeat_days + 1)
    after_utc = after.astimezone(datetime.UTC)
    while missed_due_at(due_on, n, repeat_days) <= after_utc:
        n += 1
    while n > 1 and missed_due_at(due_on, n - 1, repeat_days) > after_utc:
        n -= 1
    return n


def format_day(day: datetime.date) -> str:
    """A date as people write it: "16 May 2018" (no leading zero, whatever the locale)."""
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


# Applications and the steps after a response -------------------------------------------------


def application_closes(period_ends_on: datetime.date) -> datetime.date:
    """The first day an application is too late where it must be "received before the end of
    the period" (para 28B(3) Sch 3 Police Reform Act 2002): the day after the period's last
    day. A period ending on 26 January 2027 takes applications made before 27 January 2027."""
    return period_ends_on + _ONE_DAY


def application_in_time(applied_on: datetime.date, period_ends_on: datetime.date) -> bool:
    """Whether an application received on `applied_on` came before the end of the period."""
    return applied_on < application_closes(period_ends_on)


def publication_due(received_on: datetime.date, days: int) -> datetime.date:
    """The last day to publish a response received on `received_on` within `days` days
    beginning with that day (para 28B(5): 21 days beginning with the day the Director
    General received it)."""
    return period_end(received_on, days, Unit.CALENDAR_DAYS, Counting.BEGINNING_WITH)
