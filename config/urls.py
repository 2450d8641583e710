from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path
from django.views.decorators.http import require_safe

from accounts.views import admin_sign_in
from config import health_views


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever a page says: send them to the hashed file."""
    return HttpResponsePermanentRedirect(staticfiles_storage.url("assets/images/favicon.ico"))


admin.site.site_header = "Inspection tracker administration"
admin.site.site_title = "Inspection tracker"

urlpatterns = [
    # For load balancers and monitoring: no session, no sign-in (config/health_views.py).
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("metrics", health_views.metrics_view, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the hashed file,
    # which is cached for a year.
    path("favicon.ico", favicon, name="favicon"),
    # Fitting a force's estate (issue 15): the REST API, SCIM provisioning, sign-in with an
    # OpenID Connect provider, webhooks and calendar feeds.
    path("api/v1/", include("tracker.api.urls")),
    path("scim/v2/", include("accounts.scim.urls")),
    path("account/oidc/", include("accounts.oidc_urls")),
    path("", include("tracker.integration_urls")),
    path("", include("tracker.urls")),
    path("account/", include("accounts.urls")),
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
]
