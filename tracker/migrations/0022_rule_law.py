"""Deadline rules exact and explained (issue 22): the words of the law on each rule and a link
to them, who may extend (and whether only on an application made before the period ends), the
publication step that follows a response, the day an extension was applied for, and the
response and publication steps on a deadline.

Every new column is nullable or has a database default, so the running release's inserts
(which leave them out) still work during a rolling upgrade. The data step brings the shipped
preset rules up to the law field by field, and only where a field still holds what the
product shipped (tracker.rule_presets.presets_update): an administrator's edits are kept."""

from django.db import migrations, models


def update_presets(apps, schema_editor) -> None:
    from tracker.rule_presets import presets_update

    presets_update(apps.get_model("tracker", "DeadlineRule"))


class Migration(migrations.Migration):
    safe_for_rolling_upgrade = (
        "Fills only the new rule columns and a few text and date fields of the shipped rules "
        "that nobody edited; the running release reads those rules as before."
    )

    dependencies = [("tracker", "0021_protective_marking")]

    operations = [
        migrations.AddField(
            model_name="deadlinechange",
            name="applied_on",
            field=models.DateField(
                blank=True,
                help_text="For an extension: the day the application for it was received.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="apply_before_end",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="An extension can be granted only on an application received before "
                "the period ends (para 28B(3) Sch 3 Police Reform Act 2002).",
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="extended_by",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Who may grant an extension under the law, for example “the Director "
                "General”. When set, an extension records the day it was applied for and who "
                "granted it.",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="legal_basis_url",
            field=models.URLField(
                blank=True,
                db_default="",
                default="",
                help_text="The provision on legislation.gov.uk, shown as a link on the rules page.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="legal_text",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text="The words of the law the rule follows, quoted.",
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="publication_by",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Who publishes the response once received, for example “the "
                "Director General” (blank: no publication step).",
                max_length=100,
            ),
        ),
        migrations.AddField(
            model_name="deadlinerule",
            name="publication_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Days, beginning with the day the response is received, within "
                "which it is published.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="deadlinechange",
            name="kind",
            field=models.CharField(
                choices=[
                    ("extension", "Extended"),
                    ("pause", "Paused"),
                    ("resume", "Resumed"),
                    ("recalculated", "Recalculated"),
                    ("response_sent", "Response provided"),
                    ("published", "Response published"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(update_presets, migrations.RunPython.noop),
    ]
