"""A statutory response of a body in Wales (Welsh Language Standards): each part in Welsh
and English, publication refused while one lacks either (the part named, nothing saved),
both documents made from the one publication, and the response pages' Welsh fields."""

import datetime
import io
import re

import docx
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.welsh_world import (
    build_published,
    build_wales,
    fresh,
    publish,
    write_english,
    write_welsh,
)
from tracker.models import AuditEvent, ResponseVersion, StatutoryResponse
from tracker.statutory import content as statutory_content
from tracker.statutory.content import content_in, response_content, response_problems
from tracker.statutory.services import (
    WelshDraft,
    response_approve,
    response_for,
    response_record_comments,
    response_save_draft,
)
from tracker.views.public import language_document


@pytest.fixture
def wales(world):
    return build_wales(world)


# What needs Welsh ---------------------------------------------------------------------------


def test_a_response_of_a_body_in_wales_is_bilingual_and_an_english_one_is_not(wales):
    assert fresh(wales).bilingual
    english = response_for(report=wales.english.report, force=wales.english.wmp)
    assert not english.bilingual
    assert "cy" not in response_content(english)  # English bodies' content is as before


def test_each_part_written_in_english_only_is_named(wales):
    write_english(wales)
    problems = [p for p, _ in response_problems(fresh(wales))]
    assert problems == [
        "Add the Welsh text of the PCC's comments before publishing.",
        "Add the Welsh text of the response to recommendation 1 before publishing.",
        "Add the Welsh text of the force's response to recommendation 1 before publishing.",
        "Add the Welsh text of the response to recommendation 2 before publishing.",
        "Add the Welsh text of the force's response to recommendation 2 before publishing.",
    ]


def test_a_part_written_in_welsh_only_needs_its_english(wales):
    write_english(wales)
    write_welsh(wales)
    response_save_draft(response=wales.response, by=wales.pcc, pcc_responses={wales.rec2.pk: ""})
    problems = [p for p, _ in response_problems(fresh(wales))]
    assert "Add the English text of the response to recommendation 2 before publishing." in (
        problems
    )


def test_publication_is_refused_naming_the_recommendation_without_welsh_and_nothing_is_saved(
    wales,
):
    write_english(wales)
    write_welsh(wales, skip_pcc_response_to=wales.rec2)
    with pytest.raises(ValidationError) as refused:
        response_approve(response=fresh(wales), by=wales.pcc)
    assert refused.value.messages == [
        "Add the Welsh text of the response to recommendation 2 before publishing."
    ]
    # Approved before the Welsh went missing: publishing is refused all the same.
    write_welsh(wales)
    response_approve(response=fresh(wales), by=wales.pcc)
    response_save_draft(
        response=wales.response, by=wales.pcc, welsh=WelshDraft(pcc_responses={wales.rec2.pk: ""})
    )
    assert fresh(wales).approved_at is None  # a change withdraws the approval
    StatutoryResponse.objects.filter(pk=wales.response.pk).update(
        approved_at=timezone.now(),
        approved_fingerprint=statutory_content.fingerprint(response_content(fresh(wales))),
    )
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        publish(wales)
    assert refused.value.messages == [
        "Add the Welsh text of the response to recommendation 2 before publishing."
    ]
    assert not ResponseVersion.objects.filter(response=wales.response).exists()
    assert fresh(wales).published_on is None
    assert AuditEvent.objects.count() == audit_before


def test_a_custom_introduction_needs_its_welsh_and_the_standard_one_does_not(wales):
    write_english(wales)
    write_welsh(wales)
    assert response_problems(fresh(wales)) == []
    response_save_draft(
        response=wales.response, by=wales.pcc, introduction="Our own opening on {{ force }}."
    )
    assert [p for p, _ in response_problems(fresh(wales))] == [
        "Add the Welsh text of the introduction before publishing."
    ]
    response_save_draft(
        response=wales.response,
        by=wales.pcc,
        welsh=WelshDraft(introduction="Ein hagoriad ein hunain ar {{ force }}."),
    )
    assert response_problems(fresh(wales)) == []
    content = response_content(fresh(wales))
    assert content["cy"]["introduction"] == "Ein hagoriad ein hunain ar Heddlu Dyfed-Powys."


def test_a_welsh_introduction_with_an_unknown_field_is_refused(wales):
    with pytest.raises(ValidationError) as refused:
        response_save_draft(
            response=wales.response, by=wales.pcc, welsh=WelshDraft(introduction="{{ enw }}")
        )
    assert "Welsh introduction" in refused.value.messages[0]
    assert fresh(wales).introduction_cy == ""


