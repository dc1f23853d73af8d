"""建设性质 of an application (issue 15): the fields, mixed into projects.models.Project.

* ``nature``: 新建 / 续建 / 扩建·升级改造 / 运维 / 购买服务 (core/nature.py); which path each
  follows is set in lifecycle/policy.py and enforced by lifecycle/nature_guards.py.
* ``predecessor``: the earlier project a 续建 continues (办法第三十八条: its acceptance and
  evaluation results are shown with the application), or the project that built the system an
  upgrade or O&M request is about.
* ``system_name``: the existing 政务信息系统 an upgrade or an O&M request is about — the name a
  第三十四条 finding records (ComplianceFinding.system).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.nature import ProjectNature


class NatureFields(models.Model):
    nature = models.CharField(
        _("建设性质"),
        max_length=16,
        choices=ProjectNature.choices,
        default=ProjectNature.NEW,
        help_text=_("运维、购买服务项目列入年度计划后签订合同即执行，不编报可研和初步设计。"),
    )
    predecessor = models.ForeignKey(
        "projects.Project",
        verbose_name=_("前期项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        help_text=_("续建项目须选择前期项目（办法第三十八条）；扩建、运维项目可选择建设该系统的项目。"),
    )
    system_name = models.CharField(
        _("涉及的已建政务信息系统"),
        max_length=200,
        blank=True,
        help_text=_("扩建·升级改造、运维项目须填写所涉及的已建系统名称（办法第三十四条）。"),
    )

    class Meta:
        abstract = True
