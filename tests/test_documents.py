"""The response document in HTML, Word and PDF, without the database.

The sample is the West Midlands PCC's response to PEEL: police effectiveness 2017 (published
17 May 2018), shortened. A script tag is planted in the PCC's comments and in the force's
response to check that stored text is shown as text in every format, never run as markup.
"""

import copy
import io
import re
from html.parser import HTMLParser

import docx
import pypdf
import pytest

from tracker.documents import (
    document_filename,
    render_html,
    render_pdf,
    text_blocks,
)
from tracker.word_documents import render_docx

PAYLOAD = "<script>alert(1)</script>"
ESCAPED_PAYLOAD = "&lt;script&gt;alert(1)&lt;/script&gt;"

VULNERABLE = (
    "How effective is the force at protecting those who are vulnerable from harm, "
    "and supporting victims?"
)
BULLET_1 = (
    "Fully understand the risk contained within the backlog of open incidents logged by the "
    "control room, and prioritise these cases for action"
)
BULLET_2 = (
    "Ensure that victims – particularly those who are vulnerable – receive an appropriate "
    "response when they contact the force for safety reasons."
)
CAUSE = (
    "The force is failing to attend incidents promptly, putting some vulnerable victims at "
    "risk of harm"
)
STATUTORY_BASIS = (
    "Section 55 of the Police Act 1996 requires the local policing body to publish its "
    "comments on an inspection report about its force, with any comments of the chief officer "
    "and its response to them, within 56 days beginning with the day the report is published "
    "(s55(5A), inserted by the Policing and Crime Act 2017). For each recommendation, the "
    "comments must explain what action has been or will be taken, or why no action will be "
    "taken (s55(5B)). A copy is sent to the inspectors of constabulary and the Home Secretary "
    "(s55(6))."
)
PCC_RESPONSE = (
    "WMP has taken immediate action to address the issues identified by HMICFRS in this inspection."
)
FORCE_RESPONSE_1 = (
    "Following the HMICFRS Inspection in September 2017, immediate steps were taken to "
    "ensure that learning was implemented."
)
NUMBERED_1 = "1) The Force has worked with colleagues in Control Rooms to review ways of working."
NUMBERED_2 = "2) Doctrine was developed with colleagues."
COPYRIGHT = "Report texts are Crown copyright, published under the Open Government Licence v3.0."
TITLE = (
    "West Midlands Police and Crime Commissioner response to HMICFRS's report: "
    "PEEL: police effectiveness 2017 – West Midlands Police"
)


def sample() -> dict:
    """The sample content, as the app snapshots it when a response is published."""
    return {
        "schema": 1,
        "body": "West Midlands Police and Crime Commissioner",
        "body_short": "West Midlands PCC",
        "body_role": "Comments of the Police and Crime Commissioner",
        "force": "West Midlands Police",
        "report": {
            "title": "PEEL: police effectiveness 2017 – West Midlands Police",
            "inspectorate_label": "HMICFRS",
            "published": "22 March 2018",
            "published_on": "2018-03-22",
            "report_type": "PEEL effectiveness",
            "url": "",
        },
        "deadline": "16 May 2018",
        "version": 1,
        "published_on": "2018-05-17",
        "published": "17 May 2018",
        "first_published": "17 May 2018",
        "url": "",
        "introduction": (
            "On 22 March 2018 HMICFRS published its PEEL police effectiveness 2017 national "
            "report and individual police force reports.\n\nThe recommendation from the report "
            "and the responses from the force and the PCC are set out below."
        ),
        "judgements": [
            {"area": "Overall", "grade": "Requires improvement", "direction": "", "note": ""},
            {"area": VULNERABLE, "grade": "Inadequate", "direction": "", "note": ""},
            {
                "area": "How effective are the force's specialist capabilities?",
                "grade": "Not graded",
                "direction": "",
                "note": "The report noted that WMP has the necessary arrangements in place.",
            },
        ],
        "pcc_comments": (
            'Police and Crime Commissioner David Jamieson said: "The independent inspectorate '
            "identifies West Midlands Police as 'good' at crime prevention, investigation and "
            'tackling serious and organised crime."\n\n'
            '"However, I am pleased at the recognition of the innovative work the force are '
            'doing to tackle gangs through injunctions."'
        ),
        "chief_officer_comments": "",
        "recommendation_count": 1,
        "areas": [
            {
                "area": VULNERABLE,
                "grade": "Inadequate",
                "entries": [
                    {
                        "kind": "cause_of_concern",
                        "kind_label": "Cause of concern",
                        "reference": "",
                        "text": CAUSE,
                        "force_response": "",
                        "pcc_response": "",
                    },
                    {
                        "kind": "recommendation",
                        "kind_label": "Recommendation",
                        "reference": "",
                        "text": (
                            f"The force should immediately take steps to:\n- {BULLET_1}\n"
                            f"- {BULLET_2}"
                        ),
                        "force_response": f"{FORCE_RESPONSE_1}\n\n{NUMBERED_1}\n{NUMBERED_2}",
                        "pcc_response": PCC_RESPONSE,
                    },
                ],
            }
        ],
        "statutory_basis": STATUTORY_BASIS,
        "copyright": COPYRIGHT,
    }


