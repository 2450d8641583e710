"""PDF layouts read in reading order: two columns (left before right, full-width titles in
turn), footnotes out of the body text, tables still read as rows (a table's rows align
across the gap, a column layout's paragraphs do not), and a table of recommendations read
one row per recommendation even when a row runs over a page break.

The PDFs are laid out here with WeasyPrint from composed texts (invented wording). No
database.
"""

import html
import logging
import re

import pypdfium2 as pdfium
import pytest
from weasyprint import HTML

from tracker.extraction import extract, read_document

logging.getLogger("weasyprint").setLevel(logging.WARNING)

FORCES = ["Cumbria Constabulary", "Dyfed-Powys Police", "Kent Police"]

PAGE = """
@page { size: A4; margin: 2cm 1.8cm;
  @top-center { content: "PEEL 2023–25 | Cumbria Constabulary"; font-size: 8pt; }
  @bottom-center { content: counter(page); font-size: 8pt; } }
body { font-family: sans-serif; font-size: 10pt; line-height: 1.3; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; } h3 { font-size: 12pt; }
p { margin: 0 0 0.7em 0; }
.columns { columns: 2; column-gap: 0.8cm; }
.note { float: footnote; font-size: 7.5pt; }
::footnote-call { content: counter(footnote); vertical-align: super; font-size: 6pt; }
::footnote-marker { content: counter(footnote) " "; }
td, th { padding: 3pt 12pt 3pt 0; vertical-align: top; text-align: left; }
"""

# The report's body: (tag, text); "[n:...]" in a text is a footnote.
BODY = [
    ("h2", "Protecting vulnerable people"),
    ("p", "Requires improvement"),
    (
        "p",
        "The constabulary has worked with its partners to understand the risks that "
        "vulnerable people in the county face, and it has a clear plan for the work.[n:Cumbria "
        "Community Safety Partnership, Vulnerability Strategy 2023 to 2026.] But we found that "
        "it does not always act quickly enough when a victim of stalking or harassment first "
        "asks for help, and that its supervisors do not check the risk assessments that "
        "officers make in every case. Some victims told us they had waited several days "
        "before anyone contacted them.",
    ),
    ("h3", "Cause of concern"),
    (
        "p",
        "The constabulary does not always assess the risk to victims of stalking quickly enough.",
    ),
    ("h3", "Recommendations"),
    (
        "p",
        "Within six months, the constabulary should make sure that a trained supervisor "
        "reviews the risk assessment of every report of stalking within 24 hours.",
    ),
    (
        "p",
        "Within six months, the constabulary should make sure that victims are told promptly "
        "whether a stalking protection order has been applied for.",
    ),
    (
        "p",
        "We will check the progress the constabulary makes against these recommendations "
        "when we next inspect it, and we will publish what we find.[n:Our monitoring "
        "arrangements are explained on our website.]",
    ),
    ("h3", "Areas for improvement"),
    (
        "p",
        "The constabulary should improve how it records the views and feelings of children "
        "in domestic abuse cases.",
    ),
    (
        "p",
        "The constabulary should make sure that its officers understand when to use the "
        "powers they have to protect people from harm.",
    ),
    ("h2", "Investigating crime"),
    ("p", "Adequate"),
    (
        "p",
        "Investigations are usually well planned and supervised, and victims are kept "
        "informed. The constabulary has reduced the number of investigations that wait for "
        "an officer to be allocated, although some teams still carry heavy workloads.[n:We "
        "reviewed 80 investigations in April 2024.] In the cases we reviewed, evidence was "
        "gathered promptly and suspects were arrested when they should have been. The "
        "constabulary's use of out of court disposals is appropriate, and its scrutiny panel "
        "looks at a sample of them every quarter, although it does not always record why a "
        "disposal was chosen, and officers were not always sure of the options open to them.",
    ),
    ("h2", "Preventing crime"),
    ("p", "Good"),
    *[
        (
            "p",
            f"Neighbourhood teams in the {place} area know their communities well. They work "
            "with the council, schools and housing providers to solve local problems, and "
            "they tell residents what they have done. The constabulary evaluates this work "
            "and shares what works across its districts, though some evaluations are still "
            "informal and are not written down for others to use.",
        )
        for place in ("Carlisle", "Barrow", "Kendal", "Workington", "Penrith", "Whitehaven")
    ],
]
TITLE = (
    "PEEL 2023–25: Police effectiveness, efficiency and legitimacy. An inspection of Cumbria "
    "Constabulary"
)
INTRO = (
    "Published 9 October 2024. This report sets out what we found when we inspected the "
    "constabulary between February and May 2024, and the grades we gave it."
)
FOOTNOTE = re.compile(r"\[n:([^\]]*)\]")


