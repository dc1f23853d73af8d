"""更正: a mistyped date or amount is put right by an explicit, audited step with a reason
(who, before, after), and every deadline counted from it is counted again (issue 7, item 4).

Expected deadlines are computed by hand from the 办法 and the calendar: 办法第二十九条 half a
year after completion, 第三十三条 6 to 12 months after going live, 第二十五条 31 December of
each construction year, 第三十六条 working days on the official holiday calendar.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import corrections, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Clock, ClockEvent, ClockKind
from projects.models import Project
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
WHY = "录入时误将日期写错，依据竣工报告更正。"


def completed(orgs, people, call, typed):
    """In construction since the walker's 2025-11-23, completed with the mistyped date ``typed``."""
    project, on = project_in(S.CONSTRUCTION, orgs, people, call)
    with as_of(max(on, typed)):
        services.perform(project, "complete_construction", actor=people.owner_head, completed_on=typed)
    project.refresh_from_db()
    return project


def acceptance_clock(project):
    return Clock.objects.get(project=project, kind=ClockKind.ACCEPTANCE_APPLICATION)


# ---------------------------------------------------------------- the audit row and the clocks


def test_a_corrected_completion_date_moves_the_acceptance_deadline(orgs, people, call_2026):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    assert acceptance_clock(project).due_on == D(2026, 9, 12)
    with as_of(D(2026, 3, 20)):
        entry = corrections.record_correct(
            project, "completed_on", D(2026, 3, 10), actor=people.owner_head, reason=WHY
        )
    project.refresh_from_db()
    assert project.completed_on == D(2026, 3, 10)
    # 办法第二十九条: half a year after 2026-03-10.
    clock = acceptance_clock(project)
    assert (clock.received_on, clock.due_on) == (D(2026, 3, 10), D(2026, 9, 10))
    assert entry.action == corrections.CORRECTED and entry.actor == people.owner_head
    assert entry.organisation == people.owner_head.organisation and entry.reason == WHY
    assert entry.data["field"] == "completed_on"
    assert (entry.data["before"], entry.data["after"]) == ("2026-03-12", "2026-03-10")
    assert entry.article == "第二十九条" and entry.project == project
    event = clock.events.filter(kind=ClockEvent.Kind.RECOMPUTED).get()
    assert (event.due_before, event.due_after, event.actor) == (
        D(2026, 9, 12),
        D(2026, 9, 10),
        people.owner_head,
    )
    assert AuditEntry.objects.filter(project=project, action="clock.recomputed").exists()


def test_a_corrected_start_reopens_the_yearly_reports_of_the_construction_years(orgs, people, call_2026):
    project, _on = project_in(
        S.RATIFIED, orgs, people, call_2026, supervisor_name="监理公司", supervision_contract_no="JL-1"
    )
    # Typed 2026-01-05 on 2026-01-10; construction had in fact started on 2025-12-29.
    with as_of(D(2026, 1, 10)):
        services.perform(
            project, "start_construction", actor=people.owner_preparer, construction_started_on=D(2026, 1, 5)
        )
    assert set(
        Clock.objects.filter(project=project, kind=ClockKind.PERFORMANCE_REPORT).values_list("year", "due_on")
    ) == {(2026, D(2026, 12, 31))}
    with as_of(D(2026, 1, 12)):
        corrections.record_correct(
            project, "construction_started_on", D(2025, 12, 29), actor=people.owner_head, reason=WHY
        )
    # 办法第二十五条: 2025 was a construction year too; its report was due 2025-12-31.
    assert set(
        Clock.objects.filter(project=project, kind=ClockKind.PERFORMANCE_REPORT).values_list("year", "due_on")
    ) == {(2025, D(2025, 12, 31)), (2026, D(2026, 12, 31))}
    # Issue 10: the home queues' order follows the earliest running deadline (Project.first_due).
    assert Project.objects.get(pk=project.pk).first_due == D(2025, 12, 31)
    # Back to 2026-01-05: 2025 is no longer a construction year and no report was given for it.
    with as_of(D(2026, 1, 13)):
        corrections.record_correct(
            project,
            "construction_started_on",
            D(2026, 1, 5),
            actor=people.owner_head,
            reason="核对监理日志，开工为2026年1月5日。",
        )
    assert set(
        Clock.objects.filter(project=project, kind=ClockKind.PERFORMANCE_REPORT).values_list("year", "due_on")
    ) == {(2026, D(2026, 12, 31))}
    withdrawn = AuditEntry.objects.get(project=project, action=corrections.CLOCK_WITHDRAWN)
    assert withdrawn.data["year"] == 2025 and withdrawn.article == "第二十五条"
    # The withdrawn clock's deadline no longer orders the project in the home queues.
    assert Project.objects.get(pk=project.pk).first_due == D(2026, 12, 31)


