"""The item page and its action pages, with each persona."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from config import settings as production
from tests.factories import PASSWORD
from tracker import services
from tracker.models import ClosureProposal, Evidence, ProgressUpdate, Status, TrackedItem

# Proposing closure names its evidence or says why none is needed.
NO_EVIDENCE = {"no_evidence": "on", "no_evidence_reason": "Not needed."}


def url(name, item, **kw):
    return reverse(f"tracker:{name}", kwargs={"uuid": item.uuid, **kw})


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["owner", "colleague", "coordinator", "pcc", "reader"])
def test_people_who_may_see_the_item_get_the_page(client, world, persona):
    response = as_user(client, getattr(world, persona)).get(url("item_detail", world.item))
    assert response.status_code == 200
    assert world.finding.text in response.content.decode()


def test_another_force_gets_404(client, world):
    response = as_user(client, world.outsider).get(url("item_detail", world.item))
    assert response.status_code == 404
    assert world.finding.text not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(url("item_detail", world.item))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign_in"))


def test_the_owner_sees_the_actions_and_the_colleague_does_not(client, world):
    owner_page = as_user(client, world.owner).get(url("item_detail", world.item)).content.decode()
    assert "Add an update" in owner_page
    assert "Propose closure" in owner_page
    colleague_page = (
        as_user(client, world.colleague).get(url("item_detail", world.item)).content.decode()
    )
    assert "Add an update" not in colleague_page


def test_the_item_page_uses_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    as_user(client, world.owner)
    for n in range(5):
        services.item_add_update(item=world.item, author=world.owner, text=f"Update {n}")
    # 21: one more since issue 21 for the item's protective marking (tracker/markings.py);
    # 25 since issue 18: the lineage (one read of the force's confirmed links when there are
    # none; tests/test_lineage_pages.py holds it constant for a chain of 2 and of 10), the
    # inspectorate's latest view (one) and shared learning (two).
    with django_assert_max_num_queries(25) as few:
        assert client.get(url("item_detail", world.item)).status_code == 200
    for n in range(20):
        services.item_add_update(item=world.item, author=world.owner, text=f"More {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("item_detail", world.item)).status_code == 200


def test_user_text_is_escaped(client, world):
    services.item_add_update(
        item=world.item, author=world.owner, text="<script>alert('x')</script>"
    )
    page = as_user(client, world.owner).get(url("item_detail", world.item)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


class TestAddUpdate:
    def test_the_owner_adds_an_update(self, client, world):
        response = as_user(client, world.owner).post(
            url("item_add_update", world.item), {"text": "Backlog halved."}
        )
        assert response.status_code == 302
        assert ProgressUpdate.objects.get().text == "Backlog halved."
        page = client.get(response["Location"]).content.decode()
        assert "Your update has been added" in page
        assert "Backlog halved." in page

    def test_an_empty_update_gets_a_clear_message(self, client, world):
        response = as_user(client, world.owner).post(
            url("item_add_update", world.item), {"text": "  "}
        )
        assert response.status_code == 400
        assert "Enter what has happened since the last update" in response.content.decode()
        assert not ProgressUpdate.objects.exists()

    def test_a_colleague_gets_403(self, client, world):
        response = as_user(client, world.colleague).post(
            url("item_add_update", world.item), {"text": "Not mine"}
        )
        assert response.status_code == 403
        assert not ProgressUpdate.objects.exists()

    def test_another_force_gets_404(self, client, world):
        response = as_user(client, world.outsider).post(
            url("item_add_update", world.item), {"text": "Sneaky"}
        )
        assert response.status_code == 404
        assert not ProgressUpdate.objects.exists()

    def test_the_national_reader_cannot_write(self, client, world):
        response = as_user(client, world.reader).post(
            url("item_add_update", world.item), {"text": "Read only"}
        )
        assert response.status_code == 403


class TestChangeStatus:
    def test_the_owner_moves_it_to_in_progress(self, client, world):
        response = as_user(client, world.owner).post(
            url("item_change_status", world.item),
            {"status": "in_progress", "reason": "Started the review"},
        )
        assert response.status_code == 302
        assert TrackedItem.objects.get(pk=world.item.pk).status == Status.IN_PROGRESS

    def test_an_unknown_status_is_refused_with_a_message(self, client, world):
        response = as_user(client, world.owner).post(
            url("item_change_status", world.item), {"status": "done", "reason": "x"}
        )
        assert response.status_code == 400
        assert "Select a status from the list" in response.content.decode()
        assert TrackedItem.objects.get(pk=world.item.pk).status == Status.NOT_STARTED

    def test_closed_is_not_offered(self, client, world):
        response = as_user(client, world.owner).post(
            url("item_change_status", world.item), {"status": "closed", "reason": "x"}
        )
        assert response.status_code == 400
        assert TrackedItem.objects.get(pk=world.item.pk).status == Status.NOT_STARTED


class TestEvidence:
    def upload(self, client, world, name, data):
        return client.post(
            url("item_add_evidence", world.item),
            {"file": SimpleUploadedFile(name, data), "description": "Minutes"},
        )

    def test_the_owner_uploads_and_downloads_a_pdf(self, client, world, evidence_root):
        as_user(client, world.owner)
        response = self.upload(client, world, "minutes.pdf", b"%PDF-1.4 board minutes\n%%EOF")
        assert response.status_code == 302
        evidence = Evidence.objects.get()
        stored = evidence_root / evidence.stored_name
        assert stored.read_bytes() == b"%PDF-1.4 board minutes\n%%EOF"
        download = client.get(url("evidence_download", world.item, evidence_uuid=evidence.uuid))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"%PDF-1.4 board minutes\n%%EOF"
        assert "attachment" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"

    def test_a_disguised_program_is_refused_and_nothing_is_kept(self, client, world, evidence_root):
        as_user(client, world.owner)
        response = self.upload(client, world, "report.pdf", b"MZ\x90\x00" + b"\x00" * 64)
        assert response.status_code == 400
        assert "is not a real PDF" in response.content.decode()
        assert not Evidence.objects.exists()
        assert not evidence_root.exists() or not any(evidence_root.iterdir())

    def test_an_oversized_file_is_refused(self, client, world, settings):
        settings.EVIDENCE_MAX_BYTES = 1024 * 1024
        as_user(client, world.owner)
        response = self.upload(client, world, "big.txt", b"a" * (1024 * 1024 + 10))
        assert response.status_code == 400
        assert "smaller than 1 MB" in response.content.decode()
        assert not Evidence.objects.exists()

    def test_another_force_cannot_download(self, client, world):
        as_user(client, world.owner)
        self.upload(client, world, "minutes.pdf", b"%PDF-1.4 x\n%%EOF")
        evidence = Evidence.objects.get()
        client.force_login(world.outsider)
        response = client.get(url("evidence_download", world.item, evidence_uuid=evidence.uuid))
        assert response.status_code == 404

    def test_evidence_is_not_under_the_static_root(self):
        """As configured for production (config.settings, not the test override), the
        evidence folder is outside every folder static files are served from."""
        evidence = Path(production.EVIDENCE_ROOT).resolve()
        served = [production.STATIC_ROOT, *production.STATICFILES_DIRS]
        assert all(folder for folder in served)
        for folder in served:
            assert not evidence.is_relative_to(Path(folder).resolve()), folder

    def test_an_uploaded_file_is_not_served_as_a_static_file(self, client, world):
        as_user(client, world.owner)
        self.upload(client, world, "minutes.pdf", b"%PDF-1.4 x\n%%EOF")
        stored = Evidence.objects.get().stored_name
        assert client.get(f"/static/{stored}").status_code == 404
        assert client.get(f"/static/../evidence/{stored}").status_code == 404


class TestClosure:
    def test_the_owner_proposes_and_the_pcc_office_approves(self, client, world):
        as_user(client, world.owner).post(
            url("item_propose_closure", world.item), {"summary": "All done.", **NO_EVIDENCE}
        )
        assert TrackedItem.objects.get(pk=world.item.pk).status == Status.PROPOSED_FOR_CLOSURE
        # the proposer is told someone else must approve, and gets 403 on the decision page
        page = client.get(url("item_detail", world.item)).content.decode()
        assert "someone else" in page
        assert client.get(url("item_decide_closure", world.item)).status_code == 403
        client.force_login(world.pcc)
        response = client.post(
            url("item_decide_closure", world.item),
            {"decision": "approve", "reason": "Seen at the board."},
        )
        assert response.status_code == 302
        assert TrackedItem.objects.get(pk=world.item.pk).status == Status.CLOSED

    def test_a_closure_proposal_on_a_closed_item_is_refused(self, client, world):
        as_user(client, world.owner).post(
            url("item_propose_closure", world.item), {"summary": "All done.", **NO_EVIDENCE}
        )
        client.force_login(world.coordinator)
        client.post(url("item_decide_closure", world.item), {"decision": "approve"})
        client.force_login(world.owner)
        response = client.post(
            url("item_propose_closure", world.item),
            {"summary": "Again", **NO_EVIDENCE},
            follow=True,
        )
        assert "This item is closed, so it cannot be changed." in response.content.decode()
        assert ClosureProposal.objects.filter(item=world.item).count() == 1

    def test_returning_without_a_reason_gets_a_message(self, client, world):
        as_user(client, world.owner).post(
            url("item_propose_closure", world.item), {"summary": "All done.", **NO_EVIDENCE}
        )
        client.force_login(world.coordinator)
        response = client.post(url("item_decide_closure", world.item), {"decision": "return"})
        assert response.status_code == 400
        assert "why the proposal is returned" in response.content.decode()


class TestDueDate:
    def test_the_coordinator_revises_the_due_date(self, client, world):
        new = world.item.due_date + datetime.timedelta(days=14)
        response = as_user(client, world.coordinator).post(
            url("item_revise_due_date", world.item),
            {"new_date": new.strftime("%d/%m/%Y"), "reason": "Supplier delay"},
        )
        assert response.status_code == 302
        item = TrackedItem.objects.get(pk=world.item.pk)
        assert item.due_date == new
        assert item.original_due_date == world.item.due_date

    def test_a_date_before_publication_gets_a_message(self, client, world):
        response = as_user(client, world.coordinator).post(
            url("item_revise_due_date", world.item), {"new_date": "01/01/2017", "reason": "Oops"}
        )
        assert response.status_code == 400
        assert "publication date" in response.content.decode()

    def test_a_nonsense_date_gets_a_message(self, client, world):
        response = as_user(client, world.coordinator).post(
            url("item_revise_due_date", world.item), {"new_date": "31/02/2027", "reason": "x"}
        )
        assert response.status_code == 400
        assert "real date" in response.content.decode()

    def test_the_owner_cannot_revise(self, client, world):
        response = as_user(client, world.owner).get(url("item_revise_due_date", world.item))
        assert response.status_code == 403


def test_sign_in_with_email_and_password(client, world):
    response = client.post(
        reverse("accounts:sign_in"), {"username": world.owner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:home")


def test_a_wrong_password_does_not_say_which_part_was_wrong(client, world):
    response = client.post(
        reverse("accounts:sign_in"), {"username": world.owner.email, "password": "nope"}
    )
    assert "Enter a correct email address and password" in response.content.decode()
    response = client.post(
        reverse("accounts:sign_in"), {"username": "nobody@example.org", "password": "nope"}
    )
    assert "Enter a correct email address and password" in response.content.decode()


def test_sign_out_is_a_post(client, world):
    as_user(client, world.owner)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    assert client.post(reverse("accounts:sign_out")).status_code == 302
    assert client.get(reverse("tracker:my_items")).status_code == 302


def test_the_item_page_shows_an_overdue_deadline_with_positive_days(client, world):
    past = timezone.localdate() - datetime.timedelta(days=12)
    TrackedItem.objects.filter(pk=world.item.pk).update(due_date=past)
    world.item.refresh_from_db()
    services.item_assign(item=world.item, by=world.coordinator, owner=world.colleague)
    client.force_login(world.owner)
    page = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
    assert "12 days overdue" in page
    assert "-12 day" not in page  # (not just "-12": dates in December contain it)
    assert "Reminders go to the owner 28, 14, 7, 3 and 1 days before and on the day" in page
