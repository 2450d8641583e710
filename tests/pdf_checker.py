"""A structure checker for the app's tagged PDFs: what veraPDF would say, as far as a test can.

veraPDF cannot be installed on these machines, so the tests check the PDFs' logical structure
themselves, with pikepdf (the structure tree, the content streams, fonts, metadata) and
pdfplumber (the text of each marked-content sequence and where it is on the page).

`check(data)` returns the faults found, each naming its rule (see RULES). The rules are the
parts of PDF/UA-1 (ISO 14289-1) and the Matterhorn Protocol that the app's documents can get
wrong, plus the app's own: one structure tree for the whole document, running headers and
footers as pagination artifacts, and (when asked) the protective marking on every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
import pikepdf

RULES = {
    "catalog": "The document is marked as tagged (/MarkInfo /Marked true), has a structure "
    "tree and says it is PDF/UA-1 in its XMP metadata (pdfuaid:part 1).",
    "lang": "The catalog has a /Lang (the document's natural language).",
    "title": "The document has a title (XMP dc:title) and viewers show it instead of the file "
    "name (/ViewerPreferences /DisplayDocTitle true).",
    "fonts": "Every font is embedded and has a /ToUnicode map (so text can be read aloud, "
    "searched and copied).",
    "mcid-reachable": "Every marked-content id in the pages' content is reachable from the "
    "structure tree (and the parent tree maps it back to the element that holds it); other "
    "content is inside an artifact.",
    "untagged-content": "No text or painted graphics outside both marked content and artifacts.",
    "pagination": "Text in the running header and footer zones is a pagination artifact "
    "(/Artifact with /Type /Pagination and /Subtype /Header or /Footer).",
    "parent": "No element type outside its allowed parent or with children it may not have: "
    "LI in L; Lbl and LBody in LI; TR in Table, THead, TBody or TFoot; TH and TD in TR; THead, "
    "TBody and TFoot in Table; Caption first in a Table (or in a Figure or L).",
    "split": "No paragraph, list or table cut into two elements at a page break, and no "
    "grouping element (Part, Art, Sect) repeated page by page.",
    "headings": "Headings start at H1 and never skip a level going down.",
    "th-scope": "Every TH has a /Scope (Row, Column or Both).",
    "table-headers": "Every Table has rows and at least one header cell; every /Headers id "
    "names a TH of the document (through the structure tree's /IDTree).",
    "figure-alt": "Every Figure has alternative text (/Alt or /ActualText).",
    "annotations": "Every link annotation has a description (/Contents) and is reached from "
    "a Link element through the parent tree; pages with annotations are read in structure "
    "order (/Tabs /S).",
    "marking": "The protective marking is printed in the header and the footer of every page.",
}

BLOCK_STOP = {"P", "H1", "H2", "H3", "H4", "H5", "H6", "Table", "L", "Figure", "Caption"}
GROUPING = {"Part", "Art", "Sect"}
HEADING = re.compile(r"^H([1-6])$")
TERMINAL = tuple(".!?:;)]\"'”’…")

ALLOWED_PARENTS = {
    "LI": {"L"},
    "Lbl": {"LI"},
    "LBody": {"LI"},
    "TR": {"Table", "THead", "TBody", "TFoot"},
    "TH": {"TR"},
    "TD": {"TR"},
    "THead": {"Table"},
    "TBody": {"Table"},
    "TFoot": {"Table"},
    "Caption": {"Table", "Figure", "L"},
    "Document": {"StructTreeRoot"},
}
ALLOWED_CHILDREN = {
    "L": {"LI", "L", "Caption"},
    "LI": {"Lbl", "LBody"},
    "Table": {"Caption", "THead", "TBody", "TFoot", "TR"},
    "THead": {"TR"},
    "TBody": {"TR"},
    "TFoot": {"TR"},
    "TR": {"TH", "TD"},
}
PAINTING = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
MM = 72 / 25.4


@dataclass(frozen=True)
class Fault:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class Element:
    """A structure element, with what the checks need of it."""

    type: str
    obj: pikepdf.Dictionary
    parent: Element | None
    kids: list[Element] = field(default_factory=list)
    # (page index, mcid) of the marked content directly inside it, in order.
    mcids: list[tuple[int, int]] = field(default_factory=list)
    order: int = 0
    source: Any = None  # the open pikepdf.Pdf, kept open while its elements are in use

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def all_mcids(self) -> list[tuple[int, int]]:
        return [m for e in self.walk() for m in e.mcids]

    def pages(self) -> list[int]:
        return sorted({page for page, _ in self.all_mcids()})


@dataclass
class Shown:
    """Something drawn: text or paint, where, and inside which marked content."""

    page: int
    text: bool
    x: float
    y: float
    stack: tuple[tuple[str, Any], ...]


def check(data: bytes, *, marking: str | None = None, zone_mm: float = 12.0) -> list[Fault]:
    """The faults in a PDF, by rule. `marking`: the protective marking every page must show
    in its header and its footer (None: not checked). `zone_mm`: the height of the running
    header and footer zones at the top and bottom of each page."""
    pdf = pikepdf.open(io.BytesIO(data))
    faults: list[Fault] = []
    faults += _catalog(pdf)
    faults += _fonts(pdf)
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return faults
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    elements = _tree(root, pages)
    shown, content_mcids = _content(pdf)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        texts = _texts(plumber)
        heights = [float(p.height) for p in plumber.pages]
        faults += _marking(plumber, marking, zone_mm)
    faults += _reachable(pdf, root, elements, content_mcids)
    faults += _untagged(shown)
    faults += _pagination(shown, heights, zone_mm)
    faults += _parents(elements)
    faults += _splits(elements, texts)
    faults += _headings(elements)
    faults += _tables(root, elements)
    faults += _figures(elements)
    faults += _annotations(pdf, root, elements)
    return faults


def structure(data: bytes) -> list[Element]:
    """The structure elements reachable from the root, in reading order."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    elements = _tree(pdf.Root.StructTreeRoot, pages)
    for element in elements:
        element.source = pdf
    return elements


