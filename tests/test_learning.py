"""Learning shared between forces (issue 18): sharing a closed item's summary, the refusals,
withdrawing, the audit trail, matching, and what another force's coordinator sees."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from tests.demo_pages import PERSONAS
from tests.factories import make_finding, make_item, make_report
from tracker import learning, learning_reads
from tracker.demo_learning import SAMPLE_REPORT, SHARED_FINDING, UNSHARED_FINDING
from tracker.models import (
    AuditEvent,
    LearningMatch,
    SharedLearning,
    Status,
    TrackedItem,
)


def person(key: str) -> User:
    return User.objects.get(email=PERSONAS[key])


def signed_in(client, key: str):
    client.force_login(person(key))
    return client


def wmp_item(finding_key: str) -> TrackedItem:
    return TrackedItem.objects.get(finding__key=finding_key, force__code="west-midlands-police")


def megans_item() -> TrackedItem:
    return TrackedItem.objects.get(finding__key=f"{SAMPLE_REPORT}:afi-1")


def share_url(item: TrackedItem) -> str:
    return reverse("tracker:item_share", args=[item.uuid])


FORM = {
    "what_was_done": "Trained every call handler in crime prevention.",
    "evidence_of_effect": "Referrals rose fivefold in a year.",
    "contact_role": "Head of contact training",
}


# The demo ----------------------------------------------------------------------------------


def test_megan_sees_the_west_midlands_summary_beside_her_similar_finding(demo_world, client):
    page = signed_in(client, "other_force").get(
        reverse("tracker:item_detail", args=[megans_item().uuid])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "How other forces answered similar findings" in text
    assert "West Midlands Police" in text
    assert "Head of Force Contact training" in text
    assert "94% of contact centre staff" in text
    # The similar West Midlands item closed and never shared: nothing of it.
    assert "not shared outside the force" not in text
    assert "overarching force crime prevention strategy" not in text


def test_the_demo_stores_matches_only_for_shared_summaries(demo_world):
    shared = SharedLearning.objects.get(item=wmp_item(SHARED_FINDING))
    assert shared.shared
    assert LearningMatch.objects.filter(learning=shared, finding=megans_item().finding).exists()
    assert not SharedLearning.objects.filter(item=wmp_item(UNSHARED_FINDING)).exists()


def test_the_item_learning_read_is_two_queries(demo_world, django_assert_num_queries):
    megan = person("other_force")
    item = megans_item()
    with django_assert_num_queries(2):
        shown = learning_reads.item_learning(item, megan, timezone.localdate())
    assert [m.learning.force.code for m in shown.similar] == ["west-midlands-police"]
    assert shown.own is None
    assert not shown.can_share


def test_the_owners_page_offers_to_change_and_withdraw(demo_world, client):
    item = wmp_item(SHARED_FINDING)
    text = (
        signed_in(client, "coordinator")
        .get(reverse("tracker:item_detail", args=[item.uuid]))
        .content.decode()
    )
    assert "Change the shared summary" in text
    assert reverse("tracker:item_share_withdraw", args=[item.uuid]) in text


def test_a_closed_unshared_item_offers_sharing_to_its_coordinator_only(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    url = reverse("tracker:item_detail", args=[item.uuid])
    assert (
        "Share what worked with other forces"
        in signed_in(client, "coordinator").get(url).content.decode()
    )
    assert (
        "Share what worked with other forces"
        not in signed_in(client, "colleague").get(url).content.decode()
    )


# Sharing -----------------------------------------------------------------------------------


def test_the_form_starts_from_the_approved_closure_summary(demo_world, client):
    page = signed_in(client, "coordinator").get(share_url(wmp_item(UNSHARED_FINDING)))
    assert page.status_code == 200
    assert "A force crime prevention strategy was written and agreed" in page.content.decode()


def test_sharing_creates_the_row_audits_it_and_matches_it(
    demo_world, client, django_capture_on_commit_callbacks
):
    item = wmp_item(UNSHARED_FINDING)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, "coordinator").post(share_url(item), FORM)
    assert response.status_code == 302
    shared = SharedLearning.objects.get(item=item)
    assert shared.shared
    assert shared.shared_by == person("coordinator")
    assert shared.force_id == item.force_id
    assert shared.finding_id == item.finding_id
    assert shared.contact_role == FORM["contact_role"]
    event = AuditEvent.objects.filter(object_id=str(item.uuid)).order_by("-id").first()
    assert event.note == "Closing summary shared with every force"
    assert event.changes["learning_shared"] == [False, True]
    assert event.actor == person("coordinator")
    # The worker's matching ran after commit: Staffordshire's crime prevention finding.
    assert LearningMatch.objects.filter(
        learning=shared, finding=megans_item().finding, score__gt=0
    ).exists()


def test_bad_input_is_refused_on_the_form_and_nothing_is_saved(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    response = signed_in(client, "coordinator").post(
        share_url(item), {**FORM, "contact_role": "  "}
    )
    assert response.status_code == 400
    assert "Enter a contact role" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not SharedLearning.objects.filter(item=item).exists()


def test_an_open_item_is_refused_with_a_clear_message(demo_world, client):
    item = TrackedItem.objects.filter(
        force__code="west-midlands-police", status=Status.IN_PROGRESS
    ).first()
    client = signed_in(client, "coordinator")
    page = client.get(share_url(item))
    assert "Only a closed item" in page.content.decode()
    assert 'name="what_was_done"' not in page.content.decode()
    response = client.post(share_url(item), FORM)
    assert response.status_code == 400
    assert "Only a closed item" in response.content.decode()
    assert not SharedLearning.objects.filter(item=item).exists()


def test_a_superseded_item_is_refused_with_a_clear_message(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    TrackedItem.objects.filter(pk=item.pk).update(status=Status.SUPERSEDED)
    response = signed_in(client, "coordinator").post(share_url(item), FORM)
    assert response.status_code == 400
    assert "superseded" in response.content.decode()
    assert not SharedLearning.objects.filter(item=item).exists()


def test_the_service_refuses_an_open_item(demo_world):
    item = TrackedItem.objects.filter(status=Status.NOT_STARTED).first()
    with pytest.raises(Exception, match="Only a closed item"):
        learning.learning_share(item=item, by=person("coordinator"), **FORM)


def test_another_forces_item_is_not_found(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    client = signed_in(client, "other_force")
    assert client.get(share_url(item)).status_code == 404
    assert client.post(share_url(item), FORM).status_code == 404
    withdraw = reverse("tracker:item_share_withdraw", args=[wmp_item(SHARED_FINDING).uuid])
    assert client.post(withdraw).status_code == 404
    assert SharedLearning.objects.get(item=wmp_item(SHARED_FINDING)).shared


def test_force_staff_may_not_share(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    assert signed_in(client, "colleague").post(share_url(item), FORM).status_code == 403
    assert not SharedLearning.objects.filter(item=item).exists()


def test_the_pcc_office_may_share(demo_world):
    item = wmp_item(UNSHARED_FINDING)
    shared = learning.learning_share(item=item, by=person("pcc"), **FORM)
    assert shared.shared
    assert shared.shared_by == person("pcc")


# Withdrawing -------------------------------------------------------------------------------


def test_withdrawing_hides_the_summary_keeps_its_matches_and_is_audited(demo_world, client):
    item = wmp_item(SHARED_FINDING)
    shared = SharedLearning.objects.get(item=item)
    matches = shared.matches.count()
    assert matches
    response = signed_in(client, "coordinator").post(
        reverse("tracker:item_share_withdraw", args=[item.uuid])
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert not shared.shared
    assert shared.withdrawn_by == person("coordinator")
    assert shared.withdrawn_at
    assert shared.matches.count() == matches
    event = AuditEvent.objects.filter(object_id=str(item.uuid)).order_by("-id").first()
    assert event.changes == {"learning_shared": [True, False]}
    assert event.note == "Shared closing summary withdrawn"
    megan = person("other_force")
    assert learning_reads.item_learning(megans_item(), megan, timezone.localdate()).similar == []
    assert not learning_reads.learning_list(user=megan, today=timezone.localdate()).exists()
    text = (
        signed_in(client, "other_force")
        .get(reverse("tracker:item_detail", args=[megans_item().uuid]))
        .content.decode()
    )
    assert "Head of Force Contact training" not in text


def test_withdrawing_what_is_not_shared_says_so(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    response = signed_in(client, "coordinator").post(
        reverse("tracker:item_share_withdraw", args=[item.uuid]), follow=True
    )
    assert "This item&#x27;s summary is not shared." in response.content.decode()


def test_sharing_again_keeps_the_words_and_shows_it_again(demo_world, client):
    item = wmp_item(SHARED_FINDING)
    grace = person("coordinator")
    learning.learning_withdraw(item=item, by=grace)
    page = signed_in(client, "coordinator").get(share_url(item))
    assert "Head of Force Contact training" in page.content.decode()  # the words kept
    shared = learning.learning_share(
        item=item,
        by=grace,
        what_was_done="Again.",
        evidence_of_effect="Still.",
        contact_role="Head of Force Contact training",
    )
    assert shared.shared
    assert shared.withdrawn_at is None
    assert [
        m.learning_id
        for m in learning_reads.item_learning(
            megans_item(), person("other_force"), timezone.localdate()
        ).similar
    ] == [shared.pk]


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_shared_summaries_and_filters_by_words(
    demo_world, client, django_assert_max_num_queries
):
    client = signed_in(client, "other_force")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("tracker:learning_list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 shared summary" in text
    assert "Head of Force Contact training" in text
    assert "not shared outside the force" not in text
    none = client.get(reverse("tracker:learning_list"), {"q": "helicopter"}).content.decode()
    assert "No shared summary matches these words." in none
    some = client.get(reverse("tracker:learning_list"), {"q": "burglary west"}).content.decode()
    assert "Head of Force Contact training" in some


def test_the_list_escapes_what_forces_typed(demo_world, client):
    item = wmp_item(UNSHARED_FINDING)
    learning.learning_share(
        item=item, by=person("coordinator"), **{**FORM, "contact_role": "<script>x</script>"}
    )
    text = signed_in(client, "other_force").get(reverse("tracker:learning_list")).content
    assert b"<script>x</script>" not in text
    assert b"&lt;script&gt;x&lt;/script&gt;" in text


# Matching ----------------------------------------------------------------------------------


def national_world():
    """Two forces with an item each on one national finding, and a third's unlike finding."""
    west = Organisation.objects.get(code="west-midlands-police")
    staffs = Organisation.objects.get(code="staffordshire-police")
    report = make_report(forces=[west, staffs], national=True)
    same = make_finding(
        report,
        text="Forces should introduce body-worn video for every response officer.",
    )
    other = make_finding(
        report,
        text="Forces should review the storage of seized drugs and firearms.",
    )
    return west, staffs, same, other


