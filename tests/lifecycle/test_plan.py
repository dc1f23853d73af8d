"""办法第十一、十二条: the annual plan's own state machine, and emergency insertion."""

from __future__ import annotations

import datetime

import pytest

from core.states import PlanState, ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Clock
from projects import services as project_services
from projects.models import Project
from tests.factories import ProjectFactory, complete_application
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date


def passed_pair(orgs, people, call):
    first, _on = project_in(S.REVIEW_PASSED, orgs, people, call)
    second = complete_application(ProjectFactory(owner=orgs["other_owner"], call=call))
    walker = Walker(people)
    walker.submit_batch(call, orgs["other_owner"], D(2025, 6, 18))
    second.refresh_from_db()
    walker.review(second, D(2025, 6, 23))
    return first, second


def test_the_plan_moves_compiling_submitted_approved_issued(orgs, people, call_2026):
    first, second = passed_pair(orgs, people, call_2026)
    with as_of(D(2025, 9, 1)):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
    clock = Clock.objects.get(plan=plan)
    assert clock.due_on == D(2025, 10, 31) and clock.article == "第十一条"
    with as_of(D(2025, 9, 2)):
        services.plan_include(plan, first, actor=people.bureau_reviewer)
        with pytest.raises(RuleViolation) as exc:
            services.perform(plan, "submit_to_government", actor=people.bureau_head)
        assert "办法第十一条" in exc.value.message and "财政厅" in exc.value.message
        services.plan_finance_concur(plan, actor=people.finance_head)
        services.perform(plan, "submit_to_government", actor=people.bureau_head)
    with pytest.raises(RuleViolation):  # no more changes once sent to the government
        services.plan_include(plan, second, actor=people.bureau_reviewer)
    with as_of(D(2025, 10, 20)):
        services.perform(
            plan,
            "approve",
            actor=people.government_head,
            approval_no="黑政函〔2025〕88号",
            approved_on=D(2025, 10, 20),
        )
    first.refresh_from_db(), second.refresh_from_db()
    # 办法第十一条: approval moves the included projects in and closes the others.
    assert (first.state, second.state) == (S.IN_PLAN, S.NOT_INCLUDED)
    assert AuditEntry.objects.get(project=second, action="leave_out").actor == people.government_head
    with as_of(D(2025, 10, 25)):
        services.perform(plan, "issue", actor=people.bureau_head, document_no="黑营商发〔2025〕9号")
    plan.refresh_from_db()
    assert plan.state == PlanState.ISSUED and plan.document_no == "黑营商发〔2025〕9号"
    clock.refresh_from_db()
    assert clock.met is True


def test_only_the_government_approves_the_plan(orgs, people, call_2026):
    first, _ = passed_pair(orgs, people, call_2026)
    with as_of(D(2025, 9, 1)):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
        services.plan_include(plan, first, actor=people.bureau_reviewer)
        services.plan_finance_concur(plan, actor=people.finance_head)
        services.perform(plan, "submit_to_government", actor=people.bureau_head)
    with pytest.raises(RuleViolation) as exc:
        services.perform(plan, "approve", actor=people.bureau_head)
    assert "省政府" in exc.value.message and "办法第十一条" in exc.value.message


def test_a_project_outside_an_approved_plan_is_not_approved(orgs, people, call_2026):
    project, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    plan = project.plan
    Project.objects.filter(pk=project.pk).update(plan=None)
    project.refresh_from_db()
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, "approve_fsr", actor=people.drc_head)
    assert "办法第十二条" in exc.value.message
    assert plan is not None


def test_emergency_insertion_needs_bureau_finance_and_government(orgs, people, call_2026):
    project, on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    assert project.plan.state == PlanState.ISSUED
    # 办法第十二条 with 第十条: the 网信办 and 密码管理局 opinions come first
    # (tests/lifecycle/test_review_intake_emergency.py refuses the forwarding without them).
    Walker(people).emergency_security_opinions(project, on)
    with as_of(on):
        services.opinion_give(
            project,
            actor=people.bureau_reviewer,
            aspect="bureau_emergency",
            conclusion="approve",
            text="同意",
        )
        with pytest.raises(RuleViolation) as exc:
            services.perform(project, "forward_emergency", actor=people.bureau_head)
        assert "办法第十二条" in exc.value.message
        services.opinion_give(
            project,
            actor=people.finance_reviewer,
            aspect="finance_emergency",
            conclusion="approve",
            text="同意",
        )
        services.perform(project, "forward_emergency", actor=people.bureau_head)
        services.perform(project, "approve_emergency", actor=people.government_head)
    project.refresh_from_db()
    assert project.state == S.IN_PLAN and project.plan.year == 2026


def test_emergency_insertion_needs_the_mandate(orgs, people, call_2026):
    project, _on = project_in(S.DRAFT, orgs, people, call_2026)
    with pytest.raises(RuleViolation) as exc:
        services.emergency_request(project, actor=people.owner_head, responsible_person=people.owner_head)
    assert "明确要求" in exc.value.message and "办法第十二条" in exc.value.message
