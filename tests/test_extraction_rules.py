"""Extraction rules per document type, on short excerpts composed for these tests.

The excerpts copy the *shape* of each kind of document (another force, another year), not
the seed files' wording, so the tests show the rules generalise. No database.
"""

from tracker.extraction import extract, vocabulary
from tracker.extraction.cleaning import clean_text, parse_blocks
from tracker.extraction.vocabulary import (
    KindLabel,
    find_target,
    kind_label,
    parse_grade,
    response_party,
)

FORCES = [
    "Kent Police",
    "Surrey Police",
    "Cumbria Constabulary",
    "Dyfed-Powys Police",
    "Devon and Cornwall Police",
    "Metropolitan Police Service",
]


def run(text: str):
    return extract(text, known_forces=FORCES)


# Force letters ---------------------------------------------------------------------------

KENT_LETTER = """
Zoe Billingham
Her Majesty's Inspector of Constabulary

Chief Constable
Kent Police
Sutton Road
Maidstone

12 November 2014

Dear Alan

Crime data integrity: an inspection of crime recording

This letter sets out what we found in Kent Police. The national report will be published
on Tuesday 18 November 2014.

The inspection examined:

- how crime is recorded; and
- how incidents are closed.

Recording crime

- The force records most reported crimes correctly.
- Call handlers are not always trained in the national standard. They rely on
 supervisors to check decisions.

June 2014

- Incidents are closed in one of three ways:
 - by the call handler;
 - by a supervisor; or
 - by the crime bureau.

The force does not know how many incidents each route closes.

Strengths

- Staff are committed to getting recording right.

Closing incidents

- Supervisors do not review closed incidents consistently, and there is no audit of the
June 2014
decisions made at night.

June 2014

Yours sincerely

Zoe Billingham
"""


def test_a_letter_gives_each_bullet_under_a_heading_as_a_finding():
    result = run(KENT_LETTER)
    assert result.document_type == "letter"
    assert result.title == "Crime data integrity: an inspection of crime recording"
    assert result.forces == ["Kent Police"]
    assert result.dated == "2014-11-12"
    assert result.published == "2014-11-18"
    assert result.inspectorate == "HMIC"
    assert [(f.kind, f.area) for f in result.findings] == [
        ("finding", "Recording crime"),
        ("finding", "Recording crime"),
        ("finding", "Recording crime"),
        ("finding", "Closing incidents"),
    ]


def test_a_letter_keeps_nested_bullets_and_the_paragraph_after_them_with_their_finding():
    finding = run(KENT_LETTER).findings[2]
    assert finding.parts == ["by the call handler;", "by a supervisor; or", "by the crime bureau."]
    assert finding.text == (
        "Incidents are closed in one of three ways:\n- by the call handler;\n"
        "- by a supervisor; or\n- by the crime bureau.\n\n"
        "The force does not know how many incidents each route closes."
    )


def test_a_letter_skips_the_introduction_and_strengths():
    texts = " ".join(f.text for f in run(KENT_LETTER).findings)
    assert "how crime is recorded" not in texts
    assert "committed to getting recording right" not in texts


def test_a_bullet_split_by_page_furniture_is_one_finding():
    findings = run(KENT_LETTER).findings
    assert findings[1].text == (
        "Call handlers are not always trained in the national standard. They rely on "
        "supervisors to check decisions."
    )
    assert findings[3].text.endswith("there is no audit of the decisions made at night.")


# PEEL reports ----------------------------------------------------------------------------

