"""Sign-in with an OpenID Connect provider (issue 15)."""

from django.urls import path  # noqa: F401

app_name = "oidc"
urlpatterns: list = []
