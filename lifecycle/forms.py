from django import forms
from django.utils.translation import gettext_lazy as _


class TransitionForm(forms.Form):
    """The admin's form for any transition: the reason, and the reason for passing a 原则上 rule."""

    reason = forms.CharField(label=_("理由或意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    override_reason = forms.CharField(
        label=_("例外放行理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("“原则上”的规则阻止办理、确需例外时由负责人填写，将记入操作记录。"),
    )
