"""Issue 17, the kinds of kinds-b: thematic and national reports (addressees, timescale
headings), recommendation register entries (status history), responses and progress reports
(a PCC's letter with and without quoted findings, committee papers, progress pages), and
honest confidence (unsure findings, unknown kinds, Welsh documents).

The excerpts are composed for these tests in the published shape of each kind (invented
wording, other forces and years). No database.
"""

import pytest

from tracker.extraction import extract
from tracker.extraction.addressees import addressee_of
from tracker.extraction.cleaning import clean_text, parse_blocks
from tracker.extraction.language import language_of
from tracker.extraction.statuses import inspectorate_status
from tracker.extraction.vocabulary import timescale_heading

FORCES = [
    "Kent Police",
    "Essex Police",
    "Cumbria Constabulary",
    "Dorset Police",
    "North Wales Police",
    "Dyfed-Powys Police",
    "Suffolk Constabulary",
]


def run(text: str):
    return extract(text, known_forces=FORCES)


# Addressees ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("By 31 March 2024, chief constables should review X.", "Chief constables", "forces"),
        ("All forces should record X.", "All forces", "forces"),
        ("Chief constables, with PCCs, should agree X.", "Chief constables, with PCCs", "forces"),
        (
            "Working with the College of Policing, chief constables should X.",
            "Chief constables",
            "forces",
        ),
        (
            "Chief constables and the College of Policing should X.",
            "Chief constables and the College of Policing",
            "forces",
        ),
        ("The College of Policing should publish X.", "The College of Policing", "national_body"),
        ("The Home Office should fund X.", "The Home Office", "national_body"),
        (
            "The NPCC lead for roads policing should X.",
            "The NPCC lead for roads policing",
            "national_body",
        ),
        (
            "We recommend that, by June 2025, the National Crime Agency should X.",
            "The National Crime Agency",
            "national_body",
        ),
        (
            "The Association of Police and Crime Commissioners should X.",
            "The Association of Police and Crime Commissioners",
            "national_body",
        ),
        ("2. The Ministry of Justice should X.", "The Ministry of Justice", "national_body"),
        ("Local authorities should X.", "Local authorities", ""),
    ],
)
def test_an_addressee_is_named_as_published_with_its_kind(text, name, kind):
    found = addressee_of(text)
    assert found is not None
    assert (found.name, found.kind) == (name, kind)


@pytest.mark.parametrize(
    "text",
    [
        "The force should improve X.",
        "Kent Police should review X.",
        "The chief constable should make sure X.",
        "The force and its partners should X.",
        "In our 2019 inspection we made a recommendation that the force should review X.",
        "Staff should be trained.",
        "Victims are not always kept informed.",
        "6.7 Custody sergeants should explain detainees' rights in plain words.",
        "The professional standards department should assess every allegation.",
        "Information about children at risk should be shared within 24 hours.",
    ],
)
def test_a_force_reports_own_findings_have_no_addressee(text):
    assert addressee_of(text) is None


NATIONAL = """
# Stopping the harm

A national inspection of how forces respond to stalking

# Contents

Summary

Recommendations

1. Recording stalking

# Summary

We inspected how eight forces in England and Wales respond to reports of stalking, and
found that the response depends too much on which force a victim lives in.

# Recommendations

We make four recommendations.

- By 31 March 2026, chief constables should make sure that every report of stalking is
recorded as a crime within 24 hours.
- The College of Policing should update its guidance on stalking protection orders.
- The Home Office should publish data on stalking protection orders each year.
- Local authorities should name a lead for stalking in each area.

# 1. Recording stalking

Recommendation 1

By 31 March 2026, chief constables should make sure that every report of stalking is
recorded as a crime within 24 hours.

Recommendation 2

The College of Policing should update its guidance on stalking protection orders.
"""


