"""Item lists as CSV and Excel, with the filters the person applied, and what they are called.

Both stream: CSV row by row as the response is sent, Excel row by row into a zip (the .xlsx
file, written by `xlsx_write`) in a temporary file that is then sent from disk, so a large
export never sits in memory. Exports too large for a request are made the same way by the
worker (tracker/export_jobs.py).

Every text cell is made safe against formula injection: in CSV, text a spreadsheet would run
as a formula (starting, after any spaces, with =, +, -, @, a tab, a line break, a pipe
or their fullwidth forms) gets an apostrophe in front, which spreadsheets show as text; in
Excel, text is stored as a string cell, which is never a formula. Control characters that
an .xlsx file cannot hold are removed.

Ready for a meeting (issues 14 and 21): the Excel workbook (written by tracker/xlsx.py) has
the protective marking in its first row and in the printed page header and footer, its header
row frozen, a filter over the data, columns as wide as their content (up to a limit) with long
text wrapped, dates as date cells (a report published "February 2016" shows as that month),
each item's link as a hyperlink, a print setup (A4 landscape, one page wide, the header row on
every page) and a second sheet, "About this file", saying what it holds, the filters, when it
was made, by whom and its marking. A file is named for what it holds:
"west-midlands-overdue-2026-12-04.xlsx", "all-forces-items-2026-12-04.csv".

CSV is UTF-8 without a byte-order mark, the table only: the first line is the header, so
programs (and the bulk import) read it as they expect. CSV has no page header or footer and no
second sheet, so it carries no marking: a line above the header would break every program
that reads the file. People who need the marking use the Excel file. For Excel's "open" of a
CSV, which guesses the encoding without a byte-order mark, there is a choice of CSV with one
("excel.csv").
"""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import INSPECTED_KINDS, Organisation, ProtectiveMarking
from tracker import markings, policy, selectors, xlsx
from tracker.filters import ItemFilter, ResponseFilter
from tracker.models import (
    OPEN_STATUSES,
    FindingKind,
    ProgressUpdate,
    Report,
    Status,
    StatutoryResponse,
    TrackedItem,
)

# The .xlsx writer (tracker/xlsx.py) and its cell values, by the names the callers know.
from tracker.xlsx import ILLEGAL as ILLEGAL
from tracker.xlsx import WIDTH_MAX as WIDTH_MAX
from tracker.xlsx import WIDTH_MIN as WIDTH_MIN
from tracker.xlsx import XLSX_TYPE as XLSX_TYPE
from tracker.xlsx import Link as Link
from tracker.xlsx import Month as Month
from tracker.xlsx import column_widths as column_widths
from tracker.xlsx import xlsx_file as xlsx_file
from tracker.xlsx import xlsx_write as xlsx_write

# What a spreadsheet may run as a formula when it starts a cell (after any spaces), including
# the fullwidth forms some spreadsheets accept, and DDE's pipe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CHUNK = 2000

COLUMNS = [
    "Force",
    "Report",
    "Report published",
    "Kind",
    "Reference",
    "Area",
    "Finding",
    "Status",
    "Owner",
    "Accountable lead",
    "Due date",
    "Days overdue",
    "Last activity",
    "Latest update on",
    "Latest update",
    "Link",
]


# A cell's value: text, a number, a date, a month or a link.
Cell = str | int | float | datetime.date | Month | Link


def clean(value: object) -> Cell:
    """Values for either format: text without the control characters spreadsheets refuse."""
    if type(value) is str:  # the most common, first
        return ILLEGAL.sub("", value)
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date | Month):
        return value
    if isinstance(value, Link):
        return Link(ILLEGAL.sub("", value.url))
    return ILLEGAL.sub("", str(value))


def published(report: Report) -> datetime.date | Month:
    """When a report was published, to the precision it is known."""
    if report.published_precision == Report.Precision.MONTH:
        return Month(report.published_on.replace(day=1))
    return report.published_on


