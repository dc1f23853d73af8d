"""建设性质 in the demo (issue 15): a few of each nature, the short path of 运维 and 购买服务
walked to every point, a 续建 showing its earlier project's results (办法第三十八条)."""

from __future__ import annotations

import datetime

import pytest

from core.nature import ProjectNature as N
from core.states import ProjectState as S
from projects.models import Project
from tests.conftest import built_once
from web import demo

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        yield demo.load(today=TODAY)


@pytest.fixture
def demo_world(demo_loaded, db):
    return demo_loaded


def test_the_demo_has_applications_of_every_nature(demo_world):
    counts = {n: Project.objects.filter(nature=n).count() for n in N.values}
    assert all(c >= 1 for c in counts.values()), counts
    assert counts[N.OPERATION] >= 2 and counts[N.SERVICE] >= 2 and counts[N.UPGRADE] >= 3


def test_the_short_path_is_walked_to_each_of_its_points(demo_world):
    service = Project.objects.filter(nature__in=[N.OPERATION, N.SERVICE], plan__isnull=False)
    assert {S.IN_PLAN, S.CONSTRUCTION, S.CLOSED} <= set(service.values_list("state", flat=True))
    closed = service.get(state=S.CLOSED)
    # 办法第十五、二十四、二十九条: none of the long path's steps; 第二十一、二十五条: the contract
    # and a report for each year of execution.
    actions = set(closed.audit_entries.values_list("action", flat=True))
    assert {"start_service", "finish_service"} <= actions
    assert not actions & {
        "submit_fsr",
        "approve_fsr",
        "submit_design",
        "ratify",
        "start_construction",
        "accept",
    }
    assert not closed.contracts.filter(kind="supervision").exists()
    assert closed.contracts.filter(kind="construction").exists()
    years = set(closed.performance_reports.values_list("year", flat=True))
    assert years == set(range(closed.construction_started_on.year, closed.completed_on.year + 1))


def test_the_continuation_in_review_shows_its_earlier_project(client, demo_world):
    continued = Project.objects.get(nature=N.CONTINUED)
    assert continued.state == S.JOINT_REVIEW and continued.predecessor.state == S.CLOSED
    client.force_login(demo_world["bureau_reviewer"])
    for url in (f"/projects/{continued.pk}/", f"/projects/{continued.pk}/review/"):
        body = client.get(url).content.decode()
        assert "前期项目验收和评价情况（办法第三十八条）" in body, url
        assert continued.predecessor.name in body and "续建" in body


def test_the_merged_upgrade_took_the_extension_ground(demo_world):
    merged = Project.objects.get(name="国土空间基础信息平台升级")
    assert merged.nature == N.UPGRADE and merged.merged_ground == "extension"
    assert not merged.audit_entries.filter(action="approve_design").exists()
