"""Build PDFs from text, as a publisher would lay them out, for tests and the benchmark.

The text is first put in the plain conventions of `cleaning.clean_text`, then laid out as
HTML (headings, paragraphs, nested bullet lists, tables) and printed with WeasyPrint, with
a running header and a page-numbered footer on every page, so that the PDF reader meets
the same furniture as in a published report.

`text_to_scanned_pdf` makes the same pages into a scan: pictures of the pages and no text
layer, as a photocopier's "scan to PDF" gives, for the OCR tests, the benchmark and the demo
sample (fixtures/samples/).
"""

from __future__ import annotations

import html
import io
import random
from pathlib import Path
from typing import TYPE_CHECKING

from .cleaning import NUMBERED_POINT, clean_text

if TYPE_CHECKING:
    from PIL import Image

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


def text_to_scanned_pdf(
    text: str,
    *,
    header: str = "",
    footer: str = "",
    dpi: int = 200,
    quality: int = 60,
    noise: bool = True,
    seed: int = 17,
) -> bytes:
    """The PDF `text_to_pdf` makes, as a scan (`pdf_to_scanned_pdf`)."""
    return pdf_to_scanned_pdf(
        text_to_pdf(text, header=header, footer=footer),
        dpi=dpi,
        quality=quality,
        noise=noise,
        seed=seed,
    )


def pdf_to_scanned_pdf(
    pdf: bytes,
    *,
    dpi: int = 200,
    quality: int = 60,
    noise: bool = True,
    seed: int = 17,
    pages: int | None = None,
) -> bytes:
    """A PDF as a scan: each page (the first `pages` of them, if given) drawn with PDFium at
    `dpi` dots per inch in greyscale, with a little paper grain and a few specks when
    `noise` (never rotated, so OCR reads it as it would a careful scan), saved by Pillow as
    one JPEG picture per page at `quality`. No text layer. The same `seed` gives the same
    bytes."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    images: list[Image.Image] = []
    try:
        for index in range(min(len(document), pages or len(document))):
            page = document[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if noise:
                image = _paper(image, random.Random(seed + index))  # noqa: S311 - not secret
            images.append(image)
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=dpi,
        quality=quality,
        title="",
    )
    return out.getvalue()


def first_pages(pdf: bytes, pages: int) -> bytes:
    """The first `pages` pages of a PDF, as a PDF of their own."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(pdf)
    out = pdfium.PdfDocument.new()
    try:
        out.import_pages(source, list(range(min(pages, len(source)))))
        buffer = io.BytesIO()
        out.save(buffer)
    finally:
        out.close()
        source.close()
    return buffer.getvalue()


def scan_sample(text_path: Path, *, header: str = "", footer: str = "Page") -> Path:
    """Write the scanned PDF of a sample's text beside it (`<name>.txt` -> `<name>.pdf`):
    150 dots per inch, JPEG quality 35, about 90 KB a page, as an office scanner's greyscale
    "scan to PDF". The demo's sample in fixtures/samples/ is rebuilt with this."""
    pdf = text_to_scanned_pdf(
        text_path.read_text(encoding="utf-8"), header=header, footer=footer, dpi=150, quality=35
    )
    out = text_path.with_suffix(".pdf")
    out.write_bytes(pdf)
    return out


def _paper(image: Image.Image, chance: random.Random) -> Image.Image:
    """Greyish paper instead of white, and a few dark specks."""
    image = image.point(lambda grey: min(grey, 238))
    width, height = image.size
    for _ in range(width * height // 40_000):
        x, y = chance.randrange(width), chance.randrange(height)
        image.putpixel((x, y), chance.randrange(40, 140))
    return image


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
