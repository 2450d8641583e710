"""Issue 17: the rules for PEEL from 2021, the inspection programmes (crime data integrity,
custody, child protection, joint inspections) and fire and rescue inspections, on short
excerpts composed for these tests (the published structure, invented wording). No database.
"""

from tracker.extraction import extract, load_known_forces
from tracker.extraction.cleaning import clean_text, parse_blocks
from tracker.extraction.fire_services import (
    FIRE_AND_RESCUE_SERVICES,
    services_named,
)
from tracker.extraction.judgements import listed_grade
from tracker.extraction.peel_frameworks import (
    PEEL_2023_25,
    UNGRADED,
    area_for_activity,
    known_area,
)
from tracker.extraction.report_sections import prepare
from tracker.extraction.vocabulary import REPORT_TYPES, WANTED_REPORT_TYPES, report_type_or

FORCES = load_known_forces()


def run(text: str):
    return extract(text, known_forces=FORCES)


def blocks_of(text: str):
    return parse_blocks(clean_text(text))


# PEEL from 2021/22 -----------------------------------------------------------------------

SCALE_TABLE = """PEEL 2021/22

Police effectiveness, efficiency and legitimacy

An inspection of Gwent Police

October 2022

Our judgements

Outstanding\tGood\tAdequate\tRequires improvement\tInadequate
\tPreventing crime and anti-social behaviour\tInvestigating crime\tResponding to the public\t
\t\tManaging offenders and suspects\t\tProtecting vulnerable people

Providing a service to the victims of crime

This area is not graded.

Protecting vulnerable people

Inadequate

Cause of concern

The force does not always identify vulnerable people when they first contact it.

Recommendations

Within three months, the force should:
- make sure call handlers assess the risk to every caller;
- review how it records repeat victims.

Within six months, the force should:
- audit its risk assessments each quarter; and
- train supervisors in reviewing them.

Areas for improvement

The force should improve how it safeguards children who go missing.
"""


def test_a_scale_table_gives_each_area_the_grade_of_its_column():
    result = run(SCALE_TABLE)
    assert result.document_type == "peel"
    assert result.grading_scale == "peel_2021"
    assert result.title == "PEEL 2021/22 – An inspection of Gwent Police"
    assert [(j.area, j.grade) for j in result.judgements] == [
        ("Preventing crime and anti-social behaviour", "Good"),
        ("Investigating crime", "Adequate"),
        ("Responding to the public", "Requires improvement"),
        ("Managing offenders and suspects", "Adequate"),
        ("Protecting vulnerable people", "Inadequate"),
        ("Providing a service to the victims of crime", "Not graded"),
    ]


def test_a_distribution_of_counts_under_a_scale_row_is_not_a_grade():
    text = "Poor\tFair\tGood\tExcellent\n2\t20\t19\t2\n"
    assert run(text).judgements == []


def test_each_lead_in_after_a_list_is_a_recommendation_of_its_own_answering_the_cause():
    findings = run(SCALE_TABLE).findings
    assert [(f.kind, f.text.split("\n")[0], len(f.parts), f.parent) for f in findings] == [
        ("cause_of_concern", findings[0].text, 0, None),
        ("recommendation", "Within three months, the force should:", 2, 0),
        ("recommendation", "Within six months, the force should:", 2, 0),
        (
            "area_for_improvement",
            "The force should improve how it safeguards children who go missing.",
            0,
            None,
        ),
    ]
    assert findings[1].target_text == "Within three months"
    assert findings[0].area == "Protecting vulnerable people"


LIST_AND_SENTENCES = """PEEL 2023–25

An inspection of Suffolk Constabulary

Published 4 April 2024

Our judgements

- Police powers and public treatment: Good
- Preventing crime – Adequate
- Investigating crime: Requires improvement

We graded the constabulary as adequate at leadership and force management, and we found
that it requires improvement in protecting vulnerable people. Since 2021 we grade forces
as outstanding, good, adequate, requires improvement or inadequate.

Leadership and force management

Area for improvement 4

The constabulary should evaluate the changes to its shift pattern.
"""


def test_grades_listed_or_stated_in_sentences_are_taken_for_known_areas_only():
    result = run(LIST_AND_SENTENCES)
    grades = {j.area: (j.grade, j.note) for j in result.judgements}
    assert grades["Police powers and public treatment"] == ("Good", "")
    assert grades["Preventing crime"] == ("Adequate", "")
    assert grades["Investigating crime"] == ("Requires improvement", "")
    assert grades["Leadership and force management"][0] == "Adequate"
    assert grades["Leadership and force management"][1].startswith("Stated in the text")
    assert grades["Protecting vulnerable people"][0] == "Requires improvement"
    assert len(grades) == 5  # the sentence about the scale itself grades nothing


