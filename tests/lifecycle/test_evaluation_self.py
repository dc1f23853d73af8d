"""办法第九、三十三条: the self-evaluation reports on each structured performance target; its
window opens 6 months and closes 12 months after acceptance and go-live (the later of the
two); a late report is taken and marked late on the project and in the ledger export; copies
go to 省财政厅 and 省发改委."""

from __future__ import annotations

import datetime

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from exports.reports import LedgerExporter
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Clock, Copy
from lifecycle.workdays import add_months
from projects import evaluation
from projects.models import PerformanceTarget, Project
from tests.factories import ProjectFactory
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

DAY = datetime.timedelta(days=1)


def in_operation(orgs, people, call, *, live_after_days=20):
    """Accepted on ``on``, gone live ``live_after_days`` later (办法第二十九、三十三条)."""
    project, on = project_in(S.ACCEPTED, orgs, people, call)
    walker = Walker(people)
    walker.upload(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body=project.owner.name
    )
    walker.confirm(project, "acceptance_report", people.bureau_reviewer, on)
    live = on + live_after_days * DAY
    walker.step(project, "go_live", people.owner_preparer, live, went_live_on=live)
    return project, project.accepted_on, live


def submit(project, people, on, **data):
    with as_of(on):
        return services.perform(
            project,
            "submit_self_evaluation",
            actor=people.owner_head,
            **{"self_evaluation": "目标基本实现。", "self_evaluation_grade": "good", **data},
        )


def add_reported_target(project, people, on, indicator="数据共享率"):
    with as_of(on):
        target = evaluation.target_add(
            project, actor=people.owner_preparer, indicator=indicator, target_value="≥95%"
        )
        return evaluation.target_report(
            target, actor=people.owner_preparer, achieved_value="96%", explanation="按期完成。"
        )


def test_the_window_counts_from_the_later_of_acceptance_and_go_live(orgs, people, call_2026):
    project, accepted, live = in_operation(orgs, people, call_2026, live_after_days=40)
    assert live > accepted
    clock = Clock.objects.get(project=project, kind="self_evaluation")
    # 办法第三十三条: 项目通过验收并投入运行后6至12个月内 — counted from the go-live, the later date.
    assert (clock.opens_on, clock.due_on) == (add_months(live, 6), add_months(live, 12))
    add_reported_target(project, people, live)
    with pytest.raises(RuleViolation) as exc:
        submit(project, people, add_months(live, 6) - DAY)
    assert "办法第三十三条" in exc.value.message
    submit(project, people, add_months(live, 6))
    assert project.state == S.SELF_EVALUATED and not project.self_evaluation_late


def test_every_target_is_reported_before_the_self_evaluation(orgs, people, call_2026):
    project, _accepted, live = in_operation(orgs, people, call_2026)
    day = add_months(live, 7)
    with pytest.raises(RuleViolation) as exc:
        submit(project, people, day)
    assert "绩效目标" in exc.value.message and "办法第三十三条" in exc.value.message
    with as_of(day):
        target = evaluation.target_add(
            project, actor=people.owner_preparer, indicator="办件时限压缩", target_value="50%"
        )
    assert target.entered == PerformanceTarget.Entered.LATER
    with pytest.raises(RuleViolation) as exc:
        submit(project, people, day)
    assert "办件时限压缩" in exc.value.message
    with as_of(day):
        evaluation.target_report(
            target, actor=people.owner_preparer, achieved_value="52%", explanation="已实现。"
        )
    submit(project, people, day)
    assert project.state == S.SELF_EVALUATED
    assert project.self_evaluation_grade == "good" and project.self_evaluation_submitted_on == day
    # Once the self-evaluation is sent, nothing is added to it.
    with as_of(day), pytest.raises(RuleViolation):
        evaluation.target_add(project, actor=people.owner_preparer, indicator="新增", target_value="1")
    with as_of(day), pytest.raises(RuleViolation):
        evaluation.target_report(target, actor=people.owner_preparer, achieved_value="60%", explanation="改")


def test_a_late_self_evaluation_is_taken_and_marked_late(orgs, people, call_2026):
    project, _accepted, live = in_operation(orgs, people, call_2026)
    due = add_months(live, 12)
    add_reported_target(project, people, due)
    submit(project, people, due + DAY)
    project.refresh_from_db()
    assert project.state == S.SELF_EVALUATED and project.self_evaluation_late
    entry = AuditEntry.objects.get(project=project, action="submit_self_evaluation")
    assert entry.data["self_evaluation_late"] is True
    # The ledger export says so (exports/reports.py).
    exporter = LedgerExporter(Project.objects.filter(pk=project.pk))
    columns = [c.label for c in exporter.columns]
    row = dict(zip(columns, next(iter(exporter.rows())).values, strict=True))
    assert "逾期报送" in row["自评价报送"] and row["自评价等级"] == "良"


def test_a_self_evaluation_on_the_last_day_is_in_time(orgs, people, call_2026):
    project, _accepted, live = in_operation(orgs, people, call_2026)
    due = add_months(live, 12)
    add_reported_target(project, people, due)
    submit(project, people, due)
    assert not project.self_evaluation_late


def test_the_self_evaluation_is_copied_to_finance_and_development_reform(orgs, people, call_2026):
    project, _accepted, live = in_operation(orgs, people, call_2026)
    day = add_months(live, 8)
    add_reported_target(project, people, day)
    submit(project, people, day)
    copies = Copy.objects.filter(project=project, article="第三十三条")
    assert {c.organisation for c in copies} == {orgs["finance"], orgs["drc"]}


def test_targets_belong_to_the_department_and_application_targets_stay(orgs, people, call_2026):
    draft = ProjectFactory(owner=orgs["owner"], call=call_2026)
    with pytest.raises(RuleViolation) as exc:
        evaluation.target_add(draft, actor=people.other_owner_head, indicator="x", target_value="1")
    assert exc.value.code == "permission"
    with pytest.raises(RuleViolation):
        evaluation.target_add(draft, actor=people.bureau_head, indicator="x", target_value="1")
    with pytest.raises(RuleViolation) as exc:
        evaluation.target_add(draft, actor=people.owner_preparer, indicator="  ", target_value="1")
    assert exc.value.code == "data"
    target = evaluation.target_add(
        draft, actor=people.owner_preparer, indicator="覆盖率", target_value="100%"
    )
    assert target.entered == PerformanceTarget.Entered.APPLICATION
    assert AuditEntry.objects.filter(project=draft, action="target.added", article="第九条").exists()
    # Submitted with the application, it can no longer be withdrawn (办法第九条).
    Project.objects.filter(pk=draft.pk).update(state=S.CONSTRUCTION)
    target.refresh_from_db()
    with pytest.raises(RuleViolation) as exc:
        evaluation.target_remove(target, actor=people.owner_preparer)
    assert "办法第九条" in exc.value.message
    # Achieved values are reported once the system runs, not during construction.
    with pytest.raises(RuleViolation):
        evaluation.target_report(target, actor=people.owner_preparer, achieved_value="1", explanation="x")
