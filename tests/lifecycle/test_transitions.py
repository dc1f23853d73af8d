"""Every project transition: taken by the right person, refused to another organisation and
to the wrong role, each refusal naming its article (办法第N条).

Who is right and who is wrong comes from the table written from the 办法 in
tests/lifecycle/test_rule_table.py, never from the transitions' own ``permission``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.models import AnnualPlan, Project
from tests.lifecycle.builders import project_in
from tests.lifecycle.test_rule_table import PROJECT_RULES, persona_keys
from web.scenarios import Walker

D = datetime.date


def _opinions(project, people, on, stage="joint_review", conclusion="approve"):
    aspects = {
        "joint_review": [
            ("bureau_reviewer", "intensive"),
            ("cac_reviewer", "security"),
            ("crypto_reviewer", "crypto"),
        ],
        # 办法第十二条 (with 第十条): 网信办 and 密码管理局 too, before the bureau forwards it.
        "emergency": [
            ("cac_reviewer", "cac_emergency"),
            ("crypto_reviewer", "crypto_emergency"),
            ("bureau_reviewer", "bureau_emergency"),
            ("finance_reviewer", "finance_emergency"),
        ],
        "acceptance": [
            ("cac_reviewer", "cac_acceptance"),
            ("crypto_reviewer", "crypto_acceptance"),
            ("drc_reviewer", "drc_acceptance"),
            ("police_reviewer", "police_acceptance"),
            ("secrecy_reviewer", "secrecy_acceptance"),
        ],
    }[stage]
    with as_of(on):
        for who, aspect in aspects:
            services.opinion_give(
                project, actor=people[who], aspect=aspect, conclusion=conclusion, text="意见。"
            )


def _approved_plan(project, people, on):
    plan, _ = AnnualPlan.objects.get_or_create(year=2026, defaults={"state": "approved"})
    project.plan = plan
    project.save()


def _set(**values):
    def prepare(project, people, on):
        for name, value in values.items():
            setattr(project, name, value)
        project.save()

    return prepare


def _contracts(project, people, on):
    """办法第二十四条: the 监理 contract, recorded through lifecycle.contracts."""
    from web.scenarios import Walker

    Walker(people).contracts(project, on)


def _head_responsible(project, people, on):
    """办法第二十一条: the department's head is named 项目责任人."""
    project.responsible_person = people.owner_head
    project.save()


def _both(*prepares):
    def prepare(project, people, on):
        for p in prepares:
            p(project, people, on)

    return prepare


def _upload(kind, who="owner_preparer", dated=False, confirm_by=None):
    """The document behind a precondition (办法第十五、十八、二十三、二十九、三十一条)."""

    def prepare(project, people, on):
        from web.scenarios import Walker

        walker = Walker(people)
        walker.upload(
            project,
            kind,
            people[who],
            on,
            issued_on=on if dated else None,
            issuing_body="出具单位" if dated else "",
        )
        if confirm_by:
            walker.confirm(project, kind, people[confirm_by], on)

    return prepare


def _acceptance_ready(project, people, on):
    from web.scenarios import Walker

    Walker(people).upload(
        project,
        "archive_opinion",
        people.owner_preparer,
        on - datetime.timedelta(days=1),
        issued_on=on - datetime.timedelta(days=1),
        issuing_body="黑龙江省档案馆",
    )
    Walker(people).upload(
        project,
        "crypto_assessment",
        people.owner_preparer,
        on - datetime.timedelta(days=1),
        issued_on=on - datetime.timedelta(days=1),
        issuing_body="密评机构",
    )
    _opinions(project, people, on, "acceptance")


def _rectification_reported(project, people, on):
    with as_of(on):
        services.rectification_report(project, actor=people.owner_preparer, report="已整改。")


def _targets_reported(project, people, on):
    """办法第九、三十三条: a performance target with its achieved value."""
    from projects import evaluation

    with as_of(on):
        target = evaluation.target_add(
            project, actor=people.owner_preparer, indicator="办件量", target_value="10万件"
        )
        evaluation.target_report(
            target, actor=people.owner_preparer, achieved_value="12万件", explanation="超额完成"
        )


