"""The approval chapter's decisions (办法第十一、十二、十五至十九条), written from the 办法:

* 省发改委 may refuse an FSR (第十五条), the body evaluating the design — the bureau, or 省内网办
  for an intranet project — may refuse a design (第十八条), 省政府 may decline to ratify or send
  the project back to the bureau (第十九条). A refusal is a head's decision, needs a reason,
  ends the project (no step leads out of it), stops the clock that runs and is in the history.
* A planned project may be withdrawn by its department's head or cancelled by the bureau's head
  before construction (第十一、十二条); it then leaves the plan's execution count and does not
  count as unfinished against the department the year after (第十二条).
* 省政府审定 records the decision's 文号 and date; the decided amount stays within the approved
  概算 unless 省政府's head records why (第十九、二十条). The plan's approval records the
  government's 文号 and date (第十一条).
* A merged FSR+design approval states the 前期工作深度 (第十七条).

Dates come from the walker's timeline for the 2026 call (tests/lifecycle/builders.py): the plan
is approved in September 2025 and each later step follows a week after the one before.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.states import ENDED_STATES, STAGES, ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.guards import previous_plan_finished, unfinished_previous_plan
from lifecycle.models import AuditEntry, Clock, ClockKind
from projects import plan as plan_rows, services as project_services
from projects.models import AnnualPlan, Project
from tests.factories import CallFactory, ProjectFactory, complete_application
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
R = "建设内容与已建平台重复，不予批复。"
ENDED_LABEL = "已结束"
STAGES_BY_LABEL = {str(label): states for label, states in STAGES.items()}


def perform(project, name, person, on, **kw):
    with as_of(on):
        return services.perform(project, name, actor=person, **kw)


def refused(project, name, person, on, **kw) -> RuleViolation:
    state = project.state
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, name, actor=person, **kw)
    assert Project.objects.get(pk=project.pk).state == state
    return exc.value


def everyone(people):
    return list(people.values())


# ================================================================ refusals (第十五、十八、十九条)

REFUSALS = [
    # (source, step, who decides, who prepares but may not decide, ended state, article)
    (S.FSR_REVIEW, "refuse_fsr", "drc_head", "drc_reviewer", S.FSR_REFUSED, "第十五条"),
    (S.DESIGN_REVIEW, "refuse_design", "bureau_head", "bureau_reviewer", S.DESIGN_REFUSED, "第十八条"),
    (
        S.RATIFICATION,
        "decline_ratification",
        "government_head",
        "government_reviewer",
        S.RATIFICATION_DECLINED,
        "第十九条",
    ),
]


@pytest.mark.parametrize(("source", "name", "head", "staff", "target", "article"), REFUSALS)
def test_a_refusal_is_a_heads_decision_with_a_reason_and_ends_the_project(
    orgs, people, call_2026, source, name, head, staff, target, article
):
    project, on = project_in(source, orgs, people, call_2026)
    # Not the organisation's staff (a decision, not review work) …
    assert refused(project, name, people[staff], on, reason=R).code == "permission"
    # … not another body …
    error = refused(project, name, people.owner_head, on, reason=R)
    assert error.code == "permission" and f"办法{article}" in error.message
    # … and not without a reason.
    error = refused(project, name, people[head], on, reason="  ")
    assert error.code == "reason"
    perform(project, name, people[head], on, reason=R)
    project.refresh_from_db()
    assert project.state == target
    assert target in ENDED_STATES and target in STAGES_BY_LABEL[ENDED_LABEL]
    entry = AuditEntry.objects.get(project=project, action=name)
    assert (entry.from_state, entry.to_state, entry.reason, entry.article) == (source, target, R, article)
    assert entry.actor == people[head] and entry.organisation == people[head].organisation
    # Ended: the 办法 gives no step out of a refusal, to anyone.
    assert all(services.available(project, person) == [] for person in everyone(people))


def test_a_refused_design_stops_the_design_clock(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    clock = Clock.objects.get(project=project, kind=ClockKind.DESIGN_REVIEW)
    assert clock.stopped_on is None
    perform(project, "refuse_design", people.bureau_head, on, reason=R)
    clock.refresh_from_db()
    assert clock.stopped_on == on


def test_an_intranet_design_is_refused_by_the_intranet_office_only(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026, network="intranet")
    error = refused(project, "refuse_design", people.bureau_head, on, reason=R)
    assert error.code == "permission" and "省内网办" in error.message and "办法第十八条" in error.message
    perform(project, "refuse_design", people.intranet_head, on, reason=R)
    assert Project.objects.get(pk=project.pk).state == S.DESIGN_REFUSED


def test_the_government_sends_a_project_back_to_the_bureau_which_submits_it_again(orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    assert refused(project, "return_ratification", people.government_head, on).code == "reason"
    assert refused(project, "return_ratification", people.bureau_head, on, reason=R).code == "permission"
    perform(project, "return_ratification", people.government_head, on, reason="资金来源需进一步明确。")
    project.refresh_from_db()
    assert project.state == S.APPROVAL_COMPLETE
    entry = AuditEntry.objects.get(project=project, action="return_ratification")
    assert entry.article == "第十九条" and entry.reason == "资金来源需进一步明确。"
    perform(project, "submit_ratification", people.bureau_head, on + datetime.timedelta(days=3))
    assert Project.objects.get(pk=project.pk).state == S.RATIFICATION


# ================================================================ withdrawn / cancelled (第十一、十二条)


@pytest.mark.parametrize(
    ("source", "who", "name"),
    [
        (S.IN_PLAN, "owner_head", "withdraw_planned"),
        (S.DESIGN_CORRECTING, "bureau_head", "cancel_planned"),
        (S.RATIFIED, "owner_head", "withdraw_planned"),
        (S.FSR_APPROVED, "bureau_head", "cancel_planned"),
    ],
)
def test_a_planned_project_is_withdrawn_or_cancelled_before_construction(
    orgs, people, call_2026, source, who, name
):
    project, on = project_in(source, orgs, people, call_2026)
    article = "第十二条" if name == "withdraw_planned" else "第十一条、第十二条"
    for wrong in ("owner_preparer", "bureau_reviewer", "drc_head"):
        if wrong != who:
            assert refused(project, name, people[wrong], on, reason=R).code == "permission"
    assert refused(project, name, people[who], on).code == "reason"
    perform(project, name, people[who], on, reason="业务已由国家统一平台承接，不再实施。")
    project.refresh_from_db()
    assert project.state == S.CANCELLED and project.plan is not None
    entry = AuditEntry.objects.get(project=project, action=name)
    assert (entry.from_state, entry.to_state, entry.article) == (source, S.CANCELLED, article)
    # The paused design clock of a design being corrected is stopped too.
    assert not Clock.objects.filter(project=project, stopped_on__isnull=True).exists()


def test_a_project_in_construction_is_terminated_not_cancelled(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    for name, who in (("withdraw_planned", "owner_head"), ("cancel_planned", "bureau_head")):
        assert refused(project, name, people[who], on, reason=R).code == "state"


def test_a_cancelled_or_refused_project_leaves_the_execution_count_and_is_not_unfinished(
    orgs, people, call_2026
):
    planned, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    plan = planned.plan
    # Two more projects of the same department in the same plan.
    others = []
    for _ in range(2):
        # Placed in the plan directly: how they got there does not matter to the count.
        p = ProjectFactory(owner=orgs["owner"], call=call_2026, plan=plan, state=S.IN_PLAN)
        others.append(complete_application(p))
    assert plan_rows.execution(plan) == {"entered": 3, "left": 0, "counted": 3, "built": 0, "unfinished": 3}
    perform(planned, "refuse_fsr", people.drc_head, on, reason=R)
    perform(others[0], "cancel_planned", people.bureau_head, on, reason=R)
    assert plan_rows.execution(plan) == {"entered": 3, "left": 2, "counted": 1, "built": 0, "unfinished": 1}

    # 办法第十二条: the department's next application that looks back at the 2026 plan (a
    # June 2027 call for 2028, lifecycle.policy): only the project still in it is unfinished.
    # Each of the three is behind its own schedule (due by the end of June 2026), so only the
    # states decide which of them count.
    type(planned).objects.filter(pk__in=[planned.pk, *(o.pk for o in others)]).update(
        planned_start=datetime.date(2026, 1, 1), period_months=6
    )
    call_2028 = CallFactory(year=2028)
    new = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2028))
    with as_of(datetime.date(2027, 6, 15)):
        assert [p.pk for p in unfinished_previous_plan(new)] == [others[1].pk]
        assert not previous_plan_finished(new)
    perform(others[1], "withdraw_planned", people.owner_head, on, reason=R)
    with as_of(datetime.date(2027, 6, 15)):
        assert not unfinished_previous_plan(new) and previous_plan_finished(new)
    assert plan_rows.execution(plan)["counted"] == 0


# ================================================================ 省政府审定 (第十九条)


def ratify_data(project, on, **over):
    data = {
        "ratification_no": "黑政审〔2025〕7号",
        "ratified_on": on,
        "decided_amount_yuan": project.approved_estimate_yuan,
        "decided_funding_source": "省级财政资金",
    }
    return data | over


def test_ratification_records_the_decisions_number_and_date(orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    gov = people.government_head
    error = refused(project, "ratify", gov, on, **ratify_data(project, on, ratification_no=" "))
    assert error.code == "data" and "省政府审定文号" in error.message and "办法第十九条" in error.message
    error = refused(project, "ratify", gov, on, **ratify_data(project, on, ratified_on=None))
    assert error.code == "data" and "省政府审定日期" in error.message
    tomorrow = on + datetime.timedelta(days=1)
    error = refused(project, "ratify", gov, on, **ratify_data(project, on, ratified_on=tomorrow))
    assert error.code == "data" and "将来" in error.message
    # Not before the bureau put the project before 省政府 (the walker did, a week before ``on``).
    submitted = AuditEntry.objects.get(project=project, action="submit_ratification")
    before = D.fromisoformat(submitted.data["as_of"][:10]) - datetime.timedelta(days=1)
    error = refused(project, "ratify", gov, on, **ratify_data(project, on, ratified_on=before))
    assert error.code == "data" and "早于报送之日" in error.message
    perform(project, "ratify", gov, on, **ratify_data(project, on))
    project.refresh_from_db()
    assert (project.state, project.ratification_no, project.ratified_on) == (
        S.RATIFIED,
        "黑政审〔2025〕7号",
        on,
    )


def test_the_decided_amount_stays_within_the_estimate_unless_the_head_records_why(orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    estimate = project.approved_estimate_yuan
    gov = people.government_head
    above = ratify_data(project, on, decided_amount_yuan=estimate + Decimal("0.01"))
    error = refused(project, "ratify", gov, on, **above)
    assert error.code == "overridable" and "办法第十九条" in error.message and "负责人" in error.message
    assert Project.objects.get(pk=project.pk).decided_amount_yuan is None  # nothing staged survives
    perform(project, "ratify", gov, on, override_reason="省政府常务会议决定增加安全投入。", **above)
    project.refresh_from_db()
    assert project.state == S.RATIFIED and project.decided_amount_yuan == estimate + Decimal("0.01")
    entry = AuditEntry.objects.get(project=project, action="ratify")
    assert entry.override and entry.reason == "省政府常务会议决定增加安全投入。"
    assert "办法第十九条" in entry.data["overridden"][0]


def test_a_decided_amount_equal_to_the_estimate_needs_no_reason(orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    perform(project, "ratify", people.government_head, on, **ratify_data(project, on))
    entry = AuditEntry.objects.get(project=project, action="ratify")
    assert not entry.override


# ================================================================ 前期工作深度 (第十七条)


def test_a_merged_approval_states_the_depth_of_the_preparatory_work(orgs, people, call_2026):
    project, on = project_in(
        S.IN_PLAN,
        orgs,
        people,
        call_2026,
        platform_code="2601-230000-04-01-000009",
        fsr_sharing_chapter=True,
        merged_fsr_design=True,
        merged_ground="simple",
    )
    Walker(people).upload(project, "fsr", people.owner_preparer, on)
    perform(project, "submit_fsr", people.owner_preparer, on)
    data = {"fsr_approval_no": "黑发改审批〔2025〕9号", "fsr_estimate_yuan": Decimal("4900000.00")}
    error = refused(project, "approve_fsr", people.drc_head, on, **data)
    assert error.code == "data" and "前期工作深度" in error.message and "办法第十七条" in error.message
    perform(
        project, "approve_fsr", people.drc_head, on, preliminary_work_depth="已达到初步设计深度。", **data
    )
    project.refresh_from_db()
    assert project.state == S.APPROVAL_COMPLETE and project.preliminary_work_depth == "已达到初步设计深度。"


def test_an_fsr_approval_without_merging_may_leave_the_depth_empty(orgs, people, call_2026):
    project, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    data = {"fsr_approval_no": "黑发改审批〔2025〕9号", "fsr_estimate_yuan": Decimal("4900000.00")}
    perform(project, "approve_fsr", people.drc_head, on, **data)
    assert Project.objects.get(pk=project.pk).state == S.FSR_APPROVED


# ================================================================ the plan's approval (第十一条)


def test_the_plans_approval_records_the_governments_number_and_date(orgs, people, call_2026):
    with as_of(D(2025, 9, 1)):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    walker = Walker(people)
    walker.submit_batch(call_2026, orgs["owner"], D(2025, 6, 16))
    project.refresh_from_db()
    walker.review(project, D(2025, 6, 17))
    with as_of(D(2025, 9, 2)):
        services.plan_include(plan, project, actor=people.bureau_reviewer)
        services.plan_finance_concur(plan, actor=people.finance_head)
    perform(plan, "submit_to_government", people.bureau_head, D(2025, 9, 3))
    plan = AnnualPlan.objects.get(pk=plan.pk)
    gov, on = people.government_head, D(2025, 9, 20)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(plan, "approve", actor=gov, approved_on=on)
    assert (
        exc.value.code == "data"
        and "省政府批准文号" in exc.value.message
        and "办法第十一条" in exc.value.message
    )
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(
            plan, "approve", actor=gov, approval_no="黑政函〔2025〕88号", approved_on=D(2025, 9, 2)
        )
    assert exc.value.code == "data" and "早于报送之日" in exc.value.message
    perform(plan, "approve", gov, on, approval_no="黑政函〔2025〕88号", approved_on=on)
    plan.refresh_from_db()
    assert (plan.state, plan.approval_no, plan.approved_on) == ("approved", "黑政函〔2025〕88号", on)
    entry = AuditEntry.objects.get(plan=plan, action="approve")
    assert entry.data["approval_no"] == "黑政函〔2025〕88号"