def test_a_corrected_go_live_date_moves_the_self_evaluation_window(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    # 办法第二十九条: the 验收报告 is uploaded and its 备案 confirmed by the bureau before 投入运行.
    walker = Walker(people)
    walker.upload(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body=project.owner.name
    )
    walker.confirm(project, "acceptance_report", people.bureau_reviewer, on)
    project.refresh_from_db()
    assert project.accepted_on == D(2025, 12, 14)
    with as_of(D(2026, 1, 5)):
        services.perform(project, "go_live", actor=people.owner_preparer, went_live_on=D(2025, 12, 30))
        corrections.record_correct(
            project, "went_live_on", D(2025, 12, 31), actor=people.owner_head, reason=WHY
        )
    clock = Clock.objects.get(project=project, kind=ClockKind.SELF_EVALUATION)
    # 办法第三十三条: 6 to 12 months after 2025-12-31; June has 30 days.
    assert (clock.received_on, clock.opens_on, clock.due_on) == (
        D(2025, 12, 31),
        D(2026, 6, 30),
        D(2026, 12, 31),
    )


def test_a_corrected_extension_moves_the_extended_deadline(orgs, people, call_2026):
    project, on = project_in(S.EXTENSION_REQUESTED, orgs, people, call_2026)
    with as_of(on):
        services.perform(project, "grant_extension", actor=people.bureau_head, granted_due_on=D(2026, 12, 31))
        corrections.record_correct(
            project,
            "granted_due_on",
            D(2026, 10, 31),
            actor=people.bureau_head,
            reason="批复文件同意延期至2026年10月31日，录入有误。",
        )
    clock = acceptance_clock(project)
    assert (clock.due_on, clock.effective_due_on) == (D(2026, 5, 30), D(2026, 10, 31))
    entry = AuditEntry.objects.get(project=project, action=corrections.CORRECTED)
    assert (entry.data["before"], entry.data["after"]) == ("2026-12-31", "2026-10-31")


def test_a_corrected_rectification_period_counts_the_working_days_again(orgs, people, call_2026):
    project, _on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(D(2025, 12, 1)):  # a Monday
        services.perform(
            project, "order_rectification", actor=people.bureau_head, reason="整改数据共享", working_days=20
        )
    clock = Clock.objects.get(project=project, kind=ClockKind.RECTIFICATION)
    # 20 working days after Monday 2025-12-01, no holiday in December: Monday 2025-12-29.
    assert clock.due_on == D(2025, 12, 29)
    with as_of(D(2025, 12, 2)):
        corrections.record_correct(
            project, "working_days", 10, actor=people.bureau_head, reason="通知写明10个工作日。"
        )
    clock.refresh_from_db()
    # 10 working days after 2025-12-01: Monday 2025-12-15.
    assert (clock.working_days, clock.due_on) == (10, D(2025, 12, 15))


def test_a_corrected_design_estimate_is_audited_and_a_merged_fsr_estimate_carries_the_approved_one(
    orgs, people, call_2026
):
    project, on = project_in(S.APPROVAL_COMPLETE, orgs, people, call_2026)
    with as_of(on):
        corrections.record_correct(
            project,
            "approved_estimate_yuan",
            Decimal("4800000.00"),
            actor=people.bureau_head,
            reason="批复文件概算为480万元。",
        )
    project.refresh_from_db()
    assert project.approved_estimate_yuan == Decimal("4800000.00")
    entry = AuditEntry.objects.get(project=project, action=corrections.CORRECTED)
    assert (entry.data["before"], entry.data["after"], entry.article) == (
        "5000000.00",
        "4800000.00",
        "第十八条",
    )


def test_a_merged_approval_corrects_the_estimate_through_the_fsr(orgs, people, call_2026):
    project, on = project_in(
        S.IN_PLAN,
        orgs,
        people,
        call_2026,
        platform_code="2601-230000-04-01-000002",
        fsr_sharing_chapter=True,
        merged_fsr_design=True,
        merged_ground="simple",
    )
    Walker(people).upload(project, "fsr", people.owner_preparer, on)  # 办法第十五条
    with as_of(on):
        services.perform(project, "submit_fsr", actor=people.owner_preparer)
        services.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2025〕2号",
            fsr_estimate_yuan=Decimal("4900000.00"),
            preliminary_work_depth="达到初步设计深度。",  # 办法第十七条
        )
        assert "approved_estimate_yuan" not in corrections.correctable(project, people.bureau_head)
        corrections.record_correct(
            project,
            "fsr_estimate_yuan",
            Decimal("4700000.00"),
            actor=people.drc_head,
            reason="办法第十七条合并审批，概算为470万元。",
        )
    project.refresh_from_db()
    assert (project.fsr_estimate_yuan, project.approved_estimate_yuan) == (Decimal("4700000.00"),) * 2


# ---------------------------------------------------------------- refusals


def test_a_correction_needs_a_reason(orgs, people, call_2026):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    with as_of(D(2026, 3, 20)), pytest.raises(RuleViolation) as exc:
        corrections.record_correct(
            project, "completed_on", D(2026, 3, 10), actor=people.owner_head, reason="  "
        )
    assert exc.value.code == "reason" and "理由" in exc.value.message
    assert Project.objects.get(pk=project.pk).completed_on == D(2026, 3, 12)
    assert not AuditEntry.objects.filter(project=project, action=corrections.CORRECTED).exists()


