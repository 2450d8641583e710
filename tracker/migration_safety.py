"""Would a migration break the version still running during a rolling upgrade? (issue 23)

An upgrade runs `migrate` while the last release still serves requests, then restarts the
web and worker processes one at a time, so for a while both versions use one database. A
migration is safe when the last release keeps working against the schema it leaves: it may
add (a table, a nullable column, a column with a database default, an index) but not take
away or change what the last release reads and writes. Taking away waits for the release
after the one that stopped using it ("expand, then contract": docs/upgrades.md).

`check(plan, released)` judges every migration that is not in the released record, with
nothing but Django's migration state (no database, nothing of the apps):

1. The migrations of the record (and of apps left out of the check) are applied in plan
   order to two `ProjectState`s: one for the models (what the code knows) and one for the
   database (what the tables hold; they differ after `SeparateDatabaseAndState`). The model
   state they reach is what the running release knows.
2. Each other migration's operations are applied in order, each judged first: an operation
   that changes the database is judged against what the running release knows (does it
   still use the column this drops? can it still insert rows without the column this
   adds?); an operation that changes only the model state is judged against the database
   (will the new version's inserts, which leave the column out, still work?).
3. `RunSQL` and `RunPython` cannot be read: they need a reason on the migration
   (`safe_for_rolling_upgrade = "..."`), which also acknowledges the other findings that
   need a person's judgement. Findings that certainly break the running release are not
   silenced by it; a release that accepts downtime says so (`requires_downtime = "..."`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState, ProjectState
from django.db.models import Field, UniqueConstraint
from django.db.models.fields import NOT_PROVIDED

# Attributes a migration class may set (a sentence each, saying why).
REVIEWED = "safe_for_rolling_upgrade"
DOWNTIME = "requires_downtime"

BREAKS = "breaks the running version"
REVIEW = "needs review"
REVIEWED_OK = "reviewed"
DOWNTIME_OK = "needs downtime"
WARNING = "warning"
FAILING = frozenset({BREAKS, REVIEW})

GUIDE = "docs/upgrades.md"
Key = tuple[str, str]
if TYPE_CHECKING:  # django-stubs makes Field generic; Django's class is not subscriptable
    AnyField = Field[Any, Any]


@dataclass(frozen=True)
class Finding:
    """One thing a migration does that the running version may not survive."""

    migration: str
    operation: str
    severity: str
    message: str

    @property
    def fails(self) -> bool:
        return self.severity in FAILING

    def __str__(self) -> str:
        return f"{self.migration}, {self.operation}: [{self.severity}] {self.message}"


# The released record ----------------------------------------------------------------------


def parse_released(text: str) -> dict[Key, str]:
    """Read the record: `[version]` headings, then one `app_label.migration_name` a line."""
    released: dict[Key, str] = {}
    version = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            version = line[1:-1].strip()
            continue
        app_label, dot, name = line.partition(".")
        if not dot or not app_label or not name or " " in line or not version:
            raise ValueError(
                f"Line {number} of the released record is not `app_label.migration_name` "
                f"under a `[version]` heading: {raw!r}"
            )
        released[(app_label, name)] = version
    return released


def format_release(version: str, keys: Iterable[Key]) -> str:
    """The lines to append to the record when `version` ships `keys`."""
    lines = [f"[{version}]", *(f"{app}.{name}" for app, name in keys)]
    return "\n".join(lines) + "\n"


# The check ----------------------------------------------------------------------------------


def check(
    plan: Sequence[migrations.Migration],
    released: Collection[Key],
    *,
    apps: Collection[str] | None = None,
    big_tables: Collection[str] = (),
) -> list[Finding]:
    """Findings for the migrations of `plan` (in dependency order) not in `released`.

    `apps` limits the check to those app labels (the others count as released);
    `big_tables` are tables where building an index blocks writes for long enough to warn.
    """
    released_keys = set(released)
    known = {(m.app_label, m.name) for m in plan}

    def is_released(migration: migrations.Migration) -> bool:
        if apps is not None and migration.app_label not in apps:
            return True
        return (migration.app_label, migration.name) in released_keys

    code, database = ProjectState(), ProjectState()
    applying = _Walk(code, database, None, (), "", [])
    findings: list[Finding] = []
    for migration in plan:
        if not is_released(migration):
            continue
        for dependency in migration.dependencies:
            key = (dependency[0], dependency[1])
            if key in known and key not in released_keys and (apps is None or key[0] in apps):
                findings.append(
                    Finding(
                        _label(migration),
                        "dependencies",
                        BREAKS,
                        f"is in the released record but depends on {key[0]}.{key[1]}, which is "
                        "not: a release cannot have shipped one without the other. Add the "
                        "missing migration to the record under the same release.",
                    )
                )
        for operation in migration.operations:
            applying.visit(migration.app_label, operation, to_code=True, to_database=True)
    running = code.clone()
    for migration in plan:
        if is_released(migration):
            continue
        walk = _Walk(code, database, running, big_tables, _label(migration), [])
        for number, operation in enumerate(migration.operations, start=1):
            walk.number = number
            walk.visit(migration.app_label, operation, to_code=True, to_database=True)
        findings.extend(_acknowledge(migration, walk.finish()))
    return findings


def _label(migration: migrations.Migration) -> str:
    return f"{migration.app_label}.{migration.name}"


def _acknowledge(migration: migrations.Migration, found: list[Finding]) -> list[Finding]:
    reviewed = str(getattr(migration, REVIEWED, "") or "").strip()
    downtime = str(getattr(migration, DOWNTIME, "") or "").strip()
    result = []
    for finding in found:
        if finding.severity == REVIEW and reviewed:
            finding = Finding(
                finding.migration, finding.operation, REVIEWED_OK, f"{REVIEWED}: {reviewed}"
            )
        elif finding.severity in FAILING and downtime:
            finding = Finding(
                finding.migration,
                finding.operation,
                DOWNTIME_OK,
                f"{finding.message} Accepted with {DOWNTIME}: {downtime}. Stop every web and "
                "worker process of the old version before `migrate`.",
            )
        result.append(finding)
    return result


# Reading a state ------------------------------------------------------------------------------


def _model(state: ProjectState, app_label: str, name: str) -> ModelState | None:
    return state.models.get((app_label, name.lower()))


def _field(state: ProjectState, app_label: str, model: str, name: str) -> AnyField | None:
    model_state = _model(state, app_label, model)
    return None if model_state is None else model_state.fields.get(name)


def _has_table(model_state: ModelState) -> bool:
    options = model_state.options
    return not options.get("proxy") and options.get("managed", True) is not False


def _table(app_label: str, model_state: ModelState) -> str:
    return str(model_state.options.get("db_table") or f"{app_label}_{model_state.name_lower}")


def _column(name: str, field: AnyField) -> str | None:
    if field.many_to_many:
        return None
    if field.db_column:
        return str(field.db_column)
    return f"{name}_id" if field.is_relation else name


def _can_be_left_out(field: AnyField) -> bool:
    """Can an INSERT that does not name this field's column succeed?"""
    return bool(
        field.many_to_many
        or field.null
        or field.db_default is not NOT_PROVIDED
        or getattr(field, "generated", False)
        or field.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
    )


