"""The Welsh document of a bilingual response (issue 22): HTML, PDF and Word in Welsh, with the
report's English wording marked as English inside it (WCAG 3.1.2, PDF/UA-1 7.2), and the
English documents as they were.

The Welsh content is what tracker/statutory/content.py publishes for a body in Wales
(content["cy"]: "lang": "cy", Welsh texts, each quoted recommendation "text_lang": "en"),
rendered inside translation.override("cy") as the public views do, so the documents' fixed
phrases come from the Welsh catalogue. The first tests use a demo-like content without the
database; the last renders the demo's own sample response through the public view's function.
"""

import copy
import io
import re
from html import unescape
from html.parser import HTMLParser

import docx
import pdfplumber
import pikepdf
import pytest
from django.test import RequestFactory
from django.utils import translation
from docx.oxml.ns import qn

from tests import pdf_checker
from tests.test_documents import TITLE, sample
from tracker.demo_wales import SAMPLE_REPORT
from tracker.documents import render_html, render_pdf
from tracker.models import ResponseVersion
from tracker.views.public import language_document
from tracker.word_documents import render_docx

RECOMMENDATION_1 = (
    "Sample recommendation: within six months, the force should make sure that calls from "
    "people who ask to speak Welsh are answered in Welsh without delay."
)
RECOMMENDATION_2 = (
    "Sample recommendation: within three months, the force should review how it records "
    "repeat calls from vulnerable people in rural areas."
)
FORCE_CY = "ENGHRAIFFT. Mae siaradwyr Cymraeg bellach yn ateb ar bob shifft."
PCC_CY = "ENGHRAIFFT. Bydd y Comisiynydd yn adolygu’r ffigurau misol."
REPORT_TITLE_EN = "SAMPLE report for the demo: Dyfed-Powys Police"

# The fixed phrases of the document in Welsh (the catalogue's TermCymru wording).
WELSH_HEADINGS = [
    "Graddau",
    "Sylwadau’r prif gwnstabl",
    "Achosion pryder ac argymhellion",
    "Argymhelliad 1",
    "Argymhelliad 2",
    "Ymateb yr heddlu",
    "Ymateb y CHTh",
    "Sail statudol",
]
ENGLISH_PHRASES = [
    "Grades",
    "Comments of the chief constable",
    "Causes of concern and recommendations",
    "Force response",
    "PCC response",
    "Statutory basis",
    "Inspection report",
    "Number of recommendations",
    "This response is published at",
]


def welsh_content() -> dict:
    """A demo-like Welsh document: Welsh texts, the recommendations quoted in English, the
    report's English title (no Welsh edition), kinds labelled as stored before they had
    Welsh ("Recommendation", with references "Recommendation 1")."""
    return {
        "schema": 1,
        "lang": "cy",
        "body": "Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        "body_short": "cy Dyfed-Powys PCC",
        "body_role": "Sylwadau Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        "force": "Heddlu Dyfed-Powys",
        "report": {
            "title": REPORT_TITLE_EN,
            "title_lang": "en",
            "inspectorate_label": "HMICFRS",
            "published": "25 Hydref 2026",
            "published_on": "2026-10-25",
            "report_type": "Other inspection",
            "url": "https://example.org/sample-report",
        },
        "deadline": "19 Rhagfyr 2026",
        "version": 1,
        "published_on": "2026-11-14",
        "published": "14 Tachwedd 2026",
        "first_published": "14 Tachwedd 2026",
        "url": "https://example.org/sample-response-for-the-demo",
        "introduction": "YMATEB ENGHREIFFTIOL AR GYFER Y DEMO – nid ymateb go iawn.",
        "judgements": [{"area": "Overall", "grade": "Da", "direction": "Gwell", "note": ""}],
        "pcc_comments": "ENGHRAIFFT. Mae’r Comisiynydd yn croesawu’r adroddiad.",
        "chief_officer_comments": "ENGHRAIFFT. Mae’r heddlu’n derbyn y ddau argymhelliad.",
        "recommendation_count": 2,
        "areas": [
            {
                "area": "Sample",
                "grade": "",
                "entries": [
                    {
                        "kind": "recommendation",
                        "kind_label": "Recommendation",
                        "reference": f"Recommendation {n}",
                        "text": text,
                        "text_lang": "en",
                        "force_response": FORCE_CY,
                        "pcc_response": PCC_CY,
                    }
                    for n, text in ((1, RECOMMENDATION_1), (2, RECOMMENDATION_2))
                ],
            }
        ],
        "statutory_basis": "Mae adran 55 o Ddeddf yr Heddlu 1996 yn ei gwneud yn ofynnol.",
        "copyright": "Hawlfraint y Goron.",
        "marking": "",
    }


