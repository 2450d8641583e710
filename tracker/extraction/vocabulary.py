"""The words inspection documents use for grades, findings, responses, dates and forces.

These are the inspectorate's and the PCC offices' own labels, with the variants seen across
programmes and years ("Area for Improvement", "Areas for improvement", "AFI 3"; "Requires
Improvement", "requiring improvement"). Nothing here is specific to one document.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

# Kept in step with tracker.models (ReportType, GradingScale, GRADES, DIRECTIONS), which
# this package cannot import because it must run without Django; a test checks they agree.
REPORT_TYPES = (
    "peel_effectiveness",
    "baseline_assessment",
    "thematic",
    "other",
    # Issue 17 (tracker.models.ReportType has them too).
    "peel",
    "crime_data_integrity",
    "custody",
    "child_protection",
    "joint_inspection",
    "fire_and_rescue",
)
GRADING_SCALES = ("baseline", "peel_2014", "peel_2021", "none")
KINDS = ("cause_of_concern", "recommendation", "area_for_improvement", "finding")

GRADES = {
    "outstanding": "Outstanding",
    "excellent": "Excellent",
    "good": "Good",
    "adequate": "Adequate",
    "fair": "Fair",
    "requires improvement": "Requires improvement",
    "requiring improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "poor": "Poor",
    "not graded": "Not graded",
    "ungraded": "Not graded",
}
DIRECTIONS = {
    "improved": "Improved",
    "improving": "Improved",
    "stable": "Stable",
    "declined": "Declined",
    "deteriorated": "Declined",
    "not graded": "Not graded",
}
_GRADE_ALTERNATION = "|".join(sorted((re.escape(g) for g in GRADES), key=len, reverse=True))
GRADE_CELL = re.compile(
    rf"^(?P<grade>{_GRADE_ALTERNATION})\b\s*(?:\((?P<note>[^)]*)\))?\.?$", re.IGNORECASE
)
NOT_GRADED = re.compile(r"^(?:this\s+(?:area|question)\s+(?:is|was)\s+)?not\s+graded\b", re.I)


def parse_grade(text: str) -> tuple[str, str] | None:
    """('Good', '2016 inspection result') for "Good (2016 inspection result)"; None if the
    text is not a grade on its own. "This area is not graded, however ..." is Not graded."""
    text = " ".join(text.split()).strip(" *_")
    match = GRADE_CELL.match(text)
    if match:
        return GRADES[match.group("grade").lower()], (match.group("note") or "").strip()
    if NOT_GRADED.match(text):
        return "Not graded", text if len(text.split()) > 3 else ""
    return None


def parse_direction(text: str) -> str | None:
    return DIRECTIONS.get(" ".join(text.split()).strip(" *_.").lower())


# Finding and response labels -----------------------------------------------------------------

KIND_LABELS = (
    # Joint targeted area inspections call their most serious findings "areas for priority
    # action": causes of concern in all but name.
    (r"causes?\s+(?:of|for)\s+concern|areas?\s+for\s+priority\s+action", "cause_of_concern"),
    (r"recommendations?", "recommendation"),
    (r"areas?\s+for\s+improvement|afis?", "area_for_improvement"),
)
_NUMBER = r"(?:\s+(?P<number>\d{1,3}[a-z]?|[ivx]{1,5}|[A-Z]\d{0,2}))?"
_ABBREVIATION = r"(?:\s*\((?:afis?|cocs?)\))?"
# "Recommendation 2 (BED-T24-01)": a force's own reference in brackets after the number.
_ASIDE = r"(?:(?<=\d)\s*\((?P<aside>[^()\s]{2,20})\))?"


@dataclass
class KindLabel:
    kind: str
    reference: str  # "Recommendation 2" when numbered, else ""
    rest: str  # text after "Recommendation 2:" on the same line


CHAPTER_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=[A-Z])")


def kind_label(text: str, *, heading: bool) -> KindLabel | None:
    """Recognise "Areas for improvement", "Area for Improvement 3", "Cause of concern:",
    "Recommendation 2 – The force should ...". A paragraph (heading=False) only counts when
    a number or a colon/dash follows the label, so prose such as "Recommendations are not
    orders" is left alone."""
    text = " ".join(text.split())
    if heading:  # "11. Recommendations", a chapter of its own
        text = CHAPTER_NUMBER.sub("", text, count=1)
    for label, kind in KIND_LABELS:
        match = re.match(
            rf"^(?:the\s+|our\s+)?(?P<label>{label}){_ABBREVIATION}{_NUMBER}{_ASIDE}"
            rf"(?:\s*(?P<sep>[:.–—-])\s*(?P<rest>.*))?$",
            text,
            re.IGNORECASE,
        ) or _bare_numbered(label, text)
        if not match:
            continue
        rest = (match.group("rest") or "").strip()
        if not heading and not rest:
            return None
        if not heading and not (match.group("number") or match.group("sep") in {":", "–", "—"}):
            return None
        if rest and len(rest.split()) < 3:  # "Areas for improvement: summary" is a heading
            return None
        number = match.group("number")
        label_text = match.group("label")
        reference = f"{label_text[0].upper()}{label_text[1:]} {number}" if number else ""
        return KindLabel(kind, reference, rest)
    return None