def csv_cell(value: Cell) -> str | int | float:
    """A CSV cell a spreadsheet will not run as a formula: text that starts (after spaces)
    like a formula gets an apostrophe in front, which spreadsheets show as text. Dates are
    ISO (2026-12-04), months year and month (2016-02)."""
    if isinstance(value, Month):
        return value.first.strftime("%Y-%m")
    if isinstance(value, Link):
        value = value.url
    if not isinstance(value, str):
        return value.isoformat() if isinstance(value, datetime.date) else value
    return "'" + value if value.lstrip(" \u00a0").startswith(FORMULA_STARTS) else value


def with_latest_update(items: QuerySet[TrackedItem]) -> QuerySet[TrackedItem]:
    """The items, each with its latest progress update's time and text (latest_update_at,
    latest_update_text): two subqueries in the one query, not a query per item."""
    latest = ProgressUpdate.objects.filter(item_id=OuterRef("pk")).order_by("-written_at", "-id")
    return items.annotate(
        latest_update_at=Subquery(latest.values("written_at")[:1]),
        latest_update_text=Subquery(latest.values("text")[:1]),
    )


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def item_row(item: TrackedItem, today: datetime.date, site: str) -> list:
    finding, report = item.finding, item.finding.report
    updated = getattr(item, "latest_update_at", None)
    return [
        item.force.name,
        report.title,
        published(report),
        finding.get_kind_display(),
        finding.reference,
        finding.area,
        _one_line(finding.text),
        item.get_status_display(),
        item.owner.full_name if item.owner else "",
        item.lead.full_name if item.lead else "",
        item.due_date,
        item.days_overdue(today) or "",
        timezone.localdate(item.last_activity_at),
        timezone.localdate(updated) if updated else None,
        _one_line(getattr(item, "latest_update_text", "")),
        Link(f"{site}/items/{item.uuid}/"),
    ]


def rows(items: Iterable[TrackedItem], today: datetime.date, site: str) -> Iterator[list]:
    """The item table: the header, then a safe row per item (annotated by
    with_latest_update for the latest update's columns)."""
    yield COLUMNS
    for item in items:
        yield [clean(v) for v in item_row(item, today, site)]


# The columns item_values_rows reads, in its order: only what the table shows, as plain
# values (no model objects), which is several times faster to read than the items themselves.
ITEM_VALUES = (
    "force__name",
    "finding__report__title",
    "finding__report__published_on",
    "finding__report__published_precision",
    "finding__kind",
    "finding__reference",
    "finding__area",
    "finding__text",
    "status",
    "owner__full_name",
    "lead__full_name",
    "due_date",
    "last_activity_at",
    "latest_update_at",
    "latest_update_text",
    "uuid",
)


def item_values_rows(
    items: QuerySet[TrackedItem], today: datetime.date, site: str
) -> Iterator[list]:
    """The same table as `rows` (the header, then a safe row per item, the same values
    `item_row` gives), read as plain values in one streamed query."""
    kinds = dict(FindingKind.choices)
    statuses = dict(Status.choices)
    still_open = {str(s) for s in OPEN_STATUSES}
    month = Report.Precision.MONTH
    found = with_latest_update(items).values_list(*ITEM_VALUES)
    yield COLUMNS
    for (
        force,
        title,
        published_on,
        precision,
        kind,
        reference,
        area,
        text,
        status,
        owner,
        lead,
        due,
        last_activity,
        updated,
        update_text,
        uuid,
    ) in found.iterator(chunk_size=CHUNK):
        late = status in still_open and due is not None and due < today
        values = [
            force,
            title,
            Month(published_on.replace(day=1)) if precision == month else published_on,
            kinds.get(kind, kind),
            reference,
            area,
            _one_line(text),
            statuses.get(status, status),
            owner or "",
            lead or "",
            due,
            (today - due).days if late else "",
            timezone.localdate(last_activity),
            timezone.localdate(updated) if updated else None,
            _one_line(update_text),
            Link(f"{site}/items/{uuid}/"),
        ]
        yield [clean(v) for v in values]