def _data(case, people) -> dict:
    """The case's step data; "expert" stands for the expert organisation of ``people``."""
    return {k: people.expert_reviewer.organisation if v == "expert" else v for k, v in case.data.items()}


@dataclass
class Case:
    name: str
    source: str
    actor: str
    data: dict = field(default_factory=dict)
    prepare: Callable | None = None
    fields: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.name}-from-{self.source}"


R = {"reason": "依据办法有关规定办理。"}
#: 建设性质 (issue 15): the project of the short path's cases.
O_M = {"nature": "operation", "system_name": "已建业务系统"}


def _yearly_reports(project, people, on):
    """办法第二十五条: the report of each year of execution, before the service ends."""
    Walker(people).yearly_reports(project, on)


CASES = [
    # Steps with ``via`` are taken by their service (办法第八、十一条); the table checks who
    # may take them, as the service does; tests/projects/test_consolidated_submission.py
    # checks that nothing else can.
    Case("submit", S.DRAFT, "owner_head", {"via": "call_submission"}, prepare=_head_responsible),
    Case("withdraw", S.SUBMITTED, "owner_head", R),
    Case("accept_application", S.SUBMITTED, "bureau_reviewer"),
    Case("request_correction", S.JOINT_REVIEW, "crypto_reviewer", R),
    Case("submit_correction", S.CORRECTING, "owner_preparer", R),
    Case("start_expert_evaluation", S.JOINT_REVIEW, "bureau_reviewer", R),
    Case("finish_expert_evaluation", S.EXPERT_EVALUATION, "expert_reviewer", {**R, "conclusion": "approve"}),
    Case("pass_review", S.JOINT_REVIEW, "bureau_head", prepare=_opinions),
    Case(
        "reject_review",
        S.JOINT_REVIEW,
        "bureau_head",
        R,
        prepare=lambda p, pe, on: _opinions(p, pe, on, conclusion="reject"),
    ),
    Case("enter_plan", S.REVIEW_PASSED, "government_head", {"via": "plan_approval"}, prepare=_approved_plan),
    Case("leave_out", S.REVIEW_PASSED, "government_head", {"via": "plan_approval"}),
    Case(
        "request_emergency",
        S.DRAFT,
        "owner_head",
        prepare=_both(_approved_plan, _set(emergency_mandate="国务院有明确要求。"), _head_responsible),
    ),
    Case(
        "forward_emergency",
        S.EMERGENCY_REQUESTED,
        "bureau_head",
        prepare=lambda p, pe, on: _opinions(p, pe, on, "emergency"),
    ),
    Case("approve_emergency", S.EMERGENCY_FORWARDED, "government_head"),
    Case("reject_emergency", S.EMERGENCY_REQUESTED, "finance_head", R),
    Case(
        "submit_fsr",
        S.IN_PLAN,
        "owner_preparer",
        prepare=_both(
            _set(platform_code="2601-230000-04-01-000001", fsr_sharing_chapter=True), _upload("fsr")
        ),
    ),
    Case(
        "approve_fsr",
        S.FSR_REVIEW,
        "drc_head",
        {"fsr_approval_no": "黑发改审批〔2026〕1号", "fsr_estimate_yuan": Decimal("5000000.00")},
    ),
    Case("return_fsr", S.FSR_REVIEW, "drc_reviewer", R),
    Case(
        "submit_design",
        S.FSR_APPROVED,
        "owner_preparer",
        prepare=_both(
            _set(design_sharing_chapter=True), _upload("design"), _upload("fsr_approval", dated=True)
        ),
    ),
    Case("return_design", S.DESIGN_REVIEW, "bureau_reviewer", R),
    Case("resubmit_design", S.DESIGN_CORRECTING, "owner_preparer"),
    Case(
        "approve_design",
        S.DESIGN_REVIEW,
        "bureau_head",
        {
            "design_approval_no": "黑营商审〔2026〕1号",
            "approved_estimate_yuan": Decimal("4800000.00"),
            "design_evaluation": "experts",
        },
    ),
    Case("send_back_to_fsr", S.DESIGN_REVIEW, "bureau_head", R),
    Case("submit_ratification", S.APPROVAL_COMPLETE, "bureau_head"),
    Case(
        "ratify",
        S.RATIFICATION,
        "government_head",
        {
            "decided_amount_yuan": Decimal("4800000.00"),
            "decided_funding_source": "省级财政资金",
            "ratification_no": "黑政审〔2026〕5号",
            "ratified_on": D(2025, 11, 16),
        },
    ),
    Case(
        "start_construction",
        S.RATIFIED,
        "owner_preparer",
        {"construction_started_on": D(2025, 11, 20)},
        prepare=_contracts,
    ),
    Case("order_rectification", S.CONSTRUCTION, "bureau_head", R),
    Case("finish_rectification", S.RECTIFICATION, "bureau_head", prepare=_rectification_reported),
    Case("suspend", S.CONSTRUCTION, "bureau_head", {**R, "suspension_no": "黑营商停〔2026〕1号"}),
    Case("resume", S.SUSPENDED, "bureau_head", R),
    Case("terminate", S.SUSPENDED, "bureau_head", {**R, "termination_no": "黑营商终〔2026〕1号"}),
    # The walker starts construction on 2025-11-23 and acts on 2025-11-30 (办法第二十九条: 建成
    # after 开工, not after today); the half-year deadline is then 2026-05-30.
    Case("complete_construction", S.CONSTRUCTION, "owner_head", {"completed_on": D(2025, 11, 28)}),
    # 建设性质 运维 (issue 15): the short path, on an O&M project; the walker puts it in the plan
    # on 2025-10-12 and, for CONSTRUCTION, starts the service that day and acts on 2025-10-19.
    Case(
        "start_service", S.IN_PLAN, "owner_preparer", {"construction_started_on": D(2025, 10, 10)}, fields=O_M
    ),
    Case(
        "finish_service",
        S.CONSTRUCTION,
        "owner_head",
        {"completed_on": D(2025, 10, 19)},
        prepare=_yearly_reports,
        fields=O_M,
    ),
    Case("request_extension", S.COMPLETED, "owner_head", {**R, "requested_due_on": D(2026, 9, 30)}),
    Case("grant_extension", S.EXTENSION_REQUESTED, "bureau_head", {"granted_due_on": D(2026, 12, 31)}),
    Case("refuse_extension", S.EXTENSION_REQUESTED, "bureau_head", R),
    Case("apply_acceptance", S.COMPLETED, "owner_head"),
    Case(
        "accept",
        S.ACCEPTANCE_REVIEW,
        "bureau_head",
        {"accepted_on": D(2025, 12, 10)},
        prepare=_acceptance_ready,
    ),
    Case("fail_acceptance", S.ACCEPTANCE_REVIEW, "bureau_head", R),
    Case(
        "go_live",
        S.ACCEPTED,
        "owner_preparer",
        {"went_live_on": D(2025, 12, 20)},
        prepare=_upload("acceptance_report", dated=True, confirm_by="bureau_reviewer"),
    ),
    Case(
        "submit_self_evaluation",
        S.OPERATION,
        "owner_head",
        {"self_evaluation": "目标实现。", "self_evaluation_grade": "good"},
        prepare=_targets_reported,
    ),
    Case("commission_post_evaluation", S.SELF_EVALUATED, "bureau_head", {"post_evaluator": "expert"}),
    Case(
        "finish_post_evaluation",
        S.POST_EVALUATION,
        "expert_reviewer",
        {"post_evaluation": "良好。", "post_evaluation_grade": "good"},
        prepare=_upload("post_evaluation", who="expert_reviewer"),
    ),
    Case("close", S.SELF_EVALUATED, "bureau_head"),
    # Issue 8 (approval): the refusals, 省政府's return, and dropping a planned project.
    Case("refuse_fsr", S.FSR_REVIEW, "drc_head", R),
    Case("refuse_design", S.DESIGN_REVIEW, "bureau_head", R),
    Case("return_ratification", S.RATIFICATION, "government_head", R),
    Case("decline_ratification", S.RATIFICATION, "government_head", R),
    Case("withdraw_planned", S.IN_PLAN, "owner_head", R),
    Case("cancel_planned", S.RATIFIED, "bureau_head", R),
]


