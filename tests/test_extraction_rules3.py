"""Three rules of the shared walk and the cleaner, on excerpts composed for these tests
(invented wording, forces and years):

1. a table of numbered recommendations (or areas for improvement), which the PDF reader gives
   one line per row ("7<TAB>By 31 March 2026, the force should ..."), gives one finding per
   row with the first cell as its reference;
2. a top-level bullet after a bullet with nested parts is the next finding, not a part;
3. footnotes marked with a symbol ("*Text", "†Text") are dropped like numbered ones.

No database.
"""

import pytest
from weasyprint import HTML

from tests.test_extraction_layout import PAGE, RECOMMENDATIONS, table_pdf
from tracker.extraction import extract, read_document
from tracker.extraction.cleaning import clean_text, parse_blocks
from tracker.extraction.samples import text_to_pdf
from tracker.extraction.table_rows import header_kind, row_reference

FORCES = ["Dyfed-Powys Police", "Kent Police", "Northumbria Police", "Gwent Police"]


def found(text: str) -> list[tuple[str, str, str]]:
    result = extract(text, known_forces=FORCES)
    return [(f.kind, f.reference, f.text) for f in result.findings]


# 1. Tables of recommendations, row by row ---------------------------------------------------


def test_rows_under_a_recommendations_heading_are_recommendations_with_their_numbers():
    text = (
        "# Recommendations\n\n"
        "1\tBy 31 March 2026, Dyfed-Powys Police should review its plans for custody.\n\n"
        "2\tBy 31 March 2026, Dyfed-Powys Police should train its staff in first aid.\n"
    )
    result = extract(text, known_forces=["Dyfed-Powys Police"])
    assert [(f.kind, f.reference, f.target_date) for f in result.findings] == [
        ("recommendation", "1", "2026-03-31"),
        ("recommendation", "2", "2026-03-31"),
    ]
    assert result.findings[1].text == (
        "By 31 March 2026, Dyfed-Powys Police should train its staff in first aid."
    )


def test_a_header_row_is_skipped_and_references_are_kept_as_published():
    text = (
        "Gwent Police\n\n"
        "# Areas for improvement\n\n"
        "Ref.\tArea for improvement\n"
        "AFI 3\tThe force should make sure that its supervisors review open investigations.\n"
        "AFI 4\tThe force should improve how it records the needs of victims.\n"
        "\n"
        "We will monitor the force's progress on these areas.\n"
    )
    assert found(text) == [
        (
            "area_for_improvement",
            "AFI 3",
            "The force should make sure that its supervisors review open investigations.",
        ),
        (
            "area_for_improvement",
            "AFI 4",
            "The force should improve how it records the needs of victims.",
        ),
    ]


def test_a_header_row_naming_the_column_opens_the_section_under_any_heading():
    text = (
        "Northumbria Police\n\n"
        "# Annex B: What we ask of the force\n\n"
        "We make these recommendations.\n\n"
        "No.\tRecommendation\n"
        "R1\tBy 30 September 2025, the force should audit its use of police bail.\n"
        "R2\tBy 30 September 2025, the force should tell victims when bail ends.\n"
    )
    assert [(kind, reference) for kind, reference, _ in found(text)] == [
        ("recommendation", "R1"),
        ("recommendation", "R2"),
    ]


def test_a_table_of_recommendations_after_a_cause_of_concern_answers_it():
    text = (
        "Kent Police\n\n"
        "# Cause of concern\n\n"
        "The force does not always protect vulnerable people who go missing.\n\n"
        "# Recommendations\n\n"
        "Recommendation 1\tThe force should review every missing person report within a day."
        "\tWithin three months\n"
        "Recommendation 2\tThe force should train its call handlers in the risk of going "
        "missing.\tWithin six months\n"
    )
    result = extract(text, known_forces=FORCES)
    assert [(f.kind, f.reference, f.parent, f.target_text) for f in result.findings] == [
        ("cause_of_concern", "", None, ""),
        ("recommendation", "Recommendation 1", 0, "Within three months"),
        ("recommendation", "Recommendation 2", 0, "Within six months"),
    ]


def test_rows_that_are_not_findings_are_left_alone():
    text = (
        "Kent Police\n\n"
        "# Recommendations\n\n"
        "1\tThe force should publish its plan for neighbourhood policing.\n"
        "Investigating crime\tThe force should improve its supervision.\n"  # no reference
        "2\tNeighbourhood teams were praised by residents.\n"  # asks nothing
        "24 January 2025\tAwaiting review\n"  # a date and a status
    )
    assert found(text) == [
        ("recommendation", "1", "The force should publish its plan for neighbourhood policing.")
    ]


