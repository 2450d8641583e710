"""Time the similarity measure of issue 18 over many synthetic findings (no database).

manage.py benchmark_similarity                      # 100,000 findings, 43 forces
manage.py benchmark_similarity --findings 20000 --queries 50

The findings are made in memory from the seed reports' words (a chain of the word pairs in
fixtures/reports.json and the source documents in fixtures/sources, so their vocabulary and
word frequencies look like findings'), spread over the forces and the years 2006 to 2025 and
over the inspection areas. It reports the time to build an Index for one force's findings and
for the whole pool; the median and 95th percentile of `earlier_suggestions` for a new finding
against its force's earlier findings (as tracker/lineage.py calls it: the first finding of an
import builds the force's index, the others reuse it) and of `Index.rank` over the whole pool
(as tracker/learning.py calls it, other forces only); and the peak memory of the process.

With --database (on a database of its own: it writes), it also inserts the findings as
Finding rows (one report per force and year) with three stored suggestions each
(FindingLink rows, one in ten confirmed), times the reads the pages make of them (an item's
suggestions; a force's confirmed links, from which the item page draws the chain), prints
the query plans, and deletes what it inserted.
"""

import datetime
import functools
import random
import re
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from accounts.models import Organisation
from tracker import similarity
from tracker.demo import load_reference_data
from tracker.models import (
    Finding,
    FindingKind,
    FindingLink,
    GradingScale,
    LinkState,
    Report,
    ReportType,
)

SENTENCE = re.compile(r"[^.!?]+[.!?]")
TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")
YEARS = range(2006, 2026)


def _sentences() -> list[list[str]]:
    """The seed texts' sentences of 8 to 60 words, as word lists."""
    import json

    fixtures = Path(settings.FIXTURES_DIR)
    texts = [
        finding["text"]
        for report in json.loads((fixtures / "reports.json").read_text(encoding="utf-8"))["reports"]
        for finding in report["findings"]
    ]
    for source in sorted((fixtures / "sources").glob("*.txt")):
        texts.append(source.read_text(encoding="utf-8"))
    out = []
    for text in texts:
        for sentence in SENTENCE.findall(" ".join(text.split())):
            tokens = TOKEN.findall(sentence)
            if 8 <= len(tokens) <= 60:
                out.append(tokens)
    return out


def _areas() -> list[str]:
    import json

    reports = json.loads((Path(settings.FIXTURES_DIR) / "reports.json").read_text("utf-8"))
    found = {f["area"] for r in reports["reports"] for f in r["findings"]}
    found |= {j["area"] for r in reports["reports"] for j in r.get("judgements", [])}
    return sorted(found)


class Generator:
    """Finding texts from a chain of the seed sentences' word pairs: each text starts as a
    seed sentence starts and walks to words that followed the last one in some sentence."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = _sentences()
        self.following: dict[str, list[str]] = defaultdict(list)
        for tokens in self.sentences:
            for a, b in zip(tokens, tokens[1:], strict=False):
                self.following[a.lower()].append(b)

    def text(self) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            start = rng.choice(self.sentences)
            words = start[: rng.randint(1, 3)]
            for _ in range(rng.randint(10, 40)):
                nexts = self.following.get(words[-1].lower())
                if not nexts:
                    break
                words.append(rng.choice(nexts))
            parts.append(" ".join(words) + ".")
        return " ".join(parts)


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


CPU: list[float] = []


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds of wall-clock time `run` took, and its result; its CPU time (this
    process's) goes on CPU, which tells how much of the wall time other processes took."""
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    CPU.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000, result