def test_a_national_report_records_who_each_recommendation_is_addressed_to():
    result = run(NATIONAL)
    assert result.document_type == "thematic"
    assert result.report_type == "thematic"
    assert result.forces == []
    assert any("national report" in w for w in result.warnings)
    assert not any("No police force" in w for w in result.warnings)
    assert [(f.addressee, f.addressee_kind) for f in result.findings] == [
        ("Chief constables", "forces"),
        ("The College of Policing", "national_body"),
        ("The Home Office", "national_body"),
        ("Local authorities", ""),
    ]
    assert result.findings[3].unsure.startswith("Addressed to Local authorities")


def test_a_recommendation_in_the_summary_and_its_chapter_is_one_finding_with_its_reference():
    findings = run(NATIONAL).findings
    assert len(findings) == 4  # not six: the chapter states two of them again
    assert [f.reference for f in findings] == ["Recommendation 1", "Recommendation 2", "", ""]
    assert findings[0].area == "1. Recording stalking"  # the chapter's, not the summary's
    assert findings[0].target_date == "2026-03-31"


def test_the_contents_and_an_introduction_are_not_findings():
    texts = [f.text for f in run(NATIONAL).findings]
    assert not any(t.startswith(("1. Recording", "We make four")) for t in texts)


TIMESCALES = """
# Joint inspection of the police response to missing adults

Published 3 April 2025

## Cause of concern

Forces do not search for high-risk missing adults quickly enough.

## Recommendations

### Immediately

- Chief constables should make sure that a high-risk missing adult is searched for within
one hour of the report.

### Within three months

- The NPCC lead for missing persons should agree a national definition of high risk.
- Chief constables should review every missing adult case open for more than 28 days.

### Within 12 months of publication

- The Home Office should fund a national missing persons database.

## About this inspection

We visited five forces.
"""


@pytest.mark.parametrize(
    ("heading", "target"),
    [
        ("Immediately", ("Immediately", None)),
        ("Within three months", ("Within three months", None)),
        ("Within 12 months:", ("Within 12 months", None)),
        ("By 31 March 2025", ("By 31 March 2025", "2025-03-31")),
        ("Recommendations – within six months", ("within six months", None)),
        ("Immediately, the force should review X.", None),
        ("Within three months we found that", None),
    ],
)
def test_timescale_headings(heading, target):
    assert timescale_heading(heading) == target


def test_recommendations_under_a_timescale_heading_take_it_as_their_target():
    result = run(TIMESCALES)
    assert [(f.kind, f.target_text) for f in result.findings] == [
        ("cause_of_concern", ""),
        ("recommendation", "Immediately"),
        ("recommendation", "Within three months"),
        ("recommendation", "Within three months"),
        ("recommendation", "Within 12 months of publication"),
    ]
    assert {f.parent for f in result.findings[1:]} == {0}
    assert all(f.target_date is None for f in result.findings)  # counted from publication


def test_a_timescale_heading_does_not_end_the_recommendations_and_other_headings_do():
    texts = " ".join(f.text for f in run(TIMESCALES).findings)
    assert "national missing persons database" in texts
    assert "We visited five forces" not in texts


def test_timescale_groups_under_numbered_labels_and_right_after_a_cause_of_concern():
    text = """
Cause of concern

The force does not supervise investigations of domestic abuse well enough.

Immediately

Recommendation 1

The force should review every open domestic abuse investigation.

Within six months

Recommendation 2

The force should train its supervisors in investigative standards.
"""
    findings = run(text).findings
    assert [(f.kind, f.reference, f.target_text, f.parent) for f in findings] == [
        ("cause_of_concern", "", "", None),
        ("recommendation", "Recommendation 1", "Immediately", 0),
        ("recommendation", "Recommendation 2", "Within six months", 0),
    ]


def test_a_recommendation_written_in_prose_with_split_addressees():
    text = """
# Policing protests

A national inspection of public order policing

# Chapter 2: Intelligence

We recommend that, by 30 September 2025:

- the NPCC lead for public order should publish a national intelligence standard; and
- chief constables should review how they use open-source intelligence within 14 days of
an event.
"""
    findings = run(text).findings
    assert [(f.addressee_kind, f.target_date) for f in findings] == [
        ("national_body", "2025-09-30"),
        ("forces", "2025-09-30"),  # the shared lead-in's target, not "within 14 days"
    ]


