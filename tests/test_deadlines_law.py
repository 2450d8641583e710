"""Every preset rule worked through from the words of the law, case by case (issue 22).

Each case quotes the provision it follows. The rule's length, unit and counting mode are read
from the preset itself (tracker/rule_presets.py), so a preset that drifted from the law fails
here; the expected dates were counted by hand on a calendar, never by the code under test.
No database: the arithmetic is pure (tracker/deadlines.py).

The words relied on (legislation.gov.uk; reg 29's text could not be retrieved, see the report):
- s55(5A) Police Act 1996: "must be published before the end of the period of 56 days
  beginning with the day on which the report is published" (the publication day is day 1).
- s55(4): "submit comments ... before such date as it [the local policing body] may specify".
- para 28B(2) Sch 3 Police Reform Act 2002: "before the end of the period of 56 days beginning
  with the day on which the recommendation was made"; (3) "extend the period of 56 days
  following an application received before the end of the period"; (4) judicial review
  proceedings started within the period extend it "by however many days the proceedings are
  in progress"; (5) the Director General publishes "within the period of 21 days beginning
  with the day on which the Director General received it".
- reg 29(4) Coroners (Investigations) Regulations 2013: "within 56 days of the date on which
  the report is sent" (the day of sending is not counted); (5) "The coroner may extend the
  period".
"""

import datetime
from datetime import date

import pytest

from tracker import deadlines
from tracker.deadlines import Pause, apply_pauses, days_late, parse_target, period_end
from tracker.rule_presets import PRESETS

RULES = {preset["key"]: preset for preset in PRESETS}


def due(key: str, trigger: date) -> date:
    """The last day the preset `key` gives for a trigger on `trigger`."""
    rule = RULES[key]
    return period_end(trigger, rule["length"], rule["unit"], rule["counting"])


def applies(key: str, trigger: date) -> bool:
    rule = RULES[key]
    start, until = rule.get("applies_from"), rule.get("applies_until")
    return (start is None or trigger >= start) and (until is None or trigger <= until)


# s55(5A) Police Act 1996 -------------------------------------------------------------------

S55 = [
    # (published, last day, the words worked through)
    (date(2018, 3, 22), date(2018, 5, 16), "s55(5A): 22 March is day 1, so day 56 is 16 May"),
    (date(2026, 12, 4), date(2027, 1, 28), "s55(5A): 4 December is day 1; day 56, 28 January"),
    (date(2026, 12, 31), date(2027, 2, 24), "s55(5A): across the year end, 31 December day 1"),
    (date(2027, 1, 5), date(2027, 3, 1), "s55(5A): 2027 is no leap year: day 56 is 1 March"),
    (date(2028, 1, 3), date(2028, 2, 27), "s55(5A): made 3 January 2028, day 56 27 February"),
    (date(2028, 1, 5), date(2028, 2, 29), "s55(5A): 2028 is a leap year: day 56 is 29 February"),
    (date(2028, 1, 6), date(2028, 3, 1), "s55(5A): the day after the leap day"),
    (date(2026, 12, 25), date(2027, 2, 18), "s55(5A): calendar days: Christmas Day is day 1"),
    (date(2017, 5, 2), date(2017, 6, 26), "s55(5A) in force 2 May 2017 (s37 PCA 2017)"),
]


@pytest.mark.parametrize(("published", "last_day", "words"), S55)
def test_s55_5a_56_days_beginning_with_the_day_the_report_is_published(published, last_day, words):
    assert applies("s55-pcc-comments", published), words
    assert due("s55-pcc-comments", published) == last_day, words


def test_s55_5a_does_not_apply_to_a_report_published_before_2_may_2017():
    # s55(5A) was inserted by s37 Policing and Crime Act 2017, in force 2 May 2017.
    assert not applies("s55-pcc-comments", date(2017, 5, 1))


def test_s55_5a_a_response_on_day_57_is_one_day_late_and_on_day_56_in_time():
    # "before the end of the period": the whole of day 56 is in time.
    last_day = due("s55-pcc-comments", date(2018, 3, 22))
    assert days_late(last_day, date(2018, 5, 17)) == 1  # the seeds' response, dated 17 May
    assert days_late(last_day, date(2018, 5, 16)) == 0


def test_s55_5a_the_period_ends_at_midnight_london_time_at_the_end_of_day_56():
    end = deadlines.deadline_end(date(2018, 5, 16))
    assert end == datetime.datetime(2018, 5, 17, tzinfo=deadlines.LONDON)


