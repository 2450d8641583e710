"""The Deadline rules page (/rules/, issue 22): every rule with its law, how it counts, when it
applies, its reminders, a worked example for today, and its history of administrators' edits;
every deadline in the app links to its rule."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import make_finding, make_item, make_report
from tracker import deadlines
from tracker.models import DeadlineRule, ReportType

URL = "/rules/"


def test_the_rules_page_is_at_rules_and_needs_sign_in(client, db):
    assert reverse("tracker:rules") == URL
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_every_rule_is_shown_with_its_law_linked_and_quoted(client, world):
    client.force_login(world.owner)  # force staff: everyone signed in sees the rules
    page = client.get(URL).content.decode()
    for rule in DeadlineRule.objects.all():
        assert f'id="{rule.key}"' in page, rule.key
        assert escape(rule.name) in page, rule.key
        if rule.legal_basis_url:
            assert f'href="{rule.legal_basis_url}"' in page, rule.key
    assert "https://www.legislation.gov.uk/ukpga/2002/30/schedule/3/paragraph/28B" in page
    assert escape("before the end of the period of 56 days beginning with the day") in page
    assert "Not yet checked against the published text" in page  # reg 29, unconfirmed
    assert "Deadline rules" in page
    assert f'href="{URL}"' in page  # in the navigation


def test_the_worked_examples_are_computed_for_today(client, world):
    client.force_login(world.coordinator)
    today = timezone.localdate()
    page = client.get(URL).content.decode()
    day = deadlines.format_day(today)
    s55 = deadlines.format_day(today + datetime.timedelta(days=55))
    pfd = deadlines.format_day(today + datetime.timedelta(days=56))
    publish = deadlines.format_day(today + datetime.timedelta(days=20))
    assert f"A report published today, {day}, would be due on {s55}." in page
    assert f"A recommendation made today, {day}, would be due on {s55}." in page
    assert f"A report published today, {day}, would be due on {pfd}." in page  # reg 29(4)
    assert f"A response provided today would have to be published by {publish}." in page
    assert escape("The day the report is published is day 1") in page
    assert escape("Applies to reports published on or after 2 May 2017.") in page
    assert "An application for an extension would have to reach the Director General" in page


def test_an_administrators_change_is_shown_as_the_rules_history(
    admin_client, world, django_capture_on_commit_callbacks
):
    rule = DeadlineRule.objects.get(key="progress-update")
    data = {k: ("" if v is None else v) for k, v in model_to_dict(rule).items()}
    data["length"] = "45"
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(
            reverse("admin:tracker_deadlinerule_change", args=[rule.pk]), data
        )
    assert saved.status_code == 302
    page = admin_client.get(URL).content.decode()
    section = page[page.index('id="progress-update"') :]
    section = section[: section.index("</section>")]
    assert "Alex Admin" in section
    assert escape("Length: “30” to “45”") in section
    assert escape("45 days after the day of the item's last update") in section
    # The other rules were not changed.
    other = page[page.index('id="action-due-date"') :]
    assert "Not changed since the tracker was installed." in other[: other.index("</section>")]


def test_rule_text_an_administrator_typed_is_escaped(admin_client, world):
    DeadlineRule.objects.filter(key="local-target").update(
        description="<script>alert(1)</script>", legal_text="<b>bold</b>"
    )
    page = admin_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.parametrize("edits", [0, 12])
def test_the_rules_page_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, edits
):
    from tracker.audit import audit_record
    from tracker.models import AuditEvent

    for n in range(edits):
        rule = DeadlineRule.objects.order_by("pk")[n % DeadlineRule.objects.count()]
        audit_record(
            actor=world.coordinator,
            action=AuditEvent.Action.UPDATE,
            obj=rule,
            at=timezone.now(),
            changes={"length": (n, n + 1)},
        )
    client.force_login(world.coordinator)
    client.get(URL)  # the session and the navigation's first reads
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200


def test_each_deadline_links_to_its_rule(client, world):
    report = make_report(forces=[world.wmp], published_on=timezone.localdate())
    report.report_type = ReportType.IOPC_RECOMMENDATIONS
    report.save()
    item = make_item(make_finding(report), world.wmp, owner=world.owner, by=world.coordinator)
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:item_detail", args=[item.uuid])).content.decode()
    assert f'href="{URL}#iopc-recommendation"' in page
    assert f'href="{URL}#progress-update"' in page
