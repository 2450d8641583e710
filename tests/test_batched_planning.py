"""Batched planning (issue 16): many new items at once get exactly the rows that creating them
one by one gives (items, history, audit events, deadlines, reminders), in a number of queries
that does not grow with how many there are.

The reference is the one-by-one path the imports used before: `services.item_create` for each
item, then `services.item_set_status` for one that starts "In progress", and for a
spreadsheet's new findings, each made and audited in turn. Each way runs in a savepoint that
is rolled back, so both start from the same database; their rows are compared field by field,
with ids and uuids replaced by what they point at."""

import datetime
import itertools

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import ForeignKey, Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation, Role, User
from tests.factories import make_finding, make_force_with_body, make_report, make_user
from tests.test_bulk_import import csv_bytes
from tracker import item_batches, services
from tracker.audit import audit_record
from tracker.bulk_import import apply as bulk_apply
from tracker.bulk_import.apply import items_import
from tracker.bulk_import.plan import NewReport
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineRule,
    DeadlineSubject,
    DeadlineTrigger,
    Finding,
    FindingKind,
    Reminder,
    Report,
    ReportImport,
    ReportType,
    Source,
    Status,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
    WhoActs,
)
from tracker.reminders import plan as planning
from tracker.reminders import sync
from tracker.reminders.sync import deadlines_deferred
from tracker.report_import.create import import_create

NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 14, 30))  # noqa: DTZ001
TODAY = NOW.date()

# --------------------------------------------------------------------------- comparing rows


def _natural(model, pk, known=None) -> object:
    """What a row is, whatever its id: the same thing made twice compares equal."""
    if pk is None:
        return None
    if known is not None:
        if (model, pk) not in known:
            known[(model, pk)] = _natural(model, pk)
        return known[(model, pk)]
    if model is TrackedItem:
        item = TrackedItem.objects.select_related("finding", "force").get(pk=pk)
        return ("item", item.finding.key, item.force.code)
    if model is Deadline:
        d = Deadline.objects.get(pk=pk)
        response = _natural(StatutoryResponse, d.response_id)
        return ("deadline", d.rule.key, _natural(TrackedItem, d.item_id), response)
    if model is StatutoryResponse:
        r = StatutoryResponse.objects.select_related("report", "force").get(pk=pk)
        return ("response", r.report.key, r.force.code)
    if model is Report:
        return Report.objects.get(pk=pk).key
    if model is User:
        return User.objects.get(pk=pk).email
    if model is Organisation:
        return Organisation.objects.get(pk=pk).code
    if model is Finding:
        return Finding.objects.get(pk=pk).key
    if model is DeadlineRule:
        return DeadlineRule.objects.get(pk=pk).key
    return (model.__name__, pk)  # rows made before both ways


def _rows(model) -> list:
    by_uuid = {
        str(u): _natural(TrackedItem, pk) for pk, u in TrackedItem.objects.values_list("pk", "uuid")
    }
    rows: list[str] = []
    known: dict = {}
    for obj in model.objects.all():
        row = {}
        for field in model._meta.concrete_fields:
            if field.name in ("id", "uuid"):
                continue
            value = getattr(obj, field.attname)
            if isinstance(field, ForeignKey):
                value = _natural(field.related_model, value, known)
            if model is AuditEvent and field.name == "object_id":
                value = by_uuid.get(value, value)
            row[field.name] = value
        rows.append(repr(sorted(row.items())))
    return sorted(rows)


COMPARED = (TrackedItem, StatusChange, AuditEvent, Deadline, Reminder, Finding)


def _snapshot() -> dict:
    """Every row of the compared tables, and how many rows every other table has."""
    counts = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    return {"counts": counts, **{m._meta.label: _rows(m) for m in COMPARED}}


def both_ways(one_by_one, batched) -> tuple[dict, dict]:
    """Run each way from the same database (each in a savepoint, rolled back) and return what
    the database held after each."""
    results = []
    for make in (one_by_one, batched):
        sid = transaction.savepoint()
        make()
        results.append(_snapshot())
        transaction.savepoint_rollback(sid)
    return results[0], results[1]


