"""The board pack is named for its force or forces (issue 14): in the page's title, its
heading and the PDF's metadata, and in the PDF's file name."""

import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm

PACK = reverse("tracker:board_pack")
PDF = reverse("tracker:board_pack_pdf")


def title_and_heading(client) -> tuple[str, str]:
    page = client.get(PACK)
    assert page.status_code == 200
    html = page.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()
    assert "Your force" not in html
    assert "Your items:" not in html
    return title, heading


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", "West Midlands Police: overdue and ageing"),
        ("pcc", "West Midlands Police: overdue and ageing"),
        ("reader", "All forces: overdue and ageing"),
        ("owner", "West Midlands Police, Priya Shah’s items: overdue and ageing"),
        ("outsider", "Staffordshire Police: overdue and ageing"),
    ],
)
def test_the_page_title_and_heading_name_the_force(world, client, who, expected):
    client.force_login(getattr(world, who))
    title, heading = title_and_heading(client)
    assert heading == expected
    assert title == f"{expected} (board pack, {timezone.localdate():%-d %B %Y})"


def test_a_pcc_office_for_two_forces_names_both(world, client):
    PolicingBodyTerm.objects.create(force=world.staffs, body=world.wm_pcc)
    client.force_login(world.pcc)
    _title, heading = title_and_heading(client)
    assert heading == "Staffordshire Police and West Midlands Police: overdue and ageing"


def test_the_pdf_has_the_force_in_its_metadata_title_and_its_file_name(world, client):
    Organisation.objects.filter(pk=world.wmp.pk).update(short_name="West Midlands")
    client.force_login(world.coordinator)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"west-midlands-board-pack-{timezone.localdate().isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title.startswith("West Midlands Police: overdue and ageing (board pack")
    text = reader.pages[0].extract_text()
    assert "West Midlands Police: overdue and ageing" in text


def test_the_national_pdf_says_all_forces(world, client):
    client.force_login(world.reader)
    response = client.get(PDF)
    assert response.status_code == 200
    assert (
        f"all-forces-board-pack-{timezone.localdate().isoformat()}.pdf"
        in (response["Content-Disposition"])
    )
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title.startswith("All forces: overdue and ageing")
