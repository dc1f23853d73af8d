"""The data a step records is checked before the step is taken (lifecycle.stepdata): every
impossible value of issue 7 is refused with a Chinese message naming the field, through the
services and through the step page (400, never 500), and no value of any type makes a step
fail with anything but a refusal.

Dates come from the walker's timeline for the 2026 call (tests/lifecycle/builders.py): the
plan is approved in September 2025 and each later step follows a week after the one before.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services, stepdata
from lifecycle.errors import RuleViolation
from lifecycle.models import Clock, ClockKind
from lifecycle.policy import get_policy
from lifecycle.webforms import StepForm
from projects.models import Project
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
ONE = datetime.timedelta(days=1)
R = "依据办法有关规定办理。"


def refused(project, name, person, on, **data) -> RuleViolation:
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, name, actor=person, reason=R, **data)
    assert Project.objects.get(pk=project.pk).state == project.state
    assert exc.value.code == "data"
    return exc.value


def file_acceptance_report(project, people, on):
    """办法第二十九条: the owner uploads the dated 验收报告 and the bureau confirms its 备案, so
    that go_live passes its guards and reaches the check of its data."""
    walker = Walker(people)
    walker.upload(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body=project.owner.name
    )
    walker.confirm(project, "acceptance_report", people.bureau_reviewer, on)
    project.refresh_from_db()


def test_every_step_that_records_data_is_checked_and_the_table_matches_the_machine():
    for t in Project._meta.get_field("state").get_all_transitions(Project):
        if t.custom["fields"] and t.name not in ("submit_self_evaluation", "finish_post_evaluation"):
            assert set(stepdata.STEPS[t.name]) == set(t.custom["fields"]), t.name
    assert set(stepdata.STEPS) <= {
        t.name for t in Project._meta.get_field("state").get_all_transitions(Project)
    }
    assert stepdata.RATIFY in stepdata.STEPS  # the audit action the 开工 check looks for is a step


# ---------------------------------------------------------------- amounts


def test_a_negative_estimate_is_refused(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    error = refused(
        project,
        "approve_design",
        people.bureau_head,
        on,
        design_approval_no="黑营商审〔2025〕1号",
        approved_estimate_yuan=Decimal("-500"),
    )
    assert "概算总投资" in error.message and "大于零" in error.message and "办法第十八条" in error.message


def test_a_design_approval_without_its_estimate_or_number_is_refused(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    error = refused(
        project, "approve_design", people.bureau_head, on, design_approval_no="黑营商审〔2025〕1号"
    )
    assert "请填写“概算总投资”" in error.message
    error = refused(
        project,
        "approve_design",
        people.bureau_head,
        on,
        design_approval_no="  ",
        approved_estimate_yuan=Decimal("4000000"),
    )
    assert "初步设计批复文号" in error.message


def test_an_amount_no_backend_stores_exactly_is_refused(orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    error = refused(
        project,
        "ratify",
        people.government_head,
        on,
        ratification_no="黑政审〔2026〕5号",
        ratified_on=on,
        decided_funding_source="省级财政资金",
        decided_amount_yuan=Decimal("99999999999999.99"),
    )
    assert "省政府审定金额" in error.message and "数量级" in error.message


def test_the_fsr_estimate_is_kept_and_a_design_beyond_it_needs_its_chapter(orgs, people, call_2026):
    project, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    with as_of(on):
        services.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2025〕3号",
            fsr_estimate_yuan=Decimal("4000000.00"),
        )
    project.refresh_from_db()
    assert project.fsr_estimate_yuan == Decimal("4000000.00")
    assert project.approved_estimate_yuan is None  # 办法第十八条: the design approval sets the 概算
    project.design_sharing_chapter = True
    project.save()
    # 办法第十八条: the design goes with the 初步设计方案 and the FSR approval (省发改委's document).
    walker = Walker(people)
    walker.upload(
        project,
        "fsr_approval",
        people.owner_preparer,
        on + ONE,
        issued_on=on,
        issuing_body=people.drc_head.organisation.name,
    )
    walker.upload(project, "design", people.owner_preparer, on + ONE)
    with as_of(on + ONE):
        services.perform(project, "submit_design", actor=people.owner_preparer)
    project.refresh_from_db()
    # 办法第十八条: 4,500,000 元 is beyond the FSR approval and the owner wrote no chapter on it.
    error = refused(
        project,
        "approve_design",
        people.bureau_head,
        on + 2 * ONE,
        design_approval_no="黑营商审〔2025〕9号",
        approved_estimate_yuan=Decimal("4500000.00"),
        design_evaluation="experts",
    )
    assert "办法第十八条" in error.message and "400.00万元" in error.message and "独立章节" in error.message
    with as_of(on + 2 * ONE):
        services.perform(
            project,
            "approve_design",
            actor=people.bureau_head,
            design_approval_no="黑营商审〔2025〕9号",
            approved_estimate_yuan=Decimal("3900000.00"),
            design_evaluation="experts",
        )
    assert Project.objects.get(pk=project.pk).approved_estimate_yuan == Decimal("3900000.00")


def test_a_merged_fsr_estimate_is_the_approved_estimate(orgs, people, call_2026):
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
    project.refresh_from_db()
    assert (project.fsr_estimate_yuan, project.approved_estimate_yuan) == (Decimal("4900000.00"),) * 2


def test_a_negative_surplus_is_refused(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    error = refused(
        project,
        "complete_construction",
        people.owner_head,
        on,
        completed_on=on,
        surplus_returned_yuan=Decimal("-50000"),
    )
    assert "退回结余资金" in error.message and "负数" in error.message and "办法第二十七条" in error.message


def test_a_surplus_above_the_decided_amount_is_refused(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project.decided_amount_yuan == Decimal("5000000.00")  # the walker's 省政府审定
    error = refused(
        project,
        "complete_construction",
        people.owner_head,
        on,
        completed_on=on,
        surplus_returned_yuan=Decimal("5000000.01"),
    )
    assert "省政府审定金额" in error.message and "500.00万元" in error.message
    with as_of(on):
        services.perform(
            project,
            "complete_construction",
            actor=people.owner_head,
            completed_on=on,
            surplus_returned_yuan=Decimal("0"),
        )
    assert Project.objects.get(pk=project.pk).surplus_returned_yuan == Decimal("0.00")


# ---------------------------------------------------------------- dates


def test_a_start_in_the_future_is_refused_and_opens_no_clock(orgs, people, call_2026):
    project, on = project_in(
        S.RATIFIED, orgs, people, call_2026, supervisor_name="监理公司", supervision_contract_no="JL-1"
    )
    error = refused(
        project, "start_construction", people.owner_preparer, on, construction_started_on=D(2030, 1, 1)
    )
    assert "开工日期" in error.message and "2030-01-01" in error.message and "将来" in error.message
    assert not Clock.objects.filter(project=project, kind=ClockKind.PERFORMANCE_REPORT).exists()


def test_construction_cannot_start_before_ratification(orgs, people, call_2026):
    project, on = project_in(
        S.RATIFIED, orgs, people, call_2026, supervisor_name="监理公司", supervision_contract_no="JL-1"
    )
    ratified = D(2025, 11, 16)  # the walker's 省政府审定, a week before ``on``
    assert on == ratified + 7 * ONE
    error = refused(
        project, "start_construction", people.owner_preparer, on, construction_started_on=ratified - ONE
    )
    assert "不得未批先建" in error.message and "办法第十二条" in error.message
    with as_of(on):
        services.perform(
            project, "start_construction", actor=people.owner_preparer, construction_started_on=ratified
        )
    assert Clock.objects.get(project=project, kind=ClockKind.PERFORMANCE_REPORT).due_on == D(2025, 12, 31)


def test_completion_before_the_start_is_refused(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    error = refused(
        project,
        "complete_construction",
        people.owner_head,
        on,
        completed_on=project.construction_started_on - ONE,
    )
    assert (
        "建成日期" in error.message and "早于开工日期" in error.message and "办法第二十九条" in error.message
    )


def test_go_live_before_acceptance_is_refused(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    file_acceptance_report(project, people, on)
    assert project.acceptance_report_filed_on == on
    error = refused(project, "go_live", people.owner_preparer, on, went_live_on=project.accepted_on - ONE)
    assert (
        "投入运行日期" in error.message
        and "早于验收日期" in error.message
        and "办法第三十三条" in error.message
    )


def test_acceptance_before_completion_or_in_the_future_is_refused(orgs, people, call_2026):
    review, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    review.archive_accepted_on = review.crypto_assessment_on = on
    review.save()
    with as_of(on):
        for who, aspect in (
            ("cac", "cac_acceptance"),
            ("crypto", "crypto_acceptance"),
            ("drc", "drc_acceptance"),
            ("police", "police_acceptance"),
            ("secrecy", "secrecy_acceptance"),
        ):
            services.opinion_give(
                review, actor=people[f"{who}_reviewer"], aspect=aspect, conclusion="approve", text="同意"
            )
    error = refused(review, "accept", people.bureau_head, on, accepted_on=review.completed_on - ONE)
    assert "验收日期" in error.message and "早于建成日期" in error.message
    error = refused(review, "accept", people.bureau_head, on, accepted_on=on + ONE)
    assert "将来" in error.message


def test_an_extension_to_1900_or_before_the_deadline_or_ten_years_on_is_refused(orgs, people, call_2026):
    project, on = project_in(S.COMPLETED, orgs, people, call_2026)
    # 办法第二十九条: completed on 2025-11-30, acceptance is applied for by 2026-05-30.
    assert project.completed_on == D(2025, 11, 30)
    for day, words in (
        (D(1900, 1, 1), "2000-01-01"),
        (D(2026, 5, 30), "须晚于现在的申请验收截止日期2026-05-30"),
        (D(2035, 1, 1), "至多延至2027-05-30"),
    ):
        error = refused(project, "request_extension", people.owner_head, on, requested_due_on=day)
        assert words in error.message and "办法第二十九条" in error.message
    with as_of(on):
        services.perform(
            project, "request_extension", actor=people.owner_head, reason=R, requested_due_on=D(2026, 8, 31)
        )
    project.refresh_from_db()
    error = refused(project, "grant_extension", people.bureau_head, on, granted_due_on=D(1900, 1, 1))
    assert "同意延期至" in error.message
    with as_of(on):
        services.perform(project, "grant_extension", actor=people.bureau_head, granted_due_on=D(2026, 8, 31))
    clock = Clock.objects.get(project=project, kind=ClockKind.ACCEPTANCE_APPLICATION)
    assert clock.effective_due_on == D(2026, 8, 31)


def test_a_rectification_period_is_bounded_by_the_policy(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    most = get_policy().rectification_max_working_days
    for days in (10**20, most + 1, 0, -3):
        error = refused(project, "order_rectification", people.bureau_head, on, working_days=days)
        assert "整改期限" in error.message and "办法第三十六条" in error.message


# ---------------------------------------------------------------- through the step page


PAGE_CASES = [
    (
        S.DESIGN_REVIEW,
        "approve_design",
        "bureau_head",
        {"design_approval_no": "黑营商审〔2025〕1号", "approved_estimate_yuan": "-500"},
        "approved_estimate_yuan",
        "须大于零",
    ),
    (
        S.DESIGN_REVIEW,
        "approve_design",
        "bureau_head",
        {"design_approval_no": "黑营商审〔2025〕1号", "approved_estimate_yuan": ""},
        "approved_estimate_yuan",
        "",
    ),
    (
        S.CONSTRUCTION,
        "complete_construction",
        "owner_head",
        {"completed_on": "2025-11-30", "surplus_returned_yuan": "-50000"},
        "surplus_returned_yuan",
        "负数",
    ),
    (
        S.CONSTRUCTION,
        "complete_construction",
        "owner_head",
        {"completed_on": "2025-11-01", "surplus_returned_yuan": "0"},
        "completed_on",
        "早于开工日期",
    ),
    (
        S.RATIFIED,
        "start_construction",
        "owner_preparer",
        {"construction_started_on": "2030-01-01"},
        "construction_started_on",
        "将来",
    ),
    (
        S.COMPLETED,
        "request_extension",
        "owner_head",
        {"requested_due_on": "1900-01-01", "reason": R},
        "requested_due_on",
        "请核对年份",
    ),
    (
        S.CONSTRUCTION,
        "order_rectification",
        "bureau_head",
        {"working_days": "99999999999999999999999999", "reason": R},
        "working_days",
        "",
    ),
    (
        S.RATIFICATION,
        "ratify",
        "government_head",
        {
            "decided_amount_yuan": "1e30",
            "decided_funding_source": "省级财政资金",
            "ratification_no": "黑政审〔2026〕5号",
        },
        "decided_amount_yuan",
        "",
    ),
]


@pytest.mark.parametrize(
    "state,name,who,post,field,words", PAGE_CASES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_the_step_page_shows_the_refusal_at_the_field(
    client, orgs, people, call_2026, state, name, who, post, field, words
):
    project, on = project_in(
        state, orgs, people, call_2026, supervisor_name="监理公司", supervision_contract_no="JL-1"
    )
    client.force_login(people[who])
    with as_of(on):
        response = client.post(reverse("project_step", args=[project.pk, name]), post)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert Project.objects.get(pk=project.pk).state == state


def test_the_step_page_shows_the_fsr_estimate_next_to_the_design_estimate(client, orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    client.force_login(people.bureau_head)
    with as_of(on):
        body = client.get(reverse("project_step", args=[project.pk, "approve_design"])).content.decode()
    assert "可研批复估算：500.00万元" in body


# ---------------------------------------------------------------- any value at all

SOURCES = {
    "approve_fsr": (S.FSR_REVIEW, "drc_head"),
    "approve_design": (S.DESIGN_REVIEW, "bureau_head"),
    "ratify": (S.RATIFICATION, "government_head"),
    "start_construction": (S.RATIFIED, "owner_preparer"),
    "complete_construction": (S.CONSTRUCTION, "owner_head"),
    "request_extension": (S.COMPLETED, "owner_head"),
    "grant_extension": (S.EXTENSION_REQUESTED, "bureau_head"),
    "accept": (S.ACCEPTANCE_REVIEW, "bureau_head"),
    "go_live": (S.ACCEPTED, "owner_preparer"),
    "order_rectification": (S.CONSTRUCTION, "bureau_head"),
    "suspend": (S.CONSTRUCTION, "bureau_head"),
    "terminate": (S.SUSPENDED, "bureau_head"),
    "submit_self_evaluation": (S.OPERATION, "owner_head"),
    "commission_post_evaluation": (S.SELF_EVALUATED, "bureau_head"),
    "finish_post_evaluation": (S.POST_EVALUATION, "expert_reviewer"),
    # 建设性质 运维 (issue 15): the short path's dates and 结余, on an O&M project
    "start_service": (S.IN_PLAN, "owner_preparer"),
    "finish_service": (S.CONSTRUCTION, "owner_head"),
}
#: The steps of the short path are taken by an O&M project (lifecycle/nature_guards.py).
SHORT_PATH = {"start_service": {"nature": "operation", "system_name": "已建业务系统"}}
SHORT_PATH["finish_service"] = SHORT_PATH["start_service"]
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=40),
    st.integers(),
    st.floats(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.from_regex(r"-?\d{1,20}(\.\d{0,4})?", fullmatch=True),
    st.lists(st.integers(), max_size=2),
)
FORM_TEXT = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?\d{1,30}(\.\d{0,6})?(e\d{1,4})?", fullmatch=True),
    st.dates().map(str),
    st.sampled_from(["NaN", "Infinity", "-0", "1e400", "0000-00-00", "2026-02-30"]),
)


class Rollback(Exception):
    pass


def test_no_other_step_than_those_checked_records_data_of_this_kind():
    assert set(SOURCES) == set(stepdata.STEPS)


@pytest.mark.parametrize("name", list(SOURCES))
def test_any_value_of_any_step_datum_is_taken_or_refused_never_an_error(orgs, people, call_2026, name):
    state, who = SOURCES[name]
    project, on = project_in(
        state,
        orgs,
        people,
        call_2026,
        supervisor_name="监理公司",
        supervision_contract_no="JL-1",
        archive_accepted_on=D(2025, 12, 1),
        crypto_assessment_on=D(2025, 12, 1),
        acceptance_report_filed_on=D(2025, 12, 15),
        **SHORT_PATH.get(name, {}),
    )
    if name == "go_live":  # past the guard of 办法第二十九条, so that the values themselves are checked
        file_acceptance_report(project, people, on)
    fields = list(stepdata.STEPS[name])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values=st.fixed_dictionaries(dict.fromkeys(fields, ANY_VALUE)))
    def through_the_services(values):
        try:
            with transaction.atomic(), as_of(on):
                with contextlib.suppress(RuleViolation):
                    services.perform(project, name, actor=people[who], reason=R, **values)
                raise Rollback
        except Rollback:
            pass
        project.refresh_from_db()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values=st.fixed_dictionaries(dict.fromkeys(fields, FORM_TEXT)))
    def through_the_form(values):
        step = next(s for s in services.available(project, people[who]) if s["name"] == name)
        with as_of(on):
            form = StepForm({"reason": R, **values}, obj=project, step=step)
            if form.is_valid():
                stepdata.validate_step_data(project, name, form.step_data())

    through_the_services()
    through_the_form()
    assert Project.objects.get(pk=project.pk).state == state


def test_any_posted_text_gives_a_page_not_an_error(client, orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    client.force_login(people.owner_head)
    url = reverse("project_step", args=[project.pk, "complete_construction"])

    # A valid example completes the construction; later examples then see the step refused
    # (a redirect back to the project), which is a page too.
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(completed_on=FORM_TEXT, surplus=FORM_TEXT)
    def post(completed_on, surplus):
        with as_of(on):
            response = client.post(
                url, {"completed_on": completed_on, "surplus_returned_yuan": surplus, "reason": R}
            )
        assert response.status_code in (200, 302, 400)

    post()
