"""What an extraction finds in one document, and its JSON form.

The JSON form is the shape that the shared scorer, `score_extraction.py`, reads (described
in seeds/README.md of the shared seeds folder beside the checkout, SHARED_DIR), with each
finding's full text (not only its opening words) and a few more fields the upload preview
needs (references, parts, targets, responses tied to their finding).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ExtractedJudgement:
    area: str
    grade: str  # a value of tracker.models.GRADES, e.g. "Requires improvement", "Not graded"
    direction: str | None = None  # baseline direction of travel: Improved/Stable/Declined/...
    reference: str = ""  # "1A" in a baseline assessment
    note: str = ""  # e.g. "2016 inspection result"


@dataclass
class ExtractedFinding:
    kind: str  # cause_of_concern | recommendation | area_for_improvement | finding
    area: str  # the section it sits in
    text: str  # as published: paragraphs split by "\n\n", bullets as "- " lines
    reference: str = ""  # "1A", "Recommendation 2"
    parent: int | None = None  # index in Extraction.findings of the cause of concern
    parts: list[str] = field(default_factory=list)  # a recommendation's lettered/bulleted parts
    target_text: str = ""  # "immediately", "within six months", "by 31 March 2023"
    target_date: str | None = None  # ISO date when the target names one
    # Issue 17: who a recommendation is addressed to, as published ("Chief constables", "The
    # College of Policing"), and whether that is the forces (every force tracks it: "forces")
    # or a national body that forces do not own ("national_body"); "" when not stated (the
    # force or forces the document is about).
    addressee: str = ""
    addressee_kind: str = ""  # "" | "forces" | "national_body"
    # Why the rules were unsure about this finding ("a heading that might be a finding"),
    # in plain English for the preview; "" when sure.
    unsure: str = ""
    # A register entry's or status page's dated statuses, oldest first (not new findings).
    status_history: list[ExtractedStatus] = field(default_factory=list)


# The inspectorate's own view of a recommendation (its register's statuses).
INSPECTORATE_STATUSES = (
    "awaiting_review",
    "being_progressed",
    "complete",
    "no_further_action",
    "superseded",
)


@dataclass
class ExtractedStatus:
    status: str  # one of INSPECTORATE_STATUSES
    dated: str | None = None  # ISO date of the entry, "YYYY-MM" when only the month is given
    source: str = ""  # where it was stated: "HMICFRS recommendation register"
    note: str = ""  # the entry's own words, if any


@dataclass
class ExtractedResponse:
    to: int  # index in Extraction.findings
    party: str  # "force" | "pcc"
    text: str
    # Issue 17: where the response was given (a committee paper, a progress report), for the
    # label it carries on the item, and the status the response states ("Complete", "Ongoing").
    source: str = ""
    status: str = ""


@dataclass
class Extraction:
    title: str = ""
    inspectorate: str = ""  # "HMIC" | "HMICFRS" | "" when the text does not say
    forces: list[str] = field(default_factory=list)  # force names as in organisations.json
    report_type: str = "other"  # a tracker.models.ReportType value
    published: str | None = None  # the report's publication: "YYYY-MM-DD" or "YYYY-MM"
    grading_scale: str = "none"  # baseline | peel_2014 | peel_2021 | none
    judgements: list[ExtractedJudgement] = field(default_factory=list)
    findings: list[ExtractedFinding] = field(default_factory=list)
    responses: list[ExtractedResponse] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    document_type: str = "unknown"  # see core.DOCUMENT_TYPES, or "unknown"
    dated: str | None = None  # the date the document itself bears (a letter, a response)
    # Issue 17 ------------------------------------------------------------------------------
    # What the organisation inspected is: "force" (police), or "fire_and_rescue" with the
    # services named in `services` (a fire and rescue inspection).
    organisation_kind: str = "force"
    services: list[str] = field(default_factory=list)
    # False when the document is of a kind the extractor does not know: the preview says so
    # plainly rather than offering guesses as findings.
    kind_known: bool = True
    language: str = "en"  # "cy" for a document in Welsh
    ocr_pages: list[int] = field(default_factory=list)  # pages (from 1) read through OCR
    # Recommendations addressed to a national body (document-wide notes, not findings to track)
    # stay in `findings` with addressee_kind "national_body"; notes such as innovative
    # practice go here, never into findings.
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for response in data["responses"]:
            # The gold files name what a response answers by its kind; keep the index too.
            response["finding"] = response["to"]
            response["to"] = self.findings[response["finding"]].kind
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