def test_an_identical_national_finding_matches_with_full_score(demo_world):
    west, staffs, same, other = national_world()
    grace = person("coordinator")
    ours = make_item(same, west, owner=grace)
    theirs = make_item(same, staffs, owner=person("other_force"))
    make_item(other, staffs, owner=person("other_force"))
    TrackedItem.objects.filter(pk=ours.pk).update(status=Status.CLOSED)
    ours.refresh_from_db()
    shared = learning.learning_share(item=ours, by=grace, **FORM)
    learning.learning_match(shared)
    match = LearningMatch.objects.get(learning=shared, finding=same)
    assert match.score == pytest.approx(1.0)
    assert not LearningMatch.objects.filter(learning=shared, finding=other).exists()
    shown = learning_reads.item_learning(theirs, person("other_force"), timezone.localdate())
    assert [m.learning_id for m in shown.similar] == [shared.pk]
    # The sharer's own force does not see its own summary as another force's answer.
    assert learning_reads.item_learning(ours, grace, timezone.localdate()).similar == []


def test_a_finding_only_the_sharers_force_has_is_never_matched(demo_world):
    shared = SharedLearning.objects.get(item=wmp_item(SHARED_FINDING))
    learning.learning_match(shared)
    west_only = set(
        TrackedItem.objects.filter(force__code="west-midlands-police").values_list(
            "finding_id", flat=True
        )
    ) - set(
        TrackedItem.objects.exclude(force__code="west-midlands-police").values_list(
            "finding_id", flat=True
        )
    )
    matched = set(shared.matches.values_list("finding_id", flat=True))
    assert matched
    assert not matched & west_only


