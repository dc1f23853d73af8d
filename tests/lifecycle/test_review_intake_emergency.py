"""办法第十条: the wait from submission to 受理 is recorded and reported against the bureau's
own target (the 办法 sets no number for it); the joint-review clock still runs from 受理 and
pauses for the experts. 办法第十二条: an emergency insertion has the 网信办 and 密码管理局
opinions before the bureau forwards it."""

from __future__ import annotations

import datetime

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from exports.reports import JointReviewStatsExporter
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import Clock, ClockKind
from lifecycle.policy import get_policy
from projects.models import Project
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date


def _intake(project):
    return Clock.objects.get(project=project, kind=ClockKind.INTAKE)


def test_the_wait_starts_at_submission_and_ends_at_acceptance(orgs, people, call_2026):
    # Submitted Tuesday 16 June 2025: five working days later is Tuesday 23 June.
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    clock = _intake(project)
    assert clock.received_on == D(2025, 6, 16) and clock.due_on == D(2025, 6, 23)
    assert clock.article == "第十条" and clock.stopped_on is None
    with as_of(D(2025, 6, 19)):
        services.perform(project, "accept_application", actor=people.bureau_reviewer)
    clock.refresh_from_db()
    assert clock.stopped_on == D(2025, 6, 19) and clock.met is True
    # 办法第十条: the 5 working days of the joint review run from 受理 (Thursday 19 June → 26 June).
    review = Clock.objects.get(project=project, kind=ClockKind.JOINT_REVIEW)
    assert review.received_on == D(2025, 6, 19) and review.due_on == D(2025, 6, 26)


def test_a_late_acceptance_is_reported_as_over_the_target(orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with as_of(D(2025, 6, 30)):
        services.perform(project, "accept_application", actor=people.bureau_reviewer)
    assert _intake(project).met is False
    with as_of(D(2025, 7, 1)):
        rows = [r.values for r in JointReviewStatsExporter(Project.objects.all()).rows()]
    intake = [r for r in rows if str(r[1]).startswith("申报后受理")]
    assert len(intake) == 1 and intake[0][2:7] == [1, 0, 1, 0, 0]
    assert "办法未规定" in intake[0][1]


def test_a_wait_past_the_target_shows_in_the_overdue_list(orgs, people, call_2026):
    from exports.reports import OverdueExporter

    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with as_of(D(2025, 6, 25)):
        rows = [r.values for r in OverdueExporter(Project.objects.all()).rows()]
    assert any(r[1] == project.name and "受理" in r[3] and str(r[7]).startswith("已逾期") for r in rows)


def test_withdrawing_ends_the_wait(orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with as_of(D(2025, 6, 18)):
        services.perform(project, "withdraw", actor=people.owner_head, reason="合并到其他项目申报。")
    assert _intake(project).stopped_on == D(2025, 6, 18)


def test_the_target_is_a_number_of_the_policy():
    assert get_policy().intake_target_working_days == 5


def test_the_expert_pause_states_its_basis(orgs, people, call_2026):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    with as_of(on):
        services.perform(
            project,
            "start_expert_evaluation",
            actor=people.bureau_reviewer,
            reason="投资规模大，组织专家论证。",
        )
    clock = Clock.objects.get(project=project, kind=ClockKind.JOINT_REVIEW)
    assert clock.paused
    event = clock.events.order_by("-pk").first()
    assert "专家评审时间不计入审核时限" in event.reason and "行政许可法第四十五条" in event.reason


# ---------------------------------------------------------------- 办法第十二条


def _requested(orgs, people, call_2026):
    project, on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    with as_of(on):
        for who, aspect in (
            (people.bureau_reviewer, "bureau_emergency"),
            (people.finance_reviewer, "finance_emergency"),
        ):
            services.opinion_give(project, actor=who, aspect=aspect, conclusion="approve", text="同意。")
    return project, on


def test_forwarding_waits_for_the_security_and_crypto_opinions(orgs, people, call_2026):
    project, on = _requested(orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, "forward_emergency", actor=people.bureau_head)
    assert "办法第十二条" in exc.value.message
    assert "省委网信办" in exc.value.message and "省国家密码管理局" in exc.value.message
    assert Project.objects.get(pk=project.pk).state == S.EMERGENCY_REQUESTED


def test_a_disagreeing_crypto_opinion_stops_the_forwarding(orgs, people, call_2026):
    project, on = _requested(orgs, people, call_2026)
    with as_of(on):
        services.opinion_give(
            project, actor=people.cac_reviewer, aspect="cac_emergency", conclusion="approve", text="同意。"
        )
        services.opinion_give(
            project,
            actor=people.crypto_reviewer,
            aspect="crypto_emergency",
            conclusion="reject",
            text="密码方案不符合要求。",
        )
        with pytest.raises(RuleViolation) as exc:
            services.perform(project, "forward_emergency", actor=people.bureau_head)
    assert (
        "密码应用审核意见" in exc.value.message
        and "网络安全审核意见" not in exc.value.message.split("：")[-1]
    )


def test_with_both_opinions_the_bureau_forwards(orgs, people, call_2026):
    project, on = _requested(orgs, people, call_2026)
    Walker(people).emergency_security_opinions(project, on)
    with as_of(on):
        services.perform(project, "forward_emergency", actor=people.bureau_head)
    assert Project.objects.get(pk=project.pk).state == S.EMERGENCY_FORWARDED


def test_only_the_agencies_give_their_emergency_opinions(orgs, people, call_2026):
    project, on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation):
        services.opinion_give(
            project, actor=people.bureau_reviewer, aspect="cac_emergency", conclusion="approve", text="x"
        )


# ---------------------------------------------------------------- on the pages


def _page(person, name, project):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(person)
    return client.get(reverse(name, args=[project.pk])).content.decode()


def test_the_pages_show_the_wait_and_the_basis_of_the_expert_pause(orgs, people, call_2026):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    html = _page(people.bureau_reviewer, "joint_review", project)
    assert "申报后受理" in html and "办法第十条未规定此时限" in html and "在目标内受理" in html
    with as_of(on):
        services.perform(
            project, "start_expert_evaluation", actor=people.bureau_reviewer, reason="组织专家论证。"
        )
        for name in ("project", "joint_review"):
            html = _page(people.bureau_reviewer, name, project)
            assert "专家评审时间不计入审核时限" in html and "行政许可法第四十五条" in html, name


def test_reviewers_see_the_mandate_on_the_project_page(orgs, people, call_2026):
    project, _on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    for who in ("bureau_reviewer", "finance_reviewer", "cac_reviewer", "crypto_reviewer"):
        html = _page(people[who], "project", project)
        assert "国务院办公厅通知要求年内建成。" in html and "紧急纳入依据" in html, who


def test_the_agencies_are_offered_their_emergency_opinion(orgs, people, call_2026):
    from projects.capabilities import opinion_aspects

    project, _on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    assert [a for a, _l in opinion_aspects(project, people.cac_reviewer)] == ["cac_emergency"]
    assert [a for a, _l in opinion_aspects(project, people.crypto_head)] == ["crypto_emergency"]
