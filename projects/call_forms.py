"""办法第八条: the bureau's forms to open, extend and close the yearly call (projects.calls)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validation import EARLIEST_DATE, DateInput

from .params import MAX_YEAR, MIN_YEAR

#: Dates a person may type for a call: operational bounds against typing slips.
LATEST_CALL_DATE = datetime.date(MAX_YEAR, 12, 31)


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_CALL_DATE.isoformat()}),
        validators=[],
    )


def _in_range(value: datetime.date | None) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_CALL_DATE):
        raise forms.ValidationError(
            _("请填写%(a)s至%(b)s之间的日期。")
            % {"a": EARLIEST_DATE.isoformat(), "b": LATEST_CALL_DATE.isoformat()}
        )


class CallOpenForm(forms.Form):
    """Next year's call; dates left empty are the June default (Policy.call_opens/closes)."""

    year = forms.IntegerField(label=_("计划年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    opens_on = _date(_("征集开始日期"), required=False)
    closes_on = _date(_("征集截止日期"), required=False)
    notice = forms.CharField(
        label=_("征集通知"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("理由（日期与默认征集期不同时填写）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_opens_on(self):
        _in_range(self.cleaned_data.get("opens_on"))
        return self.cleaned_data.get("opens_on")

    def clean_closes_on(self):
        _in_range(self.cleaned_data.get("closes_on"))
        return self.cleaned_data.get("closes_on")


class CallExtendForm(forms.Form):
    closes_on = _date(_("延长至"))
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_closes_on(self):
        _in_range(self.cleaned_data.get("closes_on"))
        return self.cleaned_data.get("closes_on")


class CallCloseForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
