"""办法第二十一条: 项目责任人为项目建设单位主要负责人 — every way a project enters the process
(the consolidated submission and its amendment, tests/projects/test_consolidated_submission.py;
the urgent insertion of 第十二条, here) names one of the department's 负责人 accounts, and the
step itself refuses without one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.states import PlanState, ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.models import AnnualPlan, Project
from tests.lifecycle.builders import project_in

MARCH = datetime.date(2026, 3, 2)


@pytest.fixture
def urgent(orgs, people, call_2026):
    """A draft with its written mandate (办法第十二条) and the approved 2026 plan."""
    project, _on = project_in(
        S.DRAFT, orgs, people, call_2026, emergency_mandate="国务院办公厅通知要求年内建成。"
    )
    plan = AnnualPlan.objects.create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    return project


def test_an_urgent_insertion_without_a_responsible_person_is_refused(urgent, people):
    with as_of(MARCH), pytest.raises(RuleViolation) as exc:
        services.emergency_request(urgent, actor=people.owner_head, year=2026)
    assert exc.value.article == "第二十一条" and "项目责任人" in exc.value.message
    urgent.refresh_from_db()
    assert (urgent.state, urgent.responsible_person) == (S.DRAFT, None)


@pytest.mark.parametrize("who", ["owner_preparer", "other_owner_head", "bureau_head"])
def test_the_responsible_person_is_a_head_of_the_department_itself(urgent, people, who):
    with as_of(MARCH), pytest.raises(RuleViolation) as exc:
        services.emergency_request(urgent, actor=people.owner_head, year=2026, responsible_person=people[who])
    assert exc.value.article == "第二十一条"
    urgent.refresh_from_db()
    assert urgent.state == S.DRAFT and urgent.responsible_person is None


def test_the_named_head_is_recorded_by_the_step(urgent, people):
    with as_of(MARCH):
        services.emergency_request(
            urgent, actor=people.owner_head, year=2026, responsible_person=people.owner_head
        )
    project = Project.objects.get(pk=urgent.pk)
    assert (project.state, project.responsible_person) == (S.EMERGENCY_REQUESTED, people.owner_head)
    entry = AuditEntry.objects.get(project=project, action="request_emergency")
    assert entry.data["responsible_person"]["id"] == people.owner_head.pk


def test_the_step_page_asks_for_the_responsible_person(client, urgent, people):
    client.force_login(people.owner_head)
    url = reverse("project_step", args=[urgent.pk, "request_emergency"])
    page = client.get(url).content.decode()
    assert 'name="responsible_person"' in page and "第二十一条" in page
    # only the department's own heads are offered
    assert f'value="{people.other_owner_head.pk}"' not in page
    with as_of(MARCH):
        assert client.post(url, {}).status_code == 400
        assert client.post(url, {"responsible_person": people.other_owner_head.pk}).status_code == 400
    assert Project.objects.get(pk=urgent.pk).state == S.DRAFT
    with as_of(MARCH):
        assert client.post(url, {"responsible_person": people.owner_head.pk}).status_code == 302
    assert Project.objects.get(pk=urgent.pk).responsible_person == people.owner_head


def test_a_draft_cannot_be_submitted_without_one_even_through_the_service_path(orgs, people, call_2026):
    project, on = project_in(S.DRAFT, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, "submit", actor=people.owner_head, via="call_submission")
    assert exc.value.article == "第二十一条"
