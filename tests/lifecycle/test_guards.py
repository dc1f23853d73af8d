"""Each guard of the 办法 refuses the step and names its article; 原则上 rules can be
passed by a head with a recorded reason."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from projects.models import CallSubmission, Project
from projects.supervision import finding_set
from projects.supervision_models import FindingKind
from tests.factories import CallFactory, ProjectFactory, complete_application
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date


def refused(project, name, person, on, **data) -> RuleViolation:
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, name, actor=person, **data)
    assert Project.objects.get(pk=project.pk).state == project.state
    return exc.value


def refused_submission(project, person, on) -> RuleViolation:
    """办法第八条: a draft is submitted only with its department's consolidated submission."""
    submission, _ = CallSubmission.objects.get_or_create(call=project.call, organisation=project.owner)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        project_services.call_submit(
            submission, actor=person, letter="申报函", responsible_person=person, splits_confirmed=True
        )
    assert Project.objects.get(pk=project.pk).state == S.DRAFT
    return exc.value


def test_an_incomplete_application_is_refused_item_by_item(orgs, people, call_2026):
    project = ProjectFactory(owner=orgs["owner"], call=call_2026, crypto_plan="", content_and_scale="")
    error = refused_submission(project, people.owner_head, D(2025, 6, 10))
    assert "办法第九条" in error.message
    assert (
        "密码应用方案" in error.message
        and "建设内容和规模" in error.message
        and "数据资源目录" in error.message
    )


def test_yearly_amounts_must_add_up_to_the_total(orgs, people, call_2026):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    project.yearly_investments.update(amount_yuan=Decimal("1.00"))
    assert ("yearly_investments", "年度投资额合计应等于项目总投资（办法第九条）。") in [
        (f, str(m)) for f, m in project.missing_application_items()
    ]


def test_an_application_outside_the_june_window_is_refused(orgs, people, call_2026):
    project, _ = project_in(S.DRAFT, orgs, people, call_2026)
    error = refused_submission(project, people.owner_head, D(2025, 7, 1))
    assert "办法第八条" in error.message