def _indexed(field: AnyField) -> bool:
    return bool(getattr(field, "db_index", False) or field.unique or field.primary_key)


# The widening a running version survives: it writes values that still fit, and reads them
# back as the same Python type.
_RANKS: dict[str, tuple[str, int, bool]] = {
    "SmallIntegerField": ("integer", 1, True),
    "IntegerField": ("integer", 2, True),
    "BigIntegerField": ("integer", 3, True),
    "PositiveSmallIntegerField": ("integer", 1, False),
    "PositiveIntegerField": ("integer", 2, False),
    "PositiveBigIntegerField": ("integer", 3, False),
    "SmallAutoField": ("integer", 1, True),
    "AutoField": ("integer", 2, True),
    "BigAutoField": ("integer", 3, True),
    "CharField": ("text", 1, True),
    "SlugField": ("text", 1, True),
    "FileField": ("text", 1, True),
    "FilePathField": ("text", 1, True),
    "TextField": ("text", 2, True),
}


def _type_change(old: AnyField, new: AnyField) -> str | None:
    """How `new` narrows or changes the column type of `old`, or None if it does not."""
    old_type, new_type = old.get_internal_type(), new.get_internal_type()
    if old.is_relation or new.is_relation:
        old_target = getattr(old.remote_field, "model", None) if old.remote_field else None
        new_target = getattr(new.remote_field, "model", None) if new.remote_field else None
        if old_type != new_type:
            return f"it changes the column from {old_type} to {new_type}"
        if str(old_target).lower() != str(new_target).lower():
            return f"it points the column at another table ({old_target} to {new_target})"
        return None
    if old_type == "DecimalField" and new_type == "DecimalField":
        old_digits, new_digits = old.max_digits or 0, new.max_digits or 0  # type: ignore[attr-defined]
        old_places, new_places = old.decimal_places or 0, new.decimal_places or 0  # type: ignore[attr-defined]
        if new_places < old_places or new_digits - new_places < old_digits - old_places:
            return "it makes the decimal column hold fewer digits"
        return None
    old_rank, new_rank = _RANKS.get(old_type), _RANKS.get(new_type)
    if old_rank is None or new_rank is None:
        return (
            None if old_type == new_type else f"it changes the column from {old_type} to {new_type}"
        )
    if old_rank[0] != new_rank[0]:
        return f"it changes the column from {old_type} to {new_type}"
    if new_rank[1] < old_rank[1]:
        return f"it narrows the column from {old_type} to {new_type}"
    if old_rank[2] and not new_rank[2]:
        return f"it forbids negative numbers ({old_type} to {new_type})"
    if old_rank[1] == new_rank[1] and old_rank[0] == "text":
        old_length, new_length = old.max_length, new.max_length
        if old_length is not None and new_length is not None and new_length < old_length:
            return f"it shortens the column from {old_length} to {new_length} characters"
    return None