def assert_same(a: dict, b: dict) -> None:
    assert a["counts"] == b["counts"]
    for label in a:
        assert a[label] == b[label], label


# --------------------------------------------------------------------------- a varied world


@pytest.fixture
def varied(world):
    """Rules of every kind on items, people who come and go, reports old and new."""
    w = world
    w.kent, w.kent_pcc = make_force_with_body("Kent")
    w.kent_coordinator = make_user("Ada Kent", w.kent, Role.FORCE_COORDINATOR)
    w.kent_office = make_user("Ben Kent", w.kent_pcc, Role.PCC_OFFICE)
    w.kent_staff = make_user("Cy Kent", w.kent, Role.FORCE_STAFF)
    w.gone = make_user("Dee Gone", w.wmp, Role.FORCE_STAFF)
    User.objects.filter(pk=w.gone.pk).update(is_active=False)
    w.gone.refresh_from_db()
    base = {"length": 20, "unit": "working_days", "counting": "after"}
    DeadlineRule.objects.create(
        key="p4b-report-target",
        name="Target the report states",
        subject=DeadlineSubject.ITEM,
        trigger=DeadlineTrigger.REPORT_PUBLISHED,
        source=Source.REPORT_TARGET,
        who_must_act=WhoActs.FORCE,
        reminder_offsets="7, 1",
        repeat_after_missed_days=0,
        coordinator_from_days=None,
        oversight_from_missed=None,
        **base,
    )
    DeadlineRule.objects.create(
        key="p4b-created",
        name="First look, PCC office",
        subject=DeadlineSubject.ITEM,
        trigger=DeadlineTrigger.ITEM_CREATED,
        who_must_act=WhoActs.PCC_OFFICE,
        reminder_offsets="5, 0",
        repeat_after_missed_days=3,
        oversight_from_missed=2,
        **base,
    )
    DeadlineRule.objects.create(
        key="p4b-peel-only",
        name="PEEL items only",
        subject=DeadlineSubject.ITEM,
        trigger=DeadlineTrigger.REPORT_PUBLISHED,
        who_must_act=WhoActs.ITEM_OWNER,
        report_types=ReportType.PEEL_EFFECTIVENESS,
        applies_from=datetime.date(2018, 1, 1),
        length=3,
        unit="months",
        counting="after",
    )
    old = make_report(forces=[w.wmp], title="Old", published_on=datetime.date(2016, 5, 1))
    recent = make_report(
        forces=[w.wmp], title="Recent", published_on=TODAY - datetime.timedelta(days=20)
    )
    national = make_report(
        forces=[w.wmp, w.staffs, w.kent], national=True, title="National", published_on=TODAY
    )
    w.findings = [
        make_finding(old, "Old finding", target_text="within six months"),
        make_finding(recent, "Recent finding", target_date=TODAY + datetime.timedelta(days=2)),
        make_finding(recent, "Recent, immediately", target_text="immediately"),
        make_finding(national, "National recommendation", kind=FindingKind.RECOMMENDATION),
        make_finding(national, "National, for Kent", force=w.kent),
    ]
    return w


def specs(w) -> list[item_batches.NewItem]:
    """Items of every kind: with and without owner and lead (a lead who has left), due dates
    long past, days ago, tomorrow and far off, none; starting as not started or in progress."""
    old, recent, recent_now, national, kent_only = w.findings
    day = datetime.timedelta(days=1)
    made = [
        (old, w.wmp, w.owner, None, TODAY - 400 * day, Status.NOT_STARTED),
        (recent, w.wmp, None, w.colleague, TODAY + day, Status.IN_PROGRESS),
        (recent_now, w.wmp, w.gone, w.gone, TODAY - 3 * day, Status.IN_PROGRESS),
        (national, w.wmp, w.colleague, w.coordinator, None, Status.NOT_STARTED),
        (national, w.staffs, w.outsider, None, TODAY + 90 * day, Status.IN_PROGRESS),
        (national, w.kent, None, None, TODAY + 6 * day, Status.NOT_STARTED),
        (kent_only, w.kent, w.kent_staff, w.kent_coordinator, TODAY, Status.IN_PROGRESS),
    ]
    return [
        item_batches.NewItem(
            finding=f, force=force, owner=owner, lead=lead, due_date=due, status=status,
            reason=f"Imported from x.csv, row {n}",
        )
        for n, (f, force, owner, lead, due, status) in enumerate(made, start=2)
    ]  # fmt: skip


