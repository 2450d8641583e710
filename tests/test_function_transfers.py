"""Transfers of functions (issue 22): the West Midlands PCC's functions passing to the Mayor of
the West Midlands in May 2028, run on a copy of the demo (each test's changes are rolled
back), and every way of recording one wrongly."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, PolicingBodyTerm, Role, User
from tests.demo_pages import PERSONAS
from tests.factories import World, make_force_with_body, make_org, make_report, make_user
from tracker import function_transfer_plan, function_transfers, tasks
from tracker.demo import RECENT_REPORT
from tracker.demo_transfers import PLACEHOLDER_DAY
from tracker.models import (
    AuditEvent,
    Deadline,
    DeadlineChange,
    FunctionTransfer,
    Notification,
    Reminder,
    ReminderState,
    Report,
    ResponseVersion,
    StatusChange,
    StatutoryResponse,
)
from tracker.statutory import services as statutory
from tracker.statutory.content import approval_current, response_content, signing_body

LONDON = zoneinfo.ZoneInfo("Europe/London")
ON_THE_DAY = datetime.datetime(2028, 5, 8, 0, 15, tzinfo=LONDON)


def person(key: str) -> User:
    return User.objects.get(email=PERSONAS[key])


def the_transfer() -> FunctionTransfer:
    return FunctionTransfer.objects.select_related("from_body", "to_body").get()


def snapshot() -> dict:
    """Everything the hand-over must keep: rows by id, and what the published versions say."""
    return {
        "responses": dict(StatutoryResponse.objects.values_list("pk", "report_id")),
        "versions": {v.pk: (v.response_id, v.content) for v in ResponseVersion.objects.all()},
        "audit": set(AuditEvent.objects.values_list("pk", flat=True)),
        "status_changes": set(StatusChange.objects.values_list("pk", flat=True)),
        "deadline_changes": set(DeadlineChange.objects.values_list("pk", flat=True)),
        "deadlines": dict(Deadline.objects.values_list("pk", "due_on")),
        "reminders": set(Reminder.objects.values_list("pk", flat=True)),
        "notifications": set(Notification.objects.values_list("pk", flat=True)),
    }


@pytest.fixture
def with_a_draft(demo_world):
    """The demo's open response, asked of the chief constable and drafted by the PCC office,
    so that it has a history to keep."""
    # The demo's sample report's (issue 18's sample national report has open responses too).
    response = StatutoryResponse.objects.get(
        versions__isnull=True,
        published_on__isnull=True,
        report__key=RECENT_REPORT,
        force__code="west-midlands-police",
    )
    daniel = person("pcc")
    statutory.response_request_comments(
        response=response, by=daniel, due_on=response.report.published_on + datetime.timedelta(52)
    )
    statutory.response_save_draft(
        response=response, by=daniel, pcc_comments="The PCC welcomes the report (a draft)."
    )
    return StatutoryResponse.objects.get(pk=response.pk)


def test_the_demo_plans_the_west_midlands_transfer_on_a_placeholder_day(demo_world):
    transfer = the_transfer()
    assert transfer.from_body.code == "west-midlands-pcc"
    assert transfer.to_body.name == "Mayor of the West Midlands"
    assert transfer.to_body.kind == Organisation.Kind.MAYOR
    assert transfer.takes_effect_on == PLACEHOLDER_DAY == datetime.date(2028, 5, 8)
    assert transfer.date_is_placeholder
    assert "placeholder" in transfer.legal_basis
    assert transfer.carried_out_at is None


def test_the_preview_says_what_will_move(with_a_draft, client, django_assert_max_num_queries):
    client.force_login(person("admin"))
    url = reverse("tracker:function_transfer_detail", kwargs={"uuid": the_transfer().uuid})
    # 18 today (two of them read the revisions in progress); none per response.
    with django_assert_max_num_queries(19):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "8 May 2028 is a placeholder: the law has not fixed the day yet" in text
    assert "The term of West Midlands Police and Crime Commissioner ends on 7 May 2028." in text
    assert with_a_draft.report.title in text
    # The demo's sample report's (drafted) and issue 18's sample national report's.
    assert "2 responses not yet published pass to the successor (1 drafted)" in text
    assert "1 published response stays as it was" in text
    assert "Daniel Hughes" in text
    assert "Carry out now" not in text  # not before the day
    assert "Cancel this transfer" in text


def test_the_hand_over_loses_nothing_and_leaves_nothing_addressed_to_the_old_body(with_a_draft):
    transfer = the_transfer()
    old, new = transfer.from_body, transfer.to_body
    daniel = person("pcc")
    published = {
        r.pk: r.body_id for r in StatutoryResponse.objects.filter(versions__isnull=False).distinct()
    }
    moving = list(function_transfer_plan.open_responses(transfer, {with_a_draft.force_id}))
    # With issue 18's sample national report's open response, not yet drafted.
    national = StatutoryResponse.objects.get(
        report__key="demo-sample-national-report", force=with_a_draft.force
    )
    assert sorted(r.pk for r in moving) == sorted([with_a_draft.pk, national.pk])
    waiting_for_daniel = Reminder.objects.filter(
        recipient=daniel, state=ReminderState.PENDING, deadline__response=with_a_draft
    ).count()
    assert waiting_for_daniel > 0
    before = snapshot()

    outcome = function_transfers.transfer_carry_out(transfer=transfer, by=None, now=ON_THE_DAY)

    assert outcome["changed"] is True
    after = snapshot()
    # Nothing lost: every row is still there; published versions say exactly what they said.
    assert after["responses"] == before["responses"]
    assert after["versions"] == before["versions"]
    assert after["deadlines"] == before["deadlines"]
    for name in ("audit", "status_changes", "deadline_changes", "reminders", "notifications"):
        assert before[name] <= after[name], name
    # The terms: the PCC's ends the day before, the mayor's begins on the day.
    wmp_terms = PolicingBodyTerm.objects.filter(force=with_a_draft.force)
    assert wmp_terms.get(body=old, starts_on=datetime.date(2012, 11, 22)).ends_on == (
        datetime.date(2028, 5, 7)
    )
    assert wmp_terms.get(body=new).starts_on == datetime.date(2028, 5, 8)
    assert [t.body for t in wmp_terms.on(datetime.date(2028, 5, 8))] == [new]
    # The open response passed with its history; the published ones did not move.
    moved = StatutoryResponse.objects.get(pk=with_a_draft.pk)
    assert moved.body == new
    assert moved.pcc_comments == with_a_draft.pcc_comments
    assert moved.chief_officer_comments_requested_on == (
        with_a_draft.chief_officer_comments_requested_on
    )
    history = AuditEvent.objects.filter(object_id=str(moved.uuid))
    assert history.filter(pk__in=before["audit"]).count() >= 2  # the request and the draft
    assert history.filter(changes__body=[old.code, new.code]).count() == 1
    for pk, body_id in published.items():
        assert StatutoryResponse.objects.get(pk=pk).body_id == body_id
    # Nothing left addressed to the old body.
    assert not StatutoryResponse.objects.filter(
        body=old, published_on__isnull=True, versions__isnull=True
    ).exists()
    assert not Reminder.objects.filter(
        state=ReminderState.PENDING, recipient__organisation=old
    ).exists()
    assert not User.objects.active().filter(organisation=old).exists()
    daniel.refresh_from_db()
    assert daniel.organisation == new  # the staff moved with the functions
    waiting = Reminder.objects.filter(state=ReminderState.PENDING, deadline__response=moved)
    assert waiting.exists()
    assert set(waiting.values_list("recipient__organisation__kind", flat=True)) <= {
        Organisation.Kind.MAYOR,
        Organisation.Kind.FORCE,
    }
    # A document written from now on is the mayor's.
    assert response_content(moved)["body"] == "Mayor of the West Midlands"
    transfer.refresh_from_db()
    assert transfer.carried_out_at == ON_THE_DAY
    assert sorted(transfer.outcome["responses"]) == sorted([str(moved.uuid), str(national.uuid)])
    assert transfer.outcome["people"] == [daniel.email]


def test_running_it_twice_changes_nothing_the_second_time(with_a_draft):
    transfer = the_transfer()
    function_transfers.transfer_carry_out(transfer=transfer, by=None, now=ON_THE_DAY)
    first = snapshot()
    terms = list(PolicingBodyTerm.objects.values_list("pk", "body_id", "starts_on", "ends_on"))
    states = dict(Reminder.objects.values_list("pk", "state"))
    again = function_transfers.transfer_carry_out(
        transfer=transfer, by=None, now=ON_THE_DAY + datetime.timedelta(days=1)
    )
    assert again["changed"] is False
    assert snapshot() == first
    assert list(PolicingBodyTerm.objects.values_list("pk", "body_id", "starts_on", "ends_on")) == (
        terms
    )
    assert dict(Reminder.objects.values_list("pk", "state")) == states
    assert the_transfer().carried_out_at == ON_THE_DAY
    # The daily task finds nothing more to do.
    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY) == {
        "carried_out": 0,
        "refused": 0,
    }


def test_when_the_staff_stay_their_reminders_go_and_the_successor_answers(with_a_draft):
    transfer = the_transfer()
    FunctionTransfer.objects.filter(pk=transfer.pk).update(staff_move=False)
    daniel = person("pcc")
    function_transfers.transfer_carry_out(transfer=transfer, by=None, now=ON_THE_DAY)
    daniel.refresh_from_db()
    assert daniel.organisation == transfer.from_body
    assert not Reminder.objects.filter(recipient=daniel, state=ReminderState.PENDING).exists()
    assert Reminder.objects.filter(
        recipient=daniel, state=ReminderState.CANCELLED, deadline__response=with_a_draft
    ).exists()


def test_the_daily_task_carries_out_transfers_due_today_and_not_before(with_a_draft, monkeypatch):
    day_before = ON_THE_DAY - datetime.timedelta(days=1)
    assert function_transfers.transfers_carry_out_due(now=day_before)["carried_out"] == 0
    assert the_transfer().carried_out_at is None
    monkeypatch.setattr(tasks.timezone, "now", lambda: ON_THE_DAY)
    assert tasks.carry_out_function_transfers() == {"carried_out": 1, "refused": 0}
    transfer = the_transfer()
    assert transfer.carried_out_at == ON_THE_DAY
    assert transfer.carried_out_by is None
    assert AuditEvent.objects.filter(
        object_id=str(transfer.uuid), note__startswith="Carried out"
    ).exists()


def test_it_cannot_be_carried_out_before_its_day(demo_world):
    transfer = the_transfer()
    with pytest.raises(ValidationError, match="takes effect on 8 May 2028"):
        function_transfers.transfer_carry_out(
            transfer=transfer, by=person("admin"), now=ON_THE_DAY - datetime.timedelta(hours=1)
        )
    assert the_transfer().carried_out_at is None
    assert PolicingBodyTerm.objects.filter(body=transfer.to_body).count() == 0


def test_an_administrator_carries_it_out_from_its_page_once_the_day_has_come(with_a_draft, client):
    transfer = the_transfer()
    client.force_login(person("admin"))
    url = reverse("tracker:function_transfer_detail", kwargs={"uuid": transfer.uuid})
    carry_out = reverse("tracker:function_transfer_carry_out", kwargs={"uuid": transfer.uuid})
    page = client.post(carry_out, follow=True)
    assert "it cannot be carried out before then" in page.content.decode()
    assert the_transfer().carried_out_at is None
    assert the_transfer().refusal is None  # not due yet: nothing kept as refused
    with time_machine.travel(ON_THE_DAY + datetime.timedelta(hours=9), tick=False):
        client.force_login(person("admin"))  # a new session: the old one is long idle
        assert "Carry out now" in client.get(url).content.decode()
        page = client.post(carry_out, follow=True)
    text = page.content.decode()
    assert "Carried out: 2 open response(s) and 1 person(s) moved to Mayor of the West" in text
    assert "What moved" in text
    assert the_transfer().carried_out_by == person("admin")


def test_only_an_administrator_may_carry_it_out(with_a_draft, client):
    transfer = the_transfer()
    carry_out = reverse("tracker:function_transfer_carry_out", kwargs={"uuid": transfer.uuid})
    for key in ("pcc", "coordinator", "national"):
        client.force_login(person(key))
        assert client.post(carry_out).status_code == 403
    client.force_login(person("other_force"))
    assert client.post(carry_out).status_code == 404
    with pytest.raises(ValidationError, match="Only an administrator"):
        function_transfers.transfer_carry_out(transfer=transfer, by=person("pcc"), now=ON_THE_DAY)
    assert the_transfer().carried_out_at is None


def test_staffordshire_cannot_see_the_west_midlands_transfer(demo_world, client):
    transfer = the_transfer()
    client.force_login(person("other_force"))
    detail = reverse("tracker:function_transfer_detail", kwargs={"uuid": transfer.uuid})
    assert client.get(detail).status_code == 404
    page = client.get(reverse("tracker:function_transfer_list"))
    assert page.status_code == 200
    assert "West Midlands" not in page.content.decode()
    client.force_login(person("pcc"))
    assert "West Midlands Police and Crime Commissioner" in (
        client.get(reverse("tracker:function_transfer_list")).content.decode()
    )


# Bad input: a clear message, nothing done ----------------------------------------------------


def form(**changes) -> dict:
    pcc = Organisation.objects.get(code="west-midlands-pcc")
    staffs = Organisation.objects.get(code="staffordshire-pfcc")
    mayor = Organisation.objects.get(code="west-midlands-mayor")
    data = {
        "from_body": staffs.pk,
        "to_body": mayor.pk,
        "takes_effect_on": "8/5/2028",
        "date_is_placeholder": "placeholder",
        "legal_basis": "Subject to legislation.",
        "legal_basis_url": "",
        "staff_move": "yes",
    }
    data.update({k: (v.pk if hasattr(v, "pk") else v) for k, v in changes.items()})
    del pcc
    return data


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"to_body": 987654},
            "to_body",
            "The body chosen does not exist. Choose the successor from the list",
        ),
        ({"to_body": "staffordshire-pfcc"}, "to_body", "cannot pass to itself"),
        (
            {"takes_effect_on": "1/7/2018"},
            "takes_effect_on",
            "That is backwards in time: Staffordshire Commissioner for Police, Fire and Rescue "
            "and Crime&#x27;s term for Staffordshire Police began on 1 August 2018",
        ),
        (
            {"from_body": "staffordshire-pcc", "to_body": "west-midlands-mayor"},
            "takes_effect_on",
            "Staffordshire Police and Crime Commissioner&#x27;s term ended on 31 July 2018, "
            "before that day: it has no functions to pass on then.",
        ),
        (
            {"from_body": "west-midlands-pcc", "takes_effect_on": "1/6/2028"},
            "from_body",
            "This overlaps another transfer: West Midlands Police and Crime Commissioner&#x27;s "
            "functions already pass to Mayor of the West Midlands on 8 May 2028",
        ),
        (
            {"takes_effect_on": "9/5/2028"},
            "to_body",
            "Mayor of the West Midlands already holds a term",
        ),
        (
            {"to_body": "west-midlands-pcc", "takes_effect_on": "9/5/2028"},
            "to_body",
            "This overlaps another transfer: West Midlands Police and Crime Commissioner&#x27;s "
            "own functions pass to Mayor of the West Midlands on 8 May 2028, on or before this "
            "transfer would take effect.",
        ),
        ({"legal_basis": "  "}, "legal_basis", "Enter the legal basis"),
        ({"takes_effect_on": "31/2/2028"}, "takes_effect_on", "Enter the day as a real date"),
    ],
)
def test_a_bad_transfer_is_refused_with_a_clear_message_and_nothing_saved(
    demo_world, client, changes, field, message
):
    if field == "to_body" and "already holds" in message:
        # The mayor already answers for Staffordshire Police from 1 May 2028 (made up).
        PolicingBodyTerm.objects.create(
            force=Organisation.objects.get(code="staffordshire-police"),
            body=Organisation.objects.get(code="west-midlands-mayor"),
            starts_on=datetime.date(2028, 5, 1),
        )
    codes = {
        k: Organisation.objects.get(code=v)
        for k, v in changes.items()
        if k in ("from_body", "to_body") and isinstance(v, str)
    }
    data = form(**{**changes, **codes})
    client.force_login(person("admin"))
    transfers, audit = FunctionTransfer.objects.count(), AuditEvent.objects.count()
    page = client.post(reverse("tracker:function_transfer_new"), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem" in text
    assert message in text
    assert f'id="id_{field}-error"' in text
    assert FunctionTransfer.objects.count() == transfers
    assert AuditEvent.objects.count() == audit


def test_the_successor_must_be_able_to_hold_the_functions(demo_world):
    with pytest.raises(ValidationError) as refused:
        function_transfers.transfer_record(
            by=person("admin"),
            from_body=Organisation.objects.get(code="staffordshire-pfcc"),
            to_body=Organisation.objects.get(code="staffordshire-police"),
            takes_effect_on=datetime.date(2028, 5, 8),
            legal_basis="Subject to legislation.",
        )
    assert "cannot hold a local policing body's functions" in str(refused.value)


def test_a_good_transfer_is_recorded_and_audited(demo_world, client):
    client.force_login(person("admin"))
    page = client.post(reverse("tracker:function_transfer_new"), form())
    transfer = FunctionTransfer.objects.get(from_body__code="staffordshire-pfcc")
    assert page.status_code == 302
    assert page["Location"] == reverse(
        "tracker:function_transfer_detail", kwargs={"uuid": transfer.uuid}
    )
    assert transfer.takes_effect_on == datetime.date(2028, 5, 8)
    assert transfer.recorded_by == person("admin")
    assert AuditEvent.objects.filter(object_id=str(transfer.uuid), action="create").exists()


def test_only_an_administrator_may_record_one(demo_world, client):
    client.force_login(person("pcc"))
    assert client.post(reverse("tracker:function_transfer_new"), form()).status_code == 403
    assert not FunctionTransfer.objects.filter(from_body__code="staffordshire-pfcc").exists()


def test_a_cancelled_transfer_no_longer_blocks_another(demo_world):
    admin = person("admin")
    transfer = the_transfer()
    function_transfers.transfer_cancel(transfer=transfer, by=admin)
    again = function_transfers.transfer_record(
        by=admin,
        from_body=transfer.from_body,
        to_body=transfer.to_body,
        takes_effect_on=datetime.date(2028, 5, 11),
        legal_basis="The Act, once made.",
    )
    assert again.pk != transfer.pk
    with pytest.raises(ValidationError, match="was cancelled"):
        function_transfers.transfer_carry_out(transfer=transfer, by=admin, now=ON_THE_DAY)


# Who signs, and the public page ------------------------------------------------------------


def test_from_the_day_a_document_is_signed_by_the_successor_even_before_it_is_carried_out(
    with_a_draft,
):
    assert signing_body(with_a_draft, datetime.date(2028, 5, 7)).code == "west-midlands-pcc"
    assert signing_body(with_a_draft, datetime.date(2028, 5, 8)).code == "west-midlands-mayor"


def test_the_old_bodys_public_page_stays_with_a_note_pointing_to_the_new_one(
    with_a_draft, client, monkeypatch
):
    transfer = the_transfer()
    public = reverse("tracker:public_body", kwargs={"body_code": "west-midlands-pcc"})
    before = client.get(public).content.decode()
    assert "passed to" not in before
    function_transfers.transfer_carry_out(transfer=transfer, by=None, now=ON_THE_DAY)
    from tracker.templatetags import function_transfer_tags

    monkeypatch.setattr(
        function_transfer_tags.timezone, "localdate", lambda: datetime.date(2028, 5, 8)
    )
    page = client.get(public)
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "The functions of West Midlands Police and Crime Commissioner passed to Mayor of the "
        "West Midlands on 8 May 2028." in text
    )
    assert reverse("tracker:public_body", kwargs={"body_code": "west-midlands-mayor"}) in text
    # Its published responses are still listed there.
    published = ResponseVersion.objects.filter(response__body=transfer.from_body).first()
    assert published is not None
    assert str(published.response.uuid) in text
    assert (
        client.get(
            reverse("tracker:public_body", kwargs={"body_code": "west-midlands-mayor"})
        ).status_code
        == 200
    )


def test_an_approval_given_by_the_old_body_does_not_carry_over_to_the_successor(with_a_draft):
    """The approved words were signed by the PCC; from the day they are the mayor's, so the
    successor approves them again before publishing (the fingerprint covers who signs)."""
    daniel = person("pcc")
    finding = with_a_draft.report.findings.get()
    statutory.response_save_draft(
        response=with_a_draft, by=daniel, pcc_responses={finding.pk: "The PCC will monitor it."}
    )
    approved = statutory.response_approve(response=with_a_draft, by=daniel)
    assert approval_current(approved)
    function_transfers.transfer_carry_out(transfer=the_transfer(), by=None, now=ON_THE_DAY)
    moved = StatutoryResponse.objects.get(pk=approved.pk)
    assert moved.approved_at == approved.approved_at  # the record of the approval stays
    with time_machine.travel(ON_THE_DAY, tick=False):
        assert not approval_current(moved)


def test_the_preview_reads_the_same_few_queries_however_many_responses_move(with_a_draft, client):
    client.force_login(person("admin"))
    url = reverse("tracker:function_transfer_detail", kwargs={"uuid": the_transfer().uuid})
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    StatutoryResponse.objects.create(
        report=Report.objects.get(key="peel-effectiveness-2015-west-midlands"),
        body=with_a_draft.body,
        force=with_a_draft.force,
    )
    with CaptureQueriesContext(connection) as two:
        page = client.get(url)
    assert "3 responses not yet published pass to the successor" in page.content.decode()
    assert len(two.captured_queries) == len(one.captured_queries)


# Review fixes: one rule for which terms pass; refusals kept; revisions; the list's queries ---

MAY_8 = datetime.date(2028, 5, 8)
MAY_7 = datetime.date(2028, 5, 7)


def _no_other_transfers() -> None:
    """The demo's West Midlands transfer (built for the module) set aside: cancelled."""
    FunctionTransfer.objects.update(cancelled_at=ON_THE_DAY - datetime.timedelta(days=30))


