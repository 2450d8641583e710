"""The REST API's endpoints (issue 15)."""

app_name = "api"
urlpatterns: list = []
