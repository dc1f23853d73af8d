"""办法第三条 (集约节约; issue 15): applications of different departments in one call that look
like the same system built twice are a separate kind of warning from the same department's
split (办法第八条); measured on the labelled call (precision and recall of both kinds), stored
when a department sends its applications, shown to the bureau most likely first with the fields
that matched."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.urls import reverse

from lifecycle.policy import get_policy
from projects import selectors
from projects.models import SplitWarning
from projects.similarity import Corpus, duplicate_pairs, matched_fields, similarity
from tests.factories import ProjectFactory, complete_application
from web.scenarios import Walker

from .split_corpus import APPS, DUPLICATES, SPLITS


def measure_duplicates() -> dict:
    """Precision and recall of the duplicate warnings on the labelled call: each department's
    applications against every other department's, as detect_splits runs."""
    corpus = Corpus.of(APPS)
    flagged = set()
    for owner in {a.owner for a in APPS}:
        mine = [a for a in APPS if a.owner == owner]
        others = [a for a in APPS if a.owner != owner]
        flagged |= {frozenset((p.key, q.key)) for p, q, _s, _d in duplicate_pairs(mine, others, corpus)}
    true = flagged & DUPLICATES
    cross = [(a, b) for a, b in itertools.combinations(APPS, 2) if a.owner != b.owner]
    return {
        "pairs": len(cross),
        "duplicates": len(DUPLICATES),
        "flagged": len(flagged),
        "precision": len(true) / len(flagged) if flagged else 1.0,
        "recall": len(true) / len(DUPLICATES),
        "false": sorted(tuple(sorted(p)) for p in flagged - DUPLICATES),
    }


def test_the_duplicates_of_the_labelled_call_are_found():
    figures = measure_duplicates()
    assert figures["recall"] >= 0.9, figures
    assert figures["precision"] >= 0.8, figures


def test_every_duplicate_scores_above_every_other_pair_of_departments():
    corpus = Corpus.of(APPS)
    scores = {
        frozenset((a.key, b.key)): similarity(a, b, corpus)[0]
        for a, b in itertools.combinations(APPS, 2)
        if a.owner != b.owner
    }
    weakest = min(s for pair, s in scores.items() if pair in DUPLICATES)
    strongest_other = max(s for pair, s in scores.items() if pair not in DUPLICATES)
    assert weakest > get_policy().duplicate_warning_threshold > strongest_other + 0.1


def test_a_split_is_never_a_duplicate_and_a_duplicate_never_a_split():
    """The two kinds never mix: splits are pairs of one department, duplicates of two."""
    owner = {a.key: a.owner for a in APPS}
    assert all(len({owner[k] for k in pair}) == 1 for pair in SPLITS)
    assert all(len({owner[k] for k in pair}) == 2 for pair in DUPLICATES)


def test_the_matched_fields_are_named_with_their_part_scores():
    parts = matched_fields({"name": 0.375, "performance_targets": 0.663, "content_and_scale": 0.817})
    assert [(str(p["label"]), p["score"], p["matched"]) for p in parts] == [
        ("建设内容", 0.817, True),
        ("绩效目标", 0.663, True),
        ("项目名称", 0.375, False),
    ]


# ---------------------------------------------------------------- stored, ordered and shown


def _application(org, call, app):
    project = complete_application(ProjectFactory(owner=org, call=call, name=app.name))
    project.performance_targets = app.performance_targets
    project.content_and_scale = app.content_and_scale
    project.technical_route = app.technical_route
    project.save()
    return project


def _by_key(key):
    return next(a for a in APPS if a.key == key)


def test_sending_applications_stores_both_kinds_for_the_bureau(client, orgs, people, call_2026):
    seal_med = _application(orgs["owner"], call_2026, _by_key("dup-seal-med"))
    land_1 = _application(orgs["owner"], call_2026, _by_key("land-1"))
    land_2 = _application(orgs["owner"], call_2026, _by_key("land-2"))
    seal_traffic = _application(orgs["other_owner"], call_2026, _by_key("dup-seal-traffic"))
    walker = Walker(people)
    walker.submit_batch(call_2026, orgs["owner"], datetime.date(2025, 6, 10))
    # The other department's application is still a draft: no duplicate warning yet.
    assert not SplitWarning.objects.filter(kind="duplicate").exists()
    walker.submit_batch(call_2026, orgs["other_owner"], datetime.date(2025, 6, 11))

    split = SplitWarning.objects.get(kind="split")
    assert {split.first_id, split.second_id} == {land_1.pk, land_2.pk}
    duplicate = SplitWarning.objects.get(kind="duplicate")
    assert {duplicate.first_id, duplicate.second_id} == {seal_med.pk, seal_traffic.pk}
    assert duplicate.score >= Decimal("0.5")

    client.force_login(people.bureau_head)
    home = client.get(reverse("home")).content.decode()
    assert "疑似跨部门重复建设预警" in home and "疑似拆分申报预警" in home
    assert "相似之处：" in home and "建设内容" in home and "技术路线 100.00%" in home
    page = client.get(reverse("project", args=[seal_med.pk])).content.decode()
    assert "重复建设" in page and orgs["other_owner"].name in page and "相似之处：" in page
    # The departments do not see each other's applications through the warning.
    client.force_login(people.owner_head)
    page = client.get(reverse("project", args=[seal_med.pk])).content.decode()
    assert "重复建设" not in page and "交通运输电子印章系统" not in page


def test_the_bureaus_queue_lists_the_most_likely_warnings_first(orgs, people, call_2026):
    """Issue 15: a 0.93 pair of an earlier call is not pushed out by newer, weaker ones."""
    a, b = (ProjectFactory(owner=orgs["owner"], call=call_2026) for _ in range(2))
    strong = SplitWarning.objects.create(call=call_2026, first=a, second=b, score=Decimal("0.93"))
    for _i in range(selectors.QUEUE_CAP + 5):
        SplitWarning.objects.create(call=call_2026, first=a, second=b, score=Decimal("0.55"))
    SplitWarning.objects.create(call=call_2026, kind="duplicate", first=a, second=b, score=Decimal("0.99"))
    queues = selectors.home_queues(people.bureau_head)
    splits = next(q for q in queues if str(q["title"]) == "疑似拆分申报预警")
    assert splits["items"][0] == strong and splits["count"] == selectors.QUEUE_CAP + 6
    scores = [w.score for w in splits["items"]]
    assert scores == sorted(scores, reverse=True)
    duplicates = next(q for q in queues if str(q["title"]) == "疑似跨部门重复建设预警")
    assert [w.score for w in duplicates["items"]] == [Decimal("0.99")]
