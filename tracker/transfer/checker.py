"""The checks a value of an import file gets, and what the file's references may point at.

A Checker collects every problem with where it is and never stops at the first one. check.py
walks the document with it; the field types in fields.py each call one of its checks.
"""

import datetime
import uuid as uuidlib
from collections.abc import Callable, Iterator
from typing import Any

from accounts.models import POLICING_BODY_KINDS, Organisation, ProtectiveMarking, User
from tracker.models import INSPECTED_KINDS, DeadlineRule, Finding

# The pseudo-kind of a reference that may be a police force or a fire and rescue service
# (kinds.INSPECTED; issue 17).
INSPECTED = "inspected"


def _accepted(kind: str) -> tuple[str, ...]:
    """The kinds a reference of this kind may be: any kind of local policing body (PCC,
    police authority, mayor, Policing and Crime Board) where a local policing body is asked,
    and a police force or a fire and rescue service where the model takes either (issue 17:
    a service governed by a Police, Fire and Crime Commissioner takes a force's place in a
    report, its findings and items). Where a police force is asked (a statutory response),
    only a police force."""
    if kind == Organisation.Kind.LOCAL_POLICING_BODY:
        return POLICING_BODY_KINDS
    if kind == INSPECTED:
        return INSPECTED_KINDS
    return (kind,)


def _kind_wanted(kind: str) -> str:
    if kind == INSPECTED:
        return "police force or fire and rescue service"
    return str(Organisation.Kind(kind).label).lower()


