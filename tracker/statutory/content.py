"""What a statutory response (s55 Police Act 1996) says and how far it has got: reads only.

A response moves through stages worked out from what is recorded (never stored, so it cannot
disagree with the record): not started; the chief constable's comments requested, then
received; the PCC's comments drafted; approved; published; copies sent to the inspectorate
and the Home Secretary.

The per-recommendation responses live on the force's tracked item for that recommendation
(`force_response`, `pcc_response`), so the item page and the response document show the same
words. The document's content is built here, and a published version keeps a snapshot of it
(tracker/statutory/services.py writes it).

Nothing here writes: selectors and pages import this module.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop

from accounts.models import Organisation
from tracker import deadlines
from tracker.markings import response_marking
from tracker.models import (
    AddresseeKind,
    Deadline,
    DeadlineRule,
    DeadlineState,
    DeadlineSubject,
    Finding,
    FindingKind,
    FunctionTransfer,
    Report,
    ReportEdition,
    ResponseVersion,
    StatutoryResponse,
    TrackedItem,
    WelshResponseText,
    WhoActs,
)

ANSWERED_KINDS = [FindingKind.CAUSE_OF_CONCERN, FindingKind.RECOMMENDATION]

STATUTORY_BASIS = gettext_noop(
    "Section 55 of the Police Act 1996 requires the local policing body to publish its "
    "comments on an inspection report about its force, with any comments of the chief officer "
    "and its response to them. For reports published on or after 2 May 2017 they must be "
    "published within 56 days beginning with the day the report is published (s55(5A), "
    "inserted by the Policing and Crime Act 2017). For each recommendation, the comments must "
    "explain what action has been or will be taken, or why no action will be taken (s55(5B)). "
    "A copy is sent to the inspectors of constabulary and the Home Secretary (s55(6))."
)
COPYRIGHT = gettext_noop(
    "Report texts quoted here are Crown copyright, published under the Open Government "
    "Licence v3.0."
)


# Stages ----------------------------------------------------------------------------------

STAGES = [
    ("not_started", "Not started"),
    ("comments_requested", "Chief constable's comments requested"),
    ("comments_received", "Chief constable's comments received"),
    ("drafted", "PCC comments drafted"),
    ("approved", "Approved"),
    ("published", "Published"),
    ("copies_sent", "Copies sent"),
]
STAGE_LABELS = dict(STAGES)


def stage_of(response: StatutoryResponse | None, *, drafted: bool, published: bool) -> str:
    """The furthest stage the record shows. `drafted`: any PCC text is written;
    `published`: a version has been published."""
    if response is None:
        return "not_started"
    if published:
        if response.sent_to_inspectorate_on and response.sent_to_home_secretary_on:
            return "copies_sent"
        return "published"
    if response.approved_at:
        return "approved"
    if drafted:
        return "drafted"
    if response.chief_officer_comments_received_on:
        return "comments_received"
    if response.chief_officer_comments_requested_on:
        return "comments_requested"
    return "not_started"


# The introduction: a small template with named fields ------------------------------------

DEFAULT_INTRODUCTION = gettext_noop(
    "On {{ report_published }} {{ inspectorate }} published its report "
    "“{{ report_title }}”. This is the response of the {{ body }}.\n\n"
    "The report makes {{ recommendations }}. The response of {{ force }} and of the "
    "{{ body }} to each is set out below."
)
FIELD_PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
FIELD_HELP = {
    "report_title": "the report's title",
    "report_published": "the day the report was published",
    "inspectorate": "HMIC or HMICFRS, as it was when it published",
    "force": "the force's name",
    "body": "the local policing body's name",
    "deadline": "the deadline for this response",
    "recommendations": "how many recommendations, in words (“2 recommendations”)",
}


def introduction_render(template: str, values: dict[str, str]) -> str:
    """Fill in {{ field }}s. An unknown field or a stray brace is refused with a message
    that names it and lists the fields there are."""
    known = ", ".join("{{ " + name + " }}" for name in FIELD_HELP)
    for tag in ("{%", "%}", "{#", "#}"):
        if tag in template:
            raise ValidationError(
                f"The introduction cannot use “{tag}”: only fields like {{{{ report_title }}}}. "
                f"Fields you can use: {known}."
            )
    for name in FIELD_PATTERN.findall(template):
        if name not in FIELD_HELP:
            raise ValidationError(
                f"The introduction uses {{{{ {name} }}}}, which is not a field. "
                f"Fields you can use: {known}."
            )
    filled = FIELD_PATTERN.sub(lambda m: str(values[m.group(1)]), template)
    rest = FIELD_PATTERN.sub("", template)
    if "{{" in rest or "}}" in rest:
        raise ValidationError(
            "The introduction has a {{ without a matching }} (or the other way round). "
            f"Write fields like this: {known}."
        )
    return filled


# What the document says --------------------------------------------------------------------


@dataclass
class Entry:
    finding: Finding
    item: TrackedItem | None

    @property
    def is_recommendation(self) -> bool:
        return self.finding.kind == FindingKind.RECOMMENDATION


def answered_findings(report: Report, force: Organisation) -> list[Finding]:
    """Causes of concern and recommendations the force must answer, in published order. A
    recommendation addressed to a national body (issue 17) is not the force's to answer: it
    is left out, so answering it cannot make it an item."""
    return list(
        report.findings.filter(kind__in=ANSWERED_KINDS)
        .filter(Q(force__isnull=True) | Q(force=force))
        .exclude(addressee_kind=AddresseeKind.NATIONAL_BODY)
        .order_by("order", "id")
    )


def response_entries(response: StatutoryResponse) -> list[Entry]:
    findings = answered_findings(response.report, response.force)
    items = {
        i.finding_id: i
        for i in TrackedItem.objects.filter(
            finding__in=findings, force_id=response.force_id
        ).select_related("owner")
    }
    return [Entry(f, items.get(f.id)) for f in findings]


def _judgements(response: StatutoryResponse):
    return list(
        response.report.judgements.filter(Q(force__isnull=True) | Q(force_id=response.force_id))
    )


def long_date(day: datetime.date | None) -> str:
    return deadlines.format_day(day) if day else ""


def statutory_deadline(response: StatutoryResponse) -> Deadline | None:
    """The deadline the law (or the office's local target) sets for the PCC's comments."""
    if response.pk is None:
        return None
    rows = [d for d in response.deadlines.all() if d.state != DeadlineState.WITHDRAWN]
    for d in rows:
        if d.rule.who_must_act == "pcc_office" and d.rule.statutory:
            return d
    for d in rows:
        if d.rule.who_must_act == "pcc_office":
            return d
    return None


def signing_body(response: StatutoryResponse, today: datetime.date | None = None) -> Organisation:
    """Who signs the document: the response's body, or its successor once a transfer of its
    functions has taken effect (tracker/function_transfers.py; issue 22), so a document
    published on or after the transfer's day is the successor's even before the transfer is
    carried out. Published versions keep who signed them. Looked up once per response.

    Only a transfer that passes on the response's force counts (the one rule,
    FunctionTransfer.terms_passing): a force another body takes on the day is not signed for
    by this transfer's successor."""
    day = today or timezone.localdate()
    remembered = response.__dict__.get("signer_on")
    key = (response.body_id, response.force_id, day)
    if remembered is not None and remembered[0] == key:
        return remembered[1]
    body = response.body
    carried_out = True  # the previous step of the chain gave the successor its terms
    for _ in range(10):  # a chain of transfers (A to B, then B to C); never a circle
        transfer = (
            FunctionTransfer.objects.in_effect(day)
            .filter(from_body_id=body.pk)
            .select_related("to_body")
            .first()
        )
        if transfer is None:
            break
        # After a step not yet carried out, the next body holds no term for the force yet:
        # the force is the one passing along the chain.
        if carried_out and response.force_id not in transfer.force_ids():
            break
        body = transfer.to_body
        carried_out = transfer.carried_out_at is not None
    response.__dict__["signer_on"] = (key, body)
    return body


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def intro_values(response: StatutoryResponse, entries: list[Entry]) -> dict[str, str]:
    report = response.report
    deadline = statutory_deadline(response)
    count = sum(1 for e in entries if e.is_recommendation)
    return {
        "report_title": report.title,
        "report_published": report.published_display,
        "inspectorate": report.inspectorate_label,
        "force": response.force.name,
        "body": signing_body(response).name,
        "deadline": long_date(deadline.due_on) if deadline else "no statutory deadline",
        "recommendations": "no recommendations" if not count else _plural(count, "recommendation"),
    }


