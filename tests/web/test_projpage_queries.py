"""Issue 10: the project page runs the same number of queries whatever the number of
projects, history rows, filings and clocks of the province — and of the project's own
history — for every role, and far fewer than it did (89–94 at 10,000 projects: may_see,
the step's audit row and the filing issued for it once per kind of filing, the material
versions once per sign-off, the recording steps once per correctable datum).

The rows are made in bulk (web/province.py does the same for the benchmarks); the project
is the scene's ``building`` (in construction, with a filed and a pending change).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents import filings
from documents.models import FilingKind
from lifecycle import audit
from projects.supervision import exception_decide, exception_request, exception_review, finding_set
from tests.web.scene_queries import SceneQueries
from tests.web.test_scalepages_queries import bulk_plan_projects

EXCUSED = "已获省政府批准孤网例外"

#: Every role that sees the project: its department's 经办人 and 负责人, the bureau's 审核人
#: and 负责人, the agencies, 审计厅 and the administrator.
PERSONAS = [
    "owner_preparer",
    "owner_head",
    "bureau_reviewer",
    "bureau_head",
    "cac_reviewer",
    "crypto_reviewer",
    "drc_head",
    "finance_head",
    "government_head",
    "audit_reviewer",
    "admin",
]

#: The page ran 89–98 queries on this scene before issue 10's project-page work; the page's
#: own parts (one query per kind of row it shows) are now well under this.
MOST = 36


class TestProjectPageQueries(SceneQueries):
    @pytest.mark.parametrize("persona", PERSONAS)
    def test_the_project_page_runs_the_same_few_queries_as_the_province_grows(
        self, client, orgs, people, scene, persona
    ):
        client.force_login(people[persona])
        url = reverse("project", args=[scene.building.pk])
        bulk_plan_projects(scene.plan, orgs["other_owner"], 2, tag="少")
        small, before = self._count(client, url)
        assert small <= MOST, self._last
        # The province grows: more projects of both departments, each with its history rows,
        # clocks and funding; the project's own history grows too.
        bulk_plan_projects(scene.plan, orgs["other_owner"], 60, tag="多")
        bulk_plan_projects(scene.plan, orgs["owner"], 60, tag="本")
        for i in range(30):
            audit.record(actor=people.owner_head, action="note", obj=scene.building, label=f"记录{i}")
        large, after = self._count(client, url)
        assert large == small, self._last
        assert after.count("记录2") >= 1 and "记录29" in after  # the rows are shown, every one
        assert before.count("<form") == after.count("<form")

    def test_a_filing_issued_on_the_project_adds_no_query(self, client, orgs, people, scene):
        """The filings issued and the buttons to issue or sample them come from one load of
        the project's filings and audit rows, whatever their number."""
        client.force_login(people.bureau_head)
        url = reverse("project", args=[scene.building.pk])
        small, before = self._count(client, url)
        assert "出具《联合审核意见" in before
        orgs["bureau"].code = "黑营商"  # the 机关代字 of its 发文字号
        orgs["bureau"].save()
        people.bureau_head.organisation = orgs["bureau"]
        filings.generate(FilingKind.JOINT_REVIEW_OPINION, actor=people.bureau_head, project=scene.building)
        large, after = self._count(client, url)
        assert large == small, self._last
        # 办法第十条: issued once per step occurrence — the button is gone, the filing listed.
        assert "出具《联合审核意见" not in after
        assert after.count("documents/filings/") > before.count("documents/filings/")

    def test_findings_excused_by_an_approved_exception_add_no_query(self, client, orgs, people, scene):
        """办法第三十四条: a data-sharing finding of a system 省政府 approved as a 孤网 is marked as
        not blocking — answered from the department's approved exceptions, not per finding."""
        client.force_login(people.bureau_head)
        url = reverse("project", args=[scene.building.pk])

        def finding(kind, system, who="bureau_reviewer"):
            return finding_set(
                actor=people[who],
                organisation=orgs["owner"],
                kind=kind,
                system=system,
                reason="认定理由",
                evidence="通报〔2026〕1号",
                project=scene.building,
            )

        finding("data_not_shared", "甲系统")
        small, before = self._count(client, url)
        assert EXCUSED not in before
        exc = exception_request(actor=people.owner_head, system="甲系统", grounds="法律规定不得共享")
        exc = exception_review(exc, actor=people.bureau_reviewer, favourable=True, note="同意报批")
        exception_decide(
            exc, actor=people.government_head, approve=True, note="批准", document_no="黑政函〔2026〕3号"
        )
        finding("data_not_shared", "乙系统")
        finding("security_hazard", "甲系统", who="cac_reviewer")
        large, after = self._count(client, url)
        assert large == small, self._last
        items = [li for li in after.split("<li>") if "认定，" in li]
        assert len(items) == 3
        assert [("甲系统" in li and "数据" in li, EXCUSED in li) for li in items].count((True, True)) == 1
        assert after.count(EXCUSED) == 1