RESPONSE_COLUMNS = [
    "Report",
    "Report published",
    "Force",
    "Deadline",
    "Days left (negative: late)",
    "Stage",
    "Published",
    "Latest version",
    "Link",
]


def response_rows(chunks: Iterable[list], site: str) -> Iterator[list]:
    """The statutory responses table, from chunks of selectors.response_rows()."""
    yield RESPONSE_COLUMNS
    for chunk in chunks:
        for row in chunk:
            deadline = row.deadline
            values = [
                row.report.title,
                published(row.report),
                row.force.name,
                deadline.due_on if deadline else None,
                row.days_left if deadline and deadline.state == "open" else None,
                row.stage_label,
                row.response.published_on if row.response else None,
                row.latest_version or None,
                Link(f"{site}/responses/{row.report.key}/{row.force.code}/"),
            ]
            yield [clean(v) for v in values]


# File names ----------------------------------------------------------------------------------


def scope_forces(
    *, user: Any, today: datetime.date, force_id: object = None
) -> list[Organisation] | None:
    """The forces an export or board pack covers: the force chosen in the filters when the
    person may see it (anything else is ignored, as the lists ignore it), else every force
    they may see, by name; None for every force. One query at most."""
    visible = policy.visible_force_ids(user, today)
    forces = Organisation.objects.filter(kind__in=INSPECTED_KINDS).order_by("name")
    chosen = str(force_id or "")
    if chosen.isdigit() and (visible is None or int(chosen) in visible):
        found = list(forces.filter(pk=int(chosen)))
        if found:
            return found
    if visible is None:
        return None
    return list(forces.filter(pk__in=visible)) if visible else []


def scope_title(forces: Sequence[Organisation] | None) -> str:
    """The forces by name, for a title: "All forces", "West Midlands Police", "West Mercia
    Police and Warwickshire Police"."""
    if forces is None:
        return "All forces"
    names = [f.name for f in forces]
    if not names:
        return "No forces"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def file_name(
    forces: Sequence[Organisation] | None, what: str, today: datetime.date, extension: str
) -> str:
    """An ASCII file name that says what the file holds, for whom and when:
    "west-midlands-overdue-2026-12-04.xlsx"; "all-forces-..." for every force; three or more
    forces as "3-forces-..."."""
    if forces is None:
        scope = "all-forces"
    elif len(forces) > 2:
        scope = f"{len(forces)}-forces"
    else:
        scope = "-and-".join(_slug(f.short_name or f.name, f"force-{f.pk}") for f in forces)
    parts = [scope, slugify(what), today.isoformat()]
    return "-".join(p for p in parts if p) + "." + extension


def _slug(name: str, otherwise: str) -> str:
    # Any punctuation (a dash, an apostrophe) separates words, as a space does.
    return (slugify(re.sub(r"[^\w]+", " ", name)) or otherwise)[:40].strip("-")


def _chosen(value: object) -> bool:
    # As the filters' BooleanWidget reads it.
    return str(value or "").lower() in ("true", "1")


def item_export_what(filters: Mapping[str, Any]) -> str:
    """What an item export holds, from its filters: "items", "overdue", "my-items"..."""
    overdue = _chosen(filters.get("overdue"))
    if filters.get("mine") == "1":
        return "my-overdue-items" if overdue else "my-items"
    return "overdue" if overdue else "items"


RESPONSE_STATES = {
    "late": "late-responses",
    "unpublished": "unpublished-responses",
    "published": "published-responses",
}


# What the "About this file" sheet says a file holds, by what its name says.
HOLDS = {
    "items": "Items",
    "overdue": "Overdue items",
    "my-items": "My items",
    "my-overdue-items": "My overdue items",
    "responses": "Statutory responses",
    "late-responses": "Late statutory responses",
    "unpublished-responses": "Unpublished statutory responses",
    "published-responses": "Published statutory responses",
}