def test_an_area_heading_without_a_grade_line_is_still_the_area_of_its_findings():
    finding = run(LIST_AND_SENTENCES).findings[0]
    assert (finding.kind, finding.reference, finding.area) == (
        "area_for_improvement",
        "Area for improvement 4",
        "Leadership and force management",
    )


def test_listed_grades_are_not_labels_or_sentences():
    assert listed_grade("Investigating crime: Adequate").grade == "Adequate"
    assert listed_grade("Responding to the public – Requires Improvement").grade == (
        "Requires improvement"
    )
    assert listed_grade("Overall rating for Kent Police: Good").area == "Overall"
    assert listed_grade("Grade: Good") is None
    assert listed_grade("The force should be good") is None
    assert listed_grade("Good practice: the force's hub") is None


PRACTICE_BOXES = """PEEL 2021/22

An inspection of Dorset Police

May 2022

Preventing crime and anti-social behaviour

Good

Innovative practice

Street triage with the ambulance service

Paramedics and officers patrol together at weekends. Other forces should consider this.

- It has cut the number of people taken to custody.

Area for improvement

The force should evaluate its problem-solving plans.

Promising practice: The force's volunteers run a scam-prevention helpline. We recommend
that other forces look at it.

Notable practice

The force must be commended for its rural crime team.
"""


def test_practice_boxes_are_notes_never_findings_even_when_they_say_should():
    result = run(PRACTICE_BOXES)
    assert [(f.kind, f.text) for f in result.findings] == [
        ("area_for_improvement", "The force should evaluate its problem-solving plans.")
    ]
    assert result.notes == [
        "Innovative practice: Street triage with the ambulance service",
        "Promising practice: The force's volunteers run a scam-prevention helpline.",
        "Notable practice: The force must be commended for its rural crime team.",
    ]


def test_a_practice_box_right_after_a_label_is_not_taken_as_the_finding():
    text = (
        "PEEL 2021/22\n\nAn inspection of Kent Police\n\nInvestigating crime\n\nAdequate\n\n"
        "Areas for improvement\n\nPromising practice\n\nFast-track forensics\n\n"
        "The force uses a triage desk.\n\nThe force should supervise investigations better.\n"
    )
    result = run(text)
    assert [f.text for f in result.findings] == []
    assert result.notes == ["Promising practice: Fast-track forensics"]


ACCELERATED = """PEEL 2023–25

An inspection of Norfolk Constabulary

Protecting vulnerable people

Inadequate

Accelerated cause of concern

The constabulary does not respond quickly enough to reports of missing children.

Recommendation 1: By 31 July 2024, the constabulary should review every open missing child report.
"""


def test_an_accelerated_cause_of_concern_is_a_cause_with_a_note():
    result = run(ACCELERATED)
    assert [(f.kind, f.reference, f.parent, f.target_date) for f in result.findings] == [
        ("cause_of_concern", "", None, None),
        ("recommendation", "Recommendation 1", 0, "2024-07-31"),
    ]
    assert result.notes == [
        "Accelerated cause of concern (Protecting vulnerable people), reported early because "
        "of a serious risk: The constabulary does not respond quickly enough to reports of "
        "missing children."
    ]


def test_run_in_lettered_and_roman_parts_become_parts():
    text = (
        "PEEL 2025–27\n\nAn inspection of Kent Police\n\nRecommendations\n\n"
        "Within six months, the force should: (a) review its call handling; (b) train its "
        "staff; and (c) report on progress.\n\n"
        "Recommendations\n\nThe force should:\n\ni. publish its plan; and\n\nii. audit it.\n"
    )
    findings = run(text).findings
    assert [f.parts for f in findings] == [
        ["(a) review its call handling;", "(b) train its staff; and", "(c) report on progress."],
        ["i. publish its plan; and", "ii. audit it."],
    ]


def test_letters_that_are_not_in_sequence_are_not_parts():
    prepared = prepare(blocks_of("The force should: e.g. review x. Then act as needed.\n"))
    assert [b.text for b in prepared.blocks] == [
        "The force should: e.g. review x. Then act as needed."
    ]


def test_peel_2014_reports_keep_the_four_point_scale():
    text = "PEEL: Police efficiency 2017\n\nAn inspection of Kent Police\n\nOverall\n\nGood\n"
    assert run(text).grading_scale == "peel_2014"


def test_the_framework_names_are_data_with_one_ungraded_area():
    assert len(PEEL_2023_25) == 9
    assert len([a for a in PEEL_2023_25 if a not in UNGRADED]) == 8
    assert known_area("3. INVESTIGATING CRIME") == "Investigating crime"
    assert known_area("Preventing crime & anti-social behaviour") == (
        "Preventing crime and anti-social behaviour"
    )
    assert area_for_activity("preventing crime and anti-social behaviour in towns") == (
        "Preventing crime and anti-social behaviour"
    )
    assert area_for_activity("preventing crime") == "Preventing crime"
    assert area_for_activity("keeping people warm") is None