class Checker:
    """Walks the document and collects every problem, with where it is."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        # What references may point at: rows already in the database, and then the file's own
        # rows as they are checked (an organisation's kind is None when the file's is wrong).
        self.org_kinds: dict[str, str | None] = dict(
            Organisation.objects.values_list("code", "kind")
        )
        self.emails = set(User.objects.values_list("email", flat=True))
        self.finding_keys = set(Finding.objects.values_list("key", flat=True))
        self.report_published: dict[str, datetime.date] = dict(
            Finding.objects.values_list("key", "report__published_on")
        )
        self.rule_keys = set(DeadlineRule.objects.values_list("key", flat=True))
        # The rules whose deadlines have the steps after a response (provided, published).
        self.step_rule_keys = set(
            DeadlineRule.objects.exclude(publication_by="").values_list("key", flat=True)
        )
        # The protective markings (by label, then rank) here; the file's are added as checked.
        self.marking_ranks: dict[str, int] = dict(
            ProtectiveMarking.objects.values_list("label", "rank")
        )
        # Each report's findings here, and the findings a response's Welsh texts may name.
        self.report_findings_here: dict[str, set[str]] = {}
        for key, report_key in Finding.objects.values_list("key", "report__key"):
            self.report_findings_here.setdefault(report_key, set()).add(key)
        self.response_finding_keys: set[str] = set()
        # What the file has used so far: keys and names that must not appear twice in it.
        self.file_finding_keys: set[str] = set()
        self.report_finding_keys: set[str] = set()
        self.seen_uuids: set[str] = set()
        self.stored_names: set[str] = set()
        # The evidence of the item being checked, which its closure proposals may name.
        self.evidence_ids: set[str] = set()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def obj(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return {}
        return value

    def list_of(self, parent: dict, name: str, where: str, required: bool = False) -> list:
        value = parent.get(name, [] if not required else None)
        if value is None and required:
            self.fail(where, f"“{name}” is missing")
            return []
        if not isinstance(value, list):
            self.fail(f"{where}.{name}", "must be a list")
            return []
        return value

    def rows(self, parent: dict, name: str, where: str) -> Iterator[tuple[dict, str]]:
        """Each object in the list `name` of `parent`, with where it is (`reports[2]` at the
        top of the file, `reports[2].findings[0]` inside a row)."""
        prefix = "" if where == "file" else f"{where}."
        for i, row in enumerate(self.list_of(parent, name, where)):
            row_where = f"{prefix}{name}[{i}]"
            yield self.obj(row, row_where), row_where

    def text(
        self,
        parent: dict,
        name: str,
        where: str,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = parent.get(name)
        if value is None or value == "":
            if required:
                self.fail(where, f"“{name}” is missing")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{name}", "must be text")
            return ""
        if max_length and len(value) > max_length:
            self.fail(f"{where}.{name}", f"must be {max_length} characters or fewer")
        return value

    def choice(
        self,
        parent: dict,
        name: str,
        where: str,
        choices: list,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        value = parent.get(name, default)
        if value is None and not required:
            return None
        if value not in choices:
            self.fail(f"{where}.{name}", f"{value!r} is not one of {', '.join(map(str, choices))}")
            return None
        return value

    def parsed(
        self,
        parent: dict,
        name: str,
        where: str,
        required: bool,
        parse: Callable[[str], Any],
        accept: Callable[[Any], bool],
        describe: str,
    ) -> Any:
        """A value written as text (a date, a time, a uuid): `parse` reads it, `accept` says
        whether what it read is allowed, `describe` says what it must be."""
        value = parent.get(name)
        if value in (None, ""):
            if required:
                self.fail(where, f"“{name}” is missing")
            return None
        try:
            parsed = parse(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or not accept(parsed):
            self.fail(f"{where}.{name}", f"{value!r} is not {describe}")
            return None
        return parsed

    def uuid_once(self, value: uuidlib.UUID, where: str) -> None:
        """History rows are found again by uuid, so one uuid names one row of the file."""
        if str(value) in self.seen_uuids:
            self.fail(where, f"{value} appears twice in the file")
        self.seen_uuids.add(str(value))

    def whole(self, parent: dict, name: str, where: str) -> None:
        value = parent.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            self.fail(f"{where}.{name}", f"{value!r} is not a whole number of 0 or more")

    def flag(self, parent: dict, name: str, where: str, default: bool = False) -> bool:
        value = parent.get(name, default)
        if not isinstance(value, bool):
            self.fail(f"{where}.{name}", "must be true or false")
            return default
        return value

    def org_ref(self, value, where: str, kind: str | None = None, required: bool = True) -> None:
        """A reference to an organisation (of one kind) in the file or the database."""
        if value in (None, ""):
            if required:
                self.fail(where, "is missing")
            return
        if not isinstance(value, str):
            self.fail(where, "must be an organisation code")
        elif value not in self.org_kinds:
            self.fail(where, f"no organisation with code {value!r}")
        elif kind and self.org_kinds.get(value) not in _accepted(kind):
            found = self.org_kinds.get(value)
            if kind == Organisation.Kind.FORCE and found == Organisation.Kind.FIRE_AND_RESCUE:
                # Only a statutory response asks for a police force alone.
                self.fail(
                    where,
                    f"{value!r} is a fire and rescue service, not a police force: it has no "
                    "statutory response (section 55 of the Police Act 1996 is about police "
                    "forces)",
                )
            else:
                self.fail(where, f"{value!r} is not a {_kind_wanted(kind)}")

    def marking_ref(self, value, where: str) -> None:
        """A protective marking by its label, from the file's list or this tracker's."""
        if value in (None, ""):
            return
        if not isinstance(value, str):
            self.fail(where, "must be a protective marking's label")
        elif value not in self.marking_ranks:
            known = ", ".join(sorted(self.marking_ranks, key=self.marking_ranks.__getitem__))
            self.fail(
                where,
                f"{value!r} is not a protective marking in the file or here "
                f"(the markings: {known or 'none'})",
            )

    def person_ref(self, value, where: str) -> None:
        """A reference to a person in the file or the database, by email (any case)."""
        if value not in (None, "") and not isinstance(value, str):
            self.fail(where, "must be an email address")
        elif value not in (None, "") and value.lower() not in self.emails:
            self.fail(where, f"no person with email {value!r}")