PEEL_2016 = """
PEEL: Police effectiveness 2016

An inspection of Dyfed-Powys Police

March 2017

© HMIC 2017

Contents

How effective is the force at preventing crime and tackling anti-social behaviour?\t10

Overview – How effective is the force at keeping people safe and reducing crime?

Overall judgement¹



Requires improvement

Dyfed-Powys Police requires improvement in how it keeps people safe and reduces crime.

How effective is the force at preventing crime and tackling anti-social behaviour?



Dyfed-Powys Police is good at preventing crime and tackling anti-social behaviour.
Neighbourhood teams know their communities well and work with partners.

Summary of findings

The force works well with partners.

Areas for improvement

• The force should evaluate its problem-solving work so that it learns what works.
• The force should make sure neighbourhood officers are not routinely taken away from their duties .

How effective is the force at protecting those who are vulnerable from harm, and supporting victims?



The force has improved its understanding of vulnerability since last year, although some
gaps remain in how risk is assessed.

Cause of concern

Victims of domestic abuse are not always safeguarded quickly enough

Recommendations

To address this cause of concern, we recommend that by 30 June 2017:

- the force should review how risk is assessed at the first point of contact; and
- the force should make sure that every high-risk case is reviewed by a supervisor within 24 hours.

Notable practice

- The force has set up a victim hub that other forces could learn from.

How effective is the force at investigating crime and reducing re-offending?

Summary of findings

Good

Investigations are generally well planned.

Area for improvement

The force should improve the supervision of investigations in its local teams.

The supervisors we spoke to described heavy workloads, and some had not had training.
"""


def test_a_peel_report_gives_title_date_forces_and_inspectorate():
    result = run(PEEL_2016)
    assert result.document_type == "peel"
    assert result.title == "PEEL: Police effectiveness 2016 – An inspection of Dyfed-Powys Police"
    assert result.published == "2017-03"
    assert result.forces == ["Dyfed-Powys Police"]
    assert result.inspectorate == "HMIC"
    assert result.report_type == "peel_effectiveness"
    assert result.grading_scale == "peel_2014"


def test_a_peel_report_gives_grade_lines_and_stated_grades_and_warns_about_missing_ones():
    result = run(PEEL_2016)
    grades = {j.area: (j.grade, j.note) for j in result.judgements}
    assert grades["Overall: How effective is the force at keeping people safe and reducing crime?"][
        0
    ] == ("Requires improvement")
    prevention = grades[
        "How effective is the force at preventing crime and tackling anti-social behaviour?"
    ]
    assert prevention[0] == "Good"
    assert prevention[1].startswith("Stated in the text")
    assert (
        grades["How effective is the force at investigating crime and reducing re-offending?"][0]
        == "Good"
    )
    assert len(result.judgements) == 3
    assert result.warnings[0].startswith("1 graded question had no grade in the text")
    assert "protecting those who are vulnerable" in result.warnings[0]


def test_a_peel_report_finds_areas_for_improvement_causes_and_recommendations():
    result = run(PEEL_2016)
    kinds = [(f.kind, f.text[:40]) for f in result.findings]
    assert kinds == [
        ("area_for_improvement", "The force should evaluate its problem-so"),
        ("area_for_improvement", "The force should make sure neighbourhood"),
        ("cause_of_concern", "Victims of domestic abuse are not always"),
        ("recommendation", "the force should review how risk is asse"),
        ("recommendation", "the force should make sure that every hi"),
        ("area_for_improvement", "The force should improve the supervision"),
    ]
    assert result.findings[1].text.endswith("from their duties.")  # no space before the stop


def test_recommendations_answer_their_cause_of_concern_and_keep_its_target():
    findings = run(PEEL_2016).findings
    cause = findings.index(next(f for f in findings if f.kind == "cause_of_concern"))
    recommendations = [f for f in findings if f.kind == "recommendation"]
    assert {r.parent for r in recommendations} == {cause}
    assert {(r.target_text, r.target_date) for r in recommendations} == {
        ("by 30 June 2017", "2017-06-30")
    }
    assert findings[cause].area.startswith("How effective is the force at protecting")


def test_notable_practice_and_explanations_are_not_findings():
    texts = " ".join(f.text for f in run(PEEL_2016).findings)
    assert "victim hub" not in texts
    assert "heavy workloads" not in texts


PEEL_2022 = """
PEEL 2021/22

An inspection of Devon and Cornwall Police

Published 14 September 2022

Our judgements

Area\tGrade
Preventing crime\tAdequate
Investigating crime\tRequires improvement
Protecting vulnerable people\tGood

Investigating crime

Requires improvement

**Area for improvement 1**

The force should make sure that investigations are allocated to officers with the right
skills within six months.

Area for improvement 2: The force needs to reduce the backlog of digital devices awaiting
examination.
"""