def test_rows_outside_a_section_of_findings_are_not_findings():
    text = (
        "Kent Police\n\n"
        "# How we inspected\n\n"
        "1\tThe force should have sent us its data before the visit, and it did.\n"
    )
    assert found(text) == []


@pytest.mark.parametrize(
    ("cell", "reference"),
    [
        ("7", "7"),
        ("7.", "7"),
        ("6.1", "6.1"),
        ("R1", "R1"),
        ("AFI 3", "AFI 3"),
        ("Recommendation 2", "Recommendation 2"),
        ("No.", ""),
        ("Investigating crime", ""),
        ("31 March 2026", ""),
    ],
)
def test_what_a_first_cell_reference_is(cell, reference):
    assert row_reference((cell, "The force should act.")) == reference


def test_header_rows_name_a_kind_only_when_they_name_a_finding_column():
    assert header_kind(("No.", "Recommendation")) == "recommendation"
    assert header_kind(("Ref", "Areas for improvement")) == "area_for_improvement"
    assert header_kind(("Area", "Grade")) is None
    assert header_kind(("1", "Recommendation 1")) is None


def test_a_table_of_recommendations_laid_out_as_a_pdf_over_a_page_break_gives_one_each():
    subjects = [
        "its custody plans are reviewed by a senior officer",
        "staff who supervise detainees are trained in first aid",
        "every detained child is seen by an appropriate adult",
        "its records of the use of force in custody are complete",
        "it reviews each death or serious injury after contact",
        "detainees are told of their rights in a language they understand",
        "it monitors the time detainees wait for a solicitor",
        "it has enough trained staff for each custody suite",
        "its custody suites are checked for ligature points every day",
        "detainees with mental ill health are assessed promptly",
        "it records why each strip search was authorised",
        "it reports its progress to the police and crime commissioner",
    ]
    rows = [
        f"By 31 March 2026, Dyfed-Powys Police should make sure that {subject}. "
        + "It should tell us when this work is complete, and it should publish what it has "
        "done. " * (1 + number % 3)
        for number, subject in enumerate(subjects, start=1)
    ]
    intro = (
        "This report sets out what we found when we inspected custody in Dyfed-Powys Police "
        "in 2025. " * 8
    )
    table = "\n".join(f"{number}\t{row.strip()}" for number, row in enumerate(rows, start=1))
    text = (
        f"# Custody in Dyfed-Powys Police\n\n{intro}\n\n{intro}\n\n# Recommendations\n\n"
        f"No.\tRecommendation\n{table}\n\n# About the inspection\n\n"
        "We visited every custody suite in the force.\n"
    )
    source = read_document(text_to_pdf(text, header="Custody", footer="Page"), "custody.pdf")
    assert source.pages == 2
    result = extract(source.text, known_forces=FORCES)
    assert [(f.kind, f.reference, f.text) for f in result.findings] == [
        ("recommendation", str(number), row.strip()) for number, row in enumerate(rows, start=1)
    ]
    assert {f.target_date for f in result.findings} == {"2026-03-31"}


def test_the_layout_tests_table_over_a_page_break_now_gives_its_recommendations():
    pdf = table_pdf(
        RECOMMENDATIONS,
        before="<h2>Annex A: Recommendations</h2><p>We make these recommendations.</p>",
        header=("No.", "Recommendation"),
    )
    source = read_document(pdf, "annex.pdf")
    assert source.pages == 2
    result = extract(source.text, known_forces=FORCES)
    assert [(f.kind, f.reference, f.text) for f in result.findings] == [
        ("recommendation", number, " ".join(text.split())) for number, text in RECOMMENDATIONS
    ]
    assert all(f.addressee == "" for f in result.findings)  # the force the report is about


# 2. A top-level bullet after nested parts ---------------------------------------------------


def test_a_top_level_bullet_after_a_bullet_with_nested_parts_is_the_next_finding():
    text = (
        "Kent Police\n\n# Areas for improvement\n\n"
        "- The force should review plans:\n"
        "  - at the start; and\n"
        "  - on bail.\n"
        "- The force should improve its call handling.\n"
    )
    result = extract(text, known_forces=["Kent Police"])
    assert [(f.kind, f.parts) for f in result.findings] == [
        ("area_for_improvement", ["at the start; and", "on bail."]),
        ("area_for_improvement", []),
    ]
    assert result.findings[1].text == "The force should improve its call handling."


