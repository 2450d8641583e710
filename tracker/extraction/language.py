"""Which language a document is written in: English, or Welsh (which is not read yet).

HMICFRS publishes a Welsh edition of its reports on the four Welsh forces, and PCC offices
in Wales publish their responses in Welsh too. The rules of this package know English
labels only ("Recommendations", "Areas for improvement"), so a Welsh document would give
nothing, or worse, guesses. It is recognised and said plainly instead.

The test counts words common in Welsh prose and rare in English against the commonest
English words (the upload's `tracker.report_import.editions.looks_welsh` asks this module, so
the two never disagree), and HMICFRS's Welsh labels
("Argymhellion", "Meysydd i'w gwella", "Achos pryder") lower the bar, so a short Welsh
excerpt is recognised too. An English report quoting a Welsh name or two never comes close.
"""

from __future__ import annotations

import re

WELSH_WORDS = frozenset(
    [
        "yr",
        "y",
        "ac",
        "yn",
        "mae",
        "gan",
        "ei",
        "eu",
        "wedi",
        "ar",
        "hyn",
        "sydd",
        "fod",
        "bod",
        "gyda",
        "dylai",
        "dylid",
        "i’r",
        "i'r",
        "o’r",
        "o'r",
        "a’r",
        "a'r",
        "heddlu",
        "heddluoedd",
        "adroddiad",
        "argymhelliad",
        "argymhellion",
        "arolygiaeth",
        "meysydd",
        "gwella",
        "achos",
        "pryder",
        "rydym",
        "ydym",
        "oedd",
        "nad",
        "hefyd",
        "mewn",
        "drwy",
        "trwy",
        "ein",
        "eich",
        "cyfer",
        "fel",
        "ddylai",
        "llu",
        "gwasanaeth",
        "comisiynydd",
        "prif",
        "gwnstabl",
        "erbyn",
        "mis",
        "gymru",
        "cymru",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "that",
        "for",
        "with",
        "should",
        "force",
        "report",
        "this",
        "are",
        "was",
        "were",
        "be",
        "by",
        "on",
        "it",
        "its",
        "has",
        "have",
        "not",
        "which",
        "from",
    ]
)
WELSH_LABELS = re.compile(
    r"^\W*(?:argymhelliad|argymhellion|meysydd\s+i[’']w\s+gwella|maes\s+i[’']w\s+wella|"
    r"achos(?:ion)?\s+pryder|crynodeb)\b",
    re.IGNORECASE | re.MULTILINE,
)
_WORD = re.compile(r"[a-zâêîôûŵŷ’']+", re.IGNORECASE)
ENOUGH_WORDS = 40  # too little text says nothing
ENOUGH_WITH_LABELS = 12  # with a Welsh label, a short excerpt is enough
MAX_WORDS = 20_000  # the start of a document is enough to tell

WELSH_WARNING = (
    "This document is in Welsh. Welsh documents are not read yet, so nothing was taken from "
    "it. Import the English edition of the report (the inspectorate publishes both); a Welsh "
    "edition can then be attached to the English report."
)


def language_of(text: str) -> str:
    """ "cy" when the text reads as Welsh (Welsh marker words outnumber English ones three to
    one over enough text), else "en". Pure."""
    welsh = english = 0
    for n, match in enumerate(_WORD.finditer(text or "")):
        if n >= MAX_WORDS:
            break
        word = match.group(0).lower()
        if word in WELSH_WORDS:
            welsh += 1
        elif word in ENGLISH_WORDS:
            english += 1
    enough = ENOUGH_WITH_LABELS if WELSH_LABELS.search(text[:200_000]) else ENOUGH_WORDS
    return "cy" if welsh >= enough and welsh > 3 * english else "en"
