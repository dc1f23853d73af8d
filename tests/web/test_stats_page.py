"""Issue 12 item 7 / issue 11 item 7: the bureau's statistics page, its workbook, the charts on
the bureau's home page, and the state diagram and clock timeline of the project page.

The numbers are those of the hand-built province of tests/exports/test_stats_numbers.py
(worked out there by hand)."""

from __future__ import annotations

import datetime
import io
import itertools
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.states import ProjectState as S
from lifecycle.models import Clock, ClockKind, ClockUnit, Opinion
from projects.models import Organisation, Project, YearlyInvestment
from tests.conftest import at
from tests.exports.test_stats_numbers import province  # noqa: F401 - the fixture
from web import state_diagram

BUREAU = ("bureau_preparer", "bureau_head", "bureau_reviewer", "admin")


def _get(client, url, **params):
    with at(2026, 3, 2):
        return client.get(url, params)


# ---------------------------------------------------------------- who may read it


@pytest.mark.parametrize("name", ["statistics", "statistics_export"])
def test_only_the_bureau_reads_the_statistics(client, people, name):
    """办法第四条: the bureau's page; 404 for everyone else, the sign-in page for no one."""
    for key, person in people.items():
        client.force_login(person)
        expected = 200 if key in BUREAU else 404
        assert _get(client, reverse(name)).status_code == expected, key
    client.logout()
    assert _get(client, reverse(name)).status_code == 302


def test_only_the_bureau_sees_the_link_and_the_home_charts(client, people):
    client.force_login(people.bureau_reviewer)
    body = _get(client, reverse("home")).content.decode()
    assert (
        reverse("statistics") in body
        and 'id="home-pipeline-title"' in body
        and 'id="home-ontime-title"' in body
    )
    for key in ("owner_head", "cac_reviewer", "finance_head", "audit_reviewer"):
        client.force_login(people[key])
        body = _get(client, reverse("home")).content.decode()
        assert reverse("statistics") not in body and "home-pipeline" not in body, key


# ---------------------------------------------------------------- the numbers shown


def _row(body: str, header: str) -> list[str]:
    match = re.search(r'<tr><th scope="row">' + re.escape(header) + r"</th>(.*?)</tr>", body)
    assert match, header
    return re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))


def test_the_page_shows_the_tables_and_charts_with_the_same_numbers(client, people, orgs, province):
    client.force_login(people.bureau_head)
    body = _get(client, reverse("statistics")).content.decode()
    assert _row(body, "建设") == ["2", "500.00"]
    assert _row(body, "已结束") == ["1", "50.00"]
    # 教育厅's yearly amounts: 2025, 2026, 2027 and the total (the investment table's row).
    assert _row(body, orgs["owner"].name) == ["0.00", "200.00", "100.00", "300.00"]
    # The on-time table: the bureau 4 met, 2 late, none overdue or pending: 66.67%.
    assert _row(body, orgs["bureau"].name)[:5] == ["4", "2", "0", "0", "66.67%"]
    # Average working days: the design review 20.0 (23 − 3 paused).
    assert _row(body, "初步设计评审和批复")[1:] == ["1", "20.0"]
    # Every chart: an image with its title and description, named by aria-labelledby.
    for chart in ("chart-pipeline", "chart-investment", "chart-ontime", "chart-steps"):
        assert f'role="img" aria-labelledby="{chart}-title {chart}-desc"' in body, chart
        assert f'<title id="{chart}-title">' in body and f'<desc id="{chart}-desc">' in body
    assert "建设：2个项目，500.00万元" in body  # the pipeline chart's description
    assert "<script" not in body.split("<main", 1)[-1]


def test_the_filters_narrow_every_table(client, people, orgs, province):
    client.force_login(people.bureau_head)
    body = _get(
        client, reverse("statistics"), year="2026", owner=str(orgs["other_owner"].pk)
    ).content.decode()
    assert _row(body, "建设") == ["1", "200.00"]
    assert _row(body, "已结束") == ["0", "0.00"]  # P4 is of the 2025 call
    assert orgs["owner"].name not in re.sub(r"<option.*?</option>", "", body)
    # A value that is no year or department is ignored, never a 500.
    for bad in ("x", "0" * 30, "-1", "2026.5"):
        assert _get(client, reverse("statistics"), year=bad, owner=bad).status_code == 200


def test_the_workbook_holds_the_same_numbers(client, people, orgs, province):
    client.force_login(people.bureau_head)
    response = _get(client, reverse("statistics_export"))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    stages = {r[0]: (r[1], r[2]) for r in wb["各阶段项目"].iter_rows(min_row=4, values_only=True)}
    assert stages["建设"] == (2, 500) and stages["申报"] == (1, 70) and stages["已结束"] == (1, 50)
    money = {r[0]: r[1:] for r in wb["各单位各年度投资"].iter_rows(min_row=4, values_only=True)}
    assert money[orgs["owner"].name] == (0, 200, 100, 300) and money["合计"] == (50, 400, 100, 550)
    on_time = {r[0]: r[1:6] for r in wb["各单位按期完成率"].iter_rows(min_row=4, values_only=True)}
    assert on_time[orgs["bureau"].name][:4] == (4, 2, 0, 0)
    assert round(on_time[orgs["bureau"].name][4], 4) == 0.6667
    steps = {r[0]: r[2:] for r in wb["各环节平均用时"].iter_rows(min_row=4, values_only=True)}
    assert steps["联合审核"] == (1, 6.0) and steps["申报后受理（本局目标时限）"] == (2, 2.5)


