"""The demo's Welsh body: Dyfed-Powys, with a SAMPLE response published in Welsh and English.

The four Welsh forces and their commissioners work under the Welsh Language Standards
(compliance notices name both the force and the OPCC), so the demo marks them as such and
gives their Welsh names. Dyfed-Powys gets a policy officer in the commissioner's office who
chose Welsh, a sample report (its Welsh edition attached, not imported) and a statutory
response written, approved and published in both languages through the same services as any
other. Every text says it is a sample, in both languages: nothing here is a real report or a
real response.
"""

import datetime

from django.utils import timezone

from accounts import two_factor
from accounts.models import Organisation, Role, RoleAssignment, TwoFactorDevice, User
from tracker.models import Finding, FindingKind, GradingScale, Report, ReportType
from tracker.report_import.editions import edition_attach
from tracker.statutory import services as statutory

# code: Welsh name. The forces and offices in Wales, under the Welsh Language Standards.
WELSH_BODIES = {
    "dyfed-powys-police": "Heddlu Dyfed-Powys",
    "dyfed-powys-pcc": "Comisiynydd Heddlu a Throseddu Dyfed-Powys",
    "gwent-police": "Heddlu Gwent",
    "gwent-pcc": "Comisiynydd Heddlu a Throseddu Gwent",
    "north-wales-police": "Heddlu Gogledd Cymru",
    "north-wales-pcc": "Comisiynydd Heddlu a Throseddu Gogledd Cymru",
    "south-wales-police": "Heddlu De Cymru",
    "south-wales-pcc": "Comisiynydd Heddlu a Throseddu De Cymru",
}
OFFICER = ("rhian.evans@dyfed-powys-pcc.example", "Rhian Evans", "Swyddog polisi / Policy officer")
SAMPLE_REPORT = "demo-sample-dyfed-powys-welsh"

