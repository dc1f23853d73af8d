"""The province the simulation starts from, built once per test module through the services
(web.scenarios.Walker), so that every sequence begins with projects spread over the 办法's
stages instead of spending its steps getting there.

Organisations of every kind (tests/conftest.py AGENCIES) and three departments, one person per
(organisation, role) and the bureau's 管理员; the calls of 2026 and 2027; the 2026 plan approved
and issued with eleven projects walked to in_plan … operation (one merged FSR+design 第十七条,
one on 电子政务内网 第十八条); the 2027 call's applications submitted, in joint review and passed,
the 2027 plan compiling; a draft with an emergency mandate (第十二条).
"""

from __future__ import annotations

import datetime

from core.states import ProjectState as S
from core.timeutil import as_of
from projects import services as project_services
from projects.models import Organisation, Project
from tests.conftest import make_orgs, make_people
from tests.factories import CallFactory, ProjectFactory, complete_application
from web.scenarios import Walker

D = datetime.date
#: The day the simulated province starts: a Monday a fortnight before National Day 2026.
START = D(2026, 9, 14)

#: (owner key, target state, extra fields) of the 2026 plan's projects.
PLAN_2026 = [
    ("owner", S.IN_PLAN, {}),
    ("owner", S.FSR_REVIEW, {}),
    ("other_owner", S.FSR_REVIEW, {"merged_fsr_design": True, "merged_ground": "small"}),
    ("owner", S.DESIGN_REVIEW, {"network": "intranet"}),
    ("other_owner", S.DESIGN_REVIEW, {}),
    ("other_owner", S.RATIFICATION, {}),
    ("other_owner", S.RATIFIED, {}),
    ("owner", S.CONSTRUCTION, {}),
    ("other_owner", S.CONSTRUCTION, {}),
    ("third_owner", S.COMPLETED, {}),
    ("owner", S.ACCEPTANCE_REVIEW, {}),
    ("other_owner", S.OPERATION, {}),
]


def build() -> dict:
    orgs = make_orgs()
    third = Organisation.objects.create(kind="owner", name="黑龙江省民政厅", code="黑民")
    orgs["third_owner"] = third
    people = make_people({"third_owner": third} | orgs)
    walker = Walker(people)
    call26 = CallFactory(year=2026)
    call27 = CallFactory(year=2027)

    made = []
    for key, _target, fields in PLAN_2026:
        project = complete_application(ProjectFactory(owner=orgs[key], call=call26))
        for name, value in fields.items():
            setattr(project, name, value)
        project.save()
        made.append(project)
    submitted = D(2025, 6, 16)
    for key in ("owner", "other_owner", "third_owner"):
        walker.submit_batch(call26, orgs[key], submitted)
    for project in made:
        project.refresh_from_db()
        walker.review(project, submitted + datetime.timedelta(days=1))
    walker.approve_plan(2026, made, D(2025, 9, 22))
    for project, (_key, target, _fields) in zip(made, PLAN_2026, strict=True):
        project.refresh_from_db()
        walker.forward(project, target, D(2025, 10, 20))
        if target == S.RATIFIED:
            walker.contracts(project, D(2026, 3, 2))

    # The 2027 call: applications submitted 2026-06-16, one accepted, two passed.
    later = []
    for key in ("owner", "other_owner", "third_owner", "third_owner"):
        later.append(complete_application(ProjectFactory(owner=orgs[key], call=call27)))
    submitted = D(2026, 6, 16)
    for key in ("owner", "other_owner", "third_owner"):
        walker.submit_batch(call27, orgs[key], submitted)
    for project in later:
        project.refresh_from_db()
    walker.review(later[0], submitted + datetime.timedelta(days=1))
    walker.review(later[1], submitted + datetime.timedelta(days=1))
    walker.step(
        later[2], "accept_application", people["bureau_reviewer"], submitted + datetime.timedelta(days=2)
    )
    with as_of(D(2026, 9, 10)):
        plan27 = project_services.plan_open(2027, actor=people["bureau_head"])
    # An urgent project outside the call (办法第十二条), still a draft.
    urgent = complete_application(ProjectFactory(owner=orgs["third_owner"], call=call26))
    urgent.call = None
    urgent.emergency_mandate = "国务院办公厅通知要求年内建成。"
    urgent.save()
    # A draft of the 2027 call that missed the window (办法第八条).
    late = complete_application(ProjectFactory(owner=orgs["owner"], call=call27))
    assert Project.objects.filter(state=S.DRAFT).count() == 2
    return {
        "orgs": {k: o.pk for k, o in orgs.items()},
        "people": {k: p.pk for k, p in people.items()},
        "plan27": plan27.pk,
        "urgent": urgent.pk,
        "late": late.pk,
    }