def test_items_made_together_have_exactly_the_rows_of_items_made_one_by_one(varied):
    by = varied.coordinator
    a, b = both_ways(
        lambda: one_by_one(specs(varied), by),
        lambda: item_batches.items_create(new=specs(varied), created_by=by, now=NOW),
    )
    assert_same(a, b)
    # The comparison is not empty: every kind of rule gave deadlines and reminders.
    deadlines = a["tracker.Deadline"]
    for key in ("p4b-report-target", "p4b-created", "p4b-peel-only"):
        assert any(key in row for row in deadlines), key
    assert len(a["tracker.Reminder"]) > 40
    assert any("'cancelled'" in row for row in a["tracker.Reminder"]) is False


def test_a_rule_switched_off_and_a_person_who_left_are_treated_alike(varied):
    DeadlineRule.objects.filter(key="p4b-created").update(active=False)
    User.objects.filter(pk=varied.coordinator.pk).update(is_active=False)
    by = varied.admin()
    a, b = both_ways(
        lambda: one_by_one(specs(varied), by),
        lambda: item_batches.items_create(new=specs(varied), created_by=by, now=NOW),
    )
    assert_same(a, b)
    assert not any("p4b-created" in row for row in a["tracker.Deadline"])


def test_the_checks_of_item_create_are_made_and_nothing_is_saved(varied):
    before = _snapshot()
    national = varied.findings[3]
    bad = [
        (item_batches.NewItem(finding=varied.findings[4], force=varied.wmp), "not about"),
        (item_batches.NewItem(finding=national, force=varied.wm_pcc), "not a police force"),
        (item_batches.NewItem(finding=varied.finding, force=varied.wmp), "already tracks"),
        (
            item_batches.NewItem(
                finding=national, force=varied.wmp, due_date=datetime.date(2000, 1, 1)
            ),
            "on or after the report's publication date",
        ),
    ]
    from django.core.exceptions import ValidationError

    for spec, message in bad:
        with pytest.raises(ValidationError, match=message):
            item_batches.items_create(new=[specs(varied)[0], spec], now=NOW)
    twice = [item_batches.NewItem(finding=national, force=varied.kent)] * 2
    with pytest.raises(ValidationError, match="already tracks"):
        item_batches.items_create(new=twice, now=NOW)
    assert _snapshot() == before


def test_inside_a_bulk_action_block_new_items_are_synced_at_its_end(varied):
    with deadlines_deferred():
        [item] = item_batches.items_create(new=specs(varied)[:1], now=NOW)
        assert not Deadline.objects.filter(item=item).exists()
    assert Deadline.objects.filter(item=item).exists()


# --------------------------------------------------------------------------- the spreadsheet


def import_rows(w, n, title="Custody: a joint thematic inspection"):
    due = (TODAY + datetime.timedelta(days=40)).strftime("%d/%m/%Y")
    kinds = ["Recommendation", "Area for improvement", "Cause of concern"]
    return [
        [
            "West Midlands Police", title, "15/01/2026", kinds[i % 3], f"R{i}", "Custody",
            f"The force should improve thing {i}.", ["", "In progress", "Not started"][i % 3],
            [w.owner.email, "", "Tom Ellis"][i % 3], ["", "Grace Okafor"][i % 2],
            due if i % 2 else "",
        ]
        for i in range(n)
    ]  # fmt: skip


