from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_sign_in
from config import health_views

admin.site.site_header = "Inspection tracker administration"
admin.site.site_title = "Inspection tracker"

urlpatterns = [
    # For load balancers and monitoring: no session, no sign-in (config/health_views.py).
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("metrics", health_views.metrics_view, name="metrics"),
    path("", include("tracker.urls")),
    path("account/", include("accounts.urls")),
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
]
