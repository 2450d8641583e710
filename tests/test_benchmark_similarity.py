"""The benchmark_similarity command (issue 18): it runs on a small pool and reports every
figure docs/lineage.md quotes, without touching the database."""

import io
import re

from django.core.management import call_command


def test_it_reports_build_times_query_times_and_memory():
    out = io.StringIO()
    call_command("benchmark_similarity", findings=600, forces=5, queries=4, stdout=out)
    text = out.getvalue()
    assert "600 findings over 5 forces" in text
    assert re.search(r"Index of the whole pool \(600 findings, \d+ terms\): built in", text)
    for label in (
        "earlier_suggestions, first finding of an import",
        "earlier_suggestions, each further finding of the import",
        "Index.rank over the whole pool, other forces only",
        "Index.rank over the whole pool, no filter",
    ):
        assert re.search(re.escape(label) + r".*: median [\d.]+ ms, 95th percentile", text)
    assert re.search(r"Peak memory of the process .*: \d+ MB", text)
    assert "stored suggestions" not in text  # no --database, no rows
