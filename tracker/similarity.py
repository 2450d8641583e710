"""How alike two findings are (issue 18): the one measure behind lineage suggestions and
"How other forces answered similar findings". Pure: no database, no downloads, CPU only.

The method, and why: TF-IDF over word stems and stem pairs, compared by cosine similarity,
searched through an inverted index. Findings are short, formal sentences in a small
vocabulary ("The force should ensure that ... vulnerable victims ... attend incidents
promptly"); what makes two of them the same issue is the rare words they share, which
TF-IDF weighs and a plain word count does not. A neural sentence model would need its weights
downloaded (or shipped, hundreds of megabytes) and a numeric library this machine does not
have; on these texts it would mostly rediscover the shared rare words, and it could not say
why it matched, where this method names the shared words. The stems join a word's forms
("supervised", "supervision", "supervisors"; "evaluate", "evaluation"), the pairs catch
"organised crime" or "risk assessment" as one idea, and the boilerplate every finding shares
("the force should ensure", "improve", "HMIC") is dropped before weighing.

Two findings' score (0 to 1) is the cosine of their weighted terms, plus `AREA_BONUS` for
lineage when the two sit in the same inspection area. A lineage suggestion scores at least
`LINEAGE_MIN_SCORE` and at least `LINEAGE_RELATIVE` of the best suggestion's score; a similar
finding scores at least `SIMILAR_MIN_SCORE`; five at most of each. These numbers, and the
pair weight, were tuned on the development half of the labelled set in tests/lineage_labels/
and then measured once on the held-out half (docs/lineage.md has the figures and the method).

Speed: `Index` keeps each document's weighted terms and, for each term, the documents
holding it with their weights. Ranking sums scores through the postings of the query's rarer
terms (in a pool of more than `COMMON_FROM` documents, a term held by more than
`COMMON_SHARE` of them, such as "crime", would touch most documents and says little alone),
then scores the best `RESCORE` again exactly over every query term. So a query costs
milliseconds over 100,000 findings, and lineage suggestions for a new finding, once its
force's index is built (`pool_index` keeps it for the rest of an import), about ten
(`manage.py benchmark_similarity` measures both). tracker/lineage.py and tracker/learning.py
store what it ranks, so pages read the stored neighbours and never rank.
"""

import datetime
import functools
import heapq
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
    sure whether many much every there
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Endings taken off a word, longest first, and what replaces a few of them. A stem keeps at
# least four letters. This is a light stemmer written for the inspectorate's vocabulary
# (Porter's would do as well; it would be a dependency for a few lines' gain).
_ENDING_TEXT = """
    isations:is isation:is izations:iz ization:iz ations ation ability ibility ities ity
    ments ment ables able ible ions ion ively ive ness ance ence ors or ers er ings ing
    ies:i ied:i ed es ly s
"""
_ENDINGS = {e.partition(":")[0]: e.partition(":")[2] for e in _ENDING_TEXT.split()}
ENDINGS = tuple(sorted(_ENDINGS, key=len, reverse=True))
MIN_STEM = 4


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A light stem, the same for a word's forms: "attending", "attended", "attends" ->
    "attend"; "supervised", "supervision", "supervisors" -> "supervis"; "victims" -> "victim".

    1. Take off the longest ending that leaves at least four letters ("s" only where it is a
       plural: not after "s", "u" or "i", so "process" and "analysis" stay).
    2. Even out what is left: a final "e" goes ("evaluate" as "evaluated"), a final "y"
       reads "i" ("identify" as "identified"), a final "at" goes from a long stem
       ("evaluat" as "evaluation"), and a doubled final consonant is halved ("planned").
    """
    if len(word) <= MIN_STEM:
        return word
    w = word
    for ending in ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= MIN_STEM:
            if ending == "s" and w[-2] in "siu":
                continue
            w = w[: -len(ending)] + _ENDINGS[ending]
            break
    if len(w) > MIN_STEM and w.endswith("e"):
        w = w[:-1]
    if len(w) > MIN_STEM and w.endswith("y"):
        w = w[:-1] + "i"
    if len(w) > 6 and w.endswith("at"):
        w = w[:-2]
    if len(w) > MIN_STEM and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


@functools.lru_cache(maxsize=200_000)
def meaningful(word: str) -> str | None:
    """A lower-case word's stem, or None for a stopword, a number or a short word."""
    if word in STOPWORDS or len(word) < 3 or word.isdigit():
        return None
    stemmed = stem(word)
    return None if stemmed in STOPWORDS else stemmed


def words(text: str) -> list[str]:
    """The text's meaningful words, stemmed, in order (stopwords, numbers and short words
    dropped)."""
    return [s for s in map(meaningful, WORD.findall(text.lower())) if s]


