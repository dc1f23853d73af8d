"""Issue 10: pages bounded by what a person reads.

The plan page, the home pages and the list run the same number of queries whatever the
number of projects, show one page of rows with a pager, cap each home queue with a link to
the whole queue on the list page, and a department reads only its own history rows wherever
history appears (the plan page used to show every department's actors and reasons).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.formatting import wan_text
from core.states import ProjectState as S
from lifecycle import audit
from lifecycle.chain import verify
from lifecycle.models import AuditEntry, Clock, ClockKind, ClockUnit
from projects import history, selectors
from projects.models import FundingLine, Project
from tests.factories import CallFactory
from tests.web.scene_queries import SceneQueries
from web import plan_page

SECRET = "教育厅内部理由：预算压减"


def bulk_plan_projects(plan, owner, n, *, tag):
    """``n`` projects of ``owner`` in ``plan`` (issued: in construction), each with a funding
    line, a running clock and two history rows carrying the plan (as every step's row does)."""
    projects = Project.objects.bulk_create(
        [
            Project(
                name=f"批量{tag}-{i}",
                owner=owner,
                plan=plan,
                state=S.CONSTRUCTION,
                total_investment_yuan=Decimal("1000000.00") + i,
            )
            for i in range(n)
        ]
    )
    FundingLine.objects.bulk_create(
        [FundingLine(project=p, source="provincial", amount_yuan=p.total_investment_yuan) for p in projects]
    )
    Clock.objects.bulk_create(
        [
            Clock(
                project=p,
                kind=ClockKind.PERFORMANCE_REPORT,
                article="第二十五条",
                unit=ClockUnit.CALENDAR,
                received_on=datetime.date(2026, 1, 5),
                due_on=datetime.date(2026, 12, 31),
            )
            for p in projects
        ]
    )
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=now,
                actor_name=f"{owner}经办人",
                organisation=owner,
                project=p,
                plan=plan,
                object_type="projects.project",
                object_id=str(p.pk),
                action="step",
                reason=f"{tag}理由",
            )
            for p in projects
            for _ in range(2)
        ]
    )
    return projects


def bulk_submitted(owner, call, n, *, tag):
    return Project.objects.bulk_create(
        [Project(name=f"待受理{tag}-{i}", owner=owner, call=call, state=S.SUBMITTED) for i in range(n)]
    )


PERSONAS = [
    "bureau_head",
    "owner_head",
    "other_owner_head",
    "finance_head",
    "government_head",
    "cac_reviewer",
    "audit_reviewer",
]


