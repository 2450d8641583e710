"""The response as a Word document that is a real document (issue 21), read back with
python-docx: the protective marking in every section's page header and footer, a draft's
status at the top of every page, numbered paragraphs as Word numbering starting at the number
typed, core properties that are the document's own (not the library template's 2013 dates), and
no empty section. No database."""

import datetime
import io

import docx
from docx.oxml.ns import qn

from tests.test_documents import NUMBERED_1, NUMBERED_2, sample
from tracker.word_documents import numbered_runs, render_docx

NOW = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)


def draft() -> dict:
    content = sample()
    content.update(published_on=None, published="", approved=False, url="")
    return content


def read(content: dict, **kwargs) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(content, **kwargs)))


def header_text(section) -> list[str]:
    return [p.text for p in section.header.paragraphs if p.text]


def footer_xml(section) -> str:
    return section.footer._element.xml


# ------------------------------------------------------------------------ marking and draft


def test_the_marking_is_in_the_header_and_footer_of_every_section():
    content = sample()
    content["marking"] = "OFFICIAL-SENSITIVE"
    document = read(content)
    assert document.sections  # every one of them, however many there are
    for section in document.sections:
        assert not section.different_first_page_header_footer
        assert header_text(section) == ["OFFICIAL-SENSITIVE"]
        footer = [p.text for p in section.footer.paragraphs if p.text]
        assert footer[0] == "OFFICIAL-SENSITIVE"
        assert section.header.paragraphs[0].runs[0].bold
        # "Page N of M" as fields, which Word and LibreOffice fill in on each page.
        assert 'w:instr="PAGE"' in footer_xml(section)
        assert 'w:instr="NUMPAGES"' in footer_xml(section)


def test_a_published_document_with_no_marking_prints_none():
    content = sample()
    content["marking"] = ""
    section = read(content).sections[0]
    assert header_text(section) == []
    assert [p.text for p in section.footer.paragraphs if p.text] == ["Page  of "]


def test_a_draft_says_so_at_the_top_of_every_page_under_its_marking():
    content = draft()
    content["marking"] = "official"
    document = read(content, now=NOW)
    for section in document.sections:
        assert header_text(section) == ["OFFICIAL", "Draft – not published"]
    # and still on page 1, as before
    assert "Draft – not published" in [p.text for p in document.paragraphs]


# ------------------------------------------------------------------------ numbering


def test_numbered_paragraphs_use_a_numbering_definition_that_starts_at_the_typed_number():
    document = read(sample())
    numbering = document.part.numbering_part.element
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr]
    assert [p.text for p in numbered] == [NUMBERED_1[3:], NUMBERED_2[3:]]
    (num_id,) = {p._p.pPr.numPr.numId.val for p in numbered}
    (num,) = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id)]
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    (abstract,) = [
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == abstract_id
    ]
    level = abstract.find(qn("w:lvl"))
    assert level.find(qn("w:numFmt")).get(qn("w:val")) == "decimal"
    assert level.find(qn("w:lvlText")).get(qn("w:val")) == "%1)"
    start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride"))
    assert start.get(qn("w:val")) == "1"
    # Abstract definitions before every instance, as the schema orders them.
    tags = [child.tag for child in numbering]
    assert max(i for i, t in enumerate(tags) if t == qn("w:abstractNum")) < min(
        i for i, t in enumerate(tags) if t == qn("w:num")
    )


def test_each_run_of_numbers_is_its_own_list_and_starts_where_typed():
    blocks = [
        ("p", "3) Third, as typed."),
        ("p", "4) Fourth."),
        ("p", "Between."),
        ("p", "(a) First letter."),
        ("p", "(b) Second letter."),
        ("p", "A. Smith said this, which is no list."),
        ("p", "1) One."),
        ("p", "3) Not two: a run ends."),
    ]
    runs = numbered_runs(blocks)
    assert sorted(runs) == [0, 1, 3, 4, 6, 7]
    assert [runs[n].text for n in (0, 1)] == ["Third, as typed.", "Fourth."]
    assert runs[0].first is runs[1].first is runs[0]
    assert runs[3].shown == "(%1)"
    assert runs[3].kind == "lower"
    assert runs[4].value == 2
    assert runs[6].first is runs[6]
    assert runs[7].first is runs[7]


def test_paragraphs_that_do_not_count_up_keep_their_typed_numbers_in_order():
    content = sample()
    content["pcc_comments"] = "1) First.\n\n3) Third, no second.\n\n3) Third again."
    document = read(content)
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr]
    ids = {p.text: p._p.pPr.numPr.numId.val for p in numbered}
    mine = [ids["First."], ids["Third, no second."], ids["Third again."]]
    assert len(set(mine)) == 3  # three lists of one: each starts at its own number


# ------------------------------------------------------------------------ properties


def test_a_drafts_properties_are_made_now_in_british_english():
    document = read(draft(), now=NOW)
    properties = document.core_properties
    assert properties.created == properties.modified == NOW
    assert properties.language == "en-GB"
    assert properties.title.startswith("West Midlands Police and Crime Commissioner response")
    assert properties.author == "West Midlands Police and Crime Commissioner"
    assert properties.last_modified_by == properties.author


def test_a_published_versions_properties_are_its_publication_date():
    properties = read(sample(), now=NOW).core_properties
    expected = datetime.datetime(2018, 5, 17, 12, 0, tzinfo=datetime.UTC)
    assert properties.created == properties.modified == expected


def test_without_a_time_given_a_draft_is_dated_today_not_2013():
    created = read(draft()).core_properties.created
    assert created.date() >= datetime.date(2026, 1, 1)


# ------------------------------------------------------------------------ empty sections


def test_a_section_with_nothing_in_it_is_left_out():
    content = sample()
    content["pcc_comments"] = "  "
    content["statutory_basis"] = ""
    headings = [p.text for p in read(content).paragraphs if p.style.name.startswith("Heading")]
    assert "Comments of the Police and Crime Commissioner" not in headings
    assert "Statutory basis" not in headings
    assert "Causes of concern and recommendations" in headings  # its areas follow it
    assert "Comments of the chief constable" not in headings