def _bare_numbered(label: str, text: str) -> re.Match[str] | None:
    """A numbered label followed by its sentence with no colon or dash between ("AFI 1  The
    force should ...", as a report set out in two columns prints it): the number is needed,
    and the sentence must start with a capital, so "Recommendation 2 was accepted" is prose."""
    return re.match(
        rf"^(?:the\s+|our\s+)?(?P<label>{label}){_ABBREVIATION}\s+(?P<number>\d{{1,3}}[a-z]?)"
        rf"(?P<sep>)\s+(?P<rest>(?-i:[A-Z“‘\"']).*)$",
        text,
        re.IGNORECASE,
    )


IGNORED_SECTION = re.compile(
    r"^(?:key\s+)?(?:strengths?|good\s+practice|notable\s+practice|innovative(?:\s+or\s+"
    r"promising)?\s+practice|promising\s+practice|innovative\s+practice|what\s+the\s+force\s+"
    r"does\s+well|national\s+grade\s+distribution|contextual\s+factors|national\s+position|"
    r"(?:summary\s+of\s+)?(?:findings|judgements?|judgments?)|contents|glossary)\b",
    re.IGNORECASE,
)

_POSSESSIVE = r"(?:'s|’s|s'|s’)?"
PCC_RESPONSE = re.compile(
    rf"^(?:the\s+)?(?:(?:police,?\s+(?:fire\s+and\s+)?(?:and\s+)?crime\s+|deputy\s+)?"
    rf"commissioner|pcc|opcc|pfcc|mayor|deputy\s+mayor|mopac|police\s+authority)"
    rf"{_POSSESSIVE}\s+(?:response|comments?)\s*:?$"
    rf"|^my\s+(?:response|comments?)\s*:?$"
    rf"|^(?:response|comments?)\s+(?:from|of|by)\s+the\s+(?:police,?\s+(?:fire\s+and\s+)?"
    rf"(?:and\s+)?crime\s+commissioner|commissioner|pcc|mayor)\s*:?$",
    re.IGNORECASE,
)
FORCE_RESPONSE = re.compile(
    rf"^(?i:the\s+)?(?:(?i:force|chief\s+constable|chief\s+officer|constabulary)|[A-Z]{{2,6}}"
    rf"|[A-Z][a-z]+(?:\s+(?:and\s+)?[A-Z][a-z-]+){{0,4}}\s+(?i:police|constabulary|police\s+"
    rf"service))"
    rf"{_POSSESSIVE}\s+(?i:response|comments?)\s*:?$"
    rf"|^(?i:(?:response|comments?)\s+(?:from|of|by)\s+the\s+(?:force|chief\s+constable)"
    rf"\s*:?)$",
)


def response_party(text: str) -> str | None:
    """'pcc' for "PCC response", "Commissioner's response"; 'force' for "WMP response:",
    "Chief Constable's response", "Force response"; None otherwise."""
    text = " ".join(text.split())
    if len(text.split()) > 8:
        return None
    if PCC_RESPONSE.match(text):
        return "pcc"
    if FORCE_RESPONSE.match(text[:1].upper() + text[1:]):
        lowered = text.lower()
        if lowered.startswith(("hmic", "hmicfrs", "home office", "our ")):
            return None
        return "force"
    return None


