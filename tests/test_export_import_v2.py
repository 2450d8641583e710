"""Version 2 of the export format (issues 21 and 22): protective markings, the Welsh texts and
editions, the organisations' Welsh fields, people's language, deadline steps and transfers of
functions. A round trip keeps each new field, a second import changes nothing, a version 1
file still imports (and leaves the new data alone), and each bad value refuses the whole file
with a line saying where and what."""

import copy
import datetime
import json
import re

import pytest
from django.utils import timezone

from accounts.models import Organisation, ProtectiveMarking, User
from tests.factories import make_finding, make_item, make_report
from tests.test_export_import import comparable, counts, demo, demo_once, wipe
from tracker.models import (
    Deadline,
    DeadlineChange,
    FunctionTransfer,
    Report,
    ReportEdition,
    ReportType,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
    WelshResponseText,
)
from tracker.reminders.changes import deadline_record_step
from tracker.transfer.export import export_tracker
from tracker.transfer.load import import_tracker
from tracker.transfer.rows import ImportRejected

__all__ = ["demo", "demo_once"]  # the demo fixtures, shared with test_export_import

WELSH_RESPONSE = ("demo-sample-dyfed-powys-welsh", "dyfed-powys-police")


def label(marking):
    return marking.label if marking is not None else None


def email(user):
    return user.email if user is not None else None


def new_data():
    """Every field version 2 added, read from the database (not from an export), keyed so
    that a difference names the row and the field."""
    return {
        "markings": {
            m.label: (m.description, m.rank, m.active) for m in ProtectiveMarking.objects.all()
        },
        "organisations": {
            o.code: (label(o.default_marking), o.welsh_language_standards, o.welsh_name, o.kind)
            for o in Organisation.objects.select_related("default_marking")
        },
        "languages": {u.email: u.language for u in User.objects.all()},
        "report_markings": {
            r.key: label(r.marking) for r in Report.objects.select_related("marking")
        },
        "editions": {
            (e.report.key, e.language): (e.title, e.url, email(e.added_by), e.added_at)
            for e in ReportEdition.objects.select_related("report", "added_by")
        },
        "responses": {
            (r.report.key, r.force.code): (
                label(r.marking),
                r.introduction_cy,
                r.pcc_comments_cy,
                r.chief_officer_comments_cy,
            )
            for r in StatutoryResponse.objects.select_related("report", "force", "marking")
        },
        "welsh_texts": {
            (w.response.report.key, w.response.force.code, w.finding.key): (
                w.force_response,
                w.pcc_response,
            )
            for w in WelshResponseText.objects.select_related(
                "response__report", "response__force", "finding"
            )
        },
        "version_markings": {
            str(v.uuid): (v.marking_label, v.content.get("marking"))
            for v in ResponseVersion.objects.all()
        },
        "item_markings": {
            str(i.uuid): label(i.marking) for i in TrackedItem.objects.select_related("marking")
        },
        "deadline_changes": {
            str(c.uuid): (c.kind, c.on_date, c.applied_on, c.approved_on)
            for c in DeadlineChange.objects.exclude(kind=DeadlineChange.Kind.RECALCULATED)
        },
        "transfers": {
            str(t.uuid): (
                t.from_body.code,
                t.to_body.code,
                t.takes_effect_on,
                t.date_is_placeholder,
                t.legal_basis,
                t.legal_basis_url,
                t.staff_move,
                email(t.recorded_by),
                t.recorded_at,
                t.carried_out_at,
                email(t.carried_out_by),
                t.outcome,
                t.cancelled_at,
                email(t.cancelled_by),
            )
            for t in FunctionTransfer.objects.select_related(
                "from_body", "to_body", "recorded_by", "carried_out_by", "cancelled_by"
            )
        },
    }


def assert_same(before, after):
    """Section by section, row by row, so a failure names what was lost."""
    assert before.keys() == after.keys()
    for section in before:
        assert before[section] == after[section], section


@pytest.fixture
def marked(demo):
    """The demo with a marking of every kind set: an inactive marking still in force on a
    report, a response marked of its own, the demo's item marked OFFICIAL-SENSITIVE."""
    retired = ProtectiveMarking.objects.create(
        label="OFFICIAL-SENSITIVE PERSONAL", rank=30, description="Retired caveat.", active=False
    )
    sensitive = ProtectiveMarking.objects.get(label="OFFICIAL-SENSITIVE")
    Report.objects.filter(key="peel-effectiveness-2015-west-midlands").update(marking=retired)
    StatutoryResponse.objects.filter(force__code="west-midlands-police").update(marking=sensitive)