def rules_broken(faults: list[Fault]) -> set[str]:
    return {f.rule for f in faults}


def count_by_rule(faults: list[Fault]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for fault in faults:
        counts[fault.rule] = counts.get(fault.rule, 0) + 1
    return dict(sorted(counts.items()))


# The document -----------------------------------------------------------------------------


def _catalog(pdf: pikepdf.Pdf) -> list[Fault]:
    faults = []
    root = pdf.Root
    mark_info = root.get("/MarkInfo")
    if root.get("/StructTreeRoot") is None:
        faults.append(Fault("catalog", "no structure tree"))
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        faults.append(Fault("catalog", "/MarkInfo /Marked is not true"))
    with pdf.open_metadata() as meta:
        part = meta.get("pdfuaid:part")
        title = meta.get("dc:title")
    if str(part or "") != "1":
        faults.append(Fault("catalog", f"XMP pdfuaid:part is {part!r}, not 1"))
    if not str(root.get("/Lang", "")).strip():
        faults.append(Fault("lang", "the catalog has no /Lang"))
    if not str(title or "").strip():
        faults.append(Fault("title", "no dc:title in the XMP metadata"))
    prefs = root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
        faults.append(Fault("title", "/ViewerPreferences /DisplayDocTitle is not true"))
    return faults


def _fonts(pdf: pikepdf.Pdf) -> list[Fault]:
    faults = []
    seen: set[tuple[int, int]] = set()

    def fonts_in(resources: Any) -> Iterator[tuple[str, pikepdf.Dictionary]]:
        if resources is None:
            return
        yield from (resources.get("/Font") or {}).items()
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from fonts_in(xobject.get("/Resources"))

    checked: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, 1):
        for name, font in fonts_in(page.get("/Resources")):
            if font.objgen in checked:
                continue
            checked.add(font.objgen)
            label = f"{name} ({font.get('/BaseFont', '?')}) on page {number}"
            if font.get("/ToUnicode") is None:
                faults.append(Fault("fonts", f"{label} has no /ToUnicode"))
            if font.get("/Subtype") == "/Type3":
                continue
            described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                faults.append(Fault("fonts", f"{label} is not embedded"))
    return faults


