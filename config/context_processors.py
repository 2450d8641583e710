from django.conf import settings
from django.urls import reverse

NAVIGATION = [
    ("Dashboard", "tracker:dashboard", {"dashboard"}, None),
    ("My items", "tracker:my_items", {"my_items"}, None),
    (
        "All items",
        "tracker:item_list",
        {"item_list", "item_import", "item_import_preview", "item_import_done"},
        None,
    ),
    (
        "Reports",
        "tracker:report_list",
        {"report_list", "report_detail", "report_import", "report_import_detail"},
        None,
    ),
    (
        "Overdue",
        "tracker:overdue",
        {"overdue"},
        {"force_coordinator", "pcc_office", "national_reader", "administrator"},
    ),
    (
        "Statutory responses",
        "tracker:response_list",
        {"response_list", "response_detail"},
        {"force_coordinator", "pcc_office", "national_reader", "administrator"},
    ),
    ("Progress review", "tracker:review", {"review"}, {"pcc_office"}),
    (
        "People",
        "accounts:people",
        {
            "people",
            "person_add",
            "person_detail",
            "person_edit",
            "person_deactivate",
            "person_reactivate",
        },
        {"administrator"},
    ),
]


def service(request):
    context = {"service_name": "Inspection tracker", "demo_mode": settings.DEMO_MODE}
    if settings.DEMO_MODE:
        context["demo_password"] = settings.DEMO_PASSWORD
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.url_name if match else None
        context["navigation"] = [
            {"label": label, "url": reverse(name), "active": current in names}
            for label, name, names, roles in NAVIGATION
            if roles is None or user.has_role(*roles)
        ]
        from tracker.selectors import unread_count

        context["unread_notifications"] = unread_count(user=user)
    return context


def csp_nonce(request):
    """The nonce that lets this page's own <style> blocks through the Content Security Policy."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
