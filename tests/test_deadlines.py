"""Deadline arithmetic, without the database.

Expected working days were checked against the `holidays` package's England calendar when the
cases were written (2025: Christmas Thursday 25, Boxing Day Friday 26 December; 2026: Good
Friday 3 April, Easter Monday 6 April, May Day 4 May, Boxing Day Saturday 26 December with
its substitute on Monday 28 December; 2027: New Year's Day Friday 1 January).
"""

import datetime
import re
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker import deadlines
from tracker.deadlines import (
    LONDON,
    SEND_HOUR,
    Counting,
    Pause,
    Unit,
    apply_pauses,
    check_extension,
    days_late,
    days_left,
    deadline_end,
    format_day,
    is_missed,
    is_working_day,
    local_day,
    missed_due_at,
    next_missed_number,
    parse_offsets,
    parse_target,
    period_end,
    reminder_due_at,
)

CAL = Unit.CALENDAR_DAYS
WORK = Unit.WORKING_DAYS
MONTHS = Unit.MONTHS
WITH = Counting.BEGINNING_WITH
AFTER = Counting.AFTER

# Wide enough to take in many clock changes, leap years (2000 is one, 2100 is not) and year
# ends.
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
units = st.sampled_from(list(Unit))
countings = st.sampled_from(list(Counting))
# Working days are walked one by one; modest lengths keep the properties fast.
lengths = st.integers(min_value=1, max_value=60)


def london(*args: int) -> datetime.datetime:
    """A wall-clock time in London: year, month, day[, hour, minute, second, microsecond]."""
    return moment(*args, zone=LONDON)


def utc(*args: int) -> datetime.datetime:
    return moment(*args, zone=UTC)


def moment(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    *,
    zone: datetime.tzinfo,
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=zone)


def working_days_in(first: date, last: date) -> int:
    return sum(is_working_day(first + timedelta(days=i)) for i in range((last - first).days + 1))


# The statutory windows in DOMAIN.md ------------------------------------------------------------


def test_s55_deadline_counts_publication_day_as_day_one():
    # PEEL effectiveness 2017, West Midlands: published 22 March 2018, day 56 is 16 May 2018.
    assert period_end(date(2018, 3, 22), 56, CAL, WITH) == date(2018, 5, 16)


def test_s55_deadline_is_not_publication_day_plus_56():
    assert period_end(date(2018, 3, 22), 56, CAL, WITH) != date(2018, 3, 22) + timedelta(days=56)


def test_s55_response_dated_the_day_after_is_one_day_late():
    assert days_late(date(2018, 5, 16), date(2018, 5, 17)) == 1


def test_s55_response_on_the_last_day_is_not_late():
    assert days_late(date(2018, 5, 16), date(2018, 5, 16)) == 0


def test_a_response_before_the_deadline_is_not_late_by_a_negative_amount():
    assert days_late(date(2018, 5, 16), date(2018, 4, 1)) == 0


def test_iopc_recommendation_has_56_days_beginning_with_the_day_it_was_made():
    # Para 28B Sch 3 Police Reform Act 2002; 2024 is a leap year.
    assert period_end(date(2024, 1, 10), 56, CAL, WITH) == date(2024, 3, 5)


def test_coroners_report_has_56_days_after_it_was_sent():
    assert period_end(date(2024, 1, 10), 56, CAL, AFTER) == date(2024, 3, 6)


def test_rules_accept_the_plain_strings_the_database_stores():
    assert period_end(date(2018, 3, 22), 56, "calendar_days", "beginning_with") == date(2018, 5, 16)


# period_end ------------------------------------------------------------------------------------