def surface(text: str) -> dict[str, str]:
    """Each stem of the text and the word it first came from ("vulner" -> "vulnerable"), so
    that reasons name words people wrote, not stems."""
    out: dict[str, str] = {}
    for word in WORD.findall(text.lower()):
        stemmed = meaningful(word)
        if stemmed:
            out.setdefault(stemmed, word)
    return out


def terms(text: str) -> Counter[str]:
    """The terms counted: each stem, and each pair of neighbouring stems ("risk assess")."""
    stems = words(text)
    return Counter(stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)])


# A pair of stems weighs this much of what its TF-IDF says: pairs are rarer than single
# words, so unweighted they would crowd out the words two findings share in another order.
PAIR_WEIGHT = 0.25
# Ranking gathers candidates only through query terms held by at most this share of the
# pool's documents (for pools of more than `COMMON_FROM` documents); candidates are then
# scored over every query term. A document sharing only very common terms with the query
# would score far below any threshold.
COMMON_SHARE = 0.02
COMMON_FROM = 5000
RESCORE = 500


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
        # Each term's IDF times the pair weight for pairs, worked out once per term.
        self.factor = {
            term: idf * PAIR_WEIGHT if " " in term else idf for term, idf in self.idf.items()
        }
        # Each document's vector as `weigh` makes it, written out here (every term is known)
        # because this loop is most of the time an index takes to build.
        self.vectors: dict[int, dict[str, float]] = {}
        postings: defaultdict[str, dict[int, float]] = defaultdict(dict)
        factor, log, sqrt = self.factor, math.log, math.sqrt
        for key, found in counted.items():
            raw = {t: factor[t] if n == 1 else (1.0 + log(n)) * factor[t] for t, n in found.items()}
            if not raw:
                self.vectors[key] = {}
                continue
            scale = 1.0 / sqrt(sum(w * w for w in raw.values()))
            vector = {t: w * scale for t, w in raw.items()}
            self.vectors[key] = vector
            for t, w in vector.items():
                postings[t][key] = w
        self.postings: dict[str, dict[int, float]] = dict(postings)
        self.common = (
            max(1, int(COMMON_SHARE * self.size)) if self.size > COMMON_FROM else self.size
        )

    def weigh(self, counted: Mapping[str, int]) -> dict[str, float]:
        """Sublinear term frequency times IDF (pairs times `PAIR_WEIGHT`), scaled to length
        1. A term no document of the pool has weighs as the rarest term would."""
        factor = self.factor
        unseen = math.log(1 + self.size) + 1.0
        raw = {
            term: (1.0 if n == 1 else 1.0 + math.log(n))
            * (factor[term] if term in factor else unseen * (PAIR_WEIGHT if " " in term else 1.0))
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
        return self.rank_vector(
            query,
            limit=limit,
            min_score=min_score,
            exclude=exclude,
            among=among,
            spelled=surface(text),
        )

    def rank_vector(
        self,
        query: Mapping[str, float],
        *,
        limit: int = 5,
        min_score: float = 0.0,
        exclude: Iterable[int] = (),
        among: Iterable[int] | None = None,
        spelled: Mapping[str, str] | None = None,
    ) -> list[Match]:
        """`rank` for a query already weighed by this index (`weigh(terms(text))`);
        `spelled` names the query's stems in the reasons (`surface(text)`)."""
        scored = self.scores(
            query, min_score=min_score, exclude=exclude, among=among, depth=max(limit, 1)
        )
        return [
            Match(
                key=key,
                score=round(min(score, 1.0), 4),
                shared=self.shared(query, key, spelled=spelled),
            )
            for score, key in scored[:limit]
        ]

    def scores(
        self,
        query: Mapping[str, float],
        *,
        min_score: float = 0.0,
        exclude: Iterable[int] = (),
        among: Iterable[int] | None = None,
        depth: int | None = None,
    ) -> list[tuple[float, int]]:
        """(score, key) of the documents sharing a term with the query, best first, ties by
        key, each scoring above 0 and at least `min_score`; `depth` at most (all if None).

        1. Scores are summed through the postings of the query's rarer terms: those at most
           `self.common` documents hold (in a pool of up to `COMMON_FROM` documents, all).
           If every query term is common, the rarest one stands for them.
        2. If the query has common terms, the best `RESCORE` (or `depth`, if more)
           documents by that sum are scored again exactly over every query term, so that
           the common terms, light as they are, still order them.
        """
        left_out = set(exclude)
        allowed = among if among is None or isinstance(among, set | frozenset) else set(among)
        present = [t for t in query if t in self.postings]
        rare = [t for t in present if len(self.postings[t]) <= self.common]
        if not rare and present:
            rare = [min(present, key=lambda t: len(self.postings[t]))]
        common = [t for t in present if t not in rare]
        summed: dict[int, float] = defaultdict(float)
        for term in rare:
            weight = query[term]
            for key, w in self.postings[term].items():
                summed[key] += weight * w
        found = (
            (score, key)
            for key, score in summed.items()
            if key not in left_out and (allowed is None or key in allowed)
        )
        if common:
            best = heapq.nlargest(max(RESCORE, depth or 0), found)
            found = (
                (
                    score + sum(query[t] * self.vectors[key].get(t, 0.0) for t in common),
                    key,
                )
                for score, key in best
            )
        kept = [(score, key) for score, key in found if score > 0 and score >= min_score]
        if depth is not None and depth < len(kept):
            return heapq.nsmallest(depth, kept, key=lambda pair: (-pair[0], pair[1]))
        kept.sort(key=lambda pair: (-pair[0], pair[1]))
        return kept

    def shared(
        self,
        query: Mapping[str, float],
        key: int,
        most: int = 5,
        spelled: Mapping[str, str] | None = None,
    ) -> tuple[str, ...]:
        """The single words the query shares with a document, heaviest first (as the query
        spelled them, when `spelled` says)."""
        vector = self.vectors.get(key, {})
        common = [(query[t] * vector[t], t) for t in query.keys() & vector.keys() if " " not in t]
        best = [t for _, t in sorted(common, key=lambda p: (-p[0], p[1]))[:most]]
        return tuple((spelled or {}).get(t, t) for t in best)


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
LINEAGE_MIN_SCORE = 0.3
SIMILAR_MIN_SCORE = 0.2
AREA_BONUS = 0.15
SUGGESTIONS = 5
# A lineage suggestion also scores at least this share of the best one's score: a finding
# usually continues one or two earlier ones, and the rest of a close field are near-misses.
LINEAGE_RELATIVE = 0.7
# Two areas are the same when this share of the shorter one's words is in the other.
AREA_OVERLAP = 0.6


@dataclass(frozen=True)
class Doc:
    """A finding as the measures see it: its id, text, inspection area, its report's
    publication day and the force it is about (None for every force of the report)."""

    key: int
    text: str
    area: str = ""
    published_on: datetime.date | None = None
    force_id: int | None = None


@functools.lru_cache(maxsize=8)
def pool_index(documents: tuple[tuple[int, str], ...]) -> Index:
    """The Index of these (key, text) pairs, kept for the next call with the same pairs (a few
    pools at a time; keyed by their content, so never stale)."""
    return Index(dict(documents))


@dataclass(frozen=True)
class Suggestion:
    key: int
    score: float
    reason: str


@functools.lru_cache(maxsize=10_000)
def same_area(a: str, b: str) -> bool:
    """Two inspection areas named alike: most of the shorter one's meaningful words are in the
    other (the inspectorate renames areas between frameworks: "Protecting vulnerable people"
    and "How effective is the force at protecting those who are vulnerable from harm"), so one
    shared word of two ("crime" in "Preventing crime" and "Investigating crime") is not
    enough."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= AREA_OVERLAP


def earlier_suggestions(
    later: Doc,
    candidates: Sequence[Doc],
    *,
    limit: int = SUGGESTIONS,
    min_score: float = LINEAGE_MIN_SCORE,
    index: Index | None = None,
) -> list[Suggestion]:
    """The earlier findings `later` may repeat, continue or supersede, best first: only
    findings about the same force (lineage stays within a force), published before it, never
    itself; scored by similarity, with a bonus for the same inspection area; at most
    `limit`, each at least `min_score` and at least `LINEAGE_RELATIVE` of the best score.

    `index`, when given, is an Index already built over (at least) the candidates' keys and
    texts, such as one over every finding, built once for a whole import. Without it, the
    index of the candidates that qualify is built, or reused if the same candidates were
    given lately (`pool_index`): the findings of one report share their pool, so an import
    builds it once, not once per finding."""
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
    if index is None:
        index = pool_index(tuple((k, c.text) for k, c in pool.items()))
        among = None
    else:
        among = set(pool)
    query = index.weigh(terms(later.text))
    # Every candidate sharing a term is scored: the area bonus can lift one the text alone
    # ranks below the first `limit`.
    scored = []
    for text_score, key in index.scores(query, among=among, exclude=(later.key,)):
        area = same_area(later.area, pool[key].area)
        score = round(min(1.0, text_score + (AREA_BONUS if area else 0.0)), 4)
        if score >= min_score:
            scored.append((score, key, area))
    scored.sort(key=lambda s: (-s[0], s[1]))
    floor = LINEAGE_RELATIVE * scored[0][0] if scored else 0.0
    spelled = surface(later.text)
    return [
        Suggestion(
            key=key,
            score=score,
            reason=reason(
                Match(key, score, index.shared(query, key, spelled=spelled)), same_area=area
            ),
        )
        for score, key, area in scored[:limit]
        if score >= floor
    ]
