"""Finishing WeasyPrint's tagged PDFs so that they are one document, not a pile of pages.

WeasyPrint (70) writes a structure tree for PDF/UA-1, but builds it page by page: each page
has its own copy of every element the page shows part of (a `Part` per page for `<main>`, a
second `P` for the rest of a paragraph, a second `Table` for the rows on the next page), the
running header and footer (the page's margin boxes) are marked content that the tree never
reaches, table headers repeated on each page are read again as header cells, and no `TH` has
a `/Scope`. None of that can be changed from HTML or CSS, so `retag()` mends the finished
file with pikepdf:

1. Elements continued from one page to the next become one element (their kids joined in
   reading order), from the document down to the paragraph, list item or table body.
2. A table's header (and footer) rows repeated on a later page become pagination artifacts;
   the cells that named the repeated header cells name the first ones instead.
3. Content drawn in the page margins (running headers and footers) becomes
   `/Artifact <</Type /Pagination /Subtype /Header>>` (or `/Footer`) in the page's content.
4. Every `TH` gets a `/Scope` (from the HTML `scope` attribute, else from where it stands);
   empty grouping elements are dropped; the parent tree, the `/P` links and the `/IDTree`
   (which resolves `/Headers`) are rebuilt from the tree.

What the tree cannot say by itself (which page-elements are one HTML element, which margin
a piece of content is in, a header cell's scope) the renderer records in each structure
element under the private keys in `HINTS` (see `tracker.documents.html_to_pdf`), and
`retag()` removes them. A PDF without hints is still mended as far as it can be (artifacts
without a header/footer subtype, scopes by position, nothing joined).

Pure: bytes in, bytes out; pikepdf only, no Django.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, String

# The private keys the renderer writes into structure elements.
KEY = "/AppKey"  # an integer naming the HTML element the structure element was made for
MARGIN = "/AppMargin"  # /Header or /Footer: made for a page margin box
SCOPE = "/AppScope"  # the HTML scope of a header cell: /Row, /Column or /Both
HINTS = (KEY, MARGIN, SCOPE)

# Structure elements that may go when they hold nothing at all.
DROPPABLE_WHEN_EMPTY = {"/NonStruct", "/Span", "/Div", "/Part", "/Sect", "/Art"}
# A table's groups that WeasyPrint draws again on each page the table crosses.
REPEATED = {"/THead", "/TFoot"}
# Where a table's parts go in its list of kids.
TABLE_ORDER = {"/Caption": 0, "/THead": 1, "/TBody": 2, "/TR": 2, "/TFoot": 3}

PageMcid = tuple[int, int]  # (page index, marked-content id)


def retag(data: bytes) -> bytes:
    """The PDF with its structure tree mended (see the module's docstring)."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return data
    mender = _Mender(pdf, root)
    mender.run()
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


class _Mender:
    def __init__(self, pdf: pikepdf.Pdf, root: Dictionary) -> None:
        self.pdf = pdf
        self.root = root
        self.pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        # Marked content to turn into artifacts: (page, mcid) -> artifact properties.
        self.artifacts: dict[PageMcid, Dictionary] = {}
        # /ID of a repeated header cell -> /ID of the first one.
        self.same_header: dict[bytes, bytes] = {}

    def run(self) -> None:
        old_owners = self._old_parent_tree()
        for top in _kids(self.root):
            if _is_element(top):
                self._merge(top)
        for top in _kids(self.root):
            if _is_element(top):
                self._prune(top)
        reached = self._reached()
        for where, element in old_owners.items():
            if where not in reached and where not in self.artifacts:
                self.artifacts[where] = _artifact(_margin_of(element))
        self._rewrite_content()
        self._scopes()
        self._rebuild()

    # 1 and 2. Joining what a page break cut ---------------------------------------------

    def _merge(self, element: Dictionary) -> None:
        """Join consecutive kids made for the same HTML element on different pages, then
        do the same inside each kid."""
        groups: list[list[Any]] = []
        for kid in _kids(element):
            last = groups[-1][-1] if groups else None
            if last is not None and _continues(last, kid):
                groups[-1].append(kid)
            else:
                groups.append([kid])
        joined = [self._join(group) if len(group) > 1 else group[0] for group in groups]
        element.K = Array(joined)
        for kid in joined:
            if _is_element(kid):
                self._merge(kid)

    def _join(self, group: list[Dictionary]) -> Dictionary:
        """One element with the kids of all the parts, in reading order (a table's caption,
        header, bodies and footer in that order, its repeated header and footer dropped)."""
        first = group[0]
        table = first.get("/S") == "/Table"
        kids = list(_kids(first))
        seen_groups: dict[int, Dictionary] = {}  # a table's header and footer groups, by key
        for kid in kids:
            _note_group(kid, seen_groups)
        for then in group[1:]:
            page = then.get("/Pg")
            for kid in _kids(then):
                key = _key(kid) if _is_element(kid) else None
                repeat = seen_groups.get(key) if key is not None else None
                if table and repeat is not None and kid.get("/S") in REPEATED:
                    self._drop_repeated(kid, repeat)
                    continue
                if table:
                    _note_group(kid, seen_groups)
                if isinstance(kid, int) and page is not None and page != first.get("/Pg"):
                    kid = Dictionary(Type=Name.MCR, Pg=page, MCID=kid)
                kids.append(kid)
        if table:
            kids.sort(key=lambda k: TABLE_ORDER.get(str(k.get("/S")), 2) if _is_element(k) else 2)
        first.K = Array(kids)
        return first

    def _drop_repeated(self, group: Dictionary, original: Dictionary) -> None:
        """A table header or footer group drawn again on a later page: its content becomes
        an artifact, and its header cells' ids are mapped to the first group's."""
        originals = {
            _key(cell): cell
            for cell in _walk(original)
            if cell.get("/S") == "/TH" and _key(cell) is not None and "/ID" in cell
        }
        for cell in _walk(group):
            if cell.get("/S") == "/TH" and "/ID" in cell:
                first = originals.get(_key(cell))
                if first is not None:
                    self.same_header[bytes(cell.ID)] = bytes(first.ID)
        for where in self._mcids(group):
            self.artifacts[where] = _artifact(None)

    # 3. Margins, and whatever else the tree does not reach -------------------------------

    def _old_parent_tree(self) -> dict[PageMcid, Dictionary]:
        """(page, mcid) -> the element WeasyPrint said holds it (reached or not)."""
        owners: dict[PageMcid, Dictionary] = {}
        numbers = _number_tree(self.root.get("/ParentTree"))
        for index, page in enumerate(self.pdf.pages):
            key = page.obj.get("/StructParents")
            mapped = numbers.get(int(key)) if key is not None else None
            if isinstance(mapped, Array):
                for mcid, element in enumerate(mapped):
                    if isinstance(element, Dictionary):
                        owners[(index, mcid)] = element
        return owners

    def _reached(self) -> set[PageMcid]:
        found: set[PageMcid] = set()
        for top in _kids(self.root):
            if _is_element(top):
                found.update(self._mcids(top))
        return found

    def _mcids(self, element: Dictionary) -> Iterator[PageMcid]:
        for inner in _walk(element):
            for where, _kid in self._own_mcids(inner):
                yield where

    def _own_mcids(self, element: Dictionary) -> Iterator[tuple[PageMcid, Any]]:
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int):
                if page is not None and page.objgen in self.pages:
                    yield (self.pages[page.objgen], kid), kid
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                kid_page = kid.get("/Pg", page)
                if kid_page is not None and kid_page.objgen in self.pages:
                    yield (self.pages[kid_page.objgen], int(kid.MCID)), kid

    def _rewrite_content(self) -> None:
        by_page: dict[int, dict[int, Dictionary]] = {}
        for (index, mcid), properties in self.artifacts.items():
            by_page.setdefault(index, {})[mcid] = properties
        for index, page in enumerate(self.pdf.pages):
            if index in by_page:
                self._rewrite(page.obj, page.obj.get("/Resources"), by_page[index], set())

    def _rewrite(
        self,
        holder: Dictionary | pikepdf.Stream,
        resources: Any,
        artifacts: dict[int, Dictionary],
        seen: set[tuple[int, int]],
    ) -> None:
        changed = False
        instructions: list[Any] = []
        for instruction in pikepdf.parse_content_stream(holder):
            if (
                isinstance(instruction, pikepdf.ContentStreamInstruction)
                and str(instruction.operator) == "BDC"
            ):
                properties = instruction.operands[1]
                if isinstance(properties, Dictionary) and "/MCID" in properties:
                    mcid = int(properties.MCID)
                    if mcid in artifacts:
                        instruction = pikepdf.ContentStreamInstruction(
                            [Name.Artifact, artifacts[mcid]], Operator("BDC")
                        )
                        changed = True
            elif (
                isinstance(instruction, pikepdf.ContentStreamInstruction)
                and str(instruction.operator) == "Do"
                and resources is not None
            ):
                xobject = (resources.get("/XObject") or {}).get(str(instruction.operands[0]))
                if (
                    xobject is not None
                    and xobject.get("/Subtype") == "/Form"
                    and xobject.objgen not in seen
                ):
                    seen.add(xobject.objgen)
                    self._rewrite(xobject, xobject.get("/Resources", resources), artifacts, seen)
            instructions.append(instruction)
        if not changed:
            return
        data = pikepdf.unparse_content_stream(instructions)
        if isinstance(holder, pikepdf.Stream):
            holder.write(data)
        else:
            holder.Contents = self.pdf.make_stream(data)

    # 4. Scopes, empty elements, and the tree's indexes -----------------------------------

    def _scopes(self) -> None:
        for top in _kids(self.root):
            if not _is_element(top):
                continue
            for element in _walk(top):
                for kid in _kids(element):
                    if _is_element(kid) and kid.get("/S") == "/TR":
                        self._row_scopes(kid, in_head=element.get("/S") == "/THead")

    @staticmethod
    def _row_scopes(row: Dictionary, *, in_head: bool) -> None:
        cells = [k for k in _kids(row) if _is_element(k)]
        for position, cell in enumerate(cells):
            if cell.get("/S") != "/TH":
                continue
            scope = cell.get(SCOPE)
            if scope is None:
                scope = Name.Column if in_head or position > 0 else Name.Row
            attributes = cell.get("/A")
            table = None
            if isinstance(attributes, Dictionary):
                table = attributes
            elif isinstance(attributes, Array):
                table = next(
                    (
                        a
                        for a in attributes
                        if isinstance(a, Dictionary) and a.get("/O") == "/Table"
                    ),
                    None,
                )
            if table is None:
                table = Dictionary(O=Name.Table)
                cell.A = Array([*attributes, table]) if isinstance(attributes, Array) else table
            table.Scope = scope

    def _prune(self, element: Dictionary) -> bool:
        """Drop empty grouping elements below `element`; True if it is now empty itself."""
        kept = []
        for kid in _kids(element):
            if _is_element(kid) and self._prune(kid) and kid.get("/S") in DROPPABLE_WHEN_EMPTY:
                continue
            kept.append(kid)
        element.K = Array(kept)
        return not kept

    def _rebuild(self) -> None:
        """The /P links, the parent tree, the /IDTree and the /Headers, from the tree."""
        by_page: dict[int, dict[int, Dictionary]] = {}
        by_annotation: dict[int, Dictionary] = {}
        ids: dict[bytes, Dictionary] = {}

        def visit(element: Dictionary, parent: Dictionary) -> None:
            element.P = parent
            for hint in HINTS:
                if hint in element:
                    del element[hint]
            if "/ID" in element:
                ids[bytes(element.ID)] = element
            for where, _kid in self._own_mcids(element):
                by_page.setdefault(where[0], {})[where[1]] = element
            for kid in _kids(element):
                if _is_element(kid):
                    visit(kid, element)
                elif isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
                    annotation = kid.get("/Obj")
                    if annotation is not None and "/StructParent" in annotation:
                        by_annotation[int(annotation.StructParent)] = element

        for top in _kids(self.root):
            if _is_element(top):
                visit(top, self.root)

        nums: list[Any] = []
        used: set[int] = set(by_annotation)
        next_key = max([len(self.pdf.pages) - 1, *by_annotation], default=-1) + 1
        keys: dict[int, int] = {}
        for index, page in enumerate(self.pdf.pages):
            stored = page.obj.get("/StructParents")
            key = int(stored) if stored is not None else next_key
            if stored is None or key in used:
                key = next_key
                next_key += 1
                page.obj.StructParents = key
            keys[index] = key
            used.add(key)
        entries: dict[int, Any] = dict(by_annotation)
        for index, number in keys.items():
            mapped = by_page.get(index, {})
            size = max(mapped, default=-1) + 1
            entries[number] = Array([mapped.get(m, None) for m in range(size)])
        for number in sorted(entries):
            nums += [number, entries[number]]
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        self.root.ParentTreeNextKey = max(entries, default=-1) + 1

        for top in _kids(self.root):
            if not _is_element(top):
                continue
            for element in _walk(top):
                if element.get("/S") not in ("/TD", "/TH"):
                    continue
                for attributes in _attribute_dicts(element):
                    if "/Headers" in attributes:
                        headers = []
                        for header in attributes.Headers:
                            name = self.same_header.get(bytes(header), bytes(header))
                            if name in ids and name not in headers:
                                headers.append(name)
                        attributes.Headers = Array([String(h) for h in headers])
        if ids:
            names: list[Any] = []
            for name in sorted(ids):
                names += [String(name), ids[name]]
            self.root.IDTree = self.pdf.make_indirect(Dictionary(Names=Array(names)))
        elif "/IDTree" in self.root:
            del self.root["/IDTree"]