def test_the_demo_has_every_kind_of_new_data(marked):
    data = new_data()
    assert set(data["markings"]) >= {"OFFICIAL", "OFFICIAL-SENSITIVE"}
    assert data["markings"]["OFFICIAL-SENSITIVE PERSONAL"][2] is False  # inactive, still used
    assert data["organisations"]["west-midlands-police"][0] == "OFFICIAL"
    assert data["organisations"]["dyfed-powys-pcc"][1:3] == (
        True,
        "Comisiynydd Heddlu a Throseddu Dyfed-Powys",
    )
    assert data["organisations"]["west-midlands-mayor"][3] == "mayor"
    assert "cy" in data["languages"].values()
    assert "OFFICIAL-SENSITIVE PERSONAL" in data["report_markings"].values()
    assert "OFFICIAL-SENSITIVE" in data["item_markings"].values()
    assert "OFFICIAL-SENSITIVE" in {r[0] for r in data["responses"].values()}
    assert len(data["editions"]) == 1
    assert data["responses"][WELSH_RESPONSE][1].startswith("YMATEB ENGHREIFFTIOL")
    assert len(data["welsh_texts"]) == 2
    assert len(data["transfers"]) == 1
    (transfer,) = data["transfers"].values()
    assert transfer[:4] == (
        "west-midlands-pcc",
        "west-midlands-mayor",
        datetime.date(2028, 5, 8),
        True,
    )


def test_a_round_trip_keeps_every_new_field(marked, evidence_root):
    before = new_data()
    before_counts = counts()
    doc = export_tracker()
    assert doc["version"] == 2

    wipe(evidence_root)
    assert not ProtectiveMarking.objects.exists()
    assert not FunctionTransfer.objects.exists()
    import_tracker(json.loads(json.dumps(doc)))

    assert_same(before, new_data())
    assert counts() == before_counts
    assert comparable(export_tracker()) == comparable(doc)

    # and a second import of the same file changes nothing
    again = import_tracker(json.loads(json.dumps(doc)))
    assert not again.changed, again.summary()
    assert_same(before, new_data())


def test_a_second_import_over_the_demo_changes_nothing(marked):
    before = new_data()
    doc = export_tracker()
    assert not import_tracker(doc).changed
    assert not import_tracker(doc).changed
    assert_same(before, new_data())


def test_deadline_steps_and_applications_survive_a_round_trip(demo, evidence_root):
    grace = User.objects.get(email="grace.okafor@wmp.example")
    report = make_report(forces=[grace.organisation], published_on=timezone.localdate())
    report.report_type = ReportType.IOPC_RECOMMENDATIONS
    report.save()
    item = make_item(make_finding(report), grace.organisation, owner=grace)
    deadline = Deadline.objects.get(item=item, rule__key="iopc-recommendation")
    assert deadline.rule.publication_by  # the rule has the steps after a response
    today = timezone.localdate()
    deadline_record_step(deadline=deadline, by=grace, kind="response_sent", on_date=today)
    deadline_record_step(deadline=deadline, by=grace, kind="published", on_date=today)
    deadline.refresh_from_db()
    assert deadline.met_on == today
    before = new_data()
    doc = export_tracker()
    exported = next(i for i in doc["items"] if i["uuid"] == str(item.uuid))
    assert [c["kind"] for c in exported["deadline_changes"]] == ["response_sent", "published"]

    wipe(evidence_root)
    import_tracker(json.loads(json.dumps(doc)))

    restored = Deadline.objects.get(item__uuid=item.uuid, rule__key="iopc-recommendation")
    assert restored.met_on == today  # the step meets the deadline again
    assert_same(before, new_data())
    assert not import_tracker(json.loads(json.dumps(doc))).changed


# --------------------------------------------------------------------------- version 1


