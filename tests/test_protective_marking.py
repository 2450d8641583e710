"""Protective marking (issue 21): the effective marking of reports, items, responses and
lists of items (tracker/markings.py), setting it (tracker/marking_services.py, audited), the
pages that set and show it, and the marking chosen at publication."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProtectiveMarking
from tests.factories import make_finding, make_item, make_report
from tracker import marking_services, markings
from tracker.models import (
    AuditEvent,
    Report,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
)
from tracker.statutory.content import approval_current, fingerprint, response_content
from tracker.statutory.services import (
    response_approve,
    response_for,
    response_publish,
    response_save_draft,
)

OFFICIAL, SENSITIVE = "OFFICIAL", "OFFICIAL-SENSITIVE"


@pytest.fixture
def m(world):
    """The two markings migration 0006 installs (again if a transactional test emptied the
    table), and a third, inactive one."""
    world.official = ProtectiveMarking.objects.get_or_create(label=OFFICIAL, defaults={"rank": 10})[
        0
    ]
    world.sensitive = ProtectiveMarking.objects.get_or_create(
        label=SENSITIVE, defaults={"rank": 20}
    )[0]
    world.retired = ProtectiveMarking.objects.create(label="RESTRICTED", rank=30, active=False)
    return world


def item_url(w, name="item_marking"):
    return reverse(f"tracker:{name}", kwargs={"uuid": w.item.uuid})


def fresh_item(w) -> TrackedItem:
    return TrackedItem.objects.get(pk=w.item.pk)


def marking_audits(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_id=str(getattr(obj, "uuid", None) or obj.key))
        .filter(changes__has_key="marking")
        .order_by("id")
    )


# The rules: own, inherited, the organisation's default, the setting -----------------------


def test_nothing_marked_anywhere_is_no_marking(m):
    assert markings.item_marking(fresh_item(m)) == ""
    assert markings.report_marking(m.report) == ""


def test_an_item_takes_its_forces_default_then_its_reports_then_its_own(m):
    m.wmp.default_marking = m.official
    m.wmp.save()
    assert markings.item_marking(fresh_item(m)) == OFFICIAL
    assert markings.report_marking(Report.objects.get(pk=m.report.pk)) == OFFICIAL

    Report.objects.filter(pk=m.report.pk).update(marking=m.sensitive)
    assert markings.item_marking(fresh_item(m)) == SENSITIVE  # the report's own wins
    assert markings.report_marking(Report.objects.get(pk=m.report.pk)) == SENSITIVE

    TrackedItem.objects.filter(pk=m.item.pk).update(marking=m.official)
    assert markings.item_marking(fresh_item(m)) == OFFICIAL  # the item's own wins, even lower


def test_a_report_about_several_forces_takes_the_highest_of_their_defaults(m):
    report = make_report(forces=[m.wmp, m.staffs], title="National thematic", national=True)
    m.wmp.default_marking = m.official
    m.wmp.save()
    assert markings.report_marking(report) == OFFICIAL
    m.staffs.default_marking = m.sensitive
    m.staffs.save()
    assert markings.report_marking(report) == SENSITIVE
    # An item of it about West Midlands takes West Midlands' default, not Staffordshire's.
    item = make_item(make_finding(report, "Do better."), m.wmp)
    assert markings.item_marking(TrackedItem.objects.get(pk=item.pk)) == OFFICIAL


def test_a_response_takes_its_own_then_its_reports_then_its_forces_default(m):
    response = response_for(report=m.report, force=m.wmp)
    assert markings.response_marking(StatutoryResponse.objects.get(pk=response.pk)) == ""
    m.wmp.default_marking = m.official
    m.wmp.save()
    assert markings.response_marking(StatutoryResponse.objects.get(pk=response.pk)) == OFFICIAL
    Report.objects.filter(pk=m.report.pk).update(marking=m.sensitive)
    assert markings.response_marking(StatutoryResponse.objects.get(pk=response.pk)) == SENSITIVE
    StatutoryResponse.objects.filter(pk=response.pk).update(marking=m.official)
    assert markings.response_marking(StatutoryResponse.objects.get(pk=response.pk)) == OFFICIAL


def test_a_persons_marking_is_their_organisations_default_else_the_setting(m, settings):
    assert markings.person_marking(m.owner) == OFFICIAL  # PROTECTIVE_MARKING_DEFAULT
    assert markings.person_marking(m.reader) == OFFICIAL  # no organisation at all
    settings.PROTECTIVE_MARKING_DEFAULT = SENSITIVE
    assert markings.person_marking(m.owner) == SENSITIVE
    settings.PROTECTIVE_MARKING_DEFAULT = ""
    assert markings.person_marking(m.owner) == ""
    m.wmp.default_marking = m.official
    m.wmp.save()
    assert markings.person_marking(m.owner) == OFFICIAL


def test_an_inactive_marking_stays_in_force_where_it_was_set(m):
    TrackedItem.objects.filter(pk=m.item.pk).update(marking=m.retired)
    assert markings.item_marking(fresh_item(m)) == "RESTRICTED"


def test_marking_line_is_the_label_in_capitals_or_nothing():
    assert markings.marking_line("official-sensitive ") == SENSITIVE
    assert markings.marking_line("") == ""


def test_an_items_marking_costs_one_query_or_none_when_loaded(m):
    Report.objects.filter(pk=m.report.pk).update(marking=m.sensitive)
    item = fresh_item(m)
    with CaptureQueriesContext(connection) as queries:
        assert markings.item_marking(item) == SENSITIVE
    assert len(queries) == 1
    loaded = TrackedItem.objects.select_related(
        "marking", "finding__report__marking", "force__default_marking"
    ).get(pk=m.item.pk)
    with CaptureQueriesContext(connection) as queries:
        assert markings.item_marking(loaded) == SENSITIVE
    assert len(queries) == 0


# A list of items: the highest, at least the person's ---------------------------------------


def test_items_marking_is_the_highest_over_a_mixed_list_in_a_few_queries(m, settings):
    settings.PROTECTIVE_MARKING_DEFAULT = ""
    other_report = make_report(forces=[m.wmp], title="Another report")
    plain = [make_item(make_finding(other_report, f"Rec {n}"), m.wmp) for n in range(3)]
    items = TrackedItem.objects.filter(force=m.wmp)
    assert markings.items_marking(items, m.owner) == ""  # nothing marked, no floor

    m.wmp.default_marking = m.official
    m.wmp.save()
    assert markings.items_marking(items, m.owner) == OFFICIAL  # the force's default

    Report.objects.filter(pk=m.report.pk).update(marking=m.sensitive)
    with CaptureQueriesContext(connection) as few:
        assert markings.items_marking(items, m.owner) == SENSITIVE  # inherited from a report
    assert len(few) <= 3

    # Own markings below the report's do not lower the list; one above it raises it.
    TrackedItem.objects.filter(pk=plain[0].pk).update(marking=m.official)
    for n in range(20):
        make_item(make_finding(other_report, f"More {n}"), m.wmp)
    TrackedItem.objects.filter(pk=plain[1].pk).update(marking=m.retired)
    with CaptureQueriesContext(connection) as many:
        assert markings.items_marking(items, m.owner) == "RESTRICTED"
    assert len(many) == len(few)

    # Only the items asked about count.
    only_plain = TrackedItem.objects.filter(pk__in=[plain[0].pk, plain[2].pk])
    assert markings.items_marking(only_plain, m.owner) == OFFICIAL


def test_items_marking_is_at_least_the_persons(m, settings):
    items = TrackedItem.objects.filter(pk=m.item.pk)
    assert markings.items_marking(items, m.owner) == OFFICIAL  # the setting
    assert markings.items_marking(TrackedItem.objects.none(), m.owner) == OFFICIAL
    settings.PROTECTIVE_MARKING_DEFAULT = SENSITIVE
    TrackedItem.objects.filter(pk=m.item.pk).update(marking=m.official)
    assert markings.items_marking(items, m.owner) == SENSITIVE


def test_responses_marking_is_the_highest_of_the_responses(m, settings):
    settings.PROTECTIVE_MARKING_DEFAULT = ""
    response_for(report=m.report, force=m.wmp)
    responses = StatutoryResponse.objects.all()
    assert markings.responses_marking(responses, m.pcc) == ""
    Report.objects.filter(pk=m.report.pk).update(marking=m.official)
    assert markings.responses_marking(responses, m.pcc) == OFFICIAL


# Setting it: checked, audited ----------------------------------------------------------


def test_setting_and_changing_an_items_marking_is_audited(m):
    marking_services.item_marking_set(item=fresh_item(m), marking=m.sensitive, by=m.coordinator)
    marking_services.item_marking_set(item=fresh_item(m), marking=m.official, by=m.pcc)
    marking_services.item_marking_set(item=fresh_item(m), marking=None, by=m.coordinator)
    events = marking_audits(m.item)
    assert [(e.actor, e.changes["marking"]) for e in events] == [
        (m.coordinator, [None, SENSITIVE]),
        (m.pcc, [SENSITIVE, OFFICIAL]),
        (m.coordinator, [OFFICIAL, None]),
    ]
    assert fresh_item(m).marking_id is None


def test_a_report_and_a_response_marking_are_audited(m):
    marking_services.report_marking_set(report=m.report, marking=m.official, by=m.coordinator)
    response = response_for(report=m.report, force=m.wmp)
    marking_services.response_marking_set(response=response, marking=m.sensitive, by=m.pcc)
    assert [e.changes["marking"] for e in marking_audits(m.report)] == [[None, OFFICIAL]]
    assert [(e.actor, e.changes["marking"]) for e in marking_audits(response)] == [
        (m.pcc, [None, SENSITIVE])
    ]


def test_who_may_not_set_a_marking_is_refused_and_nothing_changes(m):
    for person in (m.owner, m.colleague, m.reader, m.outsider):
        with pytest.raises(ValidationError):
            marking_services.item_marking_set(item=fresh_item(m), marking=m.official, by=person)
    national = make_report(forces=[m.wmp, m.staffs], title="Thematic", national=True)
    with pytest.raises(ValidationError, match="every force"):
        marking_services.report_marking_set(report=national, marking=m.official, by=m.coordinator)
    assert fresh_item(m).marking_id is None
    assert not marking_audits(m.item)


def test_an_inactive_or_unchanged_marking_is_refused(m):
    with pytest.raises(ValidationError, match="no longer in use"):
        marking_services.item_marking_set(item=fresh_item(m), marking=m.retired, by=m.coordinator)
    marking_services.item_marking_set(item=fresh_item(m), marking=m.official, by=m.coordinator)
    with pytest.raises(ValidationError, match="already"):
        marking_services.item_marking_set(item=fresh_item(m), marking=m.official, by=m.coordinator)
    assert len(marking_audits(m.item)) == 1


# The pages --------------------------------------------------------------------------------


def test_the_coordinator_changes_an_items_marking_on_its_page(m, client):
    client.force_login(m.coordinator)
    page = client.get(item_url(m))
    assert page.status_code == 200
    assert "Protective marking of this item" in page.content.decode()
    answer = client.post(item_url(m), {"marking": SENSITIVE})
    assert answer.status_code == 302
    assert answer["Location"] == item_url(m, "item_detail")
    assert fresh_item(m).marking == m.sensitive
    assert marking_audits(m.item)[0].actor == m.coordinator
    # Back to inheriting.
    assert client.post(item_url(m), {"marking": ""}).status_code == 302
    assert fresh_item(m).marking is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("TOP SECRET", "Choose a marking from the list."),
        ("RESTRICTED", "“RESTRICTED” is no longer in use: choose another marking."),
    ],
)
def test_a_marking_not_offered_is_refused_with_a_clear_message(m, client, value, message):
    client.force_login(m.coordinator)
    answer = client.post(item_url(m), {"marking": value})
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert "There is a problem" in answer.content.decode()
    assert fresh_item(m).marking_id is None
    assert not marking_audits(m.item)


def test_the_form_offers_only_markings_in_use(m, client):
    client.force_login(m.coordinator)
    page = client.get(item_url(m)).content.decode()
    assert f'value="{SENSITIVE}"' in page
    assert 'value="RESTRICTED"' not in page


def test_another_force_gets_404_and_force_staff_403(m, client):
    client.force_login(m.outsider)
    assert client.get(item_url(m)).status_code == 404
    assert client.post(item_url(m), {"marking": SENSITIVE}).status_code == 404
    client.force_login(m.colleague)
    assert client.get(item_url(m)).status_code == 403
    assert client.post(item_url(m), {"marking": SENSITIVE}).status_code == 403
    client.force_login(m.reader)
    assert client.post(item_url(m), {"marking": SENSITIVE}).status_code == 403
    assert fresh_item(m).marking_id is None
    report_url = reverse("tracker:report_marking", kwargs={"key": m.report.key})
    client.force_login(m.outsider)
    assert client.post(report_url, {"marking": SENSITIVE}).status_code == 404


def test_the_item_page_shows_the_marking_to_everyone_who_sees_it(m, client):
    marking_services.item_marking_set(item=fresh_item(m), marking=m.sensitive, by=m.coordinator)
    client.force_login(m.colleague)
    page = client.get(item_url(m, "item_detail")).content.decode()
    assert f'app-marking__tag">{SENSITIVE}</strong>' in page
    assert item_url(m) not in page  # force staff see it but cannot change it
    client.force_login(m.coordinator)
    page = client.get(item_url(m, "item_detail")).content.decode()
    assert item_url(m) in page


def test_an_unmarked_item_shows_nothing_to_those_who_cannot_mark_it(m, client):
    client.force_login(m.owner)
    page = client.get(item_url(m, "item_detail")).content.decode()
    assert "app-marking" not in page
    client.force_login(m.coordinator)
    page = client.get(item_url(m, "item_detail")).content.decode()
    assert "Set a protective marking" in page


def test_the_report_and_response_pages_show_their_marking(m, client):
    client.force_login(m.coordinator)
    report_url = reverse("tracker:report_marking", kwargs={"key": m.report.key})
    assert client.post(report_url, {"marking": OFFICIAL}).status_code == 302
    page = client.get(reverse("tracker:report_detail", kwargs={"key": m.report.key}))
    assert f'app-marking__tag">{OFFICIAL}</strong>' in page.content.decode()
    assert report_url in page.content.decode()

    response_for(report=m.report, force=m.wmp)
    client.force_login(m.pcc)
    response_url = reverse("tracker:response_marking", args=[m.report.key, m.wmp.code])
    assert client.post(response_url, {"marking": SENSITIVE}).status_code == 302
    page = client.get(reverse("tracker:response_detail", args=[m.report.key, m.wmp.code]))
    assert f'app-marking__tag">{SENSITIVE}</strong>' in page.content.decode()


def test_the_marking_page_uses_a_fixed_number_of_queries(m, client, django_assert_max_num_queries):
    client.force_login(m.coordinator)
    with django_assert_max_num_queries(16) as few:
        assert client.get(item_url(m)).status_code == 200
    for n in range(5):
        ProtectiveMarking.objects.create(label=f"EXTRA {n}", rank=100 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(item_url(m)).status_code == 200


def test_user_text_on_the_marking_page_is_escaped(m, client):
    ProtectiveMarking.objects.create(label="<b>X</b>", rank=99, description="<i>y</i>")
    client.force_login(m.coordinator)
    page = client.get(item_url(m)).content.decode()
    assert "<b>X</b>" not in page
    assert "&lt;b&gt;X&lt;/b&gt;" in page


# Publication ------------------------------------------------------------------------------


def _ready(w) -> StatutoryResponse:
    response = response_for(report=w.report, force=w.wmp)
    response_save_draft(
        response=response,
        by=w.pcc,
        pcc_comments="The PCC welcomes the report.",
        pcc_responses={w.finding.pk: "We will check the backlog weekly."},
        force_responses={w.finding.pk: "The force reviewed every open incident."},
    )
    response_approve(response=StatutoryResponse.objects.get(pk=response.pk), by=w.pcc)
    return StatutoryResponse.objects.get(pk=response.pk)


def test_the_draft_content_carries_the_drafts_marking_outside_the_fingerprint(m):
    response = _ready(m)
    assert response_content(response)["marking"] == ""
    before = fingerprint(response_content(response))
    marking_services.response_marking_set(response=response, marking=m.sensitive, by=m.pcc)
    response = StatutoryResponse.objects.get(pk=response.pk)
    assert response_content(response)["marking"] == SENSITIVE
    # Marking a draft is not a change to its words: the approval stands.
    assert fingerprint(response_content(response)) == before
    assert approval_current(response)


def test_a_published_version_keeps_the_marking_chosen_at_publication(m):
    response = _ready(m)
    marking_services.response_marking_set(response=response, marking=m.sensitive, by=m.pcc)
    version = response_publish(
        response=StatutoryResponse.objects.get(pk=response.pk),
        by=m.pcc,
        published_on=datetime.date(2018, 5, 17),
        marking=m.official,
    )
    version = ResponseVersion.objects.get(pk=version.pk)
    assert version.marking_label == OFFICIAL
    assert version.content["marking"] == OFFICIAL
    event = AuditEvent.objects.filter(object_id=str(response.uuid)).latest("id")
    assert event.changes["published_marking"] == [None, OFFICIAL]
    assert event.actor == m.pcc


def test_a_published_version_has_no_marking_unless_one_is_chosen(m):
    m.wmp.default_marking = m.sensitive
    m.wmp.save()
    version = response_publish(
        response=_ready(m), by=m.pcc, published_on=datetime.date(2018, 5, 17)
    )
    assert version.marking_label == ""
    assert version.content["marking"] == ""


def test_publishing_with_a_marking_no_longer_in_use_is_refused(m):
    response = _ready(m)
    with pytest.raises(ValidationError, match="no longer in use"):
        response_publish(
            response=response, by=m.pcc, published_on=datetime.date(2018, 5, 17), marking=m.retired
        )
    assert not ResponseVersion.objects.filter(response=response).exists()


def test_the_publish_form_offers_the_list_and_the_bodys_choice(m, client):
    _ready(m)
    client.force_login(m.pcc)
    publish_url = reverse("tracker:response_publish", args=[m.report.key, m.wmp.code])
    page = client.get(publish_url).content.decode()
    assert "Protective marking of the published document" in page
    assert 'value="" checked' in page  # none, for a published document
    m.wm_pcc.default_marking = m.official
    m.wm_pcc.save()
    page = client.get(publish_url).content.decode()
    assert f'value="{OFFICIAL}" checked' in page

    refused = client.post(publish_url, {"published_on": "17/05/2018", "marking": "RESTRICTED"})
    assert refused.status_code == 400
    assert "no longer in use" in refused.content.decode()
    assert not ResponseVersion.objects.exists()
    ok = client.post(publish_url, {"published_on": "17/05/2018", "marking": OFFICIAL})
    assert ok.status_code == 302
    assert ResponseVersion.objects.get().marking_label == OFFICIAL


def test_publication_date_today_is_accepted_with_no_marking(m, client):
    _ready(m)
    client.force_login(m.pcc)
    publish_url = reverse("tracker:response_publish", args=[m.report.key, m.wmp.code])
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert client.post(publish_url, {"published_on": today, "marking": ""}).status_code == 302
    assert ResponseVersion.objects.get().marking_label == ""


# The admin: the list of markings and each organisation's default ---------------------------


def _admin_post_data(page) -> dict:
    """What the admin's change form would send back unchanged."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def test_the_administrator_keeps_the_list_and_each_organisations_default(m, admin_client):
    assert (
        admin_client.get(reverse("admin:accounts_protectivemarking_changelist")).status_code == 200
    )
    added = admin_client.post(
        reverse("admin:accounts_protectivemarking_add"),
        {"label": "OFFICIAL-SENSITIVE PERSONAL", "description": "", "rank": "25", "active": "on"},
    )
    assert added.status_code == 302
    assert ProtectiveMarking.objects.filter(label="OFFICIAL-SENSITIVE PERSONAL").exists()

    change_url = reverse("admin:accounts_organisation_change", args=[m.wmp.pk])
    data = _admin_post_data(admin_client.get(change_url))
    data["default_marking"] = m.sensitive.pk
    assert admin_client.post(change_url, data).status_code == 302
    m.wmp.refresh_from_db()
    assert m.wmp.default_marking == m.sensitive
    event = AuditEvent.objects.filter(object_id=m.wmp.code).latest("id")
    assert event.changes["default_marking"] == [None, SENSITIVE]  # named by label, not id
    assert markings.item_marking(fresh_item(m)) == SENSITIVE


def test_a_marking_in_use_cannot_be_deleted_only_made_inactive(m, admin_client):
    TrackedItem.objects.filter(pk=m.item.pk).update(marking=m.official)
    delete_url = reverse("admin:accounts_protectivemarking_delete", args=[m.official.pk])
    admin_client.post(delete_url, {"post": "yes"})
    assert ProtectiveMarking.objects.filter(pk=m.official.pk).exists()
