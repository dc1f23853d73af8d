"""办法第十二条: the emergency inclusion review page (web/emergency_views.py).

"根据省级有关部门和单位申请，经省营商环境局、省财政厅审核通过并报省政府批准后，纳入年度建设计划管理":
the two reviewing agencies — their 审核人 and 负责人 — each open their own page while the request
is before them, read the central/provincial requirement that makes it urgent and the items of
their side, and give their opinion there. Everyone else (the department, 省政府, the other
agencies, their 经办人) gets 404, and so do the two once the request has gone on to 省政府."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from core.states import ProjectState as S
from lifecycle import services
from lifecycle.models import Opinion
from tests.lifecycle.builders import project_in

pytestmark = pytest.mark.django_db

MANDATE = "国务院办公厅通知要求年内建成。"  # the requirement the builder's department cites


@pytest.fixture
def requested(orgs, people, call_2026):
    project, _on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    return project


def url(project, aspect):
    return reverse("emergency_review", args=[project.pk, aspect])


def test_the_two_reviewing_agencies_read_the_requirement_and_their_items(client, people, requested):
    for who, aspect, item in (
        ("bureau_reviewer", "bureau_emergency", "建设内容和规模"),
        ("bureau_head", "bureau_emergency", "信息资源目录"),
        ("finance_reviewer", "finance_emergency", "资金来源"),
        ("finance_head", "finance_emergency", "项目总投资"),
    ):
        client.force_login(people[who])
        response = client.get(url(requested, aspect))
        assert response.status_code == 200, who
        body = response.content.decode()
        assert MANDATE in body and item in body and "出具意见" in body, who
        # the project page leads there
        assert url(requested, aspect) in client.get(reverse("project", args=[requested.pk])).content.decode()


def test_everyone_else_gets_404(client, people, requested):
    refused = [
        ("owner_head", "bureau_emergency"),
        ("owner_preparer", "finance_emergency"),
        ("bureau_preparer", "bureau_emergency"),
        ("finance_preparer", "finance_emergency"),
        ("bureau_reviewer", "finance_emergency"),  # not the other agency's page
        ("finance_head", "bureau_emergency"),
        ("cac_reviewer", "bureau_emergency"),
        ("government_head", "finance_emergency"),
        ("other_owner_head", "bureau_emergency"),
        ("bureau_reviewer", "intensive"),  # a joint-review aspect is not an emergency page
    ]
    for who, aspect in refused:
        client.force_login(people[who])
        assert client.get(url(requested, aspect)).status_code == 404, (who, aspect)


def test_the_opinion_is_given_on_the_page(client, people, requested):
    client.force_login(people.finance_reviewer)
    response = client.post(
        url(requested, "finance_emergency"),
        {"aspect": "finance_emergency", "conclusion": "approve", "text": "资金来源已落实，同意。"},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get(project=requested, aspect="finance_emergency")
    assert opinion.stage == "emergency" and opinion.given_by == people.finance_reviewer
    assert "资金来源已落实" in client.get(url(requested, "finance_emergency")).content.decode()


def test_once_before_the_government_the_pages_close(client, people, requested):
    for actor, aspect in (("cac_reviewer", "cac_emergency"), ("crypto_reviewer", "crypto_emergency")):
        services.opinion_give(
            requested, actor=people[actor], aspect=aspect, conclusion="approve", text="同意"
        )
    for actor, aspect in (("bureau_reviewer", "bureau_emergency"), ("finance_reviewer", "finance_emergency")):
        services.opinion_give(
            requested, actor=people[actor], aspect=aspect, conclusion="approve", text="同意"
        )
    services.perform(requested, "forward_emergency", actor=people.bureau_head)
    client.force_login(people.bureau_head)
    assert client.get(url(requested, "bureau_emergency")).status_code == 404


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(conclusion=st.text(max_size=12), text=st.text(max_size=200), aspect=st.text(max_size=20))
def test_no_input_answers_500(client, people, requested, conclusion, text, aspect):
    client.force_login(people.bureau_reviewer)
    response = client.post(
        url(requested, "bureau_emergency"), {"aspect": aspect, "conclusion": conclusion, "text": text}
    )
    assert response.status_code in (302, 400)
