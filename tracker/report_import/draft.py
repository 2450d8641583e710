"""The draft: what was found in a document, as the person has corrected it so far.

It is stored as JSON in `ReportImport.draft`. `Draft.from_json` and `Draft.to_json` read and
write that JSON exactly as it has always been stored (one flat object: the report's details,
`forces_not_yours`, `judgements` and `findings`), so rows saved before these classes existed
read the same, and the same content always has the same `draft_version`. A key missing from
an older row reads as the field's default; the keys issue 17 added are written only when they
hold something, so an older row's JSON (and its `draft_version`) is unchanged.

What the document is (its kind, the organisation inspected, its language, the pages read by
OCR) is not part of the draft, which holds only what the person corrects: `DocumentFacts`
reads it from the stored extraction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field, replace

from accounts.models import Organisation, User
from tracker import services
from tracker.extraction import Extraction
from tracker.models import (
    AddresseeKind,
    GradingScale,
    InspectorateStatus,
    Report,
    ReportImport,
    ReportType,
)
from tracker.models.inspectorate import stated_display
from tracker.models.reports import REFERENCE_LENGTH
from tracker.report_import.forces import import_forces, service_key
from tracker.report_import.matching import short_reference

SPLIT_MARKER = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)


@dataclass(kw_only=True)
class DraftDetails:
    """The report's own details. Stored as keys of the draft itself, not nested."""

    title: str = ""
    inspectorate_label: str = ""  # "HMIC" or "HMICFRS"
    report_type: str = ""  # a ReportType value
    published_on: str = ""  # an ISO date, or "" when the document does not say
    published_precision: str = ""  # a Report.Precision value
    grading_scale: str = ""  # a GradingScale value
    forces: list[int] = field(default_factory=list)  # organisation ids

    @classmethod
    def from_json(cls, data: dict) -> DraftDetails:
        return cls(
            title=data.get("title", ""),
            inspectorate_label=data.get("inspectorate_label", ""),
            report_type=data.get("report_type", ""),
            published_on=data.get("published_on", ""),
            published_precision=data.get("published_precision", ""),
            grading_scale=data.get("grading_scale", ""),
            forces=list(data.get("forces", [])),
        )

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "inspectorate_label": self.inspectorate_label,
            "report_type": self.report_type,
            "published_on": self.published_on,
            "published_precision": self.published_precision,
            "grading_scale": self.grading_scale,
            "forces": list(self.forces),
        }


@dataclass(kw_only=True)
class DraftJudgement:
    include: bool = False
    area: str = ""
    reference: str = ""
    grade: str = ""
    direction: str = ""  # a baseline's direction of travel, or ""

    @classmethod
    def from_json(cls, data: dict) -> DraftJudgement:
        return cls(
            include=data.get("include", False),
            area=data.get("area", ""),
            reference=data.get("reference", ""),
            grade=data.get("grade", ""),
            direction=data.get("direction", ""),
        )

    def to_json(self) -> dict:
        return {
            "include": self.include,
            "area": self.area,
            "reference": self.reference,
            "grade": self.grade,
            "direction": self.direction,
        }


