"""Issue 12: notifications — the in-app inbox, e-mail preferences, reminders sent, the
calendar-feed token (projects/notifications.py writes them, projects/reminders.py sends the
reminders before and after each deadline of the 办法).

An entry of the inbox is addressed to an organisation and a role, never to one person: every
person of that organisation with that role sees it (a colleague or a substitute sees the same
entries), and each person marks it read for themselves (``NotificationRead``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.vocabulary import Role


class NotificationKind(models.TextChoices):
    ARRIVED = "arrived", _("待办事项")
    CORRECTION = "correction", _("补正要求")
    OPINION = "opinion", _("审核意见")
    DECIDED = "decided", _("办理结果")
    FILING = "filing", _("文书出具")
    REMINDER = "reminder", _("时限提醒")
    OVERDUE = "overdue", _("逾期提醒")
    ESCALATION = "escalation", _("逾期督办")


class Notification(models.Model):
    """One entry of the inbox of every person of ``organisation`` with ``role``."""

    organisation = models.ForeignKey(
        "projects.Organisation", verbose_name=_("接收单位"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("接收角色"), max_length=16, choices=Role.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    article = models.CharField(_("依据"), max_length=40, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "projects.AnnualPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A reminder's entry is written once per organisation, role, clock, deadline and offset
    # (projects/reminders.py): ``key`` names it, and the constraint below refuses a second one.
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "role", "-created_at"], name="notify_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "role", "key"], condition=~Q(key=""), name="notify_once_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationRead(models.Model):
    """Read state, per person."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "user"], name="notify_read_once")]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.user_id}"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("即时发送")
    DIGEST = "digest", _("每日汇总")


def default_email_kinds() -> list[str]:
    return list(NotificationKind.values)


class NotificationPreference(models.Model):
    """A person's choices: which kinds reach them by e-mail, at once or in a daily digest;
    and the secret of their calendar feed (empty: no feed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_kinds = models.JSONField(_("以电子邮件发送的通知类型"), default=default_email_kinds, blank=True)
    delivery = models.CharField(
        _("发送方式"), max_length=16, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    feed_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)


class ReminderSent(models.Model):
    """A reminder (or an escalation) given to one person for one deadline: at most once per
    person, clock, deadline date and step — a database constraint, so a job that runs twice,
    or two at once, sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    clock = models.ForeignKey("lifecycle.Clock", on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    step = models.CharField(max_length=24)
    sent_at = models.DateTimeField()
    emailed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clock", "due_on", "step"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.clock_id} · {self.due_on} · {self.step}"
