"""Issue 10: a home page's project queues are one query whose SQL is kept per organisation and
day (``projects.selectors._capped_ask``), so that a bureau home page does not build and compile a
dozen annotated querysets on every visit. Kept SQL must answer exactly as SQL compiled afresh,
for every kind of organisation, after the data changed under it (new projects in every queue,
a cross-department participant to confirm, an opinion given) — and a person of another
organisation of the same kind never gets the first one's queues."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from core.states import ProjectState as S
from lifecycle.models import ChangeRequest, Incident
from projects import selectors
from projects.models import Network, Participant, Project, SplitWarning
from tests.web.conftest import give_joint_opinions

#: One person per kind of organisation of tests/conftest.py (and the administrator).
PERSONAS = [
    "owner_head",
    "other_owner_preparer",
    "bureau_reviewer",
    "admin",
    "finance_head",
    "government_head",
    "cac_reviewer",
    "crypto_head",
    "drc_head",
    "police_head",
    "secrecy_head",
    "intranet_head",
    "expert_reviewer",
]  # 审计厅 has no queues: its home page lists the latest history instead.


def _shape(queues):
    return [(str(q["title"]), q["count"], [getattr(p, "pk", p) for p in q["items"]]) for q in queues]


def _clear():
    selectors._CAPPED_SQL.clear()
    selectors._OTHER_ROWS.clear()
    selectors._SHOWN_ROWS.clear()


def _fresh(user):
    _clear()
    try:
        return _shape(selectors.home_queues(user))
    finally:
        _clear()


def _change_everything(orgs, people, scene):
    """Projects in the states every kind of organisation queues, of both departments; the
    other department takes part in one of ours (办法第十三条); the agencies give their joint
    review opinions on another (办法第十条)."""
    states = [
        S.SUBMITTED,
        S.JOINT_REVIEW,
        S.EMERGENCY_REQUESTED,
        S.EMERGENCY_FORWARDED,
        S.DESIGN_REVIEW,
        S.APPROVAL_COMPLETE,
        S.RATIFICATION,
        S.FSR_REVIEW,
        S.ACCEPTANCE_REVIEW,
        S.RECTIFICATION,
        S.OPERATION,
        S.DRAFT,
        S.CORRECTING,
    ]
    made = Project.objects.bulk_create(
        [
            Project(name=f"队列{n}-{state}", owner=orgs[owner], state=state)
            for n, state in enumerate(states)
            for owner in ("owner", "other_owner")
        ]
    )
    Project.objects.bulk_create(
        [
            Project(
                name="内网初步设计", owner=orgs["owner"], state=S.DESIGN_REVIEW, network=Network.INTRANET
            ),
            Project(name="专家评估", owner=orgs["owner"], state=S.EXPERT_EVALUATION),
            Project(
                name="第三方后评价",
                owner=orgs["owner"],
                state=S.POST_EVALUATION,
                post_evaluator=orgs["expert"],
            ),
        ]
    )
    draft = next(p for p in made if p.state == S.DRAFT and p.owner == orgs["owner"])
    Participant.objects.create(project=draft, organisation=orgs["other_owner"])
    give_joint_opinions(scene.reviewing, people)
    # The bureau's queues of other kinds: an incident to handle (办法第二十六条) and a
    # warning of a split application (办法第八条).
    Incident.objects.create(
        project=scene.building,
        kind=Incident.Kind.choices[0][0],
        description="严重逾期",
        reported_by=people.owner_head,
        reported_at=timezone.now(),
    )
    SplitWarning.objects.create(call=scene.building.call, first=made[0], second=made[1], score=Decimal("0.9"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_kept_queue_sql_answers_as_sql_compiled_afresh(orgs, people, scene, persona):
    user = people[persona]
    _clear()
    before = _shape(selectors.home_queues(user))  # compiles and keeps the SQL
    assert selectors._CAPPED_SQL, "the queue SQL is kept"
    kept_sql = len(selectors._CAPPED_SQL), len(selectors._OTHER_ROWS)
    assert before == _fresh(user)
    selectors.home_queues(user)
    _change_everything(orgs, people, scene)
    kept = _shape(selectors.home_queues(user))  # the kept SQL, on the changed data
    # The same kept SQL, and the first rows of a queue of another kind that was empty before
    # (the new incident): compiled once, then kept too.
    assert len(selectors._CAPPED_SQL) == kept_sql[0]
    assert len(selectors._OTHER_ROWS) >= kept_sql[1]
    selectors.home_queues(user)
    assert len(selectors._OTHER_ROWS) == sum(
        1 for q in selectors.home_queues(user) if q["kind"] != "projects" and q["count"]
    )
    assert kept == _fresh(user)
    assert kept != before, "the change reaches the queues"


def test_another_organisation_of_the_same_kind_gets_its_own_queues(orgs, people, scene):
    """The kept SQL of one department carries its id: the other department's home page,
    the same kind of organisation on the same day, is never answered with it — its project
    queues nor its changes in draft (办法第二十八条)."""
    _change_everything(orgs, people, scene)
    for key, person in (("owner", people.owner_head), ("other_owner", people.other_owner_head)):
        project = Project.objects.filter(owner=orgs[key], state=S.RATIFICATION).first()
        ChangeRequest.objects.create(
            project=project,
            title=f"{key}的变更",
            reason="需求调整",
            new_total_yuan=Decimal("5000000.00"),
            created_by=person,
        )
    _clear()
    ours = _shape(selectors.home_queues(people.owner_head))
    theirs = _shape(selectors.home_queues(people.other_owner_head))
    assert len(selectors._CAPPED_SQL) == 4  # each department's queues and counts
    assert ours != theirs
    assert theirs == _fresh(people.other_owner_head)
    assert ours == _fresh(people.owner_head)