def response_content(response: StatutoryResponse, entries: list[Entry] | None = None) -> dict:
    """Everything the response document shows, as plain JSON-ready data. The same content
    feeds the HTML page, the .docx and the PDF, and is what a published version keeps."""
    report = response.report
    entries = response_entries(response) if entries is None else entries
    judgements = _judgements(response)
    grade_by_area = {j.area: j.grade for j in judgements}
    deadline = statutory_deadline(response)
    areas: list[dict] = []
    for entry in entries:
        finding, item = entry.finding, entry.item
        if not areas or areas[-1]["area"] != finding.area:
            areas.append(
                {"area": finding.area, "grade": grade_by_area.get(finding.area, ""), "entries": []}
            )
        areas[-1]["entries"].append(
            {
                "kind": finding.kind,
                "kind_label": finding.get_kind_display(),
                "reference": finding.reference,
                "text": finding.text,
                "force_response": item.force_response if item else "",
                "pcc_response": item.pcc_response if item else "",
            }
        )
    template = response.introduction or DEFAULT_INTRODUCTION
    try:
        introduction = introduction_render(template, intro_values(response, entries))
    except ValidationError:
        introduction = introduction_render(DEFAULT_INTRODUCTION, intro_values(response, entries))
    body = signing_body(response)
    content = {
        "schema": 1,
        "body": body.name,
        "body_short": body.short_name,
        "body_role": f"Comments of the {body.name}",
        "force": response.force.name,
        "report": {
            "title": report.title,
            "inspectorate_label": report.inspectorate_label,
            "published": report.published_display,
            "published_on": report.published_on.isoformat(),
            "report_type": report.get_report_type_display(),
            "url": report.url,
        },
        "deadline": long_date(deadline.due_on) if deadline else "",
        # A draft is the next version; once published, with_publication() fills these in.
        "version": _next_version(response),
        "published_on": None,
        "published": "",
        "first_published": long_date(response.published_on),
        "url": "",
        "introduction": introduction,
        "judgements": [
            {"area": j.area, "grade": j.grade, "direction": j.direction or "", "note": j.note}
            for j in judgements
        ],
        "pcc_comments": response.pcc_comments,
        "chief_officer_comments": response.chief_officer_comments,
        "recommendation_count": sum(1 for e in entries if e.is_recommendation),
        "areas": areas,
        "statutory_basis": STATUTORY_BASIS,
        "copyright": COPYRIGHT,
        # Protective marking (issue 21): the draft's; a published version's is the one chosen
        # at publication (with_publication).
        "marking": response_marking(response),
    }
    if response.bilingual:
        content = {**content, **_welsh_edition(response, entries, content)}
    return content


