"""Sign-in with an OpenID Connect provider (issue 15), under /account/oidc/."""

from django.urls import path

from accounts import oidc_views, views

app_name = "oidc"
urlpatterns = [
    path("start/<int:pk>/", oidc_views.start, name="start"),
    # Register exactly this address at the provider (SITE_URL + /account/oidc/callback/).
    path("callback/", views.oidc_callback, name="callback"),
    # Administrators set up each organisation's provider.
    path("providers/", oidc_views.providers, name="providers"),
    path("providers/add/", oidc_views.provider_edit, name="provider_add"),
    path("providers/<int:pk>/", oidc_views.provider_edit, name="provider_edit"),
]
