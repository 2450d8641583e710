from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Inspection tracker administration"
admin.site.site_title = "Inspection tracker"

urlpatterns = [
    path("", include("tracker.urls")),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