def _next_version(response: StatutoryResponse) -> int:
    if response.pk is None:
        return 1
    latest = response.versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


# The marking is chosen at publication too, and is not part of what the document says.
PUBLICATION_KEYS = ("version", "published_on", "published", "first_published", "url", "marking")


def fingerprint(content: dict) -> str:
    """A hash of what the document says (not when it was published), to tell whether what
    is about to be published is what was approved, and whether a draft differs from the
    published version. The Welsh edition, where there is one, is part of what it says."""
    words = {k: v for k, v in content.items() if k not in PUBLICATION_KEYS}
    if isinstance(words.get("cy"), dict):
        words["cy"] = {k: v for k, v in words["cy"].items() if k not in PUBLICATION_KEYS}
    return hashlib.sha256(json.dumps(words, sort_keys=True).encode()).hexdigest()


def with_publication(content: dict, version: ResponseVersion, first_on: datetime.date) -> dict:
    published = {
        **content,
        "version": version.number,
        "published_on": version.published_on.isoformat(),
        "published": long_date(version.published_on),
        "first_published": long_date(first_on),
        "url": version.url,
        "marking": version.marking_label,
    }
    if isinstance(content.get("cy"), dict):
        with translation.override("cy"):
            published["cy"] = {
                **content["cy"],
                "version": version.number,
                "published_on": version.published_on.isoformat(),
                "published": welsh_date(version.published_on),
                "first_published": welsh_date(first_on),
                "url": version.url,
                "marking": version.marking_label,
            }
    return published