def test_the_chief_constables_comments_need_their_welsh(wales):
    write_english(wales)
    write_welsh(wales)
    response_record_comments(
        response=fresh(wales),
        by=wales.coordinator,
        text="The force accepts the report.",
        received_on=timezone.localdate(),
    )
    assert [p for p, _ in response_problems(fresh(wales))] == [
        "Add the Welsh text of the chief constable's comments before publishing."
    ]
    response_record_comments(
        response=fresh(wales),
        by=wales.coordinator,
        text="The force accepts the report.",
        text_cy="Mae’r heddlu’n derbyn yr adroddiad.",
        received_on=timezone.localdate(),
    )
    assert response_problems(fresh(wales)) == []


def test_welsh_text_is_refused_for_a_body_that_does_not_publish_in_welsh(wales):
    w = wales.english
    response = response_for(report=w.report, force=w.wmp)
    with pytest.raises(ValidationError) as refused:
        response_save_draft(response=response, by=w.pcc, welsh=WelshDraft(pcc_comments="Helo"))
    assert "does not publish its responses in Welsh" in refused.value.messages[0]


def test_the_force_cannot_write_the_pccs_welsh(wales):
    with pytest.raises(ValidationError):
        response_save_draft(
            response=wales.response, by=wales.coordinator, welsh=WelshDraft(pcc_comments="Na")
        )
    response_save_draft(
        response=wales.response,
        by=wales.coordinator,
        welsh=WelshDraft(force_responses={wales.rec1.pk: "Ydy"}),
    )
    assert fresh(wales).welsh_texts.get(finding=wales.rec1).force_response == "Ydy"


def test_welsh_changes_are_audited_on_the_response(wales):
    write_welsh(wales)
    changes = {}
    for event in AuditEvent.objects.filter(note="Welsh text"):
        changes.update(event.changes)
    assert f"pcc_response_cy:{wales.rec1.pk}" in changes


# Publication: both languages, both documents -------------------------------------------------


@pytest.fixture
def published(wales):
    return build_published(wales)


def test_the_published_version_keeps_both_languages(published):
    content = published.version.content
    assert content["languages"] == ["en", "cy"]
    welsh = content["cy"]
    assert welsh["lang"] == "cy"
    assert welsh["version"] == 1
    assert welsh["published_on"] == content["published_on"]
    assert welsh["pcc_comments"] == "Mae’r Comisiynydd yn croesawu’r adroddiad."
    entries = welsh["areas"][0]["entries"]
    assert [e["pcc_response"] for e in entries] == [
        "Ffigurau misol.",
        "Adolygiad erbyn mis Mawrth.",
    ]
    assert [e["force_response"] for e in entries] == [
        "Siaradwyr Cymraeg ar bob shifft.",
        "Ar y gweill.",
    ]
    # The report is named by its Welsh edition, and linked to it.
    assert welsh["report"]["title"] == "PEEL 2025: Heddlu Dyfed-Powys"
    assert welsh["report"]["url"] == "https://example.org/cy/peel-2025"
    assert welsh["body"] == "Comisiynydd Dyfed-Powys"
    # The English document is exactly the English content.
    english = content_in(content, "en")
    assert "cy" not in english
    assert english["pcc_comments"] == "The Commissioner welcomes the report."


def test_a_welsh_date_is_written_in_welsh():
    with translation.override("cy"):
        assert statutory_content.welsh_date(datetime.date(2018, 5, 16)) == "16 Mai 2018"


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_both_documents_are_produced_from_the_one_publication(published, rf):
    content = published.version.content
    request = rf.get("/")
    made = {}
    for code in ("en", "cy"):
        for fmt in ("pdf", "docx", "html"):
            made[code, fmt] = language_document(request, content, fmt, code)
            assert made[code, fmt].status_code == 200, (code, fmt)
    welsh_reader = pypdf.PdfReader(io.BytesIO(made["cy", "pdf"].content))
    assert welsh_reader.trailer["/Root"]["/Lang"] == "cy"
    welsh_pdf = _pdf_text(made["cy", "pdf"].content)
    english_pdf = _pdf_text(made["en", "pdf"].content)
    assert "Ffigurau misol." in welsh_pdf
    assert "Monthly figures." not in welsh_pdf
    assert "Monthly figures." in english_pdf
    assert "Ffigurau misol." not in english_pdf
    welsh_docx = "\n".join(
        p.text for p in docx.Document(io.BytesIO(made["cy", "docx"].content)).paragraphs
    )
    assert "Adolygiad erbyn mis Mawrth." in welsh_docx
    html = made["cy", "html"].content.decode()
    assert '<html lang="cy">' in html
    # The recommendation quoted in English inside the Welsh document (no Welsh wording
    # recorded) is still the report's own text.
    assert "The force should answer calls in Welsh." in html
    # Two files that do not overwrite each other.
    names = {made[code, "pdf"]["Content-Disposition"] for code in ("en", "cy")}
    assert len(names) == 2


