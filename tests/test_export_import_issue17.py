"""The export file and issue 17: a finding's addressee, an item's inspectorate statuses, and a
fire and rescue service in a force's place (a report's organisations, an item's, a policing
body term's). Exported, imported again without change, a new status added by its uuid, and a
bad status refusing the whole file."""

import copy
import datetime
import uuid

import pytest
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm
from tests.factories import make_finding, make_item, make_org, make_report
from tracker.models import InspectorateStatus
from tracker.report_import.item_history import inspectorate_status_add
from tracker.transfer.export import export_tracker
from tracker.transfer.load import import_tracker
from tracker.transfer.rows import ImportRejected

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue17(world):
    pfcc = make_org(
        "Staffordshire Commissioner", kind=Organisation.Kind.LOCAL_POLICING_BODY, code="staffs-c"
    )
    service = make_org(
        "Staffordshire Fire and Rescue Service", kind=Organisation.Kind.FIRE_AND_RESCUE
    )
    PolicingBodyTerm.objects.create(force=service, body=pfcc, starts_on=datetime.date(2018, 8, 1))
    fire_report = make_report(forces=[service], title="Fire and rescue inspection: Staffordshire")
    fire_item = make_item(
        make_finding(fire_report, "The service should plan its prevention."), service
    )
    college = make_finding(
        world.report,
        "The College of Policing should publish guidance.",
        addressee="The College of Policing",
        addressee_kind="national_body",
    )
    status = inspectorate_status_add(
        item=world.item,
        status="being_progressed",
        stated_on=datetime.date(2018, 9, 1),
        precision="month",
        source="HMICFRS recommendation register, entry 6989",
        note="Plan agreed.",
        by=world.pcc,
        now=timezone.now(),
    )
    return {"service": service, "fire_item": fire_item, "college": college, "status": status}


def _item(doc, item):
    return next(i for i in doc["items"] if i["uuid"] == str(item.uuid))


def test_the_export_carries_addressees_statuses_and_fire_and_rescue_services(world, issue17):
    doc = export_tracker()
    assert doc["version"] == 2
    finding = next(
        f for r in doc["reports"] for f in r["findings"] if f["key"] == issue17["college"].key
    )
    assert finding["addressee"] == "The College of Policing"
    assert finding["addressee_kind"] == "national_body"
    statuses = _item(doc, world.item)["inspectorate_statuses"]
    assert statuses == [
        {
            "uuid": str(issue17["status"].uuid),
            "status": "being_progressed",
            "stated_on": "2018-09-01",
            "stated_precision": "month",
            "source": "HMICFRS recommendation register, entry 6989",
            "note": "Plan agreed.",
            "recorded_by": world.pcc.email,
            "recorded_at": issue17["status"].recorded_at.isoformat(),
        }
    ]
    service = issue17["service"]
    assert {"code": service.code, "kind": "fire_and_rescue"}.items() <= next(
        o for o in doc["organisations"] if o["code"] == service.code
    ).items()
    assert any(t["force"] == service.code for t in doc["policing_body_terms"])
    assert _item(doc, issue17["fire_item"])["force"] == service.code

    again = import_tracker(copy.deepcopy(doc))
    assert not again.changed, again.summary()


def test_a_new_status_in_a_file_is_added_once_by_its_uuid(world, issue17):
    doc = export_tracker()
    entry = copy.deepcopy(_item(doc, world.item)["inspectorate_statuses"][0])
    entry.update(uuid=str(uuid.uuid4()), status="complete", stated_on="2019-05-14")
    entry["stated_precision"] = "day"
    _item(doc, world.item)["inspectorate_statuses"].append(entry)
    result = import_tracker(copy.deepcopy(doc))
    assert result.created == {"inspectorate statuses": 1}
    assert not import_tracker(copy.deepcopy(doc)).changed
    assert list(
        InspectorateStatus.objects.filter(item=world.item)
        .order_by("stated_on")
        .values_list("status", flat=True)
    ) == ["being_progressed", "complete"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda entry: entry.update(status="nearly_there"),
            r"inspectorate_statuses\[0\]\.status",
        ),
        (
            lambda entry: entry.update(stated_on="14/05/2019"),
            r"inspectorate_statuses\[0\]\.stated_on: '14/05/2019' is not a date",
        ),
    ],
)
def test_a_bad_status_refuses_the_whole_file(world, issue17, change, message):
    doc = export_tracker()
    entry = _item(doc, world.item)["inspectorate_statuses"][0]
    entry["uuid"] = str(uuid.uuid4())
    change(entry)
    with pytest.raises(ImportRejected, match=message):
        import_tracker(doc)
    assert InspectorateStatus.objects.count() == 1


def test_a_finding_addressed_to_nobody_known_is_refused(world, issue17):
    doc = export_tracker()
    finding = next(
        f for r in doc["reports"] for f in r["findings"] if f["key"] == issue17["college"].key
    )
    finding["addressee_kind"] = "the_moon"
    with pytest.raises(ImportRejected, match=r"findings\[\d+\]\.addressee_kind"):
        import_tracker(doc)
