"""The four seed documents, read as text and as PDFs, scored with the shared scorer.

The seeds, their gold files and the scorer live in the shared folder beside the project
(`SHARED_DIR`, by default `<project>/../shared`, as in CI). The quality bar of issue 7:
findings F1 of at least 0.95 for each document, every stated grade right, every matched
finding's kind right. The texts must also equal the team's hand transcription in
fixtures/reports.json, and a PDF built from each seed must give the same extraction.
"""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tracker.extraction import extract, load_known_forces, read_document
from tracker.extraction.judgements import area_key
from tracker.extraction.samples import text_to_pdf

logging.getLogger("weasyprint").setLevel(logging.WARNING)  # not every page it lays out

SHARED = Path(os.environ.get("SHARED_DIR") or Path(settings.BASE_DIR).parent / "shared")
# Where the shared folder is not beside the checkout (a clone elsewhere), the copies in the
# repository stand in: the seed texts (fixtures/sources), the gold files and the scorer
# (tests/seed_gold). test_the_copies_match_the_shared_folder keeps them identical.
COPIES = Path(settings.BASE_DIR) / "tests" / "seed_gold"
HAVE_SHARED = (SHARED / "tools" / "score_extraction.py").exists()
SEED_DIR = SHARED / "seeds" if HAVE_SHARED else Path(settings.FIXTURES_DIR) / "sources"
GOLD_DIR = SHARED / "seeds" / "gold" if HAVE_SHARED else COPIES
SCORER = SHARED / "tools" / "score_extraction.py" if HAVE_SHARED else COPIES / "score_extraction.py"
SEEDS = {
    "000_1bb8b2e8fbff0b06.txt": "000.gold.json",
    "002_d8db408b9b4688bf.txt": "002.gold.json",
    "003_2e524c8537ccaab0.txt": "003.gold.json",
    "004_1e28ba5a3fe99e5f.excerpt.txt": "004.excerpt.gold.json",
}


def test_the_copies_match_the_shared_folder():
    """The repository's copies are the shared folder's files, byte for byte (checked
    wherever the shared folder is present, as on the project's machines)."""
    if not HAVE_SHARED:
        return
    for name in SEEDS:
        source = Path(settings.FIXTURES_DIR) / "sources" / name
        assert source.read_bytes() == (SHARED / "seeds" / name).read_bytes(), name
    for gold in SEEDS.values():
        assert (COPIES / gold).read_bytes() == (SHARED / "seeds" / "gold" / gold).read_bytes()
    assert (COPIES / "score_extraction.py").read_bytes() == (
        SHARED / "tools" / "score_extraction.py"
    ).read_bytes()


def extract_json(seed: str, capsys) -> dict:
    call_command("extract_report", str(SEED_DIR / seed), "--json")
    return json.loads(capsys.readouterr().out)


def score(gold: str, predicted: dict, tmp_path) -> str:
    path = tmp_path / "predicted.json"
    path.write_text(json.dumps(predicted), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(SCORER),
            str(GOLD_DIR / gold),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_scores_at_least_095_with_every_kind_right(seed, capsys, tmp_path):
    predicted = extract_json(seed, capsys)
    report = score(SEEDS[seed], predicted, tmp_path)
    f1 = re.search(r"score F1=([\d.]+)", report)
    assert f1 is not None, report
    assert float(f1.group(1)) >= 0.95, report
    matched = re.search(r"kinds right among matched: (\d+)/(\d+)", report)
    assert matched is not None, report
    assert matched.group(1) == matched.group(2), report
    judged = re.search(r"judgements right: (\d+)/(\d+)", report)
    if judged is not None:  # a seed that states no grade has no such line
        assert judged.group(1) == judged.group(2), report
    assert "published: ok" in report, report
    assert "forces: ok" in report, report


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_has_every_stated_grade_right(seed, capsys):
    """By exact area, as the fixtures' own check (fixtures/check_seed_against_gold.py) does,
    independently of how the scorer pairs areas."""
    gold = json.loads((GOLD_DIR / SEEDS[seed]).read_text(encoding="utf-8"))
    predicted = extract_json(seed, capsys)
    got = {area_key(j["area"]): j for j in predicted["judgements"]}
    for want in gold.get("judgements", []):
        judgement = got.get(area_key(want["area"]))
        assert judgement is not None, want["area"]
        assert judgement["grade"].lower() == want["grade"].lower(), want["area"]
        assert (judgement["direction"] or "").lower() == (want["direction"] or "").lower()


def test_each_finding_and_response_reads_as_the_team_transcribed_it(capsys):
    fixtures = json.loads((Path(settings.FIXTURES_DIR) / "reports.json").read_text())
    for report in fixtures["reports"]:
        predicted = extract_json(report["source_document"], capsys)
        assert [f["text"] for f in predicted["findings"]] == [f["text"] for f in report["findings"]]
        assert [f["kind"] for f in predicted["findings"]] == [f["kind"] for f in report["findings"]]
    item = fixtures["items"][0]
    predicted = extract_json("003_2e524c8537ccaab0.txt", capsys)
    by_party = {r["party"]: r for r in predicted["responses"]}
    assert by_party["force"]["text"] == item["force_response"]
    assert by_party["pcc"]["text"] == item["pcc_response"]
    assert by_party["pcc"]["to"] == "recommendation"
    assert predicted["findings"][1]["parent"] == 0


@pytest.fixture(scope="module")
def seed_pdfs():
    """Each seed laid out as a PDF, once for the module (WeasyPrint takes a few seconds)."""
    out = {}
    for seed in SEEDS:
        text = (SEED_DIR / seed).read_text(encoding="utf-8")
        out[seed] = (text, text_to_pdf(text, header="HMIC", footer="Page"))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_a_pdf_of_each_seed_gives_the_same_extraction_as_its_text(seed, seed_pdfs):
    text, pdf = seed_pdfs[seed]
    forces = load_known_forces()
    source = read_document(pdf, seed.replace(".txt", ".pdf"))
    assert source.format == "pdf"
    assert source.pages >= 2
    assert (
        extract(source.text, known_forces=forces).to_dict()
        == extract(text, known_forces=forces).to_dict()
    )