# Completeness ------------------------------------------------------------------------------


def response_problems(response: StatutoryResponse, entries: list[Entry] | None = None) -> list:
    """What stops the response being marked ready, each as (what, where to fix it).
    s55(5B): every recommendation needs an explanation of the action taken or proposed, or
    of why none will be taken."""
    entries = response_entries(response) if entries is None else entries
    problems = []
    if not response.pcc_comments.strip():
        problems.append(("Write the PCC's overall comments on the report.", "id_pcc_comments"))
    number = 0
    for entry in entries:
        if not entry.is_recommendation:
            continue
        number += 1
        if entry.item is None or not entry.item.pcc_response.strip():
            problems.append(
                (
                    f"Explain the action taken or proposed on recommendation {number} "
                    f"(“{entry.finding.summary[:80]}”), or why no action will be taken.",
                    f"id_pcc_response_{entry.finding.pk}",
                )
            )
    try:
        introduction_render(
            response.introduction or DEFAULT_INTRODUCTION, intro_values(response, entries)
        )
    except ValidationError as exc:
        problems.append((exc.messages[0], "id_introduction"))
    if response.bilingual:
        problems.extend(welsh_problems(response, entries))
    return problems


def approval_current(response: StatutoryResponse, content: dict | None = None) -> bool:
    if not response.approved_at or not response.approved_fingerprint:
        return False
    content = content if content is not None else response_content(response)
    return fingerprint(content) == response.approved_fingerprint


# Reports the law sets no period for ------------------------------------------------------


@dataclass
class PeriodSplit:
    """The statutory responses list in two: `listed`, the reports with a statutory period
    under an active rule, and any report whose response the office has started; `apart`,
    the rest (reports published before the period applied), which are not "Not started"
    responses unless the office chooses to respond. `rule`: the first rule to apply (its
    `applies_from` and `legal_basis` say since when and under what law), None if none."""

    listed: QuerySet
    apart: QuerySet
    rule: DeadlineRule | None


def statutory_period_rules() -> list[DeadlineRule]:
    """The active rules that set a statutory period for the PCC office's comments (s55(5A)
    and any an administrator adds). tracker.reminders.sync.statutory_rule_for chooses among
    the same rules for one report."""
    return list(
        DeadlineRule.objects.filter(
            active=True,
            statutory=True,
            subject=DeadlineSubject.STATUTORY_RESPONSE,
            who_must_act=WhoActs.PCC_OFFICE,
        ).order_by(F("applies_from").asc(nulls_last=True), "pk")
    )


def _period_q(rules: list[DeadlineRule], prefix: str) -> Q | None:
    """Reports (through `prefix`) one of the rules sets a period for; None: every report."""
    matches = Q(pk__in=[])  # no rule: no report has a period
    for rule in rules:
        conditions: dict[str, object] = {}
        if rule.applies_from:
            conditions[f"{prefix}published_on__gte"] = rule.applies_from
        if rule.applies_until:
            conditions[f"{prefix}published_on__lte"] = rule.applies_until
        if rule.report_type_list:
            conditions[f"{prefix}report_type__in"] = rule.report_type_list
        if not conditions:
            return None
        matches |= Q(**conditions)
    return matches


