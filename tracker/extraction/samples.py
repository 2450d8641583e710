"""Build PDFs from text, as a publisher would lay them out, for tests and the benchmark.

The text is first put in the plain conventions of `cleaning.clean_text`, then laid out as
HTML (headings, paragraphs, nested bullet lists, tables) and printed with WeasyPrint, with
a running header and a page-numbered footer on every page, so that the PDF reader meets
the same furniture as in a published report.
"""

from __future__ import annotations

import html

from .cleaning import NUMBERED_POINT, clean_text

PAGE_CSS = """
@page {
  size: A4; margin: 2.5cm 2cm;
  @top-center { content: "%(header)s"; font-size: 8pt; }
  @bottom-center { content: "%(footer)s " counter(page); font-size: 8pt; }
}
body { font-family: sans-serif; font-size: 11pt; line-height: 1.3; }
h2 { font-size: 15pt; }
p, li { margin: 0 0 0.6em 0; }
td { padding: 2pt 12pt 2pt 0; vertical-align: top; }
"""


def text_to_html(text: str, *, header: str = "", footer: str = "") -> str:
    body: list[str] = []
    for chunk in clean_text(text).split("\n\n"):
        body.append(_chunk_html(chunk))
    css = PAGE_CSS % {"header": _css_string(header), "footer": _css_string(footer)}
    return f"<html><head><style>{css}</style></head><body>{''.join(body)}</body></html>"


def text_to_pdf(text: str, *, header: str = "", footer: str = "") -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=text_to_html(text, header=header, footer=footer)).write_pdf()
    return pdf


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _chunk_html(chunk: str) -> str:
    out: list[str] = []
    depth = 0
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{html.escape(' '.join(paragraph))}</p>")
            paragraph.clear()

    for line in chunk.split("\n"):
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            flush_paragraph()
            level = 1 + (len(line) - len(stripped)) // 2
            while depth < level:
                out.append("<ul>")
                depth += 1
            while depth > level:
                out.append("</ul>")
                depth -= 1
            out.append(f"<li>{html.escape(stripped[2:])}</li>")
            continue
        while depth:
            out.append("</ul>")
            depth -= 1
        if "\t" in line:
            flush_paragraph()
            cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t"))
            out.append(f"<table><tr>{cells}</tr></table>")
        elif stripped.startswith("# "):
            flush_paragraph()
            out.append(f"<h2>{html.escape(stripped[2:])}</h2>")
        elif NUMBERED_POINT.match(stripped):
            flush_paragraph()
            paragraph.append(stripped)
            flush_paragraph()
        elif stripped:
            paragraph.append(stripped)
    flush_paragraph()
    out.extend("</ul>" for _ in range(depth))
    return "".join(out)
