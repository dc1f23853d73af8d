"""A June application all the way to closed, through the service layer only."""

from __future__ import annotations

import datetime
from decimal import Decimal

from core.states import ChangeState, PlanState, ProjectState as S
from lifecycle import services
from lifecycle.models import AuditEntry, ChangeItem, Clock, Copy
from projects import services as project_services
from projects.models import CallSubmission, Project
from tests.conftest import at
from tests.factories import ProjectFactory, complete_application
from web.scenarios import Walker

D = datetime.date


def go(obj, name, person, **kwargs):
    services.perform(obj, name, actor=person, **kwargs)
    obj.refresh_from_db()
    return obj


def file_document(project, kind, person, **evidence):
    """Upload the document itself (办法第十五、十八、二十三、二十九、三十一条)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services as documents

    return documents.material_upload(
        project,
        actor=person,
        kind=kind,
        issuing_body=evidence.pop("by", ""),
        upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4\n%%EOF\n"),
        **evidence,
    )


def give_joint_opinions(project, people, conclusion="approve"):
    services.opinion_give(
        project,
        actor=people.bureau_reviewer,
        aspect="intensive",
        conclusion=conclusion,
        text="符合集约化建设要求，数据共享目录完整。",
    )
    services.opinion_give(
        project,
        actor=people.cac_reviewer,
        aspect="security",
        conclusion="approve",
        text="网络安全建设内容符合要求。",
    )
    services.opinion_give(
        project,
        actor=people.crypto_reviewer,
        aspect="crypto",
        conclusion="approve",
        text="密码应用方案符合GB/T 39786要求。",
    )


def submit_call(orgs, people, call, *projects):
    submission, _ = CallSubmission.objects.get_or_create(call=call, organisation=orgs["owner"])
    project_services.call_submit(
        submission,
        actor=people.owner_head,
        letter="关于报送2026年度政务信息化建设需求的函",
        responsible_person=people.owner_head,
        splits_confirmed=True,
    )
    for p in projects:
        p.refresh_from_db()


def test_a_june_application_goes_all_the_way_to_closed(orgs, people, call_2026):
    project = complete_application(
        ProjectFactory(owner=orgs["owner"], call=call_2026, name="全省教育督导信息平台")
    )

    # 办法第八条: submitted in the June window as one batch signed by the head.
    with at(2025, 6, 20):
        submit_call(orgs, people, call_2026, project)
    assert project.state == S.SUBMITTED
    assert project.submission.signed_by == people.owner_head

    # 办法第十条: joint review with a correction round (clock paused) and three opinions.
    with at(2025, 6, 23):  # Monday
        go(project, "accept_application", people.bureau_reviewer)
    clock = Clock.objects.get(project=project, kind="joint_review")
    assert clock.due_on == D(2025, 6, 30)  # 5 working days after Monday 23rd, receipt day not counted
    with at(2025, 6, 24):
        go(project, "request_correction", people.cac_reviewer, reason="请补充等级保护测评计划。")
    with at(2025, 6, 26):
        go(project, "submit_correction", people.owner_preparer, reason="已补充等级保护测评计划。")
    clock.refresh_from_db()
    assert clock.paused_working_days == 2 and clock.due_on == D(2025, 7, 2)
    with at(2025, 6, 27):
        give_joint_opinions(project, people)
        go(project, "pass_review", people.bureau_head)
    clock.refresh_from_db()
    assert clock.met is True
    assert project.corrections.get().reply == "已补充等级保护测评计划。"

    # 办法第十一条: plan compiled with 财政厅, approved by the government, issued.
    with at(2025, 9, 15):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
        services.plan_include(plan, project, actor=people.bureau_reviewer)
        services.plan_finance_concur(plan, actor=people.finance_head)
        go(plan, "submit_to_government", people.bureau_head)
    with at(2025, 10, 20):
        go(
            plan,
            "approve",
            people.government_head,
            approval_no="黑政函〔2025〕88号",
            approved_on=D(2025, 10, 20),
        )
        go(plan, "issue", people.bureau_head, document_no="黑营商发〔2025〕12号")
    project.refresh_from_db()
    assert plan.state == PlanState.ISSUED and project.state == S.IN_PLAN
    assert Clock.objects.get(plan=plan).met is True

    # 办法第十五、十六条: FSR with platform code and sharing chapter; 第十八条 design in 20 days.
    with at(2026, 1, 12):
        project.platform_code = "2601-230000-04-01-123456"
        project.fsr_sharing_chapter = True
        project.save()
        file_document(project, "fsr", people.owner_preparer)
        go(project, "submit_fsr", people.owner_preparer)
    with at(2026, 2, 2):
        go(
            project,
            "approve_fsr",
            people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕8号",
            fsr_estimate_yuan=Decimal("5000000.00"),
        )
    assert project.state == S.FSR_APPROVED
    with at(2026, 2, 9):  # Monday before the 2026 Spring Festival
        project.design_sharing_chapter = True
        project.save()
        file_document(project, "design", people.owner_preparer)
        file_document(
            project,
            "fsr_approval",
            people.owner_preparer,
            issued_on=D(2026, 2, 2),
            by="黑龙江省发展和改革委员会",
        )
        go(project, "submit_design", people.owner_preparer)
    design_clock = Clock.objects.get(project=project, kind="design_review")
    # 20 working days from 2-9: 2-10..2-13, Sat 2-14 (make-up), 2-15..2-23 off, 2-24..2-27, Sat 2-28
    # (make-up) make 10; ten more end on Friday 3-13.
    assert design_clock.due_on == D(2026, 3, 13)
    with at(2026, 3, 2):
        go(
            project,
            "approve_design",
            people.bureau_head,
            design_approval_no="黑营商审〔2026〕3号",
            approved_estimate_yuan=Decimal("5000000.00"),
            design_evaluation="experts",
        )
    assert project.state == S.APPROVAL_COMPLETE and project.approved_estimate_yuan == Decimal("5000000.00")

    # 办法第十九条: 省政府审定.
    with at(2026, 3, 5):
        go(project, "submit_ratification", people.bureau_head)
        go(
            project,
            "ratify",
            people.government_head,
            ratification_no="黑政审〔2026〕5号",
            ratified_on=D(2026, 3, 5),
            decided_amount_yuan=Decimal("5000000.00"),
            decided_funding_source="省级财政资金",
        )

    # 办法第二十四条: 监理 before construction.
    Walker(people).contracts(project, D(2026, 3, 10))
    with at(2026, 3, 10):
        go(project, "start_construction", people.owner_preparer, construction_started_on=D(2026, 3, 10))
    report_clock = Clock.objects.get(project=project, kind="performance_report", year=2026)
    assert report_clock.due_on == D(2026, 12, 31)

    # 办法第二十八条: a 10% change is filed, a further 6% (cumulative 16%) goes to approval.
    with at(2026, 5, 6):
        small = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整数据治理模块",
            reason="按省委部署调整",
            ground="deployment",
            items=[{"from_content": "移动端", "to_content": "数据治理", "amount_yuan": Decimal("500000.00")}],
        )
        services.change_submit(small, actor=people.owner_head)
        big = services.change_create(
            project,
            actor=people.owner_preparer,
            title="扩充监管模块",
            reason="优化技术方案",
            ground="optimisation",
            items=[{"from_content": "培训", "to_content": "监管", "amount_yuan": Decimal("300000.00")}],
        )
        services.change_submit(big, actor=people.owner_head)
        services.change_decide(big, actor=people.bureau_head, approve=True, note="同意调整。")
    small.refresh_from_db(), big.refresh_from_db()
    assert small.state == ChangeState.FILED and small.ratio == Decimal("0.100000")
    assert big.state == ChangeState.APPROVED and big.ratio == Decimal("0.160000")

    # 办法第二十五条: the yearly performance report stops that year's clock.
    with at(2026, 12, 20):
        services.performance_report_submit(
            project,
            actor=people.owner_preparer,
            year=2026,
            progress="完成80%",
            investment_executed_yuan=Decimal("4000000.00"),
            user_opinions="使用单位认为功能满足业务需要。",
            supervisor_opinion="监理单位认为进度和质量受控。",
        )
    report_clock.refresh_from_db()
    assert report_clock.met is True

    # 办法第二十七、二十九条: completion, acceptance within 6 months with every precondition.
    with at(2027, 1, 15):
        go(
            project,
            "complete_construction",
            people.owner_head,
            completed_on=D(2027, 1, 15),
            surplus_returned_yuan=Decimal("12000.00"),
        )
    assert Clock.objects.get(project=project, kind="acceptance_application").due_on == D(2027, 7, 15)
    with at(2027, 3, 5):
        file_document(
            project, "archive_opinion", people.owner_preparer, issued_on=D(2027, 3, 1), by="黑龙江省档案馆"
        )
        file_document(
            project, "crypto_assessment", people.owner_preparer, issued_on=D(2027, 3, 2), by="密评机构"
        )
    project.refresh_from_db()
    assert (project.archive_accepted_on, project.crypto_assessment_on) == (D(2027, 3, 1), D(2027, 3, 2))
    with at(2027, 3, 10):
        go(project, "apply_acceptance", people.owner_head)
        for who, aspect in (
            ("cac", "cac_acceptance"),
            ("crypto", "crypto_acceptance"),
            ("drc", "drc_acceptance"),
            ("police", "police_acceptance"),
            ("secrecy", "secrecy_acceptance"),
        ):
            services.opinion_give(
                project,
                actor=people[f"{who}_reviewer"],
                aspect=aspect,
                conclusion="approve",
                text="同意通过验收。",
            )
        go(project, "accept", people.bureau_head, accepted_on=D(2027, 3, 10))
    with at(2027, 3, 18):
        file_document(
            project, "acceptance_report", people.owner_preparer, issued_on=D(2027, 3, 10), by="黑龙江省教育厅"
        )
    with at(2027, 3, 20):  # 办法第二十九条: the bureau receives the filing
        from documents.evidence import evidence_confirm

        evidence_confirm(project, "acceptance_report", actor=people.bureau_reviewer)
    project.refresh_from_db()
    assert project.acceptance_report_filed_on == D(2027, 3, 20)
    with at(2027, 3, 25):
        go(project, "go_live", people.owner_preparer, went_live_on=D(2027, 3, 25))
    self_clock = Clock.objects.get(project=project, kind="self_evaluation")
    assert (self_clock.opens_on, self_clock.due_on) == (D(2027, 9, 25), D(2028, 3, 25))

    # 办法第三十三条: self-evaluation in the 6–12-month window, copied to 财政厅 and 发改委.
    with at(2027, 10, 8):
        # 办法第九、三十三条: each performance target with what was achieved.
        from projects import evaluation

        target = evaluation.target_add(
            project, actor=people.owner_preparer, indicator="业务办理时限压缩", target_value="50%"
        )
        evaluation.target_report(
            target, actor=people.owner_preparer, achieved_value="52%", explanation="已实现。"
        )
        go(
            project,
            "submit_self_evaluation",
            people.owner_head,
            self_evaluation="绩效目标基本实现。",
            self_evaluation_grade="good",
        )
        go(project, "close", people.bureau_head)
    assert project.state == S.CLOSED
    assert set(
        Copy.objects.filter(project=project, article="第三十三条").values_list(
            "organisation__kind", flat=True
        )
    ) == {"finance", "drc"}

    # Every step left an audit row naming the person, the organisation and the states.
    steps = list(
        AuditEntry.objects.filter(
            project=project,
            object_type="projects.project",
            action__in=[
                "submit",
                "accept_application",
                "pass_review",
                "enter_plan",
                "submit_fsr",
                "approve_fsr",
                "submit_design",
                "approve_design",
                "ratify",
                "start_construction",
                "complete_construction",
                "apply_acceptance",
                "accept",
                "go_live",
                "submit_self_evaluation",
                "close",
            ],
        ).order_by("pk")
    )
    assert [e.action for e in steps][:3] == ["submit", "accept_application", "pass_review"]
    assert len(steps) == 16
    first = steps[0]
    assert (first.actor, first.organisation, first.from_state, first.to_state) == (
        people.owner_head,
        orgs["owner"],
        "draft",
        "submitted",
    )
    assert ChangeItem.objects.filter(change__project=project).count() == 2
    assert Project.objects.get(pk=project.pk).surplus_returned_yuan == Decimal("12000.00")
