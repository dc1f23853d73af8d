"""The API's lists read a constant number of queries however many projects there are (as the
list pages, tests/web/scene_queries.py): the project list, the 第十五条 progress rows and their
workbook."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory, complete_application

pytestmark = pytest.mark.django_db


def _count(api, path, **params):
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(path, **params)
        if hasattr(answer, "streaming_content"):
            b"".join(answer.streaming_content)
    assert answer.status_code == 200
    return len(queries)


def _more(orgs, scene, n, start):
    for i in range(n):
        project = complete_application(ProjectFactory(owner=orgs["owner"], call=scene.building.call))
        project.platform_code = f"2601-230000-04-01-{start + i:06d}"
        project.save()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/projects/", {}),
        ("/api/v1/progress/", {}),
        ("/api/v1/progress/export/", {"file": "csv"}),
        ("/api/v1/stages/", {}),
    ],
)
def test_a_list_reads_the_same_queries_for_more_projects(scene, people, orgs, api, path, params):
    client = api(people.owner_preparer)
    _more(orgs, scene, 2, 200000)
    few = _count(client, path, **params)
    _more(orgs, scene, 12, 300000)
    assert _count(client, path, **params) == few