@dataclass(kw_only=True)
class DraftFinding:
    include: bool = False
    kind: str = ""  # a FindingKind value
    reference: str = ""
    area: str = ""
    text: str = ""
    parent: int | None = None  # index in the draft's findings of its cause of concern
    target_text: str = ""
    target_date: str = ""  # an ISO date, or ""
    force_response: str = ""
    pcc_response: str = ""
    # Issue 17 (written to the JSON only when not empty):
    addressee: str = ""  # as published: "Chief constables", "The College of Policing"
    addressee_kind: str = ""  # an AddresseeKind value
    unsure: str = ""  # why the rules were unsure it is a finding, for the preview
    # A register entry's dated statuses: {"status", "dated", "source", "note"}, oldest first.
    status_history: list[dict] = field(default_factory=list)
    response_source: str = ""  # where the responses were given ("Joint Audit Committee, ...")
    response_status: str = ""  # the status the response states ("Complete", "Ongoing")

    @property
    def for_national_body(self) -> bool:
        return self.addressee_kind == AddresseeKind.NATIONAL_BODY

    @property
    def status_rows(self) -> list[dict[str, str]]:
        """The status history as the preview lists it: the date as a person writes it, the
        status's label, the source and note."""
        labels = dict(InspectorateStatus.Status.choices)
        rows = []
        for entry in self.status_history:
            dated = str(entry.get("dated") or "")
            try:
                if len(dated) == 7:
                    month = datetime.date.fromisoformat(f"{dated}-01")
                    shown = stated_display(month, Report.Precision.MONTH)
                else:
                    day = datetime.date.fromisoformat(dated)
                    shown = stated_display(day, Report.Precision.DAY)
            except ValueError:
                shown = ""
            status = str(entry.get("status") or "")
            rows.append(
                {
                    "dated": shown,
                    "status_label": str(labels.get(status, status)),
                    "source": str(entry.get("source") or ""),
                    "note": str(entry.get("note") or ""),
                }
            )
        return rows

    @property
    def parent_number(self) -> int | None:
        """Its cause of concern as the preview numbers findings (from 1)."""
        return self.parent + 1 if isinstance(self.parent, int) else None

    @classmethod
    def from_json(cls, data: dict) -> DraftFinding:
        return cls(
            include=data.get("include", False),
            kind=data.get("kind", ""),
            reference=data.get("reference", ""),
            area=data.get("area", ""),
            text=data.get("text", ""),
            parent=data.get("parent"),
            target_text=data.get("target_text", ""),
            target_date=data.get("target_date", ""),
            force_response=data.get("force_response", ""),
            pcc_response=data.get("pcc_response", ""),
            addressee=data.get("addressee", ""),
            addressee_kind=data.get("addressee_kind", ""),
            unsure=data.get("unsure", ""),
            status_history=[dict(s) for s in data.get("status_history", [])],
            response_source=data.get("response_source", ""),
            response_status=data.get("response_status", ""),
        )

    def to_json(self) -> dict:
        data = {
            "include": self.include,
            "kind": self.kind,
            "reference": self.reference,
            "area": self.area,
            "text": self.text,
            "parent": self.parent,
            "target_text": self.target_text,
            "target_date": self.target_date,
            "force_response": self.force_response,
            "pcc_response": self.pcc_response,
        }
        for name in ISSUE_17_FINDING_KEYS:
            value = getattr(self, name)
            if value:
                data[name] = [dict(s) for s in value] if name == "status_history" else value
        return data


ISSUE_17_FINDING_KEYS = (
    "addressee",
    "addressee_kind",
    "unsure",
    "status_history",
    "response_source",
    "response_status",
)


@dataclass(kw_only=True)
class Draft:
    details: DraftDetails = field(default_factory=DraftDetails)
    forces_not_yours: list[str] = field(default_factory=list)  # named, but not the person's
    judgements: list[DraftJudgement] = field(default_factory=list)
    findings: list[DraftFinding] = field(default_factory=list)
    # Issue 17: the report a register entry or progress report is about, as the person chose
    # it on the preview (its key); "" for the report found by duplicate_of.
    target_report: str = ""

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        return cls(
            details=DraftDetails.from_json(data),
            forces_not_yours=list(data.get("forces_not_yours", [])),
            judgements=[DraftJudgement.from_json(j) for j in data.get("judgements", [])],
            findings=[DraftFinding.from_json(f) for f in data.get("findings", [])],
            target_report=data.get("target_report", ""),
        )

    def to_json(self) -> dict:
        data = {
            **self.details.to_json(),
            "forces_not_yours": list(self.forces_not_yours),
            "judgements": [j.to_json() for j in self.judgements],
            "findings": [f.to_json() for f in self.findings],
        }
        if self.target_report:
            data["target_report"] = self.target_report
        return data


# Kinds of document that are about a report already published (issue 17): their findings
# are the report's, matched, never new ones of their own.
REGISTER = "register"  # a register entry: the recommendation and its dated statuses
PROGRESS_REPORT = "progress_report"  # a progress report or minutes: responses and statuses
STATUS_DOCUMENTS = (REGISTER, PROGRESS_REPORT)


