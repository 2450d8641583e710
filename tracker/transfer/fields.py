"""The kinds of value a row of an export file holds: how each is checked before anything is
written (`check`, with a Checker) and how it is read into a model field (`read`).

kinds.py lists the fields of each kind of row with these types.
"""

import base64
import hashlib
import ipaddress
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Organisation, ProtectiveMarking, Role, User
from tracker.evidence import STORED_NAME
from tracker.transfer.checker import Checker


@dataclass
class Refs:
    """What the references in a file resolve to, filled in as the load goes."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    markings: dict[str, ProtectiveMarking] = field(default_factory=dict)

    def org(self, code: str | None) -> Organisation | None:
        return self.orgs.get(code) if code else None

    def marking(self, label: str | None) -> ProtectiveMarking | None:
        return self.markings[label] if label else None

    def person(self, email: str | None) -> User | None:
        return self.people[email.lower()] if email else None


def text(value: Any) -> Any:
    return value or ""


def date(value: Any) -> Any:
    return parse_date(value) if value else None


def timestamp(value: Any) -> Any:
    return parse_datetime(value) if value else None


def unchanged(value: Any) -> Any:
    return value


def clipped(length: int) -> Callable[[Any], str]:
    """Text cut to the model field's length (the audit trail keeps what it can)."""
    return lambda value: text(value)[:length]


class Field:
    """A value written as the file gives it (through `convert`) and not checked first: the
    row's own validation checks it when it is saved."""

    convert: Callable[[Any], Any] = staticmethod(text)

    def __init__(
        self,
        key: str,
        *,
        to: str | None = None,
        stored: bool = True,
        convert: Callable[[Any], Any] | None = None,
        keep_empty: bool = True,
    ) -> None:
        self.key = key
        # The model field it is written to (None: not written as it is; load.py uses it).
        self.attr = (to or key) if stored else None
        # An empty value that is not kept leaves the stored one alone.
        self.keep_empty = keep_empty
        if convert is not None:
            self.convert = convert

    def check(self, c: Checker, row: dict, where: str) -> Any:
        return row.get(self.key)

    def read(self, value: Any, refs: Refs) -> Any:
        return self.convert(value)


class Text(Field):
    def __init__(
        self, key: str, *, required: bool = False, max_length: int | None = None, **options: Any
    ) -> None:
        super().__init__(key, **options)
        self.required = required
        self.max_length = max_length

    def check(self, c: Checker, row: dict, where: str) -> str:
        return c.text(row, self.key, where, required=self.required, max_length=self.max_length)


class Email(Text):
    """A person's email address; people are the same person whatever its case."""

    convert = staticmethod(str.lower)

    def check(self, c: Checker, row: dict, where: str) -> str:
        email = super().check(c, row, where).lower()
        if email and "@" not in email:
            c.fail(f"{where}.{self.key}", f"{email!r} is not an email address")
        return email


class FindingKey(Text):
    """A finding's key: one finding per key in the whole file."""

    def check(self, c: Checker, row: dict, where: str) -> str:
        key = super().check(c, row, where)
        if key in c.report_finding_keys or key in c.file_finding_keys:
            c.fail(f"{where}.{self.key}", f"{key!r} appears twice in the file")
        c.report_finding_keys.add(key)
        return key


class Ref(Text):
    """The key of a row in the file or the database: `among` names the Checker's set of such
    keys, and `unknown` says what is wrong with one that is not there."""

    def __init__(self, key: str, *, among: str, unknown: str, **options: Any) -> None:
        super().__init__(key, **options)
        self.among = among
        self.unknown = unknown

    def check(self, c: Checker, row: dict, where: str) -> str:
        value = super().check(c, row, where)
        if value and value not in getattr(c, self.among):
            c.fail(f"{where}.{self.key}", self.unknown.format(value))
        return value


class StoredName(Text):
    """The name an evidence file is stored under: one this app would have made (so a file
    cannot point outside the evidence folder), used by one evidence file only."""

    def check(self, c: Checker, row: dict, where: str) -> str:
        stored = super().check(c, row, where)
        if stored and not STORED_NAME.fullmatch(stored):
            c.fail(
                f"{where}.{self.key}",
                f"{stored!r} is not a name this app stores files "
                "under (32 hex digits and an allowed extension)",
            )
        if stored in c.stored_names:
            c.fail(f"{where}.{self.key}", "is used by two evidence files")
        c.stored_names.add(stored)
        return stored


