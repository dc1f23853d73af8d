"""The form of the contract page (办法第二十一、二十四、三十条); the rules are checked again by
lifecycle.contracts.contract_record, which every way in calls."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validation import DateInput, WanField, validate_past_date

from .models import Contract


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label=_("合同类别"), choices=Contract.Kind.choices)
    procurement_method = forms.ChoiceField(
        label=_("招标采购方式（办法第二十一条）"), choices=Contract.Method.choices
    )
    supplier = forms.CharField(label=_("中标（成交）供应商"), max_length=200)
    number = forms.CharField(label=_("合同编号"), max_length=60)
    amount_yuan = WanField(label=_("合同金额（万元）"))
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput(), validators=[validate_past_date])
    ip_clause = forms.BooleanField(
        label=_("合同已明确项目成果及相关知识产权归项目建设单位所有（办法第三十条）"), required=False
    )
    ip_override_reason = forms.CharField(
        label=_("未载明上述条款的理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("合同未载明知识产权归属条款的，只有负责人可以填写理由后例外登记（办法第三十条）。"),
    )
