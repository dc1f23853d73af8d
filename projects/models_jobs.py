"""Long work done in the background (issue 10): one row per request for a file that takes too
long to make inside a web request — the annual-plan PDF, a big export, an audit dossier.

The row is what the person sees on the job page: what was asked, by whom, how far it has got
(``done`` of ``total`` and the current ``stage``), and at the end the download (a stored file,
or the issued Filing) or the reason it failed. The work itself runs in the worker
(``projects/tasks.py`` → ``projects/jobs.py``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能完成")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("任务类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=300)
    params = models.JSONField(_("参数"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    stage = models.CharField(_("进展"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: the result: a stored file (storage key) …
    storage_key = models.CharField(_("存储位置"), max_length=300, blank=True)
    filename = models.CharField(_("文件名"), max_length=300, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    #: … or an issued filing (documents.Filing), downloaded from its own page
    filing_id = models.PositiveBigIntegerField(_("文书"), null=True, blank=True)
    error = models.TextField(_("未能完成的原因"), blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_requested_by_created")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.done / self.total))