def _findings_one_by_one(new_findings, *, user, now, note) -> list[Finding]:
    """The spreadsheet's new findings as they were made before: each numbered, keyed, saved
    and audited in turn."""
    made = []
    for new in new_findings:
        report = new.report.created if isinstance(new.report, NewReport) else new.report
        assert report is not None  # new reports are made first
        top = report.findings.aggregate(top=Max("order"))["top"] or 0
        finding = Finding(
            key=services.unique_key(Finding, f"{report.key}:import-{new.first_row}"),
            report=report,
            kind=new.kind,
            reference=new.reference,
            area=new.area,
            text=new.text,
            force=new.force,
            order=top + 1,
        )
        finding.full_clean()
        finding.save()
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATE,
            obj=finding,
            at=now,
            changes={k: (None, getattr(finding, k)) for k in ("kind", "reference", "text")},
            note=note,
        )
        new.created = finding
        made.append(finding)
    return made


def _items_one_by_one(*, new, created_by=None, now=None) -> list[TrackedItem]:
    """`item_batches.items_create` as the imports did it before: `item_create` for each item, then
    `item_set_status` for one that starts "In progress"."""
    items = []
    for spec in new:
        item = services.item_create(
            finding=spec.finding,
            force=spec.force,
            created_by=created_by,
            owner=spec.owner,
            lead=spec.lead,
            due_date=spec.due_date,
            now=now,
        )
        if spec.status != Status.NOT_STARTED:
            services.item_set_status(
                item=item, by=created_by, to_status=spec.status, reason=spec.reason, now=now
            )
        items.append(item)
    return items


def one_by_one(new: list[item_batches.NewItem], by) -> None:
    _items_one_by_one(new=new, created_by=by, now=NOW)


def import_one_by_one(monkeypatch, user, data, name):
    """The bulk import as it was: each new finding, then each item, made and audited in turn."""
    with monkeypatch.context() as patched:
        patched.setattr(bulk_apply, "_findings_create", _findings_one_by_one)
        patched.setattr(item_batches, "items_create", _items_one_by_one)
        items_import(user=user, data=data, name=name, now=NOW)


def test_a_spreadsheet_of_new_items_gives_the_rows_it_gave_one_by_one(world, monkeypatch):
    data = csv_bytes(*import_rows(world, 12))
    a, b = both_ways(
        lambda: import_one_by_one(monkeypatch, world.coordinator, data, "custody.csv"),
        lambda: items_import(user=world.coordinator, data=data, name="custody.csv", now=NOW),
    )
    assert_same(a, b)
    assert len(a["tracker.TrackedItem"]) == 13  # the world's item and twelve new ones


def test_new_findings_on_a_report_already_there_are_numbered_and_keyed_as_before(
    world, monkeypatch
):
    rows = import_rows(world, 5, title=world.report.title)
    for row in rows:
        row[2] = world.report.published_on.strftime("%d/%m/%Y")
    Finding.objects.create(
        key=f"{world.report.key}:import-3",
        report=world.report,
        kind="recommendation",
        text="x",
        order=7,
    )
    data = csv_bytes(*rows)
    a, b = both_ways(
        lambda: import_one_by_one(monkeypatch, world.coordinator, data, "more.csv"),
        lambda: items_import(user=world.coordinator, data=data, name="more.csv", now=NOW),
    )
    assert_same(a, b)
    assert any(f"{world.report.key}:import-3-2" in row for row in b["tracker.Finding"])


# --------------------------------------------------------------------------- queries


class NoBatchLimit:
    """Rows are written a thousand to an INSERT (and SQLite takes fewer, for its limit on
    parameters): without either limit, the number of queries shows what the code does."""

    def __init__(self, monkeypatch):
        monkeypatch.setattr(
            connection.ops, "bulk_batch_size", lambda fields, objs: max(len(objs), 1)
        )
        for module in (item_batches, planning, sync):
            monkeypatch.setattr(module, "BATCH_SIZE", 1_000_000)