def test_a_peel_2021_report_uses_the_five_point_scale_and_numbered_labels():
    result = run(PEEL_2022)
    assert result.grading_scale == "peel_2021"
    assert result.forces == ["Devon and Cornwall Police"]
    assert [(j.area, j.grade) for j in result.judgements] == [
        ("Preventing crime", "Adequate"),
        ("Investigating crime", "Requires improvement"),
        ("Protecting vulnerable people", "Good"),
    ]
    assert [(f.kind, f.reference, f.area) for f in result.findings] == [
        ("area_for_improvement", "Area for improvement 1", "Investigating crime"),
        ("area_for_improvement", "Area for improvement 2", "Investigating crime"),
    ]
    assert result.findings[0].target_text == "within six months"
    assert result.findings[0].target_date is None
    assert result.inspectorate == "HMICFRS"


# Baseline assessments --------------------------------------------------------------------

CUMBRIA_BASELINE = """
## Cumbria Constabulary

### Baseline Assessment October 2005

**CROWN COPYRIGHT**

<b>Summary of Judgements</b>\t<b>Grade</b>\t<b>Direction of Travel</b>
<b>Citizen Focus</b>\t\t
Fairness and Equality\t<b>Fair</b>\t<b>Improved</b>
Customer Service\t<b>Good</b>\t<b>Stable</b>
<b>Reducing Crime</b>\t\t
Volume Crime Reduction\t<b>Poor</b>\t<b>Declined</b>

# 1 Citizen Focus (Domain A)

## 1A Fairness and Equality

<b>Grade</b>\t<b>Direction of Travel</b>
<b>Fair</b>\t<b>Improved</b>

### National Grade Distribution

Poor\tFair\tGood\tExcellent
2\t20\t19\t2

### Strengths

- The force has a well-attended diversity board chaired by the deputy chief constable.

### **Areas for Improvement**

- Hate crime detection rates have fallen for two years running and are below the average
of similar forces.

*October 2005*

- The force has not yet assessed the impact of its policies on minority groups.

**1B Customer Service**

<b>Grade</b>\t<b>Direction of Travel</b>
<b>Good</b>\t<b>Stable</b>

**Strengths**

- Call handling standards are high.

#### **Area for Improvement**

- The force should publish its service standards in community languages.

## GOOD PRACTICE

<b>TITLE: Text messaging for deaf callers</b>
<b>PROBLEM:</b> Deaf callers could not reach the control room.
- The force introduced a text service.

October 2005

October 2005
"""


def test_a_baseline_assessment_gives_grades_with_direction_and_framework_references():
    result = run(CUMBRIA_BASELINE)
    assert result.document_type == "baseline"
    assert result.title == "Cumbria Constabulary Baseline Assessment October 2005"
    assert result.published == "2005-10"
    assert result.forces == ["Cumbria Constabulary"]
    assert result.grading_scale == "baseline"
    assert result.report_type == "baseline_assessment"
    assert [(j.reference, j.area, j.grade, j.direction) for j in result.judgements] == [
        ("1A", "Fairness and Equality", "Fair", "Improved"),
        ("1B", "Customer Service", "Good", "Stable"),
        ("2A", "Volume Crime Reduction", "Poor", "Declined"),
    ]


def test_a_baseline_assessment_takes_areas_for_improvement_but_not_strengths_or_good_practice():
    result = run(CUMBRIA_BASELINE)
    assert [(f.kind, f.reference) for f in result.findings] == [
        ("area_for_improvement", "1A"),
        ("area_for_improvement", "1A"),
        ("area_for_improvement", "1B"),
    ]
    assert result.findings[0].text == (
        "Hate crime detection rates have fallen for two years running and are below the "
        "average of similar forces."
    )
    assert result.findings[0].area == "1A Fairness and Equality"
    texts = " ".join(f.text for f in result.findings)
    assert "diversity board" not in texts
    assert "text service" not in texts


# PCC responses ---------------------------------------------------------------------------