# Walking the operations ------------------------------------------------------------------


class _Walk:
    """Applies operations to the two states and, when judging, records findings."""

    def __init__(
        self,
        code: ProjectState,
        database: ProjectState,
        running: ProjectState | None,
        big_tables: Collection[str],
        migration: str,
        findings: list[Finding],
    ) -> None:
        self.code, self.database, self.running = code, database, running
        self.big_tables = set(big_tables)
        self.migration = migration
        self.findings = findings
        self.renamed_tables: list[tuple[Finding, str, str, str]] = []
        self.number = 0

    def visit(
        self, app_label: str, operation: Operation, *, to_code: bool, to_database: bool
    ) -> None:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            for inner in operation.state_operations:
                self.visit(app_label, inner, to_code=to_code, to_database=False)
            for inner in operation.database_operations:
                self.visit(app_label, inner, to_code=False, to_database=to_database)
            return
        if isinstance(operation, migrations.RunSQL | migrations.RunPython):
            if to_database and not _is_noop(operation):
                self.found(
                    operation,
                    REVIEW,
                    "runs code the check cannot read. Make sure the running version keeps "
                    "working while and after it runs (no column or table it uses is dropped, "
                    "renamed or made NOT NULL; a data change in batches that does not lock "
                    "big tables for long), then say why on the migration: "
                    f'`{REVIEWED} = "..."`.',
                )
            # RunSQL's state_operations say what its SQL does: judge them as if they ran.
            for inner in getattr(operation, "state_operations", None) or ():
                self.visit(app_label, inner, to_code=to_code, to_database=to_database)
            return
        if self.running is not None:
            if to_database:
                self.judge_database(app_label, operation)
            elif to_code:
                self.judge_code_only(app_label, operation)
        if to_code:
            operation.state_forwards(app_label, self.code)
        if to_database:
            # The database state may lose track after SQL it cannot read (a column dropped by
            # RunSQL, say); Django's own state, above, is the one that must hold.
            with suppress(LookupError, ValueError):
                operation.state_forwards(app_label, self.database)

    def found(self, operation: Operation, severity: str, message: str) -> None:
        self.findings.append(self.finding(operation, severity, message))

    def finding(self, operation: Operation, severity: str, message: str) -> Finding:
        described = f"operation {self.number} ({type(operation).__name__}: {operation.describe()})"
        return Finding(self.migration, described, severity, message)

    def finish(self) -> list[Finding]:
        """The findings, less table renames that a later operation of the migration undid.

        Django writes a model renamed with its table kept as RenameModel, then
        AlterModelTable back to the old name: in one transaction, nothing changes.
        """
        for finding, app_label, model, old_table in self.renamed_tables:
            model_state = _model(self.database, app_label, model)
            if model_state is None or _table(app_label, model_state) != old_table:
                self.findings.append(finding)
        return self.findings

    def running_uses(self, app_label: str, model: str, field: str | None = None) -> bool:
        if self.running is None:
            return False
        model_state = _model(self.running, app_label, model)
        if model_state is None or not _has_table(model_state):
            return False
        return field is None or field in model_state.fields

    # Operations that change the database ---------------------------------------------------

    def judge_database(self, app_label: str, operation: Operation) -> None:
        if isinstance(operation, migrations.RemoveField):
            self.judge_remove_field(app_label, operation)
        elif isinstance(operation, migrations.DeleteModel):
            if self.running_uses(app_label, operation.name):
                model_state = _model(self.database, app_label, operation.name)
                table = _table(app_label, model_state) if model_state else operation.name_lower
                self.found(
                    operation,
                    BREAKS,
                    f"drops the table {table}, which the running version still uses. In this "
                    "release delete the model from the code and record only that "
                    "(`migrations.SeparateDatabaseAndState(state_operations=[migrations."
                    f"DeleteModel({operation.name!r})])`); drop the table in the next release. "
                    f"See {GUIDE}.",
                )
        elif isinstance(operation, migrations.RenameField):
            self.judge_rename_field(app_label, operation)
        elif isinstance(operation, migrations.RenameModel | migrations.AlterModelTable):
            self.judge_rename_table(app_label, operation)
        elif isinstance(operation, migrations.AddField):
            self.judge_new_column(app_label, operation, operation.model_name, operation.name)
            self.judge_index(app_label, operation, operation.model_name, _indexed(operation.field))
        elif isinstance(operation, migrations.AlterField):
            self.judge_alter_field(app_label, operation)
        elif type(operation).__name__ in {"AddIndexConcurrently", "RemoveIndexConcurrently"}:
            return
        elif isinstance(operation, migrations.AddIndex):
            self.judge_index(app_label, operation, operation.model_name, True)
        elif isinstance(operation, migrations.AddConstraint):
            # (django-stubs does not declare AddConstraint's attributes.)
            unique = isinstance(getattr(operation, "constraint", None), UniqueConstraint)
            self.judge_index(
                app_label, operation, str(getattr(operation, "model_name", "")), unique
            )
        elif isinstance(operation, migrations.AlterUniqueTogether):
            self.judge_index(app_label, operation, operation.name, bool(operation.unique_together))

    def judge_remove_field(self, app_label: str, operation: migrations.RemoveField) -> None:
        if not self.running_uses(app_label, operation.model_name, operation.name):
            return
        model_state = _model(self.database, app_label, operation.model_name)
        field = _field(self.database, app_label, operation.model_name, operation.name)
        table = _table(app_label, model_state) if model_state else operation.model_name_lower
        column = _column(operation.name, field) if field is not None else operation.name
        what = (
            f"the column {table}.{column}" if column else f"the table of {table}.{operation.name}"
        )
        before = (
            ""
            if field is None or _can_be_left_out(field)
            else " (first make the column nullable with AlterField(null=True), or give it a "
            "db_default, so that the new version's inserts work without it)"
        )
        self.found(
            operation,
            BREAKS,
            f"drops {what}, which the running version still reads and writes: its queries "
            "fail as soon as this migration runs. In this release remove the field from the "
            "model and record only that (`migrations.SeparateDatabaseAndState(state_operations="
            f"[migrations.RemoveField({operation.model_name!r}, {operation.name!r})])`){before}; "
            f"drop the column in the next release. See {GUIDE}.",
        )

    def judge_rename_field(self, app_label: str, operation: migrations.RenameField) -> None:
        if not self.running_uses(app_label, operation.model_name, operation.old_name):
            return
        field = _field(self.database, app_label, operation.model_name, operation.old_name)
        if field is None or field.db_column:
            return  # the column keeps its name
        self.found(
            operation,
            BREAKS,
            f"renames the column {operation.old_name} to {operation.new_name}, and the running "
            "version still uses the old name. Either keep the column and rename only the field "
            f"(`db_column={_column(operation.old_name, field)!r}` on the renamed field), or add "
            "the new column (nullable), write both and copy the old values in this release, "
            f"read the new one in the next, and drop the old one after that. See {GUIDE}.",
        )

    def judge_rename_table(
        self, app_label: str, operation: migrations.RenameModel | migrations.AlterModelTable
    ) -> None:
        old_name = (
            operation.old_name if isinstance(operation, migrations.RenameModel) else operation.name
        )
        if not self.running_uses(app_label, old_name):
            return
        model_state = _model(self.database, app_label, old_name)
        if model_state is None:
            return
        after = self.database.clone()
        operation.state_forwards(app_label, after)
        new_name = (
            operation.new_name if isinstance(operation, migrations.RenameModel) else operation.name
        )
        new_state = _model(after, app_label, new_name)
        old_table = _table(app_label, model_state)
        if new_state is None or _table(app_label, new_state) == old_table:
            return
        finding = self.finding(
            operation,
            BREAKS,
            f"renames the table {old_table} to {_table(app_label, new_state)}, and the running "
            "version still uses the old name. Keep the table's name (`db_table = "
            f"{old_table!r}` in the model's Meta) and rename only the model. See {GUIDE}.",
        )
        self.renamed_tables.append((finding, app_label, new_name, old_table))

    def judge_new_column(self, app_label: str, operation: Operation, model: str, name: str) -> None:
        """A column the running version does not know must accept its inserts without it."""
        if not self.running_uses(app_label, model) or self.running_uses(app_label, model, name):
            return
        after = self.database.clone()
        operation.state_forwards(app_label, after)
        field = _field(after, app_label, model, name)
        if field is None or _can_be_left_out(field):
            return
        self.found(
            operation,
            BREAKS,
            f"makes {model}.{name} a NOT NULL column without a database default, and the "
            "running version, which does not know the column, inserts rows without it. Give "
            "the field `db_default=...` (kept in the database, unlike `default=`), or add it "
            f"with `null=True` and make it NOT NULL in a later release. See {GUIDE}.",
        )

    def judge_alter_field(self, app_label: str, operation: migrations.AlterField) -> None:
        model, name = operation.model_name, operation.name
        old = _field(self.database, app_label, model, name)
        new = operation.field
        if old is None:
            return
        if _can_be_left_out(old):  # (a column added NOT NULL was judged when it was added)
            self.judge_new_column(app_label, operation, model, name)
        self.judge_index(app_label, operation, model, _indexed(new) and not _indexed(old))
        if not self.running_uses(app_label, model, name):
            return
        change = _type_change(old, new)
        if change:
            self.found(
                operation,
                BREAKS,
                f"changes {model}.{name} in a way the running version may not survive: "
                f"{change}. Add a new column of the new type instead, write both and copy "
                "the old values in this release, switch reads in the next, and drop the old "
                f"column after that. See {GUIDE}.",
            )
        old_column, new_column = _column(name, old), _column(name, new)
        if old_column != new_column:
            self.found(
                operation,
                BREAKS,
                f"renames the column {old_column} to {new_column}, and the running version "
                f"still uses the old name. See {GUIDE}.",
            )
        if old.null and not new.null:
            self.found(
                operation,
                REVIEW,
                f"makes {model}.{name} NOT NULL, and the running version may still write NULL "
                "there. Safe only when the running version always writes a value (it was the "
                "release that started to) and earlier rows have been filled in; then say so: "
                f'`{REVIEWED} = "..."`. Otherwise keep it nullable until the next release. '
                f"See {GUIDE}.",
            )

    def judge_index(self, app_label: str, operation: Operation, model: str, index: bool) -> None:
        if not index or not self.big_tables:
            return
        model_state = _model(self.database, app_label, model)
        if model_state is None or not self.running_uses(app_label, model):
            return
        table = _table(app_label, model_state)
        if table not in self.big_tables:
            return
        self.found(
            operation,
            WARNING,
            f"builds an index on {table}, a big table; on PostgreSQL that blocks writes to it "
            "until the index is built. Build it concurrently on PostgreSQL instead (state-only "
            "AddIndex plus a RunPython that calls add_index(..., concurrently=True) there, in a "
            f"migration with `atomic = False`: the recipe in {GUIDE} also runs on SQLite).",
        )

    # Operations that change only the models ----------------------------------------------

    def judge_code_only(self, app_label: str, operation: Operation) -> None:
        if not isinstance(operation, migrations.RemoveField):
            return
        field = _field(self.database, app_label, operation.model_name, operation.name)
        if field is None or _can_be_left_out(field):
            return
        self.found(
            operation,
            BREAKS,
            f"stops using {operation.model_name}.{operation.name} but leaves it a NOT NULL "
            "column without a database default, so the new version's inserts, which leave it "
            "out, fail. Before the state-only removal, make the column nullable "
            f"(`migrations.AlterField(..., null=True)`) or give it a db_default. See {GUIDE}.",
        )


def _is_noop(operation: Operation) -> bool:
    if isinstance(operation, migrations.RunPython):
        return bool(operation.code is migrations.RunPython.noop)
    if isinstance(operation, migrations.RunSQL):
        sql = operation.sql
        return sql == migrations.RunSQL.noop or not sql
    return False


def unreleased(
    plan: Iterable[migrations.Migration], released: Collection[Key], apps: Collection[str]
) -> list[Key]:
    """The migrations of `apps` in `plan` that are not yet in the record, in order."""
    return [
        (m.app_label, m.name)
        for m in plan
        if m.app_label in apps and (m.app_label, m.name) not in released
    ]
