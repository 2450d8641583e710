"""History, audit and published versions are append-only in the database too: on PostgreSQL a
trigger refuses UPDATE and DELETE on every AppendOnlyModel's table, whoever asks (the ORM
going round its own guard, raw SQL through the app's connection, a session of its own with
the app's credentials). On SQLite the ORM's guard is what applies."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.every_history import append_only_models, table_state
from tracker.models import AppendOnlyError, Deadline, DeadlineChange


@pytest.fixture(scope="module")
def history(build_once, tmp_path_factory):
    """The demo with a row in every append-only table, built once for the module."""
    from django.test import override_settings

    from tests.every_history import build_demo_with_every_history

    with (
        build_once() as unblocked,
        override_settings(EVIDENCE_ROOT=tmp_path_factory.mktemp("evidence")),
    ):
        with unblocked():
            build_demo_with_every_history()
        yield


@pytest.fixture
def demo_world(history, db):
    return history


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"
)

APPEND_ONLY = append_only_models()
TRIGGER = "tracker_append_only"


def test_the_append_only_models_are_the_history_audit_and_published_versions():
    assert {m.__name__ for m in APPEND_ONLY} >= {
        "AuditEvent",
        "StatusChange",
        "DueDateRevision",
        "ProgressUpdate",
        "Evidence",
        "ClosureProposal",
        "ClosureDecision",
        "ProgressReview",
        "ResponseVersion",
        "DeadlineChange",
    }


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_the_orm_refuses_to_change_or_delete_any_append_only_row(demo_world, model):
    row = model.objects.order_by("pk").first()
    assert row is not None, f"the demo has no {model.__name__} row"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).delete()


# PostgreSQL's triggers ------------------------------------------------------------------------


def _triggers() -> dict[str, tuple[int, str]]:
    """Each table's tracker_append_only trigger: its type bits and whether it is enabled."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgtype, t.tgenabled FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
            [TRIGGER],
        )
        return {table: (tgtype, enabled) for table, tgtype, enabled in cursor.fetchall()}


@on_postgresql
@pytest.mark.django_db
def test_every_append_only_table_has_the_trigger():
    """So a new AppendOnlyModel cannot be forgotten: its migration must add the trigger."""
    triggers = _triggers()
    row, before, delete, update = 1, 2, 8, 16  # pg_trigger.tgtype bits
    for model in APPEND_ONLY:
        table = model._meta.db_table
        assert table in triggers, f"{table} ({model.__name__}) has no {TRIGGER} trigger"
        tgtype, enabled = triggers[table]
        for bit, what in ((row, "FOR EACH ROW"), (before, "BEFORE"), (update, "UPDATE")):
            assert tgtype & bit, f"{table}: the trigger is not {what}"
        assert tgtype & delete, f"{table}: the trigger is not on DELETE"
        assert enabled == "O", f"{table}: the trigger is disabled"


@on_postgresql
@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m.__name__)
def test_raw_sql_through_the_apps_connection_cannot_change_or_delete(demo_world, model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        before = table_state(table, cursor)
        assert before[0] > 0, f"the demo has no {model.__name__} row"
        for statement in (
            'UPDATE "{t}" SET uuid = gen_random_uuid()',
            'UPDATE "{t}" SET id = id WHERE id = (SELECT min(id) FROM "{t}")',
            'DELETE FROM "{t}" WHERE id = (SELECT max(id) FROM "{t}")',
            'DELETE FROM "{t}"',
        ):
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                cursor.execute(statement.format(t=table))
        assert table_state(table, cursor) == before


@on_postgresql
def test_a_cascade_round_the_orms_guard_is_refused(demo_world):
    """Deleting a deadline would take its changes with it (on_delete=CASCADE goes round the
    AppendOnlyQuerySet); the database refuses, and nothing is deleted."""
    change = DeadlineChange.objects.select_related("deadline").first()
    assert change is not None
    refused = pytest.raises(IntegrityError, match="tracker_deadlinechange rows are append-only")
    with refused, transaction.atomic():
        Deadline.objects.filter(pk=change.deadline_id).delete()
    assert Deadline.objects.filter(pk=change.deadline_id).exists()
    assert DeadlineChange.objects.filter(pk=change.pk).exists()


@on_postgresql
def test_new_rows_are_still_written(demo_world):
    change = DeadlineChange.objects.first()
    count = DeadlineChange.objects.count()
    DeadlineChange.objects.create(
        deadline=change.deadline,
        kind=change.kind,
        on_date=change.on_date,
        reason="Another change",
        recorded_at=change.recorded_at,
    )
    assert DeadlineChange.objects.count() == count + 1
