"""Records of supervision (办法第三十四、三十六、三十九条), imported by projects/models.py.

* ``ComplianceFinding``: a 第三十四条 situation found by its responsible agency — data not
  shared or collected twice (省营商环境局), 密码应用 (省国家密码管理局), 网络安全 (省委网信办),
  等级保护 (省公安厅), a major security hazard (省委网信办 or 省公安厅) — set and lifted only
  through projects.supervision with reason and evidence. While open it blocks new, rebuilt
  and extended systems of the department and its 运行维护经费 (lifecycle.guards.owner_compliant).
* ``ConnectivityException``: the 孤网 exception of 第三十四条 — requested by the department,
  reviewed by 省营商环境局, approved by 省政府; once approved the data-sharing finding on the
  same system no longer blocks.
* ``SupervisionDecision``: 通报批评 (第三十六、三十九条) and 暂缓安排信息化投资计划 (第三十六条),
  recorded with their 文号 by the bureau's head.

The rows are written only by the services of projects/supervision.py (each with its audit
row); the admin shows them read-only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.vocabulary import OrgKind


class FindingKind(models.TextChoices):
    """The situations of 办法第三十四条（一）（二）."""

    DATA_NOT_SHARED = "data_not_shared", _("未按要求共享数据资源")
    DUPLICATE_COLLECTION = "duplicate_collection", _("重复采集数据")
    CRYPTO = "crypto", _("不符合密码应用要求")
    NETWORK_SECURITY = "network_security", _("不符合网络安全要求")
    PROTECTION_LEVEL = "protection_level", _("未按等级（分级）保护标准要求建设")
    SECURITY_HAZARD = "security_hazard", _("存在重大安全隐患")


#: 办法第三十四、三十六条 (有关部门按照职责分工): which agencies find and lift each situation.
RESPONSIBLE_KINDS: dict[str, frozenset[str]] = {
    FindingKind.DATA_NOT_SHARED: frozenset({OrgKind.BUREAU}),
    FindingKind.DUPLICATE_COLLECTION: frozenset({OrgKind.BUREAU}),
    FindingKind.CRYPTO: frozenset({OrgKind.CRYPTO}),
    FindingKind.NETWORK_SECURITY: frozenset({OrgKind.CAC}),
    FindingKind.PROTECTION_LEVEL: frozenset({OrgKind.POLICE}),
    FindingKind.SECURITY_HAZARD: frozenset({OrgKind.CAC, OrgKind.POLICE}),
}

#: 办法第三十四条: the 孤网 exception excuses only the refusal to share data.
EXCUSABLE_KINDS = frozenset({FindingKind.DATA_NOT_SHARED})


class FindingQuerySet(models.QuerySet):
    def open(self) -> FindingQuerySet:
        return self.filter(lifted_at__isnull=True)

    def blocking(self) -> FindingQuerySet:
        """Open findings not excused by an approved 孤网 exception of the same system."""
        excused = ConnectivityException.objects.filter(
            organisation_id=OuterRef("organisation_id"),
            system=OuterRef("system"),
            state=ConnectivityException.State.APPROVED,
        )
        return self.open().exclude(Q(kind__in=EXCUSABLE_KINDS) & Q(Exists(excused)))


class ComplianceFinding(models.Model):
    """办法第三十四条: a situation found by its responsible agency, open until it lifts it."""

    organisation = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("项目建设单位"),
        on_delete=models.PROTECT,
        related_name="compliance_findings",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("相关项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_findings",
    )
    system = models.CharField(_("政务信息系统"), max_length=200)
    kind = models.CharField(_("情形"), max_length=32, choices=FindingKind.choices)
    agency = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("认定机构"),
        on_delete=models.PROTECT,
        null=True,
        related_name="findings_made",
    )
    reason = models.TextField(_("认定理由"))
    evidence = models.CharField(_("依据材料（文号或材料名称）"), max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("认定时间"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.TextField(_("解除理由"), blank=True)
    lift_evidence = models.CharField(_("解除依据（文号或材料名称）"), max_length=200, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("第三十四条认定")
        verbose_name_plural = _("第三十四条认定")
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.system} · {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None

    def excusing_exception(self) -> ConnectivityException | None:
        if self.kind not in EXCUSABLE_KINDS:
            return None
        return ConnectivityException.objects.filter(
            organisation_id=self.organisation_id,
            system=self.system,
            state=ConnectivityException.State.APPROVED,
        ).first()


class ConnectivityException(models.Model):
    """办法第三十四条 (孤网是例外): a system that by law cannot share data, built or kept only
    after 省营商环境局 reviews it (会同有关部门) and 省政府 approves it."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待省营商环境局审核")
        REVIEWED = "reviewed", _("已审核，报省政府批准")
        APPROVED = "approved", _("省政府已批准")
        REFUSED = "refused", _("未获同意")

    organisation = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("项目建设单位"),
        on_delete=models.PROTECT,
        related_name="connectivity_exceptions",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("相关项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="connectivity_exceptions",
    )
    system = models.CharField(_("政务信息系统"), max_length=200)
    grounds = models.TextField(_("不能共享数据的法律法规和政策依据"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    decision_note = models.TextField(_("省政府意见"), blank=True)
    document_no = models.CharField(_("批准文号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("孤网例外申请")
        verbose_name_plural = _("孤网例外申请")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.system} · {self.get_state_display()}"


class DecisionKind(models.TextChoices):
    CRITICISM = "criticism", _("通报批评")
    DEFERRAL = "deferral", _("暂缓安排信息化投资计划")


#: The articles a decision may rest on: 第三十六条 (逾期不整改或整改后仍不符合要求) allows both;
#: 第三十九条 (未履行审批程序、违规使用财政资金、严重超概算……) calls for 通报批评 only.
DECISION_ARTICLES: dict[str, tuple[str, ...]] = {
    DecisionKind.CRITICISM: ("第三十六条", "第三十九条"),
    DecisionKind.DEFERRAL: ("第三十六条",),
}


class DecisionQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date) -> DecisionQuerySet:
        """Not lifted, and (for a deferral with an end date) not yet past it."""
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=day))

    def deferrals_in_force(self, day: datetime.date) -> DecisionQuerySet:
        """办法第三十六条: the 暂缓安排信息化投资计划 decisions in force on ``day``."""
        return self.in_force(day).filter(kind=DecisionKind.DEFERRAL)


class SupervisionDecision(models.Model):
    """办法第三十六、三十九条: 通报批评 or 暂缓安排信息化投资计划, with its 文号."""

    organisation = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("项目建设单位"),
        on_delete=models.PROTECT,
        related_name="supervision_decisions",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("相关项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_decisions",
    )
    kind = models.CharField(_("处理方式"), max_length=16, choices=DecisionKind.choices)
    article = models.CharField(_("依据条款"), max_length=20)
    document_no = models.CharField(_("文号"), max_length=60)
    decided_on = models.DateField(_("决定日期"))
    until = models.DateField(_("暂缓至"), null=True, blank=True)
    reason = models.TextField(_("事实和理由"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lift_reason = models.TextField(_("解除理由"), blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("监督处理决定")
        verbose_name_plural = _("监督处理决定")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_kind_display()} · {self.document_no}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.lifted_at is None and (self.until is None or self.until >= day)