# s55(4) Police Act 1996 --------------------------------------------------------------------


def test_s55_4_the_date_is_the_one_the_pcc_office_specifies():
    # "before such date as it may specify": the law gives no period; the preset's own date
    # comes from the PCC office, and only its default is counted.
    assert RULES["chief-officer-comments"]["source"] == "chief_officer_due_date"
    assert RULES["chief-officer-comments"]["statutory"] is True


def test_s55_4_with_no_date_specified_the_tracker_defaults_to_28_days_after_publication():
    # Not the law's: the product's default, counted after the publication day. Calendar days:
    # 1 January (a bank holiday) is the last day all the same.
    assert due("chief-officer-comments", date(2026, 12, 4)) == date(2027, 1, 1)


# para 28B Sch 3 Police Reform Act 2002 ------------------------------------------------------

IOPC = [
    (date(2026, 12, 2), date(2027, 1, 26), "28B(2): made 2 December 2026 is day 1"),
    (date(2028, 1, 3), date(2028, 2, 27), "28B(2): made 3 January 2028, day 56 27 February"),
    (date(2028, 1, 5), date(2028, 2, 29), "28B(2): day 56 falls on the leap day"),
    (date(2027, 1, 31), date(2027, 3, 27), "28B(2): made on a month's last day"),
    (date(2014, 10, 1), date(2014, 11, 25), "28B inserted 1 October 2014 (s139 ASBCPA 2014)"),
]


@pytest.mark.parametrize(("made", "last_day", "words"), IOPC)
def test_para_28b_2_56_days_beginning_with_the_day_the_recommendation_was_made(
    made, last_day, words
):
    assert applies("iopc-recommendation", made), words
    assert due("iopc-recommendation", made) == last_day, words


def test_para_28b_applies_only_to_recommendations_made_from_1_october_2014():
    assert not applies("iopc-recommendation", date(2014, 9, 30))


APPLICATIONS = [
    # (received, in time?, the words worked through) for a period ending 26 January 2027
    (date(2027, 1, 26), True, "28B(3): received on day 56, before the end of the period"),
    (date(2027, 1, 2), True, "28B(3): received well within the period"),
    (date(2027, 1, 27), False, "28B(3): received a day after the period ended: refused"),
    (date(2027, 2, 20), False, "28B(3): received weeks after: refused"),
]


@pytest.mark.parametrize(("received", "in_time", "words"), APPLICATIONS)
def test_para_28b_3_an_extension_only_on_an_application_received_before_the_end(
    received, in_time, words
):
    last_day = due("iopc-recommendation", date(2026, 12, 2))
    assert deadlines.application_in_time(received, last_day) is in_time, words
    assert deadlines.application_closes(last_day) == date(2027, 1, 27)


def test_para_28b_3_the_preset_refuses_late_applications_and_names_the_director_general():
    rule = RULES["iopc-recommendation"]
    assert (rule["extendable"], rule["apply_before_end"]) == (True, True)
    assert rule["extended_by"] == "the Director General"


JUDICIAL_REVIEW = [
    # (proceedings start, end, last day after, the words worked through); period ends 26 Jan
    (date(2027, 1, 10), date(2027, 1, 19), date(2027, 2, 5), "28B(4): 10 days in progress"),
    (date(2027, 1, 26), date(2027, 1, 26), date(2027, 1, 27), "28B(4): started on day 56"),
    (date(2027, 1, 20), date(2027, 3, 1), date(2027, 3, 8), "28B(4): 41 days, over February"),
    (date(2027, 1, 27), date(2027, 2, 3), date(2027, 1, 26), "28B(4): started too late"),
]


@pytest.mark.parametrize(("start", "end", "last_day", "words"), JUDICIAL_REVIEW)
def test_para_28b_4_judicial_review_extends_the_period_by_the_days_in_progress(
    start, end, last_day, words
):
    period = due("iopc-recommendation", date(2026, 12, 2))
    unit = RULES["iopc-recommendation"]["unit"]
    assert apply_pauses(period, [Pause(start, end)], unit) == last_day, words


def test_para_28b_4_proceedings_still_in_progress_leave_no_deadline():
    period = due("iopc-recommendation", date(2026, 12, 2))
    assert apply_pauses(period, [Pause(date(2027, 1, 10), None)], "calendar_days") is None


PUBLICATION = [
    (date(2027, 1, 26), date(2027, 2, 15), "28B(5): received 26 January is day 1 of 21"),
    (date(2028, 2, 9), date(2028, 2, 29), "28B(5): day 21 on the leap day"),
    (date(2026, 12, 24), date(2027, 1, 13), "28B(5): calendar days over Christmas"),
]


