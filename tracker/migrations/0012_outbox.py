"""The outbox: background work recorded in the same transaction as the change that asks for
it (issue 19).

Also the cache's fallback table (config/cache.py: the cache uses it while Redis cannot be
reached), made here so that it exists wherever the database does, with no
`createcachetable` to remember; it is Django's own cache table, made by Django's own code.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations, models

CACHE_TABLE = "cache_fallback"  # config.cache.FALLBACK_TABLE


def create_cache_table(apps, schema_editor) -> None:
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0011_audit_object_id_length")]

    operations = [
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("task_name", models.CharField(max_length=200)),
                ("args", models.JSONField(blank=True, default=list)),
                ("created_at", models.DateTimeField()),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Could not be sent"),
                        ],
                        default="waiting",
                        max_length=10,
                    ),
                ),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                (
                    "claim_token",
                    models.UUIDField(blank=True, help_text="The sender holding it.", null=True),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "note",
                    models.CharField(
                        blank=True, help_text="Why the last try failed.", max_length=300
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["state", "created_at"], name="tracker_out_state_7e9037_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
