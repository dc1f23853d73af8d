"""The approval chapter on the web pages (办法第十一、十二、十五至十九条): the step pages of the
refusals, of 省政府审定 (文号, date, amount within the 概算 or a recorded reason) and of the
plan's approval, render their fields, refuse with Chinese messages naming the article, and are
open only to the deciding head; the project page shows the decision that ended a project and
the 前期工作深度; the plan page shows the execution count without the projects that left; a
refused design gets no approval letter. Any typed value gives a page, never a 500.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.models import AuditEntry
from projects.models import AnnualPlan, Project
from tests.lifecycle.builders import project_in

D = datetime.date
R = "建设内容与已建平台重复，不予批复。"


def step_url(project, name):
    return reverse("project_step", args=[project.pk, name])


@pytest.mark.parametrize(
    ("source", "name", "head", "staff"),
    [
        (S.FSR_REVIEW, "refuse_fsr", "drc_head", "drc_reviewer"),
        (S.DESIGN_REVIEW, "refuse_design", "bureau_head", "bureau_reviewer"),
        (S.RATIFICATION, "decline_ratification", "government_head", "government_reviewer"),
        (S.RATIFICATION, "return_ratification", "government_head", "government_reviewer"),
        (S.IN_PLAN, "withdraw_planned", "owner_head", "owner_preparer"),
        (S.IN_PLAN, "cancel_planned", "bureau_head", "bureau_reviewer"),
    ],
)
def test_the_decision_pages_are_the_heads_and_need_a_reason(
    client, orgs, people, call_2026, source, name, head, staff
):
    project, on = project_in(source, orgs, people, call_2026)
    client.force_login(people[staff])
    assert client.get(step_url(project, name)).status_code == 403
    client.force_login(people[head])
    with as_of(on):
        assert client.get(step_url(project, name)).status_code == 200
        response = client.post(step_url(project, name), {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    with as_of(on):
        response = client.post(step_url(project, name), {"reason": R})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state != source
    assert AuditEntry.objects.filter(project=project, action=name, reason=R).exists()


def test_the_project_page_shows_the_refusal_and_its_reason(client, orgs, people, call_2026):
    project, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    with as_of(on):
        services.perform(project, "refuse_fsr", actor=people.drc_head, reason=R)
    client.force_login(people.owner_preparer)
    body = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "可行性研究报告不予批复" in body and R in body and "办法第十五条" in body
    assert "重新申报" in body
    # The department's records page is closed once the project has ended.
    assert client.get(reverse("records_edit", args=[project.pk])).status_code in (302, 403)


def ratify_post(project, on, **over):
    data = {
        "ratification_no": "黑政审〔2025〕7号",
        "ratified_on": on.isoformat(),
        "decided_amount_yuan": f"{project.approved_estimate_yuan / 10000:.2f}",
        "decided_funding_source": "省级财政资金",
        "reason": "",
    }
    return data | over


def test_the_ratification_page_takes_the_number_the_date_and_an_override_reason(
    client, orgs, people, call_2026
):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    client.force_login(people.government_head)
    url = step_url(project, "ratify")
    with as_of(on):
        page = client.get(url)
    form = page.context["form"]
    assert {"ratification_no", "ratified_on", "decided_amount_yuan", "override_reason"} <= set(form.fields)
    assert form.fields["ratification_no"].required and form.fields["ratified_on"].required
    assert "原则上不超过概算" in page.content.decode()
    with as_of(on):
        response = client.post(url, ratify_post(project, on, ratification_no=""))
    assert response.status_code == 400 and "ratification_no" in response.context["form"].errors
    with as_of(on):
        response = client.post(
            url, ratify_post(project, on, ratified_on=(on + datetime.timedelta(days=1)).isoformat())
        )
    assert response.status_code == 400
    assert "将来" in " ".join(response.context["form"].errors["ratified_on"])
    above = f"{project.approved_estimate_yuan / 10000 + 1:.2f}"
    with as_of(on):
        response = client.post(url, ratify_post(project, on, decided_amount_yuan=above))
    assert response.status_code == 400 and "办法第十九条" in response.context["error"]
    assert Project.objects.get(pk=project.pk).state == S.RATIFICATION
    with as_of(on):
        response = client.post(
            url,
            ratify_post(project, on, decided_amount_yuan=above, override_reason="省政府决定增加安全投入。"),
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == S.RATIFIED
    assert project.decided_amount_yuan == project.approved_estimate_yuan + Decimal("10000")
    body = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "黑政审〔2025〕7号" in body and on.isoformat() in body and "例外放行" in body


def test_the_fsr_page_asks_for_the_work_depth_of_a_merged_project(client, orgs, people, call_2026):
    project, on = project_in(S.FSR_REVIEW, orgs, people, call_2026)
    client.force_login(people.drc_head)
    with as_of(on):
        form = client.get(step_url(project, "approve_fsr")).context["form"]
    assert not form.fields["preliminary_work_depth"].required  # 办法第十七条: merged cases only
    Project.objects.filter(pk=project.pk).update(merged_fsr_design=True, merged_ground="simple")
    post = {"fsr_approval_no": "黑发改审批〔2025〕9号", "fsr_estimate_yuan": "490", "reason": ""}
    with as_of(on):
        response = client.post(step_url(project, "approve_fsr"), post)
    assert response.status_code == 400
    assert "preliminary_work_depth" in response.context["form"].errors
    with as_of(on):
        response = client.post(
            step_url(project, "approve_fsr"), post | {"preliminary_work_depth": "已达到初步设计深度。"}
        )
    assert response.status_code == 302
    body = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "前期工作深度" in body and "已达到初步设计深度。" in body


def test_the_plan_page_counts_execution_without_the_projects_that_left(client, orgs, people, call_2026):
    project, on = project_in(S.FSR_APPROVED, orgs, people, call_2026)
    plan = project.plan
    client.force_login(people.bureau_head)
    body = client.get(reverse("plan", args=[plan.year])).content.decode()
    assert "计入执行的项目 1 个" in body and "不计入执行" not in body
    assert plan.approval_no and plan.approval_no in body  # 办法第十一条: the approval document
    with as_of(on):
        services.perform(project, "cancel_planned", actor=people.bureau_head, reason=R)
    body = client.get(reverse("plan", args=[plan.year])).content.decode()
    assert "计入执行的项目 0 个" in body and "另有 1 个项目" in body and "计划内项目已撤销" in body


def test_the_plan_approval_page_takes_the_governments_number_and_date(client, orgs, people, call_2026):
    plan = AnnualPlan.objects.create(year=2030, state="submitted")
    client.force_login(people.government_head)
    url = reverse("plan_step", args=[plan.year, "approve"])
    form = client.get(url).context["form"]
    assert form.fields["approval_no"].required and form.fields["approved_on"].required
    response = client.post(url, {"approval_no": "", "approved_on": "2099-01-01", "reason": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "approval_no" in errors and "将来" in " ".join(errors["approved_on"])


TEXT = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"-?\d{1,20}(\.\d{0,4})?", fullmatch=True),
    st.dates().map(str),
    st.sampled_from(["NaN", "1e400", "0000-00-00", "2026-02-30", ""]),
)


def test_any_value_on_the_ratification_page_gives_a_page_never_a_500(client, orgs, people, call_2026):
    project, on = project_in(S.RATIFICATION, orgs, people, call_2026)
    client.force_login(people.government_head)
    url = step_url(project, "ratify")

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(number=TEXT, day=TEXT, amount=TEXT, source=TEXT, override=TEXT)
    def post(number, day, amount, source, override):
        with as_of(on):
            response = client.post(
                url,
                {
                    "ratification_no": number,
                    "ratified_on": day,
                    "decided_amount_yuan": amount,
                    "decided_funding_source": source,
                    "override_reason": override,
                    "reason": "",
                },
            )
        assert response.status_code in (302, 400)
        if response.status_code == 302:  # taken: put the project back for the next example
            Project.objects.filter(pk=project.pk).update(state=S.RATIFICATION)

    post()


def test_any_value_on_the_plan_approval_page_gives_a_page_never_a_500(client, people):
    plan = AnnualPlan.objects.create(year=2031, state="submitted")
    client.force_login(people.government_head)
    url = reverse("plan_step", args=[plan.year, "approve"])

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(number=TEXT, day=TEXT)
    def post(number, day):
        response = client.post(url, {"approval_no": number, "approved_on": day, "reason": ""})
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            AnnualPlan.objects.filter(pk=plan.pk).update(state="submitted")

    post()
