"""Issue 14, bugs seen on the way, in the demo: each test failed on the code before its fix."""

import datetime
import re
from collections import Counter
from pathlib import Path

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, RoleAssignment, User
from accounts.services import person_create, person_update
from tests.demo_pages import PERSONAS
from tests.test_admin_roles import form_as_shown
from tests.test_report_import import preview_data
from tracker.models import Report, TrackedItem

pytestmark = pytest.mark.django_db

PEEL_2015 = (Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt").read_bytes()
SEED_PEEL_2015 = "peel-effectiveness-2015-west-midlands"


# 1. Updating a report from its document never adds a judgement a second time ---------------


def test_updating_the_demo_peel_2015_report_adds_no_judgement_twice(
    client, demo_world, report_import_root, django_capture_on_commit_callbacks
):
    report = Report.objects.get(key=SEED_PEEL_2015)
    before = list(report.judgements.values_list("area", "grade"))
    client.force_login(User.objects.get(email=PERSONAS["coordinator"]))
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(
            reverse("tracker:report_import"), {"file": SimpleUploadedFile("peel.txt", PEEL_2015)}
        )
    page = client.get(uploaded["Location"])
    assert page.context["duplicate"] == report
    assert any(j["include"] for j in page.context["judgements"].initial)  # judgements found
    updated = client.post(uploaded["Location"], preview_data(page.context, action="update"))
    assert updated["Location"] == reverse("tracker:report_detail", args=[report.key])
    areas = Counter(report.judgements.values_list("area", flat=True))
    assert [area for area, n in areas.items() if n > 1] == []
    assert sorted(report.judgements.values_list("area", "grade")) == sorted(before)
    html = client.get(updated["Location"]).content.decode()
    assert html.count("Overall: How well does the force keep people safe") == 1


# 3. Signing in again at once in the demo: the code page says why and what to do ---------------

SIGN_IN = reverse("accounts:sign_in")
CODE = reverse("accounts:sign_in_code")
STEP_START = datetime.datetime(2026, 12, 4, 15, 0, 0, tzinfo=datetime.UTC)  # a 30-second step


def demo_code_on(page) -> str:
    found = re.search(r"<strong>(\d{6})</strong>", page.content.decode())
    assert found, "the demo shows no code"
    return found.group(1)


def test_signing_in_as_daniel_again_at_once_shows_a_code_or_says_why(client, demo_world, settings):
    settings.DEMO_MODE = True
    daniel = PERSONAS["pcc"]
    with time_machine.travel(STEP_START + datetime.timedelta(seconds=20), tick=False) as clock:
        for _ in range(2):  # the code for now, then the next one: both used
            assert (
                client.post(SIGN_IN, {"username": daniel, "password": "x" * 16}).status_code == 302
            )
            signed_in = client.post(CODE, {"code": demo_code_on(client.get(CODE))})
            assert signed_in.status_code == 302
            client.post(reverse("accounts:sign_out"))
        client.post(SIGN_IN, {"username": daniel, "password": "x" * 16})
        page = client.get(CODE)
        html = page.content.decode()
        assert "Demo only" in html
        assert "already been used" in html
        assert "in 10 seconds" in html  # the next step starts at 15:00:30
        code = demo_code_on(page)
        too_soon = client.post(CODE, {"code": code})
        assert too_soon.status_code == 400
        clock.move_to(STEP_START + datetime.timedelta(seconds=31))
        assert demo_code_on(client.get(CODE)) == code
        assert client.post(CODE, {"code": code}).status_code == 302


def test_a_code_used_a_moment_ago_is_refused_saying_so(client, demo_world, settings):
    settings.DEMO_MODE = False
    daniel = PERSONAS["pcc"]
    user = User.objects.get(email=daniel)
    code = pyotp.TOTP(user.two_factor_device.secret).now()
    client.post(SIGN_IN, {"username": daniel, "password": "x" * 16})
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post(reverse("accounts:sign_out"))
    client.post(SIGN_IN, {"username": daniel, "password": "x" * 16})
    refused = client.post(CODE, {"code": code}).content.decode()
    assert "already used" in refused
    assert "wait for your app to show a new code" in refused
    assert "Demo only" not in refused


# 4. Only policing bodies in office today may be chosen for new roles -------------------------


def signed_in_admin(client) -> User:
    admin = User.objects.get(email=PERSONAS["admin"])
    client.force_login(admin)
    return admin


def new_person(organisation: Organisation, **extra) -> dict:
    return {
        "email": "new.officer@pcc.example",
        "full_name": "New Officer",
        "organisation": organisation.pk,
        "roles": [Role.PCC_OFFICE],
        **extra,
    }


def test_the_people_page_offers_and_accepts_only_bodies_in_office(client, demo_world):
    signed_in_admin(client)
    authority = Organisation.objects.get(code="west-midlands-police-authority")
    pcc = Organisation.objects.get(code="west-midlands-pcc")
    page = client.get(reverse("accounts:person_add"))
    offered = set(page.context["form"].fields["organisation"].queryset)
    assert pcc in offered
    assert authority not in offered

    refused = client.post(reverse("accounts:person_add"), new_person(authority))
    assert refused.status_code == 400
    assert not User.objects.filter(email="new.officer@pcc.example").exists()
    with pytest.raises(ValidationError, match="not in office today"):
        person_create(
            by=User.objects.get(email=PERSONAS["admin"]),
            **{**new_person(authority), "organisation": authority},
        )
    assert not User.objects.filter(email="new.officer@pcc.example").exists()

    made = client.post(reverse("accounts:person_add"), new_person(pcc))
    assert made.status_code == 302
    assert User.objects.get(email="new.officer@pcc.example").organisation == pcc


def test_the_service_says_which_body_is_in_office_instead(demo_world):
    admin = User.objects.get(email=PERSONAS["admin"])
    authority = Organisation.objects.get(code="west-midlands-police-authority")
    with pytest.raises(ValidationError) as refused:
        person_create(by=admin, **{**new_person(authority), "organisation": authority})
    words = " ".join(refused.value.messages)
    assert "West Midlands Police Authority is not in office today" in words
    assert "its term ended on 21 November 2012" in words
    assert "West Midlands Police and Crime Commissioner" in words


def test_someone_already_at_a_former_body_can_still_be_edited(client, demo_world):
    admin = signed_in_admin(client)
    authority = Organisation.objects.get(code="west-midlands-police-authority")
    former = User.objects.create_user(
        "old.officer@pcc.example", None, full_name="Old Officer", organisation=authority
    )
    RoleAssignment.objects.create(user=former, role=Role.PCC_OFFICE)
    page = client.get(reverse("accounts:person_edit", args=[former.pk]))
    assert "not in office" in page.content.decode()  # the choice says so
    person_update(
        by=admin,
        person=former,
        full_name="Old Officer (retired)",
        organisation=authority,
        roles=[Role.PCC_OFFICE],
    )
    assert User.objects.get(pk=former.pk).full_name == "Old Officer (retired)"


def test_the_admin_refuses_the_pcc_office_role_at_a_body_no_longer_in_office(client, demo_world):
    signed_in_admin(client)
    authority = Organisation.objects.get(code="west-midlands-police-authority")
    url = reverse("admin:accounts_user_add")
    data = form_as_shown(client, url)
    data.update(
        {
            "email": ["new.officer@pcc.example"],
            "full_name": ["New Officer"],
            "organisation": [str(authority.pk)],
            "password1": ["a long enough password 1"],
            "password2": ["a long enough password 1"],
            "role_assignments-0-role": [Role.PCC_OFFICE],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "West Midlands Police Authority is not in office today" in response.content.decode()
    assert not User.objects.filter(email="new.officer@pcc.example").exists()
    data["organisation"] = [str(Organisation.objects.get(code="west-midlands-pcc").pk)]
    assert client.post(url, data).status_code == 302


# 6. Wording that contradicts the page ----------------------------------------------------------


def deadline_block(html: str, name: str) -> str:
    start = html.index(f">{name}</h3>")
    end = html.find('<div class="app-deadline">', start)
    return html[start : end if end != -1 else len(html)]


def test_a_closed_item_says_no_further_updates_are_needed(client, demo_world):
    item = (
        TrackedItem.objects.filter(status="closed", deadlines__rule__key="progress-update")
        .select_related("finding")
        .first()
    )
    assert item is not None
    client.force_login(User.objects.get(email=PERSONAS["coordinator"]))
    html = client.get(reverse("tracker:item_detail", args=[item.uuid])).content.decode()
    block = deadline_block(html, "Next progress update")
    assert "Done on time" not in block
    assert "late</strong>" not in block
    closed_on = timezone.localdate(item.closed_at)
    assert f"No further updates needed: closed on {closed_on.day} {closed_on:%B %Y}" in block