PERIODS = [
    # Calendar days.
    (date(2018, 3, 22), 56, CAL, WITH, date(2018, 5, 16)),
    (date(2018, 3, 22), 56, CAL, AFTER, date(2018, 5, 17)),
    (date(2018, 3, 22), 1, CAL, WITH, date(2018, 3, 22)),
    (date(2018, 3, 22), 0, CAL, AFTER, date(2018, 3, 22)),
    (date(2024, 2, 1), 56, CAL, WITH, date(2024, 3, 27)),
    (date(2023, 2, 1), 56, CAL, WITH, date(2023, 3, 28)),
    (date(2023, 12, 20), 14, CAL, AFTER, date(2024, 1, 3)),
    # Working days over Christmas and New Year 2025/26 (Christmas Thursday, Boxing Day Friday).
    (date(2025, 12, 24), 3, WORK, AFTER, date(2025, 12, 31)),
    (date(2025, 12, 24), 1, WORK, AFTER, date(2025, 12, 29)),
    (date(2025, 12, 22), 5, WORK, WITH, date(2025, 12, 30)),
    (date(2025, 12, 19), 10, WORK, AFTER, date(2026, 1, 7)),
    (date(2025, 12, 31), 1, WORK, AFTER, date(2026, 1, 2)),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    (date(2026, 4, 2), 1, WORK, AFTER, date(2026, 4, 7)),
    (date(2026, 4, 1), 5, WORK, WITH, date(2026, 4, 9)),
    # Boxing Day 2026 is a Saturday; Monday 28 December is its substitute.
    (date(2026, 12, 24), 1, WORK, AFTER, date(2026, 12, 29)),
    (date(2026, 12, 23), 3, WORK, AFTER, date(2026, 12, 30)),
    # New Year's Day 2027 is a Friday.
    (date(2026, 12, 31), 1, WORK, AFTER, date(2027, 1, 4)),
    # A trigger on a weekend or holiday: day 1 is the next working day.
    (date(2026, 12, 26), 1, WORK, WITH, date(2026, 12, 29)),
    (date(2026, 5, 16), 1, WORK, WITH, date(2026, 5, 18)),
    (date(2026, 5, 15), 1, WORK, WITH, date(2026, 5, 15)),
    (date(2026, 5, 16), 0, WORK, AFTER, date(2026, 5, 16)),
    # Months: month ends clamp, leap years count.
    (date(2023, 1, 31), 1, MONTHS, AFTER, date(2023, 2, 28)),
    (date(2024, 1, 31), 1, MONTHS, AFTER, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, MONTHS, AFTER, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, MONTHS, AFTER, date(2028, 2, 29)),
    (date(2023, 8, 31), 6, MONTHS, AFTER, date(2024, 2, 29)),
    (date(2023, 1, 1), 6, MONTHS, WITH, date(2023, 6, 30)),
    (date(2023, 3, 1), 1, MONTHS, WITH, date(2023, 3, 31)),
    (date(2024, 2, 29), 12, MONTHS, WITH, date(2025, 2, 27)),
    (date(2023, 12, 15), 0, MONTHS, AFTER, date(2023, 12, 15)),
]


@pytest.mark.parametrize(("trigger", "length", "unit", "counting", "expected"), PERIODS)
def test_period_end_gives_the_last_day_of_the_period(trigger, length, unit, counting, expected):
    assert period_end(trigger, length, unit, counting) == expected


BAD_RULES = [
    (-1, CAL, AFTER, "The length must be 0 or more."),
    (-5, WORK, WITH, "The length must be 0 or more."),
    (0, CAL, WITH, "A period that begins with its trigger day must be at least 1 long."),
    (0, MONTHS, WITH, "A period that begins with its trigger day must be at least 1 long."),
    (3661, CAL, AFTER, "The length must be 3660 days or less."),
    (3661, WORK, AFTER, "The length must be 3660 working days or less."),
    (121, MONTHS, AFTER, "The length must be 120 months or less."),
    (5, "fortnights", AFTER, "“fortnights” is not a unit of time."),
    (5, CAL, "before", "“before” is not a way of counting."),
]


