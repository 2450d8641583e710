"""The deadline rules the product ships with (tracker/rule_presets.py). Only missing rules
are added; an administrator's edits are never overwritten."""

from django.db import migrations


def add_presets(apps, schema_editor):
    from tracker.rule_presets import presets_install

    presets_install(apps.get_model("tracker", "DeadlineRule"))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_deadlines_and_reminders")]

    operations = [migrations.RunPython(add_presets, migrations.RunPython.noop)]
