"""Issue 17: every composed excerpt (tests/extraction_samples/<kind>/) extracts as its gold
file says: findings by the shared scorer's pairing, and each extended field the gold states
(reference, addressee, status history, responses' status and source). No database."""

import pytest

from tests.extraction_gold import SAMPLES, extract_sample, gold_for, sample_paths, score
from tracker.extraction import load_known_forces

FORCES = load_known_forces()
PATHS = sample_paths()

# Two excerpts at least of each kind the issue names (one folder per kind).
KINDS = {
    "peel_2021",
    "thematic",
    "programmes",
    "register",
    "responses",
    "fire",
}


def test_every_kind_has_two_excerpts_at_least():
    counts = {kind: 0 for kind in KINDS}
    for path in PATHS:
        kind = path.parent.name
        counts[kind] = counts.get(kind, 0) + 1
    assert {k: n for k, n in counts.items() if n < 2} == {}


@pytest.mark.parametrize("path", PATHS, ids=[str(p.relative_to(SAMPLES)) for p in PATHS])
def test_excerpt_extracts_as_its_gold_says(path):
    result = score(gold_for(path), extract_sample(path, FORCES))
    assert result.problems == []
    assert result.f1 == 1.0
