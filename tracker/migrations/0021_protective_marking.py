"""Protective marking on reports, items, responses, published versions and exports (issue 21).

Every new column is nullable or has a database default, so the running release's inserts
(which leave them out) still work during a rolling upgrade. A blank marking inherits
(tracker/markings.py); a published version's and an export's label is text fixed when made."""

from typing import Any

from django.db import migrations, models
from django.db.models import deletion


def marking_fk(help_text: str, **extra: Any) -> models.ForeignKey:
    return models.ForeignKey(
        blank=True,
        **extra,
        help_text=help_text,
        null=True,
        on_delete=deletion.PROTECT,
        related_name="+",
        to="accounts.protectivemarking",
    )


def marking_label(help_text: str) -> models.CharField:
    return models.CharField(
        blank=True, db_default="", default="", help_text=help_text, max_length=60
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_protective_marking"),
        ("accounts", "0008_function_transfers"),
        ("tracker", "0020_sweep_batches"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="marking",
            field=marking_fk("Blank: its forces' default marking."),
        ),
        migrations.AddField(
            model_name="trackeditem",
            name="marking",
            # No index on the big items table (tracker/models/items.py says why).
            field=marking_fk(
                "Blank: its report's marking, else its force's default.", db_index=False
            ),
        ),
        migrations.AddField(
            model_name="statutoryresponse",
            name="marking",
            field=marking_fk("Blank: its report's marking, else its force's default."),
        ),
        migrations.AddField(
            model_name="responseversion",
            name="marking_label",
            field=marking_label(
                "The protective marking chosen at publication, as printed (blank: none)."
            ),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="marking_label",
            field=marking_label(
                "The protective marking of the file, fixed when the job is made (issue 21)."
            ),
        ),
    ]
