"""The PCC office's statutory response: request, comments, wording, the completeness check,
approval, publication, versions and copies sent (tracker/statutory/ and its pages)."""

import datetime
import io
import smtplib

import docx
import pypdf
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, PolicingBodyTerm
from tests.factories import make_finding, make_item, make_org, make_report, make_user
from tracker import documents
from tracker.models import (
    AppendOnlyError,
    AuditEvent,
    Deadline,
    DeadlineRule,
    FindingKind,
    Notification,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
)
from tracker.reminders.notices import notices_send
from tracker.reminders.sweeps import sweep
from tracker.reminders.sync import responses_ensure
from tracker.statutory.content import (
    DEFAULT_INTRODUCTION,
    approval_current,
    response_content,
    response_problems,
    stage_of,
)
from tracker.statutory.services import (
    response_approve,
    response_for,
    response_publish,
    response_record_comments,
    response_record_copies,
    response_request_comments,
    response_save_draft,
    versions_record_published,
)


@pytest.fixture
def w(world):
    world.coc = make_finding(
        world.report,
        "The force is failing to attend incidents promptly.",
        kind=FindingKind.CAUSE_OF_CONCERN,
        order=0,
    )
    world.finding.parent = world.coc
    world.finding.order = 1
    world.finding.save()
    world.response = response_for(report=world.report, force=world.wmp)
    return world


def url(w, name, *extra):
    return reverse(f"tracker:{name}", args=[w.report.key, w.wmp.code, *extra])


def write_all(w, pcc_response="We will check the backlog weekly."):
    response_save_draft(
        response=w.response,
        by=w.pcc,
        pcc_comments="The PCC welcomes the report.",
        pcc_responses={w.finding.pk: pcc_response},
        force_responses={w.finding.pk: "The force reviewed every open incident."},
    )


def fresh(w):
    return StatutoryResponse.objects.get(pk=w.response.pk)


# The completeness check ---------------------------------------------------------------


def test_the_completeness_check_names_each_unanswered_recommendation(w):
    problems = [p[0] for p in response_problems(fresh(w))]
    assert "Write the PCC's overall comments on the report." in problems
    assert any("recommendation 1" in p and "why no action" in p for p in problems)
    assert len(problems) == 2  # the cause of concern itself needs no explanation


def test_approval_is_refused_while_a_recommendation_lacks_an_explanation(w):
    response_save_draft(response=w.response, by=w.pcc, pcc_comments="Comments.")
    with pytest.raises(ValidationError) as refused:
        response_approve(response=fresh(w), by=w.pcc)
    assert any("recommendation 1" in m for m in refused.value.messages)
    assert fresh(w).approved_at is None


def test_a_blank_explanation_counts_as_missing(w):
    write_all(w, pcc_response="   \n  ")
    assert any("recommendation 1" in p[0] for p in response_problems(fresh(w)))


def test_approval_succeeds_once_everything_is_answered(w):
    write_all(w)
    assert response_problems(fresh(w)) == []
    response = response_approve(response=fresh(w), by=w.pcc)
    assert response.approved_by == w.pcc
    assert response.approved_fingerprint
    assert approval_current(fresh(w))


def test_a_change_after_approval_needs_approval_again(w):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    response_save_draft(
        response=fresh(w), by=w.pcc, pcc_responses={w.finding.pk: "A different answer."}
    )
    assert not approval_current(fresh(w))
    with pytest.raises(ValidationError, match="Approve the response before publishing"):
        response_publish(response=fresh(w), by=w.pcc, published_on=timezone.localdate())


# Wording and the introduction template ----------------------------------------------


def test_the_responses_are_kept_on_the_recommendations_tracked_item(w):
    write_all(w)
    item = TrackedItem.objects.get(pk=w.item.pk)
    assert item.pcc_response == "We will check the backlog weekly."
    assert item.force_response == "The force reviewed every open incident."
    events = AuditEvent.objects.filter(object_id=str(item.uuid), note__startswith="Statutory")
    assert {tuple(e.changes) for e in events} == {("pcc_response",), ("force_response",)}


def test_an_unknown_field_in_the_introduction_is_refused_and_nothing_is_saved(w):
    with pytest.raises(ValidationError) as refused:
        response_save_draft(
            response=w.response,
            by=w.pcc,
            introduction="On {{ report_published }} we read {{ report_name }}.",
            pcc_comments="Saved?",
        )
    assert "{{ report_name }}, which is not a field" in refused.value.messages[0]
    assert "{{ report_title }}" in refused.value.messages[0]
    response = fresh(w)
    assert response.introduction == ""
    assert response.pcc_comments == ""


