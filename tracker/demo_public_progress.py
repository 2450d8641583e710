"""The demo's public progress register (issue 18): the West Midlands PCC office has approved
words for the 2017 PEEL effectiveness report's recommendation (and its cause of concern, when
the lineage demo tracks it) and published its progress twice, so the West Midlands PCC's
public page lists it and its page shows the version history (version 1 forty days ago,
version 2 with new words five days ago)."""

import datetime

from django.utils import timezone

from accounts.models import Organisation, User
from tracker import public_progress
from tracker.models import Report
from tracker.public_progress_reads import progress_rows

REPORT = "peel-effectiveness-2017-west-midlands"
OFFICER = "daniel.hughes@pcc.example"
FORCE = "west-midlands-police"

# The recommendation's words in each version, and the cause of concern's (tracked as an item
# of its own by the lineage demo, tracker/demo_lineage.py; worded only when it is).
FIRST_WORDS = (
    "The force reviewed the backlog of open incidents in its three control rooms and now "
    "prioritises calls from vulnerable victims. The Police and Crime Commissioner checks the "
    "number of open incidents at the Strategic Policing and Crime Board."
)
SECOND_WORDS = (
    "Done. The backlog of open incidents was cleared in 2018 and the inspectorate found the "
    "force good at protecting vulnerable people in its next inspection. The Commissioner "
    "still reviews the control rooms' open incidents each quarter."
)

CONCERN_FIRST = (
    "The force answers this cause of concern through the recommendation below. The "
    "Commissioner asks for the control rooms' figures at each Strategic Policing and Crime Board."
)
CONCERN_SECOND = (
    "Still open: the inspectorate raised the same concern before, in 2016. The Commissioner "
    "will publish the force's next figures here."
)
WORDS = {
    f"{REPORT}:rec-1": (FIRST_WORDS, SECOND_WORDS),
    f"{REPORT}:coc-1": (CONCERN_FIRST, CONCERN_SECOND),
}


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, 11, tzinfo=timezone.get_current_timezone()
    )


def create(*, today: datetime.date) -> None:
    """Two published versions of the West Midlands progress on the 2017 report."""
    report = Report.objects.get(key=REPORT)
    force = Organisation.objects.get(code=FORCE)
    officer = User.objects.get(email=OFFICER)
    body = Organisation.objects.get(pk=officer.organisation_id)
    for version, days_ago in enumerate((40, 5)):
        day = today - datetime.timedelta(days=days_ago)
        rows = progress_rows(report=report, force=force)
        texts = {
            row.item.pk: WORDS[row.finding.key][version]
            for row in rows
            if row.item is not None and row.finding.key in WORDS
        }
        public_progress.progress_save_and_publish(
            report=report,
            force=force,
            body=body,
            texts=texts,
            by=officer,
            now=_at(day),
            today=day,
        )