@pytest.mark.parametrize(("length", "unit", "counting", "message"), BAD_RULES)
def test_period_end_refuses_a_bad_rule_in_plain_english(length, unit, counting, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        period_end(date(2000, 1, 1), length, unit, counting)


def test_period_end_allows_the_longest_lengths():
    assert period_end(date(2000, 1, 1), 3660, CAL, AFTER) == date(2010, 1, 8)
    assert period_end(date(2000, 1, 1), 120, MONTHS, AFTER) == date(2010, 1, 1)


def test_period_end_refuses_a_length_that_is_not_a_whole_number():
    with pytest.raises(ValueError, match="whole number"):
        period_end(date(2000, 1, 1), 1.5, CAL, AFTER)  # type: ignore[arg-type]  # on purpose


def test_period_end_reports_a_period_past_the_year_9999_as_a_bad_value():
    with pytest.raises(ValueError, match="9999"):
        period_end(date(9999, 12, 31), 1, CAL, AFTER)


# Working days ----------------------------------------------------------------------------------

WORKING_DAYS = [
    (date(2026, 12, 25), False),  # Christmas Day, Friday
    (date(2026, 12, 26), False),  # Boxing Day, Saturday
    (date(2026, 12, 28), False),  # Boxing Day (substitute), Monday
    (date(2026, 12, 29), True),
    (date(2027, 12, 27), False),  # Christmas Day (substitute), Monday
    (date(2027, 12, 28), False),  # Boxing Day (substitute), Tuesday
    (date(2022, 1, 3), False),  # New Year's Day (substitute)
    (date(2022, 9, 19), False),  # State funeral of Queen Elizabeth II
    (date(2023, 5, 8), False),  # Coronation of Charles III
    (date(2026, 4, 3), False),  # Good Friday
    (date(2026, 4, 6), False),  # Easter Monday
    (date(2026, 4, 7), True),
    (date(2026, 5, 16), False),  # Saturday
    (date(2026, 5, 17), False),  # Sunday
    (date(2026, 5, 18), True),
]


@pytest.mark.parametrize(("day", "expected"), WORKING_DAYS)
def test_is_working_day_knows_weekends_and_bank_holidays(day, expected):
    assert is_working_day(day) is expected


def test_is_working_day_agrees_with_the_england_calendar_every_day_for_ten_years():
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=range(2018, 2028))
    day = date(2018, 1, 1)
    while day.year < 2028:
        assert is_working_day(day) is (day.weekday() < 5 and day not in calendar), day
        day += timedelta(days=1)


def test_england_and_wales_share_their_bank_holidays():
    # The module uses the England calendar for both; this says so if the package ever differs.
    years = range(1990, 2101)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert set(england) == set(wales)


def test_asking_about_another_year_does_not_change_the_cached_calendar():
    # With expand=True a holidays object grows when asked about other years; the cache must
    # not be that object.
    before = deadlines._bank_holidays(2026)
    assert not is_working_day(date(2027, 1, 1))
    assert deadlines._bank_holidays(2026) == before
    assert all(day.year == 2026 for day in before)


# deadline_end, is_missed, local_day ------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "end_utc", "hours_in_day"),
    [
        # Saturday before the clocks go forward: an ordinary day, ending at midnight GMT.
        (date(2026, 3, 28), utc(2026, 3, 29, 0), 24),
        # Sunday 29 March 2026, the clocks go forward: 23 hours, ending at midnight BST.
        (date(2026, 3, 29), utc(2026, 3, 29, 23), 23),
        # Saturday before the clocks go back: ends at midnight BST.
        (date(2026, 10, 24), utc(2026, 10, 24, 23), 24),
        # Sunday 25 October 2026, the clocks go back: 25 hours, ending at midnight GMT.
        (date(2026, 10, 25), utc(2026, 10, 26, 0), 25),
        (date(2018, 5, 16), utc(2018, 5, 16, 23), 24),
        (date(2018, 1, 16), utc(2018, 1, 17, 0), 24),
    ],
)
def test_deadline_end_is_midnight_after_the_due_day_in_london(due_on, end_utc, hours_in_day):
    end = deadline_end(due_on)
    assert end == end_utc
    assert end.astimezone(LONDON).time() == datetime.time(0)
    start = datetime.datetime.combine(due_on, datetime.time(0), tzinfo=LONDON)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours_in_day)