def test_a_new_finding_is_matched_against_the_summaries_shared_now(demo_world):
    staffs = Organisation.objects.get(code="staffordshire-police")
    report = make_report(forces=[staffs])
    finding = make_finding(
        report,
        text="Staff who deal with victims of crime have had no crime prevention training.",
        force=staffs,
    )
    make_item(finding, staffs, owner=person("other_force"))
    unlike = make_finding(report, text="Custody cells need CCTV.", force=staffs)
    make_item(unlike, staffs, owner=person("other_force"))
    shared = SharedLearning.objects.get(item=wmp_item(SHARED_FINDING))
    withdrawn = learning.learning_share(item=wmp_item(UNSHARED_FINDING), by=person("pcc"), **FORM)
    learning.learning_withdraw(item=wmp_item(UNSHARED_FINDING), by=person("pcc"))
    added = learning.learning_match_findings([finding, unlike])
    assert added == 1
    assert LearningMatch.objects.filter(learning=shared, finding=finding).exists()
    assert not LearningMatch.objects.filter(finding=unlike).exists()
    assert not LearningMatch.objects.filter(learning=withdrawn, finding=finding).exists()


def test_the_worker_task_matches_new_findings_after_commit(
    demo_world, django_capture_on_commit_callbacks
):
    staffs = Organisation.objects.get(code="staffordshire-police")
    report = make_report(forces=[staffs])
    finding = make_finding(
        report,
        text="No crime prevention training for staff dealing with victims of crime.",
        force=staffs,
    )
    make_item(finding, staffs, owner=person("other_force"))
    with django_capture_on_commit_callbacks(execute=True):
        learning.learning_findings_added(finding_ids=[finding.pk])
    assert LearningMatch.objects.filter(
        learning__item=wmp_item(SHARED_FINDING), finding=finding
    ).exists()


def test_the_tasks_return_quietly_when_their_rows_are_gone_or_unshared(demo_world):
    from tracker import tasks

    assert tasks.match_learning(999_999) == 0
    assert tasks.match_finding_to_learning([999_999]) == 0
    shared = SharedLearning.objects.get(item=wmp_item(SHARED_FINDING))
    assert tasks.match_learning(shared.pk) == shared.matches.count() > 0
    learning.learning_withdraw(item=wmp_item(SHARED_FINDING), by=person("coordinator"))
    before = shared.matches.count()
    assert tasks.match_learning(shared.pk) == 0
    assert shared.matches.count() == before  # kept, never read while unshared


def test_someone_who_sees_no_force_reads_no_shared_learning(client, demo_world):
    """Shared with the forces, not with every account: a person of the inspectorate with no
    role (so no force in scope) sees none of it, though signed in."""
    from tests.factories import make_user

    stranger = make_user("Nobody Inparticular", Organisation.objects.get(code="hmicfrs"))
    client.force_login(stranger)
    assert SharedLearning.objects.shared().exists()
    page = client.get(reverse("tracker:learning_list"))
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == []
    summary = SharedLearning.objects.shared().first()
    assert summary.what_was_done[:40] not in page.content.decode()