# The response pages ------------------------------------------------------------------------


def test_the_edit_page_shows_each_welsh_field_beside_its_english_one(wales, client):
    client.force_login(wales.pcc)
    url = reverse("tracker:response_edit", args=[wales.report.key, wales.force.code])
    page = client.get(url).content.decode()
    for name in ("pcc_comments_cy", f"pcc_response_cy_{wales.rec1.pk}", "introduction_cy"):
        assert f'id="id_{name}" name="{name}" lang="cy"' in page
    assert "works under the Welsh Language Standards" in page


def test_the_edit_page_saves_the_welsh(wales, client):
    client.force_login(wales.pcc)
    url = reverse("tracker:response_edit", args=[wales.report.key, wales.force.code])
    form = {
        "introduction": statutory_content.DEFAULT_INTRODUCTION,
        "pcc_comments": "Welcome.",
        "pcc_comments_cy": "Croeso.",
        f"pcc_response_{wales.rec1.pk}": "Yes.",
        f"pcc_response_cy_{wales.rec1.pk}": "Ydy.",
    }
    assert client.post(url, form).status_code == 302
    response = fresh(wales)
    assert response.pcc_comments_cy == "Croeso."
    assert response.welsh_texts.get(finding=wales.rec1).pcc_response == "Ydy."


def test_an_english_bodys_edit_page_has_no_welsh_fields(wales, client):
    w = wales.english
    client.force_login(w.pcc)
    page = client.get(reverse("tracker:response_edit", args=[w.report.key, w.wmp.code]))
    assert "_cy" not in page.content.decode()


def test_the_chief_constables_comments_page_takes_both_languages(wales, client):
    client.force_login(wales.coordinator)
    url = reverse("tracker:response_record_comments", args=[wales.report.key, wales.force.code])
    assert 'lang="cy"' in client.get(url).content.decode()
    day = timezone.localdate().strftime("%d/%m/%Y")
    posted = client.post(
        url, {"comments": "Accepted.", "comments_cy": "Derbyniwyd.", "received_on": day}
    )
    assert posted.status_code == 302
    assert fresh(wales).chief_officer_comments_cy == "Derbyniwyd."


def test_another_forces_people_get_404_on_the_welsh_response_pages(wales, client):
    client.force_login(wales.english.outsider)
    for name in ("response_edit", "response_record_comments"):
        url = reverse(f"tracker:{name}", args=[wales.report.key, wales.force.code])
        assert client.get(url).status_code == 404, name


def test_the_office_downloads_the_welsh_draft(wales, client):
    write_english(wales)
    write_welsh(wales)
    client.force_login(wales.pcc)
    url = reverse("tracker:response_document", args=[wales.report.key, wales.force.code, "html"])
    welsh = client.get(f"{url}?lang=cy").content.decode()
    assert '<html lang="cy">' in welsh
    assert "Ffigurau misol." in welsh
    assert "Monthly figures." in client.get(url).content.decode()
    assert client.get(f"{url}?lang=fr").status_code == 404
    english = wales.english
    client.force_login(english.pcc)
    other = reverse(
        "tracker:response_document", args=[english.report.key, english.wmp.code, "html"]
    )
    response_save_draft(
        response=response_for(report=english.report, force=english.wmp),
        by=english.pcc,
        pcc_comments="Comments.",
    )
    assert client.get(f"{other}?lang=cy").status_code == 404  # published in English only
    client.force_login(english.outsider)
    assert client.get(f"{url}?lang=cy").status_code == 404


def test_a_custom_english_introduction_is_not_offered_the_standard_welsh(wales, client):
    response_save_draft(response=wales.response, by=wales.pcc, introduction="Our own opening.")
    client.force_login(wales.pcc)
    page = client.get(
        reverse("tracker:response_edit", args=[wales.report.key, wales.force.code])
    ).content.decode()
    assert re.search(r'id="id_introduction_cy"[^>]*></textarea>', page)
    with translation.override("cy"):
        standard = statutory_content.gettext(statutory_content.DEFAULT_INTRODUCTION)
    response_save_draft(
        response=wales.response, by=wales.pcc, welsh=WelshDraft(introduction=standard)
    )
    assert fresh(wales).introduction_cy == standard.strip()  # kept: it is this one's Welsh
