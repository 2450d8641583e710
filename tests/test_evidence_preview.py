"""Seeing evidence in the browser (issue 14): each type's answer, decided from the stored
file's bytes; scoped like the download; HTML and SVG never shown inline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.evidence_files import GIF, HTML, JPEG, SVG, WEBP, tiny_pdf, tiny_png
from tests.test_evidence_checks import docx_bytes
from tracker import evidence as files
from tracker import services
from tracker.evidence import Preview, preview_of

pytestmark = pytest.mark.django_db


def attach(world, name, data, description="Board minutes"):
    return services.evidence_attach(
        item=world.item,
        by=world.owner,
        uploaded_file=SimpleUploadedFile(name, data),
        description=description,
    )


def preview_url(world, evidence, name="evidence_preview"):
    return reverse(f"tracker:{name}", args=[world.item.uuid, evidence.uuid])


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def owner_client(client, world):
    client.force_login(world.owner)
    return client


# Deciding from the bytes (no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "data", "kind", "content_type"),
    [
        ("a" * 32 + ".pdf", tiny_pdf(), files.PDF, "application/pdf"),
        ("a" * 32 + ".png", tiny_png(), files.IMAGE, "image/png"),
        ("a" * 32 + ".jpg", JPEG, files.IMAGE, "image/jpeg"),
        ("a" * 32 + ".gif", GIF, files.IMAGE, "image/gif"),
        ("a" * 32 + ".webp", WEBP, files.IMAGE, "image/webp"),
        ("a" * 32 + ".txt", b"Minutes\n", files.TEXT, "text/plain; charset=utf-8"),
        ("a" * 32 + ".csv", b"a,b\n1,2\n", files.TEXT, "text/plain; charset=utf-8"),
        ("a" * 32 + ".docx", docx_bytes(), files.DOWNLOAD, ""),
    ],
)
def test_the_kind_of_preview_comes_from_the_bytes(stored, data, kind, content_type):
    preview = preview_of(stored, data, whole=True)
    assert (preview.kind, preview.content_type) == (kind, content_type)


@pytest.mark.parametrize(
    ("stored", "data"),
    [
        ("a" * 32 + ".png", SVG),  # a drawing stored as a PNG
        ("a" * 32 + ".png", tiny_pdf()),  # a PDF stored as a PNG
        ("a" * 32 + ".png", GIF),  # a GIF stored as a PNG: served only as what it was stored as
        ("a" * 32 + ".pdf", HTML),
        ("a" * 32 + ".txt", SVG),
        ("a" * 32 + ".txt", HTML),
        ("a" * 32 + ".csv", b"name\n<script>alert(1)</script>\n"),
        ("a" * 32 + ".txt", b"\x00\x01binary"),
    ],
)
def test_content_that_does_not_match_or_is_markup_is_download_only(stored, data):
    preview = preview_of(stored, data, whole=True)
    assert preview.kind == files.DOWNLOAD
    assert preview.reason


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    data = ("é" * 10).encode()[:-1]  # the last character cut in two
    assert preview_of("a" * 32 + ".txt", data, whole=False) == Preview(
        files.TEXT, "text/plain; charset=utf-8"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('board "minutes".pdf', "board minutes.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\r\nSet-Cookie: x.pdf", "aSet-Cookie: x.pdf"),
        ("...", "evidence"),
    ],
)
def test_a_safe_filename_has_no_path_quotes_or_control_characters(name, expected):
    assert files.safe_filename(name) == expected


# The pages ----------------------------------------------------------------------------------


def test_a_pdf_is_served_inline_with_a_restrictive_policy(owner_client, world):
    pdf = tiny_pdf()
    evidence = attach(world, 'minutes "final".pdf', pdf)
    response = owner_client.get(preview_url(world, evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="minutes final.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "object-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert body(response) == pdf


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.png", tiny_png(), "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.gif", GIF, "image/gif"),
        ("photo.webp", WEBP, "image/webp"),
    ],
)
def test_an_image_is_shown_in_a_page_with_its_description_as_alt_text(
    owner_client, world, name, data, content_type
):
    evidence = attach(world, name, data, description="Photo of the new custody desk <b>")
    page = owner_client.get(preview_url(world, evidence))
    assert page.status_code == 200
    html = page.content.decode()
    image_url = preview_url(world, evidence, "evidence_image")
    assert f'src="{image_url}"' in html
    assert 'alt="Photo of the new custody desk &lt;b&gt;"' in html
    image = owner_client.get(image_url)
    assert image.status_code == 200
    assert image["Content-Type"] == content_type
    assert image["Content-Disposition"].startswith("inline;")
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in image["Content-Security-Policy"]
    assert body(image) == data


def test_text_is_shown_escaped_in_a_page(owner_client, world):
    evidence = attach(world, "notes.txt", b"Actions agreed: 1 & 2 <b>now</b>\n")
    response = owner_client.get(preview_url(world, evidence))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Actions agreed: 1 &amp; 2 &lt;b&gt;now&lt;/b&gt;" in html
    assert "<b>now</b>" not in html
    assert "only its first" not in html


def test_a_csv_is_shown_as_text(owner_client, world):
    evidence = attach(world, "figures.csv", b"month,logs\nJanuary,120\n")
    html = owner_client.get(preview_url(world, evidence)).content.decode()
    assert "month,logs\nJanuary,120" in html


def test_a_long_text_file_shows_its_first_200_kb_with_a_note(owner_client, world):
    line = b"x" * 99 + b"\n"
    data = line * 3000 + b"THE END\n"  # about 300 KB
    evidence = attach(world, "log.txt", data)
    html = owner_client.get(preview_url(world, evidence)).content.decode()
    assert "only its first 200 KB are shown" in html
    assert "THE END" not in html
    assert html.count("x" * 99) == 200 * 1024 // 100


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("plan.docx", docx_bytes(), "A Word document cannot be shown in the browser."),
        ("drawing.txt", SVG, "web page or drawing code"),
        ("page.txt", HTML, "web page or drawing code"),
    ],
)
def test_word_svg_and_html_are_offered_as_a_download_only(owner_client, world, name, data, what):
    evidence = attach(world, name, data)
    response = owner_client.get(preview_url(world, evidence))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert what in html
    assert reverse("tracker:evidence_download", args=[world.item.uuid, evidence.uuid]) in html
    assert "<svg" not in html
    assert "alert(1)" not in html
    assert owner_client.get(preview_url(world, evidence, "evidence_image")).status_code == 404


def test_a_stored_file_whose_content_no_longer_matches_its_name_is_not_shown(
    owner_client, world, evidence_root
):
    """A PNG replaced on disk by an SVG (a restore gone wrong, a tampered folder): the bytes
    decide, so it is neither served as an image nor shown."""
    evidence = attach(world, "photo.png", tiny_png())
    (evidence_root / evidence.stored_name).write_bytes(SVG)
    page = owner_client.get(preview_url(world, evidence))
    assert "does not match its name" in page.content.decode()
    assert owner_client.get(preview_url(world, evidence, "evidence_image")).status_code == 404


@pytest.mark.parametrize("name", ["evidence_preview", "evidence_image"])
def test_another_force_gets_404(client, world, name):
    evidence = attach(world, "photo.png", tiny_png())
    client.force_login(world.outsider)
    response = client.get(preview_url(world, evidence, name))
    assert response.status_code == 404
    assert body(response) != tiny_png()


@pytest.mark.parametrize("persona", ["colleague", "coordinator", "pcc", "reader"])
def test_everyone_who_may_download_may_view(client, world, persona):
    evidence = attach(world, "minutes.pdf", tiny_pdf())
    client.force_login(getattr(world, persona))
    assert client.get(preview_url(world, evidence)).status_code == 200


def test_a_file_from_another_item_is_not_found_through_this_item(owner_client, world):
    from tests.factories import make_finding, make_item

    other = make_item(make_finding(world.report), world.wmp, owner=world.owner)
    evidence = services.evidence_attach(
        item=other,
        by=world.owner,
        uploaded_file=SimpleUploadedFile("minutes.pdf", tiny_pdf()),
    )
    url = reverse("tracker:evidence_preview", args=[world.item.uuid, evidence.uuid])
    assert owner_client.get(url).status_code == 404


def test_a_file_missing_from_storage_is_not_found(owner_client, world, evidence_root):
    evidence = attach(world, "minutes.pdf", tiny_pdf())
    (evidence_root / evidence.stored_name).unlink()
    assert owner_client.get(preview_url(world, evidence)).status_code == 404


def test_the_item_page_has_a_view_link_for_a_pdf_and_not_for_a_word_document(owner_client, world):
    pdf = attach(world, "minutes.pdf", tiny_pdf())
    word = attach(world, "plan.docx", docx_bytes())
    html = owner_client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
    assert preview_url(world, pdf) in html
    assert preview_url(world, word) not in html
    assert reverse("tracker:evidence_download", args=[world.item.uuid, word.uuid]) in html


def test_the_preview_is_rate_limited_like_other_documents(owner_client, world, settings):
    settings.RATE_LIMIT_EXPORT = 2
    evidence = attach(world, "minutes.pdf", tiny_pdf())
    url = preview_url(world, evidence)
    for _ in range(2):
        response = owner_client.get(url)
        assert response.status_code == 200
        body(response)  # sent in full: the place is given back
    refused = owner_client.get(url)
    assert refused.status_code == 429
    assert "Retry-After" in refused