def response_export_what(filters: Mapping[str, Any]) -> str:
    return RESPONSE_STATES.get(str(filters.get("state") or ""), "responses")


def content_disposition(filename: str) -> str:
    """An attachment header with both forms of the name (RFC 6266): a plain ASCII one, and the
    UTF-8 one that browsers prefer."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "-", filename) or "download"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


# What an export holds ------------------------------------------------------------------------
#
# One definition of each export, used by the page that sends a small one at once and by the
# worker that makes a large one (tracker/export_jobs.py), so both give the same file.

EXPORT_KINDS = ("items", "responses")
# What the worker makes (an export job's format).
EXPORT_FORMATS = ("csv", "xlsx")
# What the page sends: the same, and CSV with a byte-order mark for Excel.
CSV_FOR_EXCEL = "excel.csv"
PAGE_FORMATS = (*EXPORT_FORMATS, CSV_FOR_EXCEL)
EXPORT_TITLES = {"items": "Items", "responses": "Statutory responses"}
LIST_URLS = {"items": "tracker:item_list", "responses": "tracker:response_list"}


def export_rows(
    kind: str, *, user: Any, today: datetime.date, filters: selectors.FilterValues
) -> Any:
    """The rows an export holds, as a QuerySet (to count them): the items, or the report and
    force pairs of the statutory responses, scoped to the person and then filtered."""
    if kind == "items":
        return selectors.item_export_list(user=user, today=today, filters=filters)
    return selectors.response_export_pairs(user=user, today=today, filters=filters)


def export_table(kind: str, found: Any, *, today: datetime.date, site: str) -> Iterator[list]:
    """The export's table from its rows (`export_rows`), header first, read as it is written:
    items in one streamed query (with their latest update), responses a page of 500 at a
    time."""
    if kind == "items":
        return item_values_rows(found, today, site)

    def chunks(size: int = 500) -> Iterator[list]:
        paginator = Paginator(found, size)
        for number in paginator.page_range:
            yield selectors.response_rows(paginator.page(number), today=today)

    return response_rows(chunks(), site)


def export_file_name(
    kind: str, *, user: Any, today: datetime.date, filters: selectors.FilterValues, fmt: str
) -> str:
    """What the download is called: "west-midlands-overdue-2026-12-04.xlsx"."""
    forces = scope_forces(user=user, today=today, force_id=filters.get("force"))
    what = item_export_what(filters) if kind == "items" else response_export_what(filters)
    return file_name(forces, what, today, "csv" if fmt == CSV_FOR_EXCEL else fmt)


# Protective marking and "About this file" ----------------------------------------------------


def export_marking(kind: str, found: Any, *, user: Any) -> str:
    """The export's protective marking, as printed ("OFFICIAL", "" for none): the highest
    marking among its rows and at least the person's (tracker/markings.py). A few aggregate
    queries, never one per row."""
    if kind == "items":
        return markings.marking_line(markings.items_marking(found, user))
    # A report and force pair with a response takes the response's marking; one without a
    # response yet, what its response would inherit: the report's own, else the force's.
    ids = found.order_by().values("response_id")
    label = markings.responses_marking(StatutoryResponse.objects.filter(pk__in=ids), user)
    pending = (
        found.filter(response_id__isnull=True)
        .order_by()
        .aggregate(
            highest=Max(Coalesce("report__marking__rank", "organisation__default_marking__rank"))
        )["highest"]
    )
    if pending is not None:
        ranks = dict(ProtectiveMarking.objects.values_list("label", "rank"))
        if ranks.get(label, -1) < pending:
            label = next((name for name, rank in ranks.items() if rank == pending), label)
    return markings.marking_line(label)


def _shown(value: Any, choices: Mapping[str, str]) -> str:
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if value is True:
        return "Yes"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v, choices) for v in value)
    return str(choices.get(str(value), value))


def filters_described(
    kind: str, *, user: Any, today: datetime.date, filters: selectors.FilterValues
) -> list[str]:
    """The filters an export applied, as people read them ("Status: Open", "Force: West
    Midlands Police"); values the list ignores are left out, as the export leaves them out."""
    lines = []
    if kind == "items" and filters.get("mine") == "1":
        lines.append("My items only")
    filter_class = ItemFilter if kind == "items" else ResponseFilter
    filterset: Any = selectors.filtered(
        filter_class,
        TrackedItem.objects.none() if kind == "items" else StatutoryResponse.objects.none(),
        filters=filters,
        user=user,
        today=today,
        lenient=True,
    )
    if not filterset.is_bound or not filterset.form.is_valid():
        return lines
    scoped = getattr(filterset, "scoped_choices", {})
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "", [], (), False):
            continue
        choices = {str(k): str(v) for k, v in scoped.get(name, getattr(field, "choices", []))}
        if name == "owner" and str(value) == "null":
            choices["null"] = "No owner"
        lines.append(
            f"{field.label or name.replace('_', ' ').capitalize()}: {_shown(value, choices)}"
        )
    return lines