def _two_force_body():
    """P answers for A Police and B Police; B passes to Q on 8 May by a term of Q's own, so a
    transfer of P's functions to the mayor M on that day carries A only."""
    a, b = make_org("A Police"), make_org("B Police")
    p = make_org("P PCC", kind=Organisation.Kind.LOCAL_POLICING_BODY)
    q = make_org("Q PCC", kind=Organisation.Kind.LOCAL_POLICING_BODY)
    m = make_org("M Mayor", kind=Organisation.Kind.MAYOR)
    start = datetime.date(2012, 11, 22)
    PolicingBodyTerm.objects.create(force=a, body=p, starts_on=start)
    PolicingBodyTerm.objects.create(force=b, body=p, starts_on=start, ends_on=MAY_7)
    PolicingBodyTerm.objects.create(force=b, body=q, starts_on=MAY_8)
    return a, b, p, q, m


@pytest.mark.django_db
def test_a_force_another_body_takes_on_the_day_does_not_pass_with_the_transfer():
    a, b, p, q, m = _two_force_body()
    report = make_report(forces=[a, b], published_on=datetime.date(2028, 3, 1))
    open_a = StatutoryResponse.objects.create(report=report, body=p, force=a)
    open_b = StatutoryResponse.objects.create(report=report, body=p, force=b)
    admin = World.admin()
    transfer = function_transfers.transfer_record(
        by=admin, from_body=p, to_body=m, takes_effect_on=MAY_8, legal_basis="The Act."
    )
    # The checks, the preview, who may see it and who signs: the same rule, A only.
    assert function_transfer_plan.transfer_force_ids(transfer) == {a.pk}
    assert [t.force for t in function_transfer_plan.transfer_plan(transfer).terms] == [a]
    assert function_transfer_plan.transfers_force_ids([transfer]) == {transfer.pk: {a.pk}}
    assert signing_body(open_a, MAY_8) == m
    assert signing_body(open_b, MAY_8) == p  # not M: B is Q's from the day

    outcome = function_transfers.transfer_carry_out(
        transfer=transfer, by=admin, now=datetime.datetime(2028, 5, 8, 9, tzinfo=LONDON)
    )

    assert outcome["forces"] == ["a-police"]
    assert outcome["responses"] == [str(open_a.uuid)]
    assert not PolicingBodyTerm.objects.filter(force=b, body=m).exists()
    assert [t.body for t in PolicingBodyTerm.objects.filter(force=b).on(MAY_8)] == [q]
    assert PolicingBodyTerm.objects.get(force=b, body=p).ends_on == MAY_7  # untouched
    assert StatutoryResponse.objects.get(pk=open_a.pk).body == m
    assert StatutoryResponse.objects.get(pk=open_b.pk).body == p  # Q's office takes it over
    for term in PolicingBodyTerm.objects.all():
        assert term.ends_on is None or term.starts_on is None or term.ends_on >= term.starts_on


