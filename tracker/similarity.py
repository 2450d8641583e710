"""How alike two findings are (issue 18): the one measure behind lineage suggestions and
"How other forces answered similar findings". Pure: no database, no downloads, CPU only.

The method, and why: TF-IDF over word stems and stem pairs, compared by cosine similarity,
searched through an inverted index. Findings are short, formal sentences in a small
vocabulary ("The force should ensure that ... vulnerable victims ... attend incidents
promptly"); what makes two of them the same issue is the rare words they share, which
TF-IDF weighs and a plain word count does not. A neural sentence model would need its weights
downloaded (or shipped, hundreds of megabytes) and a numeric library this machine does not
have; on these texts it would mostly rediscover the shared rare words. The stems and pairs
catch "attend"/"attending", "risk assessment" as one idea; the boilerplate every finding
shares ("the force should ensure", "improve", "HMIC") is dropped before weighing.

`Index` keeps each document's weighted terms and, for each term, the documents holding it, so
ranking a query touches only documents that share a term with it (milliseconds over
thousands of findings; tracker/lineage.py and tracker/learning.py store what it ranks, so
pages read the stored neighbours and never rank).
"""

import datetime
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-z0-9]+")

# Common English words, and the boilerplate of inspection findings: words nearly every
# finding has, which say nothing about what it is about.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with within would you your yours
    force forces forcewide constabulary police policing service services hmic hmicfrs
    inspectorate inspection inspected report chief constable constables ensure ensures
    ensuring make makes making take takes taking step steps improve improves improving
    improvement improvements area areas should must need needs needed way ways work works
    working well better effective effectively currently current continue continues further
    including include includes use uses using within immediately month months year years
    recommendation recommendations recommend concern cause found find finds findings
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Suffixes taken off a word, longest first; a stem keeps at least four letters.
SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
MIN_STEM = 4


def stem(word: str) -> str:
    """A light stem: "attending", "attended", "attends" -> "attend"; "victims" -> "victim"."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            return base
    return word


def words(text: str) -> list[str]:
    """The text's meaningful words, stemmed, in order (stopwords, numbers and short words
    dropped)."""
    out = []
    for word in WORD.findall(text.lower()):
        if word in STOPWORDS or len(word) < 3 or word.isdigit():
            continue
        stemmed = stem(word)
        if stemmed not in STOPWORDS:
            out.append(stemmed)
    return out


def terms(text: str) -> Counter[str]:
    """The terms counted: each stem, and each pair of neighbouring stems ("risk assess")."""
    stems = words(text)
    counted: Counter[str] = Counter(stems)
    counted.update(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    return counted


@dataclass(frozen=True)
class Match:
    """A document like the query: its key, the cosine similarity (0 to 1) and the words the
    two share, heaviest first (for the reason shown beside a suggestion)."""

    key: int
    score: float
    shared: tuple[str, ...]


class Index:
    """Documents (key -> text) weighed by TF-IDF, ranked against a query by cosine
    similarity. Build it once for a pool of candidates, then rank many queries."""

    def __init__(self, documents: Mapping[int, str]) -> None:
        counted = {key: terms(text) for key, text in documents.items()}
        frequency: Counter[str] = Counter()
        for found in counted.values():
            frequency.update(found.keys())
        self.size = len(counted)
        self.idf = {
            term: math.log((1 + self.size) / (1 + df)) + 1.0 for term, df in frequency.items()
        }
        self.vectors: dict[int, dict[str, float]] = {}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for key, found in counted.items():
            vector = self.weigh(found)
            self.vectors[key] = vector
            for term in vector:
                self.postings[term].append(key)

    def weigh(self, counted: Mapping[str, int]) -> dict[str, float]:
        """Sublinear term frequency times IDF, scaled to length 1. A term no document of the
        pool has weighs as the rarest term would."""
        unseen = math.log(1 + self.size) + 1.0
        raw = {
            term: (1.0 + math.log(n)) * self.idf.get(term, unseen)
            for term, n in counted.items()
            if n > 0
        }
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {term: w / norm for term, w in raw.items()} if norm else {}

    def rank(
        self,
        text: str,
        *,
        limit: int = 5,
        min_score: float = 0.0,
        exclude: Iterable[int] = (),
        among: Iterable[int] | None = None,
    ) -> list[Match]:
        """The documents most like `text`, best first: at most `limit`, each scoring at
        least `min_score`; `exclude` leaves keys out, `among` keeps only those keys."""
        query = self.weigh(terms(text))
        left_out = set(exclude)
        allowed = None if among is None else set(among)
        scores: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for key in self.postings.get(term, ()):
                scores[key] += weight * self.vectors[key][term]
        ranked = sorted(
            (
                (score, key)
                for key, score in scores.items()
                if key not in left_out
                and (allowed is None or key in allowed)
                and score >= min_score
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )[:limit]
        return [
            Match(key=key, score=round(min(score, 1.0), 4), shared=self.shared(query, key))
            for score, key in ranked
        ]

    def shared(self, query: Mapping[str, float], key: int, most: int = 5) -> tuple[str, ...]:
        """The single words the query shares with a document, heaviest first."""
        vector = self.vectors.get(key, {})
        common = [(query[t] * vector[t], t) for t in query.keys() & vector.keys() if " " not in t]
        return tuple(t for _, t in sorted(common, key=lambda p: (-p[0], p[1]))[:most])


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts weighed as a pool of the two (for tests and checks)."""
    index = Index({0: a, 1: b})
    found = index.rank(a, among=[1], limit=1)
    return found[0].score if found else 0.0


