from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tracker import policy
from tracker.models import TrackedItem
from tracker.selectors import unread_count

# Where my_items_shown remembers, on request.user, whether the person owns an item.
OWNS_ITEMS = "_navigation_owns_items"


def my_items_shown(user: User) -> bool:
    """Whether the navigation offers "My items" (policy.shows_my_items). Force staff need no
    query; anyone else one EXISTS, remembered on the request's user for the rest of the
    request."""
    if policy.shows_my_items(user, owns_items=False):
        return True
    owns = getattr(user, OWNS_ITEMS, None)
    if owns is None:
        owns = TrackedItem.objects.owned_by(user).exists()
        setattr(user, OWNS_ITEMS, owns)
    return policy.shows_my_items(user, owns_items=owns)


# Label, URL name, the pages under it, and who sees it (a tracker.policy predicate, or
# my_items_shown; None: everyone signed in).
NAVIGATION = [
    (_("Dashboard"), "tracker:dashboard", {"dashboard"}, None),
    # Never shown always empty: force staff, and anyone who owns an item.
    (_("My items"), "tracker:my_items", {"my_items"}, my_items_shown),
    (
        _("All items"),
        "tracker:item_list",
        {"item_list", "item_import", "item_import_preview", "item_import_done"},
        None,
    ),
    (
        _("Reports"),
        "tracker:report_list",
        {"report_list", "report_detail", "report_import", "report_import_detail"},
        None,
    ),
    (_("Overdue"), "tracker:overdue", {"overdue"}, policy.oversees_items),
    (
        _("Statutory responses"),
        "tracker:response_list",
        {"response_list", "response_detail"},
        policy.oversees_items,
    ),
    (_("Progress review"), "tracker:review", {"review"}, policy.reviews_progress),
    # Issue 18: every force's progress on each national recommendation (national readers and
    # administrators; others reach a recommendation's counts from its item), and the closing
    # summaries forces chose to share with every force (everyone signed in).
    (
        _("National recommendations"),
        "tracker:national_list",
        {"national_list", "national_detail"},
        policy.sees_every_force_on_national_recommendations,
    ),
    (_("Shared learning"), "tracker:learning_list", {"learning_list"}, None),
    # Every rule explained, with its law and a worked example (issue 22): for everyone.
    (_("Deadline rules"), "tracker:rules", {"rules"}, None),
    (
        _("People"),
        "accounts:people",
        {
            "people",
            "person_add",
            "person_detail",
            "person_edit",
            "person_deactivate",
            "person_reactivate",
        },
        policy.can_manage_people,
    ),
    # Transfers of a local policing body's functions to a successor (issue 22: May 2028).
    (
        _("Transfers"),
        "tracker:function_transfer_list",
        {"function_transfer_list", "function_transfer_new", "function_transfer_detail"},
        policy.can_record_function_transfers,
    ),
    # Webhooks and Microsoft Teams (issue 15): a force's coordinators and a PCC office.
    (
        _("Webhooks"),
        "integrations:webhook_list",
        {"webhook_list", "webhook_add", "webhook_detail", "webhook_edit", "webhook_delete"},
        policy.can_manage_webhooks,
    ),
    # Sign-in with each organisation's own identity provider (issue 15): administrators.
    (
        _("Sign-in providers"),
        "oidc:providers",
        {"providers", "provider_add", "provider_edit"},
        policy.can_manage_identity_providers,
    ),
    # Django's admin site (its pages have their own header, so it is never the current page).
    (_("Admin site"), "admin:index", set(), policy.can_use_admin_site),
]


def service(request) -> dict[str, Any]:
    context = {
        "service_name": gettext("Inspection tracker"),
        "demo_mode": settings.DEMO_MODE,
        "app_version": settings.VERSION,
    }
    if settings.DEMO_MODE:
        context["demo_password"] = settings.DEMO_PASSWORD
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.url_name if match else None
        context["navigation"] = [
            {"label": label, "url": reverse(name), "active": current in names}
            for label, name, names, shown_to in NAVIGATION
            if shown_to is None or shown_to(user)
        ]
        context["can_see_reminder_health"] = policy.is_administrator(user)
        context["unread_notifications"] = unread_count(user=user)
    return context


def csp_nonce(request) -> dict[str, str]:
    """The nonce that lets this page's own <style> blocks through the Content Security Policy."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
