"""The outbox: background work recorded in the same transaction as the change that asks for it (issue 19)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0011_audit_object_id_length")]

    operations: list = []
