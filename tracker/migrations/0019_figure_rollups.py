"""National figures kept fresh (issue 16).

The dashboards' figures are cached (tracker/figures.py) under a change marker, the figure
generation, which the database itself moves on whenever a row the figures are counted from
changes: every write path (services, QuerySet.update, bulk imports, the admin's deletions,
raw SQL, a restore) moves it, with no hook in the code that writes.

- PostgreSQL: a sequence, `tracker_figure_generation`, advanced by a trigger on each watched
  table. The trigger is a deferred constraint trigger, so it fires as the writing transaction
  commits (not when its statement runs): a reader cannot take the new generation long before
  the change is visible. A sequence is not transactional and takes no lock, so concurrent
  writers never wait on it.
- SQLite (the demo): a one-row table whose counter the triggers add one to (SQLite writes one
  transaction at a time anyway).

Updates are watched only on the columns the figures count from: a progress update (which sets
the item's last activity time) or a sign-in (a person's last login) moves nothing.
"""

from django.db import migrations

MARKER = "tracker_figure_generation"
FUNCTION = "tracker_figures_changed"

# Table: the columns whose update changes a figure.
WATCHED = {
    "tracker_trackeditem": [
        "finding_id",
        "force_id",
        "owner_id",
        "status",
        "due_date",
        "created_at",
        "closed_at",
    ],
    "tracker_finding": ["report_id"],
    "tracker_report": ["published_on"],
    "tracker_report_forces": ["report_id", "organisation_id"],
    "tracker_statutoryresponse": ["report_id", "force_id", "published_on"],
    "tracker_deadline": ["rule_id", "response_id", "force_id", "due_on", "state", "met_on"],
    "tracker_deadlinerule": ["who_must_act", "statutory"],
    "accounts_organisation": ["name", "short_name", "kind"],
    "accounts_policingbodyterm": ["force_id", "body_id", "starts_on", "ends_on"],
    "accounts_user": ["full_name"],
}


def _postgresql(table: str, columns: list[str]) -> list[str]:
    of = ", ".join(columns)
    return [
        f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}",
        f"CREATE CONSTRAINT TRIGGER {FUNCTION} AFTER INSERT OR DELETE OR UPDATE OF {of} "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"DROP TRIGGER IF EXISTS {FUNCTION}_truncate ON {table}",
        f"CREATE TRIGGER {FUNCTION}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    ]


def _sqlite(table: str, columns: list[str]) -> list[str]:
    bump = "BEGIN UPDATE tracker_figure_generation SET n = n + 1; END"
    of = ", ".join(columns)
    statements = []
    for event, name in (("INSERT", "ins"), ("DELETE", "del"), (f"UPDATE OF {of}", "upd")):
        trigger = f"{FUNCTION}_{name}_{table}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger}",
            f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW {bump}",
        ]
    return statements


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [
            f"CREATE SEQUENCE IF NOT EXISTS {MARKER}",
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM nextval('{MARKER}'); RETURN NULL; END $$",
        ]
        for table, columns in WATCHED.items():
            statements += _postgresql(table, columns)
    elif vendor == "sqlite":
        statements = [
            f"CREATE TABLE IF NOT EXISTS {MARKER} "
            "(id integer NOT NULL PRIMARY KEY CHECK (id = 1), n integer NOT NULL)",
            "INSERT OR IGNORE INTO tracker_figure_generation (id, n) VALUES (1, 0)",
        ]
        for table, columns in WATCHED.items():
            statements += _sqlite(table, columns)
    else:
        return  # no marker: the figures are not cached (tracker/figures.py)
    for statement in statements:
        schema_editor.execute(statement)


def remove(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        for table in WATCHED:
            statements += [
                f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}",
                f"DROP TRIGGER IF EXISTS {FUNCTION}_truncate ON {table}",
            ]
        statements += [f"DROP FUNCTION IF EXISTS {FUNCTION}()", f"DROP SEQUENCE IF EXISTS {MARKER}"]
    elif vendor == "sqlite":
        for table in WATCHED:
            for name in ("ins", "del", "upd"):
                statements.append(f"DROP TRIGGER IF EXISTS {FUNCTION}_{name}_{table}")
        statements.append(f"DROP TABLE IF EXISTS {MARKER}")
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    safe_for_rolling_upgrade = (
        "Creates a sequence (a one-row table on SQLite) and triggers that move it on; no "
        "column or table the running version uses changes. The running version's writes fire "
        "the triggers too, which only move the counter. Creating them reads no rows: the "
        "tables' writes wait only for the moment the migration takes to commit."
    )
    dependencies = [("tracker", "0018_export_jobs")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
