"""办法第十二条 (上一年度建设计划未完成的部门，原则上不予安排新项目): a project of last year's plan
counts against its department only when it is behind its own schedule, never once it has
ended, and the refusal names the projects that caused it."""

from __future__ import annotations

import datetime

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import guards, services
from lifecycle.errors import RuleViolation
from projects.models import Project, YearlyInvestment
from tests.factories import CallFactory, ProjectFactory, complete_application
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
#: A June 2026 call for 2027 looks at the 2025 plan; the bureau accepts on 15 June 2026.
ACCEPT_ON = D(2026, 6, 15)


def _old(orgs, people, state, **fields):
    project, _on = project_in(state, orgs, people, CallFactory(year=2025), **fields)
    return project


def _new_application(orgs, people):
    call = CallFactory(year=2027)
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call))
    Walker(people).submit_batch(call, orgs["owner"], D(2026, 6, 10))
    project.refresh_from_db()
    return project


def _accept(project, person):
    with as_of(ACCEPT_ON):
        services.perform(project, "accept_application", actor=person)
    return Project.objects.get(pk=project.pk).state


def test_a_project_past_its_planned_end_counts_and_is_named(orgs, people):
    # Planned start 1 March 2025, 12 months: due to be built by 28 February 2026.
    old = _old(orgs, people, S.CONSTRUCTION, planned_start=D(2025, 3, 1))
    new = _new_application(orgs, people)
    with as_of(ACCEPT_ON), pytest.raises(RuleViolation) as exc:
        services.perform(new, "accept_application", actor=people.bureau_reviewer)
    assert exc.value.code == "overridable"
    assert "办法第十二条" in exc.value.message
    assert f"《{old.name}》应于2026-02-28建成" in exc.value.message


def test_a_multi_year_project_on_schedule_does_not_count(orgs, people):
    # 24 months from 1 March 2025: due by 28 February 2027, still on time in June 2026.
    old = _old(orgs, people, S.CONSTRUCTION, planned_start=D(2025, 3, 1))
    Project.objects.filter(pk=old.pk).update(period_months=24)
    new = _new_application(orgs, people)
    assert _accept(new, people.bureau_reviewer) == S.JOINT_REVIEW


def test_without_a_start_the_yearly_investments_give_the_schedule(orgs, people):
    old = _old(orgs, people, S.CONSTRUCTION)
    # 年度投资额 for 2025 and 2026: on schedule until 31 December 2026.
    amount = old.yearly_investments.get().amount_yuan
    old.yearly_investments.update(amount_yuan=amount / 2)
    YearlyInvestment.objects.create(project=old, year=2026, amount_yuan=amount / 2)
    assert guards.scheduled_completion(old) == D(2026, 12, 31)
    new = _new_application(orgs, people)
    assert _accept(new, people.bureau_reviewer) == S.JOINT_REVIEW


def test_only_the_yearly_investments_of_last_year_make_it_late(orgs, people):
    old = _old(orgs, people, S.CONSTRUCTION)
    assert guards.scheduled_completion(old) == D(2025, 12, 31)
    new = _new_application(orgs, people)
    with as_of(ACCEPT_ON):
        assert [p.pk for p in guards.unfinished_previous_plan(new)] == [old.pk]


@pytest.mark.parametrize("ended", [S.TERMINATED])
def test_an_ended_project_never_counts_against_the_department(orgs, people, ended):
    _old(orgs, people, ended, planned_start=D(2025, 3, 1))
    new = _new_application(orgs, people)
    assert _accept(new, people.bureau_reviewer) == S.JOINT_REVIEW


def test_another_departments_late_project_does_not_count(orgs, people):
    old = _old(orgs, people, S.CONSTRUCTION, planned_start=D(2025, 3, 1))
    Project.objects.filter(pk=old.pk).update(owner=orgs["other_owner"])
    new = _new_application(orgs, people)
    assert _accept(new, people.bureau_reviewer) == S.JOINT_REVIEW
