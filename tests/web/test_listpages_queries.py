"""Issue 10 (listpages): home queues, lists and the plan page at province scale.

The same number of queries whatever the number of projects; queues sorted by each project's
earliest (extended) deadline; a department's list and search; the plan page grouped by
department (its own first), its emergency applications (办法第十二条) paginated.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.formatting import wan_text
from core.states import ProjectState as S
from lifecycle.clocks import keep_first_due
from lifecycle.models import Clock, ClockKind, ClockUnit
from projects import selectors
from projects.models import Participant, Project
from tests.factories import CallFactory
from tests.web.scene_queries import SceneQueries
from web import plan_page

D = datetime.date


def bulk(owner, n, *, tag, **fields):
    return Project.objects.bulk_create([Project(name=f"{tag}-{i}", owner=owner, **fields) for i in range(n)])


def clock(project, due, extended_to=None):
    """A running clock written directly, then the project's earliest deadline set from it as
    every write of a clock through lifecycle.clocks sets it (``keep_first_due``)."""
    made = Clock.objects.create(
        project=project,
        kind=ClockKind.INTAKE,
        article="第十条",
        unit=ClockUnit.WORKING_DAYS,
        working_days=5,
        received_on=D(2030, 6, 3),
        due_on=due,
        extended_to=extended_to,
    )
    keep_first_due([project.pk])
    return made


class TestListPages(SceneQueries):
    @pytest.mark.parametrize(
        "persona", ["bureau_head", "admin", "owner_preparer", "cac_reviewer", "finance_head", "drc_head"]
    )
    def test_every_home_page_asks_the_same_queries_as_every_queue_grows(
        self, client, orgs, people, scene, persona
    ):
        client.force_login(people[persona])
        call = CallFactory(year=2030)

        def grow(n, tag):
            # Projects in the states of many queues, each with a running clock.
            for state in (S.SUBMITTED, S.JOINT_REVIEW, S.FSR_REVIEW, S.OPERATION, S.ACCEPTANCE_REVIEW):
                for p in bulk(orgs["owner"], n, tag=f"{tag}{state}", call=call, state=state):
                    clock(p, D(2030, 6, 10))

        grow(1, "少")
        small, _ = self._count(client, reverse("home"))
        grow(12, "多")
        large, body = self._count(client, reverse("home"))
        assert large == small, self._last
        for section in body.split('<section class="queue"')[1:]:
            assert section.count('<tr class="') <= selectors.QUEUE_CAP

    def test_a_queue_is_sorted_by_the_earliest_extended_deadline(self, orgs, people, scene):
        """办法第十条: the bureau's intake queue by deadline; an extended clock counts by its
        extension, a project without a running clock comes last."""
        call = CallFactory(year=2030)
        soon, extended, none = bulk(orgs["owner"], 3, tag="排序", call=call, state=S.SUBMITTED)
        clock(soon, D(2030, 6, 12))
        clock(extended, D(2030, 6, 10), extended_to=D(2030, 6, 20))
        # Two running clocks: the earlier effective deadline is the one shown.
        clock(extended, D(2030, 6, 25))
        queues = selectors.home_queues(people.bureau_head)
        intake = next(q for q in queues if str(q["title"]) == "待受理的申报")
        mine = [p for p in intake["items"] if p.name.startswith("排序")]
        assert [p.pk for p in mine] == [soon.pk, extended.pk, none.pk]
        assert mine[1].deadline.effective_due_on == D(2030, 6, 20)
        assert mine[2].deadline is None
        assert intake["count"] == Project.objects.filter(state=S.SUBMITTED).count()

    def test_the_cap_keeps_the_earliest_extended_deadlines(self, orgs, people, scene):
        """The database picks the first QUEUE_CAP by the extended deadline: a clock due first
        but extended past the others' deadlines is not among them."""
        call = CallFactory(year=2030)
        extended, *others = bulk(
            orgs["owner"], selectors.QUEUE_CAP + 1, tag="截取", call=call, state=S.SUBMITTED
        )
        clock(extended, D(2030, 6, 10), extended_to=D(2030, 6, 28))
        for p in others:
            clock(p, D(2030, 6, 14))
        intake = next(
            q for q in selectors.home_queues(people.bureau_head) if str(q["title"]) == "待受理的申报"
        )
        shown = [p.pk for p in intake["items"]]
        assert len(shown) == selectors.QUEUE_CAP and extended.pk not in shown
        assert intake["more"] == intake["count"] - selectors.QUEUE_CAP

    def test_a_departments_list_and_search_ask_the_same_queries(self, client, orgs, people, scene):
        """办法第十三条: a department lists its own projects and those it takes part in."""
        client.force_login(people.owner_preparer)
        url = reverse("project_list") + "?q=%E5%B9%B3%E5%8F%B0"  # 平台

        def grow(n, tag):
            bulk(orgs["owner"], n, tag=f"{tag}平台", state=S.CONSTRUCTION)
            others = bulk(orgs["other_owner"], n, tag=f"{tag}平台参建", state=S.CONSTRUCTION)
            Participant.objects.bulk_create(
                [Participant(project=p, organisation=orgs["owner"], part="参建") for p in others]
            )
            bulk(orgs["other_owner"], n, tag=f"{tag}平台他人", state=S.CONSTRUCTION)

        grow(1, "少")
        small, _ = self._count(client, url)
        grow(30, "多")
        large, body = self._count(client, url)
        assert large == small, self._last
        # Its own 31 and the 31 it takes part in, never the other department's own.
        assert "共62个项目" in body and "他人" not in body and "page=2" in body

    def test_the_plan_page_lists_one_department_at_a_time(self, client, orgs, people, scene):
        """办法第十一条: the totals are the whole plan's; the rows one department's, its own first."""
        bulk(
            orgs["other_owner"],
            60,
            tag="卫健委计划",
            plan=scene.plan,
            state=S.CONSTRUCTION,
            total_investment_yuan=Decimal("1000000.00"),
        )
        total = sum(p.total_investment_yuan for p in scene.plan.projects.all())
        url = reverse("plan", args=[2026])
        client.force_login(people.owner_head)
        own = client.get(url).content.decode()
        assert "卫健委计划" not in own and scene.building.name in own
        assert wan_text(total) in own  # the plan's total, below the departments' sums
        other = client.get(url + f"?owner={orgs['other_owner'].pk}").content.decode()
        assert other.count("卫健委计划") == plan_page.ROWS_PER_PAGE and "page=2" in other
        # The bureau sees the first department by name (卫 before 教 in code points).
        client.force_login(people.bureau_head)
        first = client.get(url).content.decode()
        assert "卫健委计划" in first

    def test_emergency_applications_on_the_plan_page_are_paginated(self, client, orgs, people, scene):
        """办法第十二条: emergency applications of the plan, a page at a time, same queries."""
        client.force_login(people.bureau_head)
        url = reverse("plan", args=[2026])
        bulk(orgs["other_owner"], 2, tag="紧急少", plan=scene.plan, state=S.EMERGENCY_REQUESTED)
        small, _ = self._count(client, url)
        bulk(orgs["other_owner"], 30, tag="紧急多", plan=scene.plan, state=S.EMERGENCY_FORWARDED)
        large, body = self._count(client, url)
        assert large == small, self._last
        section = body.split("紧急纳入申请（办法第十二条）")[1].split("</section>")[0]
        assert section.count("<li>") == plan_page.EMERGENCIES_PER_PAGE
        assert "emergencies=2" in section
        assert re.search(r"共\d+页（32条）", section)

    def test_the_state_shown_is_the_states_label(self, client, orgs, people, scene):
        client.force_login(people.owner_preparer)
        body = client.get(reverse("project_list")).content.decode()
        assert str(S(scene.building.state).label) in body
        assert str(S.DRAFT.label) in body
