"""办法第九、十条: what the reviewers received, round by round.

The application is edited in place while drafting and during 陈述和补正 (projects.services
``EDITABLE_STATES``); what went out at each submission — the 统一申报, each 补正 sent back,
an emergency request — is kept here as one ``ApplicationVersion`` (projects/versions.py
writes it, with an audit row, when the step is taken), so the review pages can show what
changed between rounds (web/aspect_views.py). Versions are only ever added.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationVersion(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="application_versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    #: The step that sent this version (transition name: submit, submit_correction, request_emergency).
    action = models.CharField(_("随哪一步报送"), max_length=60)
    taken_at = models.DateTimeField(_("报送时间"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    #: The 第九条 items as stored: {field: value}, rows as lists of {column: value}.
    content = models.JSONField(_("申报内容"), default=dict)

    class Meta:
        verbose_name = _("申报材料版本")
        verbose_name_plural = _("申报材料版本")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="one_number_per_application_version")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("已报送的申报材料版本不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("已报送的申报材料版本不可删除")