def as_version_1(doc):
    """The same tracker written as version 1 was: none of what version 2 added."""
    doc = copy.deepcopy(doc)
    doc["version"] = 1
    doc.pop("protective_markings")
    doc.pop("function_transfers")
    for o in doc["organisations"]:
        for name in ("default_marking", "welsh_language_standards", "welsh_name"):
            o.pop(name)
    for p in doc["people"]:
        p.pop("language")
    for r in doc["reports"]:
        r.pop("marking")
        r.pop("editions")
        for sr in r["statutory_responses"]:
            for name in (
                "marking",
                "introduction_cy",
                "pcc_comments_cy",
                "chief_officer_comments_cy",
                "welsh_texts",
            ):
                sr.pop(name)
            for v in sr["versions"]:
                v.pop("marking_label")
            for c in sr["deadline_changes"]:
                c.pop("applied_on")
    for i in doc["items"]:
        i.pop("marking")
        for c in i["deadline_changes"]:
            c.pop("applied_on")
    return doc


def test_a_version_1_file_imports_into_an_empty_tracker(marked, evidence_root):
    before_counts = counts()
    old = as_version_1(export_tracker())
    wipe(evidence_root)
    result = import_tracker(json.loads(json.dumps(old)))
    assert result.created["items"] == before_counts["TrackedItem"]
    assert counts() == before_counts
    # what version 1 did not carry is simply not there
    assert not ProtectiveMarking.objects.exists()
    assert not FunctionTransfer.objects.exists()
    assert not ReportEdition.objects.exists()
    assert not TrackedItem.objects.filter(marking__isnull=False).exists()
    # and exported again, it is the same version 1 tracker
    assert comparable(as_version_1(export_tracker())) == comparable(old)


def test_a_version_1_file_leaves_the_new_data_alone(marked):
    before = new_data()
    result = import_tracker(as_version_1(export_tracker()))
    assert not result.changed, result.summary()
    assert_same(before, new_data())


def test_a_version_1_response_version_takes_its_marking_from_its_content(marked, evidence_root):
    old = as_version_1(export_tracker())
    response = next(sr for r in old["reports"] for sr in r["statutory_responses"] if sr["versions"])
    version = response["versions"][0]
    version["content"]["marking"] = "OFFICIAL"
    wipe(evidence_root)
    import_tracker(old)
    assert ResponseVersion.objects.get(uuid=version["uuid"]).marking_label == "OFFICIAL"


# --------------------------------------------------------------------------- bad files


def _report(doc, key):
    return next(r for r in doc["reports"] if r["key"] == key)


def _welsh_response(doc):
    report = _report(doc, WELSH_RESPONSE[0])
    return next(sr for sr in report["statutory_responses"] if sr["force"] == WELSH_RESPONSE[1])


def _item(doc):
    return doc["items"][0]


def _transfer(doc):
    return doc["function_transfers"][0]


def _new_transfer(doc, **changes):
    """A second transfer in the file, new here."""
    row = {**_transfer(doc), "uuid": "0f4b6c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b", **changes}
    doc["function_transfers"].append(row)
    return row


def _step(kind, on_date, uuid, rule="iopc-recommendation"):
    return {
        "uuid": uuid,
        "rule": rule,
        "kind": kind,
        "on_date": on_date,
        "recorded_at": "2026-11-01T10:00:00+00:00",
    }