# The structure tree -----------------------------------------------------------------------


def _tree(root: pikepdf.Dictionary, pages: dict[tuple[int, int], int]) -> list[Element]:
    """The structure elements reachable from the root, in reading (pre-)order."""
    elements: list[Element] = []
    seen: set[tuple[int, int]] = set()

    def build(obj: pikepdf.Dictionary, parent: Element | None) -> Element | None:
        if obj.objgen != (0, 0):
            if obj.objgen in seen:
                return None  # a cycle or an element listed twice: counted once
            seen.add(obj.objgen)
        element = Element(str(obj.get("/S", "/?"))[1:], obj, parent, order=len(elements))
        elements.append(element)
        default_page = obj.get("/Pg")
        for kid in _kids(obj):
            if isinstance(kid, int):
                if default_page is not None and default_page.objgen in pages:
                    element.mcids.append((pages[default_page.objgen], kid))
            elif isinstance(kid, pikepdf.Dictionary):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    page = kid.get("/Pg", default_page)
                    if page is not None and page.objgen in pages:
                        element.mcids.append((pages[page.objgen], int(kid.MCID)))
                elif kind == "/OBJR":
                    continue
                elif "/S" in kid:
                    child = build(kid, element)
                    if child is not None:
                        element.kids.append(child)
        return element

    for kid in _kids(root):
        if isinstance(kid, pikepdf.Dictionary):
            build(kid, None)
    return elements


def _kids(obj: pikepdf.Dictionary) -> list[Any]:
    kids = obj.get("/K")
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return [int(k) if isinstance(k, int) else k for k in kids]
    return [int(kids) if isinstance(kids, int) else kids]


def _parent_type(element: Element) -> str:
    return element.parent.type if element.parent is not None else "StructTreeRoot"


def _describe(element: Element, texts: dict[tuple[int, int], str] | None = None) -> str:
    pages = element.pages()
    where = f" on page {pages[0] + 1}" if pages else ""
    text = ""
    if texts is not None:
        text = " ".join(texts.get(m, "") for m in element.all_mcids()).strip()
        text = f" “{text[:40]}{'…' if len(text) > 40 else ''}”" if text else ""
    return f"{element.type}{where}{text}"


def _reachable(
    pdf: pikepdf.Pdf,
    root: pikepdf.Dictionary,
    elements: list[Element],
    content_mcids: dict[tuple[int, int], bool],
) -> list[Fault]:
    """Each MCID drawn (outside artifacts) is in the tree, and the parent tree agrees."""
    faults = []
    owner = {m: e for e in elements for m in e.mcids}
    unreachable: dict[int, int] = {}
    for (page, mcid), in_artifact in sorted(content_mcids.items()):
        if in_artifact:
            faults.append(
                Fault("mcid-reachable", f"MCID {mcid} on page {page + 1} is inside an artifact")
            )
        elif (page, mcid) not in owner:
            unreachable[page] = unreachable.get(page, 0) + 1
    for page, n in sorted(unreachable.items()):
        faults += [
            Fault(
                "mcid-reachable",
                f"marked content on page {page + 1} that the structure tree never reaches",
            )
        ] * n
    parent_tree = _number_tree(root.get("/ParentTree"))
    by_page: dict[int, list[tuple[int, Element]]] = {}
    for (p, mcid), element in owner.items():
        by_page.setdefault(p, []).append((mcid, element))
    for number, page in enumerate(pdf.pages):
        key = page.get("/StructParents")
        mapped = parent_tree.get(int(key)) if key is not None else None
        for mcid, element in by_page.get(number, []):
            ok = (
                isinstance(mapped, pikepdf.Array)
                and mcid < len(mapped)
                and isinstance(mapped[mcid], pikepdf.Dictionary)
                and mapped[mcid].objgen == element.obj.objgen
            )
            if not ok:
                faults.append(
                    Fault(
                        "mcid-reachable",
                        f"the parent tree does not map MCID {mcid} on page {number + 1} "
                        f"to its {element.type}",
                    )
                )
    return faults


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


