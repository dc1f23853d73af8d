"""Issue 12 item 4: the form by which a 审核人 or 负责人 names a substitute (lifecycle/delegation.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validation import DateInput

from .call_forms import _date, _in_range
from .models import User


class SubstituteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class DelegationForm(forms.Form):
    substitute = SubstituteChoice(
        label=_("代办人（本单位人员）"),
        queryset=User.objects.none(),
        empty_label=_("请选择代办人"),
        error_messages={"invalid_choice": _("请从本单位在用账号中选择代办人。")},
    )
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期（含当日）"))
    reason = forms.CharField(
        label=_("委托事由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, delegator: User, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["substitute"]
        assert isinstance(field, forms.ModelChoiceField)
        # within the delegator's own organisation, active accounts, not the delegator
        org = delegator.organisation_id
        field.queryset = (
            User.objects.none()
            if org is None
            else User.objects.filter(organisation_id=org, is_active=True)
            .exclude(pk=delegator.pk)
            .order_by("full_name", "username")
        )

    def clean_starts_on(self):
        _in_range(self.cleaned_data.get("starts_on"))
        return self.cleaned_data.get("starts_on")

    def clean_ends_on(self):
        _in_range(self.cleaned_data.get("ends_on"))
        return self.cleaned_data.get("ends_on")


class DelegationChangeForm(forms.Form):
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期（含当日）"))

    clean_starts_on = DelegationForm.clean_starts_on
    clean_ends_on = DelegationForm.clean_ends_on


__all__ = ["DateInput", "DelegationChangeForm", "DelegationForm"]
