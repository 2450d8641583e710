"""The Welsh world of the Welsh tests: Dyfed-Powys under the Welsh Language Standards, its
PCC office and coordinator, a report with two recommendations, and West Midlands (English)
beside it; and the same with its response written in both languages and published."""

from django.utils import timezone

from accounts.models import Role
from tests.factories import make_finding, make_force_with_body, make_report, make_user
from tracker.models import ReportEdition, StatutoryResponse
from tracker.statutory.services import (
    WelshDraft,
    response_approve,
    response_for,
    response_publish,
    response_save_draft,
)


class Wales:
    """Dyfed-Powys (force and commissioner, under the Welsh Language Standards), its PCC
    office and coordinator, a report with two recommendations; and West Midlands, English."""


def build_wales(world):
    w = Wales()
    w.english = world
    w.force, w.body = make_force_with_body("Dyfed-Powys")
    for org, welsh in ((w.force, "Heddlu Dyfed-Powys"), (w.body, "Comisiynydd Dyfed-Powys")):
        org.welsh_language_standards = True
        org.welsh_name = welsh
        org.save()
    w.pcc = make_user("Rhian Evans", w.body, Role.PCC_OFFICE)
    w.coordinator = make_user("Gareth Jones", w.force, Role.FORCE_COORDINATOR)
    w.report = make_report(
        forces=[w.force], title="PEEL 2025: Dyfed-Powys", published_on=timezone.localdate()
    )
    w.rec1 = make_finding(w.report, "The force should answer calls in Welsh.", order=1)
    w.rec2 = make_finding(w.report, "The force should review repeat callers.", order=2)
    w.response = response_for(report=w.report, force=w.force)
    return w


def write_english(w):
    response_save_draft(
        response=w.response,
        by=w.pcc,
        pcc_comments="The Commissioner welcomes the report.",
        pcc_responses={w.rec1.pk: "Monthly figures.", w.rec2.pk: "A review by March."},
        force_responses={w.rec1.pk: "Welsh speakers on every shift.", w.rec2.pk: "Under way."},
    )


def write_welsh(w, *, skip_pcc_response_to=None):
    pcc = {w.rec1.pk: "Ffigurau misol.", w.rec2.pk: "Adolygiad erbyn mis Mawrth."}
    if skip_pcc_response_to is not None:
        pcc.pop(skip_pcc_response_to.pk)
    response_save_draft(
        response=w.response,
        by=w.pcc,
        welsh=WelshDraft(
            pcc_comments="Mae’r Comisiynydd yn croesawu’r adroddiad.",
            pcc_responses=pcc,
            force_responses={
                w.rec1.pk: "Siaradwyr Cymraeg ar bob shifft.",
                w.rec2.pk: "Ar y gweill.",
            },
        ),
    )


def fresh(w):
    return StatutoryResponse.objects.get(pk=w.response.pk)


def publish(w, day=None):
    return response_publish(
        response=fresh(w), by=w.pcc, published_on=day or timezone.localdate(), url=""
    )


def build_published(wales):
    ReportEdition.objects.create(
        report=wales.report,
        title="PEEL 2025: Heddlu Dyfed-Powys",
        url="https://example.org/cy/peel-2025",
        added_at=timezone.now(),
    )
    write_english(wales)
    write_welsh(wales)
    response_approve(response=fresh(wales), by=wales.pcc)
    wales.version = publish(wales)
    return wales
