"""The public pages in Welsh and English: the language from the address (?lang=cy), the
switch and its hreflang alternates, lang="cy" on a Welsh page and lang="en" on English inside
it (WCAG 3.1.2), both documents of a bilingual response offered side by side, and a language
not offered answered 404 with a clear message."""

import re

import pytest
from django.urls import reverse

from tests.welsh_world import build_published, build_wales, fresh, publish, write_english
from tracker.models import ReportEdition
from tracker.report_import.editions import edition_attach
from tracker.statutory.services import (
    WelshDraft,
    response_approve,
    response_for,
    response_save_draft,
    versions_record_published,
)


@pytest.fixture
def published(world):
    return build_published(build_wales(world))


def body_url(w, lang=""):
    url = reverse("tracker:public_body", args=[w.body.code])
    return f"{url}?lang={lang}" if lang else url


def response_url(w, lang=""):
    url = reverse("tracker:public_response", args=[w.body.code, w.response.uuid])
    return f"{url}?lang={lang}" if lang else url


def html_lang(page: str) -> str:
    return re.search(r"<html lang=\"([^\"]+)\"", page).group(1)


def test_the_welsh_bodys_page_in_welsh_is_lang_cy_and_links_to_its_english_version(
    published, client
):
    page = client.get(body_url(published, "cy")).content.decode()
    assert html_lang(page) == "cy"
    english = body_url(published)
    # The switch: English, named in English, marked as English, linking to the same page.
    assert re.search(
        rf'<a class="govuk-link" href="{re.escape(english)}" hreflang="en-GB" lang="en-GB" '
        r'rel="alternate">',
        page,
    )
    # The alternates for search engines, with the English page as the default.
    assert f'hreflang="en-GB" href="http://testserver{english}"' in page
    assert f'hreflang="cy" href="http://testserver{english}?lang=cy"' in page
    assert f'hreflang="x-default" href="http://testserver{english}"' in page
    # The body by its Welsh name; its response listed under its Welsh edition's title.
    assert "Comisiynydd Dyfed-Powys" in page
    assert "PEEL 2025: Heddlu Dyfed-Powys" in page
    # Both documents, in both languages, the same size.
    number = published.version.number
    assert f'{number}/document.pdf?lang=cy">PDF' in page
    assert f'{number}/document.pdf">PDF' in page
    assert f'{number}/document.docx?lang=cy">Word' in page
    assert f'{number}/document.docx">Word' in page


def test_the_english_page_links_to_the_welsh_one(published, client):
    page = client.get(body_url(published)).content.decode()
    assert html_lang(page) in ("en", "en-gb")
    assert re.search(r'href="[^"]*\?lang=cy" hreflang="cy" lang="cy" rel="alternate"', page)
    assert "Dyfed-Powys Police and Crime Commissioner" in page


def test_the_response_in_welsh_shows_the_welsh_document_and_marks_english_passages(
    published, client
):
    page = client.get(response_url(published, "cy")).content.decode()
    assert html_lang(page) == "cy"
    assert '<article class="app-response" lang="cy">' in page
    assert "Ffigurau misol." in page
    assert "Monthly figures." not in page
    # Both documents offered side by side; the English ones marked as English.
    assert re.search(r'<div class="govuk-grid-column-one-half" lang="en-GB">', page)
    assert re.search(r'<div class="govuk-grid-column-one-half" lang="cy">', page)
    assert "document.docx?lang=cy" in page
    # The report in English is marked lang="en-GB"; its Welsh edition linked as Welsh.
    assert 'href="https://example.org/cy/peel-2025" hreflang="cy" lang="cy"' in page


def test_the_response_in_english_shows_the_english_document_and_links_the_welsh_edition(
    published, client
):
    page = client.get(response_url(published)).content.decode()
    assert "Monthly figures." in page
    assert "Ffigurau misol." not in page
    assert "PEEL 2025: Heddlu Dyfed-Powys" in page  # the Welsh edition, linked
    assert "?lang=cy" in page


