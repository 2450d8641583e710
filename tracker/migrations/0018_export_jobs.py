"""Export jobs: large exports run in the worker (issue 16)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0017_list_indexes")]

    operations: list[migrations.operations.base.Operation] = []
