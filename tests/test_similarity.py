"""The similarity measure of issue 18 (tracker/similarity.py), without the database."""

import datetime

import pytest

from tracker import similarity
from tracker.similarity import Doc, Index, Match, earlier_suggestions, reason, stem, terms, words

DAY = datetime.date(2018, 3, 22)
EARLIER = datetime.date(2016, 2, 1)
PROTECT = "How effective is the force at protecting those who are vulnerable from harm?"

ATTEND = "The force is failing to attend incidents promptly, putting vulnerable victims at risk."
ATTEND_BEFORE = (
    "The force should ensure that it attends incidents involving vulnerable victims within a "
    "timescale that reflects the risk to them."
)
ORGANISED = (
    "The force should improve the awareness of organised crime groups among neighbourhood "
    "teams so that they can disrupt their activity."
)


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["attend", "attends", "attended", "attending"], "attend"),
        (["supervised", "supervision", "supervisors", "supervise"], "supervis"),
        (["evaluate", "evaluated", "evaluation", "evaluating"], "evalu"),
        (["investigate", "investigations", "investigating"], "investig"),
        (["organised", "organisations"], "organis"),
        (["vulnerable", "vulnerability"], "vulner"),
        (["identify", "identified"], "identifi"),
        (["victim", "victims"], "victim"),
    ],
)
def test_stem_gives_a_words_forms_one_stem(forms, expected):
    assert {stem(word) for word in forms} == {expected}


def test_stem_keeps_short_words_and_words_ending_in_ss_or_is():
    assert stem("risk") == "risk"
    assert stem("process") == "process"
    assert stem("analysis") == "analysis"


def test_words_drop_stopwords_boilerplate_numbers_and_short_words():
    found = words("HMIC found the force should ensure 43 of its officers attend incidents")
    assert found == ["offic", "attend", "incident"]


def test_terms_count_stems_and_pairs_of_neighbouring_stems():
    counted = terms("Risk assessment; risk assessments reviewed.")
    assert counted["risk"] == 2
    assert counted["assess"] == 2
    assert counted["risk assess"] == 2
    assert counted["assess review"] == 1


def test_rank_orders_by_similarity_and_never_returns_what_is_left_out():
    index = Index({1: ATTEND_BEFORE, 2: ORGANISED, 3: ATTEND})
    found = index.rank(ATTEND, exclude=[3])
    assert found[0].key == 1
    assert 3 not in [m.key for m in found]
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert "vulnerable" in found[0].shared
    assert index.rank(ATTEND, among=[2], min_score=0.5) == []


def test_rank_of_a_text_against_itself_scores_one():
    index = Index({1: ATTEND, 2: ORGANISED})
    assert index.rank(ATTEND, limit=1)[0] == Match(1, 1.0, index.rank(ATTEND)[0].shared)


def test_rank_ties_go_to_the_lower_key():
    index = Index({5: ATTEND_BEFORE, 2: ATTEND_BEFORE, 9: ORGANISED})
    assert [m.key for m in index.rank(ATTEND, limit=2)] == [2, 5]


def test_rank_over_a_large_pool_finds_the_same_best_as_an_exact_scan(monkeypatch):
    # A pool past COMMON_FROM gathers candidates through rare terms only; the best match
    # must be the one a full scan finds.
    monkeypatch.setattr(similarity, "COMMON_FROM", 3)
    texts = {n: f"{ORGANISED} Neighbourhood number {n} patrols." for n in range(1, 200)}
    texts[500] = ATTEND_BEFORE
    index = Index(texts)
    assert index.common < index.size
    assert index.rank(ATTEND, limit=1)[0].key == 500


def test_similarity_is_higher_for_the_same_issue_than_for_a_near_miss():
    assert similarity.similarity(ATTEND, ATTEND_BEFORE) > similarity.similarity(ATTEND, ORGANISED)


def _doc(key, text, *, force=1, day=EARLIER, area=PROTECT):
    return Doc(key=key, text=text, area=area, published_on=day, force_id=force)


def test_earlier_suggestions_keep_to_the_same_force_and_earlier_reports_never_itself():
    later = _doc(1, ATTEND, day=DAY)
    candidates = [
        later,
        _doc(2, ATTEND_BEFORE),
        _doc(3, ATTEND_BEFORE, force=2),  # another force
        _doc(4, ATTEND_BEFORE, day=DAY),  # the same report's day
        _doc(5, ATTEND_BEFORE, day=datetime.date(2019, 1, 1)),  # later
    ]
    found = earlier_suggestions(later, candidates, min_score=0.0)
    assert [s.key for s in found] == [2]


def test_earlier_suggestions_with_a_prebuilt_index_give_the_same_keys():
    later = _doc(1, ATTEND, day=DAY)
    candidates = [_doc(2, ATTEND_BEFORE), _doc(3, ORGANISED), _doc(4, ATTEND_BEFORE, force=2)]
    index = Index({c.key: c.text for c in [later, *candidates]})
    found = earlier_suggestions(later, candidates, index=index, min_score=0.0)
    assert [s.key for s in found] == [2]


def test_earlier_suggestions_give_a_bonus_and_a_reason_for_the_same_area():
    later = _doc(1, ATTEND, day=DAY, area="Protecting vulnerable people")
    same = _doc(2, ATTEND_BEFORE)
    other = _doc(3, ATTEND_BEFORE, area="Investigating crime")
    with_area = earlier_suggestions(later, [same], min_score=0.0)[0]
    without = earlier_suggestions(later, [other], min_score=0.0)[0]
    assert with_area.score == pytest.approx(without.score + similarity.AREA_BONUS, abs=1e-3)
    assert with_area.reason.startswith("Same inspection area; shared words: ")
    assert "vulnerable" in with_area.reason
    assert without.reason.startswith("Shared words: ")


def test_earlier_suggestions_drop_those_far_below_the_best():
    later = _doc(1, ATTEND, day=DAY)
    close = _doc(2, ATTEND_BEFORE)
    far = _doc(3, "Victims of burglary are not always visited by crime prevention officers.")
    found = earlier_suggestions(later, [close, far], min_score=0.0)
    assert [s.key for s in found] == [2]


def test_earlier_suggestions_respect_the_threshold():
    later = _doc(1, ATTEND, day=DAY, area="")
    assert earlier_suggestions(later, [_doc(2, ORGANISED, area="")]) == []


def test_same_area_needs_most_of_the_shorter_name():
    assert similarity.same_area("Protecting vulnerable people", PROTECT)
    assert not similarity.same_area("Preventing crime", "Investigating crime")
    assert not similarity.same_area("", PROTECT)


def test_reason_reads_as_plain_english():
    match = Match(key=1, score=0.6234, shared=("attend", "vulnerable"))
    assert reason(match) == "Shared words: attend, vulnerable (similarity 0.62)"
    assert reason(match, same_area=True) == (
        "Same inspection area; shared words: attend, vulnerable (similarity 0.62)"
    )
    assert reason(Match(key=1, score=0.1, shared=())) == "Similar wording (similarity 0.10)"


def test_a_reports_findings_share_one_index_of_their_pool():
    similarity.pool_index.cache_clear()
    candidates = [_doc(2, ATTEND_BEFORE), _doc(3, ORGANISED)]
    for key in (10, 11, 12):
        earlier_suggestions(_doc(key, ATTEND, day=DAY), candidates)
    info = similarity.pool_index.cache_info()
    assert (info.misses, info.hits) == (1, 2)