def with_payload(content: dict) -> dict:
    """The content with a script tag in the PCC's comments and the force's response."""
    content = copy.deepcopy(content)
    content["pcc_comments"] += f"\n\nPCC says {PAYLOAD}"
    recommendation = content["areas"][0]["entries"][1]
    recommendation["force_response"] += f"\n\nForce says {PAYLOAD}"
    return content


@pytest.fixture
def content() -> dict:
    return sample()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    # Rendering a PDF takes about a second: once for all the PDF tests.
    return render_pdf(with_payload(sample()))


@pytest.fixture(scope="module")
def pdf_text(pdf_bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    text = " ".join(page.extract_text() for page in reader.pages)
    # The running footer (publication line, page number) lands between the pages' text.
    text = re.sub(r"Page \d+ of \d+|•", " ", text).replace("Published 17 May 2018", " ")
    return collapse(text)


def collapse(text: str) -> str:
    return " ".join(text.split())


def docx_document(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return collapse(" ".join(parts))


class Outline(HTMLParser):
    """Collects the tags, headings and attributes of a rendered page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def headings(self) -> list[int]:
        return [int(tag[1]) for tag, _ in self.tags if re.fullmatch(r"h[1-6]", tag)]

    def all(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


# text_blocks -----------------------------------------------------------------------------


def test_text_blocks_splits_paragraphs_at_blank_lines():
    assert text_blocks("First.\n\nSecond.\n\n\n\nThird.") == [
        ("p", "First."),
        ("p", "Second."),
        ("p", "Third."),
    ]


def test_text_blocks_joins_lines_inside_a_paragraph_with_a_space():
    assert text_blocks("One line\nwrapped   by hand\n") == [("p", "One line wrapped by hand")]


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n", "\r\n\r\n", None])
def test_text_blocks_gives_nothing_for_empty_or_blank_text(text):
    assert text_blocks(text) == []


def test_text_blocks_reads_windows_line_endings():
    text = "Para one\r\nstill one.\r\n\r\nPara two:\r\n- a\r\n- b\r\n"
    assert text_blocks(text) == [
        ("p", "Para one still one."),
        ("p", "Para two:"),
        ("ul", ["a", "b"]),
    ]


def test_text_blocks_starts_a_list_straight_after_a_paragraph_line():
    text = f"The force should immediately take steps to:\n- {BULLET_1}\n- {BULLET_2}"
    assert text_blocks(text) == [
        ("p", "The force should immediately take steps to:"),
        ("ul", [BULLET_1, BULLET_2]),
    ]


def test_text_blocks_accepts_bullet_characters_pasted_from_word():
    assert text_blocks("• first\n•second\n* third") == [("ul", ["first", "second", "third"])]


def test_text_blocks_keeps_numbered_lines_as_separate_paragraphs():
    text = f"{FORCE_RESPONSE_1}\n\n{NUMBERED_1}\n{NUMBERED_2}\n(3) Third.\na) Fourth."
    assert text_blocks(text) == [
        ("p", FORCE_RESPONSE_1),
        ("p", NUMBERED_1),
        ("p", NUMBERED_2),
        ("p", "(3) Third."),
        ("p", "a) Fourth."),
    ]


def test_text_blocks_joins_a_wrapped_line_to_its_numbered_paragraph():
    assert text_blocks("1) First point\nwrapped.\n2) Second.") == [
        ("p", "1) First point wrapped."),
        ("p", "2) Second."),
    ]


def test_text_blocks_keeps_bullets_separated_by_blank_lines_in_one_list():
    assert text_blocks("- a\n\n- b\n\n\n- c") == [("ul", ["a", "b", "c"])]


def test_text_blocks_joins_an_indented_line_to_the_bullet_above():
    assert text_blocks("- a long item\n  that wraps\n- b") == [
        ("ul", ["a long item that wraps", "b"])
    ]


def test_text_blocks_starts_a_paragraph_after_a_list():
    assert text_blocks("- a\n- b\nAfter the list.\n\n- c") == [
        ("ul", ["a", "b"]),
        ("p", "After the list."),
        ("ul", ["c"]),
    ]


def test_text_blocks_does_not_mistake_a_leading_minus_for_a_bullet():
    assert text_blocks("-5 degrees\n– an en dash") == [("p", "-5 degrees – an en dash")]


def test_text_blocks_drops_empty_bullets():
    assert text_blocks("- a\n-\n- \n•\n- b") == [("ul", ["a", "b"])]


def test_text_blocks_removes_characters_word_cannot_store():
    assert text_blocks("Bell\x07 and\x00 null\x0b") == [("p", "Bell and null")]


# HTML ------------------------------------------------------------------------------------


@pytest.mark.parametrize("standalone", [True, False])
def test_html_escapes_a_script_in_the_pcc_comments_and_force_response(content, standalone):
    html = render_html(with_payload(content), standalone=standalone)

    assert PAYLOAD not in html
    assert f"PCC says {ESCAPED_PAYLOAD}" in html
    assert f"Force says {ESCAPED_PAYLOAD}" in html


def test_standalone_page_has_no_scripts_or_external_resources(content):
    html = render_html(with_payload(content))
    page = outline(html)

    assert html.startswith("<!DOCTYPE html>")
    assert not page.all("script")
    assert not page.all("link")
    assert not [attrs for _, attrs in page.tags if "src" in attrs]
    assert "url(" not in html
    assert "@page" in html
    assert "counter(page)" in html


def test_standalone_page_is_british_english_with_the_title(content):
    html = render_html(content)

    assert outline(html).all("html") == [{"lang": "en-GB"}]
    assert "<title>" + TITLE.replace("'", "&#x27;") + "</title>" in html
    assert 'font-family: Arial, Helvetica, "DejaVu Sans", sans-serif' in html


@pytest.mark.parametrize("standalone", [True, False])
def test_html_has_one_h1_and_headings_in_order(content, standalone):
    levels = outline(render_html(content, standalone=standalone)).headings()

    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(after - before <= 1 for before, after in zip(levels, levels[1:], strict=False))
    assert levels == [1, 2, 2, 2, 3, 4, 4, 5, 5, 2]


def test_fragment_is_not_a_whole_page(content):
    html = render_html(content, standalone=False)
    page = outline(html)

    assert not page.all("html")
    assert not page.all("style")
    assert not page.all("title")
    assert page.all("article") == [{"class": "app-response", "lang": "en-GB"}]


def test_grades_table_has_a_caption_and_scoped_headers(content):
    html = render_html(content)
    page = outline(html)

    assert "Grades given to West Midlands Police in the report</caption>" in html
    scopes = [attrs["scope"] for attrs in page.all("th")]
    assert scopes == ["col", "col", "row", "row", "row"]
    assert "Direction of travel" not in html
    assert "The report noted that WMP has the necessary arrangements in place." in html


def test_grades_table_adds_the_direction_column_when_a_grade_has_one(content):
    content["judgements"][1]["direction"] = "Declined"
    html = render_html(content)

    assert "Direction of travel</th>" in html
    assert "Declined</td>" in html


def test_html_summarises_the_report_deadline_rating_and_recommendations(content):
    text = collapse(re.sub(r"<[^>]+>", " ", render_html(content, standalone=False)))

    assert "Report published 22 March 2018" in text
    assert "Deadline for this response 16 May 2018" in text
    assert "Overall rating for West Midlands Police Requires improvement" in text
    assert "Number of recommendations 1" in text
    assert "Published 17 May 2018" in text


def test_html_leaves_out_an_empty_deadline_and_a_missing_overall_rating(content):
    content["deadline"] = ""
    content["judgements"] = content["judgements"][1:]
    html = render_html(content)

    assert "Deadline for this response" not in html
    assert "Overall rating" not in html


def test_draft_says_it_is_not_published(content):
    content.update(published_on=None, published="", first_published="")

    assert "Draft – not published" in render_html(content)


def test_second_version_gives_both_publication_dates(content):
    content.update(version=2, published_on="2018-06-01", published="1 June 2018")

    assert "Version 2, published 1 June 2018; first published 17 May 2018" in render_html(content)


def test_recommendation_without_responses_says_none_is_recorded(content):
    recommendation = content["areas"][0]["entries"][1]
    recommendation.update(force_response="", pcc_response="")
    html = render_html(content)

    assert "No response from the force is recorded." in html
    assert "No response is recorded." in html


def test_cause_of_concern_without_responses_has_no_response_headings(content):
    content["areas"][0]["entries"] = content["areas"][0]["entries"][:1]
    html = render_html(content)

    assert "Cause of concern</h4>" in html
    assert "Force response" not in html
    assert "PCC response" not in html


def test_cause_of_concern_with_a_response_shows_it(content):
    content["areas"][0]["entries"][0]["pcc_response"] = "The PCC will monitor this monthly."
    html = render_html(content)

    assert "The PCC will monitor this monthly." in html
    assert html.count("PCC response</h5>") == 2


def test_ungrouped_findings_go_under_other_recommendations(content):
    content["areas"][0].update(area="", grade="")
    html = render_html(content)

    assert "Other recommendations</h3>" in html
    assert "Grade:</strong>" not in html


def test_report_without_findings_says_none_are_recorded(content):
    content["areas"] = []
    html = render_html(content)

    assert "Causes of concern and recommendations</h2>" in html
    assert "No causes of concern or recommendations are recorded." in html


def test_recommendation_reference_is_part_of_its_heading(content):
    content["areas"][0]["entries"][1]["reference"] = "R1"

    assert "Recommendation R1</h4>" in render_html(content)


def test_chief_constable_comments_appear_only_when_given(content):
    assert "Comments of the chief constable" not in render_html(content)

    content["chief_officer_comments"] = "The force accepts the recommendation."
    html = render_html(content)

    assert "Comments of the chief constable</h2>" in html
    assert "The force accepts the recommendation." in html


def test_pcc_heading_falls_back_when_body_role_is_empty(content):
    assert "Comments of the Police and Crime Commissioner</h2>" in render_html(content)

    content["body_role"] = ""

    assert "Comments of the local policing body</h2>" in render_html(content)


def test_a_javascript_url_never_becomes_a_link(content):
    content["report"]["url"] = "javascript:alert(1)"
    content["url"] = "https://www.westmidlands-pcc.gov.uk/response"
    html = render_html(content)

    assert "javascript:" not in html
    assert "Inspection report" not in html
    assert 'href="https://www.westmidlands-pcc.gov.uk/response"' in html


def test_report_link_is_given_when_the_report_has_a_web_address(content):
    content["report"]["url"] = "https://www.justiceinspectorates.gov.uk/hmicfrs/peel-2017"
    html = render_html(content)
    text = docx_text(docx_document(render_docx(content)))

    assert 'href="https://www.justiceinspectorates.gov.uk/hmicfrs/peel-2017"' in html
    assert "(https://www.justiceinspectorates.gov.uk/hmicfrs/peel-2017)" in text


# Word ------------------------------------------------------------------------------------


def test_docx_contains_every_text_of_the_response(content):
    text = docx_text(docx_document(render_docx(content)))

    for expected in (
        TITLE,
        "Published 17 May 2018",
        "Requires improvement",
        "Inadequate",
        "Not graded",
        CAUSE,
        "The force should immediately take steps to:",
        FORCE_RESPONSE_1,
        NUMBERED_1.removeprefix("1) "),  # numbered by Word (tests/test_word_documents.py)
        NUMBERED_2.removeprefix("2) "),
        PCC_RESPONSE,
        "Police and Crime Commissioner David Jamieson said:",
        STATUTORY_BASIS,
        COPYRIGHT,
    ):
        assert expected in text


def test_docx_keeps_each_recommendation_bullet_as_a_list_item(content):
    document = docx_document(render_docx(content))
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]

    assert bullets == [BULLET_1, BULLET_2]


def test_docx_numbers_numbered_lines_with_word_numbering_not_typed_digits(content):
    document = docx_document(render_docx(content))
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr]

    assert [p.text for p in numbered] == [
        NUMBERED_1.removeprefix("1) "),
        NUMBERED_2.removeprefix("2) "),
    ]
    assert {p.style.name for p in numbered} == {"Normal"}


def test_docx_uses_real_heading_styles_in_order(content):
    document = docx_document(render_docx(content))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]

    assert headings == [
        ("Heading 1", TITLE),
        ("Heading 2", "Grades"),
        ("Heading 2", "Comments of the Police and Crime Commissioner"),
        ("Heading 2", "Causes of concern and recommendations"),
        ("Heading 3", VULNERABLE),
        ("Heading 4", "Cause of concern"),
        ("Heading 4", "Recommendation"),
        ("Heading 5", "Force response"),
        ("Heading 5", "PCC response"),
        ("Heading 2", "Statutory basis"),
    ]


def test_docx_puts_the_grades_in_a_table_with_a_repeating_bold_header_row(content):
    document = docx_document(render_docx(content))
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    header = table.rows[0]

    assert rows == [
        ["Area", "Grade"],
        ["Overall", "Requires improvement"],
        [VULNERABLE, "Inadequate"],
        [
            "How effective are the force's specialist capabilities?\n"
            "The report noted that WMP has the necessary arrangements in place.",
            "Not graded",
        ],
    ]
    assert header._tr.xpath("./w:trPr/w:tblHeader")
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert table._tbl.xpath("./w:tblPr/w:tblCaption")


def test_docx_records_title_subject_author_and_language(content):
    document = docx_document(render_docx(content))
    properties = document.core_properties

    assert properties.title == TITLE
    assert properties.author == "West Midlands Police and Crime Commissioner"
    assert "section 55 of the Police Act 1996" in properties.subject
    assert properties.language == "en-GB"
    assert document.styles.element.xpath("./w:docDefaults//w:lang/@w:val") == ["en-GB"]


def test_docx_is_a4(content):
    section = docx_document(render_docx(content)).sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_docx_writes_the_script_payload_as_plain_text(content):
    text = docx_text(docx_document(render_docx(with_payload(content))))

    assert f"PCC says {PAYLOAD}" in text
    assert f"Force says {PAYLOAD}" in text


def test_docx_survives_control_characters_in_stored_text(content):
    content["pcc_comments"] = "Pasted\x0c from\x01 elsewhere"
    content["copyright"] = "Crown\x02 copyright"

    text = docx_text(docx_document(render_docx(content)))

    assert "Pasted from elsewhere" in text
    assert "Crown copyright" in text


# PDF -------------------------------------------------------------------------------------


def test_pdf_contains_every_text_of_the_response(pdf_text):
    for expected in (
        TITLE,
        "Requires improvement",
        "Inadequate",
        "Not graded",
        CAUSE,
        BULLET_1,
        BULLET_2,
        FORCE_RESPONSE_1,
        NUMBERED_1.removeprefix("1) "),  # numbered by Word (tests/test_word_documents.py)
        NUMBERED_2.removeprefix("2) "),
        PCC_RESPONSE,
        "Police and Crime Commissioner David Jamieson said:",
        STATUTORY_BASIS,
        COPYRIGHT,
    ):
        assert expected in pdf_text


def test_pdf_shows_the_script_payload_as_text(pdf_text):
    assert f"PCC says {PAYLOAD}" in pdf_text
    assert f"Force says {PAYLOAD}" in pdf_text


def test_pdf_is_tagged_with_its_language_and_title(pdf_bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    catalog = reader.root_object
    mark_info = catalog["/MarkInfo"]

    assert "/StructTreeRoot" in catalog
    assert isinstance(mark_info, pypdf.generic.DictionaryObject)
    assert bool(mark_info["/Marked"])
    assert str(catalog["/Lang"]) in ("en-GB", "en")
    assert reader.metadata is not None
    assert reader.metadata.title == TITLE
    assert reader.metadata.author == "West Midlands Police and Crime Commissioner"


def test_pdf_prints_the_marking_at_the_top_and_bottom_of_every_page(content):
    content["marking"] = "official-sensitive"
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(content)))

    assert len(reader.pages) > 1
    for page in reader.pages:
        assert page.extract_text().count("OFFICIAL-SENSITIVE") == 2


def test_pdf_of_an_unmarked_response_prints_no_marking(pdf_text):
    assert "OFFICIAL" not in pdf_text


def test_pdf_has_a4_pages(pdf_bytes):
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0]

    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


# File names ------------------------------------------------------------------------------


def test_filename_names_the_body_the_report_and_the_version(content):
    assert document_filename(content, "docx") == (
        "west-midlands-pcc-response-peel-police-effectiveness-2017-west-midlands-police-v1.docx"
    )
    assert document_filename(content, ".pdf").endswith("-v1.pdf")


def test_filename_marks_drafts(content):
    content.update(published_on=None, version=2)

    assert document_filename(content, "pdf").endswith("-west-midlands-police-v2-draft.pdf")


def test_filename_stays_short_and_ascii_for_a_long_accented_title(content):
    content["report"]["title"] = "Étude: " + "a very long report title / with ../ slashes " * 10
    name = document_filename(content, "docx")

    assert len(name) <= 120
    assert name.isascii()
    assert re.fullmatch(r"[a-z0-9-]+\.docx", name)
    assert name.startswith("west-midlands-pcc-response-etude-a-very-long")
    assert name.endswith("-v1.docx")
    assert "--" not in name


def test_a_reference_that_names_the_kind_is_not_doubled_in_the_heading(content):
    content["areas"][0]["entries"][1]["reference"] = "Recommendation 1"
    html = render_html(content)
    assert "Recommendation 1" in html
    assert "Recommendation Recommendation" not in html


def test_a_very_long_title_still_makes_a_word_file(content):
    """Word's document properties hold 255 characters at most; the heading keeps the whole
    title and the property is cut."""
    content["report"]["title"] = "A very long inspection title " * 20
    document = docx.Document(io.BytesIO(render_docx(content)))
    assert len(document.core_properties.title) <= 255
    long_title = ("A very long inspection title " * 20).strip()
    assert any(long_title in p.text for p in document.paragraphs)