# Recommendation register -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ("Awaiting review", "awaiting_review"),
        ("Being progressed", "being_progressed"),
        ("In progress", "being_progressed"),
        ("Recommendation complete", "complete"),
        ("Completed", "complete"),
        ("No further action needed", "no_further_action"),
        ("Closed – no further action", "no_further_action"),
        ("Superseded by recommendation 8945", "superseded"),
        ("Green", None),
        ("The force has made progress.", None),
    ],
)
def test_register_statuses_map_to_the_inspectorates_values(words, status):
    assert inspectorate_status(words) == status


REGISTER = """
Recommendation 5521

Report: Crime data integrity inspection 2019: Kent Police
Published: 15 August 2019
Force: Kent Police

Recommendation

Within three months, the force should:
- audit crimes reported through its online portal; and
- train its incident closure staff.

Status history

Date\tStatus\tNote
3 February 2021\tComplete\tConfirmed by audit.
11 November 2019\tBeing progressed\t
15 August 2019\tAwaiting review\t
"""


def test_a_register_entry_gives_its_recommendation_with_parts_reference_and_history():
    result = run(REGISTER)
    assert result.document_type == "register"
    assert result.title == "Crime data integrity inspection 2019: Kent Police"
    assert result.published == "2019-08-15"
    assert result.forces == ["Kent Police"]
    [finding] = result.findings
    assert finding.reference == "5521"
    assert finding.parts == [
        "audit crimes reported through its online portal; and",
        "train its incident closure staff.",
    ]
    assert finding.target_text == "Within three months"
    assert [(s.status, s.dated) for s in finding.status_history] == [
        ("awaiting_review", "2019-08-15"),
        ("being_progressed", "2019-11-11"),
        ("complete", "2021-02-03"),
    ]
    assert {s.source for s in finding.status_history} == {"HMICFRS recommendation register"}
    assert finding.status_history[-1].note == "Confirmed by audit."
    assert result.responses == []


def test_a_register_page_with_several_entries_and_list_statuses():
    text = """
HMICFRS recommendations register

Reference: 6001
Report: Vetting inspection 2022: Essex Police
Report published: 12 May 2022
Recommendation: The force should review its vetting decisions.
History:
- 12 May 2022 – Awaiting review
- 30 March 2024 – Superseded by recommendation 8040

Reference: 6002
Recommendation: The force should record vetting appeals.
Status: No further action (4 June 2023)
"""
    result = run(text)
    assert [
        (f.reference, [(s.status, s.dated) for s in f.status_history]) for f in result.findings
    ] == [
        ("6001", [("awaiting_review", "2022-05-12"), ("superseded", "2024-03-30")]),
        ("6002", [("no_further_action", "2023-06-04")]),
    ]
    assert result.findings[0].status_history[1].note == "Superseded by recommendation 8040"


def test_a_register_page_with_no_recommendation_gives_nothing_and_says_so():
    text = """
Recommendations register

Search the recommendations we have made to police forces.

No recommendations match your search.
"""
    result = run(text)
    assert result.document_type == "register"
    assert result.findings == []
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("This register page holds no recommendation")


# Responses and progress reports ----------------------------------------------------------


PCC_LETTER_WITHOUT_QUOTES = """
Office of the Police and Crime Commissioner for Dorset

12 September 2024

Dear Home Secretary

Response to the HMICFRS report: PEEL 2023–25 – An inspection of Dorset Police

I welcome the report, published on 18 July 2024, which recognises the progress Dorset
Police has made. I have invited the Chief Constable's comments as section 55 of the Police
Act 1996 requires.

Areas for improvement

I note the report's five areas for improvement. The Chief Constable has a plan for each,
which I will scrutinise at my performance board.

- I will publish the force's progress each quarter.

Yours sincerely

Police and Crime Commissioner for Dorset
"""