def test_a_department_submits_once_per_call(orgs, people, call_2026):
    _project, on = project_in(S.DRAFT, orgs, people, call_2026)
    submission = CallSubmission.objects.create(call=call_2026, organisation=orgs["owner"])
    with as_of(on):
        project_services.call_submit(
            submission, actor=people.owner_head, letter="申报函", responsible_person=people.owner_head
        )
    complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    with as_of(on), pytest.raises(RuleViolation) as exc:
        project_services.call_submit(
            submission,
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
    assert "不得分散申报" in exc.value.message and "办法第八条" in exc.value.message


def test_an_owner_with_non_sharing_systems_cannot_apply(orgs, people, call_2026):
    project, on = project_in(S.DRAFT, orgs, people, call_2026)
    # 办法第三十四条: the bureau finds that a system of the department does not share its data.
    finding_set(
        actor=people.bureau_reviewer,
        organisation=orgs["owner"],
        kind=FindingKind.DATA_NOT_SHARED,
        system="教育统计系统",
        reason="未按目录共享学籍数据",
        evidence="黑营商函〔2026〕3号",
    )
    project.refresh_from_db()
    message = refused_submission(project, people.owner_head, on).message
    assert "办法第三十四条" in message and "教育统计系统" in message


def test_review_cannot_pass_without_all_three_opinions(orgs, people, call_2026):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    with as_of(on):
        services.opinion_give(
            project, actor=people.bureau_reviewer, aspect="intensive", conclusion="approve", text="同意"
        )
    error = refused(project, "pass_review", people.bureau_head, on)
    assert (
        "办法第十条" in error.message
        and "网络安全审核意见" in error.message
        and "密码应用审核意见" in error.message
    )


def test_review_cannot_pass_over_a_negative_opinion(orgs, people, call_2026):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    with as_of(on):
        for who, aspect, c in (
            ("bureau_reviewer", "intensive", "approve"),
            ("cac_reviewer", "security", "reject"),
            ("crypto_reviewer", "crypto", "approve"),
        ):
            services.opinion_give(project, actor=people[who], aspect=aspect, conclusion=c, text="意见")
    assert "不同意" in refused(project, "pass_review", people.bureau_head, on).message
    # After a correction round the agency renews its opinion; the latest one counts.
    with as_of(on):
        services.perform(project, "request_correction", actor=people.cac_reviewer, reason="补充安全方案")
        services.perform(project, "submit_correction", actor=people.owner_preparer, reason="已补充")
        services.opinion_give(
            project, actor=people.cac_reviewer, aspect="security", conclusion="approve", text="同意"
        )
        services.perform(project, "pass_review", actor=people.bureau_head)
    assert Project.objects.get(pk=project.pk).state == S.REVIEW_PASSED


def test_an_agency_gives_only_its_own_opinion(orgs, people, call_2026):
    project, _on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    with pytest.raises(RuleViolation):
        services.opinion_give(
            project, actor=people.cac_reviewer, aspect="crypto", conclusion="approve", text="x"
        )


def test_fsr_needs_the_platform_code_unless_classified(orgs, people, call_2026):
    project, on = project_in(S.IN_PLAN, orgs, people, call_2026, fsr_sharing_chapter=True)
    assert "办法第十五条" in refused(project, "submit_fsr", people.owner_preparer, on).message
    secret, on2 = project_in(
        S.IN_PLAN, orgs, people, CallFactory(year=2027), fsr_sharing_chapter=True, classified=True
    )
    Walker(people).upload(secret, "fsr", people.owner_preparer, on2)  # 办法第十五条: the FSR itself
    with as_of(on2):
        services.perform(secret, "submit_fsr", actor=people.owner_preparer)
    assert Project.objects.get(pk=secret.pk).state == S.FSR_REVIEW


def test_fsr_needs_the_catalogue_and_the_sharing_chapter(orgs, people, call_2026):
    project, on = project_in(S.IN_PLAN, orgs, people, call_2026, platform_code="2601-230000-04-01-000001")
    assert "办法第十六条" in refused(project, "submit_fsr", people.owner_preparer, on).message
    project.fsr_sharing_chapter = True
    project.save()
    project.data_resources.all().delete()
    assert "办法第十六条" in refused(project, "submit_fsr", people.owner_preparer, on).message


def test_the_merged_path_needs_a_ground_and_skips_the_design(orgs, people, call_2026):
    project, on = project_in(
        S.IN_PLAN,
        orgs,
        people,
        call_2026,
        platform_code="2601-230000-04-01-000002",
        fsr_sharing_chapter=True,
        merged_fsr_design=True,
    )
    assert "办法第十七条" in refused(project, "submit_fsr", people.owner_preparer, on).message
    project.merged_ground = "simple"
    project.save()
    Walker(people).upload(project, "fsr", people.owner_preparer, on)
    with as_of(on):
        services.perform(project, "submit_fsr", actor=people.owner_preparer)
        services.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕2号",
            fsr_estimate_yuan=Decimal("4900000.00"),
            preliminary_work_depth="已完成需求调研和技术方案比选，达到初步设计深度。",
        )
    project.refresh_from_db()
    # 办法第十七条: only the FSR is approved; the project goes straight to 省政府审定.
    assert project.state == S.APPROVAL_COMPLETE
    assert project.approved_estimate_yuan == Decimal("4900000.00")


def test_intranet_designs_go_to_the_intranet_office(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026, network="intranet")
    data = {"design_approval_no": "黑内网审〔2026〕1号", "approved_estimate_yuan": Decimal("1")}
    error = refused(project, "approve_design", people.bureau_head, on, **data)
    assert "省内网办" in error.message and "办法第十八条" in error.message
    with as_of(on):
        services.perform(
            project, "approve_design", actor=people.intranet_head, design_evaluation="third_party", **data
        )
    assert Project.objects.get(pk=project.pk).state == S.APPROVAL_COMPLETE


def test_a_design_beyond_the_fsr_needs_its_explanation_chapter(orgs, people, call_2026):
    project, on = project_in(
        S.FSR_APPROVED, orgs, people, call_2026, design_sharing_chapter=True, design_deviates=True
    )
    assert "独立章节" in refused(project, "submit_design", people.owner_preparer, on).message