def test_s55_deadline_is_missed_only_from_midnight_at_the_end_of_16_may_2018():
    assert not is_missed(date(2018, 5, 16), london(2018, 5, 16, 23, 59, 59, 999999))
    assert is_missed(date(2018, 5, 16), london(2018, 5, 17, 0, 0))
    # The same moments in UTC: London is an hour ahead in May.
    assert not is_missed(date(2018, 5, 16), utc(2018, 5, 16, 22, 59))
    assert is_missed(date(2018, 5, 16), utc(2018, 5, 16, 23, 0))


def test_a_deadline_on_the_day_the_clocks_go_back_lasts_until_midnight_gmt():
    assert not is_missed(date(2026, 10, 25), utc(2026, 10, 25, 23, 59))
    assert is_missed(date(2026, 10, 25), utc(2026, 10, 26, 0, 0))


def test_a_deadline_is_not_missed_in_the_repeated_hour_when_the_clocks_go_back():
    second_one_am = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON, fold=1)
    assert not is_missed(date(2026, 10, 25), second_one_am)
    assert is_missed(date(2026, 10, 24), second_one_am)


def test_is_missed_refuses_a_time_without_a_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        # Naive on purpose: that is what it must refuse.
        is_missed(date(2018, 5, 16), datetime.datetime(2018, 5, 17, 12))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2018, 5, 16, 23, 30), date(2018, 5, 17)),  # 00:30 BST
        (utc(2018, 1, 16, 23, 30), date(2018, 1, 16)),  # 23:30 GMT
        (london(2026, 3, 29, 0, 30), date(2026, 3, 29)),
        # 23:30 in New York is 04:30 the next morning in London.
        (
            datetime.datetime(2026, 3, 29, 23, 30, tzinfo=ZoneInfo("America/New_York")),
            date(2026, 3, 30),
        ),
    ],
)
def test_local_day_is_the_calendar_date_in_london(moment, expected):
    assert local_day(moment) == expected


@pytest.mark.parametrize(
    ("due_on", "today", "expected"),
    [
        (date(2018, 5, 16), date(2018, 5, 16), 0),
        (date(2018, 5, 16), date(2018, 5, 1), 15),
        (date(2018, 5, 16), date(2018, 5, 17), -1),
        (date(2024, 3, 1), date(2024, 2, 28), 2),
    ],
)
def test_days_left_counts_down_to_the_deadline_and_goes_negative_after(due_on, today, expected):
    assert days_left(due_on, today) == expected


# Pauses and extensions -------------------------------------------------------------------------


def test_a_closed_pause_before_the_deadline_adds_its_calendar_days():
    pause = Pause(date(2026, 5, 1), date(2026, 5, 10))
    assert apply_pauses(date(2026, 5, 16), [pause], CAL) == date(2026, 5, 26)


def test_a_one_day_pause_adds_one_day():
    pause = Pause(date(2026, 5, 1), date(2026, 5, 1))
    assert apply_pauses(date(2026, 5, 16), [pause], CAL) == date(2026, 5, 17)


def test_a_pause_that_starts_on_the_deadline_day_still_moves_it():
    pause = Pause(date(2026, 5, 16), date(2026, 5, 17))
    assert apply_pauses(date(2026, 5, 16), [pause], CAL) == date(2026, 5, 18)


def test_a_pause_that_starts_after_the_deadline_does_not_move_it():
    pause = Pause(date(2026, 5, 17), date(2026, 5, 30))
    assert apply_pauses(date(2026, 5, 16), [pause], CAL) == date(2026, 5, 16)