def test_a_pcc_letter_that_quotes_no_finding_gives_none_and_says_so():
    result = run(PCC_LETTER_WITHOUT_QUOTES)
    assert result.document_type == "pcc_response"  # not read as an inspector's force letter
    assert result.title == "PEEL 2023–25 – An inspection of Dorset Police"
    assert result.forces == ["Dorset Police"]
    assert result.findings == []
    assert result.responses == []
    assert result.warnings == [
        "This response does not quote the report's causes of concern, recommendations or areas "
        "for improvement, so no findings were taken from it. Import the report itself for its "
        "findings; this response can then be recorded against them."
    ]


def test_a_pcc_letter_quoting_recommendations_ends_its_responses_at_the_signature():
    text = PCC_LETTER_WITHOUT_QUOTES.replace(
        "Areas for improvement",
        "Recommendation 1\n\nThe force should improve how it answers non-emergency calls."
        "\n\nChief Constable's response\n\nA new call-back service started in May."
        "\n\nMy response\n\nI am satisfied with this.\n\nAreas for improvement",
    )
    result = run(text)
    assert [(f.reference, f.text) for f in result.findings] == [
        ("Recommendation 1", "The force should improve how it answers non-emergency calls.")
    ]
    assert [(r.party, r.text) for r in result.responses] == [
        ("force", "A new call-back service started in May."),
        ("pcc", "I am satisfied with this."),
    ]


COMMITTEE_TABLE = "\n".join(
    [
        "SUFFOLK JOINT AUDIT AND STANDARDS COMMITTEE",
        "",
        "Date: 5 December 2023",
        "",
        "HMICFRS recommendations and areas for improvement: progress",
        "",
        "Force ref\tHMICFRS ref\tRecommendation / AFI\tProgress update\tRAG status\tTarget date",
        "Vetting\t\t\t\t\t",
        "R1\t7702\tThe force should clear its vetting backlog.\tBacklog cleared in October."
        "\tComplete\t31/10/2023",
        "A2\tAFI 4\tThe force should improve how it supervises its vetting decisions."
        "\tDip sampling begins in January.\tAmber\t31 March 2024",
    ]
)


def test_a_committee_table_gives_each_finding_with_the_forces_response_and_status():
    result = run(COMMITTEE_TABLE)
    assert result.document_type == "progress_report"
    assert result.forces == ["Suffolk Constabulary"]
    assert [(f.kind, f.reference, f.area, f.target_date) for f in result.findings] == [
        ("recommendation", "7702", "Vetting", "2023-10-31"),  # the inspectorate's reference
        ("area_for_improvement", "AFI 4", "Vetting", "2024-03-31"),
    ]
    assert [(r.to, r.party, r.text, r.status, r.source) for r in result.responses] == [
        (
            0,
            "force",
            "Backlog cleared in October.",
            "Complete",
            "Suffolk Joint Audit and Standards Committee, 5 December 2023",
        ),
        (
            1,
            "force",
            "Dip sampling begins in January.",
            "Amber",
            "Suffolk Joint Audit and Standards Committee, 5 December 2023",
        ),
    ]