@dataclass(frozen=True, kw_only=True)
class DocumentFacts:
    """What the reading found the document to be, from the stored extraction: not corrected
    by the person, so not part of the draft."""

    document_type: str = "unknown"
    organisation_kind: str = "force"  # "force" or "fire_and_rescue"
    services: tuple[str, ...] = ()  # fire and rescue services named
    kind_known: bool = True
    language: str = "en"
    ocr_pages: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def of(cls, report_import: ReportImport) -> DocumentFacts:
        data = report_import.extraction if isinstance(report_import.extraction, dict) else {}
        return cls(
            document_type=data.get("document_type") or "unknown",
            organisation_kind=data.get("organisation_kind") or "force",
            services=tuple(data.get("services") or ()),
            kind_known=bool(data.get("kind_known", True)),
            language=data.get("language") or "en",
            ocr_pages=tuple(int(p) for p in data.get("ocr_pages") or () if str(p).isdigit()),
            notes=tuple(str(n) for n in data.get("notes") or ()),
        )

    @property
    def is_register(self) -> bool:
        return self.document_type == REGISTER

    @property
    def is_progress_report(self) -> bool:
        return self.document_type == PROGRESS_REPORT

    @property
    def about_a_report(self) -> bool:
        """A register entry or a progress report: about a report, not a report itself."""
        return self.document_type in STATUS_DOCUMENTS

    @property
    def fire_and_rescue(self) -> bool:
        return self.organisation_kind == "fire_and_rescue"

    @property
    def in_welsh(self) -> bool:
        return self.language == "cy"


@dataclass(kw_only=True)
class FindingCorrection:
    """One finding of the preview as sent back: the finding with the person's changes, and
    whether it joins the one above (merge)."""

    finding: DraftFinding
    join_previous: bool = False


def _published(value: str | None) -> tuple[str, str]:
    """ "2018-03-22" or "2018-03" as (ISO date, precision)."""
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value, Report.Precision.DAY
    if value and re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-01", Report.Precision.MONTH
    return "", Report.Precision.DAY


def _responses(extraction: Extraction) -> dict[int, dict[str, str]]:
    """Each finding's responses, by party, with where they were given and their status."""
    found: dict[int, dict[str, str]] = {}
    for response in extraction.responses:
        entry = found.setdefault(response.to, {})
        entry[response.party] = response.text  # the last of a party's, as always
        if response.source and not entry.get("source"):
            entry["source"] = response.source
        if response.status and not entry.get("status"):
            entry["status"] = response.status
    return found


def _matching_services(names: list[str], candidates: list[Organisation]) -> list[Organisation]:
    """The fire and rescue services among `candidates` that the document names, matched by
    the place in their names ("Essex County Fire & Rescue Service" is Essex's)."""
    wanted = {service_key(n) for n in names} - {""}
    return [s for s in candidates if {service_key(s.name), service_key(s.short_name)} & wanted]


