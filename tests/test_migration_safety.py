"""The migration-safety check (issue 23): a migration must not break the running version.

Each rule is shown twice: the breaking migration the check catches, and the
expand-then-contract way of doing the same thing, which passes. The migrations are built
here as objects of an app "shop" (released: `0001_initial`); nothing touches a database.
The last tests run the command on the project's own migrations.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import migrations, models

from tracker import migration_safety
from tracker.management.commands import check_migrations
from tracker.migration_safety import BREAKS, DOWNTIME_OK, REVIEW, REVIEWED_OK, WARNING


def migration(name, *operations, **attributes):
    cls = type("Migration", (migrations.Migration,), {"operations": list(operations)})
    for attribute, value in attributes.items():
        setattr(cls, attribute, value)
    return cls(name, "shop")


INITIAL = migration(
    "0001_initial",
    migrations.CreateModel(
        "Customer",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("name", models.CharField(max_length=100)),
        ],
    ),
    migrations.CreateModel(
        "Order",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("reference", models.CharField(max_length=100)),
            ("note", models.CharField(max_length=200, null=True)),
            ("quantity", models.IntegerField(default=1)),
            ("customer", models.ForeignKey("shop.customer", on_delete=models.CASCADE)),
        ],
    ),
)


def run(*new, shipped=()):
    """Findings for `new`, with 0001 and `shipped` released."""
    plan = [INITIAL, *shipped, *new]
    released = {(m.app_label, m.name) for m in (INITIAL, *shipped)}
    return migration_safety.check(plan, released, big_tables={"shop_order"})


def severities(findings):
    return [finding.severity for finding in findings]


def only(findings, severity):
    assert severities(findings) == [severity], [str(f) for f in findings]
    return str(findings[0])


# Dropping a column ----------------------------------------------------------------------


def test_it_catches_a_column_dropped_in_the_release_that_stops_using_it():
    message = only(
        run(migration("0002_drop", migrations.RemoveField("order", "reference"))), BREAKS
    )
    assert "shop.0002_drop, operation 1 (RemoveField" in message
    assert "drops the column shop_order.reference" in message
    assert "SeparateDatabaseAndState" in message
    assert "AlterField(null=True)" in message  # the column is NOT NULL: say so first


def test_it_passes_removing_the_field_from_the_models_only_after_making_it_nullable():
    stop_using = migration(
        "0002_stop_using_reference",
        migrations.AlterField("order", "reference", models.CharField(max_length=100, null=True)),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("order", "reference")]
        ),
    )
    assert run(stop_using) == []


def test_it_catches_a_state_only_removal_that_leaves_a_not_null_column():
    stop_using = migration(
        "0002_stop_using_reference",
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("order", "reference")]
        ),
    )
    message = only(run(stop_using), BREAKS)
    assert "the new version's inserts" in message


def test_it_passes_dropping_the_column_in_the_release_after_the_one_that_stopped_using_it():
    stop_using = migration(
        "0002_stop_using_note",
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("order", "note")]
        ),
    )
    # Django's own RemoveField needs the field in the state: put it back in the state only,
    # then remove it from both.
    drop = migration(
        "0003_drop_note",
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField("order", "note", models.CharField(max_length=200, null=True))
            ]
        ),
        migrations.RemoveField("order", "note"),
    )
    assert run(drop, shipped=[stop_using]) == []
    # The same two in one release drop a column the running version still uses.
    assert severities(run(stop_using, drop)) == [BREAKS]


def test_it_judges_a_runsqls_state_operations_as_what_its_sql_does():
    drop = migration(
        "0002_drop",
        migrations.RunSQL(
            "ALTER TABLE shop_order DROP COLUMN note",
            state_operations=[migrations.RemoveField("order", "note")],
        ),
        safe_for_rolling_upgrade="reviewed (but it drops a column in use)",
    )
    assert severities(run(drop)) == [REVIEWED_OK, BREAKS]


# Dropping a table -----------------------------------------------------------------------


def test_it_catches_a_table_dropped_while_the_running_version_uses_it():
    findings = run(
        migration(
            "0002_drop_order",
            migrations.RemoveField("order", "customer"),
            migrations.DeleteModel("Order"),
        )
    )
    assert severities(findings) == [BREAKS, BREAKS]
    assert "drops the table shop_order" in str(findings[1])


def test_it_passes_a_table_deleted_from_the_models_only_and_a_table_new_in_this_release():
    stop_using = migration(
        "0002_stop_using_order",
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Order")]),
    )
    assert run(stop_using) == []
    new_and_gone = migration(
        "0002_draft",
        migrations.CreateModel("Draft", [("id", models.BigAutoField(primary_key=True))]),
        migrations.DeleteModel("Draft"),
    )
    assert run(new_and_gone) == []


# Renaming -------------------------------------------------------------------------------


def test_it_catches_a_column_renamed_while_the_running_version_uses_the_old_name():
    message = only(
        run(migration("0002_rename", migrations.RenameField("order", "note", "memo"))), BREAKS
    )
    assert "renames the column note to memo" in message
    assert "db_column='note'" in message


def test_it_passes_a_field_renamed_with_its_column_kept():
    # What makemigrations writes for a field renamed with db_column set to the old name.
    rename = migration(
        "0002_rename",
        migrations.AlterField(
            "order", "note", models.CharField(max_length=200, null=True, db_column="note")
        ),
        migrations.RenameField("order", "note", "memo"),
    )
    assert run(rename) == []


def test_it_passes_the_first_step_of_add_copy_switch_drop():
    add_and_copy = migration(
        "0002_memo",
        migrations.AddField("order", "memo", models.TextField(null=True)),
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    )
    assert run(add_and_copy) == []


def test_it_catches_a_table_renamed_and_passes_a_model_renamed_with_its_table_kept():
    renamed = run(migration("0002_rename", migrations.RenameModel("Order", "Purchase")))
    assert "renames the table shop_order to shop_purchase" in only(renamed, BREAKS)
    kept = migration(
        "0002_rename",
        migrations.RenameModel("Order", "Purchase"),
        migrations.AlterModelTable("purchase", "shop_order"),
    )
    assert run(kept) == []
    moved = run(migration("0002_table", migrations.AlterModelTable("order", "orders")))
    assert severities(moved) == [BREAKS]


# NOT NULL -------------------------------------------------------------------------------


def test_it_catches_a_not_null_column_added_without_a_database_default():
    added = migration(
        "0002_priority", migrations.AddField("order", "priority", models.IntegerField(default=0))
    )
    message = only(run(added), BREAKS)
    assert "shop.0002_priority, operation 1 (AddField: Add field priority to order)" in message
    assert "db_default" in message


@pytest.mark.parametrize(
    "field",
    [
        models.IntegerField(db_default=0),
        models.IntegerField(null=True),
        models.ManyToManyField("shop.customer"),
    ],
    ids=["db_default", "nullable", "many_to_many"],
)
def test_it_passes_columns_the_running_version_can_leave_out(field):
    assert run(migration("0002_priority", migrations.AddField("order", "priority", field))) == []


def test_it_passes_a_not_null_column_on_a_table_new_in_this_release():
    new = migration(
        "0002_invoice",
        migrations.CreateModel("Invoice", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AddField("invoice", "total", models.IntegerField()),
    )
    assert run(new) == []


def test_it_catches_a_column_added_nullable_and_made_not_null_in_one_release():
    added = migration(
        "0002_priority", migrations.AddField("order", "priority", models.IntegerField(null=True))
    )
    tightened = migration(
        "0003_priority", migrations.AlterField("order", "priority", models.IntegerField())
    )
    assert severities(run(added, tightened)) == [BREAKS]
    with_default = migration(
        "0003_priority",
        migrations.AlterField("order", "priority", models.IntegerField(db_default=0)),
    )
    assert run(added, with_default) == []


def test_making_a_released_nullable_column_not_null_needs_a_reason():
    tighten = migration(
        "0002_note", migrations.AlterField("order", "note", models.CharField(max_length=200))
    )
    assert "may still write NULL" in only(run(tighten), REVIEW)
    tighten.safe_for_rolling_upgrade = "0.3 always writes a note; 0002 backfilled the rest"
    assert "0.3 always writes a note" in only(run(tighten), REVIEWED_OK)


# Changing a column's type ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "breaks"),
    [
        (models.CharField(max_length=50), True),
        (models.IntegerField(), True),
        (models.CharField(max_length=150), False),
        (models.TextField(), False),
    ],
    ids=["shorter", "integer", "longer", "text"],
)
def test_it_catches_a_column_narrowed_and_passes_one_widened(field, breaks):
    findings = run(migration("0002_reference", migrations.AlterField("order", "reference", field)))
    assert severities(findings) == ([BREAKS] if breaks else [])


def test_it_passes_integer_to_big_integer_and_catches_the_reverse():
    wider = migrations.AlterField("order", "quantity", models.BigIntegerField(default=1))
    assert run(migration("0002_quantity", wider)) == []
    narrower = migrations.AlterField("order", "quantity", models.SmallIntegerField(default=1))
    assert severities(run(migration("0002_quantity", narrower))) == [BREAKS]
    unsigned = migrations.AlterField("order", "quantity", models.PositiveIntegerField(default=1))
    assert severities(run(migration("0002_quantity", unsigned))) == [BREAKS]


# Code the check cannot read -------------------------------------------------------------


def forwards(apps, schema_editor):
    pass


@pytest.mark.parametrize(
    "operation",
    [migrations.RunPython(forwards), migrations.RunSQL("UPDATE shop_order SET quantity = 1")],
    ids=["RunPython", "RunSQL"],
)
def test_code_and_sql_need_a_reason_on_the_migration(operation):
    unmarked = migration("0002_data", operation)
    assert "safe_for_rolling_upgrade" in only(run(unmarked), REVIEW)
    marked = migration(
        "0002_data", operation, safe_for_rolling_upgrade="sets a column no version reads"
    )
    assert "sets a column no version reads" in only(run(marked), REVIEWED_OK)


def test_a_release_with_downtime_says_so_and_passes():
    drop = migration(
        "0002_drop",
        migrations.RemoveField("order", "reference"),
        requires_downtime="0.3 moves orders to another system",
    )
    message = only(run(drop), DOWNTIME_OK)
    assert "Stop every web and worker process" in message


# Indexes --------------------------------------------------------------------------------


def test_an_index_on_a_big_table_is_a_warning_and_concurrently_is_not():
    from django.contrib.postgres.operations import AddIndexConcurrently

    index = models.Index(fields=["reference"], name="shop_order_reference")
    findings = run(migration("0002_index", migrations.AddIndex("order", index)))
    assert "concurrently=True" in only(findings, WARNING)
    assert not any(finding.fails for finding in findings)
    concurrent = migration("0002_index", AddIndexConcurrently("order", index), atomic=False)
    assert run(concurrent) == []
    small = models.Index(fields=["name"], name="shop_customer_name")
    assert run(migration("0002_index", migrations.AddIndex("customer", small))) == []


# The record -----------------------------------------------------------------------------


def test_a_released_migration_that_depends_on_an_unreleased_one_is_an_error():
    second = migration("0002_second")
    third = migration("0003_third")
    third.dependencies = [("shop", "0002_second")]
    findings = migration_safety.check(
        [INITIAL, second, third], {("shop", "0001_initial"), ("shop", "0003_third")}
    )
    assert "depends on shop.0002_second" in only(findings, BREAKS)


def test_the_record_reads_what_format_release_writes_and_refuses_stray_lines():
    text = "# comment\n" + migration_safety.format_release(
        "0.1.0", [("shop", "0001_initial"), ("shop", "0002_second")]
    )
    assert migration_safety.parse_released(text) == {
        ("shop", "0001_initial"): "0.1.0",
        ("shop", "0002_second"): "0.1.0",
    }
    with pytest.raises(ValueError, match="Line 1"):
        migration_safety.parse_released("shop.0001_initial\n")
    with pytest.raises(ValueError, match="Line 2"):
        migration_safety.parse_released("[0.1.0]\nshop 0001_initial\n")


# The command, on the project's own migrations ----------------------------------------------


def test_the_command_passes_on_the_project(capsys):
    call_command("check_migrations")
    assert "Migrations safe for a rolling upgrade" in capsys.readouterr().out


def test_the_command_fails_naming_the_migration_when_a_release_is_left_out(tmp_path, capsys):
    # A record from before 0013 shipped: 0013 adds a NOT NULL column with `default=`, which
    # the database does not keep, so 0.1.0's inserts would fail during the upgrade.
    record = tmp_path / "released.txt"
    lines = Path(check_migrations.default_record()).read_text().splitlines()
    kept = [line for line in lines if not line.startswith("tracker.001") or line < "tracker.0013"]
    record.write_text("\n".join(kept) + "\n")
    with pytest.raises(CommandError, match="would break the version still running"):
        call_command("check_migrations", "--released", str(record))
    out = capsys.readouterr().out
    assert "tracker.0013_item_version, operation 1 (AddField" in out
    assert "db_default" in out


def test_mark_released_adds_the_new_migrations_under_the_version(tmp_path, capsys, monkeypatch):
    # The recording procedure alone: the judgement is the other tests' business.
    monkeypatch.setattr(migration_safety, "check", lambda *args, **kwargs: [])
    # The record as it was before 0.2.0 (tracker 0001-0016), whatever has been released since.
    record = tmp_path / "released.txt"
    lines = Path(check_migrations.default_record()).read_text().splitlines()
    record.write_text(
        "\n".join(line for line in lines if line.startswith("[0.1.0]") or line < "tracker.0017")
        + "\n"
    )
    call_command("check_migrations", "--released", str(record), "--mark-released", "9.9.9")
    released = migration_safety.parse_released(record.read_text())
    assert released[("tracker", "0017_list_indexes")] == "9.9.9"
    assert released[("tracker", "0001_initial")] == "0.1.0"
    call_command("check_migrations", "--released", str(record))
    assert "0 not yet released (none)" in capsys.readouterr().out


def test_the_command_refuses_a_record_naming_a_migration_that_does_not_exist(tmp_path):
    record = tmp_path / "released.txt"
    record.write_text("[0.1.0]\ntracker.0999_gone\n")
    with pytest.raises(CommandError, match="tracker.0999_gone"):
        call_command("check_migrations", "--released", str(record))
