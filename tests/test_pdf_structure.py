"""Every kind of PDF the app makes is one well-formed tagged document (issue 21): it passes the
structure checker (tests/pdf_checker.py), and the checker catches each fault it checks for.

The kinds: a published response, a draft, a long draft (5+ pages, paragraphs crossing page
breaks), the board pack (its tables crossing page breaks), and a made-up page with a long
table, a long list and a chart, which puts every page-break case in one file.
"""

import datetime
import io
import re

import pikepdf
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from tests import pdf_checker
from tests.factories import make_finding, make_item
from tests.pdf_checker import check, count_by_rule, rules_broken, structure
from tests.test_documents import sample
from tracker import documents, pdf_tags

# Long sentences without full stops inside, so that a page break inside a paragraph always
# falls mid-sentence (the checker tells a cut paragraph by its open end).
CLAUSES = [
    "the force has worked with colleagues in its control rooms to review ways of working",
    "incident logs are now split between four or five terminals instead of two",
    "dispatchers review and prioritise deployment to incidents more often",
    "doctrine for escalating vulnerability was tested and introduced in November 2017",
    "scheduled appointments within three days were reintroduced in February 2018",
    "a resolution team reviews the oldest incidents every day",
    "victims who are vulnerable are contacted again when an attendance is delayed",
    "the board receives a monthly report on open logs and attendance times",
]


def long_paragraph(n: int) -> str:
    clauses = [CLAUSES[(n + i) % len(CLAUSES)] for i in range(14)]
    return f"In the quarter numbered {n + 1}, " + ", and ".join(clauses) + "."


def long_draft() -> dict:
    content = sample()
    content.update(published_on=None, published="", version=1, marking="official-sensitive")
    content["chief_officer_comments"] = "\n\n".join(long_paragraph(n) for n in range(6))
    entry = content["areas"][0]["entries"][1]
    entry["force_response"] += "\n\n" + "\n\n".join(long_paragraph(n) for n in range(6, 14))
    entry["pcc_response"] += "\n\n" + "\n\n".join(long_paragraph(n) for n in range(14, 18))
    return content