def count_queries(make) -> int:
    sid = transaction.savepoint()
    with CaptureQueriesContext(connection) as captured:
        make()
    transaction.savepoint_rollback(sid)
    return len(captured)


def test_the_queries_of_a_bulk_import_do_not_grow_with_its_rows(world, monkeypatch):
    NoBatchLimit(monkeypatch)

    def queries(n):
        data = csv_bytes(*import_rows(world, n))
        return count_queries(
            lambda: items_import(user=world.coordinator, data=data, name="x.csv", now=NOW)
        )

    queries(1)  # the importer's roles, read once and kept
    few, many = queries(10), queries(100)
    assert few == many
    assert many < 80


def test_the_queries_of_making_items_do_not_grow_with_their_number(varied, monkeypatch):
    NoBatchLimit(monkeypatch)
    national = varied.findings[3]
    extra = [make_finding(national.report, f"More {n}") for n in range(34)]

    def queries(n):
        new = [
            item_batches.NewItem(finding=f, force=force, owner=None, due_date=TODAY)
            for f, force in itertools.islice(
                itertools.product(extra, [varied.wmp, varied.staffs, varied.kent]), n
            )
        ]
        return count_queries(lambda: item_batches.items_create(new=new, now=NOW))

    assert queries(10) == queries(100)


def report_import(w, n, forces, by=None):
    findings = [
        {
            "include": True,
            "kind": ["cause_of_concern", "recommendation", "area_for_improvement"][i % 3],
            "parent": i - 1 if i % 3 == 1 else None,
            "reference": str(i + 1),
            "area": "Custody",
            "text": f"The force should do report thing {i}.",
            "target_text": "within six months" if i % 2 else "",
            "target_date": (TODAY + datetime.timedelta(days=30)).isoformat() if i % 4 == 0 else "",
            "force_response": "We agree." if i % 5 == 0 else "",
            "pcc_response": "",
        }
        for i in range(n)
    ]
    return ReportImport.objects.create(
        uploaded_by=by or w.coordinator,
        uploaded_at=NOW,
        original_name="report.pdf",
        size=1,
        sha256="x",
        state="ready",
        draft={
            "title": "A report with many findings",
            "published_on": "2026-01-15",
            "report_type": "other",
            "inspectorate_label": "HMICFRS",
            "grading_scale": "none",
            "forces": [f.id for f in forces],
            "findings": findings,
            "judgements": [],
        },
    )


def test_the_queries_of_a_report_import_do_not_grow_with_its_findings(world, monkeypatch):
    NoBatchLimit(monkeypatch)

    def queries(n):
        imported = report_import(world, n, [world.wmp])
        return count_queries(
            lambda: import_create(report_import=imported, by=world.coordinator, now=NOW)
        )

    queries(1)  # the importer's roles, read once and kept
    assert queries(10) == queries(100)


def test_a_report_import_tracks_what_it_tracked_one_by_one(world):
    imported = report_import(world, 30, [world.wmp])
    report = import_create(report_import=imported, by=world.coordinator, now=NOW)
    findings = list(report.findings.order_by("order"))
    # A cause of concern with recommendations is not tracked; the rest are, once.
    concerns = [f for f in findings if f.kind == FindingKind.CAUSE_OF_CONCERN]
    assert all(c.children.exists() for c in concerns)
    assert not TrackedItem.objects.filter(finding__in=concerns).exists()
    items = TrackedItem.objects.filter(finding__report=report)
    assert items.count() == 20
    answered = items.filter(force_response="We agree.")
    assert answered.count() == 4  # findings 5, 10, 20 and 25; 0 and 15 are concerns
    for item in answered:
        assert AuditEvent.objects.filter(
            object_id=str(item.uuid), note="Responses from the imported document"
        ).exists()
    # Every item has its history row, audit event and deadlines.
    assert StatusChange.objects.filter(item__in=items).count() == 20
    assert (
        AuditEvent.objects.filter(
            object_id__in=[str(i.uuid) for i in items], action="create"
        ).count()
        == 20
    )
    assert Deadline.objects.filter(item__in=items).count() >= 20
    assert Reminder.objects.filter(deadline__item__in=items).exists()