def test_a_major_change_goes_back_to_fsr_unless_a_head_overrides(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026, design_major_change=True)
    data = {
        "design_approval_no": "黑营商审〔2026〕2号",
        "approved_estimate_yuan": Decimal("5000000.00"),
        "design_evaluation": "experts",
    }
    error = refused(project, "approve_design", people.bureau_head, on, **data)
    assert error.code == "overridable" and "办法第十八条" in error.message
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, "approve_design", actor=people.bureau_reviewer, override_reason="x", **data)
    assert exc.value.code == "permission"
    with as_of(on):
        services.perform(
            project,
            "approve_design",
            actor=people.bureau_head,
            override_reason="调整部分不影响总体架构，经专家论证同意。",
            **data,
        )
    entry = AuditEntry.objects.filter(project=project, action="approve_design").get()
    assert entry.override and entry.reason == "调整部分不影响总体架构，经专家论证同意。"
    assert "办法第十八条" in entry.data["overridden"][0]


def test_construction_needs_a_supervisor(orgs, people, call_2026):
    project, on = project_in(S.RATIFIED, orgs, people, call_2026)
    assert "办法第二十四条" in refused(project, "start_construction", people.owner_preparer, on).message


@pytest.mark.parametrize(
    "missing, article",
    [
        ("archive_opinion", "第三十一条"),
        ("crypto_assessment", "第二十三条"),
        ("opinions", "第二十九条"),
    ],
)
def test_acceptance_needs_its_preconditions(orgs, people, call_2026, missing, article):
    project, on = project_in(S.COMPLETED, orgs, people, call_2026)
    walker = Walker(people)
    for kind, issuer in (("archive_opinion", "黑龙江省档案馆"), ("crypto_assessment", "密评机构")):
        if kind != missing:
            walker.upload(project, kind, people.owner_preparer, on, issued_on=on, issuing_body=issuer)
    walker.step(project, "apply_acceptance", people.owner_head, on)
    if missing != "opinions":
        with as_of(on):
            for who, aspect in (
                ("cac", "cac_acceptance"),
                ("crypto", "crypto_acceptance"),
                ("drc", "drc_acceptance"),
                ("police", "police_acceptance"),
                ("secrecy", "secrecy_acceptance"),
            ):
                services.opinion_give(
                    project, actor=people[f"{who}_reviewer"], aspect=aspect, conclusion="approve", text="同意"
                )
    assert f"办法{article}" in refused(project, "accept", people.bureau_head, on).message


def test_a_classified_system_needs_the_secrecy_evaluation(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026, classified=True)
    walker = Walker(people)
    walker.upload(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body="验收组"
    )
    walker.confirm(project, "acceptance_report", people.bureau_reviewer, on)
    # A newer 保密测评审查意见 that 省委保密办 has not confirmed yet (办法第三十二条).
    from documents import services as documents
    from tests.documents.conftest import PDF, upload

    with as_of(on):
        documents.material_upload(
            project,
            actor=people.secrecy_reviewer,
            kind="secrecy_evaluation",
            upload=upload("复测意见.pdf", PDF),
            issued_on=on,
            issuing_body="省委保密办",
        )
    assert "办法第三十二条" in refused(project, "go_live", people.owner_preparer, on).message


def test_acceptance_is_applied_for_within_six_months_or_after_an_extension(orgs, people, call_2026):
    project, on = project_in(S.COMPLETED, orgs, people, call_2026)
    late = on + datetime.timedelta(days=200)
    assert "办法第二十九条" in refused(project, "apply_acceptance", people.owner_head, late).message
    with as_of(late):
        services.perform(
            project,
            "request_extension",
            actor=people.owner_head,
            reason="档案整理未完成",
            requested_due_on=late + datetime.timedelta(days=60),
        )
        services.perform(
            project,
            "grant_extension",
            actor=people.bureau_head,
            granted_due_on=late + datetime.timedelta(days=60),
        )
        services.perform(project, "apply_acceptance", actor=people.owner_head)
    assert Project.objects.get(pk=project.pk).state == S.ACCEPTANCE_REVIEW


