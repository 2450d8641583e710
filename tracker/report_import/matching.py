"""Which finding already on a report a finding of a later document is (issue 17). Pure: no
database, so the rules are tested on their own.

A later document about the same report (the report again, a register entry, a force's
progress report, committee minutes) names its findings by reference and quotes or
paraphrases their text. Services renumber the same recommendation in their own papers, so a
reference alone can mislead, and a paraphrase defeats an exact comparison. In order:

1. the same kind and the same text (spacing and case aside): certain;
2. the same kind and the same reference ("Recommendation 9", "Rec 9", "R9" and "9" are one
   reference; "AFI 7" and "Area for improvement 7" another), unless another finding's text is
   clearly closer (the reference was renumbered onto a different recommendation);
3. only for a document about the report (a register entry, a progress report, minutes),
   which never adds findings of its own: the same kind and a text close enough (a
   paraphrase, a renumbered recommendation). The report itself again, or a later edition of
   it, is compared exactly: a finding worded anew there is a new finding, as it always was.

Each finding on the report is matched once at most. The stored reference (the
inspectorate's) is never changed by a match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

# Labels a reference may start with, and the kind each names.
_LABELS = (
    (re.compile(r"^(?:accelerated\s+)?causes?\s+of\s+concern\b|^co[cs]\b"), "cause_of_concern"),
    (re.compile(r"^areas?\s+for\s+improvement\b|^afis?(?=\b|\d)"), "area_for_improvement"),
    (re.compile(r"^recommendations?\b|^recs?\b\.?|^r(?=\d)"), "recommendation"),
)
_NUMBER_WORDS = re.compile(r"^(?:no\.?|number|ref\.?|reference|entry|id)\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"(\d+(?:\.\d+)*)\s*(?:\(([a-z])\)|([a-z])\b)?")

# How alike two texts must be (0 to 1, word by word) to be the same finding without a
# reference; and how much closer another text must be to overrule a matching reference.
CLOSE_ENOUGH = 0.6
CLEARLY_CLOSER = 0.2


@dataclass(frozen=True)
class Reference:
    """A reference as compared: the kind its label names ("" when it has none) and its
    number ("9", "1a", "6989")."""

    kind: str
    number: str


def reference_of(reference: str) -> Reference | None:
    """ "Recommendation 9", "Rec. 9", "R9", "recommendation 9:" -> (recommendation, "9");
    "AFI 7", "Area for improvement 7" -> (area_for_improvement, "7"); "9", "1A", "6989" ->
    ("", "9"), ("", "1a"), ("", "6989"). None when there is no number to compare."""
    text = " ".join((reference or "").split()).lower()
    kind = ""
    for pattern, named in _LABELS:
        found = pattern.match(text)
        if found:
            kind, text = named, text[found.end() :]
            break
    text = _NUMBER_WORDS.sub("", text.strip(" .:-–"))
    # The number, with a part's letter ("2(a)", "1A", "4.2"); what follows it is not part of
    # it ("Recommendation 2 (revised)").
    found = _NUMBER.match(text)
    if found is None:
        return None
    return Reference(kind, found.group(1) + (found.group(2) or found.group(3) or ""))


def same_reference(a: str, b: str, *, kind: str) -> bool:
    """Whether two references name the same finding of this kind: the same number, and no
    label that names another kind."""
    ra, rb = reference_of(a), reference_of(b)
    if ra is None or rb is None or ra.number != rb.number:
        return False
    return ra.kind in ("", kind) and rb.kind in ("", kind)


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def likeness(a: Sequence[str], b: Sequence[str]) -> float:
    """How alike two texts are, word by word (0 to 1)."""
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Candidate:
    """A finding, as matching sees it: its kind, reference and text."""

    kind: str
    reference: str
    text: str


def match_findings(
    drafts: Sequence[Candidate], existing: Sequence[Candidate], *, close_text: bool = False
) -> dict[int, int]:
    """Pairs (index in drafts -> index in existing) of the same finding, by the steps of the
    module's docstring (the third only with `close_text`); each existing finding once at
    most."""
    matched: dict[int, int] = {}
    used: set[int] = set()
    exact: dict[tuple[str, str], int] = {}
    for j, e in enumerate(existing):
        exact.setdefault((e.kind, " ".join(words(e.text))), j)
    for i, d in enumerate(drafts):
        identical = exact.get((d.kind, " ".join(words(d.text))))
        if identical is not None and identical not in used and words(d.text):
            matched[i] = identical
            used.add(identical)
    draft_words = [words(d.text) for d in drafts]
    existing_words = [words(e.text) for e in existing]

    def closest(i: int) -> tuple[float, int | None]:
        best, at = 0.0, None
        for j, e in enumerate(existing):
            if j in used or e.kind != drafts[i].kind:
                continue
            score = likeness(draft_words[i], existing_words[j])
            if score > best:
                best, at = score, j
        return best, at

    for i, d in enumerate(drafts):
        if i in matched or not d.reference:
            continue
        same = [
            j
            for j, e in enumerate(existing)
            if j not in used
            and e.kind == d.kind
            and same_reference(d.reference, e.reference, kind=d.kind)
        ]
        if len(same) != 1:
            continue
        j = same[0]
        own = likeness(draft_words[i], existing_words[j])
        best, at = closest(i)
        if at is not None and at != j and best >= CLOSE_ENOUGH and best > own + CLEARLY_CLOSER:
            continue  # renumbered: the text is another finding's; step 3 finds it
        matched[i] = j
        used.add(j)
    for i in range(len(drafts) if close_text else 0):
        if i in matched:
            continue
        best, at = closest(i)
        if at is not None and best >= CLOSE_ENOUGH:
            matched[i] = at
            used.add(at)
    return matched


def short_reference(reference: str, *, limit: int = 20) -> str:
    """A reference that fits `limit` characters: "Area for improvement 12" becomes "AFI 12"
    (for a limit of 20) rather than being cut to "Area for improvement". The import passes
    the finding's field length (80), so a reference as the inspectorate publishes it is
    kept whole and only an unusually long one is shortened."""
    text = " ".join((reference or "").split())
    if len(text) <= limit:
        return text
    found = reference_of(text)
    if found is not None:
        label = {
            "area_for_improvement": "AFI ",
            "cause_of_concern": "Cause of concern ",
            "recommendation": "Recommendation ",
        }.get(found.kind, "")
        shorter = f"{label}{found.number.upper() if not found.number.isdigit() else found.number}"
        if len(shorter) <= limit:
            return shorter
        if len(found.number) <= limit:
            return found.number
    return text[:limit]
