"""On PostgreSQL, history, audit and published-version rows refuse UPDATE and DELETE (issue 19).

The ORM already refuses (tracker.models.base.AppendOnlyModel); these triggers refuse in the
database too, so neither a bug that goes round the ORM (a cascade, `QuerySet.update` on a
plain manager, raw SQL) nor a session opened with the app's own credentials can rewrite or
remove history. Nothing in the app deletes such rows: items, reports, responses and people
are never deleted (the admin offers no delete, and history rows PROTECT what they point at),
so there is no exception for DELETE. TRUNCATE fires no row triggers: the test suite's flush
and a restore into an empty database are unaffected.

A new AppendOnlyModel needs a migration of its own that creates the same trigger on its table
(on PostgreSQL only, as create_triggers does here; the function is already there):
tests/test_append_only_db.py fails until every append-only table has it. A later migration
that must rewrite such a table disables the trigger around its change (ALTER TABLE ...
DISABLE TRIGGER tracker_append_only, then ENABLE) and says why.

SQLite (development and the default test run) has no such triggers: Django's flush there is
DELETE FROM, which a trigger would refuse; the ORM's guard is what applies.
"""

from django.db import migrations

FUNCTION = "tracker_refuse_history_change"
TRIGGER = "tracker_append_only"
TABLES = [
    "tracker_auditevent",
    "tracker_statuschange",
    "tracker_duedaterevision",
    "tracker_progressupdate",
    "tracker_evidence",
    "tracker_closureproposal",
    "tracker_closuredecision",
    "tracker_progressreview",
    "tracker_responseversion",
    "tracker_deadlinechange",
]

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' rows are append-only: ' || TG_OP || ' is refused',
        ERRCODE = 'restrict_violation',
        HINT = 'History, audit and published versions are never changed or deleted.';
END;
$$;
"""
DROP_FUNCTION = f"DROP FUNCTION IF EXISTS {FUNCTION}();"


def trigger_sql(table: str) -> str:
    return (
        f'CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();"
    )


def drop_trigger_sql(table: str) -> str:
    return f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}";'


def create_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for table in TABLES:
        schema_editor.execute(trigger_sql(table))


def drop_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(drop_trigger_sql(table))
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0013_item_version")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