# Inspection programmes -------------------------------------------------------------------

CUSTODY = """Report on an unannounced inspection visit to police custody suites in Kent

by HM Inspectorate of Prisons and HM Inspectorate of Constabulary and Fire & Rescue Services

Published 3 May 2022

Section 5. Summary of causes of concern, recommendations and areas for improvement

Causes of concern and recommendations

5.1 Cause of concern: Detainees waited too long to see a health care professional.

5.2 Recommendation: The force should make sure that detainees see a health care
professional promptly.

5.3 Cause of concern: Cells had ligature points.

5.4 Recommendation: The force should remove ligature points from its cells.

Areas for improvement

Leadership, accountability and partnerships

5.5 The force should improve its custody performance data.

Release and transfer from custody

5.6 The force should make sure that pre-release risk assessments are done.

5.7 Officers should give detainees information about support services on release.
"""


def test_a_custody_report_keeps_paragraph_numbers_as_references_and_causes_as_parents():
    result = run(CUSTODY)
    assert result.document_type == "inspection_programme"
    assert result.forces == ["Kent Police"]
    assert result.organisation_kind == "force"
    assert [(f.kind, f.reference, f.parent) for f in result.findings] == [
        ("cause_of_concern", "5.1", None),
        ("recommendation", "5.2", 0),
        ("cause_of_concern", "5.3", None),
        ("recommendation", "5.4", 2),
        ("area_for_improvement", "5.5", None),
        ("area_for_improvement", "5.6", None),
        ("area_for_improvement", "5.7", None),
    ]
    assert result.findings[0].text == (
        "Detainees waited too long to see a health care professional."
    )
    assert result.notes[0] == (
        "Inspection programme: Police custody inspection (with HM Inspectorate of Prisons)."
    )


def test_subheadings_inside_areas_for_improvement_are_its_areas_not_its_end():
    areas = [f.area for f in run(CUSTODY).findings[4:]]
    assert areas == [
        "Leadership, accountability and partnerships",
        "Release and transfer from custody",
        "Release and transfer from custody",
    ]


def test_a_crime_data_integrity_report_gives_its_overall_judgement():
    text = (
        "Kent Police: Crime Data Integrity inspection 2017\n\n"
        "HM Inspectorate of Constabulary and Fire & Rescue Services\n\n"
        "Overall judgement\n\nGood\n\n"
        "Areas for improvement\n\n"
        "- The force should audit the recording of rape.\n"
        "- The force should train its call handlers.\n"
    )
    result = run(text)
    assert result.document_type == "inspection_programme"
    assert [(j.area, j.grade) for j in result.judgements] == [("Overall", "Good")]
    assert result.grading_scale == "peel_2014"
    assert [f.kind for f in result.findings] == ["area_for_improvement"] * 2
    assert result.findings[0].area == ""


def test_a_programme_needs_an_inspectorate_named_in_its_opening():
    # The rules test's unknown document: "custody" on the cover, no inspectorate named.
    text = (
        "Joint inspection of custody in the Metropolitan Police Service\n\n"
        "Recommendations\n\n"
        "1. The Metropolitan Police Service should review the use of force in custody.\n"
    )
    assert run(text).document_type == "unknown"
    assert run("PEEL 2021/22 crime data integrity\n\nHMICFRS\n").document_type == "peel"


def test_the_extraction_names_only_report_types_the_models_know():
    from tracker.models import ReportType

    assert set(REPORT_TYPES) == set(ReportType.values) - {
        "iopc_recommendations",
        "prevention_of_future_deaths",
    }
    for wanted in WANTED_REPORT_TYPES:
        assert report_type_or(wanted, "other") == wanted


# Fire and rescue -------------------------------------------------------------------------

FIRE = """Effectiveness, efficiency and people 2021/22

An inspection of Northamptonshire Fire & Rescue

Published 15 December 2022

Northamptonshire Police and the service share a commissioner.

Understanding the risk of fire and other emergencies\tGood
Preventing fires and other risks\tRequires improvement

Effectiveness

How effective is the service at keeping people safe and secure from fires and other risks?

Requires improvement

Preventing fires and other risks

Requires improvement

Cause of concern

The service has a backlog of safe and well visits to people at high risk.

Recommendation

By 31 March 2023, the service should clear its backlog of visits to people at high risk.

Area for improvement

The service should evaluate its prevention campaigns.

Responding to fires and other emergencies

Northamptonshire Fire and Rescue Service is good at responding to fires and other emergencies.
"""


