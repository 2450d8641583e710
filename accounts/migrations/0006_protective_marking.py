"""Protective marking: the list of markings and each organisation's default (issue 21).

Seeds OFFICIAL (rank 10) and OFFICIAL-SENSITIVE (rank 20), the Government Security
Classifications a police body marks what it files and sends with; the administrator keeps the
list afterwards. Organisations start with no default (no marking), as before."""

from django.db import migrations, models
from django.db.models import deletion

MARKINGS = [
    ("OFFICIAL", 10, "Routine business; most of what a force or PCC office files and sends."),
    (
        "OFFICIAL-SENSITIVE",
        20,
        "OFFICIAL information that would do harm if lost or disclosed: need to know only.",
    ),
]


def seed_markings(apps, schema_editor) -> None:
    marking = apps.get_model("accounts", "ProtectiveMarking")
    for label, rank, description in MARKINGS:
        if not marking.objects.filter(label=label).exists():
            marking.objects.create(label=label, rank=rank, description=description, active=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_event_settings")]

    # The RunPython only adds rows to the new table, which the running release never reads.
    safe_for_rolling_upgrade = "seeds rows of a table new in this release"

    operations = [
        migrations.CreateModel(
            name="ProtectiveMarking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        help_text="As printed, e.g. OFFICIAL.", max_length=60, unique=True
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "rank",
                    models.PositiveIntegerField(
                        help_text="Higher is more protected: a list of items takes the highest.",
                        unique=True,
                    ),
                ),
                (
                    "active",
                    models.BooleanField(
                        default=True,
                        help_text="Offered when a marking is chosen; an inactive one stays "
                        "where set.",
                    ),
                ),
            ],
            options={"ordering": ["rank"]},
        ),
        migrations.AddField(
            model_name="organisation",
            name="default_marking",
            field=models.ForeignKey(
                blank=True,
                help_text="The marking of its reports, items and documents unless one is set. "
                "Blank: no marking.",
                null=True,
                on_delete=deletion.PROTECT,
                related_name="+",
                to="accounts.protectivemarking",
            ),
        ),
        migrations.RunPython(seed_markings, migrations.RunPython.noop),
    ]
