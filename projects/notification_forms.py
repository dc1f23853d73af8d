"""Issue 12: the form of a person's notification settings (web/notification_views.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models_notifications import Delivery, NotificationKind


class PreferenceForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=_("以电子邮件发送的通知类型"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("未勾选的类型只在系统的“通知”中显示。"),
        error_messages={
            "invalid_choice": _("请从列出的通知类型中选择。"),
            "invalid_list": _("请从列出的通知类型中选择。"),
        },
    )
    delivery = forms.ChoiceField(
        label=_("电子邮件发送方式"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        help_text=_("每日汇总：每天上午发送一封，列出前一天以来的未读通知。"),
        error_messages={"required": _("请选择发送方式。"), "invalid_choice": _("请选择列出的发送方式。")},
    )
