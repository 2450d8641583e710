"""The inspectorate's statuses of a recommendation, from the words its pages use.

HMICFRS's register records, for each recommendation, dated statuses: awaiting review, being
progressed, complete, no further action needed, superseded (by a later recommendation). Its
pages and the services' copies word them in several ways ("Recommendation complete",
"Closed – no further action", "Superseded by recommendation 8945", "In progress"); each is
mapped to one of `result.INSPECTORATE_STATUSES`. A RAG colour ("Green") is a force's own
rating, not the inspectorate's status, and maps to nothing.
"""

from __future__ import annotations

import re

_STATUS_WORDS = (
    (
        "superseded",
        r"superseded|replaced\s+by\s+(?:a\s+)?(?:later\s+|new\s+)?recommendation",
    ),
    (
        "no_further_action",
        r"(?:closed\s*[–—:-]?\s*)?no\s+further\s+action(?:\s+(?:needed|required))?|nfa|"
        r"no\s+longer\s+(?:relevant|applicable)|withdrawn",
    ),
    (
        "awaiting_review",
        r"awaiting\s+(?:review|assessment|an?\s+update|update)|not\s+yet\s+(?:reviewed|assessed)|"
        r"open|new|(?:recommendation\s+)?(?:made|published|issued)",
    ),
    (
        "being_progressed",
        r"being\s+progressed|in\s+progress|progressing|ongoing|on\s+track|partially\s+"
        r"(?:complete|completed|met)|under\s+way|underway|started",
    ),
    (
        "complete",
        r"(?:recommendation\s+)?(?:complete|completed|met|achieved|discharged|implemented)|"
        r"closed(?:\s*[–—:-]?\s*complete)?",
    ),
)
_PATTERNS = tuple(
    (status, re.compile(rf"^(?:status\s*:?\s*)?(?:{words})\b", re.IGNORECASE))
    for status, words in _STATUS_WORDS
)


def inspectorate_status(text: str) -> str | None:
    """The status value for a status as worded ("Being progressed" -> "being_progressed",
    "Superseded by recommendation 8945" -> "superseded"), or None when the words are not a
    status (a RAG colour, a sentence)."""
    text = " ".join(text.split()).strip(" *_.:")
    for status, pattern in _PATTERNS:
        if pattern.match(text):
            return status
    return None
