"""Time report extraction on a long PDF built from seed-like text (no database)."""

import logging
import math
import statistics
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.extraction import extract, load_known_forces, read_document
from tracker.extraction.samples import text_to_pdf

DEFAULT_SOURCE = Path(settings.FIXTURES_DIR) / "sources" / "002_d8db408b9b4688bf.txt"


class Command(BaseCommand):
    help = (
        "Build a PDF of at least --pages pages from a report's text (by default the 2015 PEEL "
        "report in fixtures/sources) with WeasyPrint, then time reading it and extracting "
        "from it --runs times; print the median and the maximum."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pages", type=int, default=100)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--source", default=str(DEFAULT_SOURCE))
        parser.add_argument("--keep", help="Also save the PDF to this path.")

    def handle(
        self, *args: Any, pages: int, runs: int, source: str, keep: str | None, **options: Any
    ) -> None:
        if runs < 1 or pages < 1:
            raise CommandError("--runs and --pages must be 1 or more.")
        logging.getLogger("weasyprint").setLevel(logging.WARNING)  # no page-by-page progress
        text = Path(source).read_text(encoding="utf-8")
        once = read_document(text_to_pdf(text)).pages
        copies = math.ceil(pages / max(1, once))
        started = time.perf_counter()
        pdf = text_to_pdf("\n\n".join([text] * copies), header="Benchmark", footer="Page")
        built = time.perf_counter() - started
        if keep:
            Path(keep).write_bytes(pdf)
        forces = load_known_forces()
        reads, extracts, totals = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            document = read_document(pdf, "benchmark.pdf")
            t1 = time.perf_counter()
            result = extract(document.text, known_forces=forces)
            t2 = time.perf_counter()
            reads.append(t1 - t0)
            extracts.append(t2 - t1)
            totals.append(t2 - t0)
        self.stdout.write(
            f"PDF: {document.pages} pages, {len(pdf) / 1_048_576:.1f} MB, "
            f"{len(document.text):,} characters (built in {built:.1f} s); "
            f"{len(result.findings)} findings; {runs} runs"
        )
        for label, values in (("read", reads), ("extract", extracts), ("total", totals)):
            self.stdout.write(
                f"{label:8} median {statistics.median(values):.2f} s   max {max(values):.2f} s"
            )