def columns_pdf() -> bytes:
    """The report in two columns, its title and introduction across the page."""

    def block(tag: str, text: str) -> str:
        body = FOOTNOTE.sub(lambda m: f'<span class="note">{html.escape(m[1])}</span>', text)
        return f"<{tag}>{body}</{tag}>"

    body = "".join(block(tag, text) for tag, text in BODY)
    document = (
        f"<html><head><style>{PAGE}</style></head><body><h1>{TITLE}</h1><p>{INTRO}</p>"
        f'<div class="columns">{body}</div></body></html>'
    )
    return HTML(string=document).write_pdf()


def plain_text() -> str:
    """The same report as text, without its footnotes: what the PDF should read as."""
    blocks = [f"# {TITLE}", INTRO]
    for tag, text in BODY:
        text = FOOTNOTE.sub("", text)
        blocks.append(f"# {text}" if tag.startswith("h") else text)
    return "\n\n".join(blocks) + "\n"


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def in_columns():
    return read_document(columns_pdf(), "columns.pdf")


# Two columns -------------------------------------------------------------------------------


def test_a_page_in_two_columns_reads_left_column_then_right(in_columns):
    assert in_columns.pages >= 2
    assert "\t" not in in_columns.text  # no line of the two columns side by side
    read = paragraphs(in_columns.text)
    body = [p for p in read if p[0] not in "¹²³⁴⁵⁶⁷⁸⁹"]
    assert body == paragraphs(plain_text())


def test_a_paragraph_runs_on_across_a_page_break_with_its_footnote_after_it():
    filler = (
        "<p>The force has a plan for its neighbourhood policing, and it has told its "
        "communities what they can expect from their local teams and when.</p>"
    ) * 12
    long = (
        "The force has reduced the number of investigations that wait for an officer to be "
        "allocated, although some teams still carry heavy workloads."
        '<span class="note">We reviewed 80 investigations in April 2024.</span> '
        + "In the cases we reviewed, evidence was gathered promptly and suspects were "
        "arrested when they should have been, and victims were kept informed. "
        * 24
        + "This is where the long paragraph ends."
    )
    pdf = HTML(
        string=f"<html><head><style>{PAGE}</style></head><body>{filler}<p>{long}</p>"
        "<p>The next paragraph.</p></body></html>"
    ).write_pdf()
    pages = pdfium.PdfDocument(pdf)
    first, second = (pages[i].get_textpage().get_text_range() for i in range(2))
    assert "The force has reduced" in first
    assert "We reviewed 80" in first
    assert "long paragraph ends" in second
    source = read_document(pdf, "report.pdf")
    assert source.pages == 2
    read = paragraphs(source.text)
    whole = next(p for p in read if p.startswith("The force has reduced"))
    assert whole.endswith("This is where the long paragraph ends.")
    assert "heavy workloads. In the cases we reviewed" in whole  # the call "workloads.¹" gone
    after = read[read.index(whole) + 1 :]
    assert after == ["¹ We reviewed 80 investigations in April 2024.", "The next paragraph."]


def test_footnotes_are_their_own_paragraphs_after_the_body_and_never_findings(in_columns):
    read = paragraphs(in_columns.text)
    notes = [p for p in read if p[0] in "¹²³"]
    assert notes == [
        "¹ Cumbria Community Safety Partnership, Vulnerability Strategy 2023 to 2026.",
        "² Our monitoring arrangements are explained on our website.",
        "³ We reviewed 80 investigations in April 2024.",
    ]
    first_note = read.index(notes[0])
    assert read.index("# Cause of concern") < first_note  # after its page's body


def test_the_findings_of_a_two_column_report_are_those_of_its_text(in_columns):
    def found(text):
        result = extract(text, known_forces=FORCES)
        return [(f.kind, f.text, f.parent, f.target_text) for f in result.findings]

    expected = found(plain_text())
    assert [kind for kind, *_ in expected] == [
        "cause_of_concern",
        "recommendation",
        "recommendation",
        "area_for_improvement",
        "area_for_improvement",
    ]
    assert found(in_columns.text) == expected
    grades = {j.area: j.grade for j in extract(in_columns.text, known_forces=FORCES).judgements}
    assert grades["Protecting vulnerable people"] == "Requires improvement"
    assert grades["Investigating crime"] == "Adequate"