def test_a_stray_brace_in_the_introduction_is_refused(w):
    with pytest.raises(ValidationError, match="without a matching"):
        response_save_draft(
            response=w.response, by=w.pcc, introduction="Published {{ report_published."
        )


def test_the_introduction_fills_in_its_fields(w):
    response_save_draft(
        response=w.response,
        by=w.pcc,
        introduction="{{ body }} on {{ report_title }} ({{ recommendations }}, due {{ deadline }})",
    )
    content = response_content(fresh(w))
    assert content["introduction"] == (
        "West Midlands Police and Crime Commissioner on PEEL: police effectiveness 2017 "
        "(1 recommendation, due 16 May 2018)"
    )


def test_force_staff_cannot_write_the_pccs_response(w):
    with pytest.raises(ValidationError, match="Only the PCC office"):
        response_save_draft(
            response=w.response, by=w.coordinator, pcc_responses={w.finding.pk: "Mine"}
        )
    response_save_draft(
        response=w.response, by=w.coordinator, force_responses={w.finding.pk: "Ours"}
    )
    assert TrackedItem.objects.get(pk=w.item.pk).force_response == "Ours"
    with pytest.raises(ValidationError):
        response_save_draft(
            response=w.response, by=w.owner, force_responses={w.finding.pk: "Staff"}
        )


def test_another_forces_pcc_office_cannot_write_or_approve(w):
    staffs_office = make_user("Sian Lloyd", w.staffs_pcc, "pcc_office")
    with pytest.raises(ValidationError):
        response_save_draft(response=w.response, by=staffs_office, pcc_comments="x")
    with pytest.raises(ValidationError):
        response_approve(response=w.response, by=staffs_office)


# Requesting and recording the chief constable's comments ----------------------------


def test_requesting_comments_tells_the_coordinator_and_sets_a_deadline(w):
    due = timezone.localdate() + datetime.timedelta(days=14)
    response_request_comments(response=w.response, by=w.pcc, due_on=due)
    response = fresh(w)
    assert response.chief_officer_comments_requested_on == timezone.localdate()
    note = Notification.objects.get(user=w.coordinator)
    assert "chief constable's comments" in note.subject
    assert note.url == url(w, "response_detail")
    assert note.email_state == "pending"
    deadline = Deadline.objects.get(response=response, rule__key="chief-officer-comments")
    assert deadline.due_on == due


def test_the_request_email_goes_out_once_with_the_next_sweep(w):
    due = timezone.localdate() + datetime.timedelta(days=14)
    response_request_comments(response=w.response, by=w.pcc, due_on=due)
    mail.outbox.clear()
    sweep()
    sent = [m for m in mail.outbox if "asks for the chief constable" in m.subject]
    assert len(sent) == 1
    assert sent[0].to == [w.coordinator.email]
    assert url(w, "response_detail") in sent[0].body
    sweep()
    assert len([m for m in mail.outbox if "asks for the chief constable" in m.subject]) == 1
    notice = Notification.objects.get(user=w.coordinator, subject__contains="asks for")
    assert notice.email_state == "sent"


def test_a_request_date_in_the_past_is_refused(w):
    with pytest.raises(ValidationError, match="today or later"):
        response_request_comments(response=w.response, by=w.pcc, due_on=datetime.date(2020, 1, 1))
    assert fresh(w).chief_officer_comments_requested_on is None
    assert not Notification.objects.exists()


def test_the_coordinator_records_the_chief_constables_comments(w):
    response_record_comments(
        response=w.response,
        by=w.coordinator,
        text="The chief constable accepts the findings.",
        received_on=timezone.localdate(),
    )
    response = fresh(w)
    assert response.chief_officer_comments == "The chief constable accepts the findings."
    assert Notification.objects.filter(user=w.pcc, subject__contains="comments are in").exists()


def test_comments_received_in_the_future_are_refused(w):
    with pytest.raises(ValidationError, match="future"):
        response_record_comments(
            response=w.response,
            by=w.coordinator,
            text="x",
            received_on=timezone.localdate() + datetime.timedelta(days=1),
        )


# Publishing and versions -----------------------------------------------------------------