def pairs_by_period(pairs: QuerySet) -> PeriodSplit:
    """Split the statutory responses list's rows (selectors.response_pairs: a report and one
    of its forces, with `response_id`) by whether the law sets a period for the report, as
    the rules say (never a date written here). One query, for the rules."""
    rules = statutory_period_rules()
    period = _period_q(rules, "report__")
    first = rules[0] if rules else None  # earliest applies_from first
    if period is None:
        return PeriodSplit(listed=pairs, apart=pairs.none(), rule=first)
    started = Q(response_id__isnull=False)
    return PeriodSplit(
        listed=pairs.filter(period | started),
        apart=pairs.filter(~period, response_id__isnull=True),
        rule=first,
    )


# Welsh: a response published in Welsh and English (Welsh Language Standards) --------------
#
# A body under the Welsh Language Standards publishes its response in both languages, with
# neither less prominent. The English text of each part is where it always was; the Welsh
# text is in the response's *_cy fields and, per finding, in WelshResponseText. The content
# of such a response carries a second, complete content dict under "cy", built here in
# Welsh (fixed phrases from the catalogue, under translation.override("cy")), which the same
# document templates render. Publication needs both languages of every part.

WELSH = "cy"


def welsh_date(day: datetime.date | None, *, month_only: bool = False) -> str:
    """A date as a Welsh document writes it ("16 Mai 2018"): the month from the catalogue
    of the active language, so call it inside translation.override("cy")."""
    if day is None:
        return ""
    return formats.date_format(day, "F Y" if month_only else "j F Y")


def welsh_texts(response: StatutoryResponse) -> dict[int, WelshResponseText]:
    """The Welsh text of each finding's responses, by finding id (one query)."""
    if response.pk is None:
        return {}
    return {t.finding_id: t for t in response.welsh_texts.all()}


def welsh_edition_of(report: Report) -> ReportEdition | None:
    """The Welsh edition of the report, if one is attached."""
    return report.editions.filter(language=WELSH).first()


def welsh_name(organisation: Organisation) -> str:
    return organisation.welsh_name or organisation.name


def _welsh_intro_values(
    response: StatutoryResponse,
    entries: list[Entry],
    edition: ReportEdition | None,
    deadline_on: datetime.date | None,
) -> dict[str, str]:
    report = response.report
    count = sum(1 for e in entries if e.is_recommendation)
    month_only = report.published_precision == Report.Precision.MONTH
    return {
        "report_title": edition.title if edition else report.title,
        "report_published": welsh_date(report.published_on, month_only=month_only),
        "inspectorate": report.inspectorate_label,
        "force": welsh_name(response.force),
        "body": welsh_name(signing_body(response)),
        "deadline": welsh_date(deadline_on) if deadline_on else gettext("no statutory deadline"),
        "recommendations": (
            translation.ngettext("%(count)d recommendation", "%(count)d recommendations", count)
            % {"count": count}
            if count
            else gettext("no recommendations")
        ),
    }


def _welsh_edition(response: StatutoryResponse, entries: list[Entry], english: dict) -> dict:
    """The "languages" and "cy" keys of a bilingual response's content: the Welsh document,
    same schema as the English one. Two queries (the Welsh texts, the report's Welsh
    edition)."""
    texts = welsh_texts(response)
    edition = welsh_edition_of(response.report)
    deadline = statutory_deadline(response)
    with translation.override(WELSH):
        values = _welsh_intro_values(
            response, entries, edition, deadline.due_on if deadline else None
        )
        template = response.introduction_cy if response.introduction else ""
        template = template or gettext(DEFAULT_INTRODUCTION)
        try:
            introduction = introduction_render(template, values)
        except ValidationError:
            introduction = introduction_render(gettext(DEFAULT_INTRODUCTION), values)
        areas: list[dict] = []
        sources = iter(entries)  # the areas hold the entries in this order
        for area in english["areas"]:
            welsh_entries = []
            for entry in area["entries"]:
                text = texts.get(next(sources).finding.pk)
                welsh_entries.append(
                    {
                        **entry,
                        "kind_label": gettext(entry["kind_label"]),
                        # The report's own words, in English unless the edition is recorded.
                        "text_lang": "en",
                        "force_response": text.force_response if text else "",
                        "pcc_response": text.pcc_response if text else "",
                    }
                )
            areas.append({**area, "entries": welsh_entries})
        body = signing_body(response)  # who signs it, as in the English document
        welsh = {
            **english,
            "lang": WELSH,
            "body": welsh_name(body),
            # The Welsh documents' file names start "cy-", apart from the English ones.
            "body_short": f"cy {body.short_name}",
            "body_role": gettext("Comments of the %(body)s") % {"body": welsh_name(body)},
            "force": welsh_name(response.force),
            "report": {
                **english["report"],
                "title": values["report_title"],
                "title_lang": "" if edition else "en",
                "published": values["report_published"],
                "report_type": gettext(english["report"]["report_type"]),
                "url": edition.url if edition else english["report"]["url"],
                "english_url": english["report"]["url"],
            },
            "deadline": welsh_date(deadline.due_on) if deadline else "",
            "first_published": welsh_date(response.published_on),
            "introduction": introduction,
            "judgements": [
                {**j, "grade": gettext(j["grade"]), "direction": gettext(j["direction"])}
                if j["direction"]
                else {**j, "grade": gettext(j["grade"])}
                for j in english["judgements"]
            ],
            "pcc_comments": response.pcc_comments_cy,
            "chief_officer_comments": response.chief_officer_comments_cy,
            "areas": areas,
            "statutory_basis": gettext(STATUTORY_BASIS),
            "copyright": gettext(COPYRIGHT),
        }
    return {"languages": ["en", WELSH], WELSH: welsh}