def _setup(case, orgs, people, call):
    project, on = project_in(case.source, orgs, people, call, **case.fields)
    assert project.state == case.source
    if case.prepare:
        case.prepare(project, people, on)
        project.refresh_from_db()
    return project, on


def _may(case) -> set[str]:
    """Personas who may take the step by the 办法 and by the code as the table records it (a
    ``code_allows`` entry is a known difference, checked and reported in test_rule_table)."""
    rule = PROJECT_RULES[case.name]
    return persona_keys(rule.expected(case.source)) | persona_keys(rule.in_code(case.source))


def _wrong_org(case):
    org, role = case.actor.rsplit("_", 1)
    wrong = f"other_owner_{role}" if org == "owner" else f"audit_{role}"
    assert wrong not in _may(case)
    return wrong


def _wrong_role(case):
    """Someone of the acting organisation whose role the 办法 does not give the step: for an
    agency its 审核人 where the 负责人 decides, for the department its 经办人 where it applies."""
    org = case.actor.rsplit("_", 1)[0]
    order = ("preparer", "reviewer") if org == "owner" else ("reviewer", "preparer")
    return next(f"{org}_{r}" for r in order if f"{org}_{r}" not in _may(case))


def test_every_case_is_taken_by_someone_the_table_allows():
    for case in CASES:
        rule = PROJECT_RULES[case.name]
        assert case.actor in persona_keys(rule.expected(case.source)), case
        assert case.actor in persona_keys(rule.in_code(case.source)), case


