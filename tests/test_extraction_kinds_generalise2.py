"""Issue 17, general causes found on a second blind development set (helper generalise2).

Each test holds a short excerpt composed for it (invented wording, other forces and years)
in the published shape that exposed the cause: a numbered label with no colon ("AFI 3  The
force should ..."), a running footer that carries its page number on the same line, a
chapter-numbered "11. Recommendations", a cause's recommendations introduced by "we recommend
that:", a paragraph number opening a finding ("3.4 Chief constables should ..."), a list
recommendation followed by a second one, a committee paper's entries with a force reference
in brackets and two parties' comments, a register page whose statuses are in a table under
"Progress", and a table read cell by cell with "Ref." above it. No database.
"""

from tracker.extraction import extract
from tracker.extraction.addressees import addressee_of
from tracker.extraction.cleaning import clean_text, parse_blocks
from tracker.extraction.vocabulary import find_target, kind_label

FORCES = ["Durham Constabulary", "Dorset Police", "Avon and Somerset Constabulary"]


def run(text: str):
    return extract(text, known_forces=FORCES)


def test_numbered_label_without_colon_is_a_label_with_its_reference():
    label = kind_label("AFI 3  The force should improve how it records hate crime.", heading=False)
    assert label is not None
    assert (label.kind, label.reference) == ("area_for_improvement", "AFI 3")
    assert label.rest.startswith("The force should improve")
    # prose that only starts with the word stays prose
    assert kind_label("Recommendation 2 was accepted by the force in full.", heading=False) is None


def test_chapter_numbered_label_heading_and_bracketed_force_reference():
    label = kind_label("7. Recommendations", heading=True)
    assert label is not None
    assert label.kind == "recommendation"
    label = kind_label("Recommendation 4 (DUR-22-07)", heading=True)
    assert label is not None
    assert label.reference == "Recommendation 4"


DORSET_PEEL = """PEEL 2023–25
An inspection of Dorset Police

Investigating crime
Requires improvement
Dorset Police requires improvement at investigating crime.
AFI 3  The force should make sure that investigations are allocated to officers with the
training to carry them out.
In 14 of the 60 cases we reviewed, the officer had not been trained.
Dorset Police – PEEL 2023–25                                                            8
AFI 4  The force should make sure that victims are kept informed of the progress of their
case, in line with the victims' code.
Dorset Police – PEEL 2023–25                                                            9
Managing offenders
Inadequate
Cause of concern
The force doesn't manage the risk of registered sex offenders well enough.
Recommendations
By 31 May 2024, the force should make sure that:
•  every offender has a risk assessment reviewed on time; and
•  home visits take place at the frequency the assessment requires.
By 31 August 2024, the force should review the number of offenders each officer manages, so
that it is safe.
Since the inspection, the force has moved four officers into the team.
Dorset Police – PEEL 2023–25                                                           12
"""


def test_inline_afi_labels_and_running_footer_with_page_number():
    result = run(DORSET_PEEL)
    afis = [f for f in result.findings if f.kind == "area_for_improvement"]
    assert [f.reference for f in afis] == ["AFI 3", "AFI 4"]
    assert afis[0].text.startswith("The force should make sure that investigations")
    assert not any("PEEL 2023–25 8" in f.text for f in result.findings)
    assert "Dorset Police – PEEL" not in clean_text(DORSET_PEEL)


def test_second_recommendation_after_a_list_recommendation():
    result = run(DORSET_PEEL)
    recs = [f for f in result.findings if f.kind == "recommendation"]
    assert len(recs) == 2
    assert len(recs[0].parts) == 2
    assert recs[1].text.startswith("By 31 August 2024, the force should review")
    assert recs[1].target_date == "2024-08-31"
    assert all(r.parent is not None for r in recs)


def test_a_label_alone_numbered_is_not_a_running_footer():
    text = "\n\n".join(
        f"Area for improvement {n}\n\nThe force should improve thing number {n} of its work."
        for n in range(1, 5)
    )
    assert clean_text(text).count("Area for improvement") == 4


CHILD_PROTECTION = """National child protection inspection
Durham Constabulary

Durham Constabulary – National child protection inspection                        3

9. Recommendations
Immediately
Durham Constabulary should review every child held overnight in custody in the last month.
Within three months
Durham Constabulary should make sure that referrals reach children's services within a day.
Within six months
Durham Constabulary should train all response officers in recognising child exploitation,

Durham Constabulary – National child protection inspection                       21

including the signs of county lines.

10. Next steps
We will revisit the force within six months of publication.

Durham Constabulary – National child protection inspection                       23
"""


def test_chapter_numbered_recommendations_grouped_by_timescale():
    result = run(CHILD_PROTECTION)
    assert [(f.kind, f.target_text) for f in result.findings] == [
        ("recommendation", "Immediately"),
        ("recommendation", "Within three months"),
        ("recommendation", "Within six months"),
    ]
    assert result.findings[2].text.endswith("including the signs of county lines.")