def test_an_open_pause_before_the_deadline_leaves_no_deadline():
    assert apply_pauses(date(2026, 5, 16), [Pause(date(2026, 5, 1), None)], CAL) is None


def test_an_open_pause_after_the_deadline_leaves_the_deadline_alone():
    assert apply_pauses(date(2026, 5, 16), [Pause(date(2026, 6, 1), None)], CAL) == date(
        2026, 5, 16
    )


def test_a_pause_counts_in_working_days_for_a_working_day_rule():
    # 1-10 May 2026 holds 5 working days (Fri 1; Mon 4 is May Day; Tue 5 to Fri 8). Five
    # working days after Friday 15 May is Friday 22 May.
    pause = Pause(date(2026, 5, 1), date(2026, 5, 10))
    assert apply_pauses(date(2026, 5, 15), [pause], WORK) == date(2026, 5, 22)


def test_a_weekend_pause_does_not_move_a_working_day_deadline():
    pause = Pause(date(2026, 5, 9), date(2026, 5, 10))
    assert apply_pauses(date(2026, 5, 15), [pause], WORK) == date(2026, 5, 15)


def test_a_month_rule_pauses_in_calendar_days():
    pause = Pause(date(2026, 1, 10), date(2026, 1, 19))
    assert apply_pauses(date(2026, 2, 28), [pause], MONTHS) == date(2026, 3, 10)


def test_pauses_are_taken_in_start_order_so_an_earlier_pause_can_bring_a_later_one_in():
    # The first pause moves 16 May to 26 May, so the one starting 20 May now counts.
    first = Pause(date(2026, 5, 1), date(2026, 5, 10))
    second = Pause(date(2026, 5, 20), date(2026, 5, 21))
    assert apply_pauses(date(2026, 5, 16), [second, first], CAL) == date(2026, 5, 28)


def test_overlapping_pauses_do_not_stop_the_clock_twice():
    first = Pause(date(2026, 5, 1), date(2026, 5, 10))
    overlapping = Pause(date(2026, 5, 5), date(2026, 5, 12))
    assert apply_pauses(date(2026, 5, 16), [first, overlapping], CAL) == date(2026, 5, 28)


def test_no_pauses_leave_the_deadline_alone():
    assert apply_pauses(date(2026, 5, 16), [], WORK) == date(2026, 5, 16)


def test_a_pause_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match=r"^A pause must end on or after the day it starts\.$"):
        apply_pauses(date(2026, 5, 16), [Pause(date(2026, 5, 10), date(2026, 5, 9))], CAL)


def test_a_later_deadline_is_a_valid_extension():
    check_extension(date(2018, 5, 16), date(2018, 5, 17))  # raises nothing


@pytest.mark.parametrize("new_due_on", [date(2018, 5, 16), date(2018, 5, 1)])
def test_an_extension_to_the_same_or_an_earlier_day_is_refused(new_due_on):
    message = r"^The extended deadline must be after the current deadline, 16 May 2018\.$"
    with pytest.raises(ValueError, match=message):
        check_extension(date(2018, 5, 16), new_due_on)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 5, 16), "16 May 2018"),
        (date(2026, 1, 1), "1 January 2026"),
        (date(2024, 2, 29), "29 February 2024"),
        (date(2023, 9, 5), "5 September 2023"),
    ],
)
def test_format_day_writes_dates_as_people_do(day, expected):
    assert format_day(day) == expected


# parse_target ----------------------------------------------------------------------------------

MADE_ON = date(2022, 8, 31)