def test_a_lead_in_with_top_level_bullets_still_keeps_them_as_parts():
    text = (
        "Kent Police\n\n# Areas for improvement\n\n"
        "- The force should review how it handles calls:\n"
        "- at the first contact;\n"
        "- when it closes an incident.\n"
    )
    result = extract(text, known_forces=["Kent Police"])
    assert [f.parts for f in result.findings] == [
        ["at the first contact;", "when it closes an incident."]
    ]


def test_nested_parts_then_a_sibling_in_a_force_letter():
    text = (
        "Chief Constable\nGwent Police\nCroesyceiliog\n\n4 March 2015\n\nDear Julian\n\n"
        "Crime data integrity: an inspection of crime recording\n\n"
        "This letter sets out what we found in Gwent Police.\n\n"
        "Recording crime\n\n"
        "- Incidents are closed in one of two ways:\n"
        "  - by the call handler; or\n"
        "  - by a supervisor.\n"
        "- The force does not audit the incidents that are closed at night.\n\n"
        "Yours sincerely\n\nZoe Billingham\n"
    )
    result = extract(text, known_forces=FORCES)
    assert result.document_type == "letter"
    assert [f.parts for f in result.findings] == [
        ["by the call handler; or", "by a supervisor."],
        [],
    ]


# 3. Footnotes marked with symbols -----------------------------------------------------------


def test_footnotes_marked_with_symbols_are_dropped():
    text = (
        "Kent Police\n\n# Areas for improvement\n\n"
        "The force should review how it handles calls about missing people:\n\n"
        "- at the first contact;\n"
        "- when it closes an incident.\n\n"
        "*Figures supplied by the force for the year to March 2024.\n\n"
        "†Home Office, Missing persons data, 2024.\n\n"
        "‡ See the annex for how we chose the cases.\n\n"
        "§2 of the code of practice.\n\n"
        "¶A note on method.\n"
    )
    cleaned = clean_text(text)
    for mark in "*†‡§¶":
        assert f"\n{mark}" not in cleaned
    result = extract(text, known_forces=FORCES)
    assert [f.text for f in result.findings] == [
        "The force should review how it handles calls about missing people:\n"
        "- at the first contact;\n- when it closes an incident."
    ]


def test_a_wrapped_symbol_footnote_goes_with_its_lower_case_lines():
    cleaned = clean_text(
        "The force answers most calls promptly.\n\n"
        "*Figures supplied by the force, as\nrecorded in its systems.\n\nThe next paragraph.\n"
    )
    assert cleaned == "The force answers most calls promptly.\n\nThe next paragraph.\n"


def test_bullets_bold_and_italic_starting_with_an_asterisk_stay():
    cleaned = clean_text(
        "* The force should act.\n\n**Recommendation 1**\n\n*Kent Police* should act.\n"
    )
    kinds = [(b.kind, b.text) for b in parse_blocks(cleaned)]
    assert kinds == [
        ("bullet", "The force should act."),
        ("heading", "Recommendation 1"),
        ("para", "Kent Police should act."),
    ]


def test_a_pdfs_footnotes_marked_with_symbols_never_reach_the_findings():
    page = PAGE.replace(
        'content: counter(footnote) " ";', 'content: counter(footnote, symbols(symbolic "†" "‡"));'
    ).replace(
        "content: counter(footnote); vertical-align",
        'content: counter(footnote, symbols(symbolic "†" "‡")); vertical-align',
    )
    body = (
        "<h1>PEEL 2023–25: An inspection of Kent Police</h1><h2>Areas for improvement</h2>"
        "<p>The force should improve how it records the needs of victims:</p>"
        "<ul><li>when they first report a crime;"
        '<span class="note">Code of Practice for Victims of Crime, 2020.</span></li>'
        "<li>when their case is closed.</li></ul>"
        "<p>The force should publish its plan for the estate."
        '<span class="note">We reviewed the plan in May 2025.</span></p>'
    )
    pdf = HTML(string=f"<html><head><style>{page}</style></head><body>{body}</body></html>")
    source = read_document(pdf.write_pdf(), "kent.pdf")
    assert "†Code of Practice" in source.text
    assert "‡We reviewed" in source.text
    cleaned = clean_text(source.text)
    assert "†" not in cleaned
    assert "‡" not in cleaned
    result = extract(source.text, known_forces=FORCES)
    assert [f.text for f in result.findings] == [
        "The force should improve how it records the needs of victims:\n"
        "- when they first report a crime;\n- when their case is closed.",
        "The force should publish its plan for the estate.",
    ]