class Command(BaseCommand):
    help = (
        "Make --findings synthetic findings over --forces forces in memory and time the "
        "similarity measure on them: Index builds, lineage suggestions for a new finding, "
        "ranking over the whole pool, peak memory. No database."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--findings", type=int, default=100_000)
        parser.add_argument("--forces", type=int, default=43)
        parser.add_argument("--queries", type=int, default=100)
        parser.add_argument("--seed", type=int, default=18)
        parser.add_argument(
            "--database",
            action="store_true",
            help="Also insert the findings and stored suggestions and time the page reads "
            "(writes to the configured database: use one of its own).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 (made-up findings, not secrets)
        n, forces, queries = options["findings"], options["forces"], options["queries"]
        out = self.stdout.write

        took, generator = _timed(lambda: Generator(rng))
        areas = _areas()

        def doc(key: int, force: int, day: datetime.date) -> similarity.Doc:
            return similarity.Doc(
                key=key,
                text=generator.text(),
                area=rng.choice(areas),
                published_on=day,
                force_id=force,
            )

        def day() -> datetime.date:
            return datetime.date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))

        took, docs = _timed(lambda: [doc(key, key % forces + 1, day()) for key in range(1, n + 1)])
        words = sum(len(d.text.split()) for d in docs) / max(1, n)
        out(
            f"{n} findings over {forces} forces made in {took / 1000:.1f} s "
            f"({words:.0f} words each on average)"
        )

        texts = {d.key: d.text for d in docs}
        took, index = _timed(lambda: similarity.Index(texts))
        out(
            f"Index of the whole pool ({n} findings, {len(index.postings)} terms): "
            f"built in {took / 1000:.2f} s"
        )
        own = [d for d in docs if d.force_id == 1]
        took, _ = _timed(lambda: similarity.Index({d.key: d.text for d in own}))
        out(f"Index of one force's findings ({len(own)}): built in {took:.0f} ms")

        later_day = datetime.date(2026, 1, 15)
        new = [doc(n + i + 1, 1, later_day) for i in range(queries)]
        rows: list[tuple[str, list[float], list[float]]] = []
        cold = []
        CPU.clear()
        for d in new[: max(1, min(queries, 20))]:
            similarity.pool_index.cache_clear()
            cold.append(_timed(functools.partial(similarity.earlier_suggestions, d, own))[0])
        rows.append(
            (
                "earlier_suggestions, first finding of an import (builds the force's index)",
                cold,
                list(CPU),
            )
        )
        similarity.earlier_suggestions(new[0], own)
        CPU.clear()
        timings = [
            _timed(functools.partial(similarity.earlier_suggestions, d, own))[0] for d in new
        ]
        rows.append(
            (
                "earlier_suggestions, each further finding of the import (index reused)",
                timings,
                list(CPU),
            )
        )
        others = frozenset(d.key for d in docs if d.force_id != 1)
        CPU.clear()
        timings = [
            _timed(
                functools.partial(
                    index.rank,
                    d.text,
                    limit=5,
                    min_score=similarity.SIMILAR_MIN_SCORE,
                    among=others,
                )
            )[0]
            for d in new
        ]
        rows.append(
            (
                f"Index.rank over the whole pool, other forces only ({len(others)})",
                timings,
                list(CPU),
            )
        )
        CPU.clear()
        timings = [_timed(functools.partial(index.rank, d.text, limit=5))[0] for d in new]
        rows.append(("Index.rank over the whole pool, no filter", timings, list(CPU)))
        for label, times, cpu in rows:
            out(
                f"{label}: median {statistics.median(times):.1f} ms, "
                f"95th percentile {_percentile(times, 0.95):.1f} ms, "
                f"CPU median {statistics.median(cpu):.1f} ms, "
                f"max {max(times):.1f} ms ({len(times)} queries)"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out(f"Peak memory of the process (max resident set size): {peak:.0f} MB")
        if options["database"]:
            database_reads(docs, rng, queries, out)


PREFIX = "bench-similarity-"


def database_reads(
    docs: list[similarity.Doc], rng: random.Random, queries: int, out: Callable[[str], Any]
) -> None:
    """Insert the findings and three stored suggestions each, time the page reads of them,
    then delete them (see the module's docstring)."""
    if Report.objects.filter(key__startswith=PREFIX).exists():
        raise CommandError("Benchmark rows already exist: use a fresh database.")
    load_reference_data()
    forces = list(Organisation.objects.filter(kind=Organisation.Kind.FORCE).order_by("code"))
    inspectorate = Organisation.objects.get(code="hmicfrs")
    try:
        started = time.perf_counter()
        by_report: dict[tuple[int, int], list[similarity.Doc]] = defaultdict(list)
        for d in docs:
            if d.published_on is None or d.force_id is None:
                continue
            by_report[(d.force_id, d.published_on.year)].append(d)
        finding_ids: dict[int, list[tuple[int, int]]] = defaultdict(list)  # force -> (year, id)
        force_of: dict[int, Organisation] = {}
        with transaction.atomic():
            for (force_no, year), group in sorted(by_report.items()):
                force = forces[(force_no - 1) % len(forces)]
                report = Report.objects.create(
                    key=f"{PREFIX}{force.code}-{year}",
                    inspectorate=inspectorate,
                    inspectorate_label="HMICFRS",
                    title=f"Benchmark report {year} for {force.short_name}",
                    report_type=ReportType.OTHER,
                    published_on=datetime.date(year, 6, 1),
                    grading_scale=GradingScale.NONE,
                )
                report.forces.set([force])
                made = Finding.objects.bulk_create(
                    [
                        Finding(
                            key=f"{PREFIX}{d.key}",
                            report=report,
                            kind=FindingKind.AREA_FOR_IMPROVEMENT,
                            area=d.area,
                            text=d.text,
                            force=force,
                            order=n,
                        )
                        for n, d in enumerate(group)
                    ],
                    batch_size=2000,
                )
                finding_ids[force.pk] += [(year, f.pk) for f in made]
                force_of[force.pk] = force
            links = []
            for force_id, found in finding_ids.items():
                found.sort()
                for n, (year, pk) in enumerate(found):
                    earlier = [e for y, e in found[max(0, n - 300) : n] if y < year]
                    for other in rng.sample(earlier, min(3, len(earlier))):
                        links.append(
                            FindingLink(
                                later_id=pk,
                                earlier_id=other,
                                force_id=force_id,
                                state=LinkState.CONFIRMED
                                if rng.random() < 0.1
                                else LinkState.SUGGESTED,
                                score=round(rng.uniform(0.3, 1.0), 4),
                                reason="Shared words: benchmark (similarity 0.50)",
                            )
                        )
            FindingLink.objects.bulk_create(links, batch_size=5000)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE tracker_findinglink")
        out(
            f"Inserted {len(docs)} findings and {len(links)} stored suggestions in "
            f"{time.perf_counter() - started:.1f} s ({connection.vendor})"
        )
        sample = rng.sample(
            [(f, pk) for f, found in finding_ids.items() for _, pk in found], queries
        )

        def suggestions(force_id: int, pk: int) -> list[Any]:
            return list(
                FindingLink.objects.suggested()
                .filter(later_id=pk, force_id=force_id)
                .order_by("-score", "id")
                .values_list("earlier_id", "score", "reason")[:5]
            )

        def chain_links(force_id: int) -> list[Any]:
            return list(
                FindingLink.objects.confirmed()
                .filter(force_id=force_id)
                .order_by()
                .values_list("pk", "later_id", "earlier_id", "relation")
            )

        for label, read in (
            ("An item's stored suggestions (one query)", suggestions),
            ("A force's confirmed links, for the chain (one query)", lambda f, _pk: chain_links(f)),
        ):
            times = [_timed(functools.partial(read, f, pk))[0] for f, pk in sample]
            out(
                f"{label}: median {statistics.median(times):.2f} ms, "
                f"95th percentile {_percentile(times, 0.95):.2f} ms ({len(times)} reads)"
            )
        f, pk = sample[0]
        for name, queryset in (
            (
                "suggestions",
                FindingLink.objects.suggested().filter(later_id=pk, force_id=f).order_by("-score"),
            ),
            ("chain", FindingLink.objects.confirmed().filter(force_id=f).order_by()),
        ):
            plan = " | ".join(line.strip() for line in queryset.explain().splitlines()[:3])
            out(f"Plan ({name}): {plan}")
    finally:
        with transaction.atomic():
            Report.objects.filter(key__startswith=PREFIX).delete()
