"""办法第八条: likely split applications of one department are flagged for the bureau."""

from __future__ import annotations

import datetime

from projects.models import SplitWarning
from projects.similarity import dice, normalise
from tests.factories import ProjectFactory, complete_application
from web.scenarios import Walker


def test_generic_words_and_punctuation_do_not_count():
    assert normalise("黑龙江省 教育督导·信息平台（一期）项目") == "教育督导信息"


def test_identical_texts_score_one_and_unrelated_texts_zero():
    assert dice("学籍管理", "学籍管理") == 1.0
    assert dice("学籍管理", "森林防火") == 0.0


def test_a_split_pair_is_flagged_and_an_unrelated_one_is_not(orgs, people, call_2026):
    a = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026, name="中小学学籍管理系统"))
    b = complete_application(
        ProjectFactory(owner=orgs["owner"], call=call_2026, name="中小学学籍管理系统数据交换")
    )
    c = ProjectFactory(owner=orgs["owner"], call=call_2026, name="森林草原防火监测预警系统")
    complete_application(c)
    c.content_and_scale = "建设火情感知网络与林区视频监控，接入气象数据。"
    c.performance_targets = "火情发现时间缩短到15分钟以内。"
    c.technical_route = "物联网感知与GIS一张图。"
    c.save()
    Walker(people).submit_batch(call_2026, orgs["owner"], datetime.date(2025, 6, 10))
    warnings = list(SplitWarning.objects.all())
    assert [(w.first_id, w.second_id) for w in warnings] == [(a.pk, b.pk)]
    assert warnings[0].score >= 0.6 and set(warnings[0].details) == {
        "name",
        "performance_targets",
        "content_and_scale",
        "technical_route",
    }
