"""A filing's snapshot (what was filed: for an annual plan, every row of the plan, megabytes of
JSON) is read only to render or check the file again: the pages and the API that list filings
or check whether one exists never read it (issue 10: an issued plan's page parsed 5 MB of JSON
on every visit, 12× the bare page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Filing, FilingKind
from projects.models import AnnualPlan

pytestmark = pytest.mark.django_db


def test_the_plan_page_lists_the_plan_s_filings_without_their_snapshot(client, people, orgs):
    plan = AnnualPlan.objects.create(year=2027, state="issued")
    Filing.objects.create(
        kind=FilingKind.ANNUAL_PLAN,
        title="2027年度政务信息化建设计划",
        plan=plan,
        issuer=orgs["bureau"],
        snapshot={"rows": [{"name": f"项目{n}"} for n in range(50)]},
        storage_key="filings/plan-2027.pdf",
        size=1,
        sha256="0" * 64,
        sm3="0" * 64,
        generated_by=people.bureau_reviewer,
        generated_at=timezone.now(),
    )
    client.force_login(people.bureau_head)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("plan", args=[2027])).content.decode()
    assert "2027年度政务信息化建设计划" in body  # the download link is listed
    read = [q["sql"] for q in ctx.captured_queries if '"documents_filing"' in q["sql"]]
    assert read and not [sql for sql in read if '"documents_filing"."snapshot"' in sql]
