"""Projects sitting in a given state, built through the services by web.scenarios."""

from __future__ import annotations

import datetime

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.models import Clock, ClockKind, ClockUnit
from lifecycle.workdays import WorkCalendar
from projects.models import Project
from tests.factories import ProjectFactory, complete_application
from web.scenarios import BRANCHES, MAIN_LINE, Walker

D = datetime.date


def submitted_on(call):
    return D(call.year - 1, 6, 16)


def plan_on(call):
    return D(call.year - 1, 9, 22)


def project_in(state, orgs, people, call, **fields):
    """A project of ``orgs['owner']`` in ``state``, and the date to act on next."""
    walker = Walker(people)
    # 办法第二十四条: a 监理 contract is recorded through its service (lifecycle.contracts), once
    # the project is ratified; ``supervisor_name`` names its supplier.
    supervisor = fields.pop("supervisor_name", None)
    fields.pop("supervision_contract_no", None)
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call))
    for name, value in fields.items():
        setattr(project, name, value)
    project.save()
    if state == S.DRAFT:
        return project, submitted_on(call)
    if state in (S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED):
        return _emergency(state, walker, project, orgs, people, call)
    walker.submit_batch(call, orgs["owner"], submitted_on(call))
    project.refresh_from_db()
    on = walk(walker, project, state, submitted_on(call) + datetime.timedelta(days=1))
    if supervisor and project.state == S.RATIFIED:
        walker.contracts(project, on, supplier=supervisor)
    return project, on


def walk(walker, project, state, on):
    if project.state == state:
        return on
    if state in BRANCHES:
        source, _name = BRANCHES[state]
        on = walk(walker, project, source, on)
        return walker.branch(project, state, on)
    order = MAIN_LINE.index(state)
    if order >= MAIN_LINE.index(S.JOINT_REVIEW) and project.state == S.SUBMITTED:
        if state == S.JOINT_REVIEW:
            walker.step(project, "accept_application", walker["bureau_reviewer"], on)
            return on + datetime.timedelta(days=1)
        walker.review(project, on)
        on = max(on + datetime.timedelta(days=5), on)
    if order >= MAIN_LINE.index(S.IN_PLAN) and project.state == S.REVIEW_PASSED:
        walker.approve_plan(project.call.year, [project], plan_on(project.call))
        project.refresh_from_db()
        on = plan_on(project.call) + datetime.timedelta(days=20)
    if project.state == state:
        return on
    return walker.forward(project, state, on)


def _emergency(state, walker, project, orgs, people, call):
    filler = complete_application(ProjectFactory(owner=orgs["other_owner"], call=call))
    walker.submit_batch(call, orgs["other_owner"], submitted_on(call))
    filler.refresh_from_db()
    walker.review(filler, submitted_on(call) + datetime.timedelta(days=1))
    walker.approve_plan(call.year, [filler], plan_on(call))
    project.emergency_mandate = "国务院办公厅通知要求年内建成。"
    project.call = None
    project.save()
    on = D(call.year, 3, 2)
    with as_of(on):
        services.emergency_request(
            project, actor=people.owner_head, year=call.year, responsible_person=people.owner_head
        )
    project.refresh_from_db()
    if state == S.EMERGENCY_FORWARDED:
        with as_of(on):
            services.opinion_give(
                project,
                actor=people.bureau_reviewer,
                aspect="bureau_emergency",
                conclusion="approve",
                text="同意紧急纳入。",
            )
            services.opinion_give(
                project,
                actor=people.finance_reviewer,
                aspect="finance_emergency",
                conclusion="approve",
                text="资金已落实。",
            )
        walker.emergency_security_opinions(project, on)
        walker.step(project, "forward_emergency", people.bureau_head, on)
    return project, on + datetime.timedelta(days=1)


def nature_project_in(state, orgs, people, call, nature, **fields):
    """建设性质 (issue 15): ``project_in`` for an application of ``nature``. 运维 and 购买服务
    reach CONSTRUCTION (执行中) and CLOSED along their short path (web.scenarios.Walker._serve);
    an upgrade and an O&M request name the existing system (办法第三十四条)."""
    fields.setdefault("system_name", "全省教育统计分析系统" if nature in ("upgrade", "operation") else "")
    return project_in(state, orgs, people, call, nature=nature, **fields)


def provisional_clocks(n: int, owner, plan=None, year: int = 2027) -> list[Clock]:
    """``n`` working-day clocks of the joint review's kind (of 5, 20 or 15 working days: this
    builder's own counts; some paused for a while) received on different days of ``year``, a
    year with no schedule yet, so their deadlines are provisional; each of a new project of
    ``owner`` — with ``plan``, one in three is the plan's instead. Made in bulk (issue 10:
    tests/lifecycle/test_scalepages_bulk.py and bench/new_year.py enter ``year``'s schedule
    over them)."""
    projects = Project.objects.bulk_create(
        [Project(name=f"时限{i}", owner=owner, plan=plan, state=S.JOINT_REVIEW) for i in range(n)]
    )
    calendar = WorkCalendar({year, year + 1})
    made = []
    for i, project in enumerate(projects):
        received = datetime.date(year, 1, 1) + datetime.timedelta(days=(i * 7) % 300)
        working, paused = (5, 20, 15)[i % 3], (0, 2, 0, 3)[i % 4]
        the_plans = plan is not None and i % 3 == 0
        made.append(
            Clock(
                kind=ClockKind.JOINT_REVIEW,
                article="第十条",
                unit=ClockUnit.WORKING_DAYS,
                working_days=working,
                paused_working_days=paused,
                received_on=received,
                due_on=calendar.add_working_days(received, working + paused).date,
                provisional=True,
                project=None if the_plans else project,
                plan=plan if the_plans else None,
            )
        )
    return Clock.objects.bulk_create(made, batch_size=2000)
