from django.db import migrations


class Migration(migrations.Migration):
    """Personal access tokens and service accounts (issue 15)."""

    dependencies = [("accounts", "0010_scim")]

    operations: list = []