def kitchen_sink_html() -> str:
    rows = "".join(
        f'<tr><th scope="row">Row {n}</th><td>{n * 3}</td><td>{long_paragraph(n)[:60]}</td></tr>'
        for n in range(70)
    )
    items = "".join(f"<li>List item {n}, one of many</li>" for n in range(70))
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
    <title>Every page-break case</title><style>
    @page {{ size: A4; margin: 20mm 18mm 22mm;
      @top-center {{ content: element(marking); }} @bottom-center {{ content: element(marking); }}
      @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt; }} }}
    .app-marking {{ position: running(marking); font-size: 9pt; white-space: nowrap; }}
    thead {{ display: table-header-group; }} tfoot {{ display: table-footer-group; }}
    tr {{ break-inside: avoid; }} p {{ orphans: 2; widows: 2; }}
    </style></head><body><p class="app-marking">OFFICIAL</p><main>
    <h1>Every page-break case</h1>
    <p>{" ".join(long_paragraph(n)[:-1] + "," for n in range(8))} and so on.</p>
    <table><caption>A long table</caption>
    <thead><tr><th scope="col">Row</th><th scope="col">Number</th><th scope="col">Text</th>
    </tr></thead>
    <tbody>{rows}</tbody>
    <tfoot><tr><th scope="row">All</th><td>lots</td><td>–</td></tr></tfoot></table>
    <h2>A long list</h2><ul>{items}</ul>
    <h2>A chart</h2>
    <svg role="img" width="200" height="40" viewBox="0 0 200 40"><title>Open items by status</title>
    <rect x="0" y="0" width="150" height="20" fill="#1d70b8"></rect></svg>
    </main></body></html>"""


@pytest.fixture(scope="module")
def published() -> bytes:
    """With links: to the report (in the summary) and to where the response is published."""
    content = sample()
    content["marking"] = "OFFICIAL"
    content["report"]["url"] = "https://www.justiceinspectorates.gov.uk/hmicfrs/peel-2017/"
    content["url"] = "https://www.westmidlands-pcc.gov.uk/peel-2017-response/"
    return documents.render_pdf(content)


@pytest.fixture(scope="module")
def draft() -> bytes:
    content = sample()
    content.update(published_on=None, published="", marking="OFFICIAL-SENSITIVE")
    return documents.render_pdf(content)


@pytest.fixture(scope="module")
def long() -> bytes:
    return documents.render_pdf(long_draft())


@pytest.fixture(scope="module")
def sink() -> bytes:
    return documents.html_to_pdf(kitchen_sink_html())


def page_count(data: bytes) -> int:
    return len(pikepdf.open(io.BytesIO(data)).pages)


def spanning(data: bytes, kind: str) -> list[pdf_checker.Element]:
    """The elements of a kind whose content is on more than one page."""
    return [e for e in structure(data) if e.type == kind and len(e.pages()) > 1]


# Real documents pass -----------------------------------------------------------------------


def test_a_published_response_passes_the_checker(published):
    assert check(published, marking="OFFICIAL") == []


def test_a_draft_passes_the_checker_with_its_marking_on_every_page(draft):
    assert check(draft, marking="OFFICIAL-SENSITIVE") == []


def test_a_long_draft_passes_with_its_paragraphs_whole_across_page_breaks(long):
    assert page_count(long) >= 5
    # Paragraphs do cross page breaks, each still one P.
    assert len(spanning(long, "P")) >= 3
    assert check(long, marking="OFFICIAL-SENSITIVE") == []


def test_an_unmarked_published_response_prints_no_marking():
    data = documents.render_pdf(sample())
    assert check(data) == []
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "OFFICIAL" not in text


def test_tables_lists_and_paragraphs_crossing_pages_are_one_element_each(sink):
    assert page_count(sink) >= 3
    assert check(sink, marking="OFFICIAL") == []
    elements = structure(sink)
    tables = [e for e in elements if e.type == "Table"]
    assert len(tables) == 1
    assert len(tables[0].pages()) > 1
    # The header row repeated on each page is a pagination artifact, read once.
    assert [k.type for k in tables[0].kids] == ["Caption", "THead", "TBody", "TFoot"]
    assert sum(1 for e in tables[0].walk() if e.type == "TR") == 1 + 70 + 1
    lists = [e for e in elements if e.type == "L"]
    assert len(lists) == 1
    assert len(lists[0].pages()) > 1
    assert all([k.type for k in li.kids] == ["Lbl", "LBody"] for li in lists[0].kids)
    assert len(spanning(sink, "P")) == 1


def test_different_elements_either_side_of_a_page_break_stay_apart():
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>Two of each</title></head><body>
    <div><p>The first division.</p></div>
    <div style="break-before: page"><p>The second division.</p>
    <p style="break-before: page">Another paragraph.</p></div></body></html>"""
    data = documents.html_to_pdf(html)

    assert page_count(data) == 3
    assert check(data) == []
    elements = structure(data)
    assert [e.pages() for e in elements if e.type == "Div"] == [[0], [1, 2]]
    assert [e.pages() for e in elements if e.type == "P"] == [[0], [1], [2]]