class Choice(Field):
    """One of a list of values; `message` replaces the usual “is not one of …”."""

    def __init__(
        self,
        key: str,
        choices: list,
        *,
        required: bool = True,
        default: Any = None,
        message: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(key, **options)
        self.choices = choices
        self.required = required
        self.default = default
        self.message = message

    def check(self, c: Checker, row: dict, where: str) -> Any:
        if self.message is None:
            return c.choice(
                row, self.key, where, self.choices, required=self.required, default=self.default
            )
        value = row.get(self.key, self.default)
        if value not in self.choices:
            c.fail(f"{where}.{self.key}", self.message)
        return value


class Parsed(Field):
    """A value written as text and parsed: a date, a time, a uuid."""

    parse: Callable[[str], Any]
    describe: str

    def __init__(self, key: str, *, required: bool = False, **options: Any) -> None:
        super().__init__(key, **options)
        self.required = required

    @staticmethod
    def accept(value: Any) -> bool:
        return True

    def check(self, c: Checker, row: dict, where: str) -> Any:
        return c.parsed(row, self.key, where, self.required, self.parse, self.accept, self.describe)


class Date(Parsed):
    convert = staticmethod(date)
    parse = staticmethod(parse_date)
    describe = "a date in the form YYYY-MM-DD"


class Timestamp(Parsed):
    """A moment: a date and time with a UTC offset, within reason."""

    convert = staticmethod(timestamp)
    parse = staticmethod(parse_datetime)
    describe = "a date and time with a UTC offset, between 1900 and 2200"

    @staticmethod
    def accept(value: Any) -> bool:
        return value.tzinfo is not None and 1900 <= value.year <= 2200


class Uuid(Parsed):
    """A row's uuid. History rows are found again by it, so theirs are `unique` in the file."""

    convert = staticmethod(uuidlib.UUID)
    parse = staticmethod(uuidlib.UUID)
    describe = "a uuid"

    def __init__(
        self, key: str = "uuid", *, required: bool = True, unique: bool = True, **options: Any
    ) -> None:
        super().__init__(key, required=required, **options)
        self.unique = unique

    def check(self, c: Checker, row: dict, where: str) -> Any:
        value = super().check(c, row, where)
        if self.unique and value is not None:
            c.uuid_once(value, f"{where}.{self.key}")
        return value


class Whole(Field):
    """A whole number of 0 or more (or null, unless `required`)."""

    convert = staticmethod(int)

    def __init__(self, key: str, *, required: bool = False, **options: Any) -> None:
        super().__init__(key, **options)
        self.required = required

    def check(self, c: Checker, row: dict, where: str) -> Any:
        if self.required and row.get(self.key) is None:
            c.fail(where, f"“{self.key}” is missing")
            return None
        c.whole(row, self.key, where)
        return row.get(self.key)


class Flag(Field):
    convert = staticmethod(bool)

    def __init__(self, key: str, *, default: bool = False, **options: Any) -> None:
        super().__init__(key, **options)
        self.default = default

    def check(self, c: Checker, row: dict, where: str) -> bool:
        return c.flag(row, self.key, where, default=self.default)


class Org(Field):
    """An organisation's code; `kind` is the kind it must be."""

    def __init__(
        self, key: str, *, kind: str | None = None, required: bool = True, **options: Any
    ) -> None:
        super().__init__(key, **options)
        self.kind = kind
        self.required = required

    def check(self, c: Checker, row: dict, where: str) -> Any:
        c.org_ref(row.get(self.key), f"{where}.{self.key}", self.kind, required=self.required)
        return row.get(self.key)

    def read(self, value: Any, refs: Refs) -> Organisation | None:
        return refs.org(value)


class Marking(Field):
    """A protective marking, by its label: one of the file's list or of this tracker's (null or
    empty: no marking of its own, so the thing inherits one)."""

    def check(self, c: Checker, row: dict, where: str) -> Any:
        c.marking_ref(row.get(self.key), f"{where}.{self.key}")
        return row.get(self.key)

    def read(self, value: Any, refs: Refs) -> ProtectiveMarking | None:
        return refs.marking(value)


class OrgList(Org):
    """A list of organisation codes (a report's forces), written by load.py."""

    def __init__(self, key: str, *, kind: str) -> None:
        super().__init__(key, kind=kind, stored=False)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        for i, code in enumerate(c.list_of(row, self.key, where)):
            c.org_ref(code, f"{where}.{self.key}[{i}]", self.kind)
        return row.get(self.key)


class Person(Field):
    """A person's email address. A version's publisher is not `checked`: an unknown one is
    refused when the file is saved."""

    def __init__(self, key: str, *, checked: bool = True, **options: Any) -> None:
        super().__init__(key, **options)
        self.checked = checked

    def check(self, c: Checker, row: dict, where: str) -> Any:
        if self.checked:
            c.person_ref(row.get(self.key), f"{where}.{self.key}")
        return row.get(self.key)

    def read(self, value: Any, refs: Refs) -> User | None:
        return refs.person(value)


class Roles(Field):
    """A person's roles, written by load.py."""

    def __init__(self, key: str) -> None:
        super().__init__(key, stored=False)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        for role in c.list_of(row, self.key, where):
            if role not in Role.values:
                c.fail(f"{where}.{self.key}", f"{role!r} is not a role")
        return row.get(self.key)


class VersionNumber(Field):
    convert = staticmethod(unchanged)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        number = row.get(self.key)
        if not isinstance(number, int) or number < 1:
            c.fail(f"{where}.{self.key}", "must be a whole number, 1 or more")
        return number


class Content(Field):
    """A published response's content, exactly as it was published."""

    convert = staticmethod(unchanged)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        if not isinstance(row.get(self.key), dict):
            c.fail(f"{where}.{self.key}", "must be the published document's content (an object)")
        return row.get(self.key)


class Mapping(Field):
    """A JSON object kept as it is (what a transfer of functions moved); null is empty."""

    convert = staticmethod(lambda value: value or {})

    def check(self, c: Checker, row: dict, where: str) -> Any:
        value = row.get(self.key)
        if value is not None and not isinstance(value, dict):
            c.fail(f"{where}.{self.key}", "must be an object")
        return value


class FileContent(Field):
    """An evidence file's content in base64, which must match its sha256. load.py writes the
    file after checking it like an upload."""

    def __init__(self, key: str) -> None:
        super().__init__(key, stored=False)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        content = row.get(self.key)
        if content:
            try:
                data = base64.b64decode(content, validate=True)
            except (ValueError, TypeError):
                c.fail(f"{where}.{self.key}", "is not valid base64")
            else:
                if hashlib.sha256(data).hexdigest() != row.get("sha256"):
                    c.fail(f"{where}.{self.key}", "does not match its sha256")
        return content


class EvidenceList(Field):
    """The uuids of the evidence a closure proposal rests on: the same item's evidence."""

    def __init__(self, key: str) -> None:
        super().__init__(key, stored=False)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        for uuid in c.list_of(row, self.key, where):
            if str(uuid) not in c.evidence_ids:
                c.fail(f"{where}.{self.key}", f"{uuid!r} is not one of this item's evidence files")
        return row.get(self.key)


class Changes(Field):
    """What an audit event changed: each field's [before, after]."""

    convert = staticmethod(lambda value: value or {})

    def check(self, c: Checker, row: dict, where: str) -> Any:
        changes = row.get(self.key) or {}
        if not isinstance(changes, dict) or not all(
            isinstance(v, list) and len(v) == 2 for v in changes.values()
        ):
            c.fail(f"{where}.{self.key}", "must map each field to [before, after]")
        return changes


class IpAddress(Field):
    convert = staticmethod(lambda value: value or None)

    def check(self, c: Checker, row: dict, where: str) -> Any:
        if row.get(self.key):
            try:
                ipaddress.ip_address(row[self.key])
            except ValueError:
                c.fail(f"{where}.{self.key}", "must be an IP address or empty")
        return row.get(self.key)
