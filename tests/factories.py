"""Small builders for tests, and a World with the personas most tests need.

Personas (as in the healthchecks test base): the owner of an item, a colleague in the same
force, the force coordinator, the PCC office, someone from another force, a national reader.
"""

import datetime
import itertools

from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm, Role, RoleAssignment, User
from tracker import services
from tracker.models import Finding, FindingKind, GradingScale, Report, ReportType

PASSWORD = "correct horse battery staple"
_n = itertools.count(1)


def make_org(name, kind=Organisation.Kind.FORCE, code=None):
    code = code or name.lower().replace(" ", "-")
    return Organisation.objects.create(code=code, name=name, short_name=name, kind=kind)


def make_force_with_body(name):
    force = make_org(f"{name} Police")
    body = make_org(
        f"{name} Police and Crime Commissioner", kind=Organisation.Kind.LOCAL_POLICING_BODY
    )
    PolicingBodyTerm.objects.create(force=force, body=body, starts_on=datetime.date(2012, 11, 22))
    return force, body


def make_user(name, org, *roles):
    email = f"{name.lower().replace(' ', '.')}@example.org"
    user = User.objects.create_user(email, PASSWORD, full_name=name, organisation=org)
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    return user


def make_report(
    *,
    forces,
    title="PEEL: police effectiveness 2017",
    national=False,
    published_on=datetime.date(2018, 3, 22),
    inspectorate=None,
):
    inspectorate = (
        inspectorate
        or Organisation.objects.get_or_create(
            code="hmicfrs",
            defaults={
                "name": "HMICFRS",
                "short_name": "HMICFRS",
                "kind": Organisation.Kind.INSPECTORATE,
            },
        )[0]
    )
    report = Report.objects.create(
        key=f"report-{next(_n)}",
        inspectorate=inspectorate,
        inspectorate_label="HMICFRS",
        title=title,
        report_type=ReportType.PEEL_EFFECTIVENESS,
        published_on=published_on,
        national=national,
        grading_scale=GradingScale.PEEL_2014,
    )
    report.forces.set(forces)
    return report


def make_finding(
    report,
    text="The force should immediately take steps to review its backlog.",
    kind=FindingKind.RECOMMENDATION,
    **extra,
):
    return Finding.objects.create(
        key=f"{report.key}:f-{next(_n)}",
        report=report,
        kind=kind,
        text=text,
        area=extra.pop("area", "Vulnerability"),
        **extra,
    )


def make_item(finding, force, owner=None, due=None, by=None):
    return services.item_create(
        finding=finding, force=force, owner=owner, lead=None, due_date=due, created_by=by
    )


class World:
    """West Midlands (with its PCC office) and Staffordshire, one report, one item."""

    @staticmethod
    def admin():
        user = make_user("Alex Morgan", None, Role.ADMINISTRATOR)
        user.is_staff = user.is_superuser = True
        user.save()
        return user

    @classmethod
    def build(cls):
        w = cls()
        w.wmp, w.wm_pcc = make_force_with_body("West Midlands")
        w.staffs, w.staffs_pcc = make_force_with_body("Staffordshire")
        w.owner = make_user("Priya Shah", w.wmp, Role.FORCE_STAFF)
        w.colleague = make_user("Tom Ellis", w.wmp, Role.FORCE_STAFF)
        w.coordinator = make_user("Grace Okafor", w.wmp, Role.FORCE_COORDINATOR)
        w.pcc = make_user("Daniel Hughes", w.wm_pcc, Role.PCC_OFFICE)
        w.outsider = make_user("Megan Price", w.staffs, Role.FORCE_STAFF, Role.FORCE_COORDINATOR)
        w.reader = make_user("Sam Patel", None, Role.NATIONAL_READER)
        w.report = make_report(forces=[w.wmp])
        w.finding = make_finding(w.report)
        w.item = make_item(
            w.finding,
            w.wmp,
            owner=w.owner,
            due=timezone.localdate() + datetime.timedelta(days=30),
            by=w.coordinator,
        )
        return w
