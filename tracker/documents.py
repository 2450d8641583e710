"""The published response document: HTML, Word and PDF from one content snapshot.

Section 55 of the Police Act 1996 makes the local policing body publish its comments on an
inspection report, with the chief officer's comments and a response to each recommendation.
This module turns the response's content (a JSON-serialisable dict, stored as a snapshot when
the response is published) into the documents people read:

- HTML, for the public page (a fragment) and for download (a standalone page);
- Word (.docx), so the PCC office can edit and re-use the text (`tracker/word_documents.py`);
- PDF, tagged as PDF/UA-1, for people who want the document as it was published.

Everything here is pure: no database, no ORM, no clock. The same snapshot always gives the
same text in every format, because all three formats are rendered from one outline built by
`document_context()`: the HTML templates and the Word writer walk the same headings and blocks.

Stored texts are plain text, never HTML: a blank line separates paragraphs and lines that begin
"- " (or "• ") are bullets (see `text_blocks()`). Texts are escaped by the template engine (HTML)
or written as text runs (Word), so nothing anyone types is ever interpreted as markup.
"""

import contextvars
import datetime
import logging
import re
import threading
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from tracker import pdf_tags

LANGUAGE = "en-GB"

log = logging.getLogger(__name__)

FRAGMENT_TEMPLATE = "documents/_response_body.html"
STANDALONE_TEMPLATE = "documents/response_standalone.html"

# The response's content: the JSON-serialisable snapshot stored when it is published.
Content = dict[str, Any]
# A block of body text: ("p", "paragraph text") or ("ul", ["item", "item", ...]).
Block = tuple[str, str | list[str]]

MAX_FILENAME_LENGTH = 120

# The fixed phrases are translated where a document is made (gettext inside the functions, not
# at import), so a document rendered inside translation.override("cy") is worded in Welsh.
NO_FORCE_RESPONSE = gettext_noop("No response from the force is recorded.")
NO_PCC_RESPONSE = gettext_noop("No response is recorded.")
# Findings' kinds, for content that does not carry its own label.
_KIND_LABELS = {
    "recommendation": gettext_noop("Recommendation"),
    "cause_of_concern": gettext_noop("Cause of concern"),
    "area_for_improvement": gettext_noop("Area for improvement"),
}
# Where the report's title goes in the document's title while its parts are found: a
# character _clean() removes from stored text, so no title can contain it.
_TITLE_MARK = "\x00"