@pytest.mark.django_db
def test_a_body_whose_every_force_passes_to_another_body_on_the_day_is_refused():
    a, b, p, q, m = _two_force_body()
    PolicingBodyTerm.objects.filter(force=a, body=p).update(ends_on=MAY_7)
    PolicingBodyTerm.objects.create(force=a, body=q, starts_on=MAY_8)
    with pytest.raises(ValidationError) as refused:
        function_transfers.transfer_record(
            by=World.admin(), from_body=p, to_body=m, takes_effect_on=MAY_8, legal_basis="x"
        )
    assert refused.value.message_dict == {
        "takes_effect_on": [
            "P PCC has no functions to pass on then: from 8 May 2028 A Police answers to Q PCC."
        ]
    }
    assert not FunctionTransfer.objects.filter(from_body=p).exists()


@pytest.mark.django_db
def test_a_term_ended_on_the_day_before_after_recording_is_still_carried_out():
    """The administrator records the end of the PCC's term of office (7 May 2028) after the
    transfer of 8 May was recorded: the daily task carries it out, and the mayor's term is
    open (it never ends before it starts)."""
    _no_other_transfers()
    force, body = make_force_with_body("A")
    mayor = make_org("M Mayor", kind=Organisation.Kind.MAYOR)
    report = make_report(forces=[force], published_on=datetime.date(2028, 3, 1))
    response = StatutoryResponse.objects.create(report=report, body=body, force=force)
    transfer = function_transfers.transfer_record(
        by=World.admin(), from_body=body, to_body=mayor, takes_effect_on=MAY_8, legal_basis="x"
    )
    PolicingBodyTerm.objects.filter(body=body).update(ends_on=MAY_7)

    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY) == {
        "carried_out": 1,
        "refused": 0,
    }

    transfer.refresh_from_db()
    assert transfer.carried_out_at == ON_THE_DAY
    assert transfer.refusal is None
    assert PolicingBodyTerm.objects.get(body=body).ends_on == MAY_7
    successor = PolicingBodyTerm.objects.get(body=mayor)
    assert (successor.starts_on, successor.ends_on) == (MAY_8, None)
    assert StatutoryResponse.objects.get(pk=response.pk).body == mayor