def _name_tree(node: Any) -> dict[str, Any]:
    if node is None:
        return {}
    found: dict[str, Any] = {}
    names = node.get("/Names")
    if names is not None:
        for i in range(0, len(names) - 1, 2):
            found[bytes(names[i]).decode("latin-1")] = names[i + 1]
    for kid in node.get("/Kids") or []:
        found.update(_name_tree(kid))
    return found


def _parents(elements: list[Element]) -> list[Fault]:
    faults = []
    for element in elements:
        parent = _parent_type(element)
        allowed = ALLOWED_PARENTS.get(element.type)
        if allowed is not None and parent not in allowed:
            faults.append(Fault("parent", f"{_describe(element)} is inside {parent}"))
        children = ALLOWED_CHILDREN.get(element.type)
        if children is not None:
            for kid in element.kids:
                if kid.type not in children:
                    faults.append(Fault("parent", f"{_describe(kid)} is inside {element.type}"))
            if element.mcids:
                faults.append(Fault("parent", f"{_describe(element)} holds content directly"))
        if element.type == "Caption" and element.parent is not None:
            siblings = element.parent.kids
            if element.parent.type in {"Table", "L"} and siblings and siblings[0] is not element:
                faults.append(
                    Fault("parent", f"{_describe(element)} is not the first in its {parent}")
                )
    return faults


def _blocks(elements: list[Element]) -> list[Element]:
    """The blocks in reading order, not looking inside paragraphs, tables and lists."""
    blocks = []

    def visit(element: Element) -> None:
        if element.type in BLOCK_STOP:
            blocks.append(element)
            return
        for kid in element.kids:
            visit(kid)

    for element in elements:
        if element.parent is None:
            visit(element)
    return blocks


def _splits(elements: list[Element], texts: dict[tuple[int, int], str]) -> list[Fault]:
    faults = []
    blocks = [b for b in _blocks(elements) if b.pages()]
    for a, b in zip(blocks, blocks[1:], strict=False):
        if a.type != b.type or a.type not in {"P", "Table", "L"}:
            continue
        if b.pages()[0] != a.pages()[-1] + 1:
            continue
        if a.type == "P":
            end = " ".join(texts.get(m, "") for m in a.all_mcids()).strip()
            start = " ".join(texts.get(m, "") for m in b.all_mcids()).strip()
            cut = (end and not end.endswith(TERMINAL)) or (start[:1].islower())
        elif a.type == "Table":
            cut = not any(k.type == "Caption" for k in b.kids) or _header_text(
                a, texts
            ) == _header_text(b, texts)
        else:
            cut = True  # the app's lists are never two in a row
        if cut:
            faults.append(
                Fault(
                    "split",
                    f"{_describe(a, texts)} is continued as another {b.type} on page "
                    f"{b.pages()[0] + 1}: {_describe(b, texts)}",
                )
            )
    # Grouping elements repeated page by page (a Part per page).
    for element in elements:
        kids = [k for k in element.kids if k.type in GROUPING and k.pages()]
        for a, b in zip(kids, kids[1:], strict=False):
            if a.type == b.type and b.pages()[0] == a.pages()[-1] + 1:
                faults.append(
                    Fault(
                        "split",
                        f"{a.type} on page {a.pages()[-1] + 1} is repeated as another "
                        f"{b.type} on page {b.pages()[0] + 1}",
                    )
                )
    return faults


def _header_text(table: Element, texts: dict[tuple[int, int], str]) -> str:
    heads = [k for k in table.kids if k.type == "THead"]
    if not heads:
        return ""
    return " ".join(texts.get(m, "") for m in heads[0].all_mcids()).strip() or "?"


def _headings(elements: list[Element]) -> list[Fault]:
    faults = []
    previous = 0
    for element in elements:
        match = HEADING.match(element.type)
        if not match:
            continue
        level = int(match.group(1))
        if level > previous + 1:
            faults.append(
                Fault("headings", f"{_describe(element)} follows H{previous or '(none)'}")
            )
        previous = level
    return faults