def approve_and_publish(w, on=datetime.date(2018, 5, 17), url_=""):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    return response_publish(response=fresh(w), by=w.pcc, published_on=on, url=url_)


def test_publishing_keeps_a_snapshot_and_meets_the_deadline(w):
    version = approve_and_publish(w)
    assert version.number == 1
    assert version.content["published"] == "17 May 2018"
    rec = version.content["areas"][0]["entries"][1]
    assert rec["pcc_response"] == "We will check the backlog weekly."
    response = fresh(w)
    assert response.published_on == datetime.date(2018, 5, 17)
    deadline = Deadline.objects.get(response=response, rule__key="s55-pcc-comments")
    assert deadline.state == "met"
    assert deadline.days_late == 1


def test_a_publication_date_before_the_report_is_refused(w):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    with pytest.raises(ValidationError, match="on or after the day the report was published"):
        response_publish(response=fresh(w), by=w.pcc, published_on=datetime.date(2018, 3, 21))
    assert not ResponseVersion.objects.exists()
    assert fresh(w).published_on is None


def test_publishing_with_a_recommendation_unanswered_is_refused(w):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    TrackedItem.objects.filter(pk=w.item.pk).update(pcc_response="")
    with pytest.raises(ValidationError) as refused:
        response_publish(response=fresh(w), by=w.pcc, published_on=datetime.date(2018, 5, 1))
    assert "Every recommendation must be answered" in refused.value.messages[0]
    assert not ResponseVersion.objects.exists()


def test_editing_a_published_response_makes_a_new_version_and_keeps_the_first(w):
    first = approve_and_publish(w)
    response_save_draft(
        response=fresh(w), by=w.pcc, pcc_responses={w.finding.pk: "An updated answer."}
    )
    response_approve(response=fresh(w), by=w.pcc)
    second = response_publish(response=fresh(w), by=w.pcc, published_on=datetime.date(2018, 6, 1))
    assert second.number == 2
    assert second.content["areas"][0]["entries"][1]["pcc_response"] == "An updated answer."
    assert second.content["first_published"] == "17 May 2018"
    first = ResponseVersion.objects.get(pk=first.pk)
    assert first.content["areas"][0]["entries"][1]["pcc_response"] == (
        "We will check the backlog weekly."
    )
    assert fresh(w).published_on == datetime.date(2018, 5, 17)  # the deadline was met then


def test_published_versions_cannot_be_changed_or_deleted(w):
    version = approve_and_publish(w)
    version.content = {}
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        ResponseVersion.objects.all().delete()


def test_copies_sent_are_recorded_only_after_publication_and_not_before_it(w):
    with pytest.raises(ValidationError, match="Publish the response"):
        response_record_copies(
            response=w.response, by=w.pcc, inspectorate_on=None, home_secretary_on=None
        )
    approve_and_publish(w)
    with pytest.raises(ValidationError, match="on or after publication"):
        response_record_copies(
            response=fresh(w),
            by=w.pcc,
            inspectorate_on=datetime.date(2018, 5, 1),
            home_secretary_on=None,
        )
    response_record_copies(
        response=fresh(w),
        by=w.pcc,
        inspectorate_on=datetime.date(2018, 5, 18),
        home_secretary_on=datetime.date(2018, 5, 18),
    )
    assert stage_of(fresh(w), drafted=True, published=True) == "copies_sent"


def test_the_stage_follows_the_record():
    r = StatutoryResponse()
    assert stage_of(None, drafted=False, published=False) == "not_started"
    r.chief_officer_comments_requested_on = datetime.date(2018, 4, 1)
    assert stage_of(r, drafted=False, published=False) == "comments_requested"
    r.chief_officer_comments_received_on = datetime.date(2018, 4, 20)
    assert stage_of(r, drafted=False, published=False) == "comments_received"
    assert stage_of(r, drafted=True, published=False) == "drafted"
    r.approved_at = timezone.now()
    assert stage_of(r, drafted=True, published=False) == "approved"
    assert stage_of(r, drafted=True, published=True) == "published"


# The pages ---------------------------------------------------------------------------


