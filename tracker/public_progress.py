"""The public progress register's writes (issue 18): the PCC office approves the words it
publishes about each item (`PublicWording`), and publishes its force's progress on a report
as a new version (`ProgressPublication`, append-only), kept like a statutory response's
versions: the public page shows the latest, and every earlier one stays as it was published.

What a version says is frozen when it is published: each cause of concern and recommendation
of the report for the force, its item's public status, the date of its last public update
and the approved words (never the internal progress updates). A row with no approved words
is published with none, and the public page says "No public update yet" for it: the status
and its date are news on their own, and the office need not word every row before the
register says anything.

Every write checks `policy.can_publish_progress` (the office of the body that answers for the
force today), writes in one transaction and records an audit row. A refusal is a
ValidationError with a message for the person, and nothing is changed.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import Organisation, User
from tracker import policy
from tracker.audit import audit_record
from tracker.models import AuditEvent, ProgressPublication, PublicWording, Report, TrackedItem
from tracker.public_progress_reads import (
    content_row,
    progress_latest,
    progress_rows,
    same_rows,
)
from tracker.statutory.content import long_date

# The words for one item: a few paragraphs, not a report.
MAX_WORDS = 5_000


def _clean(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _check_words(text: str) -> str:
    text = _clean(text)
    if len(text) > MAX_WORDS:
        raise ValidationError(
            gettext("The words for publication must be %(max)s characters or fewer.")
            % {"max": f"{MAX_WORDS:,}"}
        )
    return text


def _require_office(by: User, force: Organisation, today: datetime.date) -> None:
    if not policy.can_publish_progress(by, force.pk, today):
        raise ValidationError(
            gettext(
                "Only the PCC office that answers for %(force)s can approve words for "
                "publication and publish its progress."
            )
            % {"force": force}
        )


@transaction.atomic
def wording_approve(
    *, item: TrackedItem, text: str, by: User, now: datetime.datetime, today: datetime.date
) -> PublicWording | None:
    """Approve the words to publish about an item (replacing earlier ones), audited on the
    item (so its audit trail shows what the public was told, and by whom). Empty
    words withdraw the approved ones (the next version publishes none for the item); words
    that did not change change nothing. Returns the wording, or None when there is none."""
    _require_office(by, item.force, today)
    text = _check_words(text)
    wording = PublicWording.objects.select_for_update().filter(item=item).first()
    if wording is None:
        if not text:
            raise ValidationError(gettext("Enter the words to publish about this item."))
        wording = PublicWording.objects.create(
            item=item, text=text, approved_by=by, approved_at=now
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=item,
            changes={"public_wording": ("", text)},
            at=now,
            note="Words approved for the public progress register",
        )
        return wording
    if text == wording.text:
        return wording
    before = wording.text
    if not text:
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            obj=item,
            changes={"public_wording": (before, "")},
            at=now,
            note="Words for the public progress register withdrawn",
        )
        wording.delete()
        return None
    wording.text, wording.approved_by, wording.approved_at = text, by, now
    wording.save(update_fields=["text", "approved_by", "approved_at"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        changes={"public_wording": (before, text)},
        at=now,
        note="Words approved for the public progress register",
    )
    return wording


@transaction.atomic
def wordings_approve(
    *,
    report: Report,
    force: Organisation,
    texts: dict[int, str],
    by: User,
    now: datetime.datetime,
    today: datetime.date,
) -> int:
    """Approve the words of several of the report's items for the force at once (the office's
    page): `texts` maps an item's id to its words. Only the rows whose words changed are
    written (and audited). An item that is not one of the report's for the force is refused,
    and nothing is saved. Returns how many rows changed."""
    _require_office(by, force, today)
    listed = progress_rows(report=report, force=force)
    rows = {r.item.pk: r for r in listed if r.item}
    items = {r.item.pk: r.item for r in listed if r.item}
    unknown = set(texts) - set(rows)
    if unknown:
        raise ValidationError(
            gettext("Some of the words are for items that are not on this report for %(force)s.")
            % {"force": force}
        )
    changed = 0
    for item_id, text in texts.items():
        row = rows[item_id]
        cleaned = _check_words(text)
        if cleaned == row.words or (not cleaned and row.wording is None):
            continue
        item = items[item_id]
        item.force = force  # known already: saves a query per row
        wording_approve(item=item, text=cleaned, by=by, now=now, today=today)
        changed += 1
    return changed


def _body_check(
    *, report: Report, force: Organisation, body: Organisation, by: User, today: datetime.date
) -> None:
    """The refusals that come before anything is read: the office answers for the force
    today, publishes as its own body, and the report is about the force."""
    _require_office(by, force, today)
    if by.organisation_id != body.pk:
        raise ValidationError(
            gettext("You can publish progress only on the public page of %(body)s.")
            % {"body": by.organisation}
        )
    if not report.forces.filter(pk=force.pk).exists():
        raise ValidationError(
            gettext("%(report)s is not about %(force)s.") % {"report": report, "force": force}
        )


@transaction.atomic
def progress_publish(
    *,
    report: Report,
    force: Organisation,
    body: Organisation,
    by: User,
    now: datetime.datetime,
    today: datetime.date,
) -> ProgressPublication:
    """Publish the force's progress on the report on the body's public page: a new version
    (1, 2, …) with each row's status, the date of its last public update and the approved
    words, frozen. Refused, with nothing changed: by anyone but the office that answers for
    the force today, for a report not about the force or with no recommendations or causes
    of concern for it, and when nothing changed since the latest version."""
    _body_check(report=report, force=force, body=body, by=by, today=today)
    # One publisher at a time per body: the number is the latest's plus one.
    Organisation.objects.select_for_update().filter(pk=body.pk).first()
    rows = progress_rows(report=report, force=force)
    if not rows:
        raise ValidationError(
            gettext(
                "%(report)s has no recommendations or causes of concern for %(force)s: there "
                "is no progress to publish."
            )
            % {"report": report, "force": force}
        )
    current = [content_row(r) for r in rows]
    latest = progress_latest(body=body, force=force, report=report)
    earlier: dict[str, dict[str, Any]] = {}
    if latest is not None:
        if today < latest.published_on:
            raise ValidationError(
                gettext(
                    "Version %(number)s was published on %(day)s; a new version cannot be "
                    "published before it."
                )
                % {"number": latest.number, "day": long_date(latest.published_on)}
            )
        if same_rows(current, latest.content["rows"]):
            raise ValidationError(
                gettext(
                    "Nothing has changed since version %(number)s, published on %(day)s: no "
                    "status and no approved words are different. Approve new words or wait "
                    "for a status to change before publishing again."
                )
                % {"number": latest.number, "day": long_date(latest.published_on)}
            )
        earlier = {r["key"]: r for r in latest.content["rows"]}
    for row in current:
        before = earlier.get(row["key"])
        unchanged = (
            before is not None
            and before.get("status") == row["status"]
            and before.get("words") == row["words"]
        )
        # The date the row's words or status last changed in a published version.
        row["last_public_update"] = (
            before["last_public_update"] if unchanged and before else today.isoformat()
        )
    number = latest.number + 1 if latest else 1
    publication = ProgressPublication(
        body=body,
        force=force,
        report=report,
        number=number,
        published_on=today,
        content={"schema": 1, "report_title": report.title, "rows": current},
        published_by=by,
        recorded_at=now,
    )
    try:
        with transaction.atomic():
            publication.save()
    except IntegrityError:
        raise ValidationError(
            gettext("Someone published this progress at the same moment. Check it and try again.")
        ) from None
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=publication,
        changes={"number": (None, number), "rows": (None, len(current))},
        at=now,
        note=f"Progress on {report.key} for {force.code} published, version {number}",
    )
    return publication


@transaction.atomic
def progress_save_and_publish(
    *,
    report: Report,
    force: Organisation,
    body: Organisation,
    texts: dict[int, str],
    by: User,
    now: datetime.datetime,
    today: datetime.date,
) -> ProgressPublication:
    """The office's "Publish progress": the office's page: the words as typed are approved, then
    published, in one transaction: a refusal of either leaves nothing changed."""
    _body_check(report=report, force=force, body=body, by=by, today=today)
    wordings_approve(report=report, force=force, texts=texts, by=by, now=now, today=today)
    return progress_publish(report=report, force=force, body=body, by=by, now=now, today=today)
