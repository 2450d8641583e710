"""Who a recommendation is addressed to: every force, a national body, or the force itself.

Thematic and national reports address each recommendation to someone, in the opening words
of the recommendation itself: "By 31 March 2024, chief constables should ...", "The College
of Policing should ...", "The NPCC lead for digital forensics should ...", "All forces
should ...", "Chief constables, with PCCs, should ...". What matters to the tracker is
whether every force tracks it (`"forces"`: chief constables, all forces) or a national body
owns it (`"national_body"`: the College of Policing, the Home Office, the NPCC and its leads,
the National Crime Agency, the inspectorate, government departments), which is recorded on
the report and shown to national readers but never given to a force as an item.

A force report's "The force should ..." names no addressee: the finding belongs to the force
(or forces) the document is about, and the addressee stays "". One pure function,
`addressee_of`, is applied to every finding of every kind of document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MODAL = re.compile(r"\s+(?:should|must|needs?\s+to|ought\s+to)\b", re.IGNORECASE)

# Words in front of the addressee that are not part of it: a target ("By 31 March 2024,"),
# "we recommend that", or an introductory clause ("Working with the College of Policing,").
_LEADING = (
    re.compile(
        r"^(?:by|before|no\s+later\s+than)\s+(?:the\s+end\s+of\s+)?[^,]{3,40},\s*", re.IGNORECASE
    ),
    re.compile(r"^within\s+[^,]{3,50},\s*", re.IGNORECASE),
    re.compile(
        r"^(?:immediately|now|as\s+a\s+(?:matter\s+of\s+)?(?:priority|urgency)|"
        r"in\s+the\s+(?:meantime|short\s+term|longer\s+term)),\s*",
        re.IGNORECASE,
    ),
    re.compile(r"^we\s+(?:therefore\s+|also\s+)?recommend\s+that,?\s*", re.IGNORECASE),
    re.compile(
        r"^(?:to\s+\w+|working\s+with|in\s+(?:partnership|consultation)\s+with|together\s+"
        r"with|with\s+the\s+(?:support|help)\s+of|alongside|through)\b[^,]{2,120},\s*",
        re.IGNORECASE,
    ),
)

# Every force (or every fire and rescue service) acts on it: plural, or "each/every/all".
_FORCES = re.compile(
    r"\b(?:chief\s+constables|chief\s+officers|chief\s+fire\s+officers|"
    r"(?:all|every|each)\s+(?:police\s+)?(?:forces?|constabular(?:y|ies)|chief\s+constables?)|"
    r"(?:police\s+)?forces|constabularies|"
    r"(?:all\s+|every\s+|each\s+)?fire\s+and\s+rescue\s+(?:services|authorities)|"
    r"(?:every|each|all)\s+fire\s+and\s+rescue\s+service|"
    r"police\s+(?:,\s*fire\s+)?and\s+crime\s+commissioners|pccs|pfccs|local\s+policing\s+bodies)\b",
    re.IGNORECASE,
)

# National bodies by name, and the words that name a national or governmental body.
_NATIONAL = re.compile(
    r"\b(?:college\s+of\s+policing|home\s+office|home\s+secretary|npcc|national\s+police\s+"
    r"chiefs[’']?\s+council|national\s+crime\s+agency|nca|hmicfrs|hmic|hm\s+inspectorate|"
    r"(?:the\s+)?inspectorate|chief\s+inspector|(?:the\s+)?government|ministry\s+of|"
    r"department\s+(?:for|of)|"
    r"crown\s+prosecution\s+service|cps|independent\s+office\s+for\s+police\s+conduct|iopc|"
    r"association\s+of\s+police\s+and\s+crime\s+commissioners|apcc|national\s+fire\s+chiefs[’']?"
    r"\s+council|nfcc|police\s+digital\s+service|counter\s+terrorism\s+policing|treasury|"
    r"cabinet\s+office|welsh\s+government|hm\s+prison\s+and\s+probation\s+service|hmpps|"
    r"probation\s+service|nhs\s+england|office\s+for\s+national\s+statistics|ons|"
    r"(?:national|home\s+office)\s+\w+|secretary\s+of\s+state|ofsted|care\s+quality\s+"
    r"commission|local\s+government\s+association|agency|regulator)\b",
    re.IGNORECASE,
)

# The force (or service) the document is about, in the singular: no addressee to record.
_OWN = re.compile(
    r"^(?:the\s+|this\s+|its\s+)?(?:force|constabulary|service|fire\s+and\s+rescue\s+service|"
    r"chief\s+constable|chief\s+officer|chief\s+fire\s+officer|force(?:[’']s)?\s+(?:senior\s+)?"
    r"(?:leaders?|leadership(?:\s+team)?|executive(?:\s+team)?|chief\s+officer\s+team)|"
    r"senior\s+leaders?|leaders|it|they|he|she|this|that|these|those|which|who)$"
    r"|^[A-Z][\w&’'-]*(?:\s+(?:and\s+)?[A-Z][\w&’'-]*){0,4}\s+(?:police(?:\s+service)?|"
    r"constabulary|fire\s+and\s+rescue\s+service)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Addressee:
    name: str  # as published, tidied: "Chief constables", "The College of Policing"
    kind: str  # "forces" | "national_body" | "" (the rules do not know who it is)


def addressee_of(text: str) -> Addressee | None:
    """The addressee of a finding's text, from its opening sentence ("<addressee> should
    ..."), or None when the finding names none or names the force it is about.

    The subject may join several bodies ("Chief constables, with PCCs,", "The Home Office
    and the College of Policing"): when any of them is the forces, every force acts on it.
    """
    subject = _subject(text)
    if subject is None:
        return None
    kinds = [_kind_of(part) for part in _CONJUNCTS.split(subject) if part.strip()]
    if "forces" in kinds:
        return Addressee(_tidy(subject), "forces")
    if "national_body" in kinds:
        return Addressee(_tidy(subject), "national_body")
    rest = text[text.find(subject) + len(subject) :] if subject in text else ""
    if not kinds or kinds[0] == "own" or _PASSIVE.match(rest):
        return None  # the force (or people in it), or a thing: "Information should be shared"
    if re.fullmatch(r"(?:the\s+)?[a-z]+", subject, re.IGNORECASE) and not subject.endswith("s"):
        return None  # "Staff should ...", "Everyone must ...": a person or word, not a body
    return Addressee(_tidy(subject), "")


_CONJUNCTS = re.compile(
    r",?\s+(?:together\s+with|working\s+with|in\s+partnership\s+with|with|and\s+"
    r"(?=the\s|its\s|their\s|all\s|every\s|each\s|chief\s|(?-i:[A-Z]{2,})))\s*|,\s+and\s+",
    re.IGNORECASE,
)


def _kind_of(part: str) -> str:
    """ "forces", "national_body", "own" (the force itself, or people in it) or "" for one
    body."""
    part = part.strip(" ,")
    if _FORCES.match(re.sub(r"^the\s+", "", part, flags=re.IGNORECASE)):
        return "forces"
    if _OWN.match(part):
        return "own"
    if _NATIONAL.search(part):
        return "national_body"
    if _FORCES.search(part):
        return "forces"
    if _ROLES.search(part):
        return "own"
    return ""


# People and teams within a force ("Custody sergeants", "Supervisors", "The professional
# standards department"): the force acts through them, so they are not an addressee.
_ROLES = re.compile(
    r"\b(?:sergeants?|officers?|supervisors?|(?:call\s+)?handlers?|investigators?|staff|"
    r"leaders?|leadership|managers?|detectives?|inspectors?|constables?|teams?|units?|"
    r"departments?|practitioners?|personnel|employees|workforce|volunteers?|specialists?|"
    r"analysts?|commanders?|controllers?|dispatchers?|trainers?|firefighters?|crews?)$",
    re.IGNORECASE,
)
# "... should be shared": a passive sentence's subject is a thing, not who acts.
_PASSIVE = re.compile(
    r"^\s*(?:should|must|needs?\s+to|ought\s+to)\s+(?:always\s+|also\s+|routinely\s+)?be\s+"
    r"(?!able\b|satisfied\b|assured\b|clear\b|confident\b)\w+(?:ed|en|wn|ne|t)\b",
    re.IGNORECASE,
)


def _subject(text: str) -> str | None:
    """The words before the first "should" of the first sentence, without a leading target
    or clause; None when they are too long or too odd to be a name."""
    text = re.sub(r"^\s*(?:\d{1,2}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+", "", text)
    first = re.split(r"(?<=[.!?])\s+|\n", " ".join(text.split(" ")).strip(), maxsplit=1)[0]
    first = first.strip()
    changed = True
    while changed:
        changed = False
        for pattern in _LEADING:
            trimmed = pattern.sub("", first, count=1)
            if trimmed != first:
                first, changed = trimmed, True
    modal = _MODAL.search(first)
    if modal is None:
        return None
    subject = first[: modal.start()].strip(" ,")
    # "... we made a recommendation that the force" -> "the force"
    subject = re.split(r"\bthat\s+", subject, flags=re.IGNORECASE)[-1]
    # "Where a force uses X, chief constables" -> "chief constables"; but "Chief constables,
    # with PCCs" and "The Home Office, working with the NPCC" keep their companions.
    segments = subject.split(", ")
    start = max(i for i, segment in enumerate(segments) if not _COMPANION.match(segment))
    subject = ", ".join(segments[start:]) if start < len(segments) else subject
    # "The Home Office, working with the NPCC," owns it; the NPCC helps ("Chief constables,
    # with PCCs," and "... and the College of Policing" are joint addressees and stay).
    subject = _HELPER.split(subject, maxsplit=1)[0]
    if not subject or len(subject.split()) > 14 or re.search(r"[:;()]", subject):
        return None
    return subject


_HELPER = re.compile(
    r",\s*(?:working\s+(?:with|alongside)|in\s+(?:partnership|consultation)\s+with|supported\s+"
    r"by|with\s+the\s+(?:support|help)\s+of|assisted\s+by)\b.*$",
    re.IGNORECASE,
)
_COMPANION = re.compile(
    r"^(?:with|together\s+with|working\s+with|in\s+(?:partnership|consultation)\s+with|and|"
    r"alongside|supported\s+by|including|as\s+well\s+as)\b",
    re.IGNORECASE,
)


def _tidy(subject: str) -> str:
    subject = " ".join(subject.split()).strip(" ,")
    return subject[:1].upper() + subject[1:]
