from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_sign_in

admin.site.site_header = "Inspection tracker administration"
admin.site.site_title = "Inspection tracker"

urlpatterns = [
    path("", include("tracker.urls")),
    path("account/", include("accounts.urls")),
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
]