def test_every_project_transition_has_a_case():
    names = {t.name for t in Project._meta.get_field("state").get_all_transitions(Project)}
    assert names == {c.name for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_transition_is_taken_by_the_right_person(case, orgs, people, call_2026):
    project, on = _setup(case, orgs, people, call_2026)
    with as_of(on):
        services.perform(project, case.name, actor=people[case.actor], **_data(case, people))
    project.refresh_from_db()
    assert project.state != case.source or case.name in ("grant_extension", "refuse_extension")
    entry = AuditEntry.objects.filter(project=project, action=case.name).latest("pk")
    assert entry.actor == people[case.actor]
    assert entry.organisation == people[case.actor].organisation
    assert (entry.from_state, entry.to_state) == (case.source, project.state)
    assert entry.article == PROJECT_RULES[case.name].article


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_transition_is_refused_to_another_organisation(case, orgs, people, call_2026):
    project, on = _setup(case, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, case.name, actor=people[_wrong_org(case)], **_data(case, people))
    assert exc.value.code == "permission"
    assert f"办法{PROJECT_RULES[case.name].article}" in exc.value.message
    assert Project.objects.get(pk=project.pk).state == case.source


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_transition_is_refused_to_the_wrong_role(case, orgs, people, call_2026):
    project, on = _setup(case, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, case.name, actor=people[_wrong_role(case)], **_data(case, people))
    assert exc.value.code == "permission"
    assert f"办法{PROJECT_RULES[case.name].article}" in exc.value.message
    assert not AuditEntry.objects.filter(project=project, action=case.name).exists()


def test_a_transition_from_the_wrong_state_says_which_state(orgs, people, call_2026):
    project, _on = project_in(S.DRAFT, orgs, people, call_2026)
    with pytest.raises(RuleViolation) as exc:
        services.perform(project, "pass_review", actor=people.bureau_head)
    assert exc.value.code == "state" and "草稿" in exc.value.message


def test_a_step_that_needs_a_reason_is_refused_without_one(orgs, people, call_2026):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, "request_correction", actor=people.bureau_reviewer, reason="  ")
    assert exc.value.code == "reason"