def test_a_fire_inspection_is_about_the_service_not_a_police_force():
    result = run(FIRE)
    assert result.document_type == "fire_and_rescue"
    assert result.organisation_kind == "fire_and_rescue"
    assert result.services == ["Northamptonshire Fire and Rescue Service"]
    assert result.forces == []
    assert result.inspectorate == "HMICFRS"
    assert not any("police force" in w for w in result.warnings)


def test_a_fire_inspection_gives_grades_from_tables_lines_and_sentences():
    result = run(FIRE)
    assert [(j.area, j.grade) for j in result.judgements] == [
        ("Understanding the risk of fire and other emergencies", "Good"),
        ("Preventing fires and other risks", "Requires improvement"),
        ("Effectiveness", "Requires improvement"),
        ("Responding to fires and other emergencies", "Good"),
    ]
    assert result.grading_scale == "peel_2014"  # four points before 2023


def test_a_fire_inspection_finds_causes_recommendations_and_areas_for_improvement():
    findings = run(FIRE).findings
    assert [(f.kind, f.parent, f.area, f.target_date) for f in findings] == [
        ("cause_of_concern", None, "Preventing fires and other risks", None),
        ("recommendation", 0, "Preventing fires and other risks", "2023-03-31"),
        ("area_for_improvement", None, "Preventing fires and other risks", None),
    ]


def test_the_inspectorate_s_own_name_does_not_make_a_fire_inspection():
    text = (
        "Report on an inspection visit to police custody suites in Kent\n\n"
        "HM Inspectorate of Constabulary and Fire & Rescue Services\n\nIntroduction\n"
    )
    assert run(text).document_type == "inspection_programme"
    text = "A report\n\nHMICFRS\n\nIntroduction\n\nSome words about Fire and Rescue Services.\n"
    assert run(text).document_type != "fire_and_rescue"


def test_the_44_services_are_known_by_their_names_and_variants():
    assert len(FIRE_AND_RESCUE_SERVICES) == 44
    assert len(set(FIRE_AND_RESCUE_SERVICES)) == 44
    assert services_named(
        "Essex County Fire & Rescue Service, Cumbria Fire and Rescue, London Fire Brigade, "
        "West Midlands Fire Service and Hampshire Fire and Rescue Service"
    ) == [
        "Essex County Fire and Rescue Service",
        "Cumbria Fire and Rescue Service",
        "London Fire Brigade",
        "West Midlands Fire Service",
        "Hampshire Fire and Rescue Service",
    ]
    assert services_named("Staffordshire Police and Essex Police") == []


def test_a_fire_inspection_naming_no_service_says_so():
    text = (
        "Fire and rescue service inspection 2023–25\n\nAn inspection of a service\n\n"
        "Areas for improvement\n\nThe service should improve its training records.\n"
    )
    result = run(text)
    assert result.document_type == "fire_and_rescue"
    assert result.services == []
    assert any("No fire and rescue service" in w for w in result.warnings)


def test_a_missing_fire_grade_is_named_in_a_warning():
    text = (
        "Effectiveness, efficiency and people 2018/19\n\n"
        "An inspection of Cumbria Fire and Rescue Service\n\n"
        "Efficiency\n\nThe service makes good use of its money, and plans ahead well.\n\n"
        "People\n\nGood\n"
    )
    assert (
        "1 graded area had no grade in the text (Efficiency). The grades were probably "
        "images in the PDF: check them against the published report."
    ) in run(text).warnings


# Doubts ------------------------------------------------------------------------------------


def test_an_area_for_improvement_that_asks_nothing_is_marked_unsure():
    text = (
        "PEEL 2021/22\n\nAn inspection of Kent Police\n\nInvestigating crime\n\nAdequate\n\n"
        "Areas for improvement\n\nThe quality of the force's files for the prosecutor.\n"
    )
    finding = run(text).findings[0]
    assert finding.unsure.startswith("It does not say what should be done")


def test_the_json_carries_notes_and_services():
    data = run(FIRE).to_dict()
    assert data["services"] == ["Northamptonshire Fire and Rescue Service"]
    assert data["organisation_kind"] == "fire_and_rescue"
    assert run(PRACTICE_BOXES).to_dict()["notes"][0].startswith("Innovative practice")


def test_findings_without_a_full_stop_are_not_taken_for_headings():
    text = (
        "Kent Police: Crime Data Integrity inspection 2017\n\nHMICFRS\n\n"
        "Areas for improvement\n\n"
        "The force should audit the recording of rape\n\n"
        "The force should train its call handlers\n\n"
        "Leadership\n\nThe chief constable leads the work on crime recording.\n"
    )
    assert [f.text for f in run(text).findings] == [
        "The force should audit the recording of rape",
        "The force should train its call handlers",
    ]