@pytest.mark.parametrize("who", ["other_owner_head", "bureau_head", "owner_preparer", "drc_head"])
def test_a_correction_by_another_organisation_or_role_is_refused(orgs, people, call_2026, who):
    # 办法第二十九条: 项目建成 is the owner head's step, so only that head corrects its date.
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    with as_of(D(2026, 3, 20)), pytest.raises(RuleViolation) as exc:
        corrections.record_correct(project, "completed_on", D(2026, 3, 10), actor=people[who], reason=WHY)
    assert exc.value.code == "permission"
    assert "本项目建设单位负责人" in exc.value.message and "办法第二十九条" in exc.value.message
    assert acceptance_clock(project).due_on == D(2026, 9, 12)


def test_the_preparer_who_took_the_step_does_not_correct_it_the_head_does(orgs, people, call_2026):
    # 开工建设 is taken by the owner's 经办人 or 负责人 (办法第二十四条); its correction by the head.
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        corrections.record_correct(
            project, "construction_started_on", on, actor=people.owner_preparer, reason=WHY
        )
    assert exc.value.code == "permission" and "负责人" in exc.value.message
    assert corrections.correctable(project, people.owner_preparer) == []
    assert "construction_started_on" in corrections.correctable(project, people.owner_head)


def test_the_corrected_value_obeys_the_rules_of_the_step(orgs, people, call_2026):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    with as_of(D(2026, 3, 20)):
        for value, words in (
            (D(2025, 11, 22), "早于开工日期"),
            (D(2026, 3, 21), "将来"),
            ("2026-13-01", "须为日期"),
            (D(2026, 3, 12), "无需更正"),
        ):
            with pytest.raises(RuleViolation) as exc:
                corrections.record_correct(
                    project, "completed_on", value, actor=people.owner_head, reason=WHY
                )
            assert words in exc.value.message
        with pytest.raises(RuleViolation) as exc:
            corrections.record_correct(
                project, "surplus_returned_yuan", Decimal("-50000"), actor=people.owner_head, reason=WHY
            )
        assert "负数" in exc.value.message
        # 开工 may not move after the 建成 already recorded.
        with pytest.raises(RuleViolation) as exc:
            corrections.record_correct(
                project, "construction_started_on", D(2026, 3, 13), actor=people.owner_head, reason=WHY
            )
        assert "晚于已记录的建成日期" in exc.value.message
    assert not AuditEntry.objects.filter(project=project, action=corrections.CORRECTED).exists()


def test_the_decided_amount_is_not_corrected_below_the_surplus_returned_from_it(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        services.perform(
            project,
            "complete_construction",
            actor=people.owner_head,
            completed_on=on,
            surplus_returned_yuan=Decimal("300000.00"),
        )
        with pytest.raises(RuleViolation) as exc:
            corrections.record_correct(
                project,
                "decided_amount_yuan",
                Decimal("200000.00"),
                actor=people.government_head,
                reason="审定金额录入有误。",
            )
    assert "办法第二十七条" in exc.value.message and "30.00万元" in exc.value.message


def test_nothing_is_corrected_before_its_step_was_taken(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        corrections.record_correct(project, "completed_on", on, actor=people.owner_head, reason=WHY)
    assert exc.value.code == "state" and "尚未办理" in exc.value.message


# ---------------------------------------------------------------- the page


def test_the_head_corrects_from_the_project_page(client, orgs, people, call_2026):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    client.force_login(people.owner_head)
    url = reverse("project_correct", args=[project.pk, "completed_on"])
    with as_of(D(2026, 3, 20)):
        assert url in client.get(reverse("project", args=[project.pk])).content.decode()
        assert client.get(url).status_code == 200
        response = client.post(url, {"completed_on": "2026-04-01", "reason": WHY})
        assert response.status_code == 400 and "将来" in " ".join(
            response.context["form"].errors["completed_on"]
        )
        response = client.post(url, {"completed_on": "2026-03-10", "reason": ""})
        assert response.status_code == 400 and "reason" in response.context["form"].errors
        response = client.post(url, {"completed_on": "2026-03-10", "reason": WHY})
    assert response.status_code == 302
    assert acceptance_clock(project).due_on == D(2026, 9, 10)
    with as_of(D(2026, 3, 20)):
        assert "2026-03-12 → 2026-03-10" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "who,status", [("owner_preparer", 403), ("bureau_head", 403), ("other_owner_head", 404)]
)
def test_the_correction_page_is_refused_to_others(client, orgs, people, call_2026, who, status):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    client.force_login(people[who])
    url = reverse("project_correct", args=[project.pk, "completed_on"])
    with as_of(D(2026, 3, 20)):
        assert client.post(url, {"completed_on": "2026-03-10", "reason": WHY}).status_code == status
        if status == 403:
            assert url not in client.get(reverse("project", args=[project.pk])).content.decode()
    assert Project.objects.get(pk=project.pk).completed_on == D(2026, 3, 12)


def test_an_unknown_datum_is_not_found(client, orgs, people, call_2026):
    project = completed(orgs, people, call_2026, typed=D(2026, 3, 12))
    client.force_login(people.owner_head)
    assert client.get(reverse("project_correct", args=[project.pk, "name"])).status_code == 404