SURREY_RESPONSE = """
03/07/2019

Surrey Police and Crime Commissioner's response to HMICFRS report: PEEL: Police
effectiveness, efficiency and legitimacy 2018/19 – Surrey Police

Overall grade\tGood

On 2 May 2019 HMICFRS published its inspection of Surrey Police.

How effective is the force at reducing crime and keeping people safe?\tGood
How efficient is the force at keeping people safe and reducing crime?\tRequires Improvement
How legitimate is the force at keeping people safe and reducing crime ?\tGood

How efficient is the force at keeping people safe and reducing crime?

Requires improvement

The report noted that the force:

- Has a good understanding of demand.

Recommendation 1

The force should develop a workforce plan by March 2020.

Chief Constable's response

A workforce plan is being written.

It will go to the chief officer group in December.

Commissioner's response

I will review the plan at my performance meeting.

Recommendation 2

The force should:

- review its estate; and
- publish its savings plan.

Surrey Police response:

1) The estate review has started.
2) The savings plan is published.

PCC response

I welcome the progress.
"""


def test_a_pcc_response_gives_the_report_grades_and_dates():
    result = run(SURREY_RESPONSE)
    assert result.document_type == "pcc_response"
    assert result.title == (
        "PEEL: Police effectiveness, efficiency and legitimacy 2018/19 – Surrey Police"
    )
    assert result.forces == ["Surrey Police"]
    assert result.published == "2019-05-02"
    assert result.dated == "2019-07-03"
    assert result.inspectorate == "HMICFRS"
    assert [(j.area, j.grade) for j in result.judgements] == [
        ("Overall", "Good"),
        ("How effective is the force at reducing crime and keeping people safe?", "Good"),
        (
            "How efficient is the force at keeping people safe and reducing crime?",
            "Requires improvement",
        ),
        ("How legitimate is the force at keeping people safe and reducing crime?", "Good"),
    ]


def test_a_pcc_response_ties_each_response_to_its_recommendation():
    result = run(SURREY_RESPONSE)
    assert [(f.kind, f.reference) for f in result.findings] == [
        ("recommendation", "Recommendation 1"),
        ("recommendation", "Recommendation 2"),
    ]
    assert result.findings[0].target_date == "2020-03-31"
    assert result.findings[1].parts == ["review its estate; and", "publish its savings plan."]
    assert [(r.to, r.party) for r in result.responses] == [
        (0, "force"),
        (0, "pcc"),
        (1, "force"),
        (1, "pcc"),
    ]
    assert result.responses[0].text == (
        "A workforce plan is being written.\n\nIt will go to the chief officer group in December."
    )
    assert result.responses[2].text == (
        "1) The estate review has started.\n2) The savings plan is published."
    )
    assert "good understanding of demand" not in " ".join(f.text for f in result.findings)


def test_the_json_names_what_each_response_answers():
    data = run(SURREY_RESPONSE).to_dict()
    assert data["responses"][1] == {
        "to": "recommendation",
        "finding": 0,
        "party": "pcc",
        "text": "I will review the plan at my performance meeting.",
        # Issue 17: where a response was given and the status it states (a committee
        # paper's); a PCC's response letter states neither.
        "source": "",
        "status": "",
    }


# Unknown documents -----------------------------------------------------------------------


def test_an_unrecognised_document_still_gives_labelled_findings_with_a_warning():
    text = (
        "Joint inspection of custody in the Metropolitan Police Service\n\n"
        "Recommendations\n\n"
        "1. The Metropolitan Police Service should review the use of force in custody.\n\n"
        "2. The force should record every strip search.\n"
    )
    result = run(text)
    assert result.document_type == "unknown"
    assert [f.kind for f in result.findings] == ["recommendation", "recommendation"]
    assert result.forces == ["Metropolitan Police Service"]
    assert any("not recognised" in w for w in result.warnings)


# The vocabulary and the cleaning ---------------------------------------------------------


def test_grade_spellings_are_normalised():
    assert parse_grade("Requires Improvement") == ("Requires improvement", "")
    assert parse_grade("**Good**") == ("Good", "")
    assert parse_grade("Good (2016 inspection result)") == ("Good", "2016 inspection result")
    assert parse_grade("This area is not graded.") == ("Not graded", "This area is not graded.")
    assert parse_grade("Good practice") is None


def label(text: str, *, heading: bool) -> KindLabel:
    found = kind_label(text, heading=heading)
    assert found is not None, text
    return found