# Helpers ----------------------------------------------------------------------------------


def _kids(element: Dictionary) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, Array) else [kids]
    return [int(k) if isinstance(k, int) else k for k in items]


def _is_element(obj: Any) -> bool:
    return (
        isinstance(obj, Dictionary)
        and "/S" in obj
        and obj.get("/Type", Name.StructElem) == ("/StructElem")
    )


def _key(element: Dictionary) -> int | None:
    key = element.get(KEY)
    return int(key) if key is not None else None


def _note_group(kid: Any, groups: dict[int, Dictionary]) -> None:
    """Remember a table's header or footer group by its key (the first of each)."""
    key = _key(kid) if _is_element(kid) else None
    if key is not None and kid.get("/S") in REPEATED:
        groups.setdefault(key, kid)


def _continues(first: Any, then: Any) -> bool:
    """`then` is the rest of `first` on a later page: made for the same HTML element (the
    renderer's hint) on another page, as the same kind of element."""
    if not (_is_element(first) and _is_element(then)):
        return False
    key = _key(first)
    return (
        key is not None
        and key == _key(then)
        and first.get("/S") == then.get("/S")
        and first.get("/Pg") is not None
        and then.get("/Pg") is not None
        and first.Pg.objgen != then.Pg.objgen
    )


def _walk(element: Dictionary) -> Iterator[Dictionary]:
    yield element
    for kid in _kids(element):
        if _is_element(kid):
            yield from _walk(kid)


def _attribute_dicts(element: Dictionary) -> list[Dictionary]:
    attributes = element.get("/A")
    if isinstance(attributes, Dictionary):
        return [attributes]
    if isinstance(attributes, Array):
        return [a for a in attributes if isinstance(a, Dictionary)]
    return []


def _margin_of(element: Dictionary) -> Name | None:
    """/Header or /Footer if the element was made for a page margin box (or inside one)."""
    seen = 0
    current: Any = element
    while isinstance(current, Dictionary) and seen < 64:
        margin = current.get(MARGIN)
        if margin is not None:
            return Name(str(margin))
        current = current.get("/P")
        seen += 1
    return None


def _artifact(subtype: Name | None) -> Dictionary:
    if subtype is None:
        return Dictionary(Type=Name.Pagination)
    return Dictionary(Type=Name.Pagination, Subtype=subtype)


def _number_tree(node: Any) -> dict[int, Any]:
    if node is None:
        return {}
    found: dict[int, Any] = {}
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            found[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids") or []:
        found.update(_number_tree(kid))
    return found
