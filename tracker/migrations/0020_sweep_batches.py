"""Batched reminder sweeps (issue 16): the index the sweep reads due reminders by, now with
the id, so each batch (the oldest due rows by next attempt, then id) is read in index order and
stops at the batch's end, instead of fetching and sorting every row still due."""

from django.db import migrations, models

# Built and dropped concurrently on PostgreSQL, so the running version keeps writing reminders
# meanwhile (docs/upgrades.md); plain CREATE/DROP INDEX elsewhere (SQLite).
NEW = models.Index(fields=["state", "next_attempt_at", "id"], name="reminder_due")
OLD = models.Index(fields=["state", "next_attempt_at"], name="tracker_rem_state_8da3f6_idx")


def _concurrently(schema_editor) -> dict[str, bool]:
    return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}


def forwards(apps, schema_editor) -> None:
    model = apps.get_model("tracker", "Reminder")
    schema_editor.add_index(model, NEW, **_concurrently(schema_editor))
    schema_editor.remove_index(model, OLD, **_concurrently(schema_editor))


def backwards(apps, schema_editor) -> None:
    model = apps.get_model("tracker", "Reminder")
    schema_editor.add_index(model, OLD, **_concurrently(schema_editor))
    schema_editor.remove_index(model, NEW, **_concurrently(schema_editor))


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction
    safe_for_rolling_upgrade = (
        "Replaces an index with a wider one, concurrently on PostgreSQL; changes no column. "
        "The running version's sweep reads by the new index as well as it did by the old."
    )
    dependencies = [("tracker", "0019_figure_rollups")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="reminder", index=NEW),
                migrations.RemoveIndex(model_name="reminder", name=OLD.name),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