TARGETS = [
    ("Immediately, chief constables should review their policies.", MADE_ON),
    ("The force should stop this practice with immediate effect.", MADE_ON),
    ("WITH IMMEDIATE EFFECT", MADE_ON),
    ("Within six months, the force should publish a plan.", date(2023, 2, 28)),
    ("within 3 months", date(2022, 11, 30)),
    ("within 12 weeks", date(2022, 11, 23)),
    ("within 56 days", date(2022, 10, 26)),
    ("within a year", date(2023, 8, 31)),
    ("within two years", date(2024, 8, 31)),
    ("within twelve months of this report", date(2023, 8, 31)),
    ("within one month", date(2022, 9, 30)),
    ("within a week", date(2022, 9, 7)),
    ("within 10 working days", date(2022, 9, 14)),
    ("By 31 March 2023, chief constables should ensure that ...", date(2023, 3, 31)),
    ("by 1st April 2024", date(2024, 4, 1)),
    ("by the 3rd of June, 2024", date(2024, 6, 3)),
    ("by June 3, 2024", date(2024, 6, 3)),
    ("by 31/03/2023", date(2023, 3, 31)),
    ("by 1/4/2023", date(2023, 4, 1)),
    ("by March 2023", date(2023, 3, 31)),
    ("by February 2024", date(2024, 2, 29)),
    ("by the end of March 2023", date(2023, 3, 31)),
    ("by end of March 2023", date(2023, 3, 31)),
    ("by the end of Sept 2023", date(2023, 9, 30)),
    ("by the end of 2023", date(2023, 12, 31)),
    ("The force should, no later than 30 September 2023, ...", date(2023, 9, 30)),
    # The first stated target wins.
    ("By 31 March 2023 the force should act, and within six months report.", date(2023, 3, 31)),
    # No target, or one that is not a date.
    ("The force should improve its understanding of demand.", None),
    ("", None),
    ("as soon as possible", None),
    ("by 31 February 2023", None),
    ("by 29/02/2023", None),
    ("by 31/13/2023", None),
    ("within 9999 days", None),
    ("within several months", None),
    ("by 2024", None),
]


@pytest.mark.parametrize(("text", "expected"), TARGETS)
def test_parse_target_reads_the_target_a_report_states(text, expected):
    assert parse_target(text, MADE_ON) == expected


# parse_offsets ---------------------------------------------------------------------------------

OFFSETS = [
    ("28, 14, 7, 3, 1, 0", [28, 14, 7, 3, 1, 0]),
    ("0 1 3 7 14 28", [28, 14, 7, 3, 1, 0]),
    (" 7,14  , 0 ", [14, 7, 0]),
    ("0", [0]),
    ("365", [365]),
]


@pytest.mark.parametrize(("text", "expected"), OFFSETS)
def test_parse_offsets_reads_days_before_the_deadline_largest_first(text, expected):
    assert parse_offsets(text) == expected


BAD_OFFSETS = [
    ("", "Enter at least one number of days"),
    (" , ", "Enter at least one number of days"),
    ("7, x", "“x” is not a whole number of days."),
    ("3.5", "“3.5” is not a whole number of days."),
    ("-3", "-3 is not allowed: reminders go 0 or more days before the deadline."),
    ("366", "366 is too far ahead: reminders go at most 365 days before the deadline."),
    ("9" * 50, "is too far ahead"),
    ("7, 14, 7", "7 is listed more than once."),
    ("07, 7", "7 is listed more than once."),
]


@pytest.mark.parametrize(("text", "message"), BAD_OFFSETS)
def test_parse_offsets_explains_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_offsets(text)


# Reminder times --------------------------------------------------------------------------------


def test_reminder_on_the_deadline_day_goes_at_eight_in_the_morning_london_time():
    assert reminder_due_at(date(2018, 5, 16), 0) == utc(2018, 5, 16, 7)  # 08:00 BST
    assert reminder_due_at(date(2018, 1, 16), 0) == utc(2018, 1, 16, 8)  # 08:00 GMT


