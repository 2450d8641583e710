"""Search across what a person may see: items (the finding's text, progress updates, the
item's responses, owner and lead), reports (title) and, for administrators, people.

A selector: every kind starts from the person's scope (policy.visible_force_ids), exactly as
the lists do, and only then matches the words, so another force's item is never in the
results or in the counts. On PostgreSQL the words are matched with full-text search
(websearch syntax, the 'english' configuration, ranked); elsewhere (SQLite, in development)
each word must appear somewhere, in any case, newest activity first.

Snippets are built here, safely: the text is escaped first, then the words found are wrapped
in <mark>; nothing a person typed or wrote is ever marked safe as it stands.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from tracker import policy
from tracker.models import ProgressUpdate, Report, TrackedItem

MAX_QUERY_LENGTH = 200  # characters; a longer search is cut, and the page says so
MAX_TERMS = 12  # words matched in the fallback and highlighted
RESULTS_PER_KIND = 20
SNIPPET_LENGTH = 220  # characters of context shown around the first word found
CONFIG = "english"

# Words of websearch syntax that are not words to find.
_OPERATORS = {"or", "and", "not"}
_WORD = re.compile(r"(-?)(\w+)", re.UNICODE)
# Endings dropped so that "inspections" also marks "inspection" (full-text search stems).
_ENDINGS = ("ing", "es", "ed", "s")


@dataclass(frozen=True)
class SearchTerms:
    """What was searched for: the text (cut to MAX_QUERY_LENGTH), whether it was cut, and the
    words to find and to highlight (not those excluded with a minus sign)."""

    text: str
    cut: bool
    words: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.words


def search_terms(raw: str | None) -> SearchTerms:
    """Read what a person typed: spaces trimmed, cut to a sane length, its words found."""
    text = " ".join((raw or "").split())
    cut = len(text) > MAX_QUERY_LENGTH
    if cut:
        text = text[:MAX_QUERY_LENGTH].rstrip()
    words: list[str] = []
    for minus, word in _WORD.findall(text):
        lowered = word.lower()
        if minus or lowered in _OPERATORS or lowered in words:
            continue
        words.append(lowered)
    return SearchTerms(text=text, cut=cut, words=tuple(words[:MAX_TERMS]))


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if len(word) > len(ending) + 3 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    stems = sorted({_stem(w) for w in words}, key=len, reverse=True)
    # A word that starts with a stem: "inspect" marks "inspection" and "inspections".
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def matches(text: str, terms: SearchTerms) -> bool:
    """Whether the text holds any of the words searched for (as the snippet would mark)."""
    pattern = _pattern(terms.words)
    return bool(text and pattern and pattern.search(text))


def snippet(text: str, terms: SearchTerms, length: int = SNIPPET_LENGTH) -> SafeString:
    """A part of the text around the first word found, escaped, with each word found wrapped
    in <mark>. Escaping comes first, on the plain text; only the <mark> tags are added."""
    flat = " ".join((text or "").split())
    pattern = _pattern(terms.words)
    found = pattern.search(flat) if pattern else None
    start = 0
    if found and found.start() > length // 3:
        start = flat.rfind(" ", 0, found.start() - length // 3) + 1
    end = min(len(flat), start + length)
    if end < len(flat):
        cut_at = flat.rfind(" ", start, end)
        end = cut_at if cut_at > start else end
    part = flat[start:end]
    html: list[str] = ["…" if start > 0 else ""]
    position = 0
    for match in pattern.finditer(part) if pattern else ():
        html.append(escape(part[position : match.start()]))
        html.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    html.append(escape(part[position:]))
    html.append("…" if end < len(flat) else "")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text above is escaped


@dataclass
class Hit:
    """One result: the object, where the words were found, and the snippet to show."""

    obj: object
    matched_in: str
    snippet: SafeString


@dataclass
class KindResults:
    """The results of one kind: how many in all, and the best RESULTS_PER_KIND of them."""

    kind: str
    label: str
    count: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.hits))


@dataclass
class SearchResults:
    terms: SearchTerms
    groups: list[KindResults]
    ranked: bool  # full-text search (PostgreSQL) rather than the plain fallback

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def full_text() -> bool:
    """Whether the database offers full-text search (PostgreSQL)."""
    return connection.vendor == "postgresql"


def _every_word(
    terms: SearchTerms, lookups: list[str], also: Callable[[str], Q] | None = None
) -> Q:
    """The fallback: each word appears in one of the fields (any case), or as `also` says."""
    conditions = []
    for word in terms.words:
        condition = reduce(or_, [Q(**{f"{lookup}__icontains": word}) for lookup in lookups])
        conditions.append(condition | also(word) if also else condition)
    return reduce(and_, conditions)


def _query(terms: SearchTerms) -> SearchQuery:
    return SearchQuery(terms.text, search_type="websearch", config=CONFIG)


def _updates_text() -> Subquery:
    """All of an item's progress updates, as one text (for its search document)."""
    return Subquery(
        ProgressUpdate.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(all_text=StringAgg("text", delimiter="\n"))
        .values("all_text")
    )


