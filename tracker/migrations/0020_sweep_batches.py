"""Batched reminder sweeps (issue 16)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0019_figure_rollups")]

    operations: list[migrations.operations.base.Operation] = []