def test_self_evaluation_waits_for_six_months_after_go_live(orgs, people, call_2026):
    project, _on = project_in(S.OPERATION, orgs, people, call_2026)
    early = project.went_live_on + datetime.timedelta(days=100)
    assert "办法第三十三条" in refused(project, "submit_self_evaluation", people.owner_head, early).message


def test_a_rectification_ends_only_after_the_owner_reports(orgs, people, call_2026):
    project, on = project_in(S.RECTIFICATION, orgs, people, call_2026)
    assert "办法第三十六条" in refused(project, "finish_rectification", people.bureau_head, on).message


class TestUnfinishedPlan:
    """办法第十二条: a department whose previous plan is unfinished gets no new projects in principle."""

    def _old_project(self, orgs, people, state):
        old_call = CallFactory(year=2025)
        project, _on = project_in(state, orgs, people, old_call)
        return project

    def _new_application(self, orgs, people):
        call = CallFactory(year=2027)
        project = complete_application(ProjectFactory(owner=orgs["owner"], call=call))
        Walker(people).submit_batch(call, orgs["owner"], D(2026, 6, 10))
        project.refresh_from_db()
        return project

    def test_it_refuses_while_last_years_plan_is_unfinished(self, orgs, people):
        old = self._old_project(orgs, people, S.CONSTRUCTION)
        new = self._new_application(orgs, people)
        error = refused(new, "accept_application", people.bureau_reviewer, D(2026, 6, 15))
        assert error.code == "overridable" and "办法第十二条" in error.message and old.name in error.message

    def test_a_head_may_override_with_a_reason(self, orgs, people):
        self._old_project(orgs, people, S.CONSTRUCTION)
        new = self._new_application(orgs, people)
        with as_of(D(2026, 6, 15)):
            services.perform(
                new,
                "accept_application",
                actor=people.bureau_head,
                override_reason="省委专题会议明确要求本年度启动。",
            )
        entry = AuditEntry.objects.get(project=new, action="accept_application")
        assert entry.override and entry.reason == "省委专题会议明确要求本年度启动。"

    def test_it_accepts_once_last_years_projects_are_built(self, orgs, people):
        self._old_project(orgs, people, S.COMPLETED)
        new = self._new_application(orgs, people)
        with as_of(D(2026, 6, 15)):
            services.perform(new, "accept_application", actor=people.bureau_reviewer)
        assert Project.objects.get(pk=new.pk).state == S.JOINT_REVIEW


def test_emergency_insertion_needs_an_approved_plan(orgs, people, call_2026):
    project, _on = project_in(S.DRAFT, orgs, people, call_2026, emergency_mandate="国务院要求。")
    with pytest.raises(RuleViolation) as exc:
        services.emergency_request(project, actor=people.owner_head)
    assert "已批准的当年度建设计划" in exc.value.message and "办法第十二条" in exc.value.message


def test_the_design_needs_its_sharing_chapter(orgs, people, call_2026):
    project, on = project_in(S.FSR_APPROVED, orgs, people, call_2026)
    project.design_sharing_chapter = False
    project.save()
    assert "办法第十六条" in refused(project, "submit_design", people.owner_preparer, on).message


def test_acceptance_needs_the_product_reliability_statement(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    project.archive_accepted_on = project.crypto_assessment_on = on
    project.product_reliability = ""
    project.save()
    assert "办法第二十三条" in refused(project, "accept", people.bureau_head, on).message


def test_going_live_needs_the_acceptance_report_filed(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    assert "办法第二十九条" in refused(project, "go_live", people.owner_preparer, on).message


def test_an_empty_plan_is_not_sent_to_the_government(people):
    with as_of(D(2025, 9, 1)):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
        services.plan_finance_concur(plan, actor=people.finance_head)
        with pytest.raises(RuleViolation) as exc:
            services.perform(plan, "submit_to_government", actor=people.bureau_head)
    assert "办法第十一条" in exc.value.message


def test_every_guard_names_its_article():
    from lifecycle.rules import Guard
    from projects.models import AnnualPlan

    for model in (Project, AnnualPlan):
        for t in model._meta.get_field("state").get_all_transitions(model):
            for condition in t.conditions:
                assert isinstance(condition, Guard) and condition.article.startswith("第"), (
                    t.name,
                    condition,
                )