NATIONAL = """Lost and found: police work with missing older people

2. Our cause of concern and recommendations

Cause of concern
Forces don't consistently recognise the risk to older people who go missing from care.

2.1 To address this cause of concern, we recommend that:
•  By 30 June 2025, chief constables should make sure that care homes share a profile of each
   resident at risk of going missing.
•  By 30 September 2025, chief constables should record the outcome of every debrief.

Area for improvement
2.2 Chief constables should make sure their call handlers ask about dementia.

3. Searching
3.1 Forces should also consider how they use drones.
"""


def test_cause_with_we_recommend_that_lead_in_and_paragraph_numbers():
    result = run(NATIONAL)
    kinds = [(f.kind, f.reference, f.addressee_kind) for f in result.findings]
    assert kinds == [
        ("cause_of_concern", "", "forces"),
        ("recommendation", "", "forces"),
        ("recommendation", "", "forces"),
        ("area_for_improvement", "2.2", "forces"),
    ]
    assert result.findings[1].parent == 0
    assert result.findings[2].parent == 0
    assert result.findings[1].target_date == "2025-06-30"
    assert result.findings[3].text.startswith("Chief constables should make sure")
    assert result.findings[3].addressee == "Chief constables"


def test_a_helper_named_after_working_with_is_not_an_addressee():
    found = addressee_of("By 31 March 2026, the Home Office, working with the NPCC, should act.")
    assert found is not None
    assert (found.name, found.kind) == ("The Home Office", "national_body")
    joint = addressee_of("Chief constables, with PCCs, should publish their plans.")
    assert joint is not None
    assert joint.name == "Chief constables, with PCCs"


def test_relative_timescale_in_the_recommendation_itself_is_its_target():
    assert find_target("Within three months, the force should review its policy.") == (
        "Within three months",
        None,
    )


PANEL = """DORSET POLICE AND CRIME PANEL

Meeting date: 4 February 2026

Agenda item: 5

Subject: HMICFRS thematic inspection – force progress on recommendations

3. Progress

Recommendation 2 (ASC-T25-01)
By 31 December 2025, chief constables should make sure that every complaint is assessed
within five working days.
Force update: All complaints now go to one triage desk. In December, 91% were assessed in time.
Status: In progress (amber)
OPCC comment: The Commissioner will review the figures at her next accountability board.

Area for improvement 1 (ASC-T25-02)
Forces should make sure that supervisors are trained in handling complaints.
Force update: Training was delivered to all sergeants in January 2026.
Status: Complete
"""


def test_panel_paper_entries_with_force_reference_and_two_parties():
    result = run(PANEL)
    assert [(f.kind, f.reference) for f in result.findings] == [
        ("recommendation", "Recommendation 2"),
        ("area_for_improvement", "Area for improvement 1"),
    ]
    replies = [(r.to, r.party, r.status, r.text[:20]) for r in result.responses]
    assert replies == [
        (0, "force", "In progress (amber)", "All complaints now g"),
        (0, "pcc", "", "The Commissioner wil"),
        (1, "force", "Complete", "Training was deliver"),
    ]
    source = "Dorset Police and Crime Panel, 4 February 2026, agenda item 5"
    assert all(r.source == source for r in result.responses)


REGISTER_PAGE = """# Recommendations

# Recommendation 8123

Report

An inspection of Durham Constabulary's custody suites

Published

3 March 2023

Type

Recommendation

By 30 September 2023, Durham Constabulary should make sure that detainees are offered a
solicitor on arrival.

# Progress

Date\tStatus\tComment
3 March 2023\tAwaiting review\t
12 January 2024\tComplete\tOur revisit found it in place.
"""


def test_register_page_with_fields_then_text_and_a_progress_table():
    result = run(REGISTER_PAGE)
    assert result.document_type == "register"
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.reference == "8123"
    assert finding.text.startswith("By 30 September 2023, Durham Constabulary should")
    assert [(s.status, s.dated) for s in finding.status_history] == [
        ("awaiting_review", "2023-03-03"),
        ("complete", "2024-01-12"),
    ]


def test_reference_column_header_read_cell_by_cell_is_not_a_finding():
    text = """Crime data integrity: Dorset Police

Areas for improvement

Ref.

Area for improvement

AFI 1

The force should make sure that crimes reported by partners are recorded within a day.
"""
    result = run(text)
    assert [(f.reference, f.text[:20]) for f in result.findings] == [
        ("AFI 1", "The force should mak")
    ]


def test_field_line_after_a_full_sentence_starts_a_new_paragraph():
    text = (
        "By 31 March 2025, chief constables should give their units the capability to monitor\n"
        "force IT systems for signs of abuse of position for a sexual purpose, in all cases.\n"
        "Force update: Monitoring software has been bought and will be installed in March.\n"
        "Status: In progress (amber)\n"
    )
    blocks = parse_blocks(clean_text(text))
    assert any(b.text.startswith("Force update:") for b in blocks)
