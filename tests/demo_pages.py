"""The demo as the page-wide tests see it (the permission matrix, the escaping checks): the
demo's personas, every named URL of the URL conf, and an address for each built from the
demo's objects. The fixtures that build it once per module are in tests/conftest.py."""

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from tracker.demo import create_demo, load_reference_data, seed_report_keys
from tracker.demo_national import NATIONAL_FINDING
from tracker.models import (
    Deadline,
    Evidence,
    Finding,
    FindingLink,
    FunctionTransfer,
    Notification,
    SavedView,
    StatutoryResponse,
    TrackedItem,
)
from tracker.reminders.unsubscribe import EACH, unsubscribe_path
from tracker.statutory.services import versions_record_published

PERSONAS = {
    "anonymous": None,
    "staff": "priya.shah@wmp.example",
    "colleague": "tom.ellis@wmp.example",
    "coordinator": "grace.okafor@wmp.example",
    "pcc": "daniel.hughes@pcc.example",
    "other_force": "megan.price@staffs.example",
    "national": "sam.patel@hmicfrs.example",
    "admin": "alex.morgan@admin.example",
}
ORDER = list(PERSONAS)


def url_names() -> set[str]:
    """Every named URL outside the admin site (checked separately), from the URL conf."""
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                # The admin, and the REST API (its own matrix: tests/test_api_permission_matrix.py)
                if p.namespace in ("admin", "api"):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                if p.name:
                    names.add(f"{namespace}:{p.name}" if namespace else p.name)
                else:
                    names.add(p.callback.__name__)

    walk(get_resolver().url_patterns, None)
    return names


def integration_urls(tom) -> dict[str, str]:
    """Addresses of the demo's estate integrations (issue 15)."""
    from accounts.models import IdentityProvider
    from tracker.models import CalendarFeed, WebhookEndpoint

    provider = IdentityProvider.objects.get(organisation__code="west-midlands-police")
    endpoint = WebhookEndpoint.objects.get(organisation__code="west-midlands-police")
    feed = CalendarFeed.objects.get(user__email="priya.shah@wmp.example")
    return {
        "oidc:start": reverse("oidc:start", kwargs={"pk": provider.pk}),
        "oidc:provider_edit": reverse("oidc:provider_edit", kwargs={"pk": provider.pk}),
        "scim:user": reverse("scim:user", args=[tom.pk]),
        "scim:group": reverse("scim:group", args=["force_staff"]),
        "scim:resource_type": reverse("scim:resource_type", args=["User"]),
        "scim:schema": reverse("scim:schema", args=["urn:ietf:params:scim:schemas:core:2.0:User"]),
        "scim:not_found": reverse("scim:not_found", args=["Widgets"]),
        **{
            f"integrations:{name}": reverse(f"integrations:{name}", kwargs={"uuid": endpoint.uuid})
            for name in ("webhook_detail", "webhook_edit", "webhook_enable", "webhook_delete")
        },
        "integrations:calendar_feed": reverse(
            "integrations:calendar_feed", kwargs={"token": feed.token}
        ),
        # Someone's API token (a made-up id): only its owner may revoke it, so 404 for all.
        "accounts:api_token_revoke": reverse("accounts:api_token_revoke", kwargs={"pk": 999999}),
    }