@pytest.fixture(scope="module")
def content() -> dict:
    return welsh_content()


@pytest.fixture(scope="module")
def welsh_pdf(content) -> bytes:
    with translation.override("cy"):
        return render_pdf(content)


@pytest.fixture(scope="module")
def welsh_docx(content):
    with translation.override("cy"):
        return docx.Document(io.BytesIO(render_docx(content)))


class LanguageText(HTMLParser):
    """The page's text by the language it is in: each element's lang, else its parent's."""

    VOID = {"meta", "link", "br", "hr", "img", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, str] = {}
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang") or (self.stack[-1] if self.stack else "")
        self.stack.append(lang)
        self.skip += tag in ("style", "title", "head")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        self.stack.pop()
        self.skip -= tag in ("style", "title", "head")

    def handle_data(self, data):
        if not self.skip and data.strip() and self.stack:
            self.text[self.stack[-1]] = f"{self.text.get(self.stack[-1], '')} {data.strip()}"


def by_language(html: str) -> dict[str, str]:
    parser = LanguageText()
    parser.feed(html)
    return {lang: " ".join(text.split()) for lang, text in parser.text.items()}


def headings(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", h))
        for h in re.findall(r"<h[1-5][^>]*>(.*?)</h[1-5]>", html)
    ]


# HTML -----------------------------------------------------------------------------------------


def test_the_welsh_page_is_lang_cy_with_welsh_headings(content):
    with translation.override("cy"):
        html = render_html(content)
    assert '<html lang="cy">' in html
    assert '<article class="app-response" lang="cy">' in html
    found = headings(html)
    assert found[0] == (
        f"Ymateb Comisiynydd Heddlu a Throseddu Dyfed-Powys i adroddiad HMICFRS: {REPORT_TITLE_EN}"
    )
    for heading in WELSH_HEADINGS:
        assert heading in found
    for phrase in ENGLISH_PHRASES:
        assert phrase not in by_language(html)["cy"], phrase
    assert "Cyhoeddwyd 14 Tachwedd 2026" in html
    assert "Nifer yr argymhellion" in html
    assert "Cyhoeddir yr ymateb hwn yn" in html


def test_the_english_passages_of_the_welsh_page_are_marked_en_gb(content):
    with translation.override("cy"):
        for html in (render_html(content), render_html(content, for_print=True)):
            text = by_language(html)
            assert set(text) == {"cy", "en-GB"}
            english = text["en-GB"]
            assert RECOMMENDATION_1 in english
            assert RECOMMENDATION_2 in english
            assert REPORT_TITLE_EN in english  # in the title and in the summary's link
            assert FORCE_CY not in english
            assert PCC_CY not in english
            assert RECOMMENDATION_1 not in text["cy"]
            assert FORCE_CY in text["cy"]
            assert html.count('<div class="govuk-inset-text" lang="en-GB">') == 2
            assert f'<span lang="en-GB">{REPORT_TITLE_EN}</span></h1>' in html


def test_a_welsh_title_from_a_welsh_edition_is_not_marked_as_english(content):
    welsh = copy.deepcopy(content)
    welsh["report"].update(title="ADRODDIAD ENGHREIFFTIOL", title_lang="")
    with translation.override("cy"):
        html = render_html(welsh)
    assert "<span lang" not in html
    assert "ADRODDIAD ENGHREIFFTIOL" in by_language(html)["cy"]


def test_the_printed_page_numbers_are_in_welsh(content):
    with translation.override("cy"):
        html = render_html(content, for_print=True)
    assert 'content: "Tudalen " counter(page) " o " counter(pages)' in html


# PDF ------------------------------------------------------------------------------------------


def test_the_welsh_pdf_passes_the_structure_checks_and_says_it_is_welsh(welsh_pdf):
    assert pdf_checker.check(welsh_pdf) == []
    assert str(pikepdf.open(io.BytesIO(welsh_pdf)).Root.Lang) == "cy"
    with pdfplumber.open(io.BytesIO(welsh_pdf)) as plumber:
        text = " ".join(page.extract_text() for page in plumber.pages)
    for heading in WELSH_HEADINGS:
        assert heading in text
    assert "Tudalen 1 o 2" in text
    assert "Force response" not in text


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_english_passages_of_the_welsh_pdf_have_lang_en_gb(welsh_pdf):
    elements = pdf_checker.structure(welsh_pdf)
    with pdfplumber.open(io.BytesIO(welsh_pdf)) as plumber:
        texts = pdf_checker._texts(plumber)
    marked = {}
    for element in elements:
        if "/Lang" in element.obj:
            text = "".join(texts.get(m, "") for m in element.all_mcids())
            marked.setdefault(str(element.obj.Lang), []).append(_squeezed(text))
    assert set(marked) == {"en-GB"}  # the Welsh is the document's language (the catalog's)
    english = "|".join(marked["en-GB"])
    for passage in (RECOMMENDATION_1, RECOMMENDATION_2, REPORT_TITLE_EN):
        assert _squeezed(passage) in english
    assert _squeezed(FORCE_CY) not in english


