"""Issue 11: "a project already in the plan still shows 待编入计划" (办法第十一条: a project
that passed joint review stays ``review_passed`` while the plan it was put in is compiled;
only the government's approval moves it to ``in_plan``) and "已编入0个项目 shown as a
success". The project page, the list, the home queues and the plan page say which plan it is
in, with no query per row; including nothing new is a notice, not a success."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.states import PlanState, ProjectState as S
from lifecycle import services
from projects.models import Project
from tests.factories import CallFactory, ProjectFactory

IN_PLAN = "已编入《2027年度省级政务信息化建设计划》（编制中）"


@pytest.fixture
def passed(orgs, scene):
    """Two applications of the 2027 call that passed joint review (办法第十条)."""
    call = CallFactory(year=2027)
    return [
        ProjectFactory(owner=orgs["owner"], call=call, name=f"通过审核的系统{i}", state=S.REVIEW_PASSED)
        for i in range(2)
    ]


def include(scene, people, project):
    services.plan_include(scene.plan_2027, project, actor=people.bureau_reviewer)
    project.refresh_from_db()


def test_before_inclusion_it_waits_to_be_included(client, people, scene, passed):
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[passed[0].pk])).content.decode()
    assert "联合审核通过，待编入计划" in body and IN_PLAN not in body


def test_the_project_page_names_the_plan_it_is_in(client, people, scene, passed):
    include(scene, people, passed[0])
    assert passed[0].state == S.REVIEW_PASSED and scene.plan_2027.state == PlanState.COMPILING
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[passed[0].pk])).content.decode()
    assert IN_PLAN in body and "待编入计划" not in body
    assert "报省政府批准（办法第十一条）" in body


@pytest.mark.parametrize("page", ["project_list", "home"])
def test_the_list_and_the_home_queues_name_the_plan_without_a_query_per_row(
    client, people, scene, passed, page
):
    client.force_login(people.owner_head)
    include(scene, people, passed[0])
    with CaptureQueriesContext(connection) as one:
        body = client.get(reverse(page)).content.decode()
    assert IN_PLAN in body
    include(scene, people, passed[1])
    with CaptureQueriesContext(connection) as two:
        body = client.get(reverse(page)).content.decode()
    assert body.count(IN_PLAN) == 2
    assert len(two.captured_queries) == len(one.captured_queries)


def test_the_plan_page_rows_say_they_are_in_it(client, people, scene, passed):
    include(scene, people, passed[0])
    client.force_login(people.bureau_head)
    body = client.get(reverse("plan", args=[2027])).content.decode()
    assert IN_PLAN in body


def test_english_names_the_plan_too(client, people, scene, passed):
    include(scene, people, passed[0])
    client.force_login(people.owner_head)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    body = client.get(reverse("project", args=[passed[0].pk])).content.decode()
    assert "2027" in body and "待编入计划" not in body


def test_including_projects_says_how_many(client, people, scene, passed):
    client.force_login(people.bureau_reviewer)
    response = client.post(
        reverse("plan_include", args=[2027]), {"project": [str(p.pk) for p in passed]}, follow=True
    )
    body = response.content.decode()
    assert "已编入2个项目。" in body and 'class="success"' in body
    assert Project.objects.filter(plan=scene.plan_2027).count() == 2


def test_including_nothing_new_is_a_notice_with_what_to_do_not_a_success(client, people, scene, passed):
    """The same form posted again (the back button, a double click): both projects are in the
    plan already; nothing is recorded twice and the page does not say "已编入0个项目"."""
    client.force_login(people.bureau_reviewer)
    data = {"project": [str(p.pk) for p in passed]}
    client.post(reverse("plan_include", args=[2027]), data, follow=True)
    entries = passed[0].audit_entries.count()
    body = client.post(reverse("plan_include", args=[2027]), data, follow=True).content.decode()
    assert "已编入0个项目" not in body and "已编入2个项目" not in body
    assert 'class="warning"' in body and "请在候选项目中勾选尚未编入的项目" in body
    assert passed[0].audit_entries.count() == entries


def test_a_refusal_includes_none_of_the_selection(client, people, scene, passed, orgs):
    """All or nothing: the second project is of another year (办法第七条), so neither goes in."""
    other_year = ProjectFactory(
        owner=orgs["owner"], call=CallFactory(year=2028), name="下一年度的系统", state=S.REVIEW_PASSED
    )
    client.force_login(people.bureau_reviewer)
    client.post(reverse("plan_include", args=[2027]), {"project": [str(passed[0].pk), str(other_year.pk)]})
    assert not Project.objects.filter(plan=scene.plan_2027, pk__in=[passed[0].pk, other_year.pk]).exists()