def test_an_english_only_response_on_a_welsh_page_is_marked_as_english(published, client):
    w = published.english
    response = response_for(report=w.report, force=w.wmp)
    response.published_on = w.report.published_on
    response.save()
    versions_record_published(report_keys=[w.report.key])
    url = reverse("tracker:public_response", args=[response.body.code, response.uuid])
    page = client.get(f"{url}?lang=cy").content.decode()
    assert html_lang(page) == "cy"
    assert '<article class="app-response" lang="en-GB">' in page
    # Its Welsh document does not exist: 404, not the English one under a Welsh name.
    doc = reverse("tracker:public_document", args=[response.body.code, response.uuid, 1, "pdf"])
    assert client.get(f"{doc}?lang=cy").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "CY", "en-gb", ""])
def test_a_language_not_offered_is_404_with_a_clear_message(published, client, lang):
    url = f"{reverse('tracker:public_body', args=[published.body.code])}?lang={lang}"
    answer = client.get(url)
    assert answer.status_code == 404
    page = answer.content.decode()
    assert "These pages are in English (lang=en) and in Welsh (lang=cy) only." in page
    assert 'hreflang="cy"' in page


def test_the_welsh_documents_download(published, client):
    v = published.version
    for fmt in ("pdf", "docx"):
        url = reverse(
            "tracker:public_document", args=[published.body.code, v.response.uuid, 1, fmt]
        )
        welsh = client.get(f"{url}?lang=cy")
        english = client.get(url)
        assert welsh.status_code == english.status_code == 200
        assert 'filename="cy-' in welsh["Content-Disposition"]
        assert 'filename="cy-' not in english["Content-Disposition"]
        assert client.get(f"{url}?lang=de").status_code == 404


def test_the_welsh_pages_keep_the_language_in_their_links(published, client):
    page = client.get(reverse("tracker:public_index") + "?lang=cy").content.decode()
    assert html_lang(page) == "cy"
    assert f"{body_url(published)}?lang=cy" in page


def test_the_public_pages_read_a_fixed_number_of_queries(
    published, client, django_assert_max_num_queries
):
    ReportEdition.objects.filter(report=published.report).update(title="Teitl")
    for url in (body_url(published, "cy"), response_url(published, "cy"), body_url(published)):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
RAW = re.compile(r"<script>alert|<img src=x onerror")


def test_welsh_texts_are_shown_as_text_everywhere(world, client):
    w = build_wales(world)
    for org in (w.force, w.body):
        org.welsh_name = f"Enw {PAYLOAD}"
        org.save()
    write_english(w)
    response_save_draft(
        response=w.response,
        by=w.pcc,
        welsh=WelshDraft(
            introduction=f"Cyflwyniad {PAYLOAD} {{{{ body }}}}",
            pcc_comments=f"Sylwadau {PAYLOAD}",
            pcc_responses={w.rec1.pk: PAYLOAD, w.rec2.pk: PAYLOAD},
            force_responses={w.rec1.pk: PAYLOAD, w.rec2.pk: PAYLOAD},
        ),
    )
    response_save_draft(response=w.response, by=w.pcc, introduction="Opening {{ body }}")
    edition_attach(report=w.report, by=w.pcc, title=f"Teitl {PAYLOAD}", url="https://x.org/cy")
    response_approve(response=fresh(w), by=w.pcc)
    publish(w)
    pages = [body_url(w, "cy"), response_url(w, "cy"), response_url(w)]
    document = reverse("tracker:response_document", args=[w.report.key, w.force.code, "html"])
    for url in pages:
        page = client.get(url).content.decode()
        assert "alert" in page, url  # the payload is there, as text
        assert not RAW.search(page), url
    client.force_login(w.pcc)
    for url in (
        reverse("tracker:response_edit", args=[w.report.key, w.force.code]),
        reverse("tracker:report_detail", args=[w.report.key]),
        reverse("tracker:report_edition", args=[w.report.key]),
        f"{document}?lang=cy",
    ):
        page = client.get(url).content.decode()
        assert "alert" in page, url
        assert not RAW.search(page), url