def matching_items(*, user, today: datetime.date, terms: SearchTerms) -> QuerySet[TrackedItem]:
    """The items the person may see that match, best first."""
    items = TrackedItem.objects.for_forces(policy.visible_force_ids(user, today))
    if full_text():
        query = _query(terms)
        document = (
            SearchVector("finding__text", weight="A", config=CONFIG)
            + SearchVector("owner__full_name", "lead__full_name", weight="A", config=CONFIG)
            + SearchVector("force_response", "pcc_response", weight="B", config=CONFIG)
            + SearchVector(
                Coalesce(_updates_text(), Value(""), output_field=TextField()),
                weight="C",
                config=CONFIG,
            )
        )
        return (
            items.annotate(document=document)
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "-last_activity_at", "-id")
        )

    def in_updates(word: str) -> Q:
        return Q(Exists(ProgressUpdate.objects.filter(item=OuterRef("pk"), text__icontains=word)))

    fields = ["finding__text", "force_response", "pcc_response"]
    fields += ["owner__full_name", "lead__full_name"]
    return items.filter(_every_word(terms, fields, in_updates)).order_by("-last_activity_at", "-id")


def matching_reports(*, user, today: datetime.date, terms: SearchTerms) -> QuerySet[Report]:
    """The reports about the forces the person may see whose title matches, best first."""
    reports = Report.objects.for_forces(policy.visible_force_ids(user, today))
    if full_text():
        query = _query(terms)
        return (
            reports.annotate(document=SearchVector("title", config=CONFIG))
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "-published_on", "id")
        )
    return reports.filter(_every_word(terms, ["title"])).order_by("-published_on", "id")


def matching_people(*, terms: SearchTerms) -> QuerySet[User]:
    """People by name or email address (administrators only: the caller checks)."""
    people = User.objects.select_related("organisation")
    if full_text():
        # Names are not English words: the 'simple' configuration keeps them as written.
        query = SearchQuery(terms.text, search_type="websearch", config="simple")
        vector = SearchVector("full_name", config="simple")
        emails = reduce(and_, [Q(email__icontains=word) for word in terms.words])
        return (
            people.annotate(document=vector)
            .filter(Q(document=query) | emails)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "full_name", "id")
        )
    return people.filter(_every_word(terms, ["full_name", "email"])).order_by("full_name", "id")


def _item_hits(items: list[TrackedItem], terms: SearchTerms) -> list[Hit]:
    """Where each item matched, in the order a reader would look, with its snippet."""
    updates: dict[int, list[str]] = {}
    for item_id, text in (
        ProgressUpdate.objects.filter(item__in=items)
        .order_by("-written_at", "-id")
        .values_list("item_id", "text")
    ):
        updates.setdefault(item_id, []).append(text)
    hits = []
    for item in items:
        candidates = [
            ("Finding", item.finding.text),
            *[("Progress update", text) for text in updates.get(item.pk, [])],
            ("Force's response", item.force_response),
            ("PCC office's response", item.pcc_response),
            ("Owner", f"Owner: {item.owner}" if item.owner else ""),
            ("Accountable lead", f"Accountable lead: {item.lead}" if item.lead else ""),
        ]
        where, text = next(
            ((where, text) for where, text in candidates if matches(text, terms)),
            ("Finding", item.finding.text),
        )
        hits.append(Hit(obj=item, matched_in=where, snippet=snippet(text, terms)))
    return hits


def search(*, user, today: datetime.date, terms: SearchTerms) -> SearchResults:
    """Everything the person may see that matches, by kind: a count of each and the best
    RESULTS_PER_KIND. An empty search runs no query."""
    if terms.empty:
        return SearchResults(terms=terms, groups=[], ranked=full_text())
    items = matching_items(user=user, today=today, terms=terms)
    shown = list(
        items.select_related("finding__report", "force", "owner", "lead")[:RESULTS_PER_KIND]
    )
    groups = [
        KindResults(
            kind="items",
            label="Items",
            count=len(shown) if len(shown) < RESULTS_PER_KIND else items.count(),
            hits=_item_hits(shown, terms),
        )
    ]
    reports = matching_reports(user=user, today=today, terms=terms)
    shown_reports = list(reports[:RESULTS_PER_KIND])
    groups.append(
        KindResults(
            kind="reports",
            label="Reports",
            count=len(shown_reports) if len(shown_reports) < RESULTS_PER_KIND else reports.count(),
            hits=[Hit(r, "Title", snippet(r.title, terms)) for r in shown_reports],
        )
    )
    if policy.can_manage_people(user):
        people = matching_people(terms=terms)
        shown_people = list(people[:RESULTS_PER_KIND])
        groups.append(
            KindResults(
                kind="people",
                label="People",
                count=len(shown_people) if len(shown_people) < RESULTS_PER_KIND else people.count(),
                hits=[
                    Hit(p, "Name or email", snippet(f"{p.full_name} ({p.email})", terms))
                    for p in shown_people
                ],
            )
        )
    return SearchResults(terms=terms, groups=groups, ranked=full_text())
