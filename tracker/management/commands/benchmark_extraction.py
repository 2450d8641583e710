"""Time report extraction on a long PDF built from seed-like text (no database).

manage.py benchmark_extraction --pages 300            # a 300-page PDF with a text layer
manage.py benchmark_extraction --scan --pages 20      # a 20-page scan, read by OCR
"""

import logging
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.extraction import extract, load_known_forces, read_document
from tracker.extraction.ocr import OCR_PROCESSES
from tracker.extraction.samples import first_pages, pdf_to_scanned_pdf, text_to_pdf

DEFAULT_SOURCE = Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt"


class Command(BaseCommand):
    help = (
        "Build a PDF of --pages pages from a report's text (by default the 2015 PEEL report in "
        "fixtures/sources) with WeasyPrint, then time reading it and extracting from it --runs "
        "times; print the median and the maximum. With --scan, the pages are made into a scan "
        "(pictures only, 200 dots per inch, greyscale), which is read by OCR."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pages", type=int, default=100)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--source", default=str(DEFAULT_SOURCE))
        parser.add_argument("--keep", help="Also save the PDF to this path.")
        parser.add_argument(
            "--scan", action="store_true", help="Time a scan of the pages, read by OCR."
        )

    def handle(
        self,
        *args: Any,
        pages: int,
        runs: int,
        source: str,
        keep: str | None,
        scan: bool,
        **options: Any,
    ) -> None:
        if runs < 1 or pages < 1:
            raise CommandError("--runs and --pages must be 1 or more.")
        for noisy in ("weasyprint", "fontTools"):  # no page-by-page progress
            logging.getLogger(noisy).setLevel(logging.WARNING)
        text = Path(source).read_text(encoding="utf-8")
        once = read_document(text_to_pdf(text)).pages
        copies = math.ceil(pages / max(1, once))
        started = time.perf_counter()
        pdf = text_to_pdf("\n\n".join([text] * copies), header="Benchmark", footer="Page")
        pdf = pdf_to_scanned_pdf(pdf, pages=pages) if scan else first_pages(pdf, pages)
        built = time.perf_counter() - started
        if keep:
            Path(keep).write_bytes(pdf)
        forces = load_known_forces()
        reads, extracts, totals = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            document = read_document(pdf, "benchmark.pdf", max_ocr_pages=max(pages, 60))
            t1 = time.perf_counter()
            result = extract(document.text, known_forces=forces)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            extracts.append(t2 - t1)
            totals.append(t2 - t0)
        kind = f"a scan, {len(document.ocr_pages)} pages read by OCR" if scan else "a text layer"
        self.stdout.write(
            f"PDF: {document.pages} pages ({kind}), {len(pdf) / 1_048_576:.1f} MB, "
            f"{len(document.text):,} characters (built in {built:.1f} s); "
            f"{len(result.findings)} findings; {runs} runs; {os.cpu_count()} cores"
            + (f", {OCR_PROCESSES} OCR processes at once" if scan else "")
        )
        for label, values in (("read", reads), ("extract", extracts), ("total", totals)):
            self.stdout.write(
                f"{label:8} median {statistics.median(values):.2f} s   max {max(values):.2f} s"
            )
        if scan:
            per_page = statistics.median(reads) / max(1, document.pages)
            self.stdout.write(f"read per page: median {per_page:.2f} s")