@pytest.mark.parametrize(("received", "last_day", "words"), PUBLICATION)
def test_para_28b_5_the_director_general_publishes_within_21_days_beginning_with_receipt(
    received, last_day, words
):
    rule = RULES["iopc-recommendation"]
    assert rule["publication_by"] == "the Director General"
    assert deadlines.publication_due(received, rule["publication_days"]) == last_day, words


# regs 28 and 29 Coroners (Investigations) Regulations 2013 ---------------------------------

PFD = [
    (date(2027, 3, 1), date(2027, 4, 26), "29(4): 56 days of 1 March: the day sent not counted"),
    (date(2028, 1, 3), date(2028, 2, 28), "29(4): sent 3 January 2028"),
    (date(2028, 1, 4), date(2028, 2, 29), "29(4): day 56 falls on the leap day"),
    (date(2027, 1, 4), date(2027, 3, 1), "29(4): 2027: no 29 February, so 1 March"),
    (date(2026, 12, 4), date(2027, 1, 29), "29(4): sent today, across the year end"),
    (date(2013, 7, 25), date(2013, 9, 19), "regs 28-29 in force 25 July 2013"),
]


@pytest.mark.parametrize(("sent", "last_day", "words"), PFD)
def test_reg_29_4_56_days_of_the_date_on_which_the_report_is_sent(sent, last_day, words):
    assert applies("coroner-pfd", sent), words
    assert due("coroner-pfd", sent) == last_day, words


def test_reg_29_4_counts_one_day_later_than_a_beginning_with_rule():
    # "within 56 days of the date": the date of sending is not day 1 (unlike s55(5A)).
    sent = date(2027, 3, 1)
    assert due("coroner-pfd", sent) - due("s55-pcc-comments", sent) == datetime.timedelta(1)


def test_reg_29_5_the_coroner_extends_and_sets_no_time_for_applying():
    rule = RULES["coroner-pfd"]
    assert (rule["extendable"], rule["extended_by"]) == (True, "the coroner")
    assert not rule.get("apply_before_end")


# Report targets (the report's own words) -----------------------------------------------------

TARGETS = [
    # (published, the report's words, last day)
    (date(2026, 12, 4), "Chief constables should act immediately.", date(2026, 12, 4)),
    (date(2027, 8, 31), "Within six months, forces should ...", date(2028, 2, 29)),
    (date(2026, 8, 31), "Within six months, forces should ...", date(2027, 2, 28)),
    (date(2026, 12, 4), "within 28 days", date(2027, 1, 1)),
    # 10 working days from Thursday 17 December 2026: Christmas, the substitute Boxing Day
    # (Monday 28) and New Year's Day are not working days.
    (date(2026, 12, 17), "within 10 working days", date(2027, 1, 5)),
    (date(2023, 1, 9), "by the end of March 2023", date(2023, 3, 31)),
    (date(2023, 1, 9), "By 29 February 2024, forces should", date(2024, 2, 29)),
    (date(2023, 1, 9), "by 29 February 2023", None),  # no such day: no target guessed
]


@pytest.mark.parametrize(("published", "words", "last_day"), TARGETS)
def test_report_targets_are_the_reports_own_words_counted_from_publication(
    published, words, last_day
):
    assert RULES["report-target"]["source"] == "report_target"
    assert parse_target(words, published) == last_day


# Local targets and the tracker's own rules ------------------------------------------------


def test_a_local_target_is_the_date_the_pcc_office_sets_where_the_law_sets_none():
    rule = RULES["local-target"]
    assert (rule["source"], rule["statutory"], rule["extendable"]) == ("local_target", False, False)
    # It is offered only where s55(5A) does not apply: reports published before 2 May 2017.
    assert not applies("s55-pcc-comments", date(2015, 3, 31))


def test_the_next_progress_update_is_30_days_after_the_last_one():
    assert due("progress-update", date(2028, 1, 30)) == date(2028, 2, 29)
    assert due("progress-update", date(2027, 1, 30)) == date(2027, 3, 1)


def test_every_statutory_preset_quotes_and_links_its_law():
    for key, rule in RULES.items():
        if rule["statutory"]:
            assert rule["legal_basis"], key
            assert rule["legal_basis_url"].startswith("https://www.legislation.gov.uk/"), key
            assert "“" in rule["legal_text"], key
