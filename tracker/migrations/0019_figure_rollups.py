"""National figures kept fresh (issue 16)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0018_export_jobs")]

    operations: list[migrations.operations.base.Operation] = []