def test_minutes_with_labelled_entries_and_a_service_progress_page():
    minutes = """
Joint Audit Committee

Minutes of the meeting held on 9 July 2024

Item 6: HMICFRS areas for improvement

AFI 2: The force should make sure it understands the demand on its control room.
Response: A demand review reported in May; its actions are in the force plan.
Status: In progress

AFI 5: The force should improve how it records stop and search.
Update: New forms are in use.
RAG: Green

7. Any other business

There was none.
"""
    result = run(minutes)
    assert [
        (f.reference, r.text, r.status, r.source)
        for f, r in zip(result.findings, result.responses, strict=True)
    ] == [
        (
            "AFI 2",
            "A demand review reported in May; its actions are in the force plan.",
            "In progress",
            "Joint Audit Committee, 9 July 2024",
        ),
        ("AFI 5", "New forms are in use.", "Green", "Joint Audit Committee, 9 July 2024"),
    ]
    page = """
# Recommendation 2

From our 2022 inspection by HMICFRS.

## What the inspectorate said

The service should make sure that its fire engines are available when they are needed.

## What we are doing

We have changed our crewing model.

## Status

Complete

Last updated: 4 March 2024

Suffolk Fire and Rescue Service
"""
    result = run(page)
    assert result.document_type == "progress_report"
    assert result.organisation_kind == "fire_and_rescue"
    assert result.services == ["Suffolk Fire and Rescue Service"]
    assert [f.text for f in result.findings] == [
        "The service should make sure that its fire engines are available when they are needed."
    ]
    assert [(r.text, r.status, r.source) for r in result.responses] == [
        (
            "We have changed our crewing model.",
            "Complete",
            "Suffolk Fire and Rescue Service progress page, 4 March 2024",
        ),
    ]


def test_a_paper_that_lists_no_finding_with_a_response_gives_nothing():
    text = """
Joint Audit Committee

1 February 2024

Ref\tArea for improvement\tUpdate\tStatus
"""
    result = run(text)
    assert result.document_type == "progress_report"
    assert result.findings == []
    assert len(result.warnings) == 1


def test_field_lines_copied_from_a_web_page_stay_separate():
    text = "Reference: 1\nReport: A report\nwhose title wraps\nStatus: Complete\n"
    assert [b.text for b in parse_blocks(clean_text(text))] == [
        "Reference: 1",
        "Report: A report whose title wraps",
        "Status: Complete",
    ]


# Honest confidence ---------------------------------------------------------------------------


def test_a_document_of_unknown_kind_keeps_labelled_findings_marked_for_checking():
    text = """
Notes of a workshop on neighbourhood policing in Cumbria Constabulary

Recommendations

- The force should publish its neighbourhood priorities.
- The force should ask residents what they want.
"""
    result = run(text)
    assert result.document_type == "unknown"
    assert result.kind_known is False
    assert len(result.findings) == 2
    assert all(f.unsure for f in result.findings)
    assert any("not recognised" in w for w in result.warnings)


def test_the_walk_says_when_it_guessed():
    text = """
PEEL: Police effectiveness 2016

An inspection of Cumbria Constabulary

Cause of concern

Victims of crime are not always kept informed

Area for improvement

The force should improve its crime recording.

- audits of crime recording
"""
    findings = run(text).findings
    assert findings[0].unsure == "This heading might be a finding: check that it is one."
    assert findings[2].unsure == (
        "This list item might be a part of the finding above: check that it stands alone."
    )


WELSH = """
Arolygiaeth Heddluoedd a Gwasanaethau Tân ac Achub EF

Heddlu Gogledd Cymru: arolygiad PEEL 2023–25

Meysydd i'w gwella

Dylai'r heddlu wella'r ffordd y mae'n ateb galwadau nad ydynt yn rhai brys. Mae'r heddlu wedi
gwneud cynnydd ond nid yw hyn yn ddigon eto, ac mae angen iddo wneud mwy i sicrhau bod
dioddefwyr yn cael yr un gwasanaeth ym mhob rhan o'r ardal.

Argymhellion

Erbyn 31 Mawrth 2025, dylai'r heddlu sicrhau bod pob galwad yn cael ei hateb yn brydlon, a
dylai'r heddlu adolygu ei drefniadau gyda'i bartneriaid yn yr ardal hefyd.
"""


def test_a_welsh_document_is_recognised_and_not_read():
    assert language_of(clean_text(WELSH)) == "cy"
    result = run(WELSH)
    assert result.language == "cy"
    assert result.kind_known is False
    assert result.findings == []
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("This document is in Welsh.")