# Tables ------------------------------------------------------------------------------------


def table_pdf(rows: list[tuple[str, str]], *, before: str = "", header=("No.", "")) -> bytes:
    cells = "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>" for a, b in rows)
    head = f"<tr><th>{header[0]}</th><th>{header[1]}</th></tr>" if header[1] else ""
    return HTML(
        string=f"<html><head><style>{PAGE}</style></head><body>{before}"
        f"<table>{head}{cells}</table><p>This is the end of the annex.</p></body></html>"
    ).write_pdf()


RECOMMENDATIONS = [
    (
        str(number),
        f"By 31 March 2026, Dyfed-Powys Police should make sure that {subject}. "
        + "It should report its progress to the police and crime commissioner every quarter, "
        "and it should tell us when the work is complete. " * (1 + number % 3),
    )
    for number, subject in enumerate(
        [
            "every missing child is risk assessed by a supervisor",
            "its custody staff are trained in the use of force",
            "victims of burglary are visited within two days",
            "its vetting decisions are recorded with their reasons",
            "its call handlers use the structured assessment of risk",
            "it understands the demand on its neighbourhood teams",
            "its officers record the outcome of every stop and search",
            "digital devices are examined within three months",
            "its domestic abuse training reaches every response officer",
            "the public are told how to complain about its service",
            "its estate strategy is costed and approved",
            "its data on hate crime is accurate",
        ],
        start=1,
    )
]


def test_a_table_of_recommendations_reads_one_row_per_recommendation_across_a_page_break():
    pdf = table_pdf(
        RECOMMENDATIONS,
        before="<h2>Annex A: Recommendations</h2><p>We make these recommendations.</p>",
        header=("No.", "Recommendation"),
    )
    source = read_document(pdf, "annex.pdf")
    assert source.pages == 2
    rows = [line for line in source.text.splitlines() if re.match(r"\d+\t", line)]
    assert rows == [f"{number}\t{' '.join(text.split())}" for number, text in RECOMMENDATIONS]
    assert source.text.rstrip().endswith("This is the end of the annex.")


def test_a_two_column_table_is_read_as_rows_not_as_two_columns():
    rows = [
        (
            f"{area}",
            f"The force's work on {area.lower()} was assessed as {grade}. " + description * 2,
        )
        for area, grade, description in [
            (
                "Preventing crime",
                "good",
                "Neighbourhood teams solve local problems with partners. ",
            ),
            ("Responding to the public", "adequate", "Most calls are answered promptly. "),
            ("Investigating crime", "inadequate", "Too many investigations are not supervised. "),
            ("Protecting vulnerable people", "good", "Risk is assessed at the first contact. "),
            ("Managing offenders", "adequate", "Registered sex offenders are visited. "),
            ("Developing a positive workplace", "good", "Staff say they are well supported. "),
            ("Leadership and force management", "adequate", "Plans are costed and tracked. "),
        ]
    ]
    source = read_document(table_pdf(rows, header=("Area", "Summary")), "grades.pdf")
    read = [line for line in source.text.splitlines() if "\t" in line]
    assert read[0] == "Area\tSummary"
    assert read[1:] == [f"{area}\t{' '.join(text.split())}" for area, text in rows]


def test_a_table_in_small_type_at_the_foot_of_a_page_is_not_taken_for_footnotes():
    rows = "".join(
        f"<tr><td>{n}</td><td>The force should act on point {n} of the plan.</td></tr>"
        for n in range(1, 4)
    )
    pdf = HTML(
        string=f"<html><head><style>{PAGE}</style></head><body>"
        + "<p>The force has a plan for its neighbourhood policing, and it has told its "
        "communities what they can expect from their local teams and when.</p>"
        * 38
        + f'<table style="font-size: 7.5pt">{rows}</table></body></html>'
    ).write_pdf()
    document = pdfium.PdfDocument(pdf)
    last = document[len(document) - 1]  # the table is in the lowest third of its page
    assert "point 3" in last.get_textpage().get_text_bounded(0, 0, 600, last.get_height() / 3)
    text = read_document(pdf, "plan.pdf").text
    for n in range(1, 4):
        assert f"\n{n}\tThe force should act on point {n} of the plan.\n" in text
    assert "¹" not in text
