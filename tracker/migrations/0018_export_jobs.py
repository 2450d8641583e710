"""Export jobs: large exports run in the worker (issue 16)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The latest progress update of an item, newest first (the exports read it for every row).
LATEST = models.Index(fields=["item", "-written_at", "-id"], name="progress_latest")


def add_latest(apps, schema_editor) -> None:
    model = apps.get_model("tracker", "ProgressUpdate")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, LATEST, concurrently=True)
    else:
        schema_editor.add_index(model, LATEST)


def remove_latest(apps, schema_editor) -> None:
    schema_editor.remove_index(apps.get_model("tracker", "ProgressUpdate"), LATEST)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    safe_for_rolling_upgrade = (
        "Adds a table nothing running uses, and an index built concurrently on PostgreSQL."
    )
    dependencies = [("tracker", "0017_list_indexes")]

    operations = [
        migrations.CreateModel(
            name="ExportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("items", "Items"), ("responses", "Statutory responses")],
                        max_length=10,
                    ),
                ),
                (
                    "format",
                    models.CharField(choices=[("csv", "CSV"), ("xlsx", "Excel")], max_length=4),
                ),
                (
                    "filters",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The list's filters: [name, value] pairs.",
                    ),
                ),
                ("today", models.DateField(help_text="The day the export is as of.")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting to start"),
                            ("running", "Being made"),
                            ("ready", "Ready to download"),
                            ("failed", "Could not be made"),
                            ("expired", "Deleted"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("rows_total", models.PositiveIntegerField(default=0)),
                ("rows_written", models.PositiveIntegerField(default=0)),
                (
                    "file_name",
                    models.CharField(help_text="The name the download has.", max_length=200),
                ),
                ("stored_name", models.CharField(blank=True, max_length=64)),
                ("size", models.PositiveBigIntegerField(default=0)),
                (
                    "message",
                    models.TextField(blank=True, help_text="Why the file could not be made."),
                ),
                (
                    "scope",
                    models.TextField(
                        blank=True,
                        help_text=(
                            "The forces the rows were scoped to when the file was made: "
                            "'all', or ids."
                        ),
                    ),
                ),
                ("created_at", models.DateTimeField()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(db_index=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="export_jobs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at"]},
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex("progressupdate", LATEST)],
            database_operations=[migrations.RunPython(add_latest, remove_latest)],
        ),
    ]
