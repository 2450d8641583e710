"""The cover of an inspection report: its title and its date.

Reports put the title on the first line and the inspected organisation on the next ("An
inspection of <force>", "– <service>"); the inspectorate lists them joined with an en dash.
The cover's date is a line that is only a date ("March 2017", "14 September 2022"), before
the first long paragraph.
"""

from __future__ import annotations

import re

from .cleaning import Block
from .common import first_standalone_date
from .vocabulary import MONTH_DATE

SECOND_LINE = re.compile(r"^(?:An?\s+inspection\s+of|[–—-]\s)", re.IGNORECASE)
INSPECTORATE_ONLY = re.compile(
    r"^(?:HMICFRS|HMIC|(?:His|Her)\s+Majesty['’]s\s+Inspectorate\s+of\s+Constabulary"
    r"(?:\s+and\s+Fire\s*(?:&|and)\s*Rescue\s+Services)?)$",
    re.IGNORECASE,
)
# A line between the title and "An inspection of ...": the framework's name ("Police
# effectiveness, efficiency and legitimacy"), skipped (the title names the framework).
SUBTITLE = re.compile(
    r"^(?:police\s+)?effectiveness,\s+efficiency\s+and\s+(?:legitimacy|people)\b.{0,20}$", re.I
)


def cover_title(blocks: list[Block]) -> str:
    """The first heading, joined to a second cover line "An inspection of <force>" or
    "– <force>" with an en dash, as HMIC writes the title in its lists of reports (past a
    line naming the framework: "Police effectiveness, efficiency and legitimacy")."""
    headings = [b for b in blocks[:7] if b.kind in {"heading", "para"}]
    if len(headings) > 1 and INSPECTORATE_ONLY.match(headings[0].text):
        headings = headings[1:]  # the inspectorate's name or logo above the title
    if not headings:
        return ""
    title = headings[0].text
    following = blocks[blocks.index(headings[0]) + 1 : blocks.index(headings[0]) + 3]
    if following and following[0].kind == "bullet" and following[0].level == 0:
        # "– <organisation>" on the cover, which the cleaner took for a bullet's dash.
        return f"{title} – {following[0].text}"
    for line in headings[1:3]:
        if SECOND_LINE.match(line.text):
            return f"{title} – {line.text.lstrip('–—- ')}"
        if not SUBTITLE.match(line.text):
            break
    return title


def cover_date(blocks: list[Block], limit: int = 15) -> str | None:
    """The month or day on the cover, before the first long paragraph."""
    for block in blocks[:limit]:
        if block.kind == "para" and len(block.text.split()) > 25:
            break
        if MONTH_DATE.fullmatch(block.text.strip()) or re.fullmatch(
            r"\d{1,2}\s+\w+\s+\d{4}", block.text.strip()
        ):
            return first_standalone_date([block])
    return None