INTRODUCTION = (
    "SAMPLE RESPONSE FOR THE DEMO – not a real response.\n\n"
    "On {{ report_published }} {{ inspectorate }} published its report “{{ report_title }}”. "
    "This is the response of the {{ body }}, published in Welsh and English.\n\n"
    "The report makes {{ recommendations }}. The response of {{ force }} and of the "
    "{{ body }} to each is set out below."
)
INTRODUCTION_CY = (
    "YMATEB ENGHREIFFTIOL AR GYFER Y DEMO – nid ymateb go iawn.\n\n"
    "Ar {{ report_published }} cyhoeddodd {{ inspectorate }} ei adroddiad "
    "“{{ report_title }}”. Dyma ymateb {{ body }}, a gyhoeddir yn Gymraeg ac yn Saesneg.\n\n"
    "Mae’r adroddiad yn gwneud {{ recommendations }}. Nodir isod ymateb {{ force }} ac "
    "ymateb {{ body }} i bob un."
)
PCC_COMMENTS = (
    "SAMPLE. The Commissioner welcomes the report and will hold the Chief Constable to "
    "account for each recommendation at the Policing Accountability Board."
)
PCC_COMMENTS_CY = (
    "ENGHRAIFFT. Mae’r Comisiynydd yn croesawu’r adroddiad a bydd yn dwyn y Prif Gwnstabl i "
    "gyfrif am bob argymhelliad yn y Bwrdd Atebolrwydd Plismona."
)
CHIEF = (
    "SAMPLE. The force accepts both recommendations and has a plan for each, overseen by the "
    "Deputy Chief Constable."
)
CHIEF_CY = (
    "ENGHRAIFFT. Mae’r heddlu’n derbyn y ddau argymhelliad ac mae ganddo gynllun ar gyfer pob "
    "un, dan oruchwyliaeth y Dirprwy Brif Gwnstabl."
)
# (the recommendation, the force's response, its Welsh, the PCC's response, its Welsh)
RECOMMENDATIONS = [
    (
        "Sample recommendation: within six months, the force should make sure that calls from "
        "people who ask to speak Welsh are answered in Welsh without delay.",
        "SAMPLE. Welsh speakers now answer on every shift in the control room; calls that ask "
        "for Welsh are counted each month.",
        "ENGHRAIFFT. Mae siaradwyr Cymraeg bellach yn ateb ar bob shifft yn yr ystafell "
        "reoli; caiff galwadau sy’n gofyn am y Gymraeg eu cyfrif bob mis.",
        "SAMPLE. The Commissioner will review the monthly figures at each accountability "
        "board until the target is met.",
        "ENGHRAIFFT. Bydd y Comisiynydd yn adolygu’r ffigurau misol ym mhob bwrdd atebolrwydd "
        "nes cyrraedd y targed.",
    ),
    (
        "Sample recommendation: within three months, the force should review how it records "
        "repeat calls from vulnerable people in rural areas.",
        "SAMPLE. The review is under way with the three local policing areas.",
        "ENGHRAIFFT. Mae’r adolygiad ar y gweill gyda’r tair ardal blismona leol.",
        "SAMPLE. The Commissioner has asked for the review’s findings by the next board.",
        "ENGHRAIFFT. Mae’r Comisiynydd wedi gofyn am ganfyddiadau’r adolygiad erbyn y bwrdd nesaf.",
    ),
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def create_welsh_demo(*, password: str, today: datetime.date) -> None:
    """Mark the Welsh bodies, then give Dyfed-Powys its officer, sample report, Welsh
    edition and bilingual response (published 20 days ago, within its 56 days)."""
    for code, welsh_name in WELSH_BODIES.items():
        Organisation.objects.filter(code=code).update(
            welsh_language_standards=True, welsh_name=welsh_name
        )
    force = Organisation.objects.get(code="dyfed-powys-police")
    office = Organisation.objects.get(code="dyfed-powys-pcc")
    email, name, title = OFFICER
    officer = User.objects.create_user(
        email, password, full_name=name, job_title=title, organisation=office
    )
    if hasattr(officer, "language"):  # her choice of Welsh (accounts 0007)
        officer.language = "cy"
        officer.save(update_fields=["language"])
    RoleAssignment.objects.create(user=officer, role=Role.PCC_OFFICE)
    TwoFactorDevice.objects.create(
        user=officer, secret=two_factor.demo_secret(email), confirmed_at=timezone.now()
    )
    published = today - datetime.timedelta(days=40)
    report = Report.objects.create(
        key=SAMPLE_REPORT,
        inspectorate=Organisation.objects.get(code="hmicfrs"),
        inspectorate_label="HMICFRS",
        title="SAMPLE report for the demo: Dyfed-Powys Police, published in Welsh and English",
        report_type=ReportType.OTHER,
        published_on=published,
        grading_scale=GradingScale.NONE,
        notes="Sample data made up for the demo, to show a response published in Welsh and "
        "English. Its Welsh edition is attached to it, not imported as a second report.",
    )
    report.forces.set([force])
    findings = [
        Finding.objects.create(
            key=f"{SAMPLE_REPORT}:rec-{n}",
            report=report,
            kind=FindingKind.RECOMMENDATION,
            reference=f"Recommendation {n}",
            area="Sample",
            text=text,
            order=n,
        )
        for n, (text, *_answers) in enumerate(RECOMMENDATIONS, start=1)
    ]
    edition_attach(
        report=report,
        by=User.objects.get(email="alex.morgan@admin.example"),
        title="ADRODDIAD ENGHREIFFTIOL ar gyfer y demo: Heddlu Dyfed-Powys",
        url="https://example.org/sample-welsh-edition-for-the-demo",
        now=_at(published + datetime.timedelta(days=2)),
    )
    response = statutory.response_for(report=report, force=force, now=_at(published))
    statutory.response_record_comments(
        response=response,
        by=officer,
        text=CHIEF,
        text_cy=CHIEF_CY,
        received_on=published + datetime.timedelta(days=10),
        now=_at(today - datetime.timedelta(days=25)),
    )
    statutory.response_save_draft(
        response=response,
        by=officer,
        introduction=INTRODUCTION,
        pcc_comments=PCC_COMMENTS,
        force_responses={f.pk: r[1] for f, r in zip(findings, RECOMMENDATIONS, strict=True)},
        pcc_responses={f.pk: r[3] for f, r in zip(findings, RECOMMENDATIONS, strict=True)},
        welsh=statutory.WelshDraft(
            introduction=INTRODUCTION_CY,
            pcc_comments=PCC_COMMENTS_CY,
            force_responses={f.pk: r[2] for f, r in zip(findings, RECOMMENDATIONS, strict=True)},
            pcc_responses={f.pk: r[4] for f, r in zip(findings, RECOMMENDATIONS, strict=True)},
        ),
        now=_at(today - datetime.timedelta(days=23)),
    )
    statutory.response_approve(
        response=response, by=officer, now=_at(today - datetime.timedelta(days=21))
    )
    statutory.response_publish(
        response=response,
        by=officer,
        published_on=today - datetime.timedelta(days=20),
        url="https://example.org/sample-response-for-the-demo",
        now=_at(today - datetime.timedelta(days=20), 15),
    )