class TestBoundedPages(SceneQueries):
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_the_plan_page_runs_the_same_queries_at_3_and_120_projects(
        self, client, orgs, people, scene, persona
    ):
        client.force_login(people[persona])
        # The rows are listed one department at a time (issue 10, listpages): the 卫健委's.
        url = reverse("plan", args=[2026]) + f"?owner={orgs['other_owner'].pk}"
        bulk_plan_projects(scene.plan, orgs["other_owner"], 3, tag="少")
        small, _ = self._count(client, url)
        bulk_plan_projects(scene.plan, orgs["other_owner"], 117, tag="多")
        large, body = self._count(client, url)
        assert large == small, getattr(self, "_last", "")
        # One page of rows, a pager, and the totals of the whole plan from the database.
        assert body.count("批量") <= plan_page.ROWS_PER_PAGE
        assert "page=2" in body
        total = sum(p.total_investment_yuan for p in scene.plan.projects.all())
        assert wan_text(total) in body

    def test_the_compiling_plans_candidates_are_paginated_with_the_same_queries(
        self, client, orgs, people, scene
    ):
        """办法第七、十一条: the bureau includes projects that passed joint review, a page at a time."""
        client.force_login(people.bureau_head)
        url = reverse("plan", args=[2027])
        call = CallFactory(year=2027)

        def passed(n, tag):
            Project.objects.bulk_create(
                [
                    Project(
                        name=f"候选{tag}-{i}", owner=orgs["other_owner"], call=call, state=S.REVIEW_PASSED
                    )
                    for i in range(n)
                ]
            )

        passed(2, "少")
        small, _ = self._count(client, url)
        passed(70, "多")
        large, body = self._count(client, url)
        assert large == small
        assert body.count('name="project"') == plan_page.CANDIDATES_PER_PAGE and "candidates=2" in body

    @pytest.mark.parametrize("persona", ["bureau_head", "owner_head", "other_owner_head", "government_head"])
    def test_home_queues_are_capped_and_link_to_the_whole_queue(self, client, orgs, people, scene, persona):
        client.force_login(people[persona])
        call = CallFactory(year=2030)
        bulk_submitted(orgs["other_owner"], call, 2, tag="少")
        small, _ = self._count(client, reverse("home"))
        bulk_submitted(orgs["other_owner"], call, 25, tag="多")
        large, body = self._count(client, reverse("home"))
        assert large == small
        if persona != "bureau_head":
            return
        # 待受理的申报: 27 + the scene's one submitted project, 10 shown.
        waiting = 27 + 1
        section = next(s for s in body.split('<section class="queue"') if "待受理的申报" in s)
        assert section.count('<tr class="') == selectors.QUEUE_CAP
        more = re.search(r'href="([^"]*\?queue=(\d+))">还有 (\d+) 项', section)
        assert more and int(more.group(3)) == waiting - selectors.QUEUE_CAP
        listed = client.get(more.group(1).replace("&amp;", "&")).content.decode()
        assert f"共{waiting}个项目" in listed
        assert "待受理多-" in listed

    def test_the_list_page_refuses_an_unknown_queue(self, client, people, scene):
        client.force_login(people.bureau_head)
        for key in ("99", "x", "-1", "0" * 30):
            response = client.get(reverse("project_list") + f"?queue={key}")
            assert response.status_code == 200
            assert "共0个项目" in response.content.decode(), key

    def test_the_plan_history_is_the_plans_own_paginated(self, client, orgs, people, scene):
        bulk_plan_projects(scene.plan, orgs["other_owner"], 5, tag="行")
        for i in range(plan_page.HISTORY_PER_PAGE + 3):
            audit.record(actor=people.bureau_head, action="plan.note", obj=scene.plan, label=f"计划记录{i}")
        client.force_login(people.bureau_head)
        body = client.get(reverse("plan", args=[2026])).content.decode()
        assert "行理由" not in body  # a project's row is on the project's page, not the plan's
        assert "计划记录0" in body and f"计划记录{plan_page.HISTORY_PER_PAGE + 2}" not in body
        assert "history=2" in body
        page2 = client.get(reverse("plan", args=[2026]) + "?history=2").content.decode()
        assert f"计划记录{plan_page.HISTORY_PER_PAGE + 2}" in page2
        assert verify(AuditEntry).ok


class TestDepartmentHistory:
    """A department sees only its own history rows (the plan page showed any department head
    the actors and reasons of the others)."""

    def test_a_department_reads_only_its_own_rows(self, orgs, people, scene):
        other = bulk_plan_projects(scene.plan, orgs["other_owner"], 1, tag="卫健委")[0]
        # A row about the 教育厅's own project, with its reason, carrying the plan.
        audit.record(actor=people.owner_head, action="note", obj=scene.building, reason=SECRET)
        everything = AuditEntry.objects.of_work()
        seen = history.visible_history(people.other_owner_head, everything)
        assert not seen.filter(reason=SECRET).exists()
        assert not seen.filter(project__owner=orgs["owner"]).exists()
        # Nor the 教育厅's rows about no project (its consolidated submission, 办法第八条).
        assert not seen.filter(project__isnull=True, organisation=orgs["owner"]).exists()
        assert everything.filter(project__isnull=True, organisation=orgs["owner"]).exists()
        # Its own rows, and the agencies' rows about the plan, it does read.
        assert seen.filter(project=other).count() == 2
        assert seen.filter(plan=scene.plan, project__isnull=True, organisation=orgs["bureau"]).exists()
        # The 教育厅 reads its own; the agencies and 审计厅 read every row.
        assert history.visible_history(people.owner_head, everything).filter(reason=SECRET).exists()
        for who in ("bureau_reviewer", "audit_reviewer", "cac_reviewer"):
            assert history.visible_history(people[who], everything).count() == everything.count()

    def test_the_plan_page_shows_no_other_departments_actors_or_reasons(self, client, orgs, people, scene):
        audit.record(actor=people.owner_head, action="note", obj=scene.building, reason=SECRET)
        audit.record(actor=people.owner_head, action="note", obj=scene.plan, reason=SECRET)
        client.force_login(people.other_owner_head)
        body = client.get(reverse("plan", args=[2026])).content.decode()
        assert SECRET not in body and str(people.owner_head) not in body
        client.force_login(people.owner_head)
        assert SECRET in client.get(reverse("plan", args=[2026])).content.decode()