@pytest.mark.django_db
def test_one_transfer_the_database_refuses_never_stops_the_others_and_shows_on_its_page(
    monkeypatch, client
):
    _no_other_transfers()
    admin = World.admin()
    bad_force, bad_body = make_force_with_body("Bad")
    good_force, good_body = make_force_with_body("Good")
    transfers = [
        function_transfers.transfer_record(
            by=admin,
            from_body=body,
            to_body=make_org(f"Mayor {n}", kind=Organisation.Kind.MAYOR),
            takes_effect_on=MAY_8,
            legal_basis="x",
        )
        for n, body in enumerate([bad_body, good_body])
    ]
    real_audit = function_transfers.audit_record

    def audit_refused_for_the_bad_body(**kwargs):
        obj = kwargs["obj"]
        if isinstance(obj, PolicingBodyTerm) and obj.body_id == bad_body.pk:
            raise IntegrityError("duplicate key value violates unique constraint (simulated)")
        return real_audit(**kwargs)

    monkeypatch.setattr(function_transfers, "audit_record", audit_refused_for_the_bad_body)

    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY) == {
        "carried_out": 1,
        "refused": 1,
    }

    bad, good = (FunctionTransfer.objects.get(pk=t.pk) for t in transfers)
    assert good.carried_out_at == ON_THE_DAY
    assert bad.carried_out_at is None
    # Nothing of the refused one was done: its term was ended, then undone.
    assert PolicingBodyTerm.objects.get(body=bad_body).ends_on is None
    assert not PolicingBodyTerm.objects.filter(body=bad.to_body).exists()
    assert bad.refusal is not None
    assert "The database refused a change" in bad.refusal["messages"][0]
    client.force_login(admin)
    page = client.get(reverse("tracker:function_transfer_detail", kwargs={"uuid": bad.uuid}))
    text = page.content.decode()
    assert "Not carried out" in text
    assert "The attempt to carry it out on 8 May 2028 00:15 was refused" in text
    assert "The database refused a change" in text


