"""办法第三十六、三十九、三十八条: a 通报批评 or a 暂缓安排投资计划 is part of the department's
track record the bureau reads with its new applications and the annual plan."""

from __future__ import annotations

import datetime

from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from projects import supervision
from projects.supervision_models import DecisionKind
from projects.track_record import track_records
from tests.factories import ProjectFactory

ON = datetime.date(2026, 5, 8)


def criticise(people, org, *, project=None, no="黑营商通〔2026〕3号"):
    with as_of(ON):
        return supervision.decision_record(
            actor=people.bureau_head,
            organisation=org,
            kind=DecisionKind.CRITICISM,
            article="第三十九条",
            document_no=no,
            decided_on=ON,
            reason="未按期报送绩效评价报告。",
            project=project,
        )


def test_a_criticism_of_the_department_is_in_its_record_and_nobody_elses(orgs, people):
    criticise(people, orgs["owner"])
    records = track_records([orgs["owner"].pk, orgs["other_owner"].pk], year=2027)
    entries = [e for e in records[orgs["owner"].pk].entries if e.source == "sanctions"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.adverse and entry.article == "第三十九条" and entry.project_id is None
    assert "通报批评" in entry.text and "黑营商通〔2026〕3号" in entry.text
    assert not [e for e in records[orgs["other_owner"].pk].entries if e.source == "sanctions"]
    assert "通报批评和暂缓安排投资计划1项" in records[orgs["owner"].pk].summary()


def test_the_reviewer_reads_it_beside_the_new_application(client, orgs, people, call_2026):
    building = ProjectFactory(owner=orgs["owner"], state=S.CONSTRUCTION, name="在建的系统")
    criticise(people, orgs["owner"])
    criticise(people, orgs["owner"], project=building, no="黑营商通〔2026〕4号")
    application = ProjectFactory(owner=orgs["owner"], call=call_2026, state=S.JOINT_REVIEW, name="新申报项目")
    client.force_login(people.bureau_reviewer)
    body = client.get(reverse("project", args=[application.pk])).content.decode()
    assert "黑营商通〔2026〕3号" in body and "黑营商通〔2026〕4号" in body
    assert reverse("project", args=[building.pk]) in body
