"""Precision and recall of lineage suggestions and "similar findings" on the labelled set
(issue 18). Pure: reads tests/lineage_labels/*.json, no database.

    python -m tests.lineage_metrics            # both splits, both measures
    python -m tests.lineage_metrics --errors   # also list the misses and false suggestions
    python -m tests.lineage_metrics --split dev  # one split only (tune on dev, never held_out)

Lineage: for each labelled later finding, `similarity.earlier_suggestions` against every
finding of the set (all forces: the function must keep to the same force and earlier dates
itself; a suggestion from another force counts as a false one), measured two ways:
"lineage" with one Index over the whole set passed as `index` (its word weights stand for
those of a real pool of hundreds of findings) and "lineage-pool" without, as
tracker/lineage.py calls it, so that each call weighs words over that force's few earlier
findings in the set only. Similar findings: the top
`SIMILAR_TOP` of `Index.rank` over the whole set, keeping only other forces' findings, each
at least `SIMILAR_MIN_SCORE`. Both are micro-averaged: every suggestion and every labelled
pair counts once, over all queries of the split.
"""

import argparse
import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tracker import similarity

LABELS = Path(__file__).parent / "lineage_labels"
SIMILAR_TOP = 5


@dataclass(frozen=True)
class Finding:
    key: str
    force: str
    report: str
    kind: str
    published_on: datetime.date
    area: str
    text: str
    issue: str | None
    source: str


@dataclass
class Score:
    """Counts for one measure on one split, micro-averaged."""

    queries: int = 0
    suggested: int = 0
    labelled: int = 0
    correct: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load() -> tuple[list[Finding], dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """The findings, the splits (name -> forces) and the labels (measure -> key -> keys)."""
    data = json.loads((LABELS / "findings.json").read_text(encoding="utf-8"))
    labels = json.loads((LABELS / "labels.json").read_text(encoding="utf-8"))
    findings = [
        Finding(**{**f, "published_on": datetime.date.fromisoformat(f["published_on"])})
        for f in data["findings"]
    ]
    return findings, data["splits"], {"lineage": labels["lineage"], "similar": labels["similar"]}


def derived_labels(findings: list[Finding]) -> dict[str, dict[str, list[str]]]:
    """The labels as the issue ids imply them: lineage, for each finding with an earlier
    finding of its force, the earlier ones of the same issue; similar, for each finding, the
    other forces' findings of the same issue. labels.json must equal this."""
    lineage: dict[str, list[str]] = {}
    similar: dict[str, list[str]] = {}
    for f in findings:
        earlier = [g for g in findings if g.force == f.force and g.published_on < f.published_on]
        if earlier:
            lineage[f.key] = sorted(g.key for g in earlier if f.issue and g.issue == f.issue)
        similar[f.key] = sorted(
            g.key for g in findings if g.force != f.force and f.issue and g.issue == f.issue
        )
    return {"lineage": lineage, "similar": similar}


def _docs(findings: list[Finding]) -> tuple[list[similarity.Doc], dict[int, Finding]]:
    forces = {force: n for n, force in enumerate(sorted({f.force for f in findings}), 1)}
    by_id = {n: f for n, f in enumerate(findings, 1)}
    docs = [
        similarity.Doc(
            key=n, text=f.text, area=f.area, published_on=f.published_on, force_id=forces[f.force]
        )
        for n, f in by_id.items()
    ]
    return docs, by_id


def _count(score: Score, key: str, found: list[tuple[str, float]], gold: set[str]) -> None:
    score.queries += 1
    score.suggested += len(found)
    score.labelled += len(gold)
    keys = {k for k, _ in found}
    score.correct += len(keys & gold)
    score.misses += [(key, g) for g in sorted(gold - keys)]
    score.wrong += [(key, k, s) for k, s in found if k not in gold]


def measure(
    findings: list[Finding],
    labels: dict[str, dict[str, list[str]]],
    in_split: Callable[[Finding], bool],
) -> dict[str, Score]:
    """Lineage and similar-findings scores over the queries `in_split` accepts."""
    docs, by_id = _docs(findings)
    id_of = {f.key: n for n, f in by_id.items()}
    scores = {"lineage": Score(), "lineage-pool": Score(), "similar": Score()}
    index = similarity.Index({d.key: d.text for d in docs})
    for key, gold in labels["lineage"].items():
        n = id_of[key]
        if not in_split(by_id[n]):
            continue
        for name, shared in (("lineage", index), ("lineage-pool", None)):
            suggested = similarity.earlier_suggestions(docs[n - 1], docs, index=shared)
            _count(scores[name], key, [(by_id[s.key].key, s.score) for s in suggested], set(gold))
    for key, gold in labels["similar"].items():
        n = id_of[key]
        query = by_id[n]
        if not in_split(query):
            continue
        others = [m for m, f in by_id.items() if f.force != query.force]
        found = index.rank(
            query.text, limit=SIMILAR_TOP, min_score=similarity.SIMILAR_MIN_SCORE, among=others
        )
        _count(scores["similar"], key, [(by_id[m.key].key, m.score) for m in found], set(gold))
    return scores


def _in_forces(forces: set[str], finding: Finding) -> bool:
    return finding.force in forces


def figures(only: str | None = None) -> dict[str, dict[str, Score]]:
    """Scores for each split ("dev", "held_out") and for the whole set ("all"); `only` one."""
    findings, splits, labels = load()
    out = {
        name: measure(findings, labels, functools.partial(_in_forces, set(forces)))
        for name, forces in splits.items()
        if only is None or only == name
    }
    if only is None or only == "all":
        out["all"] = measure(findings, labels, lambda f: True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misses and false ones")
    parser.add_argument("--split", choices=["dev", "held_out", "all"], help="only this split")
    args = parser.parse_args()
    findings = {f.key: f for f in load()[0]}
    print(
        f"thresholds: lineage {similarity.LINEAGE_MIN_SCORE}, similar "
        f"{similarity.SIMILAR_MIN_SCORE}, area bonus {similarity.AREA_BONUS}, relative "
        f"{similarity.LINEAGE_RELATIVE}, pair weight {similarity.PAIR_WEIGHT}"
    )
    for split, scores in figures(args.split).items():
        for measure_name, s in scores.items():
            print(
                f"{split:9} {measure_name:12} queries {s.queries:3}  suggested {s.suggested:3}  "
                f"labelled {s.labelled:3}  correct {s.correct:3}  precision {s.precision:.3f}  "
                f"recall {s.recall:.3f}  F1 {s.f1:.3f}"
            )
            if args.errors and split != "all":
                for q, k in s.misses:
                    print(f"    miss  {q} -> {k}: {findings[k].text[:70]!r}")
                for q, k, sc in s.wrong:
                    print(f"    false {q} -> {k} ({sc}): {findings[k].text[:70]!r}")


if __name__ == "__main__":
    main()