# ---------------------------------------------------------------- queries do not grow


def _grow(orgs, people, n: int, tag: str) -> None:
    """``n`` more projects in three more departments, each with yearly amounts, a joint review
    with its opinions and a stopped intake clock and design clock."""
    call = Project.objects.filter(call__year=2026).first().call
    departments = Organisation.objects.bulk_create(
        [Organisation(kind="owner", name=f"{tag}厅{i}", code=f"{tag}{i}") for i in range(3)]
    )
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"{tag}{i}",
                owner=departments[i % 3],
                call=call,
                state=[S.JOINT_REVIEW, S.CONSTRUCTION, S.CLOSED][i % 3],
                total_investment_yuan=Decimal(1_000_000 + i),
            )
            for i in range(n)
        ]
    )
    YearlyInvestment.objects.bulk_create(
        [
            YearlyInvestment(project=p, year=2026 + i % 2, amount_yuan=Decimal(1000))
            for i, p in enumerate(projects)
        ]
    )
    day = datetime.date(2026, 1, 5)
    clocks = []
    for p in projects:
        for kind in (ClockKind.JOINT_REVIEW, ClockKind.INTAKE, ClockKind.DESIGN_REVIEW):
            clocks.append(
                Clock(
                    project=p,
                    kind=kind,
                    article="第十条",
                    unit=ClockUnit.WORKING_DAYS,
                    working_days=5,
                    received_on=day,
                    due_on=datetime.date(2026, 1, 12),
                    stopped_on=datetime.date(2026, 1, 9),
                )
            )
    Clock.objects.bulk_create(clocks)
    given = timezone.make_aware(datetime.datetime(2026, 1, 8, 10))
    Opinion.objects.bulk_create(
        [
            Opinion(
                project=p,
                stage="joint_review",
                aspect=aspect,
                organisation=orgs[org],
                conclusion="approve",
                text="同意。",
                given_by=people.bureau_reviewer,
                given_at=given,
            )
            for p in projects
            for org, aspect in (("bureau", "intensive"), ("cac", "security"), ("crypto", "crypto"))
        ]
    )


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert _get(client, url, **params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["statistics", "statistics_export", "home"])
def test_the_queries_do_not_grow_with_the_province(client, people, orgs, province, url):
    client.force_login(people.bureau_head)
    _count(client, reverse(url))  # warm: the session, the language
    small = _count(client, reverse(url))
    _grow(orgs, people, 6, "小")
    middle = _count(client, reverse(url))
    _grow(orgs, people, 60, "大")
    large = _count(client, reverse(url))
    assert small == middle == large
    if url != "home":
        assert _count(client, reverse(url), year="2026", owner=str(orgs["owner"].pk)) <= large


# ---------------------------------------------------------------- the project page's pictures


def test_the_project_page_draws_the_path_taken_and_the_clocks(client, people, scene):
    state_diagram.layout.cache_clear()
    state_diagram._render.cache_clear()
    client.force_login(people.bureau_head)
    body = client.get(reverse("project", args=[scene.building.pk])).content.decode()
    svg = body.split('<svg class="state-diagram"', 1)[1].split("</svg>", 1)[0]
    assert 'aria-labelledby="state-diagram-title state-diagram-desc"' in svg
    # The current state (建设中) is the one box drawn as current.
    assert svg.count('class="state current"') == 1
    current = svg.split('class="state current"', 1)[1].split("</g>", 1)[0]
    assert "建设中" in current
    # The path: 申报 → 受理 → 审核通过 → … → 建设中, each step once.
    desc = re.search(r'<desc id="state-diagram-desc">(.*?)</desc>', svg).group(1)
    assert desc.startswith("当前状态：建设中。已经过的状态：草稿 → 已申报，待受理 → 联合审核中 →")
    steps = desc.split("：")[-1].rstrip("。").split(" → ")
    assert steps[-1] == "建设中"
    assert svg.count('class="taken"') == len(set(itertools.pairwise(steps)))
    # The clocks' timeline: one lane per clock, described with its dates.
    timeline = body.split('aria-labelledby="clock-timeline-title clock-timeline-desc"', 1)[1].split("</svg>")[
        0
    ]
    clocks = list(scene.building.clocks.all())
    assert clocks
    for c in clocks:
        assert c.received_on.isoformat() in timeline and c.effective_due_on.isoformat() in timeline


def test_the_diagram_is_laid_out_once_per_language(client, people, scene, monkeypatch):
    state_diagram.layout.cache_clear()
    state_diagram._render.cache_clear()
    calls = []
    real = state_diagram.subprocess.run

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(state_diagram.subprocess, "run", counting)
    client.force_login(people.bureau_head)
    for project in (scene.building, scene.reviewing, scene.building, scene.submitted):
        assert 'class="state-diagram"' in client.get(reverse("project", args=[project.pk])).content.decode()
    assert len(calls) == 1
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    body = client.get(reverse("project", args=[scene.building.pk])).content.decode()
    assert 'class="state-diagram"' in body and len(calls) == 2
    translation.deactivate()  # the language the request activated stays with the thread


def test_without_dot_the_page_keeps_its_text_diagram(client, people, scene, monkeypatch):
    state_diagram.layout.cache_clear()
    state_diagram._render.cache_clear()
    monkeypatch.setattr(state_diagram.shutil, "which", lambda name: None)
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[scene.building.pk])).content.decode()
    assert 'class="state-diagram"' not in body and 'class="diagram"' in body
    state_diagram.layout.cache_clear()
    state_diagram._render.cache_clear()
