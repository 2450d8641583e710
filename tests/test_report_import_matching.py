"""Matching a later document's findings to a report's (tracker/report_import/matching.py):
references written many ways, kinds that must agree, renumbered and re-worded findings, and
references too long for the field. Pure: no database."""

import pytest

from tracker.report_import.matching import (
    Candidate,
    Reference,
    match_findings,
    reference_of,
    same_reference,
    short_reference,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Recommendation 9", Reference("recommendation", "9")),
        ("recommendation 9:", Reference("recommendation", "9")),
        ("Rec 9", Reference("recommendation", "9")),
        ("Rec. 9", Reference("recommendation", "9")),
        ("R9", Reference("recommendation", "9")),
        ("Recommendations 2(a)", Reference("recommendation", "2a")),
        ("Recommendation no. 12", Reference("recommendation", "12")),
        ("9", Reference("", "9")),
        ("AFI 7", Reference("area_for_improvement", "7")),
        ("AFI7", Reference("area_for_improvement", "7")),
        ("Area for improvement 7", Reference("area_for_improvement", "7")),
        ("Areas for improvement 7", Reference("area_for_improvement", "7")),
        ("Cause of concern 2", Reference("cause_of_concern", "2")),
        ("Accelerated cause of concern 1", Reference("cause_of_concern", "1")),
        ("CoC 2", Reference("cause_of_concern", "2")),
        ("1A", Reference("", "1a")),
        ("6989", Reference("", "6989")),
        ("entry 6989", Reference("", "6989")),
        ("Recommendation", None),
        ("", None),
        ("Rebuild", None),
    ],
)
def test_a_reference_is_read_however_it_is_written(written, expected):
    assert reference_of(written) == expected


def test_references_are_the_same_only_for_the_same_number_and_a_kind_that_agrees():
    kind = "recommendation"
    assert same_reference("Recommendation 9", "Rec 9", kind=kind)
    assert same_reference("9", "Recommendation 9", kind=kind)
    assert not same_reference("Recommendation 9", "Recommendation 19", kind=kind)
    assert not same_reference("AFI 9", "Recommendation 9", kind=kind)
    assert not same_reference("AFI 9", "9", kind=kind)  # an AFI's label on a recommendation
    assert same_reference("AFI 9", "9", kind="area_for_improvement")
    assert not same_reference("", "", kind=kind)


REC = "recommendation"
RECORDS = "The force should improve how it records crime."
VETTING = "The force should review its vetting backlog."
EXISTING = [
    Candidate(REC, "Recommendation 1", RECORDS),
    Candidate(REC, "Recommendation 2", VETTING),
]


def test_the_same_words_match_whatever_the_reference_says():
    # renumbered onto the other's number, in the same words
    drafts = [Candidate(REC, "Rec 2", RECORDS.upper()), Candidate(REC, "Rec 1", VETTING)]
    assert match_findings(drafts, EXISTING) == {0: 0, 1: 1}


def test_a_reworded_finding_matches_by_its_reference():
    drafts = [Candidate(REC, "2", "The force should review its vetting backlog by March.")]
    assert match_findings(drafts, EXISTING) == {0: 1}


def test_a_short_summary_under_its_reference_still_matches():
    drafts = [Candidate(REC, "Recommendation 2", "Vetting backlog")]
    assert match_findings(drafts, EXISTING) == {0: 1}


def test_a_reference_renumbered_onto_another_finding_is_overruled_by_the_text():
    reworded_records = "The force should improve how it records crime, and audit it."
    drafts = [Candidate(REC, "Recommendation 2", reworded_records)]
    # the report itself again: the text is new wording, so no match (a new finding)
    assert match_findings(drafts, EXISTING) == {}
    # a document about the report (a register entry, minutes): the close text decides
    assert match_findings(drafts, EXISTING, close_text=True) == {0: 0}


def test_kinds_must_agree():
    drafts = [Candidate("area_for_improvement", "1", RECORDS)]
    assert match_findings(drafts, EXISTING, close_text=True) == {}


def test_each_finding_on_the_report_is_matched_once():
    drafts = [Candidate(REC, "", VETTING), Candidate(REC, "Recommendation 2", VETTING)]
    assert match_findings(drafts, EXISTING) == {0: 1}


def test_a_paraphrase_needs_a_close_text():
    drafts = [Candidate(REC, "", "Buy more horses for the mounted section.")]
    assert match_findings(drafts, EXISTING, close_text=True) == {}


@pytest.mark.parametrize(
    ("written", "shortened"),
    [
        ("Recommendation 9", "Recommendation 9"),
        ("Area for improvement 12", "AFI 12"),
        ("Areas for improvement 12", "AFI 12"),
        ("Cause of concern 1", "Cause of concern 1"),
        ("Accelerated cause of concern 3", "Cause of concern 3"),
        ("Recommendation 2(a) (revised)", "Recommendation 2A"),
        ("A reference far too long to keep whole", "A reference far too "),
    ],
)
def test_a_long_reference_is_shortened_keeping_its_number(written, shortened):
    assert short_reference(written) == shortened
    assert len(short_reference(written)) <= 20
