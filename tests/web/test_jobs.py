"""Long work in the background (issue 10; projects/jobs.py, web/job_views.py): the annual-plan
PDF, big exports and audit dossiers are queued; the request answers at once with the job's
page, which shows the progress and then the download — to the person who asked, and to
nobody else. The tests run the tasks with django-tasks' immediate backend (config/
test_settings.py); tests/web/test_jobs_worker.py runs the database queue and its worker."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from core.states import ProjectState as S
from documents.models import Filing
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import jobs
from projects.models import Job
from tests.documents.pdfcheck import page_texts
from tests.lifecycle.builders import project_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_plan(orgs, people, call_2026):
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)  # the plan approved and issued
    return project


def _flat(text: str) -> str:
    return "".join(text.split())


def test_issuing_the_annual_plan_is_queued_and_the_page_leads_to_the_filing(client, people, in_plan):
    plan = in_plan.plan
    client.force_login(people.bureau_reviewer)
    url = reverse("documents:plan_filing_generate", args=[plan.year])
    response = client.post(url, {"next": reverse("plan", args=[plan.year])})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.kind == "plan_filing" and job.requested_by == people.bureau_reviewer
    assert job.status == Job.Status.DONE and job.percent == 100
    # 办法第十一条: the plan table is a filing like any other: stored, with its digests
    filing = Filing.objects.get(pk=job.filing_id)
    assert (
        filing.kind == "annual_plan" and filing.plan == plan and filing.generated_by == people.bureau_reviewer
    )
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "已完成" in page and reverse("job_download", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 302 and download["Location"] == reverse(
        "documents:filing_download", args=[filing.pk]
    )
    assert AuditEntry.objects.filter(action="job.requested", actor=people.bureau_reviewer).count() == 1
    assert AuditEntry.objects.filter(action="filing.generated", actor=people.bureau_reviewer).count() == 1
    # asked again: the rule says it is issued once (the step's occurrence), refused at once
    again = client.post(url)
    assert again.status_code == 409 and Job.objects.count() == 1


def test_a_refusal_is_immediate_and_queues_nothing(client, people, in_plan):
    plan = in_plan.plan
    client.force_login(people.finance_reviewer)  # 财政厅 drafts with the bureau but does not issue
    response = client.post(reverse("documents:plan_filing_generate", args=[plan.year]))
    assert response.status_code == 403 and "第十一条" in response.json()["error"]
    client.force_login(people.owner_head)  # a department: no plan filings at all
    assert client.post(reverse("documents:plan_filing_generate", args=[plan.year])).status_code == 404
    assert Job.objects.count() == 0


def test_only_the_person_who_asked_sees_the_job(client, people, in_plan):
    client.force_login(people.bureau_reviewer)
    client.post(reverse("documents:plan_filing_generate", args=[in_plan.plan.year]))
    job = Job.objects.get()
    for other in (people.bureau_head, people.finance_reviewer, people.owner_head):
        client.force_login(other)
        assert client.get(reverse("job", args=[job.pk])).status_code == 404
        assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
        assert str(job.pk) not in client.get(reverse("job_list")).content.decode()
    client.force_login(people.bureau_reviewer)
    assert client.get(reverse("job", args=[uuid.uuid4()])).status_code == 404
    assert str(job.pk) in client.get(reverse("job_list")).content.decode()
    state = client.get(reverse("job", args=[job.pk]) + "?format=json").json()
    assert state["status"] == "done" and state["percent"] == 100 and state["finished"]


@override_settings(PDF_PART_ROWS=1)
def test_the_plan_sample_is_rendered_in_parts_with_page_numbers_of_the_whole(client, people, in_plan):
    from core.states import PlanState

    plan = in_plan.plan
    # one part per subtotal row (the department, the total, each funding source)
    type(plan).objects.filter(pk=plan.pk).update(state=PlanState.COMPILING)
    client.force_login(people.bureau_reviewer)
    response = client.post(reverse("documents:plan_filing_generate", args=[plan.year]), {"mode": "preview"})
    job = Job.objects.get()
    assert response.status_code == 202 and response.json()["url"] == reverse("job", args=[job.pk])
    assert job.kind == "plan_preview" and job.status == Job.Status.DONE, job.error
    download = client.get(reverse("job_download", args=[job.pk]))
    data = b"".join(download.streaming_content)
    assert download.status_code == 200 and data[:5] == b"%PDF-"
    texts = [_flat(t) for t in page_texts(data)]
    assert len(texts) > 1
    for i, text in enumerate(texts, start=1):
        assert f"第{i}页共{len(texts)}页" in text
    assert "样稿" in texts[0] and Filing.objects.count() == 0  # a sample is never a filing
    assert job.size == len(data) and AuditEntry.objects.filter(action="job.downloaded").count() == 1


@override_settings(EXPORT_BACKGROUND_ROWS=0)
def test_a_big_export_is_written_in_the_background_with_the_same_rows(client, people, in_plan):
    client.force_login(people.bureau_reviewer)
    response = client.get(reverse("exports:ledger"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.status == Job.Status.DONE and job.filename.endswith(".xlsx")
    data = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    background = [
        list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    ]
    with override_settings(EXPORT_BACKGROUND_ROWS=10_000):
        direct = client.get(reverse("exports:ledger"))
        assert direct.status_code == 200 and Job.objects.count() == 1
        rows = openpyxl.load_workbook(io.BytesIO(b"".join(direct.streaming_content))).active
        assert [list(r) for r in rows.iter_rows(values_only=True)] == background
    assert in_plan.name in str(background)
    # the same audit row as the direct download
    assert AuditEntry.objects.filter(action="export.ledger", actor=people.bureau_reviewer).count() == 2

    response = client.get(reverse("exports:ledger") + "?format=csv")
    job = Job.objects.exclude(pk=job.pk).get()
    text = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert job.filename.endswith(".csv") and in_plan.name in [r[1] for r in csv.reader(io.StringIO(text))][1]


@override_settings(EXPORT_BACKGROUND_ROWS=-1)  # even an empty export goes to the background
def test_a_department_exports_only_its_own_projects_in_the_background_too(client, people, in_plan, orgs):
    client.force_login(people.other_owner_preparer)
    client.get(reverse("exports:ledger"))
    job = Job.objects.get()
    data = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    assert in_plan.name not in str(
        list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    )


@override_settings(DOSSIER_BACKGROUND_BYTES=-1)
def test_a_big_dossier_is_offered_for_packing_and_packed_in_the_background(client, people, in_plan):
    url = reverse("documents:dossier", args=[in_plan.pk])
    client.force_login(people.owner_head)
    page = client.get(url)
    assert page.status_code == 200 and "后台打包" in page.content.decode() and Job.objects.count() == 0
    response = client.post(url)
    job = Job.objects.get()
    assert response["Location"] == reverse("job", args=[job.pk]) and job.status == Job.Status.DONE, job.error
    data = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "manifest.json" in zf.namelist()
    assert AuditEntry.objects.filter(action="dossier.downloaded", actor=people.owner_head).count() == 1
    client.force_login(people.other_owner_head)
    assert client.post(url).status_code == 404


def test_a_job_that_fails_says_why_and_one_that_is_refused_when_it_runs_gives_the_rule(people, monkeypatch):
    def broken(job, progress):
        raise OSError("disk full")

    def refused(job, progress):
        raise RuleViolation("年度建设计划已退回（办法第十一条）。", code="step")

    monkeypatch.setitem(jobs._registry.kinds, "test.broken", jobs.Kind("test.broken", broken))
    monkeypatch.setitem(jobs._registry.kinds, "test.refused", jobs.Kind("test.refused", refused))
    job = jobs.start("test.broken", actor=people.bureau_reviewer, title="坏任务")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and str(job.pk) in job.error and "disk full" not in job.error
    job = jobs.start("test.refused", actor=people.bureau_reviewer, title="被拒任务")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "年度建设计划已退回（办法第十一条）。"
    assert AuditEntry.objects.filter(action="job.failed").count() == 2


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pk=st.text(max_size=60))
def test_no_job_address_gives_a_500(client, people, pk):
    client.force_login(people.bureau_reviewer)
    for name in ("job", "job_download"):
        try:
            url = reverse(name, args=[pk])
        except Exception:  # not a UUID: the URL pattern does not match, Django answers 404
            url = f"/jobs/{pk}/"
        assert client.get(url).status_code in (200, 404, 302, 301)