def content_in(content: dict, language: str) -> dict:
    """The content of one language's document: the Welsh one of a bilingual response for
    "cy", else the English one (without the Welsh copy inside it)."""
    if language == WELSH and isinstance(content.get(WELSH), dict):
        return content[WELSH]
    return {k: v for k, v in content.items() if k not in (WELSH, "languages")}


def is_bilingual(content: dict) -> bool:
    return isinstance(content.get(WELSH), dict)


def _part_name(entry: Entry, number: int) -> str:
    if entry.is_recommendation:
        return gettext("recommendation %(number)s") % {"number": number}
    label = entry.finding.label
    return label[:1].lower() + label[1:]


def welsh_problems(response: StatutoryResponse, entries: list[Entry]) -> list[tuple[str, str]]:
    """For a response published in Welsh and English: each part written in one language but
    not the other, named ("Add the Welsh text of the response to recommendation 3 before
    publishing"). The field ids are those of the response page's Welsh (…_cy) and English
    fields."""
    problems: list[tuple[str, str]] = []

    def pair(english: str, welsh: str, what: str, english_id: str, welsh_id: str) -> None:
        if english.strip() and not welsh.strip():
            problems.append(
                (
                    gettext("Add the Welsh text of %(what)s before publishing.") % {"what": what},
                    welsh_id,
                )
            )
        elif welsh.strip() and not english.strip():
            problems.append(
                (
                    gettext("Add the English text of %(what)s before publishing.") % {"what": what},
                    english_id,
                )
            )

    if response.introduction:
        pair(
            response.introduction,
            response.introduction_cy,
            gettext("the introduction"),
            "id_introduction",
            "id_introduction_cy",
        )
    pair(
        response.pcc_comments,
        response.pcc_comments_cy,
        gettext("the PCC's comments"),
        "id_pcc_comments",
        "id_pcc_comments_cy",
    )
    pair(
        response.chief_officer_comments,
        response.chief_officer_comments_cy,
        gettext("the chief constable's comments"),
        "id_comments",
        "id_comments_cy",
    )
    texts = welsh_texts(response)
    number = 0
    for entry in entries:
        if entry.is_recommendation:
            number += 1
        part = _part_name(entry, number)
        text = texts.get(entry.finding.pk)
        item = entry.item
        pk = entry.finding.pk
        pair(
            item.pcc_response if item else "",
            text.pcc_response if text else "",
            gettext("the response to %(part)s") % {"part": part},
            f"id_pcc_response_{pk}",
            f"id_pcc_response_cy_{pk}",
        )
        pair(
            item.force_response if item else "",
            text.force_response if text else "",
            gettext("the force's response to %(part)s") % {"part": part},
            f"id_force_response_{pk}",
            f"id_force_response_cy_{pk}",
        )
    return problems
