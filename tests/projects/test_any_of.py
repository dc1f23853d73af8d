"""Issue 10: ``pk__any_of=<subquery>`` (core.lookups.AnyOf) finds the same rows as ``pk__in``,
alone, inside an ``OR`` and negated — ``= ANY(ARRAY(…))`` on PostgreSQL, ``IN`` elsewhere."""

from __future__ import annotations

import pytest
from django.db.models import Q

from projects.models import Participant, Project


@pytest.fixture
def rows(orgs):
    mine = [
        Project.objects.create(name=f"本单位{i}", owner=orgs["owner"], state="submitted") for i in range(3)
    ]
    theirs = [
        Project.objects.create(name=f"他单位{i}", owner=orgs["other_owner"], state="submitted")
        for i in range(4)
    ]
    for p in theirs[:2]:
        Participant.objects.create(project=p, organisation=orgs["owner"], part="共建数据接口")
    return mine, theirs


@pytest.mark.parametrize("negated", [False, True])
def test_any_of_a_subquery_is_in_the_subquery(orgs, rows, negated):
    takes_part = Participant.objects.filter(organisation=orgs["owner"]).values("project_id")
    ours = Q(owner=orgs["owner"]) | Q(pk__any_of=takes_part)
    django = Q(owner=orgs["owner"]) | Q(pk__in=takes_part)
    if negated:
        ours, django = ~ours, ~django
    found = set(Project.objects.filter(ours).values_list("pk", flat=True))
    assert found == set(Project.objects.filter(django).values_list("pk", flat=True))
    mine, theirs = rows
    expected = {p.pk for p in mine + theirs[:2]}
    assert found == (set(Project.objects.values_list("pk", flat=True)) - expected if negated else expected)


def test_any_of_a_list_is_in_the_list(rows):
    mine, theirs = rows
    asked = [mine[0].pk, theirs[3].pk]
    assert set(Project.objects.filter(pk__any_of=asked).values_list("pk", flat=True)) == set(asked)
    assert not Project.objects.filter(pk__any_of=[]).exists()
