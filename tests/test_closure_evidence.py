"""A closure proposal rests on chosen evidence, or says why none is needed; the decision page
shows exactly what was chosen and, apart, the item's other files (issue 14)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.evidence_files import tiny_pdf, tiny_png
from tests.factories import make_finding, make_item, make_report
from tracker import services
from tracker.models import ClosureProposal, Status, TrackedItem

pytestmark = pytest.mark.django_db

SUMMARY = "Backlog reviewed and cleared."


def attach(item, by, name="minutes.pdf", data=None, description=""):
    return services.evidence_attach(
        item=item,
        by=by,
        uploaded_file=SimpleUploadedFile(name, data if data is not None else tiny_pdf()),
        description=description,
    )


def propose_url(item):
    return reverse("tracker:item_propose_closure", args=[item.uuid])


def decide_url(item):
    return reverse("tracker:item_decide_closure", args=[item.uuid])


def preview(item, evidence):
    return reverse("tracker:evidence_preview", args=[item.uuid, evidence.uuid])


def status(item):
    return TrackedItem.objects.get(pk=item.pk).status


def post_proposal(client, item, **fields):
    data = {"summary": SUMMARY, "version": TrackedItem.objects.get(pk=item.pk).version}
    data.update(fields)
    return client.post(propose_url(item), data)


def section(html, start, end):
    """The page's text from the heading `start` to `end`."""
    return html.split(start, 1)[1].split(end, 1)[0]


# Proposing ----------------------------------------------------------------------------------


class TestProposing:
    def test_the_page_lists_the_items_files_to_choose_from(self, client, world):
        evidence = attach(world.item, world.owner, description="Board minutes")
        client.force_login(world.owner)
        html = client.get(propose_url(world.item)).content.decode()
        assert "Which evidence does closure rest on?" in html
        assert f'value="{evidence.uuid}"' in html
        assert "minutes.pdf: Board minutes" in html
        assert "No evidence is needed" in html

    def test_choosing_evidence_links_it_to_the_proposal(self, client, world):
        chosen = attach(world.item, world.owner, "minutes.pdf")
        attach(world.item, world.owner, "photo.png", tiny_png())
        client.force_login(world.owner)
        response = post_proposal(client, world.item, evidence=[str(chosen.uuid)])
        assert response.status_code == 302
        proposal = ClosureProposal.objects.get()
        assert list(proposal.evidence.all()) == [chosen]
        assert proposal.no_evidence_reason == ""
        assert status(world.item) == Status.PROPOSED_FOR_CLOSURE

    def test_no_evidence_needed_with_a_reason_is_kept(self, client, world):
        client.force_login(world.owner)
        response = post_proposal(
            client, world.item, no_evidence="on", no_evidence_reason="The policy was withdrawn."
        )
        assert response.status_code == 302
        proposal = ClosureProposal.objects.get()
        assert proposal.no_evidence_reason == "The policy was withdrawn."
        assert not proposal.evidence.exists()

    def test_neither_evidence_nor_a_reason_is_refused_and_nothing_is_saved(self, client, world):
        attach(world.item, world.owner)
        client.force_login(world.owner)
        response = post_proposal(client, world.item)
        assert response.status_code == 400
        assert (
            "Choose the evidence closure rests on, or tick “No evidence is needed” and say why"
            in response.content.decode()
        )
        assert not ClosureProposal.objects.exists()
        assert status(world.item) == Status.NOT_STARTED

    def test_ticking_no_evidence_needs_a_reason(self, client, world):
        client.force_login(world.owner)
        response = post_proposal(client, world.item, no_evidence="on", no_evidence_reason="  ")
        assert response.status_code == 400
        assert "Enter why no evidence is needed" in response.content.decode()
        assert not ClosureProposal.objects.exists()

    def test_choosing_evidence_and_ticking_no_evidence_is_refused(self, client, world):
        evidence = attach(world.item, world.owner)
        client.force_login(world.owner)
        response = post_proposal(
            client,
            world.item,
            evidence=[str(evidence.uuid)],
            no_evidence="on",
            no_evidence_reason="Not needed.",
        )
        assert response.status_code == 400
        assert "not both" in response.content.decode()
        assert not ClosureProposal.objects.exists()

    def test_an_item_without_files_says_so_and_the_error_sits_by_the_tick_box(self, client, world):
        client.force_login(world.owner)
        response = post_proposal(client, world.item)
        html = response.content.decode()
        assert response.status_code == 400
        assert "This item has no evidence files" in html
        assert 'href="#id_no_evidence"' in html
        assert 'id="id_no_evidence"' in html

    def test_evidence_of_another_item_is_refused_and_nothing_is_saved(self, client, world):
        other = make_item(make_finding(world.report), world.wmp, owner=world.owner)
        foreign = attach(other, world.owner)
        client.force_login(world.owner)
        response = post_proposal(client, world.item, evidence=[str(foreign.uuid)])
        assert response.status_code == 400
        assert "Choose evidence from this item&#x27;s files" in response.content.decode()
        assert not ClosureProposal.objects.exists()
        assert status(world.item) == Status.NOT_STARTED

    def test_evidence_of_another_forces_item_is_refused(self, client, world):
        staffs_report = make_report(forces=[world.staffs])
        staffs_item = make_item(make_finding(staffs_report), world.staffs, owner=world.outsider)
        foreign = attach(staffs_item, world.outsider)
        client.force_login(world.owner)
        response = post_proposal(client, world.item, evidence=[str(foreign.uuid)])
        assert response.status_code == 400
        assert not ClosureProposal.objects.exists()


