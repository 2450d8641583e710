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

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
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
