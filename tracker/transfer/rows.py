"""Write the rows of a checked file, as kinds.py describes them: the one way every kind of row
is found again by its natural key and created, updated, or (history) created once.

Every row is validated like a form would validate it (lengths, choices, URLs, slugs) before it
is saved; the first problem stops the import with ImportRejected.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import models

from tracker.files import StorageError, write_atomic
from tracker.models import Finding
from tracker.transfer.fields import Refs
from tracker.transfer.kinds import Kind


class ImportRejected(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("The file was not imported:\n  " + "\n  ".join(shown) + more)


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, outcome: str | None) -> None:
        if outcome == "created":
            self.created[kind] = self.created.get(kind, 0) + 1
        elif outcome == "updated":
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "Nothing changed: everything in the file was already here."
        parts = [f"created {n} {k}" for k, n in sorted(self.created.items())]
        parts += [f"updated {n} {k}" for k, n in sorted(self.updated.items())]
        return "Imported: " + ", ".join(parts) + "."


def rows_of(parent: dict, kind: Kind, where: str) -> Iterator[tuple[dict, str]]:
    """The rows of `kind` in `parent` (a checked document or row), with where each is."""
    prefix = "" if where == "file" else f"{where}."
    for i, row in enumerate(parent.get(kind.listed_as, [])):
        yield row, f"{prefix}{kind.listed_as}[{i}]"


class Importer:
    """Writes a checked document, row by row. The transaction is import_tracker's; files
    written so far are removed when it rolls back."""

    def __init__(self, *, now: datetime.datetime, only_missing: bool) -> None:
        self.now = now
        self.only_missing = only_missing
        self.result = ImportResult()
        self.written_files: list[Path] = []
        # What the file's references resolve to, filled in as the load goes.
        self.refs = Refs()
        self.findings: dict[str, Finding] = {}

    def reject(self, where: str, message: str) -> NoReturn:
        raise ImportRejected([f"{where}: {message}"])

    def read(self, kind: Kind, source: dict, **known: Any) -> tuple[dict, dict]:
        """The natural key and the values of one row of the file. `known` gives what the load
        already has (the row it belongs to, values it worked out), in place of the file's.

        Rows that can be updated take only the fields the file gives: absent fields are left
        out, so a partial document (like the seed files) never wipes what people recorded."""
        lookup = {}
        for attr in kind.key:
            if attr in known:
                lookup[attr] = known[attr]
            else:
                key_field = kind.field(attr)
                lookup[attr] = key_field.read(source.get(key_field.key), self.refs)
        values = {name: value for name, value in known.items() if name not in kind.key}
        for f in kind.fields:
            if f.attr is None or f.attr in kind.key or f.attr in known:
                continue
            if not kind.append_only and f.key not in source:
                continue
            value = f.read(source.get(f.key), self.refs)
            if value is not None or f.keep_empty:
                values[f.attr] = value
        return lookup, values

    def save(self, kind: Kind, source: dict, where: str, **known: Any) -> tuple[Any, str | None]:
        """Read one row of the file and write it; the row, and "created", "updated" or None."""
        lookup, values = self.read(kind, source, **known)
        return self.put(kind, lookup, values, where)

    def put(
        self,
        kind: Kind,
        lookup: dict,
        values: dict,
        where: str,
        *,
        create_defaults: dict | None = None,
    ) -> tuple[Any, str | None]:
        if kind.append_only:
            return self._create_once(kind, lookup, values, where)
        return self._upsert(kind, lookup, values, where, create_defaults)

    def _upsert(self, kind, lookup, values, where, create_defaults):
        """Create the row, or update only the fields that differ."""
        row = kind.model.objects.filter(**lookup).first()
        if row is None:
            row = kind.model(**lookup, **{**(create_defaults or {}), **values})
            self._validate(row, where)
            row.save()
            self.result.add(kind.counted_as, "created")
            return row, "created"
        if self.only_missing:
            return row, None
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        if not changed:
            return row, None
        for k in changed:
            setattr(row, k, values[k])
        self._validate(row, where)
        row.save(update_fields=changed)
        self.result.add(kind.counted_as, "updated")
        return row, "updated"

    def _create_once(self, kind, lookup, values, where):
        """Append-only rows: created when their uuid is new, otherwise left as they are."""
        existing = kind.model.objects.filter(**lookup).first()
        if existing is not None:
            return existing, None
        row = kind.model(**lookup, **values)
        self._validate(row, where)
        row.save()
        self.result.add(kind.counted_as, "created")
        return row, "created"

    def _validate(self, row: models.Model, where: str) -> None:
        """Validate the row as a form would, its organisations too: each model's
        `limit_choices_to` says which kinds it takes (a fire and rescue service where a
        force's items are, issue 17; only a police force for a statutory response)."""
        try:
            row.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            problems = [
                f"{where}.{field}: {' '.join(messages)}"
                for field, messages in exc.message_dict.items()
            ]
            raise ImportRejected(problems) from None

    def write_file(self, path: Path, data: bytes) -> None:
        """Store a file the document carries, all or nothing. A full disk (or a folder the
        server may not write to) stops the import with the reason, leaving no part of it."""
        if path.exists():
            return
        try:
            write_atomic(path, data)
        except StorageError as exc:
            raise ImportRejected([f"{path.name}: {exc.message}"]) from exc
        self.written_files.append(path)

    def remove_written_files(self) -> None:
        for path in self.written_files:
            path.unlink(missing_ok=True)
