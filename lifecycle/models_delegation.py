"""Issue 12 item 4: a delegation (代办) — a 审核人 or 负责人 names a substitute of their own
organisation for a range of days (lifecycle/delegation.py writes it; lifecycle/acting.py
reads it for every role check)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delegation(models.Model):
    organisation = models.ForeignKey(
        "projects.Organisation", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="+"
    )
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委托人"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        on_delete=models.PROTECT,
        related_name="delegations_received",
    )
    #: the delegator's role when the delegation was made (shown; the rights follow the
    #: delegator's role on the day, lifecycle/acting.py)
    role = models.CharField(_("委托的角色"), max_length=16)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), help_text=_("含当日。"))
    reason = models.TextField(_("委托事由"), blank=True)
    created_at = models.DateTimeField(_("设立时间"))
    #: ended early by the delegator: no longer in force from this day on
    ended_on = models.DateField(_("提前终止日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代办委托")
        verbose_name_plural = _("代办委托")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["substitute", "starts_on"]),
            models.Index(fields=["delegator", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~models.Q(substitute=models.F("delegator")), name="delegation_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return _("%(who)s 代 %(for)s（%(start)s 至 %(end)s）") % {
            "who": self.substitute,
            "for": self.delegator,
            "start": self.starts_on,
            "end": self.ends_on,
        }