# Word -----------------------------------------------------------------------------------------


def _run_languages(paragraph) -> set[str | None]:
    found = set()
    for run in paragraph.runs:
        rpr = run._r.rPr
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        found.add(lang.get(qn("w:val")) if lang is not None else None)
    return found


def test_the_welsh_word_document_is_cy_gb(welsh_docx):
    assert welsh_docx.core_properties.language == "cy-GB"
    defaults = welsh_docx.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "cy-GB"
    texts = [p.text for p in welsh_docx.paragraphs]
    for heading in WELSH_HEADINGS:
        assert heading in texts
    assert "Force response" not in texts
    footer = welsh_docx.sections[0].footer.paragraphs[-1].text
    assert footer.startswith("Tudalen ")
    assert " o " in footer
    table = welsh_docx.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Maes", "Gradd", "Cyfeiriad teithio"]


def test_the_english_quotes_of_the_welsh_word_document_are_en_gb_runs(welsh_docx):
    by_text = {p.text: p for p in welsh_docx.paragraphs}
    for passage in (RECOMMENDATION_1, RECOMMENDATION_2):
        assert _run_languages(by_text[passage]) == {"en-GB"}
    # The Welsh text is in the document's language (no language of its own).
    assert _run_languages(by_text[FORCE_CY]) == {None}
    assert _run_languages(by_text[PCC_CY]) == {None}
    title = welsh_docx.paragraphs[0]
    assert title.style.name == "Heading 1"
    assert [r.text for r in title.runs if _run_languages_of(r) == "en-GB"] == [REPORT_TITLE_EN]


def _run_languages_of(run) -> str | None:
    rpr = run._r.rPr
    lang = rpr.find(qn("w:lang")) if rpr is not None else None
    return lang.get(qn("w:val")) if lang is not None else None


# The English documents ------------------------------------------------------------------------


def test_the_english_documents_are_english_with_no_passage_marked():
    english = sample()
    html = render_html(english)
    assert '<html lang="en-GB">' in html
    assert set(by_language(html)) == {"en-GB"}
    assert "<span lang" not in html
    assert 'inset-text" lang' not in html
    assert headings(html)[0] == TITLE
    assert 'content: "Page " counter(page) " of " counter(pages)' in render_html(
        english, for_print=True
    )
    document = docx.Document(io.BytesIO(render_docx(english)))
    assert document.core_properties.language == "en-GB"
    assert all(_run_languages(p) <= {None} for p in document.paragraphs)
    pdf = render_pdf(english)
    assert str(pikepdf.open(io.BytesIO(pdf)).Root.Lang) == "en-GB"
    assert not [e for e in pdf_checker.structure(pdf) if "/Lang" in e.obj]


def test_a_response_without_lang_is_english_even_when_rendered_in_welsh():
    """The active language words the fixed phrases; the content's language is what the
    document says it is in (an English response is never labelled Welsh)."""
    with translation.override("cy"):
        html = render_html(sample())
    assert '<html lang="en-GB">' in html


# The demo's sample response, through the public view's function --------------------------------


def test_the_demos_welsh_documents(demo_world):
    version = ResponseVersion.objects.get(response__report__key=SAMPLE_REPORT)
    request = RequestFactory().get("/")
    made = {
        fmt: language_document(request, version.content, fmt, "cy")
        for fmt in ("pdf", "docx", "html")
    }
    assert all(answer.status_code == 200 for answer in made.values())

    pdf = made["pdf"].content
    assert pdf_checker.check(pdf) == []
    assert str(pikepdf.open(io.BytesIO(pdf)).Root.Lang) == "cy"
    with pdfplumber.open(io.BytesIO(pdf)) as plumber:
        text = " ".join(page.extract_text() for page in plumber.pages)
    assert "Achosion pryder ac argymhellion" in text
    assert "Argymhelliad 1" in text

    document = docx.Document(io.BytesIO(made["docx"].content))
    assert document.core_properties.language == "cy-GB"
    quotes = [p for p in document.paragraphs if p.text.startswith("Sample recommendation:")]
    assert len(quotes) == 2
    assert all(_run_languages(p) == {"en-GB"} for p in quotes)

    html = made["html"].content.decode()
    assert '<html lang="cy">' in html
    assert html.count('<div class="govuk-inset-text" lang="en-GB">') == 2
    assert "Ymateb yr heddlu" in headings(html)
    assert "Sample recommendation: within six months" in by_language(html)["en-GB"]