# Bullet markers people type or paste: "- item", "* item" and "• item" (the bullet character
# may come without a space, as it does when pasted from Word).
_BULLET = re.compile(r"^(?:[-*]\s+|•\s*)(.*)$")
_BARE_BULLET = {"-", "*", "•"}
# "1) ...", "2. ...", "(3) ...", "a) ...", "(b) ...": numbered lines keep their own numbers
# as typed, so each starts a new paragraph instead of joining the line above. They are not
# turned into an <ol>, which would number them a second time.
_NUMBERED = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[A-Za-z]\))\s")
# Characters XML 1.0 forbids (Word refuses the file; lxml refuses to write them) and the
# stray control characters that come with text pasted from other programs.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def text_blocks(text: str) -> list[Block]:
    """Split a stored text into paragraphs and bullet lists.

    Stored texts come from plain textareas, so the rules are the ones people follow when they
    type, not Markdown:

    1. Line endings are normalised (Windows "\\r\\n", old Mac "\\r", Unicode line separators).
    2. A blank line ends a paragraph. A single newline inside a paragraph is a hard wrap, so
       the lines join with a space.
    3. A line beginning "- ", "* " or "•" is a bullet, even straight after a paragraph line
       with no blank line between ("The force should:\\n- do this"). Bullets separated only
       by blank lines stay in one list.
    4. An indented line straight after a bullet continues that bullet (a wrapped item). Any
       other line after a list starts a new paragraph.
    5. A numbered line ("1) ...", "2. ...", "(a) ...") starts a new paragraph, keeping the
       number as typed.

    Whitespace runs inside a line collapse to one space; empty bullets are dropped.
    """
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] | None = None  # the open list, if the last thing seen was a bullet
    after_blank = False

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in _clean(text or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            end_paragraph()
            after_blank = True
            continue
        bullet = _bullet_text(line)
        if bullet is not None:
            end_paragraph()
            if bullet:
                if items is None:
                    items = []
                    blocks.append(("ul", items))
                items.append(bullet)
        elif items and not after_blank and raw[:1].isspace():
            items[-1] = f"{items[-1]} {line}"
        else:
            items = None
            if _NUMBERED.match(line):
                end_paragraph()
            paragraph.append(line)
        after_blank = False
    end_paragraph()
    return blocks


def document_context(content: Content) -> dict[str, Any]:
    """Build the outline that every format is rendered from, as the template context `doc`.

    Public so that the app's own page can include the fragment template with the same
    context: `{% include "documents/_response_body.html" %}` with `doc` in its context.

    1. The title, the publication line and the summary rows.
    2. The introduction's blocks.
    3. A flat list of sections in reading order, each with a heading level (2 to 5), a heading,
       optional "Grade: X", the grades table flag, and its text blocks. A flat list keeps the
       headings strictly in order, and lets the Word writer and the template share one walk.
    """
    report = content.get("report") or {}
    body = _clean(content.get("body") or "")
    force = _clean(content.get("force") or "")
    report_title = _clean(report.get("title") or "")
    inspectorate = _clean(report.get("inspectorate_label") or "") or gettext("the inspectorate")
    lang = _clean(content.get("lang") or "") or LANGUAGE
    # The report's title in another language than the document's (its English title in a
    # Welsh document, when no Welsh edition gives one) is marked with its language.
    title_lang = "en-GB" if report.get("title_lang") == "en" and lang != LANGUAGE else ""
    pattern = gettext("%(body)s response to %(inspectorate)s's report: %(report_title)s")
    values = {"body": body or gettext("Local policing body"), "inspectorate": inspectorate}
    title = pattern % {**values, "report_title": report_title}
    title_parts = _parts(
        pattern % {**values, "report_title": _TITLE_MARK}, report_title, title_lang
    )

    judgements = [
        {
            "area": _clean(j.get("area") or ""),
            "grade": _clean(j.get("grade") or "") or gettext("Not graded"),
            "direction": _clean(j.get("direction") or ""),
            "note": _clean(j.get("note") or ""),
        }
        for j in content.get("judgements") or []
    ]
    overall = next((j["grade"] for j in judgements if j["area"].lower() == "overall"), "")

    sections: list[dict[str, Any]] = []
    if judgements:
        sections.append(_section(2, gettext("Grades"), grades=True))
    sections.append(
        _section(
            2,
            _clean(content.get("body_role") or "")
            or gettext("Comments of the local policing body"),
            text_blocks(content.get("pcc_comments") or ""),
        )
    )
    chief_blocks = text_blocks(content.get("chief_officer_comments") or "")
    if chief_blocks:
        sections.append(_section(2, gettext("Comments of the chief constable"), chief_blocks))
    sections.append(_section(2, gettext("Causes of concern and recommendations")))
    areas = content.get("areas") or []
    if not areas:
        none = gettext("No causes of concern or recommendations are recorded.")
        sections.append(_section(0, "", [("p", none)]))
    for area in areas:
        sections.extend(_area_sections(area))
    sections.append(
        _section(2, gettext("Statutory basis"), text_blocks(content.get("statutory_basis") or ""))
    )

    return {
        # "cy" for the Welsh document of a bilingual response (tracker/statutory/content.py).
        "lang": lang,
        "title": title,
        # The title as (text, lang) parts: one part, unless a part is in another language.
        "title_parts": title_parts,
        "author": body,
        "subject": _subject(content, inspectorate, report_title),
        "keywords": ", ".join(
            k for k in (inspectorate, force, _clean(report.get("report_type") or "")) if k
        ),
        "created": iso_date(content.get("published_on")),
        "status": _status_line(content),
        "summary": _summary_rows(content, report, force, overall, title_lang),
        "introduction": text_blocks(content.get("introduction") or ""),
        "grades": {
            "caption": (
                gettext("Grades given to %(force)s in the report") % {"force": force}
                if force
                else gettext("Grades given")
            ),
            "has_direction": any(j["direction"] for j in judgements),
            "rows": judgements,
        },
        "sections": sections,
        "url": _safe_url(content.get("url")),
        "copyright": _clean(content.get("copyright") or ""),
        # The protective marking as printed ("" for none); the PDF repeats it on every page.
        "marking": marking_text(content.get("marking") or ""),
    }


def render_html(
    content: Content, *, standalone: bool = True, csp_nonce: str = "", for_print: bool = False
) -> str:
    """Render the response as HTML: a complete page, or the fragment for the app's page.

    Rendered by Django's template engine with autoescaping on, so every stored text arrives
    as escaped text; the templates never mark content as safe. Served as a web page, the
    page's style block carries the request's Content Security Policy nonce. `for_print`: the
    page the PDF is made from (the summary as a table, see render_pdf).
    """
    template = STANDALONE_TEMPLATE if standalone else FRAGMENT_TEMPLATE
    return render_to_string(
        template,
        {
            "doc": document_context(content),
            "csp_nonce": csp_nonce,
            "for_print": for_print,
        },
    )


def render_pdf(content: Content) -> bytes:
    """Render the standalone page to a tagged PDF (PDF/UA-1).

    The PDF/UA variant makes WeasyPrint write a structure tree (headings, lists, tables), the
    document language and the title, which is what screen readers need; `html_to_pdf` mends
    what WeasyPrint cannot do (tracker/pdf_tags.py). The page is shaped for print: the
    summary is a table with row headers (a <dl> becomes lists inside lists in the PDF), and
    the protective marking runs in the header and footer of every page. base_url=None keeps
    WeasyPrint from fetching anything: the page has no external resources and the fonts are
    the system's (Arial if present, else DejaVu Sans).
    """
    return html_to_pdf(render_html(content, for_print=True))


def marking_text(label: str) -> str:
    """The protective marking as printed: the label in capitals, or "" for none (as
    tracker.markings.marking_line, which this foundation module may not import)."""
    return " ".join(_clean(label or "").split()).upper()


def html_to_pdf(html: str) -> bytes:
    """A standalone HTML page (no external resources) as a tagged PDF/UA-1 file.

    WeasyPrint builds the structure tree page by page; while it does, each structure
    element is given hints (`tracker.pdf_tags.HINTS`: the HTML element it was made for,
    whether it is in a page margin, a header cell's scope), which `pdf_tags.retag` uses to
    make one tree of the whole document and removes. An element for HTML in another language
    than the page's (`lang="en-GB"` inside a Welsh page) is given that language (/Lang).
    """
    import weasyprint  # heavy import (Pango, fonts); only the PDF downloads need it

    _hint_structure_elements()
    page_lang = _HTML_LANG.search(html)
    token = _ELEMENT_KEYS.set({})
    lang_token = _PAGE_LANG.set(page_lang.group(1).lower() if page_lang else "")
    try:
        pdf: bytes = weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        _ELEMENT_KEYS.reset(token)
        _PAGE_LANG.reset(lang_token)
    try:
        return pdf_tags.retag(pdf)
    except Exception:  # a PDF as WeasyPrint made it rather than no PDF at all
        log.exception("The PDF's structure tree could not be mended")
        return pdf


# The HTML element of each structure element, while a PDF is written: HTML element -> key.
_ELEMENT_KEYS: contextvars.ContextVar[dict[Any, int] | None] = contextvars.ContextVar(
    "pdf_element_keys", default=None
)
# "/Header" or "/Footer" while the structure of a page margin box is built.
_MARGIN: contextvars.ContextVar[str | None] = contextvars.ContextVar("pdf_margin", default=None)
# The page's language (its <html lang>, lower case), while a PDF is written.
_PAGE_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("pdf_page_lang", default="")
_HTML_LANG = re.compile(r"<html\b[^>]*\blang=\"([^\"]*)\"", re.IGNORECASE)
_HINTING = threading.Lock()
_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def _hint_structure_elements() -> None:
    """Wrap WeasyPrint's structure builder (weasyprint.pdf.tags._build_box_tree, which calls
    itself through the module, so the wrapper sees every box) to write the hints.

    WeasyPrint 70's builder is private; requirements pin WeasyPrint, and the PDF tests
    (tests/test_pdf_structure.py) fail if a new version stops calling it. Installed once;
    outside html_to_pdf (no keys in the context) the wrapper adds nothing.
    """
    import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer (its dependency)
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    with _HINTING:
        if getattr(tags._build_box_tree, "hints_structure", False):
            return
        build = tags._build_box_tree

        def hinted(box: Any, *args: Any) -> Any:
            keys = _ELEMENT_KEYS.get()
            real = box._box if isinstance(box, AbsolutePlaceholder) else box
            if keys is None:
                yield from build(box, *args)
                return
            if isinstance(real, boxes.MarginBox):
                where = "/Header" if real.at_keyword.startswith("@top") else "/Footer"
                token = _MARGIN.set(where)
                try:
                    yield from build(box, *args)
                finally:
                    _MARGIN.reset(token)
                return
            margin = _MARGIN.get()
            html = getattr(real, "element", None)
            for element in build(box, *args):
                # The page, <html> and <body> pass on their children's elements: each is
                # hinted once, by the call that made it (the innermost).
                if pdf_tags.KEY[1:] in element or pdf_tags.MARGIN[1:] in element:
                    yield element
                    continue
                if margin is not None:
                    element[pdf_tags.MARGIN[1:]] = margin
                elif html is not None:
                    element[pdf_tags.KEY[1:]] = keys.setdefault(html, len(keys))
                    scope = _SCOPES.get(str(html.get("scope", "")).lower())
                    if scope and real.element_tag == "th":
                        element[pdf_tags.SCOPE[1:]] = scope
                    # A passage in another language than the page's (lang="en-GB" in a
                    # Welsh document): its element says so (PDF/UA-1 7.2), as the catalog's
                    # /Lang does for the whole document.
                    lang = str(html.get("lang") or "")
                    if lang and lang.lower() != _PAGE_LANG.get():
                        element["Lang"] = pydyf.String(lang)
                yield element

        hinted.hints_structure = True  # type: ignore[attr-defined]
        tags._build_box_tree = hinted


def document_filename(content: Content, extension: str) -> str:
    """A safe ASCII file name for a download, e.g. "west-midlands-pcc-response-...-v1.docx".

    Built from the body's short name, the report title and the version, so files saved from
    different reports or versions do not overwrite each other. Drafts say so in the name. The
    report title is shortened (at a word boundary) to keep the name within about 120
    characters, which every operating system and email client accepts.
    """
    report = content.get("report") or {}
    body = slugify(content.get("body_short") or content.get("body") or "") or "pcc"
    title = slugify(report.get("title") or "") or "inspection-report"
    version = max(int(content.get("version") or 1), 1)
    draft = content.get("published_on") is None and not content.get("approved")
    suffix = f"-v{version}" + ("-draft" if draft else "")
    ext = slugify(extension.lstrip(".")) or "bin"
    head = f"{body[:40].rstrip('-')}-response-"
    room = MAX_FILENAME_LENGTH - len(head) - len(suffix) - len(ext) - 1
    if len(title) > room:
        cut = title[:room]
        title = (cut.rsplit("-", 1)[0] if "-" in cut else cut).rstrip("-")
    return f"{head}{title}{suffix}.{ext}"


# Helpers ---------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Drop characters that are invalid in XML (they would break the .docx and the PDF)."""
    return _INVALID_XML.sub("", str(text))


def _bullet_text(line: str) -> str | None:
    """The item text if `line` (already stripped) is a bullet, else None."""
    if line in _BARE_BULLET:
        return ""
    match = _BULLET.match(line)
    return match.group(1).strip() if match else None


def _section(
    level: int,
    heading: str,
    blocks: list[Block] | None = None,
    *,
    grade: str = "",
    grades: bool = False,
    quote: bool = False,
) -> dict[str, Any]:
    """One heading and what follows it, up to the next heading. Level 0 has no heading."""
    return {
        "level": level,
        "heading": heading,
        "heading_class": {1: "govuk-heading-l", 2: "govuk-heading-m"}.get(level, "govuk-heading-s"),
        "blocks": blocks or [],
        "grade": grade,
        "grades": grades,
        "quote": quote,
        # Areas of the report start with a rule, as chapters do in the published examples.
        "rule": level == 3,
    }


def _area_sections(area: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections for one area of the report: its heading, then each finding and responses.

    Each recommendation always shows the force and PCC responses, saying so when none is
    recorded: s55(5B) requires an explanation for every recommendation, so a gap must show.
    Other findings (causes of concern, areas for improvement) show responses only if any
    was recorded.
    """
    name = _clean(area.get("area") or "") or gettext("Other recommendations")
    sections = [_section(3, name, grade=_clean(area.get("grade") or ""))]
    for entry in area.get("entries") or []:
        kind = entry.get("kind") or ""
        # The kind's label as stored; the kind's own wording (in the document's language)
        # when none is stored or the stored one is the English of a known kind.
        english = _KIND_LABELS.get(kind, "")
        label = _clean(entry.get("kind_label") or "")
        if english and label in ("", english):
            label = gettext(english)
        label = label or kind.replace("_", " ").capitalize()
        reference = _clean(entry.get("reference") or "")
        heading = _entry_heading(label, reference, english)
        quote = _section(4, heading, text_blocks(entry.get("text") or ""), quote=True)
        # The report's English wording quoted in a Welsh document is marked as English.
        quote["lang"] = "en-GB" if entry.get("text_lang") == "en" else ""
        sections.append(quote)
        force_blocks = text_blocks(entry.get("force_response") or "")
        pcc_blocks = text_blocks(entry.get("pcc_response") or "")
        if kind == "recommendation" or force_blocks or pcc_blocks:
            sections.append(
                _section(
                    5,
                    gettext("Force response"),
                    force_blocks or [("p", gettext(NO_FORCE_RESPONSE))],
                )
            )
            sections.append(
                _section(
                    5, gettext("PCC response"), pcc_blocks or [("p", gettext(NO_PCC_RESPONSE))]
                )
            )
    return sections


def _entry_heading(label: str, reference: str, english: str = "") -> str:
    """ "Recommendation 3", "Recommendation R3"; a reference that already names the kind
    ("Recommendation 1") is used as it is rather than doubled. In a document in another
    language, a reference that names the kind in English (`english`) is given the kind's
    label instead ("Recommendation 1" -> "Argymhelliad 1")."""
    if not reference:
        return label
    if reference.lower().startswith(label.lower()):
        return reference
    if english and label != english and reference.lower().startswith(english.lower()):
        rest = reference[len(english) :].strip()
        return f"{label} {rest}" if rest else label
    return f"{label} {reference}"


def _status_line(content: Content) -> str:
    """ "Published 17 May 2018", "Version 2, published ...; first published ..." or a draft."""
    version = max(int(content.get("version") or 1), 1)
    published = _clean(content.get("published") or "")
    first = _clean(content.get("first_published") or "")
    versions = {"version": version}
    if content.get("published_on") is None and content.get("approved"):
        # Approved and ready: the office downloads this to publish on its own website.
        if version == 1:
            return gettext("Approved for publication")
        line = gettext("Approved for publication (version %(version)s)") % versions
        return _first_published(line, first) if first else line
    if content.get("published_on") is None:
        if version > 1:
            line = gettext("Draft of version %(version)s – not published") % versions
            return _first_published(line, first) if first else line
        return gettext("Draft – not published")
    if version == 1:
        return gettext("Published %(published)s") % {"published": published}
    line = gettext("Version %(version)s, published %(published)s") % {
        **versions,
        "published": published,
    }
    if first and first != published:
        return gettext("%(line)s; first published %(first)s") % {"line": line, "first": first}
    return line


def _first_published(line: str, first: str) -> str:
    """A later version's status line, with the day version 1 was first published."""
    return gettext("%(line)s; version 1 first published %(first)s") % {
        "line": line,
        "first": first,
    }


def _summary_rows(
    content: Content, report: dict[str, Any], force: str, overall: str, title_lang: str = ""
) -> list[dict[str, str]]:
    """The key facts, as in the published examples: dates, the overall rating, the count.
    Each row's "lang" is the value's language when it differs from the document's."""
    rows = []
    report_url = _safe_url(report.get("url"))
    if report_url:  # the title is already in the h1; the row is there for the link
        rows.append(
            {
                "label": gettext("Inspection report"),
                "value": _clean(report.get("title") or ""),
                "url": report_url,
                "lang": title_lang,
            }
        )
    rows.append(
        {
            "label": gettext("Report published"),
            "value": _clean(report.get("published") or ""),
            "url": "",
        }
    )
    if content.get("deadline"):
        rows.append(
            {
                "label": gettext("Deadline for this response"),
                "value": _clean(content["deadline"]),
                "url": "",
            }
        )
    if overall:
        label = (
            gettext("Overall rating for %(force)s") % {"force": force}
            if force
            else gettext("Overall rating")
        )
        rows.append({"label": label, "value": overall, "url": ""})
    count = content.get("recommendation_count")
    if count is None:  # older snapshots: count them
        count = sum(
            1
            for area in content.get("areas") or []
            for entry in area.get("entries") or []
            if entry.get("kind") == "recommendation"
        )
    rows.append({"label": gettext("Number of recommendations"), "value": str(count), "url": ""})
    return [row for row in rows if row["value"]]


def _subject(content: Content, inspectorate: str, report_title: str) -> str:
    """The metadata subject: what this document is, in one line."""
    force = _clean(content.get("force") or "")
    values = {"inspectorate": inspectorate, "force": force, "report_title": report_title}
    if force:
        return (
            gettext(
                "Response under section 55 of the Police Act 1996 to %(inspectorate)s's "
                "inspection report about %(force)s: %(report_title)s"
            )
            % values
        )
    return (
        gettext(
            "Response under section 55 of the Police Act 1996 to %(inspectorate)s's "
            "inspection report: %(report_title)s"
        )
        % values
    )


def _parts(text: str, value: str, lang: str) -> list[tuple[str, str]]:
    """`text` (with _TITLE_MARK where `value` goes) as (text, lang) parts: `value` marked
    with `lang`, the rest in the document's language (""). One part when `lang` is ""."""
    if not lang:
        return [(text.replace(_TITLE_MARK, value), "")]
    parts: list[tuple[str, str]] = []
    for position, piece in enumerate(text.split(_TITLE_MARK)):
        if position:
            parts.append((value, lang))
        if piece:
            parts.append((piece, ""))
    return parts


def _safe_url(url: Any) -> str:
    """Only http(s) links: a "javascript:" URL in a snapshot must never become a link."""
    url = _clean(url or "").strip()
    return url if re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE) else ""


def iso_date(value: Any) -> str:
    try:
        return datetime.date.fromisoformat(str(value)).isoformat() if value else ""
    except ValueError:
        return ""