def initial_draft(extraction: Extraction, *, user: User) -> Draft:
    """What the preview starts from: the extraction, with forces (or, for a fire and rescue
    inspection, services) matched to organisations (only those this person may import for)
    and every finding included, unless the document is of a kind the rules do not know: then
    none is, since they are guesses to check."""
    allowed = import_forces(user)
    if extraction.organisation_kind == "fire_and_rescue":
        services_allowed = [o for o in allowed if o.kind == Organisation.Kind.FIRE_AND_RESCUE]
        forces = [o.id for o in _matching_services(extraction.services, services_allowed)]
        mine = {service_key(o.name) for o in services_allowed}
        not_yours = sorted(n for n in extraction.services if service_key(n) not in mine)
    else:
        names = {n.lower() for n in extraction.forces}
        police = [o for o in allowed if o.kind == Organisation.Kind.FORCE]
        forces = [f.id for f in police if f.name.lower() in names or f.short_name.lower() in names]
        allowed_names = {f.name.lower() for f in police}
        not_yours = sorted(n for n in extraction.forces if n.lower() not in allowed_names)
    published_on, precision = _published(extraction.published)
    responses = _responses(extraction)
    findings = []
    for index, f in enumerate(extraction.findings):
        answer = responses.get(index, {})
        findings.append(
            DraftFinding(
                include=extraction.kind_known,
                kind=f.kind,
                # kept as published; only one longer than the field loses words
                reference=short_reference(f.reference, limit=REFERENCE_LENGTH),
                area=f.area[:400],
                text=f.text,
                parent=f.parent,
                target_text=(f.target_text or "")[:200],
                target_date=f.target_date or "",
                force_response=answer.get("force", ""),
                pcc_response=answer.get("pcc", ""),
                addressee=" ".join((f.addressee or "").split())[:200],
                addressee_kind=f.addressee_kind if f.addressee_kind in AddresseeKind.values else "",
                unsure=f.unsure or "",
                status_history=[
                    {
                        "status": s.status,
                        "dated": s.dated or "",
                        "source": (s.source or "")[:300],
                        "note": s.note or "",
                    }
                    for s in f.status_history
                ],
                response_source=answer.get("source", "")[:200],
                response_status=answer.get("status", "")[:100],
            )
        )
    inspectorate = extraction.inspectorate or (
        "HMICFRS" if published_on and published_on >= services.HMICFRS_FROM.isoformat() else "HMIC"
    )
    return Draft(
        details=DraftDetails(
            title=" ".join((extraction.title or "").split())[:400],
            inspectorate_label=inspectorate,
            report_type=extraction.report_type or ReportType.OTHER,
            published_on=published_on,
            published_precision=precision,
            grading_scale=extraction.grading_scale or GradingScale.NONE,
            forces=forces,
        ),
        forces_not_yours=not_yours,
        judgements=[
            DraftJudgement(
                include=True,
                area=j.area[:400],
                reference=(j.reference or "")[:20],
                grade=j.grade[:40],
                direction=j.direction or "",
            )
            for j in extraction.judgements
        ],
        findings=findings,
    )


def draft_version(draft: Draft) -> str:
    """A fingerprint of the draft, sent with the preview's form: a form made from an older
    draft (another tab, the Back button) is refused instead of being paired with the wrong
    findings."""
    return hashlib.sha256(
        json.dumps(draft.to_json(), sort_keys=True, default=str).encode()
    ).hexdigest()[:16]


def draft_apply(
    *,
    report_import: ReportImport,
    details: DraftDetails,
    judgements: list[DraftJudgement],
    findings: list[FindingCorrection],
    target_report: str | None = None,
) -> Draft:
    """The person's corrections: report details, and per finding whether it is included, its
    kind, reference, area, text (and, issue 17, its addressee), and whether it joins the one
    above (merge). A line of three dashes in a text splits it into two findings. For a
    register entry or progress report, `target_report` is the key of the report chosen as
    the one it is about. Returns the new draft (saved)."""
    merged: list[DraftFinding] = []
    old_to_new: dict[int, int] = {}
    for old_index, correction in enumerate(findings):
        f = correction.finding
        if not f.include:
            continue
        if correction.join_previous and merged:
            target = merged[-1]
            target.text = f"{target.text.rstrip()}\n\n{f.text.strip()}"
            if f.force_response:
                target.force_response = "\n\n".join(
                    t for t in (target.force_response, f.force_response) if t
                )
            if f.pcc_response:
                target.pcc_response = "\n\n".join(
                    t for t in (target.pcc_response, f.pcc_response) if t
                )
            target.status_history = [*target.status_history, *f.status_history]
            old_to_new[old_index] = len(merged) - 1
            continue
        parts = [p.strip() for p in SPLIT_MARKER.split(f.text) if p.strip()]
        for n, part in enumerate(parts or [""]):
            entry = replace(f, text=part)
            if n:  # the responses and statuses stay with the first part; kind, area, parent
                entry.force_response = entry.pcc_response = ""  # and addressee go to each
                entry.status_history = []
            merged.append(entry)
            if n == 0:
                old_to_new[old_index] = len(merged) - 1
    for entry in merged:
        entry.parent = old_to_new.get(entry.parent) if isinstance(entry.parent, int) else None
        entry.include = True
    draft = replace(
        Draft.from_json(report_import.draft),
        details=details,
        judgements=judgements,
        findings=merged,
    )
    if target_report is not None:
        draft.target_report = target_report
    report_import.draft = draft.to_json()
    report_import.save(update_fields=["draft"])
    return draft
