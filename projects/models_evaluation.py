"""办法第九、三十三条: the performance targets of a project, one row per indicator.

The application states its 项目绩效目标 (第九条); the self-evaluation (第三十三条) reports, for
each target, the value achieved and an explanation. A target is entered with the application
or, at the latest, before the self-evaluation is submitted (projects/evaluation.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PerformanceTarget(models.Model):
    class Entered(models.TextChoices):
        APPLICATION = "application", _("随申报填报")
        LATER = "later", _("自评价前补充")

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("绩效指标"), max_length=200)
    target_value = models.CharField(_("目标值"), max_length=100)
    achieved_value = models.CharField(_("实际完成值"), max_length=100, blank=True)
    explanation = models.TextField(_("完成情况说明"), blank=True)
    entered = models.CharField(_("填报时点"), max_length=16, choices=Entered.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("填报时间"))
    reported_at = models.DateTimeField(_("完成情况填报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("绩效目标")
        verbose_name_plural = _("绩效目标")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.target_value}"

    @property
    def reported(self) -> bool:
        return bool(self.achieved_value.strip() and self.explanation.strip())