def test_the_office_takes_a_response_from_request_to_publication_on_its_pages(w, client):
    client.force_login(w.pcc)
    due = (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    assert client.post(url(w, "response_request_comments"), {"due_on": due}).status_code == 302
    page = client.get(url(w, "response_detail")).content.decode()
    assert "Chief constable&#x27;s comments requested" in page

    refused = client.post(url(w, "response_approve"))
    assert refused.status_code == 400
    assert "recommendation 1" in refused.content.decode()

    form = {
        "introduction": DEFAULT_INTRODUCTION,
        "pcc_comments": "The PCC welcomes the report.",
        f"force_response_{w.finding.pk}": "The force reviewed every open incident.",
        f"pcc_response_{w.finding.pk}": "We will check the backlog weekly.",
        f"force_response_{w.coc.pk}": "",
        f"pcc_response_{w.coc.pk}": "",
    }
    assert client.post(url(w, "response_edit"), form).status_code == 302
    assert client.post(url(w, "response_approve")).status_code == 302

    bad = client.post(url(w, "response_publish"), {"published_on": "21/03/2018", "url": ""})
    assert bad.status_code == 400
    assert "on or after the day the report was published" in bad.content.decode()
    ok = client.post(
        url(w, "response_publish"),
        {"published_on": "17/05/2018", "url": "https://www.westmidlands-pcc.gov.uk/r"},
    )
    assert ok.status_code == 302
    page = client.get(url(w, "response_detail")).content.decode()
    assert "Published versions" in page
    assert "17 May 2018" in page


def test_the_draft_documents_match_what_is_recorded(w, client):
    write_all(w, pcc_response="We will check <b>the backlog</b> weekly.")
    client.force_login(w.pcc)
    html = client.get(url(w, "response_document", "html")).content.decode()
    assert "We will check &lt;b&gt;the backlog&lt;/b&gt; weekly." in html
    word = client.get(url(w, "response_document", "docx"))
    assert word["Content-Disposition"].startswith("attachment;")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "We will check <b>the backlog</b> weekly." in text
    assert "The force reviewed every open incident." in text
    pdf = client.get(url(w, "response_document", "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    pdf_text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "We will check <b>the backlog</b> weekly." in pdf_text
    assert "The PCC welcomes the report." in pdf_text


def test_force_staff_read_the_response_but_cannot_write_it(w, client):
    client.force_login(w.owner)
    assert client.get(url(w, "response_detail")).status_code == 200
    for name in ("response_edit", "response_approve", "response_request_comments"):
        assert client.get(url(w, name)).status_code == 403
        assert client.post(url(w, name), {}).status_code == 403


def test_the_coordinator_writes_only_the_forces_side(w, client):
    client.force_login(w.coordinator)
    page = client.get(url(w, "response_edit")).content.decode()
    assert f"force_response_{w.finding.pk}" in page
    assert f"pcc_response_{w.finding.pk}" not in page
    assert "pcc_comments" not in page
    client.post(
        url(w, "response_edit"),
        {
            f"force_response_{w.finding.pk}": "From the force",
            f"pcc_response_{w.finding.pk}": "Sneaked in",
        },
    )
    item = TrackedItem.objects.get(pk=w.item.pk)
    assert item.force_response == "From the force"
    assert item.pcc_response == ""
    assert client.post(url(w, "response_approve")).status_code == 403


def test_another_forces_people_get_404_everywhere(w, client):
    client.force_login(w.outsider)
    for name in ("response_detail", "response_edit", "response_approve", "response_publish"):
        assert client.get(url(w, name)).status_code == 404
    assert client.get(url(w, "response_document", "pdf")).status_code == 404
    assert w.report.title not in client.get(reverse("tracker:response_list")).content.decode()


def test_the_national_reader_reads_but_cannot_act(w, client):
    client.force_login(w.reader)
    assert client.get(url(w, "response_detail")).status_code == 200
    assert client.post(url(w, "response_edit"), {}).status_code == 403
    assert client.post(url(w, "response_publish"), {}).status_code == 403


def test_the_list_puts_overdue_responses_first(w, client):
    today = timezone.localdate()
    soon = make_report(forces=[w.wmp], title="Due soon", published_on=today)
    responses_ensure(report=soon)
    approve_and_publish(w)
    overdue = make_report(
        forces=[w.wmp], title="Overdue", published_on=today - datetime.timedelta(days=80)
    )
    responses_ensure(report=overdue)
    client.force_login(w.pcc)
    page = client.get(reverse("tracker:response_list")).content.decode()
    assert page.index("Overdue") < page.index("Due soon") < page.index(w.report.title)
    # Day 1 is the day published.
    assert "25 days late" in page
    assert "55 days left" in page
    assert "Published 1 day late" in page


def test_the_list_uses_a_fixed_number_of_queries(w, client, django_assert_max_num_queries):
    client.force_login(w.pcc)
    client.get(reverse("tracker:response_list"))
    for n in range(6):
        report = make_report(forces=[w.wmp], title=f"Report {n}", published_on=timezone.localdate())
        responses_ensure(report=report)

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("tracker:response_list")).status_code == 200
    for n in range(6, 20):
        report = make_report(forces=[w.wmp], title=f"Report {n}", published_on=timezone.localdate())
        responses_ensure(report=report)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("tracker:response_list")).status_code == 200


# The public page ---------------------------------------------------------------------------


def test_the_public_page_states_the_period_from_the_s55_rule(w, client):
    body_url = reverse("tracker:public_body", args=[w.wm_pcc.code])
    page = client.get(body_url).content.decode()
    assert (
        "within 56 days beginning with the day the report was published (the day of "
        "publication is day 1) for reports published since 2 May 2017" in page
    )
    DeadlineRule.objects.filter(key="s55-pcc-comments").update(length=60)
    assert "within 60 days beginning with" in client.get(body_url).content.decode()


def test_the_public_page_lists_only_published_responses(w, client):
    draft_report = make_report(forces=[w.wmp], title="A report still in draft")
    draft = response_for(report=draft_report, force=w.wmp)
    response_save_draft(response=draft, by=w.pcc, pcc_comments="Unpublished words")
    body_url = reverse("tracker:public_body", args=[w.wm_pcc.code])
    assert w.report.title not in client.get(body_url).content.decode()
    approve_and_publish(w)
    page = client.get(body_url).content.decode()  # no sign-in
    assert w.report.title in page
    assert "A report still in draft" not in page
    response = fresh(w)
    public = client.get(reverse("tracker:public_response", args=[w.wm_pcc.code, response.uuid]))
    assert public.status_code == 200
    assert "We will check the backlog weekly." in public.content.decode()
    assert (
        client.get(reverse("tracker:public_response", args=[w.wm_pcc.code, draft.uuid])).status_code
        == 404
    )
    # Another body's address does not show it either.
    other = reverse("tracker:public_response", args=[w.staffs_pcc.code, response.uuid])
    assert client.get(other).status_code == 404


def test_the_public_documents_are_the_published_version_not_the_draft(w, client):
    approve_and_publish(w)
    response_save_draft(
        response=fresh(w), by=w.pcc, pcc_responses={w.finding.pk: "Draft words, not published"}
    )
    response = fresh(w)
    word = client.get(
        reverse("tracker:public_document", args=[w.wm_pcc.code, response.uuid, 1, "docx"])
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "We will check the backlog weekly." in text
    assert "Draft words, not published" not in text
    page = client.get(
        reverse("tracker:public_response", args=[w.wm_pcc.code, response.uuid])
    ).content.decode()
    assert "Draft words, not published" not in page


def test_the_response_page_and_public_page_use_a_fixed_number_of_queries(
    w, client, django_assert_max_num_queries
):
    approve_and_publish(w)
    client.force_login(w.pcc)
    body_url = reverse("tracker:public_body", args=[w.wm_pcc.code])
    with CaptureQueriesContext(connection) as detail:
        assert client.get(url(w, "response_detail")).status_code == 200
    with CaptureQueriesContext(connection) as public:
        assert client.get(body_url).status_code == 200
    for n in range(8):
        finding = make_finding(w.report, f"Recommendation {n}", order=10 + n)
        make_item(finding, w.wmp)
        other = make_report(forces=[w.wmp], title=f"Published {n}")
        response = response_for(report=other, force=w.wmp)
        response_save_draft(response=response, by=w.pcc, pcc_comments="Comments")
        response_approve(response=response, by=w.pcc)
        response_publish(response=response, by=w.pcc, published_on=datetime.date(2018, 5, 1))
    with django_assert_max_num_queries(len(detail)):
        page = client.get(url(w, "response_detail"))
    assert page.status_code == 200
    assert "Recommendation 7" in page.content.decode()
    with django_assert_max_num_queries(len(public)):
        page = client.get(body_url)
    assert page.status_code == 200
    assert "Published 7" in page.content.decode()


def test_a_server_without_the_pdf_libraries_says_so_plainly(w, client, monkeypatch):
    def no_pango(content):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(documents, "render_pdf", no_pango)
    write_all(w)
    client.force_login(w.pcc)
    response = client.get(url(w, "response_document", "pdf"))
    assert response.status_code == 503
    assert "Download the Word document instead" in response.content.decode()


# Found in review ------------------------------------------------------------------------


def test_the_body_in_post_takes_a_response_over_before_it_is_published(w):
    mayor = make_org("West Midlands Mayor", kind=Organisation.Kind.LOCAL_POLICING_BODY)
    PolicingBodyTerm.objects.filter(body=w.wm_pcc).update(ends_on=datetime.date(2025, 5, 7))
    PolicingBodyTerm.objects.create(force=w.wmp, body=mayor, starts_on=datetime.date(2025, 5, 8))
    mayors_office = make_user("Mo Khan", mayor, "pcc_office")
    with pytest.raises(ValidationError):  # the old office is no longer in post
        response_save_draft(response=w.response, by=w.pcc, pcc_comments="Old")
    response_save_draft(
        response=w.response,
        by=mayors_office,
        pcc_comments="The mayor's comments.",
        pcc_responses={w.finding.pk: "Action."},
    )
    assert fresh(w).body == mayor
    response_approve(response=fresh(w), by=mayors_office)
    version = response_publish(
        response=fresh(w), by=mayors_office, published_on=datetime.date(2018, 5, 1)
    )
    assert version.content["body"] == "West Midlands Mayor"


def test_after_publication_only_the_publishing_body_makes_new_versions(w):
    approve_and_publish(w)
    mayor = make_org("West Midlands Mayor", kind=Organisation.Kind.LOCAL_POLICING_BODY)
    PolicingBodyTerm.objects.filter(body=w.wm_pcc).update(ends_on=datetime.date(2025, 5, 7))
    PolicingBodyTerm.objects.create(force=w.wmp, body=mayor, starts_on=datetime.date(2025, 5, 8))
    with pytest.raises(ValidationError, match="only its office can publish a new version"):
        response_save_draft(
            response=fresh(w), by=make_user("Mo Khan", mayor, "pcc_office"), pcc_comments="New"
        )
    assert fresh(w).body == w.wm_pcc


def test_another_bodys_office_gets_404_on_every_response_page(w, client):
    client.force_login(make_user("Sian Lloyd", w.staffs_pcc, "pcc_office"))
    for name in (
        "response_detail",
        "response_edit",
        "response_approve",
        "response_publish",
        "response_copies",
        "response_request_comments",
        "response_record_comments",
    ):
        assert client.get(url(w, name)).status_code == 404, name
        if name != "response_detail":  # a page to read only: POST is 405 for everyone
            assert client.post(url(w, name), {"published_on": "17/05/2018"}).status_code == 404
    assert client.get(url(w, "response_document", "docx")).status_code == 404
    assert fresh(w).pcc_comments == ""
    assert not ResponseVersion.objects.exists()


def test_opening_the_forms_starts_nothing(w, client):
    report = make_report(forces=[w.wmp], published_on=datetime.date(2016, 2, 1))
    client.force_login(w.pcc)
    for name in ("response_edit", "response_approve", "response_detail"):
        client.get(reverse(f"tracker:{name}", args=[report.key, w.wmp.code]))
    assert not StatutoryResponse.objects.filter(report=report).exists()


def test_template_tags_in_the_introduction_are_refused(w):
    for text in ("{% load static %}", "Hello {# note #}"):
        with pytest.raises(ValidationError, match="cannot use"):
            response_save_draft(response=w.response, by=w.pcc, introduction=text)


def test_a_draft_after_publication_is_the_next_version(w):
    approve_and_publish(w)
    content = response_content(fresh(w))
    assert content["version"] == 2
    assert content["published_on"] is None
    assert content["first_published"] == "17 May 2018"


def test_a_change_withdraws_the_approval(w):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    response_save_draft(response=fresh(w), by=w.pcc, pcc_comments="Changed.")
    assert fresh(w).approved_at is None


def test_only_the_named_seed_reports_get_a_version_without_approval(w):
    StatutoryResponse.objects.filter(pk=w.response.pk).update(
        published_on=datetime.date(2018, 5, 17)
    )
    assert versions_record_published(report_keys=["another-report"]) == 0
    assert versions_record_published(report_keys=[w.report.key]) == 1
    assert versions_record_published(report_keys=[w.report.key]) == 0


class TestNoticeEmails:
    def notice(self, w, **fields):
        return Notification.objects.create(
            user=w.coordinator,
            created_at=timezone.now() - datetime.timedelta(hours=1),
            subject="A notice",
            body="Body",
            url="/",
            email_state="pending",
            **fields,
        )

    def test_a_notice_being_sent_by_another_sweep_is_not_sent_again(self, w):
        note = self.notice(w)
        Notification.objects.filter(pk=note.pk).update(
            email_state="sending", email_claimed_at=timezone.now()
        )
        mail.outbox.clear()

        assert notices_send(now=timezone.now(), connection=get_connection()) == 0
        assert mail.outbox == []

    def test_a_notice_whose_sweep_died_is_sent_later(self, w):
        note = self.notice(w)
        Notification.objects.filter(pk=note.pk).update(
            email_state="sending", email_claimed_at=timezone.now() - datetime.timedelta(hours=1)
        )

        assert notices_send(now=timezone.now(), connection=get_connection()) == 1

    def test_a_temporary_error_is_retried_and_a_refusal_is_final(self, w, monkeypatch):
        note = self.notice(w)
        errors = [smtplib.SMTPResponseException(451, b"try later")]

        def send(self, *args, **kwargs):
            raise errors[0]

        monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", send)
        notices_send(now=timezone.now(), connection=get_connection())
        assert Notification.objects.get(pk=note.pk).email_state == "pending"
        errors[0] = smtplib.SMTPRecipientsRefused({w.coordinator.email: (550, b"no")})
        notices_send(now=timezone.now(), connection=get_connection())
        assert Notification.objects.get(pk=note.pk).email_state == "failed"


# Found in the walkthrough ------------------------------------------------------------------


def test_a_refused_date_is_shown_at_its_field(w, client):
    client.force_login(w.pcc)
    page = client.post(url(w, "response_request_comments"), {"due_on": "01/01/2020"})
    assert page.status_code == 400
    assert 'id="id_due_on-error"' in page.content.decode()
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    page = client.post(url(w, "response_publish"), {"published_on": "01/01/2018"})
    assert 'id="id_published_on-error"' in page.content.decode()


def test_only_web_addresses_are_accepted_for_the_published_response(w, client):
    write_all(w)
    response_approve(response=fresh(w), by=w.pcc)
    client.force_login(w.pcc)
    for bad in ("ftp://example.org/x", "javascript:alert(1)"):
        page = client.post(url(w, "response_publish"), {"published_on": "17/05/2018", "url": bad})
        assert page.status_code == 400
    assert not ResponseVersion.objects.exists()


def test_recording_no_copy_dates_at_all_is_refused(w, client):
    approve_and_publish(w)
    client.force_login(w.pcc)
    page = client.post(url(w, "response_copies"), {})
    assert page.status_code == 400
    assert "at least one of the copies" in page.content.decode()


def test_the_approved_document_is_not_called_a_draft(w, client):
    write_all(w)
    client.force_login(w.pcc)
    draft = client.get(url(w, "response_document", "docx"))
    assert "-draft.docx" in draft["Content-Disposition"]
    response_approve(response=fresh(w), by=w.pcc)
    final = client.get(url(w, "response_document", "docx"))
    assert "-draft" not in final["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(final.content)).paragraphs)
    assert "Approved for publication" in text
    assert "Draft" not in text


def test_readers_outside_the_office_and_coordinator_do_not_see_unpublished_words(w, client):
    write_all(w, pcc_response="Unpublished explanation")
    for person in (w.reader, w.owner):
        client.force_login(person)
        page = client.get(url(w, "response_detail")).content.decode()
        assert "Unpublished explanation" not in page
        assert client.get(url(w, "response_document", "pdf")).status_code == 403
    client.force_login(w.coordinator)
    assert "Unpublished explanation" in client.get(url(w, "response_detail")).content.decode()


def test_asking_again_replaces_the_earlier_request_in_the_coordinators_list(w):
    today = timezone.localdate()
    for days in (10, 12):
        response_request_comments(
            response=fresh(w), by=w.pcc, due_on=today + datetime.timedelta(days=days)
        )
    unread = Notification.objects.filter(user=w.coordinator, read_at__isnull=True)
    assert unread.count() == 1
    assert (today + datetime.timedelta(days=12)).strftime("%-d %B %Y") in unread.get().subject