def test_a_header_cells_scope_comes_from_its_html_scope():
    """A row header that is not first in its row: its place alone would say Column."""
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>Scopes</title></head><body>
    <table><caption>Scopes</caption><tbody>
    <tr><td>No.</td><th scope="col">Force</th><th scope="col">Open</th></tr>
    <tr><td>1</td><th scope="row">West Midlands</th><td>7</td></tr></tbody></table>
    </body></html>"""
    data = documents.html_to_pdf(html)

    assert check(data) == []
    scopes = [str(e.obj.A.Scope) for e in structure(data) if e.type == "TH"]
    assert scopes == ["/Column", "/Column", "/Row"]


def test_every_header_cell_has_a_scope_and_every_cell_names_its_headers(sink):
    pdf = pikepdf.open(io.BytesIO(sink))
    ids = pdf_checker._name_tree(pdf.Root.StructTreeRoot.IDTree)
    cells = [e for e in structure(sink) if e.type == "TD"]
    for cell in cells:
        headers = [bytes(h).decode() for h in cell.obj.A.Headers]
        # its row's header and its column's, the column's from the first page's header row
        assert len(headers) == 2
        assert all(ids[h].S == "/TH" for h in headers)
    scopes = {str(e.obj.A.Scope) for e in structure(sink) if e.type == "TH"}
    assert scopes == {"/Row", "/Column"}


def test_the_renderers_hints_are_removed(sink):
    pdf = pikepdf.open(io.BytesIO(sink))
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary):
            assert not set(pdf_tags.HINTS) & set(obj.keys())


def test_the_summary_is_a_table_with_row_headers_in_the_pdf_and_a_list_on_screen(published):
    html = documents.render_html(sample())
    assert '<dl class="govuk-summary-list">' in html
    summary = next(e for e in structure(published) if e.type == "Table")
    rows = [k for body in summary.kids for k in body.kids]
    assert rows
    assert all([c.type for c in row.kids] == ["TH", "TD"] for row in rows)
    assert {str(row.kids[0].obj.A.Scope) for row in rows} == {"/Row"}


def test_the_marking_is_escaped_text_never_markup():
    content = sample()
    content["marking"] = "</p><script>alert(1)</script>"
    html = documents.render_html(content)
    assert "<script>alert(1)" not in html
    data = documents.render_pdf(content)
    assert check(data, marking="</P><SCRIPT>ALERT(1)</SCRIPT>") == []


def test_weasyprint_alone_fails_the_checker_where_the_app_mends_it():
    """The faults that tracker/pdf_tags.py exists to mend, found in WeasyPrint's own output
    of the long draft and of the made-up page (the checker is not blind to them)."""
    import weasyprint

    def raw(html: str) -> bytes:
        return weasyprint.HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")

    long_faults = check(
        raw(documents.render_html(long_draft(), for_print=True)), marking="OFFICIAL-SENSITIVE"
    )
    sink_faults = check(raw(kitchen_sink_html()), marking="OFFICIAL")
    assert {"mcid-reachable", "pagination", "split", "th-scope"} <= rules_broken(long_faults)
    assert {"mcid-reachable", "pagination", "split", "th-scope", "table-headers"} <= (
        rules_broken(sink_faults)
    )
    cut = [f.message for f in sink_faults if f.rule == "split"]
    assert any(m.startswith("Table") for m in cut)
    assert any(m.startswith("L ") for m in cut)
    assert any(m.startswith("P ") for m in cut)
    # The summary as WeasyPrint tags a <dl>: lists inside lists, items outside lists.
    dl = documents.render_html(sample())  # the screen page, with its <dl>
    assert "parent" in rules_broken(check(raw(dl)))


# The checker catches each fault ----------------------------------------------------------


def mutated(data: bytes, change) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def elements_of(pdf: pikepdf.Pdf, kind: str) -> list[pikepdf.Dictionary]:
    found = []

    def walk(obj):
        if isinstance(obj, pikepdf.Dictionary) and "/S" in obj:
            if f"/{kind}" == obj.S:
                found.append(obj)
            kids = obj.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    for kid in (
        pdf.Root.StructTreeRoot.K
        if isinstance(pdf.Root.StructTreeRoot.K, pikepdf.Array)
        else [pdf.Root.StructTreeRoot.K]
    ):
        walk(kid)
    return found


def remove_from_parent(element: pikepdf.Dictionary) -> None:
    parent = element.P
    parent.K = pikepdf.Array([k for k in parent.K if k.objgen != element.objgen])


def font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return next(iter(pdf.pages[0].Resources.Font.values()))


def add_untagged_text(pdf: pikepdf.Pdf) -> None:
    name = next(iter(pdf.pages[0].Resources.Font.keys()))
    extra = f"\nBT {name} 10 Tf 1 0 0 1 100 400 Tm <0033> Tj ET\n".encode()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(page.obj.Contents.read_bytes() + extra)


def footer_not_pagination(pdf: pikepdf.Pdf) -> None:
    page = pdf.pages[0]
    instructions = []
    for instruction in pikepdf.parse_content_stream(page):
        operands = instruction.operands
        if (
            str(instruction.operator) == "BDC"
            and operands[0] == "/Artifact"
            and operands[1].get("/Subtype") == "/Footer"
        ):
            instruction = pikepdf.ContentStreamInstruction(
                [pikepdf.Name.Artifact], pikepdf.Operator("BMC")
            )
        instructions.append(instruction)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def split_a_paragraph(pdf: pikepdf.Pdf) -> None:
    """Cut a paragraph that crosses a page break into two P elements, as WeasyPrint does."""
    for paragraph in elements_of(pdf, "P"):
        spans = list(paragraph.K)
        pages = [span.Pg.objgen for span in spans]
        if len(set(pages)) < 2:
            continue
        second = [s for s in spans if s.Pg.objgen == pages[-1]]
        paragraph.K = pikepdf.Array([s for s in spans if s.Pg.objgen != pages[-1]])
        rest = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem,
                S=pikepdf.Name.P,
                P=paragraph.P,
                Pg=second[0].Pg,
                K=pikepdf.Array(second),
            )
        )
        parent = paragraph.P
        kids = list(parent.K)
        at = next(i for i, k in enumerate(kids) if k.objgen == paragraph.objgen)
        parent.K = pikepdf.Array([*kids[: at + 1], rest, *kids[at + 1 :]])
        for span in second:
            span.P = rest  # the parent tree still maps each MCID to its Span
        return
    raise AssertionError("no paragraph crosses a page break")


def set_first(kind: str, **values):
    def change(pdf: pikepdf.Pdf) -> None:
        element = elements_of(pdf, kind)[0]
        for key, value in values.items():
            element[f"/{key}"] = value

    return change


def th_without_scope(pdf: pikepdf.Pdf) -> None:
    del elements_of(pdf, "TH")[0].A["/Scope"]


def headers_to_nowhere(pdf: pikepdf.Pdf) -> None:
    elements_of(pdf, "TD")[0].A.Headers = pikepdf.Array([pikepdf.String("nowhere")])


def table_without_header_cells(pdf: pikepdf.Pdf) -> None:
    table = elements_of(pdf, "Table")[0]
    for cell in elements_of(pdf, "TH"):
        parents = []
        p = cell.P
        while isinstance(p, pikepdf.Dictionary) and "/S" in p:
            parents.append(p.objgen)
            p = p.get("/P")
        if table.objgen in parents:
            cell.S = pikepdf.Name.TD


def caption_last(pdf: pikepdf.Pdf) -> None:
    table = next(t for t in elements_of(pdf, "Table") if t.K[0].S == "/Caption")
    kids = list(table.K)
    table.K = pikepdf.Array([*kids[1:], kids[0]])


def link_without_description(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[0].obj.Annots[0]["/Contents"]


def without_alt(pdf: pikepdf.Pdf) -> None:
    del elements_of(pdf, "Figure")[0]["/Alt"]


def delete(path: str):
    def change(pdf: pikepdf.Pdf) -> None:
        *holders, key = path.split(".")
        obj = pdf.Root
        for holder in holders:
            obj = obj[f"/{holder}"]
        del obj[f"/{key}"]

    return change


def without_embedded_font(pdf: pikepdf.Pdf) -> None:
    descriptor = font(pdf).DescendantFonts[0].FontDescriptor
    del descriptor["/FontFile2"]


def without_to_unicode(pdf: pikepdf.Pdf) -> None:
    del font(pdf)["/ToUnicode"]


def no_doc_title(pdf: pikepdf.Pdf) -> None:
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


def list_turned_into_div(pdf: pikepdf.Pdf) -> None:
    elements_of(pdf, "L")[0].S = pikepdf.Name.Div


def paragraph_detached(pdf: pikepdf.Pdf) -> None:
    remove_from_parent(elements_of(pdf, "P")[0])


# A fault of each rule, made in a good PDF: (which PDF, the change).
FAULTS = {
    "catalog": ("published", delete("MarkInfo")),
    "lang": ("published", delete("Lang")),
    "title": ("published", no_doc_title),
    "fonts: not embedded": ("published", without_embedded_font),
    "fonts: no ToUnicode": ("published", without_to_unicode),
    "mcid-reachable": ("published", paragraph_detached),
    "untagged-content": ("published", add_untagged_text),
    "pagination": ("published", footer_not_pagination),
    "parent: LI outside L": ("published", list_turned_into_div),
    "parent: Caption not first": ("published", caption_last),
    "split": ("long", split_a_paragraph),
    "headings": ("published", set_first("H2", S=pikepdf.Name.H4)),
    "th-scope": ("published", th_without_scope),
    "table-headers: unknown id": ("published", headers_to_nowhere),
    "table-headers: no header cell": ("published", table_without_header_cells),
    "figure-alt": ("sink", without_alt),
    "annotations": ("published", link_without_description),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_the_checker_catches(fault, request):
    source, change = FAULTS[fault]
    good = request.getfixturevalue(source)
    rule = fault.split(":")[0]
    assert rule not in rules_broken(check(good))
    faults = check(mutated(good, change))
    assert rule in rules_broken(faults), count_by_rule(faults)


def test_the_checker_catches_a_missing_marking(published):
    faults = check(published, marking="OFFICIAL-SENSITIVE")
    assert count_by_rule(faults) == {"marking": 2 * page_count(published)}


def test_the_checker_knows_every_rule_it_reports():
    assert {f.split(":")[0] for f in FAULTS} | {"marking"} == set(pdf_checker.RULES)


# The board pack ----------------------------------------------------------------------------


@pytest.fixture
def overdue_items(world):
    """Enough overdue items, with long findings, for the overdue table to cross pages."""
    today = timezone.localdate()
    for n in range(28):
        finding = make_finding(world.report, text=long_paragraph(n))
        make_item(
            finding,
            world.wmp,
            owner=world.owner,
            due=today - datetime.timedelta(days=n + 1),
            by=world.coordinator,
        )
    return world


def test_the_board_pack_passes_the_checker_with_its_tables_whole(overdue_items, client):
    client.force_login(overdue_items.coordinator)
    page = client.get(reverse("tracker:board_pack")).content.decode()
    response = client.get(reverse("tracker:board_pack_pdf"))
    assert response.status_code == 200
    data = response.content

    assert check(data, marking="OFFICIAL") == []
    tables = [e for e in structure(data) if e.type == "Table"]
    # One Table per table of the page, each with its caption first (printed, not hidden).
    assert len(tables) == len(re.findall(r"<table\b", page))
    assert all(t.kids[0].type == "Caption" for t in tables)
    assert any(len(t.pages()) > 1 for t in tables)


def test_the_board_pack_page_wraps_each_table_in_a_scrolling_region(world, client):
    client.force_login(world.coordinator)
    page = client.get(reverse("tracker:board_pack")).content.decode()
    # The charts' tables are two narrow columns beside their chart; every other table is in
    # a region of its own.
    outside_charts = re.sub(r"<figure\b.*?</figure>", "", page, flags=re.S)
    tables = len(re.findall(r"<table\b", outside_charts))
    regions = len(re.findall(r'<div class="app-table-wrapper" tabindex="0" role="region"', page))
    assert tables == regions >= 4
    assert re.search(r"\.app-table-wrapper \{ overflow-x: auto; \}", page)


def test_the_board_pack_prints_the_persons_marking(world, client, settings):
    settings.PROTECTIVE_MARKING_DEFAULT = "OFFICIAL-SENSITIVE"
    client.force_login(world.coordinator)
    data = client.get(reverse("tracker:board_pack_pdf")).content
    assert check(data, marking="OFFICIAL-SENSITIVE") == []
    page = client.get(reverse("tracker:board_pack")).content.decode()
    assert '<p class="app-marking">OFFICIAL-SENSITIVE</p>' in page