def build_demo_world():
    load_reference_data()
    versions_record_published(report_keys=seed_report_keys())
    create_demo(password="x" * 16, today=timezone.localdate())
    priya = User.objects.get(email=PERSONAS["staff"])
    grace = User.objects.get(email=PERSONAS["coordinator"])
    evidence = Evidence.objects.filter(
        item__owner=priya, item__status="proposed_for_closure"
    ).first()
    item = evidence.item
    deadline = Deadline.objects.filter(item=item, state="open").first()
    response = StatutoryResponse.objects.filter(versions__isnull=False).first()
    notification = Notification.objects.create(
        user=grace, created_at=timezone.now(), subject="A notice", body="For Grace only.", url="/"
    )
    # The people pages are about Tom Ellis; reactivating, about someone who has left.
    tom = User.objects.get(email=PERSONAS["colleague"])
    former = User.objects.create_user(
        "former@wmp.example", None, full_name="A Former Officer", organisation=item.force
    )
    former.is_active = False
    former.save()
    people = {
        f"accounts:{name}": reverse(f"accounts:{name}", kwargs={"pk": tom.pk})
        for name in ("person_detail", "person_edit", "person_deactivate")
        + ("person_send_password_link",)
    }
    people["accounts:person_reactivate"] = reverse(
        "accounts:person_reactivate", kwargs={"pk": former.pk}
    )
    # A saved view of Priya's, shared with her force.
    view = SavedView.objects.create(
        owner=priya,
        organisation=priya.organisation,
        name="Shared by Priya",
        list_name="item_list",
        query="status=in_progress",
        shared=True,
        created_at=timezone.now(),
    )
    report = item.finding.report
    # A link of the item's finding (issue 18): the demo's suggestion, or one made here (the
    # demo's suggestions follow the similarity thresholds, which may leave this item none).
    link = FindingLink.objects.filter(later=item.finding, force=item.force).first()
    if link is None:
        link = FindingLink.objects.create(
            later=item.finding,
            earlier=Finding.objects.get(key="core-business-2014:f-16"),
            force=item.force,
            score=0.3,
            reason="Shared words: partnership (similarity 0.30)",
        )
    assert item.force.code == "west-midlands-police"
    assert deadline
    assert response
    assert notification
    kwargs = {
        "uuid": item.uuid,
        "evidence_uuid": evidence.uuid,
        "key": report.key,
        "force_code": item.force.code,
        "fmt": "csv",
    }
    public = {"body_code": response.body.code, "uuid": response.uuid, "number": 1}
    return {
        "item": item,
        "urls": {
            **{name: None for name in url_names()},
            "tracker:deadline_change": reverse(
                "tracker:deadline_change", kwargs={"uuid": deadline.uuid}
            ),
            "tracker:notification_open": reverse(
                "tracker:notification_open", kwargs={"pk": notification.pk}
            ),
            "tracker:board_pack_pdf": reverse("tracker:board_pack_pdf"),
            "tracker:public_document": reverse(
                "tracker:public_document", kwargs={**public, "fmt": "docx"}
            ),
            "tracker:public_body": reverse(
                "tracker:public_body", kwargs={"body_code": response.body.code}
            ),
            "tracker:public_response": reverse(
                "tracker:public_response",
                kwargs={"body_code": response.body.code, "uuid": response.uuid},
            ),
            "tracker:public_response_version": reverse(
                "tracker:public_response_version", kwargs=public
            ),
            "accounts:password_reset_confirm": reverse(
                "accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"}
            ),
            "admin_sign_in": "/admin/login/",
            # The one-click unsubscribe link of a reminder emailed to the demo's force staff.
            "accounts:unsubscribe": unsubscribe_path(item.owner_id, EACH),
            # Someone else's report import (a made-up one): importers get 404, others 403.
            "tracker:report_import_detail": reverse(
                "tracker:report_import_detail",
                kwargs={"uuid": "00000000-0000-4000-8000-000000000001"},
            ),
            "tracker:report_import_status": reverse(
                "tracker:report_import_status",
                kwargs={"uuid": "00000000-0000-4000-8000-000000000001"},
            ),
            # Someone's upload: only the session that made it may open it.
            "tracker:item_import_preview": reverse(
                "tracker:item_import_preview", kwargs={"token": "A" * 43}
            ),
            # The demo's planned West Midlands transfer of functions (issue 22).
            **{
                f"tracker:function_transfer_{name}": reverse(
                    f"tracker:function_transfer_{name}",
                    kwargs={"uuid": FunctionTransfer.objects.get().uuid},
                )
                for name in ("detail", "carry_out", "cancel")
            },
            "tracker:saved_view_open": reverse("tracker:saved_view_open", kwargs={"pk": view.pk}),
            "tracker:saved_view_delete": reverse(
                "tracker:saved_view_delete", kwargs={"pk": view.pk}
            ),
            "tracker:item_lineage_decide": reverse(
                "tracker:item_lineage_decide", kwargs={"uuid": item.uuid, "link_id": link.pk}
            ),
            "tracker:national_detail": reverse(
                "tracker:national_detail", kwargs={"finding_key": NATIONAL_FINDING}
            ),
            "tracker:national_export": reverse(
                "tracker:national_export", kwargs={"finding_key": NATIONAL_FINDING, "fmt": "csv"}
            ),
            # Issue 18: West Midlands' closed, shared crime prevention training item.
            **{
                name: reverse(
                    name,
                    kwargs={
                        "uuid": TrackedItem.objects.get(
                            finding__key="core-business-2014:f-4",
                            force__code="west-midlands-police",
                        ).uuid
                    },
                )
                for name in ("tracker:item_share", "tracker:item_share_withdraw")
            },
            # Issue 18: the West Midlands PCC's published progress on the 2017 PEEL report
            # (tracker/demo_public_progress.py publishes versions 1 and 2).
            "tracker:progress_publish": reverse(
                "tracker:progress_publish",
                kwargs={
                    "key": "peel-effectiveness-2017-west-midlands",
                    "force_code": "west-midlands-police",
                },
            ),
            "tracker:public_progress": reverse(
                "tracker:public_progress",
                kwargs={
                    "body_code": "west-midlands-pcc",
                    "report_key": "peel-effectiveness-2017-west-midlands",
                },
            ),
            "tracker:public_progress_version": reverse(
                "tracker:public_progress_version",
                kwargs={
                    "body_code": "west-midlands-pcc",
                    "report_key": "peel-effectiveness-2017-west-midlands",
                    "number": 1,
                },
            ),
            **people,
            **integration_urls(tom),
            # The response pages are about the published 2018 response.
            **{
                name: reverse(
                    name, kwargs={"key": response.report.key, "force_code": response.force.code}
                )
                for name in url_names()
                if name.startswith("tracker:response_")
                and name not in ("tracker:response_list", "tracker:response_export")
                and name != "tracker:response_document"
            },
            "tracker:response_document": reverse(
                "tracker:response_document",
                kwargs={
                    "key": response.report.key,
                    "force_code": response.force.code,
                    "fmt": "docx",
                },
            ),
        },
        "kwargs": kwargs,
    }


def url_for(name: str, world) -> str:
    if world["urls"].get(name):
        return world["urls"][name]

    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    for keys in (
        ["uuid", "evidence_uuid"],
        ["uuid"],
        ["key", "force_code", "fmt"],
        ["key", "force_code"],
        ["key"],
        ["fmt"],
    ):
        try:
            return reverse(name, kwargs={k: world["kwargs"][k] for k in keys})
        except NoReverseMatch:
            continue
    raise AssertionError(f"the matrix test cannot build an address for {name}")