# Dates ---------------------------------------------------------------------------------------

MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTH_NAMES.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
DAY_DATE = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
MONTH_DATE = re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I)
NUMERIC_DATE = re.compile(r"^(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>\d{2}|\d{4})$")


def day_dates(text: str) -> list[datetime.date]:
    """Every full date ("22 March 2018", "4th September 2014") in the text, in order."""
    found = []
    for match in DAY_DATE.finditer(text):
        try:
            found.append(
                datetime.date(
                    int(match.group("year")),
                    MONTH_NAMES[match.group("month").lower()],
                    int(match.group("day")),
                )
            )
        except ValueError:
            continue
    return found


def standalone_date(text: str) -> str | None:
    """A line that is only a date: "3 September 2014" -> "2014-09-03", "17.05.18" ->
    "2018-05-17" (UK day-first order), "February 2016" -> "2016-02"."""
    text = " ".join(text.split()).strip(" .,")
    text = re.sub(
        r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+", "", text, flags=re.I
    )
    numeric = NUMERIC_DATE.match(text)
    if numeric:
        year = int(numeric.group("year"))
        year += 2000 if year < 100 else 0
        try:
            return datetime.date(
                year, int(numeric.group("month")), int(numeric.group("day"))
            ).isoformat()
        except ValueError:
            return None
    dates = day_dates(text)
    if dates and DAY_DATE.fullmatch(text):
        return dates[0].isoformat()
    month = MONTH_DATE.fullmatch(text)
    if month:
        return f"{month.group('year')}-{MONTH_NAMES[month.group('month').lower()]:02d}"
    return None


def month_in(text: str) -> str | None:
    """The first "Month YYYY" in the text, as "YYYY-MM"."""
    match = MONTH_DATE.search(text)
    if not match:
        return None
    return f"{match.group('year')}-{MONTH_NAMES[match.group('month').lower()]:02d}"


# Targets ------------------------------------------------------------------------------------

_NUMBER_WORDS = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen"
TARGETS = (
    re.compile(rf"\bby\s+(?:the\s+end\s+of\s+)?(?:\d{{1,2}}\s+)?(?:{_MONTH})\s+\d{{4}}\b", re.I),
    re.compile(r"\bby\s+the\s+end\s+of\s+(?:\d{4}(?:/\d{2})?|the\s+(?:financial\s+)?year)\b", re.I),
    re.compile(
        rf"\bwithin\s+(?:the\s+next\s+)?(?:{_NUMBER_WORDS})\s+(?:days|weeks|months|years)\b", re.I
    ),
    re.compile(
        r"\b(?:immediately|without\s+delay|as\s+a\s+matter\s+of\s+(?:urgency|priority))\b", re.I
    ),
)


# A heading that groups recommendations by when they are due ("Immediately", "Within three
# months", "Within 12 months of publication", "By 31 March 2025"): the group's target.
TIMESCALE_HEADING = re.compile(
    rf"^(?:recommendations?\s*[:–—-]\s*|to\s+be\s+(?:completed|achieved|done)\s+)?"
    rf"(?P<timescale>immediate(?:ly)?|(?:with)?in\s+(?:the\s+next\s+)?(?:{_NUMBER_WORDS})\s+"
    rf"(?:days|weeks|months|years)(?:\s+of\s+(?:publication|(?:the\s+)?(?:publication\s+of\s+)?"
    rf"(?:this|the)\s+report(?:[’']s\s+publication)?))?|by\s+(?:the\s+end\s+of\s+)?"
    rf"(?:\d{{1,2}}\s+)?(?:{_MONTH})\s+\d{{4}})\s*:?$",
    re.IGNORECASE,
)


def timescale_heading(text: str) -> tuple[str, str | None] | None:
    """("Within three months", None) for a heading that is only a timescale, with the date
    when it names one ("By 31 March 2025" -> "2025-03-31"); None for any other text."""
    text = " ".join(text.split()).strip(" *_")
    match = TIMESCALE_HEADING.match(text)
    if not match:
        return None
    phrase = match.group("timescale")
    found, date = find_target(phrase)
    return (phrase, date) if found else (phrase, None)