# --------------------------------------------------------------------------- the report import


def _track_one_by_one(finding, draft_finding, forces, *, by, now, responses_on_items=True) -> int:
    """The report import's items as they were made before: one finding and force at a time."""
    if finding.kind == FindingKind.CAUSE_OF_CONCERN and finding.children.exists():
        return 0
    if finding.addressee_kind == "national_body":
        return 0
    due = None
    if draft_finding.target_date:
        due = datetime.date.fromisoformat(draft_finding.target_date)
        if due < finding.report.published_on:
            due = None
    made = 0
    for force in forces:
        if TrackedItem.objects.filter(finding=finding, force=force).exists():
            continue
        item = services.item_create(
            finding=finding, force=force, created_by=by, due_date=due, now=now
        )
        responses = {
            "force_response": draft_finding.force_response,
            "pcc_response": draft_finding.pcc_response,
        }
        fields = {k: v for k, v in responses.items() if v and responses_on_items}
        if fields and len(forces) == 1:
            TrackedItem.objects.filter(pk=item.pk).update(**fields)
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=item,
                at=now,
                changes={k: (None, v) for k, v in fields.items()},
                note="Responses from the imported document",
            )
        made += 1
    return made


def _create_findings_one_by_one(
    report,
    draft,
    forces,
    *,
    by,
    now,
    source_name,
    matched=None,
    start_order=0,
    responses_on_items=True,
):
    matched = matched or {}
    made: dict[int, Finding] = {}
    single = forces[0] if len(forces) == 1 else None
    for index, f in enumerate(draft.findings):
        if index in matched:
            continue
        parent = None
        if isinstance(f.parent, int):
            parent = made.get(f.parent) or matched.get(f.parent)
        # Issue 17: a finding addressed to every force or to a national body is the report's.
        shared = f.addressee_kind in ("forces", "national_body")
        finding = Finding(
            key=services.unique_key(Finding, f"{report.key}:{start_order + index + 1}"),
            report=report,
            kind=f.kind,
            parent=parent if parent and parent.kind == FindingKind.CAUSE_OF_CONCERN else None,
            reference=f.reference[:80],
            area=f.area[:400],
            text=f.text.strip(),
            target_text=f.target_text[:200],
            force=single if report.national and not shared else None,
            order=start_order + index + 1,
            addressee=f.addressee[:200],
            addressee_kind=f.addressee_kind,
        )
        finding.full_clean(exclude=["report", "parent", "force"])
        finding.save()
        made[index] = finding
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=finding,
            at=now,
            changes={"kind": (None, finding.kind), "text": (None, finding.text)},
            note=f"Imported from {source_name}"[:300],
        )
    items = 0
    for index, finding in made.items():
        items += _track_one_by_one(
            finding,
            draft.findings[index],
            forces,
            by=by,
            now=now,
            responses_on_items=responses_on_items,
        )
    return len(made), items


@pytest.mark.parametrize("national", [False, True])
def test_a_report_import_gives_the_rows_it_gave_one_by_one(varied, monkeypatch, national):
    from tracker.report_import import create

    forces = [varied.wmp, varied.staffs] if national else [varied.wmp]
    by = varied.admin() if national else varied.coordinator
    imported = report_import(varied, 24, forces, by=by)
    # A key the new findings would have taken, so that some are chosen around it.
    Finding.objects.create(
        key="a-report-with-many-findings-2026-01-15:3", report=varied.report, kind="finding",
        text="x",
    )  # fmt: skip

    def one_by_one():
        with monkeypatch.context() as patched:
            patched.setattr(create, "_create_findings", _create_findings_one_by_one)
            import_create(report_import=imported, by=by, now=NOW)

    a, b = both_ways(one_by_one, lambda: import_create(report_import=imported, by=by, now=NOW))
    assert_same(a, b)
    assert len(a["tracker.TrackedItem"]) == 1 + 16 * len(forces)
