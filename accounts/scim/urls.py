"""SCIM 2.0 endpoints (issue 15)."""

app_name = "scim"
urlpatterns: list = []