def _attributes(obj: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    attributes = obj.get("/A")
    if attributes is None:
        return []
    if isinstance(attributes, pikepdf.Array):
        return [a for a in attributes if isinstance(a, pikepdf.Dictionary)]
    return [attributes]


def _tables(root: pikepdf.Dictionary, elements: list[Element]) -> list[Fault]:
    faults = []
    ids = _name_tree(root.get("/IDTree"))
    for element in elements:
        if element.type == "TH":
            scopes = [str(a.get("/Scope")) for a in _attributes(element.obj) if "/Scope" in a]
            if not scopes or scopes[0] not in {"/Row", "/Column", "/Both"}:
                faults.append(Fault("th-scope", f"{_describe(element)} has no /Scope"))
        if element.type in {"TD", "TH"}:
            for attribute in _attributes(element.obj):
                for header in attribute.get("/Headers") or []:
                    name = bytes(header).decode("latin-1")
                    target = ids.get(name)
                    if not isinstance(target, pikepdf.Dictionary) or target.get("/S") != "/TH":
                        faults.append(
                            Fault(
                                "table-headers",
                                f"{_describe(element)} names header {name!r}, which is not "
                                "a TH in the /IDTree",
                            )
                        )
        if element.type == "Table":
            inside = list(element.walk())
            if not any(e.type == "TR" for e in inside) or not any(e.type == "TH" for e in inside):
                faults.append(
                    Fault("table-headers", f"{_describe(element)} has no rows or no header cell")
                )
    return faults


def _figures(elements: list[Element]) -> list[Fault]:
    return [
        Fault("figure-alt", f"{_describe(e)} has no alternative text")
        for e in elements
        if e.type == "Figure"
        and not str(e.obj.get("/Alt", "")).strip()
        and not str(e.obj.get("/ActualText", "")).strip()
    ]


def _annotations(
    pdf: pikepdf.Pdf, root: pikepdf.Dictionary, elements: list[Element]
) -> list[Fault]:
    faults = []
    parent_tree = _number_tree(root.get("/ParentTree"))
    in_tree = {e.obj.objgen: e for e in elements}
    for number, page in enumerate(pdf.pages, 1):
        annotations = [
            a
            for a in page.obj.get("/Annots") or []
            if a.get("/Subtype") not in ("/Popup", "/PrinterMark")
        ]
        if annotations and page.obj.get("/Tabs") != "/S":
            faults.append(Fault("annotations", f"page {number} has no /Tabs /S"))
        for annotation in annotations:
            if annotation.get("/Subtype") != "/Link":
                continue
            uri = str(annotation.get("/A", {}).get("/URI", "?"))[:40]
            label = f"the link to {uri} on page {number}"
            if not str(annotation.get("/Contents", "")).strip():
                faults.append(Fault("annotations", f"{label} has no /Contents"))
            key = annotation.get("/StructParent")
            owner = parent_tree.get(int(key)) if key is not None else None
            element = in_tree.get(owner.objgen) if isinstance(owner, pikepdf.Dictionary) else None
            if element is None or element.type != "Link":
                faults.append(Fault("annotations", f"{label} is not reached from a Link element"))
    return faults


# The content ------------------------------------------------------------------------------

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _content(pdf: pikepdf.Pdf) -> tuple[list[Shown], dict[tuple[int, int], bool]]:
    """What each page draws, and the MCIDs in its content (True: inside an artifact)."""
    shown: list[Shown] = []
    mcids: dict[tuple[int, int], bool] = {}

    def run(stream: Any, resources: Any, page: int, ctm: Matrix, stack: list) -> None:
        states: list[Matrix] = []
        tm = tlm = IDENTITY
        leading = 0.0
        for instruction in pikepdf.parse_content_stream(stream):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                x, y = ctm[4], ctm[5]
                shown.append(Shown(page, False, x, y, tuple(stack)))
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                states.append(ctm)
            elif op == "Q":
                ctm = states.pop() if states else ctm
            elif op == "cm":
                ctm = _times(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tm":
                tm = tlm = tuple(float(v) for v in operands)  # type: ignore[assignment]
            elif op in {"Td", "TD"}:
                if op == "TD":
                    leading = -float(operands[1])
                tm = tlm = _times((1, 0, 0, 1, float(operands[0]), float(operands[1])), tlm)
            elif op == "TL":
                leading = float(operands[0])
            elif op in {"T*", "'", '"'}:
                tm = tlm = _times((1, 0, 0, 1, 0, -leading), tlm)
            if op in TEXT_SHOWING or op in PAINTING:
                origin = _times(tm, ctm) if op in TEXT_SHOWING else ctm
                shown.append(Shown(page, op in TEXT_SHOWING, origin[4], origin[5], tuple(stack)))
            elif op == "BDC":
                props = operands[1]
                if isinstance(props, pikepdf.Name):
                    props = (resources.get("/Properties") or {}).get(str(props))
                stack.append((str(operands[0]), props))
                if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                    inside = any(tag == "/Artifact" for tag, _ in stack[:-1])
                    inside = inside or str(operands[0]) == "/Artifact"
                    mcids[(page, int(props.MCID))] = inside
            elif op == "BMC":
                stack.append((str(operands[0]), None))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op == "Do":
                xobject = (resources.get("/XObject") or {}).get(str(operands[0]))
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                    inner = _times(matrix, ctm)  # type: ignore[arg-type]
                    run(xobject, xobject.get("/Resources", resources), page, inner, stack)
                else:
                    shown.append(Shown(page, False, ctm[4], ctm[5], tuple(stack)))

    for number, page in enumerate(pdf.pages):
        run(page, page.get("/Resources"), number, IDENTITY, [])
    return shown, mcids


def _marked(stack: tuple[tuple[str, Any], ...]) -> bool:
    return any(
        tag == "/Artifact" or (isinstance(props, pikepdf.Dictionary) and "/MCID" in props)
        for tag, props in stack
    )


def _untagged(shown: list[Shown]) -> list[Fault]:
    counts: dict[tuple[int, bool], int] = {}
    for s in shown:
        if not _marked(s.stack):
            counts[(s.page, s.text)] = counts.get((s.page, s.text), 0) + 1
    return [
        Fault(
            "untagged-content",
            f"{n} {'text' if text else 'painting'} operation{'s' * (n > 1)} on page "
            f"{page + 1} outside marked content and artifacts",
        )
        for (page, text), n in sorted(counts.items())
    ]


def _pagination(shown: list[Shown], heights: list[float], zone_mm: float) -> list[Fault]:
    faults = []
    zone = zone_mm * MM
    counted: set[tuple[int, str]] = set()
    for s in shown:
        if not s.text:
            continue
        height = heights[s.page]
        where = "/Header" if s.y > height - zone else "/Footer" if s.y < zone else None
        if where is None:
            continue
        artifact = [props for tag, props in s.stack if tag == "/Artifact"]
        ok = bool(artifact) and isinstance(artifact[-1], pikepdf.Dictionary)
        ok = ok and str(artifact[-1].get("/Type")) == "/Pagination"
        ok = ok and str(artifact[-1].get("/Subtype")) == where
        if not ok and (s.page, where) not in counted:
            counted.add((s.page, where))
            faults.append(
                Fault(
                    "pagination",
                    f"text in the {where[1:].lower()} of page {s.page + 1} is not a "
                    f"{where[1:]} pagination artifact",
                )
            )
    return faults


def _texts(plumber: pdfplumber.PDF) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, by (page index, mcid)."""
    texts: dict[tuple[int, int], list[str]] = {}
    for number, page in enumerate(plumber.pages):
        for char in page.chars:
            if char.get("mcid") is not None:
                texts.setdefault((number, int(char["mcid"])), []).append(char["text"])
    return {key: "".join(chars) for key, chars in texts.items()}


def _marking(plumber: pdfplumber.PDF, marking: str | None, zone_mm: float) -> list[Fault]:
    if marking is None:
        return []
    faults = []
    zone = zone_mm * MM
    for number, page in enumerate(plumber.pages, 1):
        height = float(page.height)
        top = page.crop((0, 0, page.width, zone)).extract_text() or ""
        bottom = page.crop((0, height - zone, page.width, height)).extract_text() or ""
        for where, text in (("header", top), ("footer", bottom)):
            if marking not in text:
                faults.append(Fault("marking", f"page {number}'s {where} does not say {marking!r}"))
    return faults