def find_target(text: str) -> tuple[str, str | None]:
    """The finding's own target ("immediately", "within six months", "by 31 March 2023") and,
    when it names a calendar date, that date (the month's last day for "by March 2023").
    Relative targets keep no date: they run from a publication date the tracker holds."""
    first_part = text.split("\n- ", 1)[0]
    for pattern in TARGETS:
        match = pattern.search(first_part)
        if not match:
            continue
        phrase = match.group(0)
        day = day_dates(phrase)
        if day:
            return phrase, day[0].isoformat()
        month = MONTH_DATE.search(phrase)
        if month:
            year, number = int(month.group("year")), MONTH_NAMES[month.group("month").lower()]
            last = calendar.monthrange(year, number)[1]
            return phrase, datetime.date(year, number, last).isoformat()
        return phrase, None
    return "", None


# Forces -------------------------------------------------------------------------------------

_FORCE_SUFFIX = re.compile(r"\s+(?:police\s+service|police|constabulary)$", re.IGNORECASE)


@dataclass
class ForceNames:
    """The known forces as two patterns (full names, short names), each searched in one
    pass: a document is scanned once, not once per force."""

    full: re.Pattern[str]
    short: re.Pattern[str] | None
    names: dict[str, str]  # normalised full or short name -> the force's full name


def force_patterns(known_forces: list[str]) -> ForceNames:
    """Patterns for the forces' full names and their short names ("Kent" for "Kent
    Police"); "&" matches "and"."""
    names: dict[str, str] = {}
    full, short = [], []
    for name in known_forces:
        names[_normalise_name(name)] = name
        full.append(name)
        brief = _FORCE_SUFFIX.sub("", name)
        if brief != name:
            names.setdefault(_normalise_name(brief), name)
            short.append(brief)
    return ForceNames(_names_pattern(full), _names_pattern(short) if short else None, names)


def _names_pattern(names: list[str]) -> re.Pattern[str]:
    bodies = []
    for name in sorted(names, key=len, reverse=True):  # longest first: "North Wales Police"
        words = [re.escape(word) for word in name.split()]
        bodies.append(r"\s+".join(r"(?:and|&)" if word == "and" else word for word in words))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(bodies)})(?![\w-])", re.IGNORECASE)


def _normalise_name(text: str) -> str:
    return " ".join(text.lower().replace("&", "and").split())


def forces_named(text: str, forces: ForceNames, *, short_names: bool = False) -> list[str]:
    """Forces named in the text, in order of first mention, by full name (and by short
    name if asked: only safe in a title, where "Kent" means the force, not the county)."""
    found: list[str] = []
    patterns = [forces.full] + ([forces.short] if short_names and forces.short else [])
    hits = sorted(
        (match.start(), forces.names.get(_normalise_name(match.group(0))))
        for pattern in patterns
        for match in pattern.finditer(text)
    )
    for _, name in hits:
        if name and name not in found:
            found.append(name)
    return found


def force_mentions(text: str, forces: ForceNames) -> dict[str, int]:
    """How often each force is named in full."""
    counts: dict[str, int] = {}
    for match in forces.full.finditer(text):
        name = forces.names.get(_normalise_name(match.group(0)))
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


# --- kinds-peel-programmes ---
# Report types that issue 17's kinds ask for: used when tracker.models.ReportType (and
# REPORT_TYPES above) has them, else the fallback, so the extraction never names a type the
# database does not know.
WANTED_REPORT_TYPES = {
    "peel": "PEEL (2021 onward: effectiveness, efficiency and legitimacy)",
    "crime_data_integrity": "Crime data integrity",
    "custody": "Police custody (joint with HM Inspectorate of Prisons)",
    "child_protection": "Child protection",
    "joint_inspection": "Joint inspection with other inspectorates",
    "fire_and_rescue": "Fire and rescue service inspection",
}


def report_type_or(wanted: str, fallback: str) -> str:
    """`wanted` when the models know it, else `fallback`."""
    return wanted if wanted in REPORT_TYPES else fallback


# --- end kinds-peel-programmes ---