BAD = {
    "an item marked with a label not in the list": (
        lambda d: _item(d).update(marking="TOP SECRET"),
        r"items\[0\]\.marking: 'TOP SECRET' is not a protective marking in the file or here "
        r"\(the markings: OFFICIAL, OFFICIAL-SENSITIVE, OFFICIAL-SENSITIVE PERSONAL\)",
    ),
    "a default marking not in the list": (
        lambda d: d["organisations"][0].update(default_marking="official"),
        r"organisations\[0\]\.default_marking: 'official' is not a protective marking",
    ),
    "a report's marking that is not a label": (
        lambda d: d["reports"][0].update(marking=7),
        r"reports\[0\]\.marking: must be a protective marking's label",
    ),
    "a response's marking not in the list": (
        lambda d: _welsh_response(d).update(marking="SECRET"),
        r"statutory_responses\[0\]\.marking: 'SECRET' is not a protective marking",
    ),
    "a marking listed twice": (
        lambda d: d["protective_markings"].append({**d["protective_markings"][0], "rank": 99}),
        r"protective_markings\[3\]\.label: 'OFFICIAL' appears twice in the file",
    ),
    "two markings of one rank": (
        lambda d: d["protective_markings"][1].update(rank=10),
        r"protective_markings\[1\]\.rank: 10 is also the rank of 'OFFICIAL' in the file",
    ),
    "a rank held here by a marking the file leaves out": (
        lambda d: d.update(protective_markings=[{"label": "NEW", "rank": 20}]),
        r"protective_markings\[0\]\.rank: 20 is the rank of 'OFFICIAL-SENSITIVE' here",
    ),
    "a marking without a rank": (
        lambda d: d["protective_markings"][0].pop("rank"),
        r"protective_markings\[0\]: “rank” is missing",
    ),
    "a marking's rank below 0": (
        lambda d: d["protective_markings"][0].update(rank=-1),
        r"protective_markings\[0\]\.rank: -1 is not a whole number of 0 or more",
    ),
    "a marking's label too long": (
        lambda d: d["protective_markings"][0].update(label="X" * 61),
        r"protective_markings\[0\]\.label: must be 60 characters or fewer",
    ),
    "an unknown kind of organisation": (
        lambda d: d["organisations"][0].update(kind="sheriff"),
        r"organisations\[0\]\.kind: 'sheriff' is not one of force, local_policing_body, "
        r"mayor, policing_and_crime_board",
    ),
    "a Welsh Language Standards tick that is not true or false": (
        lambda d: d["organisations"][0].update(welsh_language_standards="yes"),
        r"organisations\[0\]\.welsh_language_standards: must be true or false",
    ),
    "a Welsh name too long": (
        lambda d: d["organisations"][0].update(welsh_name="W" * 201),
        r"organisations\[0\]\.welsh_name: must be 200 characters or fewer",
    ),
    "a language that is not offered": (
        lambda d: d["people"][0].update(language="fr"),
        r"people\[0\]\.language: 'fr' is not one of , en-gb, cy",
    ),
    "a Welsh text about a finding of another report": (
        lambda d: _welsh_response(d)["welsh_texts"][0].update(
            finding=d["reports"][0]["findings"][0]["key"]
        ),
        r"welsh_texts\[0\]\.finding: no finding with key '.+' in this report",
    ),
    "two Welsh texts about one finding": (
        lambda d: _welsh_response(d)["welsh_texts"].append(
            dict(_welsh_response(d)["welsh_texts"][0])
        ),
        r"welsh_texts\[2\]\.finding: '.+' appears twice",
    ),
    "a Welsh text that is not text": (
        lambda d: _welsh_response(d).update(pcc_comments_cy=["not", "text"]),
        r"statutory_responses\[0\]\.pcc_comments_cy: must be text",
    ),
    "an edition in a language that is not Welsh": (
        lambda d: _report(d, WELSH_RESPONSE[0])["editions"][0].update(language="fr"),
        r"editions\[0\]\.language: 'fr' is not one of cy",
    ),
    "an edition listed twice": (
        lambda d: _report(d, WELSH_RESPONSE[0])["editions"].append(
            dict(_report(d, WELSH_RESPONSE[0])["editions"][0])
        ),
        r"editions\[1\]\.language: 'cy' appears twice",
    ),
    "an edition without its address": (
        lambda d: _report(d, WELSH_RESPONSE[0])["editions"][0].pop("url"),
        r"editions\[0\]: “url” is missing",
    ),
    "an edition at a javascript: address": (
        lambda d: _report(d, WELSH_RESPONSE[0])["editions"][0].update(url="javascript:alert(1)"),
        r"editions\[0\]\.url: Enter a valid URL",
    ),
    "a published version whose marking is not its content's": (
        lambda d: _welsh_response(d)["versions"][0].update(marking_label="OFFICIAL"),
        r"versions\[0\]\.marking_label: is 'OFFICIAL' but the published content is marked ''",
    ),
    "a transfer to the same body": (
        lambda d: _transfer(d).update(to_body=_transfer(d)["from_body"]),
        r"function_transfers\[0\]\.to_body: a body's functions cannot pass to itself",
    ),
    "a transfer from a force": (
        lambda d: _transfer(d).update(from_body="west-midlands-police"),
        r"function_transfers\[0\]\.from_body: 'west-midlands-police' is not a local "
        r"policing body",
    ),
    "a transfer to a body that does not exist": (
        lambda d: _transfer(d).update(to_body="nowhere"),
        r"function_transfers\[0\]\.to_body: no organisation with code 'nowhere'",
    ),
    "a transfer both carried out and cancelled": (
        lambda d: _transfer(d).update(
            carried_out_at="2028-05-08T00:15:00+01:00", cancelled_at="2028-05-01T09:00:00+01:00"
        ),
        r"function_transfers\[0\]: a transfer cannot be both carried out and cancelled",
    ),
    "who carried a transfer out, but not when": (
        lambda d: _transfer(d).update(carried_out_by="alex.morgan@admin.example"),
        r"function_transfers\[0\]\.carried_out_by: is given but “carried_out_at” is not",
    ),
    "a transfer's outcome that is not an object": (
        lambda d: _transfer(d).update(outcome=["moved"]),
        r"function_transfers\[0\]\.outcome: must be an object",
    ),
    "a transfer without a day": (
        lambda d: _transfer(d).pop("takes_effect_on"),
        r"function_transfers\[0\]: “takes_effect_on” is missing",
    ),
    "a transfer recorded here, changed in the file": (
        lambda d: _transfer(d).update(legal_basis="Another basis."),
        r"function_transfers\[0\]\.legal_basis: differs from the transfer recorded here",
    ),
    "a new transfer that overlaps the one here": (
        lambda d: _new_transfer(d, to_body="west-midlands-police-authority"),
        r"function_transfers\[1\]\.from_body: This overlaps another transfer",
    ),
    "an unknown kind of deadline change": (
        lambda d: _item(d).update(
            deadline_changes=[_step("sent", "2026-11-01", "5d7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f")]
        ),
        r"items\[0\]\.deadline_changes\[0\]\.kind: 'sent' is not one of extension, pause, "
        r"resume, response_sent, published",
    ),
    "a step on a rule that has none": (
        lambda d: _item(d).update(
            deadline_changes=[
                _step(
                    "response_sent",
                    "2026-11-01",
                    "6d7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                    rule="s55-pcc-comments",
                )
            ]
        ),
        r"deadline_changes\[0\]\.kind: the rule 's55-pcc-comments' has no publication step",
    ),
    "a publication without the response it follows": (
        lambda d: _item(d).update(
            deadline_changes=[
                _step("published", "2026-11-01", "7d7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f")
            ]
        ),
        r"deadline_changes\[0\]\.kind: a publication needs the response_sent step",
    ),
    "a publication before the response": (
        lambda d: _item(d).update(
            deadline_changes=[
                _step("response_sent", "2026-11-02", "8d7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                _step("published", "2026-11-01", "9d7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
            ]
        ),
        r"deadline_changes\[1\]\.on_date: is before the day the response was provided",
    ),
    "a step recorded twice": (
        lambda d: _item(d).update(
            deadline_changes=[
                _step("response_sent", "2026-11-01", "ad7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                _step("response_sent", "2026-11-02", "bd7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
            ]
        ),
        r"deadline_changes\[1\]\.kind: 'response_sent' is recorded twice",
    ),
    "an application's day on a pause": (
        lambda d: _item(d).update(
            deadline_changes=[
                {
                    **_step("pause", "2026-11-01", "cd7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                    "applied_on": "2026-10-30",
                }
            ]
        ),
        r"deadline_changes\[0\]\.applied_on: only an extension is applied for",
    ),
    "an extension granted before it was applied for": (
        lambda d: _item(d).update(
            deadline_changes=[
                {
                    **_step("extension", "2027-01-01", "dd7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                    "applied_on": "2026-10-30",
                    "approved_on": "2026-10-29",
                }
            ]
        ),
        r"deadline_changes\[0\]\.approved_on: is before the day it was applied for",
    ),
    "an application's day that is not a date": (
        lambda d: _item(d).update(
            deadline_changes=[
                {
                    **_step("extension", "2027-01-01", "ed7e8f90-1a2b-4c3d-8e9f-0a1b2c3d4e5f"),
                    "applied_on": "30/10/2026",
                }
            ]
        ),
        r"deadline_changes\[0\]\.applied_on: '30/10/2026' is not a date",
    ),
    "a version this tracker does not read": (
        lambda d: d.update(version=3),
        r"version 3 is not supported \(this version reads 1 and 2\)",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_value_refuses_the_whole_file(marked, case):
    change, message = BAD[case]
    doc = export_tracker()
    doc["reports"][0]["title"] = "A change that must not be saved"
    before, before_counts = new_data(), counts()
    change(doc)
    with pytest.raises(ImportRejected) as caught:
        import_tracker(doc)
    assert any(re.search(message, p) for p in caught.value.problems), caught.value.problems
    assert_same(before, new_data())
    assert counts() == before_counts
    assert not Report.objects.filter(title="A change that must not be saved").exists()


def test_a_transfer_cancelled_here_is_not_carried_out_by_a_file(marked):
    transfer = FunctionTransfer.objects.get()
    FunctionTransfer.objects.filter(pk=transfer.pk).update(cancelled_at=timezone.now())
    doc = export_tracker()
    # a file that knows nothing of the cancellation, and says it was carried out
    doc["function_transfers"][0].update(
        cancelled_at=None, cancelled_by=None, carried_out_at="2028-05-08T00:15:00+01:00"
    )
    with pytest.raises(ImportRejected, match="cannot be both carried out and cancelled"):
        import_tracker(doc)
    assert FunctionTransfer.objects.get().carried_out_at is None


def test_an_older_file_does_not_undo_a_transfer_carried_out_here(marked):
    old = export_tracker()
    transfer = FunctionTransfer.objects.get()
    done = timezone.now()
    FunctionTransfer.objects.filter(pk=transfer.pk).update(
        carried_out_at=done, outcome={"terms": 1}
    )
    # the older file says planned: what happened here stays
    assert not import_tracker(old).changed
    transfer.refresh_from_db()
    assert (transfer.carried_out_at, transfer.outcome) == (done, {"terms": 1})
    # a file that says something else happened is refused
    old["function_transfers"][0]["outcome"] = {"terms": 2}
    with pytest.raises(ImportRejected, match="what happened to a transfer never changes"):
        import_tracker(old)


def test_a_file_may_reorder_the_markings(marked):
    doc = export_tracker()
    ranks = {m["label"]: m["rank"] for m in doc["protective_markings"]}
    for m in doc["protective_markings"]:
        if m["label"] == "OFFICIAL":
            m["rank"] = ranks["OFFICIAL-SENSITIVE"]
        elif m["label"] == "OFFICIAL-SENSITIVE":
            m["rank"] = ranks["OFFICIAL"]
    result = import_tracker(doc)
    assert result.updated == {"protective markings": 2}
    assert ProtectiveMarking.objects.get(label="OFFICIAL").rank == ranks["OFFICIAL-SENSITIVE"]
    assert ProtectiveMarking.objects.get(label="OFFICIAL-SENSITIVE").rank == ranks["OFFICIAL"]
    assert not import_tracker(doc).changed


def test_a_marking_can_be_cleared_by_a_file(marked):
    doc = export_tracker()
    item = next(i for i in doc["items"] if i["marking"])
    item["marking"] = None
    assert import_tracker(doc).updated == {"items": 1}
    assert TrackedItem.objects.get(uuid=item["uuid"]).marking is None


def test_a_new_marking_may_take_the_rank_another_leaves(marked):
    doc = export_tracker()
    official = next(m for m in doc["protective_markings"] if m["label"] == "OFFICIAL")
    doc["protective_markings"].insert(
        0, {"label": "OFFICIAL-NEW", "rank": official["rank"], "description": ""}
    )
    official["rank"] = 5
    result = import_tracker(doc)
    assert result.created == {"protective markings": 1}
    assert result.updated == {"protective markings": 1}
    assert ProtectiveMarking.objects.get(label="OFFICIAL").rank == 5
    assert not import_tracker(doc).changed


def test_a_transfer_carried_out_survives_a_round_trip_and_is_not_carried_out_again(
    marked, evidence_root
):
    from tracker.function_transfers import transfer_carry_out

    transfer = FunctionTransfer.objects.get()
    on_the_day = datetime.datetime(2028, 5, 8, 0, 15, tzinfo=datetime.UTC)
    outcome = transfer_carry_out(transfer=transfer, by=None, now=on_the_day)
    assert outcome  # something moved: terms, at least
    before, before_counts = new_data(), counts()
    terms_before = export_tracker()["policing_body_terms"]
    doc = export_tracker()
    assert {o["kind"] for o in doc["organisations"]} >= {"mayor"}

    wipe(evidence_root)
    import_tracker(json.loads(json.dumps(doc)))

    assert_same(before, new_data())
    assert counts() == before_counts
    assert export_tracker()["policing_body_terms"] == terms_before  # ended once, not twice
    restored = FunctionTransfer.objects.get()
    assert restored.carried_out_at == on_the_day
    assert not FunctionTransfer.objects.due(datetime.date(2028, 5, 9)).exists()
    assert not import_tracker(json.loads(json.dumps(doc))).changed
