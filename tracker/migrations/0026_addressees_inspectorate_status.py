"""Issue 17: who a finding is addressed to, fire and rescue services in a report's and an
item's organisations, and the inspectorate's dated statuses of an item (append-only: on
PostgreSQL the tracker_append_only trigger of migration 0014 is added to its table).

Expand only: two columns with database defaults, a new table, a wider finding reference (80
characters, so references are kept as published), and choices of foreign keys (no change to
the database). The trigger is on the new table, which the running release
never reads or writes.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "tracker_inspectoratestatus"
# The function is migration 0014's (tracker_refuse_history_change); only the trigger is new.
CREATE_TRIGGER = (
    f'CREATE TRIGGER tracker_append_only BEFORE UPDATE OR DELETE ON "{TABLE}" '
    "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_history_change();"
)
DROP_TRIGGER = f'DROP TRIGGER IF EXISTS tracker_append_only ON "{TABLE}";'


def create_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    safe_for_rolling_upgrade = (
        "The RunPython adds the append-only trigger to the new table of inspectorate "
        "statuses, which the running release does not know."
    )

    dependencies = [
        ("accounts", "0012_fire_and_rescue"),
        ("tracker", "0025_webhooks_calendar_feeds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="addressee",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="finding",
            name="addressee_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "The forces the report is about"),
                    ("forces", "Every force (addressed to them all)"),
                    ("national_body", "A national body"),
                ],
                db_default="",
                default="",
                help_text="A national body's finding is recorded on the report and gets no items.",
                max_length=20,
            ),
        ),
        # Widening a varchar: metadata only on PostgreSQL, and the running release writes
        # references of 20 characters or fewer, which still fit.
        migrations.AlterField(
            model_name="finding",
            name="reference",
            field=models.CharField(
                blank=True, help_text="As the inspectorate published it.", max_length=80
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="forces",
            field=models.ManyToManyField(
                limit_choices_to={"kind__in": ("force", "fire_and_rescue")},
                related_name="reports",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="trackeditem",
            name="force",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": ("force", "fire_and_rescue")},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="accounts.organisation",
            ),
        ),
        migrations.CreateModel(
            name="InspectorateStatus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("awaiting_review", "Awaiting review"),
                            ("being_progressed", "Being progressed"),
                            ("complete", "Complete"),
                            ("no_further_action", "No further action needed"),
                            ("superseded", "Superseded"),
                        ],
                        max_length=30,
                    ),
                ),
                ("stated_on", models.DateField(blank=True, null=True)),
                (
                    "stated_precision",
                    models.CharField(
                        choices=[("day", "Day"), ("month", "Month")], default="day", max_length=10
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        help_text='Where it was stated: "HMICFRS register, entry 6989".',
                        max_length=300,
                    ),
                ),
                ("note", models.TextField(blank=True, help_text="The entry's own words, if any.")),
                ("recorded_at", models.DateTimeField()),
                (
                    "item",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspectorate_statuses",
                        to="tracker.trackeditem",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "report_import",
                    models.ForeignKey(
                        blank=True,
                        help_text="The imported document it came from.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inspectorate_statuses",
                        to="tracker.reportimport",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "inspectorate statuses",
                "ordering": ["item", "stated_on", "recorded_at", "id"],
                "indexes": [
                    models.Index(fields=["item", "-stated_on", "-id"], name="inspectorate_latest")
                ],
            },
        ),
        migrations.AlterField(
            model_name="report",
            name="report_type",
            field=models.CharField(
                choices=[
                    ("peel_effectiveness", "PEEL effectiveness"),
                    ("baseline_assessment", "Baseline assessment"),
                    ("thematic", "National thematic"),
                    ("peel", "PEEL (2021 onward: effectiveness, efficiency and legitimacy)"),
                    ("crime_data_integrity", "Crime data integrity"),
                    ("custody", "Police custody (joint with HM Inspectorate of Prisons)"),
                    ("child_protection", "Child protection"),
                    ("joint_inspection", "Joint inspection with other inspectorates"),
                    ("fire_and_rescue", "Fire and rescue service inspection"),
                    ("iopc_recommendations", "IOPC recommendations"),
                    ("prevention_of_future_deaths", "Coroner's Prevention of Future Deaths report"),
                    ("other", "Other inspection"),
                ],
                max_length=40,
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