def test_reminder_a_week_before_a_deadline_across_the_clock_change_is_still_eight_am():
    assert reminder_due_at(date(2026, 4, 2), 7) == london(2026, 3, 26, 8)
    assert reminder_due_at(date(2026, 4, 2), 7).utcoffset() == timedelta(0)


def test_first_missed_reminder_goes_the_morning_after_the_deadline():
    assert missed_due_at(date(2018, 5, 16), 1, 7) == london(2018, 5, 17, 8)


def test_missed_reminders_repeat_every_repeat_days():
    assert missed_due_at(date(2018, 5, 16), 3, 7) == london(2018, 5, 31, 8)


def test_missed_reminders_are_numbered_from_one():
    with pytest.raises(ValueError, match="numbered from 1"):
        missed_due_at(date(2018, 5, 16), 0, 7)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (london(2018, 5, 16, 12), 1),
        (london(2018, 5, 17, 7, 59), 1),
        (london(2018, 5, 17, 8, 0), 2),  # not strictly later than the first
        (london(2018, 5, 24, 8, 0, 1), 3),
        # A long outage: the next one, not a burst. The 53rd is at 08:00 on 16 May 2019,
        # 52 weeks after the first.
        (london(2019, 5, 16, 7, 59), 53),
        (london(2019, 5, 16, 12), 54),
    ],
)
def test_next_missed_number_is_the_first_reminder_after_the_given_time(after, expected):
    assert next_missed_number(date(2018, 5, 16), after, 7) == expected


def test_next_missed_number_needs_a_repeat():
    with pytest.raises(ValueError, match="at least 1 day"):
        next_missed_number(date(2018, 5, 16), london(2018, 6, 1, 12), 0)


# Properties ------------------------------------------------------------------------------------


@given(trigger=days, length=st.integers(min_value=1, max_value=3660))
def test_calendar_beginning_with_always_ends_one_day_before_after(trigger, length):
    assert period_end(trigger, length, CAL, WITH) == period_end(
        trigger, length, CAL, AFTER
    ) - timedelta(days=1)


@settings(deadline=None)
@given(
    trigger=days,
    unit=units,
    counting=countings,
    shorter=st.integers(min_value=1, max_value=60),
    extra=st.integers(min_value=0, max_value=60),
)
def test_period_end_never_gets_earlier_as_the_length_grows(trigger, unit, counting, shorter, extra):
    assert period_end(trigger, shorter, unit, counting) <= period_end(
        trigger, shorter + extra, unit, counting
    )


@settings(deadline=None)
@given(trigger=days, length=lengths)
def test_working_days_after_land_on_a_working_day_and_count_exactly(trigger, length):
    end = period_end(trigger, length, WORK, AFTER)
    assert is_working_day(end)
    assert working_days_in(trigger + timedelta(days=1), end) == length


@settings(deadline=None)
@given(trigger=days, length=lengths)
def test_working_days_beginning_with_land_on_a_working_day_and_count_exactly(trigger, length):
    end = period_end(trigger, length, WORK, WITH)
    assert is_working_day(end)
    assert working_days_in(trigger, end) == length


@given(due_on=days)
@example(due_on=date(2026, 3, 29))
@example(due_on=date(2026, 10, 25))
def test_deadline_end_is_always_local_midnight_at_the_start_of_the_next_day(due_on):
    end = deadline_end(due_on)
    local = end.astimezone(LONDON)
    assert local.time() == datetime.time(0)
    assert local.date() == due_on + timedelta(days=1)
    # A London day lasts 23, 24 or 25 hours.
    length = end.astimezone(UTC) - deadline_end(due_on - timedelta(days=1)).astimezone(UTC)
    assert length in {timedelta(hours=23), timedelta(hours=24), timedelta(hours=25)}


