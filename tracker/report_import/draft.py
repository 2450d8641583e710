"""The draft: what was found in a document, as the person has corrected it so far.

It is stored as JSON in `ReportImport.draft`. `Draft.from_json` and `Draft.to_json` read and
write that JSON exactly as it has always been stored (one flat object: the report's details,
`forces_not_yours`, `judgements` and `findings`), so rows saved before these classes existed
read the same, and the same content always has the same `draft_version`. A key missing from
an older row reads as the field's default.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace

from accounts.models import User
from tracker import services
from tracker.extraction import Extraction
from tracker.models import GradingScale, Report, ReportImport, ReportType
from tracker.report_import.forces import import_forces

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
        )

    def to_json(self) -> dict:
        return {
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


@dataclass(kw_only=True)
class Draft:
    details: DraftDetails = field(default_factory=DraftDetails)
    forces_not_yours: list[str] = field(default_factory=list)  # named, but not the person's
    judgements: list[DraftJudgement] = field(default_factory=list)
    findings: list[DraftFinding] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> Draft:
        return cls(
            details=DraftDetails.from_json(data),
            forces_not_yours=list(data.get("forces_not_yours", [])),
            judgements=[DraftJudgement.from_json(j) for j in data.get("judgements", [])],
            findings=[DraftFinding.from_json(f) for f in data.get("findings", [])],
        )

    def to_json(self) -> dict:
        return {
            **self.details.to_json(),
            "forces_not_yours": list(self.forces_not_yours),
            "judgements": [j.to_json() for j in self.judgements],
            "findings": [f.to_json() for f in self.findings],
        }


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


def initial_draft(extraction: Extraction, *, user: User) -> Draft:
    """What the preview starts from: the extraction, with forces matched to organisations
    (only those this person may import for) and every finding included."""
    names = {n.lower() for n in extraction.forces}
    allowed = import_forces(user)
    forces = [f.id for f in allowed if f.name.lower() in names or f.short_name.lower() in names]
    allowed_names = {f.name.lower() for f in allowed}
    not_yours = sorted(n for n in extraction.forces if n.lower() not in allowed_names)
    published_on, precision = _published(extraction.published)
    responses: dict[int, dict[str, str]] = {}
    for response in extraction.responses:
        responses.setdefault(response.to, {})[response.party] = response.text
    findings = []
    for index, f in enumerate(extraction.findings):
        findings.append(
            DraftFinding(
                include=True,
                kind=f.kind,
                reference=f.reference[:20],
                area=f.area[:400],
                text=f.text,
                parent=f.parent,
                target_text=(f.target_text or "")[:200],
                target_date=f.target_date or "",
                force_response=responses.get(index, {}).get("force", ""),
                pcc_response=responses.get(index, {}).get("pcc", ""),
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
) -> Draft:
    """The person's corrections: report details, and per finding whether it is included, its
    kind, reference, area and text, and whether it joins the one above (merge). A line of
    three dashes in a text splits it into two findings. Returns the new draft (saved)."""
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
            old_to_new[old_index] = len(merged) - 1
            continue
        parts = [p.strip() for p in SPLIT_MARKER.split(f.text) if p.strip()]
        for n, part in enumerate(parts or [""]):
            entry = replace(f, text=part)
            if n:  # the responses stay with the first part; kind, area and parent go to each
                entry.force_response = entry.pcc_response = ""
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
    report_import.draft = draft.to_json()
    report_import.save(update_fields=["draft"])
    return draft
