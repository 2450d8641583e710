from django.db import migrations


class Migration(migrations.Migration):
    """Sign-in with an organisation's OpenID Connect provider (issue 15)."""

    dependencies = [("accounts", "0008_function_transfers")]

    operations: list = []
