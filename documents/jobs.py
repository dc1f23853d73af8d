"""The documents app's background work (issue 10; projects/jobs.py runs it): the annual-plan
PDF — issued or as a sample — and the audit dossier, plus how every job's file is kept.

Each runner asks the same rules again as the page did (documents.filings.issue_check /
preview_check, documents.access.may_see), since the state may have changed while the job
waited; a refusal ends the job with the rule's message.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lifecycle.errors import RuleViolation
from projects import jobs
from projects.models import AnnualPlan, Job, Project

from . import filings, storage
from .dossier import dossier_build
from .models import FilingKind

PLAN_FILING = "plan_filing"
PLAN_PREVIEW = "plan_preview"
DOSSIER = "dossier"


def keep(job: Job, output: jobs.Output) -> None:
    """Store a job's file under jobs/<job id>/ with its digest (documents.storage)."""
    key = f"jobs/{job.pk}/{output.filename or 'file'}"
    if output.file is not None:
        sha, _sm3, size = storage.digests_of_file(output.file)
        stored = storage.save(key, output.file)
    else:
        data = output.data or b""
        sha, _sm3 = storage.digests(data)
        size = len(data)
        stored = storage.save_bytes(key, data)
    job.storage_key, job.filename, job.content_type = stored, output.filename, output.content_type
    job.size, job.sha256 = size, sha


def _plan(job: Job) -> AnnualPlan:
    plan = AnnualPlan.objects.filter(pk=job.params.get("plan")).first()
    if plan is None:
        raise RuleViolation(_("年度建设计划已不存在。"), code="kind")
    return plan


def _pdf_progress(progress: jobs.Progress):
    def report(done: int, total: int, stage: str) -> None:
        progress(done, total, stage, force=True)

    return report


def plan_filing(job: Job, progress: jobs.Progress) -> jobs.Output:
    """办法第十一条: issue the annual plan table (the Filing is numbered and kept as every
    filing is); the job points at it."""
    filing = filings.generate(
        FilingKind.ANNUAL_PLAN, actor=job.requested_by, plan=_plan(job), progress=_pdf_progress(progress)
    )
    return jobs.Output(filing_id=filing.pk)


def plan_preview(job: Job, progress: jobs.Progress) -> jobs.Output:
    """The 样稿 of the plan table before approval (never numbered, never a filing)."""
    sample = filings.preview(
        FilingKind.ANNUAL_PLAN, actor=job.requested_by, plan=_plan(job), progress=_pdf_progress(progress)
    )
    return jobs.Output(filename=sample.filename, content_type="application/pdf", data=sample.data)


def dossier(job: Job, progress: jobs.Progress) -> jobs.Output:
    """办法第三十七条: the audit dossier of one project (documents/dossier.py)."""
    project = Project.objects.select_related("owner").filter(pk=job.params.get("project")).first()
    if project is None:
        raise RuleViolation(_("项目已不存在。"), code="kind")
    progress(0, 1, _("正在打包"), force=True)
    handle, filename = dossier_build(project, actor=job.requested_by)
    return jobs.Output(filename=filename, content_type="application/zip", file=handle)


def register() -> None:
    jobs.register_keeper(keep)
    jobs.register(PLAN_FILING, plan_filing, label=_("出具年度建设计划"))
    jobs.register(PLAN_PREVIEW, plan_preview, label=_("年度建设计划样稿"))
    jobs.register(DOSSIER, dossier, label=_("项目审计档案"))
