"""Data for the fleet run, added through the app's own services after the demo is loaded:

- a report with `--overdue` items owned by Tom Ellis and due a month ago, so each has a
  missed-deadline reminder planned for him and for the force coordinator (Grace Okafor);
- `--writable` items owned by Priya Shah with no due date, for the load to write progress
  updates to (no deadline, so the writes never change which reminders are due).

Prints JSON: the writable items' UUIDs.

    DJANGO_SETTINGS_MODULE=config.settings python -m tests.fleet.seed --overdue 30 --writable 6
"""

import argparse
import datetime
import json


def main() -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organisation, User
    from tracker import services
    from tracker.models import Finding, FindingKind, GradingScale, Report, ReportType

    parser = argparse.ArgumentParser()
    parser.add_argument("--overdue", type=int, default=30)
    parser.add_argument("--writable", type=int, default=6)
    args = parser.parse_args()

    today = timezone.localdate()
    wmp = Organisation.objects.get(code="west-midlands-police")
    grace = User.objects.get(email="grace.okafor@wmp.example")
    tom = User.objects.get(email="tom.ellis@wmp.example")
    priya = User.objects.get(email="priya.shah@wmp.example")
    with transaction.atomic():
        report = Report.objects.create(
            key="fleet-test-report",
            inspectorate=Organisation.objects.get(code="hmicfrs"),
            inspectorate_label="HMICFRS",
            title="Fleet test report",
            report_type=ReportType.OTHER,
            published_on=today - datetime.timedelta(days=200),
            grading_scale=GradingScale.NONE,
        )
        report.forces.set([wmp])
        writable = []
        for n in range(args.overdue + args.writable):
            finding = Finding.objects.create(
                key=f"fleet-test-report:rec-{n + 1}",
                report=report,
                kind=FindingKind.RECOMMENDATION,
                reference=f"Recommendation {n + 1}",
                area="Fleet",
                text=f"Fleet test recommendation {n + 1}.",
                order=n + 1,
            )
            overdue = n < args.overdue
            item = services.item_create(
                finding=finding,
                force=wmp,
                created_by=grace,
                owner=tom if overdue else priya,
                lead=grace,
                due_date=today - datetime.timedelta(days=30) if overdue else None,
            )
            if not overdue:
                writable.append(str(item.uuid))
    print(json.dumps({"writable": writable}))


if __name__ == "__main__":
    main()
