"""export_tracker and import_tracker: a round trip loses nothing, a second import changes
nothing, and a bad file is refused without saving anything."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Organisation, User
from tracker.demo import create_demo, load_reference_data
from tracker.models import (
    ClosureDecision,
    ClosureProposal,
    DueDateRevision,
    Evidence,
    Finding,
    Judgement,
    ProgressUpdate,
    Report,
    StatusChange,
    StatutoryResponse,
    TrackedItem,
)
from tracker.transfer import ImportRejected, export_tracker, import_tracker

MODELS = [
    Organisation,
    User,
    Report,
    Judgement,
    Finding,
    TrackedItem,
    StatusChange,
    DueDateRevision,
    ProgressUpdate,
    Evidence,
    ClosureProposal,
    ClosureDecision,
    StatutoryResponse,
]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def comparable(doc):
    """The export without the moment it was made and the audit rows imports add."""
    doc = dict(doc)
    doc.pop("exported_at")
    doc["audit_events"] = [a for a in doc["audit_events"] if a["object_type"] != "tracker.Import"]
    return doc


@pytest.fixture
def demo(db):
    load_reference_data()
    create_demo(password="x" * 16, today=timezone.localdate())


def wipe(evidence_root):
    """Empty the tracker as a fresh installation would be (history rows included)."""
    from django.db import connection

    with connection.cursor() as cursor:
        order = [
            "tracker_closureproposal_evidence",
            "tracker_closuredecision",
            "tracker_closureproposal",
            "tracker_evidence",
            "tracker_progressupdate",
            "tracker_duedaterevision",
            "tracker_statuschange",
            "tracker_trackeditem",
            "tracker_statutoryresponse",
            "tracker_judgement",
            "tracker_finding",
            "tracker_report_forces",
            "tracker_report",
            "tracker_auditevent",
            "accounts_roleassignment",
            "accounts_user",
            "accounts_policingbodyterm",
            "accounts_organisation",
        ]
        for table in order:
            cursor.execute(f"DELETE FROM {table}")
    for f in evidence_root.iterdir():
        f.unlink()


def test_a_round_trip_loses_nothing(demo, evidence_root):
    before = export_tracker()
    before_counts = counts()
    assert before_counts["ProgressUpdate"] > 0 and before_counts["ClosureDecision"] > 0
    assert before_counts["DueDateRevision"] > 0 and before_counts["Evidence"] > 0

    wipe(evidence_root)
    assert counts()["TrackedItem"] == 0
    import_tracker(json.loads(json.dumps(before)))

    assert counts() == before_counts
    assert comparable(export_tracker()) == comparable(before)
    # the evidence file came back byte for byte
    evidence = Evidence.objects.first()
    assert (evidence_root / evidence.stored_name).exists()


def test_a_second_import_changes_nothing(demo):
    doc = export_tracker()
    first = import_tracker(doc)
    assert not first.changed, first.summary()
    before = counts()
    second = import_tracker(doc)
    assert not second.changed
    assert second.summary().startswith("Nothing changed")
    assert counts() == before


def test_an_import_updates_what_changed_and_keeps_history(demo):
    doc = export_tracker()
    item = doc["items"][0]
    item["force_response"] = "A revised force response."
    result = import_tracker(doc)
    assert result.updated == {"items": 1}
    assert TrackedItem.objects.get(uuid=item["uuid"]).force_response == "A revised force response."


def test_a_file_that_is_not_an_export_is_refused(db):
    with pytest.raises(ImportRejected, match="not an inspection tracker export"):
        import_tracker({"reports": []})
    with pytest.raises(ImportRejected, match="not an inspection tracker export"):
        import_tracker(["a", "list"])


def test_a_file_with_broken_references_saves_nothing(demo):
    doc = export_tracker()
    before = counts()
    doc["reports"][0]["title"] = "Changed title that must not be saved"
    doc["items"][0]["owner"] = "nobody@nowhere.example"
    doc["items"][1]["due_date"] = "2024-13-45"
    doc["items"][2]["status"] = "finished"
    with pytest.raises(ImportRejected) as caught:
        import_tracker(doc)
    problems = "\n".join(caught.value.problems)
    assert "no person with email 'nobody@nowhere.example'" in problems
    assert "'2024-13-45' is not a date" in problems
    assert "'finished' is not one of" in problems
    assert counts() == before
    assert not Report.objects.filter(title__startswith="Changed title").exists()


def test_self_approval_in_a_file_is_refused(demo):
    doc = export_tracker()
    item = next(i for i in doc["items"] if any(p["decision"] for p in i["closure_proposals"]))
    proposal = next(p for p in item["closure_proposals"] if p["decision"])
    proposal["decision"]["decided_by"] = proposal["proposed_by"]
    with pytest.raises(ImportRejected, match="cannot also decide"):
        import_tracker(doc)


class TestCommands:
    def test_export_then_import_through_the_commands(self, demo, tmp_path, capsys):
        path = tmp_path / "tracker.json"
        call_command("export_tracker", "--format", "json", "--output", str(path))
        doc = json.loads(path.read_text())
        assert doc["format"] == "inspection-tracker" and doc["version"] == 1
        assert len(doc["reports"]) == 4
        call_command("import_tracker", str(path))
        assert "Nothing changed" in capsys.readouterr().out

    def test_import_of_invalid_json_is_a_clear_error(self, db, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text('{"format": "inspection-tracker", ')
        with pytest.raises(CommandError, match="is not valid JSON"):
            call_command("import_tracker", str(path))

    def test_import_of_a_missing_file_is_a_clear_error(self, db, tmp_path):
        with pytest.raises(CommandError, match="There is no file called"):
            call_command("import_tracker", str(tmp_path / "nope.json"))

    def test_import_of_a_binary_file_is_a_clear_error(self, db, tmp_path):
        path = tmp_path / "photo.json"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)))
        with pytest.raises(CommandError, match="not a text file"):
            call_command("import_tracker", str(path))

    def test_import_of_a_csv_is_refused(self, db, tmp_path):
        path = tmp_path / "items.csv"
        path.write_text("finding,force\nx,y\n")
        with pytest.raises(CommandError, match="not valid JSON"):
            call_command("import_tracker", str(path))
