"""python manage.py extract_report FILE [--json]: what a report asks, without saving it."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.extraction import ExtractionError, extract, load_known_forces, read_document
from tracker.extraction.reading import check_size

KIND_LABELS = {
    "cause_of_concern": "Cause of concern",
    "recommendation": "Recommendation",
    "area_for_improvement": "Area for improvement",
    "finding": "Finding",
}


class Command(BaseCommand):
    help = (
        "Read an inspection document (PDF, Word .docx, HTML or text) and print its title, "
        "forces, dates, judgements, findings and responses. Nothing is saved: the database "
        "is not touched. With --json, print the extraction in the gold-file schema."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The document to read.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        try:
            check_size(path.stat().st_size)  # before reading a huge file into memory
            source = read_document(path.read_bytes(), path.name)
            result = extract(source.text, known_forces=load_known_forces())
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        except ExtractionError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            data = {"document": path.name, **result.to_dict()}
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(summary(result, path.name, source.format, source.pages))


def summary(result, name: str, source_format: str, pages: int) -> str:
    """A readable account of the extraction, for a person checking it at a terminal."""
    read = f"{source_format}, {pages} page{'s' if pages != 1 else ''}"
    lines = [
        f"{name} ({read if source_format == 'pdf' else source_format})",
        f"Title:        {result.title or '(not found)'}",
        f"Document:     {result.document_type}; report type {result.report_type}",
        f"Inspectorate: {result.inspectorate or '(not stated)'}",
        f"Forces:       {', '.join(result.forces) or '(none found)'}",
        f"Published:    {result.published or '(not found)'}"
        + (f"; document dated {result.dated}" if result.dated else ""),
        f"Grading:      {result.grading_scale}",
        "",
        f"Judgements ({len(result.judgements)}):",
    ]
    for judgement in result.judgements:
        direction = f", {judgement.direction}" if judgement.direction else ""
        ref = f"{judgement.reference} " if judgement.reference else ""
        lines.append(f"  {ref}{judgement.area}: {judgement.grade}{direction}")
    lines += ["", f"Findings ({len(result.findings)}):"]
    for number, finding in enumerate(result.findings, start=1):
        first = " ".join(finding.text.split())
        first = first if len(first) <= 110 else first[:107].rsplit(" ", 1)[0] + "…"
        lines.append(f"  {number}. {KIND_LABELS.get(finding.kind, finding.kind)}: {first}")
        details = []
        if finding.area:
            details.append(f"area: {finding.area}")
        if finding.parent is not None:
            details.append(f"answers finding {finding.parent + 1}")
        if finding.parts:
            details.append(f"{len(finding.parts)} parts")
        if finding.target_text:
            details.append(f"target: {finding.target_text}")
        if details:
            lines.append(f"     ({'; '.join(details)})")
    if result.responses:
        lines += ["", f"Responses ({len(result.responses)}):"]
        for response in result.responses:
            words = len(response.text.split())
            lines.append(f"  {response.party} to finding {response.to + 1}: {words} words")
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {warning}" for warning in result.warnings]
    return "\n".join(lines)