def test_finding_labels_in_their_variants_and_not_in_prose():
    assert label("Areas for improvement", heading=True).kind == "area_for_improvement"
    assert label("Area for Improvement", heading=True).kind == "area_for_improvement"
    assert label("AFI 3", heading=True).reference == "AFI 3"
    assert label("Causes of concern", heading=True).kind == "cause_of_concern"
    found = label("Recommendation 4: The force should act now.", heading=False)
    assert (found.kind, found.reference, found.rest) == (
        "recommendation",
        "Recommendation 4",
        "The force should act now.",
    )
    assert kind_label("Recommendations are not orders for the force.", heading=False) is None


def test_response_labels():
    assert response_party("PCC response") == "pcc"
    assert response_party("The Commissioner's response:") == "pcc"
    assert response_party("WMP response:") == "force"
    assert response_party("Chief Constable's response") == "force"
    assert response_party("Kent Police response") == "force"
    assert response_party("HMICFRS response") is None
    assert response_party("The response to the consultation was positive") is None


def test_targets():
    assert find_target("The force should immediately review X.") == ("immediately", None)
    assert find_target("By 31 March 2023, the force should X.") == (
        "By 31 March 2023",
        "2023-03-31",
    )
    assert find_target("Within 12 months, the force should X.")[0] == "Within 12 months"
    assert find_target("The force should improve X.") == ("", None)


def test_cleaning_repairs_markup_glyphs_and_spaces():
    text = clean_text(
        "## **Strengths**\n\n<b>Grade</b>\t<b>Good</b>\n\n\uf0b7 first point\n\n"
        "- · second point , here\n\n- 1) a numbered point\n\nIs it safe ?\n\n12\n"
    )
    assert text == (
        "# Strengths\n\nGrade\tGood\n\n- first point\n\n- second point, here\n\n"
        "1) a numbered point\n\nIs it safe?\n"
    )


def test_blocks_mark_short_lines_as_headings_and_keep_rows():
    blocks = parse_blocks("Preventing crime\n\nThe force did well.\n\nArea\tGrade\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Preventing crime"),
        ("para", "The force did well."),
        ("row", "Area Grade"),
    ]


def test_the_vocabulary_agrees_with_the_models():
    from tracker import models  # here: the rest of this module needs no Django app loaded

    assert set(vocabulary.REPORT_TYPES) <= set(models.ReportType.values)
    assert set(vocabulary.GRADING_SCALES) == set(models.GradingScale.values)
    assert set(vocabulary.KINDS) == set(models.FindingKind.values)
    every_grade = {grade for grades in models.GRADES.values() for grade in grades}
    assert set(vocabulary.GRADES.values()) <= every_grade
    assert set(vocabulary.DIRECTIONS.values()) <= set(models.DIRECTIONS)


# Text with no blank lines between paragraphs (issue 17, "generalise") ---------------------
# Text taken from a PDF by another tool often has one line per paragraph or heading, or
# lines hard-wrapped at a fixed width, with no blank line between paragraphs. Labels at the
# start of such lines must still be seen. Composed excerpts, invented wording.

from tracker.extraction.paragraphs import wrap_width  # noqa: E402

ONE_LINE_PER_PARAGRAPH = """PEEL 2023–25
Police effectiveness, efficiency and legitimacy
An inspection of Surrey Police

Investigating crime
Requires improvement
Surrey Police requires improvement at investigating crime. We found that too many \
investigations were closed without the evidence being reviewed by a supervisor.
Main findings
Cause of concern
The force doesn't make sure that investigations of burglary and robbery are supervised, \
and victims are not told when their case is closed.
Recommendation
Within three months, Surrey Police should make sure that:
- supervisors review each investigation before it is closed;
- victims are told the outcome of their case; and
- its crime allocation policy is followed.
Area for improvement
The force should improve how it records the reasons for closing investigations.
We reviewed 60 closed investigations. In 19, the reason for closing was not recorded.
"""


def test_a_document_of_one_line_per_paragraph_is_read_line_by_line():
    blocks = parse_blocks(clean_text(ONE_LINE_PER_PARAGRAPH))
    texts = [b.text for b in blocks]
    assert "Main findings" in texts
    assert "Cause of concern" in texts
    assert wrap_width(clean_text(ONE_LINE_PER_PARAGRAPH).split("\n")) is None
    result = run(ONE_LINE_PER_PARAGRAPH)
    kinds = [(f.kind, f.text[:30]) for f in result.findings]
    assert kinds == [
        ("cause_of_concern", "The force doesn't make sure th"),
        ("recommendation", "Within three months, Surrey Po"),
        ("area_for_improvement", "The force should improve how i"),
    ]
    assert len(result.findings[1].parts) == 3