def about_rows(
    kind: str,
    *,
    user: Any,
    today: datetime.date,
    filters: selectors.FilterValues,
    marking: str,
    made_at: datetime.datetime,
    site: str,
) -> list[tuple[str, str]]:
    """What the "About this file" sheet says: what the file holds, for which forces, the
    filters, when and by whom it was made, its marking, and where the list is."""
    forces = scope_forces(user=user, today=today, force_id=filters.get("force"))
    what = item_export_what(filters) if kind == "items" else response_export_what(filters)
    described = filters_described(kind, user=user, today=today, filters=filters)
    query = "&".join(
        f"{quote(str(name))}={quote(str(value))}"
        for name, values in _lists(filters)
        for value in values
    )
    local = timezone.localtime(made_at)
    return [
        ("What this file holds", f"{HOLDS.get(what, what)} from the inspection tracker"),
        ("Forces", scope_title(forces)),
        ("Filters applied", "\n".join(described) if described else "None: everything you may see"),
        ("Made on", f"{local.day} {local:%B %Y at %H:%M} ({timezone.get_current_timezone_name()})"),
        ("Made by", _person(user)),
        ("Dates as of", f"{today.day} {today:%B %Y} (days overdue are counted to this day)"),
        ("Protective marking", marking or "None"),
        ("The list online", f"{site}{reverse(LIST_URLS[kind])}" + (f"?{query}" if query else "")),
        (
            "Handling",
            "Handle this file as its marking says. Your copy does not change when the "
            "tracker does: download it again for the latest.",
        ),
    ]


def _lists(filters: selectors.FilterValues) -> list[tuple[str, list[Any]]]:
    if hasattr(filters, "lists"):
        return list(filters.lists())
    return [(k, v if isinstance(v, list) else [v]) for k, v in filters.items()]


def _person(user: Any) -> str:
    name = getattr(user, "full_name", "") or str(user)
    email = getattr(user, "email", "")
    return f"{name} ({email})" if email and email != name else name


def write_xlsx(
    kind: str,
    table: Iterable[list],
    handle: IO[bytes],
    *,
    marking: str,
    about: Sequence[tuple[str, str]],
    made_at: datetime.datetime,
) -> int:
    """The export as an Excel workbook into `handle`: the page's and the worker's writer."""
    return xlsx.xlsx_write(
        table, handle, EXPORT_TITLES[kind], marking=marking, about=about, made_at=made_at
    )


# Writing -------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_stream(table: Iterable[list], *, bom: bool = False) -> Iterator[str]:
    """CSV lines, one at a time, in UTF-8; with `bom`, a byte-order mark first, which Excel
    needs to read UTF-8 when the file is opened (LibreOffice shows it as "ï»¿" instead)."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    for row in table:
        yield writer.writerow([csv_cell(v) for v in row])
