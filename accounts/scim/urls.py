"""SCIM 2.0 endpoints (issue 15), mounted at /scim/v2/ (config/urls.py). No trailing
slashes: SCIM clients build the addresses themselves (RFC 7644 section 3.2)."""

from django.urls import path, re_path

from accounts.scim import views

app_name = "scim"
urlpatterns = [
    path("Users", views.users, name="users"),
    path("Users/<str:user_id>", views.user, name="user"),
    path("Groups", views.groups, name="groups"),
    path("Groups/<str:group_id>", views.group, name="group"),
    path("ServiceProviderConfig", views.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:name>", views.resource_types, name="resource_type"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", views.schemas, name="schema"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
