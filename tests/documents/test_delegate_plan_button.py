"""Issue 11: the annual-plan filing buttons say what happens — the PDF of a province's plan is
set in the background (documents/jobs.py), so the button no longer promises a download; the
sample before approval is named a sample (样稿, 未经批准), the issued filing 出具 (办法第十一条)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from projects.models import Job
from tests.lifecycle.builders import project_in

pytestmark = pytest.mark.django_db


def test_the_issued_plan_button_says_it_is_made_in_the_background(client, people, orgs, call_2026):
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)
    client.force_login(people.bureau_reviewer)
    page = client.get(reverse("plan", args=[project.plan.year])).content.decode()
    assert "出具年度建设计划（PDF，后台生成）" in page
    assert "下载年度建设计划" not in page
    # and it does what it says: a job, whose page the button leads to
    response = client.post(
        reverse("documents:plan_filing_generate", args=[project.plan.year]),
        {"next": reverse("plan", args=[project.plan.year])},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk])
