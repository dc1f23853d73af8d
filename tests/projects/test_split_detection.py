"""办法第八条 (issue 15): split detection measured on a labelled call (tests/projects/
split_corpus.py) — recall ≥ 0.9 and precision ≥ 0.8 at the policy's threshold, with the
standard paragraphs many applications copy discounted — and the measure's own properties."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import given, strategies as st

from lifecycle.policy import get_policy
from projects.similarity import FIELDS, Corpus, name_similarity, name_stem, similarity, split_pairs

from .split_corpus import APPS, BOILERPLATE, DUPLICATES, SPLITS


def _same_department_pairs():
    return [(a, b) for a, b in itertools.combinations(APPS, 2) if a.owner == b.owner]


def _flagged(apps, corpus):
    return {frozenset((p.key, q.key)) for p, q, _s, _d in split_pairs(apps, corpus)}


def measure() -> dict:
    """Precision and recall of the warnings on the labelled call, department by department,
    as detect_splits runs (the corpus is the whole call)."""
    corpus = Corpus.of(APPS)
    flagged = set()
    for owner in {a.owner for a in APPS}:
        flagged |= _flagged([a for a in APPS if a.owner == owner], corpus)
    true = flagged & SPLITS
    return {
        "pairs": len(_same_department_pairs()),
        "splits": len(SPLITS),
        "flagged": len(flagged),
        "precision": len(true) / len(flagged) if flagged else 1.0,
        "recall": len(true) / len(SPLITS),
        "missed": sorted(tuple(sorted(p)) for p in SPLITS - flagged),
        "false": sorted(tuple(sorted(p)) for p in flagged - SPLITS),
    }


def test_the_labelled_call_is_found_with_the_recall_and_precision_asked():
    figures = measure()
    assert figures["recall"] >= 0.9, figures
    assert figures["precision"] >= 0.8, figures


def test_every_split_scores_above_every_other_pair():
    """The threshold sits in a gap, not on a knife edge: the weakest split scores above the
    strongest pair that is not one."""
    corpus = Corpus.of(APPS)
    scores = {frozenset((a.key, b.key)): similarity(a, b, corpus)[0] for a, b in _same_department_pairs()}
    weakest_split = min(s for pair, s in scores.items() if pair in SPLITS)
    strongest_other = max(s for pair, s in scores.items() if pair not in SPLITS)
    assert weakest_split > get_policy().split_warning_threshold > strongest_other + 0.1


def test_shared_boilerplate_alone_raises_no_warning():
    """Applications of one department for different systems, all with the very same standard
    技术路线 (the flood of issue 15: 119 warnings for 37 applications)."""
    # (the cross-department duplicates, put in one department, would be a split: left out too)
    in_a_split = {key for pair in SPLITS | DUPLICATES for key in pair}
    apps = [
        replace(a, owner="一个部门", technical_route=BOILERPLATE) for a in APPS if a.key not in in_a_split
    ]
    assert len(apps) >= 12
    assert split_pairs(apps, Corpus.of(APPS)) == []


def test_warnings_come_most_likely_first():
    corpus = Corpus.of(APPS)
    hotline = [a for a in APPS if a.owner == "政务服务数据管理局"]
    scores = [score for _p, _q, score, _d in split_pairs(hotline, corpus)]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 4


def test_the_names_of_the_parts_meet_again():
    assert name_stem("12345政务服务便民热线系统（一标段）") == name_stem(
        "12345政务服务便民热线系统（三标段）"
    )
    assert name_stem("综合交通运输运行监测系统（2027年建设内容）") == name_stem(
        "综合交通运输运行监测系统（2028年建设内容）"
    )
    assert name_stem("生态环境监测数据汇聚平台（中央资金部分）") == name_stem(
        "生态环境监测数据汇聚平台（省级资金部分）"
    )
    assert name_similarity("医疗保障信息平台软件开发", "医疗保障信息平台硬件采购") == 1.0
    assert name_similarity("中小学学籍管理系统升级改造", "教师资格认定管理系统") < 0.4


TEXT = st.text(
    alphabet=st.sampled_from("政务数据共享平台系统建设教育医疗交通应急一二三标段期年资金123，。 "),
    max_size=60,
)
APP = st.builds(
    lambda n, g, c, r: replace(
        APPS[0], name=n, performance_targets=g, content_and_scale=c, technical_route=r
    ),
    TEXT,
    TEXT,
    TEXT,
    TEXT,
)


@given(APP, APP)
def test_the_score_is_symmetric_bounded_and_each_field_reported(a, b):
    corpus = Corpus.of([a, b, *APPS[:5]])
    ab, details = similarity(a, b, corpus)
    ba, _ = similarity(b, a, corpus)
    assert ab == ba and 0.0 <= ab <= 1.0 + 1e-9
    assert set(details) == set(FIELDS) and all(0.0 <= v <= 1.0 + 1e-9 for v in details.values())


@given(APP)
def test_an_application_is_its_own_double_in_every_field_it_fills(a):
    _score, details = similarity(a, a, Corpus.of([a, *APPS[:5]]))
    for field, value in details.items():
        text = a.name if field == "name" else getattr(a, field)
        if len(name_stem(text) if field == "name" else text.strip(" ，。")) >= 4:
            assert value >= 0.999, (field, text, value)