def test_a_chunk_of_short_lines_stays_one_block():
    """An address or a cover's title lines (no sentence of prose among them) are joined, as
    they always were."""
    blocks = parse_blocks(clean_text("Chief Constable\nKent Police\nSutton Road\nMaidstone\n"))
    assert [b.text for b in blocks] == ["Chief Constable Kent Police Sutton Road Maidstone"]


WRAPPED = """Kent Police – Crime Data Integrity inspection 2018
Overall judgement
Inadequate
Kent Police is inadequate at recording crime. The force does not record a large
proportion of the crimes reported to it, including reports of violence and sexual
offences. It needs to make urgent improvements.
Cause of concern
The force is not recording all reports of violent crime, including crimes linked
to domestic abuse, and victims are not getting the service they should.
Recommendation 1: Within three months, the force should put in place plans to
make sure that:
(a) crimes reported through its control room are recorded within 24 hours of
the report being received;
(b) crimes reported by partner agencies are recorded when they are reported; and
(c) reports that include more than one crime are recorded as separate crimes.
Recommendation 2: Within six months, the force should train all staff who make
crime-recording decisions in the Home Office Counting Rules.
Leadership and culture
The senior leaders of the force show a clear commitment to recording crime
accurately, and they have recently set up a monthly crime recording board.
"""


def test_hard_wrapped_lines_are_joined_by_the_documents_own_width():
    cleaned = clean_text(WRAPPED)
    assert 70 <= (wrap_width(cleaned.split("\n")) or 0) <= 85
    blocks = parse_blocks(cleaned)
    texts = [b.text for b in blocks]
    # A sentence ending on a short line, then a heading: the heading stands alone.
    assert "Cause of concern" in texts
    assert "Leadership and culture" in texts
    assert any(
        t.startswith("Kent Police is inadequate") and t.endswith("improvements.") for t in texts
    )
    # A label at the start of a wrapped line starts a block; "(a)" after a lead-in is a part.
    assert any(t.startswith("Recommendation 2: Within six months") for t in texts)
    assert sum(1 for b in blocks if b.numbered) == 3
    result = run(WRAPPED)
    found = [(f.kind, f.reference, len(f.parts)) for f in result.findings]
    assert found == [
        ("cause_of_concern", "", 0),
        ("recommendation", "Recommendation 1", 3),
        ("recommendation", "Recommendation 2", 0),
    ]


PAGE_FURNITURE = """OFFICIAL
Seen and heard: an inspection of victim contact
Recommendations
Recommendation 1: By 31 March 2026, chief constables should make sure that victims are
contacted within the timescales set by the victims' code.
3

Seen and heard: an inspection of victim contact
Recommendation 2: By 31 March 2026, chief constables should make sure that victim
contact is recorded on the crime record.
4

Seen and heard: an inspection of victim contact
Our findings are set out in the chapters that follow.
5

Seen and heard: an inspection of victim contact
OFFICIAL
"""


def test_running_headers_beside_page_numbers_and_markings_are_furniture():
    cleaned = clean_text(PAGE_FURNITURE)
    assert "OFFICIAL" not in cleaned
    assert cleaned.count("Seen and heard: an inspection of victim contact") == 1  # the title
    header = "PEEL 2023–25 | Kent Police"
    assert header not in clean_text(f"a\n{header}\nb\n{header}\nc\n{header}\n")


def test_a_table_row_cut_by_a_page_break_is_one_row():
    text = (
        "Ref\tArea for improvement\tUpdate\tRAG\n"
        "AFI 4\tThe force should make sure that files are reviewed by\n"
        "OFFICIAL\n"
        "a supervisor within seven days.\tA new review form was introduced.\tGreen\n"
    )
    rows = [b for b in parse_blocks(clean_text(text)) if b.kind == "row"]
    assert rows[-1].cells == (
        "AFI 4",
        "The force should make sure that files are reviewed by a supervisor within seven days.",
        "A new review form was introduced.",
        "Green",
    )


