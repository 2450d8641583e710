"""Indexes and columns the lists filter and sort by (issue 16): the owner's name copied onto
the item (kept by the model layer, tracker/models/items.py), and the indexes that read a page
of a list in its order."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

OPEN = ["not_started", "in_progress", "proposed_for_closure"]  # tracker.models.OPEN_STATUSES

# Built concurrently on PostgreSQL, so the running version keeps writing items while the
# indexes build (docs/upgrades.md); a plain CREATE INDEX elsewhere (SQLite).
INDEXES = [
    models.Index(fields=["-last_activity_at", "-id"], name="tracker_item_activity_idx"),
    models.Index(
        fields=["owner_name", "owner_id", "due_date", "id"],
        name="tracker_item_open_owner_idx",
        condition=models.Q(status__in=OPEN),
    ),
]


def copy_owner_names(apps, schema_editor) -> None:
    TrackedItem = apps.get_model("tracker", "TrackedItem")
    User = apps.get_model("accounts", "User")
    names = User.objects.filter(pk=OuterRef("owner_id")).values("full_name")[:1]
    TrackedItem.objects.filter(owner__isnull=False).update(owner_name=Subquery(names))


def add_indexes(apps, schema_editor) -> None:
    model = apps.get_model("tracker", "TrackedItem")
    concurrently = schema_editor.connection.vendor == "postgresql"
    for index in INDEXES:
        if concurrently:
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor) -> None:
    model = apps.get_model("tracker", "TrackedItem")
    for index in INDEXES:
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    safe_for_rolling_upgrade = (
        "Adds a nullable column and fills it in (one UPDATE of the items that have an owner), "
        "and adds indexes concurrently on PostgreSQL. Items whose owner the old version "
        "changes during the rolling restart keep the name copied before: run "
        "copy_owner_names again (TrackedItem.objects.copy_owner_names()) once it is over."
    )
    dependencies = [("tracker", "0016_closure_evidence")]

    operations = [
        migrations.AddField(
            model_name="trackeditem",
            name="owner_name",
            field=models.CharField(blank=True, editable=False, max_length=200, null=True),
        ),
        migrations.RunPython(copy_owner_names, migrations.RunPython.noop, elidable=True),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex("trackeditem", index) for index in INDEXES],
            database_operations=[migrations.RunPython(add_indexes, remove_indexes)],
        ),
    ]
