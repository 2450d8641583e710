from django.db import migrations


class Migration(migrations.Migration):
    """SCIM 2.0 provisioning tokens and identities (issue 15)."""

    dependencies = [("accounts", "0009_identity_providers")]

    operations: list = []
