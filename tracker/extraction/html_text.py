"""A web page's text in the plain-text conventions of `reading.py`, without its navigation.

A coordinator saves a page of the inspectorate's website ("Save page as" in a browser): the
report's text sits among the site's menus, breadcrumbs, a cookie banner, "Share this page"
links, related-content boxes, a search form and the footer. None of that is the report, and
some of it reads like findings to the rules ("Accept recommended cookies"). So:

1. When the page has a `<main>` (or an element with role="main"), only its content is read;
   failing that, its `<article>`s; failing that, the whole body. (A page whose main element
   is empty is read whole, in case the markup is wrong.)
2. Within what is read, whole elements are left out: `nav`, `aside`, `form`, `button`,
   `dialog`, the site's `header` and `footer` (outside the main content and articles, and
   outside any `div` or `section`: a header inside an article or a section is its title),
   elements with role navigation, banner, contentinfo, search or dialog, hidden elements,
   and elements whose class or id names them as breadcrumbs, skip links, the site's header
   or footer, cookie or consent banners, sharing links, related content, feedback or
   sidebars.
3. The rest keeps its shape: headings as "# " lines, list items as "- " bullets indented by
   their nesting, table rows as tab-separated cells, other blocks as paragraphs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

HTML_DOCUMENT = re.compile(r"<(!doctype\s+html|html[\s>]|body[\s>]|head[\s>])", re.IGNORECASE)
HAS_MAIN = re.compile(r"<main[\s>]|\brole\s*=\s*[\"']?main\b", re.IGNORECASE)
HAS_ARTICLE = re.compile(r"<article[\s>]", re.IGNORECASE)

# Elements whose whole content is never report text.
SKIP = {"script", "style", "head", "title", "noscript", "template", "svg"}
NAVIGATION = {"nav", "aside", "form", "button", "dialog", "select", "menu"}
# The site's header and footer: left out unless inside the main content or an article.
SITE_FRAME = {"header", "footer"}
NAVIGATION_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"}
# Words in a class or id that name page furniture. Matched as whole words of the name
# ("related-content", "cookie_banner", "govuk-breadcrumbs"), so "shared-services" or
# "navigator" in a report's own markup do not match.
FURNITURE_WORDS = re.compile(
    r"(?:^|[\s_-])(breadcrumbs?|skip|skiplink|skip-link|cookies?|consent|gdpr|share|sharing|"
    r"social|related|feedback|sidebar|menu|navbar|navigation|masthead|newsletter|"
    r"site-header|site-footer|global-header|global-footer|back-to-top|print-link)(?=$|[\s_-])",
    re.IGNORECASE,
)
# Elements that hold a part of the page: a header or footer inside one is the part's own.
CONTAINERS = {"div", "section"}
# Elements that cannot hold others: never counted as open.
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
# Elements whose end tag may be left out: one left out ends at its next sibling of the same
# kind or at the end of its parent, not at an end tag that never comes.
ENDED_BY_PARENT = {
    "li": {"ul", "ol", "menu"},
    "dt": {"dl"},
    "dd": {"dl"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr", "table"},
    "th": {"tr", "table"},
    "option": {"select", "datalist"},
    "p": {"div", "section", "article", "main", "body", "td", "th", "li", "blockquote", "aside"},
}
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "main",
    "aside",
    "nav",
    "address",
    "details",
    "summary",
}


def looks_like_html(text: str) -> bool:
    """A web page, not text with a few stray tags (extracted text often carries <b> or <p>)."""
    return bool(HTML_DOCUMENT.search(text[:5000]))


def html_to_text(html: str) -> str:
    """The page's content (its main element or articles when it has them) without navigation."""
    scope = "main" if HAS_MAIN.search(html) else "article" if HAS_ARTICLE.search(html) else ""
    text = _parse(html, scope)
    if scope and not text.strip():
        text = _parse(html, "")
    return text


def _parse(html: str, scope: str) -> str:
    parser = _HtmlText(scope)
    parser.feed(html)
    parser.close()
    return parser.text()


def _is_furniture(tag: str, attrs: dict[str, str], in_content: bool) -> bool:
    """Whether an element is navigation or page furniture, to be left out with its content."""
    if tag in NAVIGATION or (tag in SITE_FRAME and not in_content):
        return True
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if attrs.get("aria-modal", "").lower() == "true":
        return True
    if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", attrs.get("style", ""), re.I):
        return True
    roles = set(attrs.get("role", "").lower().split())
    if roles & NAVIGATION_ROLES:
        return True
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}".strip()
    return bool(names) and bool(FURNITURE_WORDS.search(names))