def test_an_english_report_about_a_welsh_force_is_english():
    text = (
        "PEEL 2023–25: An inspection of North Wales Police (Heddlu Gogledd Cymru)\n\n"
        "Area for improvement\n\n"
        "The force should improve how it answers calls from the public in Welsh, and it "
        "should make sure that the Welsh language standards are met in its control room.\n"
    )
    result = run(text)
    assert result.language == "en"
    assert len(result.findings) == 1


def test_a_status_page_without_a_register_id_is_a_register_entry():
    text = """
Recommendation

By 31 March 2023, the force should improve the supervision of its investigations.

Status

Being progressed

Date status changed

12/04/2024

Report

PEEL 2021/22: An inspection of Essex Police

Date published

22 July 2022
"""
    result = run(text)
    assert result.document_type == "register"
    assert (result.title, result.published) == (
        "PEEL 2021/22: An inspection of Essex Police",
        "2022-07-22",
    )
    [finding] = result.findings
    assert [(s.status, s.dated) for s in finding.status_history] == [
        ("being_progressed", "2024-04-12")
    ]


def test_a_table_with_two_response_columns_keeps_both():
    text = (
        "Audit Committee\n\n26 January 2017\n\n"
        "HMIC Recommendation\tForce Response\tProgress\tRAG\n"
        "The force should review how it assesses risk for missing children.\t"
        "A review has been commissioned.\tNew policy live in December.\tGreen\n"
    )
    result = run(text)
    assert [(r.text, r.status) for r in result.responses] == [
        ("A review has been commissioned.\n\nNew policy live in December.", "Green")
    ]


def test_an_inspectors_letter_to_a_commissioner_is_not_a_pcc_response():
    text = """
HM Inspectorate of Constabulary and Fire & Rescue Services

Police and Crime Commissioner for Kent
Kent Police and Crime Commissioner's Office

4 March 2024

Dear Commissioner

Revisit of Kent Police's response to the public

When we inspected the force in 2023 we found a cause of concern.

Progress

- The force now answers most emergency calls within ten seconds.

Yours sincerely

HM Inspector of Constabulary
"""
    result = run(text)
    assert result.document_type != "pcc_response"


def test_areas_for_priority_action_are_causes_of_concern():
    from tracker.extraction.vocabulary import kind_label

    found = kind_label("Areas for priority action", heading=True)
    assert found is not None
    assert found.kind == "cause_of_concern"


def test_a_pfccs_response_to_a_fire_inspection_is_about_the_service():
    text = """
14/10/2022

Police, Fire and Crime Commissioner for Essex response to HMICFRS report: Effectiveness,
efficiency and people 2021/22 – Essex County Fire and Rescue Service

On 27 July 2022 HMICFRS published its inspection of the service.

Area for improvement

The service should make sure its prevention work reaches the people most at risk.

Commissioner's response

The service has a new prevention strategy.
"""
    result = run(text)
    assert result.document_type == "pcc_response"
    assert (result.organisation_kind, result.services, result.forces) == (
        "fire_and_rescue",
        ["Essex County Fire and Rescue Service"],
        [],
    )
    assert not any("police force" in w for w in result.warnings)


def test_a_modal_lead_in_after_a_list_starts_a_finding_of_its_own():
    text = """
PEEL: Police effectiveness 2017

An inspection of Kent Police

Cause of concern

The force does not manage its sex offenders well enough.

Recommendations

Within three months, the force should:

- review the risk of every registered sex offender; and
- clear its backlog of home visits.

Within six months, the force should:

- train its offender managers.
"""
    findings = run(text).findings
    assert [(f.kind, f.parts, f.unsure) for f in findings] == [
        ("cause_of_concern", [], ""),
        (
            "recommendation",
            [
                "review the risk of every registered sex offender; and",
                "clear its backlog of home visits.",
            ],
            "",
        ),
        ("recommendation", ["train its offender managers."], ""),
    ]
    assert [f.target_text for f in findings[1:]] == ["Within three months", "Within six months"]