def test_a_refused_transfer_says_why_on_its_page_until_it_is_carried_out(with_a_draft, client):
    transfer = the_transfer()
    # Since it was recorded, the mayor was (wrongly) given West Midlands Police from 1 May.
    made_up = PolicingBodyTerm.objects.create(
        force=with_a_draft.force, body=transfer.to_body, starts_on=datetime.date(2028, 5, 1)
    )
    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY)["refused"] == 1
    client.force_login(person("admin"))
    url = reverse("tracker:function_transfer_detail", kwargs={"uuid": transfer.uuid})
    text = client.get(url).content.decode()
    assert "Not carried out" in text
    assert "Mayor of the West Midlands already holds a term for West Midlands Police" in text
    listed = client.get(reverse("tracker:function_transfer_list")).content.decode()
    assert "Not carried out: refused" in listed
    made_up.delete()
    assert function_transfers.transfers_carry_out_due(now=ON_THE_DAY)["carried_out"] == 1
    assert the_transfer().refusal is None
    assert "Not carried out" not in client.get(url).content.decode()


def _published_response() -> StatutoryResponse:
    return (
        StatutoryResponse.objects.filter(versions__isnull=False, body__code="west-midlands-pcc")
        .distinct()
        .get()
    )


def test_the_successor_publishes_a_corrected_version_of_a_published_response(demo_world):
    published = _published_response()
    old = published.body
    first = {v.pk: (v.number, v.content) for v in published.versions.all()}
    function_transfers.transfer_carry_out(transfer=the_transfer(), by=None, now=ON_THE_DAY)
    daniel = person("pcc")  # now of the mayor's office
    later = ON_THE_DAY + datetime.timedelta(days=2, hours=10)
    with time_machine.travel(later, tick=False):
        statutory.response_save_draft(
            response=published, by=daniel, pcc_comments="A correction after the hand-over."
        )
        statutory.response_approve(response=published, by=daniel)
        version = statutory.response_publish(
            response=published, by=daniel, published_on=later.date()
        )
        # The copies sent (s55(6)) can be recorded by the successor's office too.
        statutory.response_record_copies(
            response=published,
            by=daniel,
            inspectorate_on=later.date(),
            home_secretary_on=later.date(),
        )
    assert version.number == max(n for n, _content in first.values()) + 1
    assert version.content["body"] == "Mayor of the West Midlands"
    assert version.content["pcc_comments"] == "A correction after the hand-over."
    assert version.published_by == daniel
    # The earlier versions are exactly as they were, signed by the old body; the response
    # stays on its public page.
    for pk, (number, content) in first.items():
        kept = ResponseVersion.objects.get(pk=pk)
        assert (kept.number, kept.content) == (number, content)
        assert kept.content["body"] == old.name
    assert StatutoryResponse.objects.get(pk=published.pk).body == old


