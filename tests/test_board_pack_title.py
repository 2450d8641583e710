"""The board pack is named for its force or forces (issue 14): in the page's title, its
heading and the PDF's metadata, and in the PDF's file name. The title says what it is, whose
and when, as a committee paper's does: "Board pack: West Midlands Police, 4 December 2026"
(issue 21)."""

import datetime
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm, ProtectiveMarking
from tests.factories import make_finding, make_item

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
    assert "overdue and ageing" not in title
    return title, heading


def pack_title(scope: str) -> str:
    return f"Board pack: {scope}, {timezone.localdate():%-d %B %Y}"


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("coordinator", "West Midlands Police"),
        ("pcc", "West Midlands Police"),
        ("reader", "All forces"),
        ("owner", "West Midlands Police, Priya Shah’s items"),
        ("outsider", "Staffordshire Police"),
    ],
)
def test_the_page_title_and_heading_name_the_force(world, client, who, scope):
    client.force_login(getattr(world, who))
    title, heading = title_and_heading(client)
    assert heading == pack_title(scope)
    assert title == pack_title(scope)


def test_a_pcc_office_for_two_forces_names_both(world, client):
    PolicingBodyTerm.objects.create(force=world.staffs, body=world.wm_pcc)
    client.force_login(world.pcc)
    _title, heading = title_and_heading(client)
    assert heading == pack_title("Staffordshire Police and West Midlands Police")


def test_the_pdf_has_the_force_in_its_metadata_title_and_its_file_name(world, client):
    Organisation.objects.filter(pk=world.wmp.pk).update(short_name="West Midlands")
    client.force_login(world.coordinator)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"west-midlands-board-pack-{timezone.localdate().isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == pack_title("West Midlands Police")
    text = reader.pages[0].extract_text()
    assert pack_title("West Midlands Police") in text


def test_the_national_pdf_says_all_forces(world, client):
    client.force_login(world.reader)
    response = client.get(PDF)
    assert response.status_code == 200
    assert (
        f"all-forces-board-pack-{timezone.localdate().isoformat()}.pdf"
        in (response["Content-Disposition"])
    )
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == pack_title("All forces")


def test_the_pack_carries_the_highest_marking_of_the_overdue_items_it_quotes(world, client):
    """A pack that quotes an OFFICIAL-SENSITIVE item's words is OFFICIAL-SENSITIVE, on the page
    and on every printed page, though the person's own default is OFFICIAL (issue 21)."""
    ProtectiveMarking.objects.get_or_create(label="OFFICIAL", defaults={"rank": 10})
    sensitive, _ = ProtectiveMarking.objects.get_or_create(
        label="OFFICIAL-SENSITIVE", defaults={"rank": 20}
    )
    client.force_login(world.coordinator)
    assert "OFFICIAL-SENSITIVE" not in client.get(PACK).content.decode()

    overdue = make_item(
        make_finding(world.report, text="Covert sources are handled without review."),
        world.wmp,
        owner=world.owner,
        due=timezone.localdate() - datetime.timedelta(days=3),
        by=world.coordinator,
    )
    overdue.marking = sensitive
    overdue.save(update_fields=["marking"])
    page = client.get(PACK).content.decode()
    assert "Covert sources are handled without review." in page
    assert "OFFICIAL-SENSITIVE" in page
    pdf = pypdf.PdfReader(io.BytesIO(client.get(PDF).content))
    for number, sheet in enumerate(pdf.pages, start=1):
        assert "OFFICIAL-SENSITIVE" in sheet.extract_text(), f"page {number} unmarked"