def reason(match: Match, *, same_area: bool = False) -> str:
    """Why a finding was suggested, in plain English: "Same inspection area; shared words:
    attend, incident, vulnerable (similarity 0.62)"."""
    parts = []
    if same_area:
        parts.append("Same inspection area")
    if match.shared:
        parts.append("shared words: " + ", ".join(match.shared))
    text = "; ".join(parts) if parts else "Similar wording"
    text = text[0].upper() + text[1:]
    return f"{text} (similarity {match.score:.2f})"


# Lineage and similar findings: the thresholds and the bonus for findings in the same
# inspection area. Measured on the labelled set (tests/lineage_labels/), not guessed: see
# docs/lineage.md for the figures each gives.
LINEAGE_MIN_SCORE = 0.08
SIMILAR_MIN_SCORE = 0.08
AREA_BONUS = 0.1
SUGGESTIONS = 5


@dataclass(frozen=True)
class Doc:
    """A finding as the measures see it: its id, text, inspection area, its report's
    publication day and the force it is about (None for every force of the report)."""

    key: int
    text: str
    area: str = ""
    published_on: datetime.date | None = None
    force_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    key: int
    score: float
    reason: str


def same_area(a: str, b: str) -> bool:
    """Two inspection areas named alike: half their meaningful words in common (the
    inspectorate renames areas between frameworks: "protecting vulnerable people" and "How
    effective is the force at protecting those who are vulnerable from harm")."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


def earlier_suggestions(
    later: Doc,
    candidates: Sequence[Doc],
    *,
    limit: int = SUGGESTIONS,
    min_score: float = LINEAGE_MIN_SCORE,
) -> list[Suggestion]:
    """The earlier findings `later` may repeat, continue or supersede, best first: only
    findings about the same force (lineage stays within a force), published before it, never
    itself; scored by similarity, with a bonus for the same inspection area."""
    pool = {
        c.key: c
        for c in candidates
        if c.key != later.key
        and c.force_id == later.force_id
        and (
            later.published_on is None
            or c.published_on is None
            or c.published_on < later.published_on
        )
    }
    if not pool:
        return []
    index = Index({k: c.text for k, c in pool.items()})
    found = []
    for match in index.rank(later.text, limit=len(pool), min_score=0.0):
        area = same_area(later.area, pool[match.key].area)
        score = min(1.0, match.score + (AREA_BONUS if area else 0.0))
        if score >= min_score:
            found.append(
                Suggestion(
                    key=match.key,
                    score=round(score, 4),
                    reason=reason(Match(match.key, round(score, 4), match.shared), same_area=area),
                )
            )
    found.sort(key=lambda s: (-s.score, s.key))
    return found[:limit]
