"""A closure proposal names the evidence it rests on, or says why none is needed (issue 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tracker", "0015_saved_views")]

    operations: list = []
