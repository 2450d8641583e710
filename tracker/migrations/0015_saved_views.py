"""Saved views: a named set of filters and a sort on an item list, shared within a force (issue 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0014_append_only")]

    operations: list = []
