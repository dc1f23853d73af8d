"""Big exports in the background (issue 10; projects/jobs.py runs them).

An export of more than ``settings.EXPORT_BACKGROUND_ROWS`` projects is not written inside the
request: the page queues it and shows its progress, the worker writes the same file the
direct download writes — the same exporter over the projects the person may see
(projects.selectors.visible_projects), asked again when the job runs — and records the same
audit row (export.ledger, export.plan, export.overdue).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from typing import cast

from django.utils.translation import gettext as _

from core import timeutil
from core.filenames import download_name
from core.tables import Exporter, Row
from lifecycle import audit
from projects import access, jobs
from projects.models import Job
from projects.plan import PlanExporter
from projects.selectors import visible_projects

from .base import write_csv, write_xlsx
from .progress import ProgressExporter
from .reports import LedgerExporter, OverdueExporter

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: Rows between two progress reports.
PROGRESS_ROWS = 500


def agency(user) -> bool:
    return user.is_superuser or user.org_kind not in (None, "owner", "expert")


def exporter_for(kind: str, user, params: dict) -> Exporter:
    """The exporter of ``kind`` for ``user`` — what the direct download writes too."""
    projects = visible_projects(user)
    if kind == "export.plan":
        # 办法第十一条: the same rule as the plan page (a plan being compiled is 404 to a department)
        access.get_plan_for_user(user, params["year"])
        # 办法第三十八条: the agencies see each department's track record with the plan.
        return PlanExporter(params["year"], projects=projects, track_record=agency(user))
    if kind == "export.ledger":
        return LedgerExporter(projects)
    if kind == "export.overdue":
        return OverdueExporter(projects, days=params["days"], include_plans=agency(user))
    if kind == "export.progress":
        # 办法第十五条: 进展填报 per 项目代码 (exports/progress.py)
        return ProgressExporter(projects, code=params.get("code", ""))
    raise ValueError(kind)


class _Counted:
    """The exporter, reporting every PROGRESS_ROWS rows written; everything else is the
    exporter's own."""

    def __init__(self, inner: Exporter, progress: jobs.Progress, total: int):
        self.inner, self.progress, self.total = inner, progress, total

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def rows(self) -> Iterator[Row]:
        for n, row in enumerate(self.inner.rows(), start=1):
            if n % PROGRESS_ROWS == 0:
                self.progress(min(n, self.total), self.total, _("已写入 %(n)d 行") % {"n": n})
            yield row


def run(job: Job, progress: jobs.Progress) -> jobs.Output:
    user, fmt = job.requested_by, job.params.get("format", "xlsx")
    exporter = exporter_for(job.kind, user, job.params)
    total = visible_projects(user).count()
    progress(0, total, _("正在查询"), force=True)
    audit.record(
        actor=user,
        action=job.kind,
        obj=user,
        label=f"导出{exporter.title}",
        data={"format": fmt, "job": str(job.pk)},
    )
    # Kept by the documents storage, then dropped with the job runner's frame.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    counted = cast(Exporter, _Counted(exporter, progress, total))
    if fmt == "csv":
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        write_csv(counted, text)
        text.flush()
        text.detach()
    else:
        write_xlsx(counted, spool)
    spool.seek(0)
    return jobs.Output(
        filename=download_name(exporter.title, day=timeutil.today(), ext=fmt),
        content_type=CONTENT_TYPES[fmt],
        file=spool,
    )


def register() -> None:
    for kind in ("export.plan", "export.ledger", "export.overdue", "export.progress"):
        jobs.register(kind, run)