def test_the_old_bodys_office_that_stayed_cannot_publish_a_new_version(demo_world):
    published = _published_response()
    FunctionTransfer.objects.update(staff_move=False)
    function_transfers.transfer_carry_out(transfer=the_transfer(), by=None, now=ON_THE_DAY)
    later = ON_THE_DAY + datetime.timedelta(days=2)
    refused = pytest.raises(ValidationError, match="Only the PCC office can write")
    with time_machine.travel(later, tick=False), refused:
        statutory.response_save_draft(
            response=published, by=person("pcc"), pcc_comments="Not ours any more."
        )


def test_a_revision_in_progress_at_the_hand_over_shows_on_the_preview_as_moving(demo_world, client):
    published = _published_response()
    transfer = the_transfer()
    client.force_login(person("admin"))
    url = reverse("tracker:function_transfer_detail", kwargs={"uuid": transfer.uuid})
    assert "Revisions of published responses in progress" not in client.get(url).content.decode()
    statutory.response_save_draft(
        response=published, by=person("pcc"), pcc_comments="A revision, not yet published."
    )
    assert function_transfer_plan.transfer_plan(transfer).revisions == [published]
    text = client.get(url).content.decode()
    assert "Revisions of published responses in progress" in text
    assert "The revision moves to Mayor of the West Midlands" in text
    assert published.report.title in text
    outcome = function_transfers.transfer_carry_out(transfer=transfer, by=None, now=ON_THE_DAY)
    assert outcome["revisions"] == [str(published.uuid)]
    client.force_login(person("admin"))
    assert "is now the successor's to publish" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_list_reads_as_many_queries_for_eight_transfers_as_for_one(client):
    admin = World.admin()
    office = None

    def add(n: int) -> None:
        nonlocal office
        force, body = make_force_with_body(f"F{n}")
        function_transfers.transfer_record(
            by=admin,
            from_body=body,
            to_body=make_org(f"Mayor {n}", kind=Organisation.Kind.MAYOR),
            takes_effect_on=MAY_8,
            legal_basis="x",
        )
        if n == 0:
            office = make_user("Pat Office", body, Role.PCC_OFFICE)

    add(0)
    client.force_login(office)
    url = reverse("tracker:function_transfer_list")
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert page.status_code == 200
    for n in range(1, 8):
        add(n)
    with CaptureQueriesContext(connection) as eight:
        page = client.get(url)
    assert page.status_code == 200
    assert FunctionTransfer.objects.filter(from_body__name__startswith="F").count() == 8
    assert "F0 Police and Crime Commissioner" in page.content.decode()
    assert "F1 Police and Crime Commissioner" not in page.content.decode()
    assert len(eight.captured_queries) == len(one.captured_queries)


def test_administrators_find_transfers_in_the_navigation_and_no_one_else(demo_world, client):
    link = f'href="{reverse("tracker:function_transfer_list")}"'
    client.force_login(person("admin"))
    assert link in client.get(reverse("tracker:rules")).content.decode()
    client.force_login(person("coordinator"))
    assert link not in client.get(reverse("tracker:rules")).content.decode()