@given(due_on=days, seconds=st.integers(min_value=0, max_value=26 * 3600))
@example(due_on=date(2026, 3, 29), seconds=23 * 3600 - 1)
@example(due_on=date(2026, 10, 25), seconds=25 * 3600 - 1)
def test_deadline_end_is_strictly_after_every_moment_of_the_due_day(due_on, seconds):
    start = datetime.datetime.combine(due_on, datetime.time(0), tzinfo=LONDON).astimezone(UTC)
    moment = start + timedelta(seconds=seconds)
    if local_day(moment) == due_on:
        assert moment < deadline_end(due_on)
    else:
        assert local_day(moment) == due_on + timedelta(days=1)
        assert moment >= deadline_end(due_on)


@given(due_on=days, seconds=st.integers(min_value=-3 * 86400, max_value=3 * 86400))
@example(due_on=date(2026, 3, 28), seconds=0)
@example(due_on=date(2026, 10, 24), seconds=-1)
def test_is_missed_flips_exactly_at_deadline_end(due_on, seconds):
    moment = deadline_end(due_on).astimezone(UTC) + timedelta(seconds=seconds)
    assert is_missed(due_on, moment) is (seconds >= 0)
    assert is_missed(due_on, moment) is (local_day(moment) > due_on)
    # The same moment written in London time gives the same answer.
    assert is_missed(due_on, moment.astimezone(LONDON)) is (seconds >= 0)


@given(
    due_on=days,
    offsets=st.lists(st.integers(min_value=0, max_value=365), min_size=2, max_size=2, unique=True),
)
@example(due_on=date(2026, 4, 2), offsets=[7, 0])
def test_reminders_go_at_eight_london_time_and_nearer_offsets_go_later(due_on, offsets):
    later, earlier = sorted(offsets)
    first = reminder_due_at(due_on, earlier)
    second = reminder_due_at(due_on, later)
    assert first.astimezone(LONDON).time() == datetime.time(SEND_HOUR)
    assert first.astimezone(LONDON).date() == due_on - timedelta(days=earlier)
    assert first.astimezone(UTC) < second.astimezone(UTC)


@given(
    due_on=days,
    n=st.integers(min_value=1, max_value=200),
    repeat=st.integers(min_value=1, max_value=60),
)
def test_missed_reminders_strictly_increase_and_go_at_eight(due_on, n, repeat):
    this = missed_due_at(due_on, n, repeat)
    following = missed_due_at(due_on, n + 1, repeat)
    assert this.astimezone(UTC) < following.astimezone(UTC)
    assert this.astimezone(LONDON).time() == datetime.time(SEND_HOUR)
    assert this > deadline_end(due_on)


@given(
    due_on=days,
    seconds=st.integers(min_value=-2 * 86400, max_value=400 * 86400),
    repeat=st.integers(min_value=1, max_value=30),
)
@example(due_on=date(2026, 3, 28), seconds=8 * 3600, repeat=1)
@example(due_on=date(2026, 10, 24), seconds=7 * 3600, repeat=1)
def test_next_missed_number_is_after_the_time_and_the_one_before_is_not(due_on, seconds, repeat):
    after = deadline_end(due_on).astimezone(UTC) + timedelta(seconds=seconds)
    n = next_missed_number(due_on, after, repeat)
    assert n >= 1
    assert missed_due_at(due_on, n, repeat) > after
    if n > 1:
        assert missed_due_at(due_on, n - 1, repeat) <= after


@settings(deadline=None)
@given(
    due_on=days,
    start_offset=st.integers(min_value=-100, max_value=100),
    pause_days=st.integers(min_value=0, max_value=60),
    unit=units,
)
def test_a_closed_pause_never_brings_a_deadline_earlier(due_on, start_offset, pause_days, unit):
    start = due_on + timedelta(days=start_offset)
    pause = Pause(start, start + timedelta(days=pause_days))
    moved = apply_pauses(due_on, [pause], unit)
    assert moved is not None
    assert moved >= due_on
    if start > due_on:
        assert moved == due_on
    elif unit != WORK:
        assert moved == due_on + timedelta(days=pause_days + 1)