def test_a_numbered_chapter_heading_is_a_heading_not_a_list_item():
    text = (
        "Recommendation 1\nBy 31 March 2026, chief constables should review their policies.\n\n"
        "3. Storing and sharing evidence\nAll forces told us they kept footage for 31 days. "
        "Some kept it for longer, and we found this was rarely reviewed.\n"
    )
    blocks = parse_blocks(clean_text(text))
    chapter = next(b for b in blocks if "Storing" in b.text)
    assert chapter.kind == "heading"
    assert not chapter.numbered
    assert [f.text[:20] for f in run(text).findings] == ["By 31 March 2026, ch"]


CUSTODY_PROGRESS = """Report on an unannounced inspection visit to police custody suites in Kent
by HM Inspectorate of Prisons and HM Inspectorate of Constabulary and Fire & Rescue Services
Section 7. Summary of recommendations and areas for improvement
Areas for improvement
7.1 The force should make sure that detained people can shower every day. (4.12)
7.2 Custody staff should record every use of force on the custody record. (3.40)
7. Criminal Justice Joint Inspection, Ministry of Justice, 2022.
Section 8. Progress on recommendations from the last report
The following lists the areas for improvement from the last report, with our assessment.
Areas for improvement
The force should make sure that cells are clean. (5.2)
Partially achieved
Detained people should be offered a meal at normal mealtimes. (5.9)
Achieved
© Crown copyright 2024
This publication is licensed under the terms of the Open Government Licence v3.0.
"""


def test_earlier_findings_with_their_verdict_footnotes_and_the_imprint_are_not_findings():
    result = run(CUSTODY_PROGRESS)
    assert [(f.reference, f.text[:25]) for f in result.findings] == [
        ("7.1", "The force should make sur"),
        ("7.2", "Custody staff should reco"),
    ]


REGISTER_PRINTOUT = """Recommendations
Recommendation 8123
Force / service: Kent Police
Report: Kent Police: Crime Data Integrity inspection 2018
Date published: 20 Sep 2018
Within six months, the force should make sure that all staff who make crime-recording
decisions are trained.
Status history
20 Sep 2018 Awaiting review
11 Jan 2019 Being progressed
02 Mar 2020 Complete
"""

REGISTER_TABLE = """# Recommendation 8124
Report: PEEL 2021/22: An inspection of Kent Police
Type: Recommendation

# Recommendation
By 31 March 2023, the force should review how it assesses risk in missing person cases.

# Status
Current status: Complete
Date\tStatus\tComment
4 May 2023\tComplete\tWe consider this complete.
9 November 2022\tBeing progressed\tAn action plan is in place.
20 May 2022\tAwaiting review\t
"""


def test_a_register_entry_reads_its_text_after_its_fields_and_a_status_table_under_any_label():
    printout = run(REGISTER_PRINTOUT)
    assert printout.document_type == "register"
    [entry] = printout.findings
    assert entry.reference == "8123"
    assert entry.text.startswith("Within six months")
    assert [s.status for s in entry.status_history] == [
        "awaiting_review",
        "being_progressed",
        "complete",
    ]
    [table] = run(REGISTER_TABLE).findings
    assert [(s.status, s.dated) for s in table.status_history] == [
        ("awaiting_review", "2022-05-20"),
        ("being_progressed", "2022-11-09"),
        ("complete", "2023-05-04"),
    ]


WRAPPED_CUSTODY = """Section 6. Summary of causes of concern and recommendations
Areas for improvement
6.5 The force should improve the quality of its custody performance data so that
leaders can identify trends and act on them. (1.14)
In the custody suite: booking in, individual needs and legal rights of detainees
6.6 Custody sergeants should explain detainees' rights in a way that each detainee
can understand, and check that they have understood. (3.21)
Recommendations
The force made progress on how it supervises investigations of domestic abuse.
Within six months, the force should:
- review how it records the rights of detainees; and
- audit its use of the interpreting service.
"""


def test_in_wrapped_text_a_numbered_paragraph_and_a_lead_in_start_blocks():
    texts = [b.text for b in parse_blocks(clean_text(WRAPPED_CUSTODY))]
    assert "In the custody suite: booking in, individual needs and legal rights of detainees" in (
        texts
    )
    assert any(t.startswith("6.6 Custody sergeants") for t in texts)
    assert "Within six months, the force should:" in texts