class TestTheService:
    def test_a_reason_given_as_empty_with_no_evidence_is_refused(self, world):
        with pytest.raises(ValidationError, match="say why no evidence is needed"):
            services.closure_propose(
                item=world.item, by=world.owner, summary=SUMMARY, no_evidence_reason=""
            )
        assert not ClosureProposal.objects.exists()

    def test_evidence_and_a_reason_together_are_refused(self, world):
        evidence = attach(world.item, world.owner)
        with pytest.raises(ValidationError, match="not both"):
            services.closure_propose(
                item=world.item,
                by=world.owner,
                summary=SUMMARY,
                evidence_ids=[evidence.pk],
                no_evidence_reason="Not needed.",
            )
        assert not ClosureProposal.objects.exists()

    def test_evidence_ids_of_another_item_are_refused(self, world):
        other = make_item(make_finding(world.report), world.wmp, owner=world.owner)
        foreign = attach(other, world.owner)
        with pytest.raises(ValidationError, match="this item's files"):
            services.closure_propose(
                item=world.item, by=world.owner, summary=SUMMARY, evidence_ids=[foreign.pk]
            )
        assert not ClosureProposal.objects.exists()
        assert status(world.item) == Status.NOT_STARTED


# Deciding -----------------------------------------------------------------------------------


class TestTheDecisionPage:
    def test_a_file_on_the_item_is_shown_even_when_the_proposal_chose_none(self, client, world):
        """The bug: "No evidence was attached to this proposal" although the item had a file,
        and the file was nowhere on the page."""
        evidence = attach(world.item, world.owner, "audit.pdf")
        services.closure_propose(item=world.item, by=world.owner, summary=SUMMARY)
        client.force_login(world.coordinator)
        html = client.get(decide_url(world.item)).content.decode()
        assert "No evidence was attached to this proposal" not in html
        also = section(html, "Also on this item", "</ul>")
        assert "audit.pdf" in also
        assert preview(world.item, evidence) in also

    def test_it_shows_exactly_the_chosen_files_and_apart_the_others(self, client, world):
        chosen = attach(world.item, world.owner, "minutes.pdf", description="Board minutes")
        other = attach(world.item, world.owner, "photo.png", tiny_png())
        services.closure_propose(
            item=world.item, by=world.owner, summary=SUMMARY, evidence_ids=[chosen.pk]
        )
        late = attach(world.item, world.owner, "late.txt", b"Added after proposing.\n")
        client.force_login(world.pcc)
        html = client.get(decide_url(world.item)).content.decode()
        rests_on = section(html, "Evidence the proposal rests on", "Also on this item")
        assert "minutes.pdf" in rests_on
        assert "Board minutes" in rests_on
        assert preview(world.item, chosen) in rests_on
        assert "photo.png" not in rests_on
        assert "late.txt" not in rests_on
        also = section(html, "Also on this item", "</ul>")
        assert preview(world.item, other) in also
        assert preview(world.item, late) in also
        assert "minutes.pdf" not in also

    def test_it_shows_why_no_evidence_was_needed(self, client, world):
        services.closure_propose(
            item=world.item,
            by=world.owner,
            summary=SUMMARY,
            no_evidence_reason="The recommendation was withdrawn by the inspectorate.",
        )
        client.force_login(world.coordinator)
        html = client.get(decide_url(world.item)).content.decode()
        assert "said no evidence is needed" in html
        assert "The recommendation was withdrawn by the inspectorate." in html
        assert "Also on this item" not in html

    def test_the_item_page_shows_the_reason_too(self, client, world):
        services.closure_propose(
            item=world.item, by=world.owner, summary=SUMMARY, no_evidence_reason="Withdrawn."
        )
        client.force_login(world.coordinator)
        html = client.get(reverse("tracker:item_detail", args=[world.item.uuid])).content.decode()
        assert "No evidence is needed: Withdrawn." in html
