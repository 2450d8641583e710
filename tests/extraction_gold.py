"""The composed excerpts of issue 17 and their gold files, scored as the seeds are.

Each excerpt lives in `tests/extraction_samples/<kind>/<name>.<ext>` (text, HTML or PDF, read
through `read_document` as an upload is) beside `<name>.gold.json`. The gold schema is the
seeds' (seeds/README.md), extended where a kind needs it (docs/extraction.md, "Gold files"):

- top level, optional: `document_type`, `kind_known` (false for a kind the extractor must
  say it does not know), `organisation_kind` ("force" | "fire_and_rescue"), `services`;
- per finding, optional: `reference` (as published), `addressee`, `addressee_kind`
  ("forces" | "national_body"), `status_history` ([{"status", "dated"}], oldest first),
  `parts` (how many), `target_date`;
- per response, optional: `status` and `source`.

Findings are paired by the shared scorer's own rule (`match_findings`: the gold opening
words start the predicted text), so F1 here means what it means for the seeds. A document
whose right answer is no findings scores 1.0 when none are predicted and 0.0 otherwise.

Run `python -m tests.extraction_gold` for the table of F1 per excerpt (in the note).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "extraction_samples"
_SCORER = Path(__file__).resolve().parent / "seed_gold" / "score_extraction.py"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_extraction", _SCORER)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORER = _scorer()


def sample_paths() -> list[Path]:
    """Every composed excerpt that has a gold file."""
    return sorted(
        p
        for p in SAMPLES.glob("*/*")
        if p.is_file()
        and not p.name.endswith(".gold.json")
        and p.with_name(p.name.rsplit(".", 1)[0] + ".gold.json").exists()
    )


def gold_for(path: Path) -> dict:
    return json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".gold.json").read_text())


def extract_sample(path: Path, known_forces: list[str]):
    from tracker.extraction import extract, read_document

    source = read_document(path.read_bytes(), path.name)
    result = extract(source.text, known_forces=known_forces)
    result.ocr_pages = list(getattr(source, "ocr_pages", []) or [])
    return result


@dataclass
class Score:
    gold: int
    predicted: int
    matched: int
    problems: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        if not self.predicted:
            return 1.0 if not self.gold else 0.0
        return self.matched / self.predicted

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else (1.0 if not self.predicted else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _norm(text: str | None) -> str:
    return SCORER.norm(text or "")


def _addressee(text: str | None) -> str:
    """An addressee compared without a leading article: "The College of Policing" is
    "College of Policing"."""
    return re.sub(r"^the\s+", "", _norm(text))


def score(gold: dict, result) -> Score:
    """Findings F1 by the shared scorer's pairing, and every extended field the gold states."""
    predicted = result.to_dict()
    pairs = SCORER.match_findings(gold.get("findings", []), predicted["findings"])
    out = Score(len(gold.get("findings", [])), len(predicted["findings"]), len(pairs))
    problems = out.problems
    for key in ("document_type", "kind_known", "organisation_kind", "report_type"):
        if key in gold and gold[key] != predicted.get(key):
            problems.append(f"{key}: expected {gold[key]!r}, got {predicted.get(key)!r}")
    if "services" in gold and sorted(gold["services"]) != sorted(predicted.get("services", [])):
        problems.append(f"services: expected {gold['services']}, got {predicted.get('services')}")
    if "forces" in gold and sorted(gold["forces"]) != sorted(predicted.get("forces", [])):
        problems.append(f"forces: expected {gold['forces']}, got {predicted.get('forces')}")
    for g, p in pairs:
        where = f"finding {g['text_start'][:40]!r}"
        if g.get("kind") and g["kind"] != p["kind"]:
            problems.append(f"{where}: kind {p['kind']!r}, expected {g['kind']!r}")
        for key in ("reference", "addressee_kind", "target_date"):
            if key in g and _norm(g[key]) != _norm(p.get(key)):
                problems.append(f"{where}: {key} {p.get(key)!r}, expected {g[key]!r}")
        if "addressee" in g and _addressee(g["addressee"]) != _addressee(p.get("addressee")):
            problems.append(
                f"{where}: addressee {p.get('addressee')!r}, expected {g['addressee']!r}"
            )
        if "parts" in g and g["parts"] != len(p.get("parts", [])):
            problems.append(f"{where}: {len(p.get('parts', []))} parts, expected {g['parts']}")
        if "status_history" in g:
            got = [(s["status"], s.get("dated")) for s in p.get("status_history", [])]
            want = [(s["status"], s.get("dated")) for s in g["status_history"]]
            if got != want:
                problems.append(f"{where}: status history {got}, expected {want}")
    missing = [
        g["text_start"][:50] for g in gold.get("findings", []) if g not in [a for a, _ in pairs]
    ]
    if missing:
        problems.append(f"not found: {missing}")
    gold_responses = gold.get("responses", [])
    for g in gold_responses:
        found = [
            r
            for r in predicted["responses"]
            if _norm(r["text"]).startswith(SCORER.opening(g["text_start"]))
            and r["party"] == g["party"]
        ]
        if not found:
            problems.append(f"response not found: {g['text_start'][:50]!r}")
            continue
        for key in ("status", "source"):
            if key in g and _norm(g[key]) != _norm(found[0].get(key)):
                problems.append(f"response {key} {found[0].get(key)!r}, expected {g[key]!r}")
    if "responses" in gold and len(predicted["responses"]) != len(gold_responses):
        problems.append(f"{len(predicted['responses'])} responses, expected {len(gold_responses)}")
    return out


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tracker.extraction import load_known_forces

    forces = load_known_forces()
    print(f"{'excerpt':<58} {'gold':>4} {'pred':>4} {'F1':>6}  problems")
    for path in sample_paths():
        s = score(gold_for(path), extract_sample(path, forces))
        name = str(path.relative_to(SAMPLES))
        print(f"{name:<58} {s.gold:>4} {s.predicted:>4} {s.f1:>6.3f}  {len(s.problems)}")
        for problem in s.problems:
            print(f"    {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