class _HtmlText(HTMLParser):
    """Collect a page's text in the plain-text conventions of `reading.py`.

    `scope` ("main", "article" or "") limits the text to the content of those elements. An
    element left out is counted by its tag name until its end tag closes it, so whatever it
    holds (unclosed list items, say) goes with it.
    """

    def __init__(self, scope: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scope = scope
        self.lines: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.list_depth = 0
        self.cells: list[str] | None = None
        self.skipped: tuple[str, int] | None = None  # the element left out, and its nesting
        # The element that makes up the content read (main, or an article), and how many
        # elements of its name are open inside it, so that the right end tag closes it.
        self.scoped: tuple[str, int] | None = None
        self.content = 0  # open main/article elements (headers and footers inside are kept)
        self.containers = 0  # open div/section elements (so are headers and footers in them)

    # Deciding what is read --------------------------------------------------------------

    def _reading(self) -> bool:
        return self.skipped is None and (not self.scope or self.scoped is not None)

    def _in_scope_element(self, tag: str, attrs: dict[str, str]) -> bool:
        if self.scope == "main":
            return tag == "main" or "main" in attrs.get("role", "").lower().split()
        return self.scope == "article" and tag == "article"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipped is not None:
            name, depth = self.skipped
            if tag == name and depth == 1 and name in ENDED_BY_PARENT:
                self.skipped = None  # a sibling: the one left out ended without its end tag
            elif tag == name:
                self.skipped = (name, depth + 1)
                return
            else:
                return
        values = {key.lower(): value or "" for key, value in attrs}
        if tag in VOID:
            if tag == "br" and self._reading():
                self.current.append(" ")
            return
        opens_scope = self._in_scope_element(tag, values)
        in_content = self.content > 0 or self.containers > 0 or opens_scope
        if tag in SKIP or _is_furniture(tag, values, in_content):
            self.skipped = (tag, 1)
            return
        if self.scoped is None and opens_scope:
            self.scoped = (tag, 1)
        elif self.scoped is not None and tag == self.scoped[0]:
            self.scoped = (tag, self.scoped[1] + 1)
        if tag in {"main", "article"}:
            self.content += 1
        elif tag in CONTAINERS:
            self.containers += 1
        if self._reading():
            self._start(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipped is not None:
            name, depth = self.skipped
            if tag == name:
                self.skipped = None if depth == 1 else (name, depth - 1)
                return
            if not (depth == 1 and tag in ENDED_BY_PARENT.get(name, set())):
                return
            self.skipped = None  # its parent ended, so it did too; the parent's end is read
        if tag in VOID:
            return
        if self._reading():
            self._end(tag)
        if self.scoped is not None and tag == self.scoped[0]:
            depth = self.scoped[1] - 1
            self.scoped = (tag, depth) if depth else None
        if tag in {"main", "article"} and self.content:
            self.content -= 1
        elif tag in CONTAINERS and self.containers:
            self.containers -= 1

    def handle_data(self, data: str) -> None:
        if self._reading():
            self.current.append(data)

    # Writing what is read -----------------------------------------------------------------

    def flush(self, blank: bool = True) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(self.prefix + text)
            if blank:
                self.lines.append("")
        self.current = []
        self.prefix = ""

    def _start(self, tag: str) -> None:
        if tag in {"ul", "ol"}:
            self.flush()
            self.list_depth += 1
        elif tag == "li":
            self.flush(blank=False)
            self.prefix = "  " * max(0, self.list_depth - 1) + "- "
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.prefix = "# "
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in {"td", "th"} and self.cells is not None:
            self.current = []
        elif tag in BLOCKS:
            self.flush()

    def _end(self, tag: str) -> None:
        if tag in {"ul", "ol"}:
            self.flush(blank=False)
            self.list_depth = max(0, self.list_depth - 1)
            self.lines.append("")
        elif tag == "li":
            self.flush(blank=False)
        elif tag in {"td", "th"} and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr" and self.cells is not None:
            if any(self.cells):
                self.lines.append("\t".join(self.cells))
            self.cells = None
            self.current = []
        elif tag == "table":
            self.flush()
            if self.lines and self.lines[-1]:
                self.lines.append("")  # a table's rows end with it
        elif re.fullmatch(r"h[1-6]", tag) or tag in BLOCKS:
            self.flush()

    def text(self) -> str:
        self.flush()
        return "\n".join(self.lines)
